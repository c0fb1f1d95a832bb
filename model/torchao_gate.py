"""Keep torchao out of the process until a user picks 8-bit weights.

When torchao is installed (the `cuda` extra), diffusers and transformers import it as soon as
their quantizer modules load, which happens with the first pipeline or text encoder loaded,
whether or not anything is quantised. That import takes a while on the worker thread (holding
the GIL the GUI thread needs) and prints "Failed to load ..._C_mxfp8...so" lines and torch
`_pytree` register_constant warnings into the terminal the editor was started from. Shotline
quantises through torchao itself (`model.quantize`, after a model is loaded), never through the
libraries' loaders, so before a model loads `keep_out()` makes both libraries' "is torchao
installed?" checks answer no; `let_in()` (called when int8 / fp8 weights are actually made)
answers yes again. `installed()` asks without importing.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

_saved: dict[str, Any] = {}  # the libraries' own answers, while they are replaced


def installed() -> bool:
    """True when torchao could be imported here; a probe of the file system, not an import."""
    try:
        return importlib.util.find_spec("torchao") is not None
    except (ImportError, ValueError):  # a broken or half-removed install
        return False


def _absent(*_args: Any, **_kwargs: Any) -> bool:
    return False


def keep_out() -> None:
    """Call before diffusers or transformers load a model: they then skip importing torchao.

    Does nothing once torchao is imported (nothing left to save) or when neither library has
    the checks this relies on (another version: it then only costs the import again)."""
    if sys.modules.get("torchao") is not None:
        return
    try:
        import diffusers.utils.import_utils as diffusers_imports
    except ImportError:
        diffusers_imports = None
    if getattr(diffusers_imports, "_torchao_available", False):  # read by is_torchao_available()
        _saved.setdefault("diffusers", diffusers_imports._torchao_available)
        diffusers_imports._torchao_available = False
    try:
        import transformers.utils as transformers_utils
        import transformers.utils.import_utils as transformers_imports
    except ImportError:
        return
    for module in (transformers_imports, transformers_utils):
        original = getattr(module, "is_torchao_available", None)
        if original is not None and original is not _absent:
            _saved.setdefault("is_torchao_available", original)
            module.is_torchao_available = _absent


def let_in() -> None:
    """Undo `keep_out()` before torchao is imported for real, so the libraries' torchao paths
    (diffusers' offloading of torchao tensors) see it again."""
    diffusers_imports = sys.modules.get("diffusers.utils.import_utils")
    if "diffusers" in _saved and diffusers_imports is not None:
        diffusers_imports._torchao_available = _saved.pop("diffusers")
    original = _saved.pop("is_torchao_available", None)
    if original is not None:
        for name in ("transformers.utils.import_utils", "transformers.utils"):
            module = sys.modules.get(name)
            if module is not None and getattr(module, "is_torchao_available", None) is _absent:
                module.is_torchao_available = original
