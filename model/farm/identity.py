"""A model folder's identity, so a worker finds its own copy of the model the editor named.

Models are never shipped through Ray's object store (tens of GB): every worker machine has its own
copy, in its own model folders or Hugging Face cache, usually at another path. Two copies are the
same model when their configs and weight index agree, so the identity is a hash of every config
JSON of the folder (model_index.json, each component's config, scheduler and tokenizer configs,
sharded-weight indexes) and the names and sizes of its safetensors files. Reading it costs a few
small files, never the weights.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from model.models import BUILTIN_INTERPOLATE, ModelError, inspect_model, scan_folders, scan_hf_cache

CONFIG_NAMES = ("config.json", "scheduler_config.json", "tokenizer_config.json", "special_tokens_map.json",
                "preprocessor_config.json", "generation_config.json")
# Worker machines list their model folders here (os.pathsep-separated), besides their HF cache.
FOLDERS_ENV = "SHOTLINE_MODEL_FOLDERS"


def model_identity(path: str | os.PathLike) -> str:
    """"sha256:<hex>" of the folder's configs and weight index; ModelError when it is no model."""
    if str(path) == BUILTIN_INTERPOLATE:
        return BUILTIN_INTERPOLATE
    folder = Path(path).expanduser()
    inspect_model(folder)  # refuses what Shotline would refuse, with its message
    digest = hashlib.sha256()
    try:
        entries = [folder / "model_index.json"]
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            for f in sorted(sub.iterdir()):
                if f.is_file() and (f.name in CONFIG_NAMES or f.name.endswith(".safetensors.index.json")):
                    entries.append(f)
                elif f.is_file() and f.name.endswith(".safetensors"):
                    digest.update(f"{sub.name}/{f.name}:{f.stat().st_size}\n".encode())
        for f in entries:
            digest.update(f"{f.relative_to(folder).as_posix()}\n".encode())
            digest.update(f.read_bytes())
    except OSError as exc:
        raise ModelError(f"{folder.name} can't be read ({exc.strerror or exc}); download the model again.") from exc
    return "sha256:" + digest.hexdigest()


def worker_folders() -> list[str]:
    """This machine's model folders for farm work (SHOTLINE_MODEL_FOLDERS)."""
    return [p for p in os.environ.get(FOLDERS_ENV, "").split(os.pathsep) if p.strip()]


class ModelFinder:
    """Finds, on this machine, the model folder with a given identity (results kept)."""

    def __init__(self, folders: list[str] | None = None) -> None:
        self.folders = list(worker_folders() if folders is None else folders)
        self._known: dict[str, str] = {}
        self._lock = threading.Lock()

    def find(self, identity: str, hint: str = "") -> str | None:
        """The folder holding the model `identity`; `hint` (the editor's path) is tried first."""
        if identity == BUILTIN_INTERPOLATE:
            return BUILTIN_INTERPOLATE
        with self._lock:
            known = self._known.get(identity)
            if known is not None and Path(known).is_dir():
                return known
            candidates = [hint] if hint else []
            candidates += [f.path for f in scan_folders(self.folders) + scan_hf_cache() if f.info is not None]
            for path in candidates:
                try:
                    if model_identity(path) == identity:
                        self._known[identity] = path
                        return path
                except ModelError:
                    continue
        return None

    def where_looked(self) -> str:
        from model.models import hf_cache_dir

        places = [*self.folders, f"the Hugging Face cache {hf_cache_dir()}"]
        return ", ".join(places)
