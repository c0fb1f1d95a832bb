"""A model folder's identity: a short hash of its configs and weight index, for take recipes.

Two folders with the same name may hold different weights (a re-download, a fine-tune, another
variant), so a recipe names its model by path *and* by this hash. Hashing every weight byte of a
20 GB model would take minutes; the JSON files (pipeline index, component configs, scheduler,
tokenizer) plus each safetensors file's name, size and header (the tensor names, shapes and dtypes)
change whenever the model does, and read in milliseconds. Answers are cached per folder and the
modification times of what was read, so a model run again is not re-read.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_HEADER_LIMIT = 100 * 1024 * 1024  # a safetensors header larger than this is damaged
_cache: dict[tuple, str] = {}


def folder_hash(path: str | os.PathLike) -> str | None:
    """12 hex digits identifying the model folder at `path`; None when it is not a folder."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        return None
    files = sorted(p for p in folder.rglob("*") if p.is_file() and _counts(p))
    try:
        key = (str(folder.resolve()), tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files))
    except OSError:
        return None
    if key in _cache:
        return _cache[key]
    digest = hashlib.sha256()
    for p in files:
        digest.update(p.relative_to(folder).as_posix().encode() + b"\0")
        try:
            if p.suffix == ".json":
                digest.update(p.read_bytes())
            else:  # safetensors: size and header, not the weights
                size = p.stat().st_size
                digest.update(str(size).encode())
                with p.open("rb") as f:
                    length = int.from_bytes(f.read(8), "little")
                    if 0 < length < min(_HEADER_LIMIT, size):
                        digest.update(f.read(length))
        except OSError:
            return None
    answer = digest.hexdigest()[:12]
    _cache[key] = answer
    return answer


def _counts(p: Path) -> bool:
    return p.suffix == ".json" or p.name.endswith(".safetensors")
