"""Reading a small JSON file that should hold one object (a model folder's config, its index).

Model folders come from downloads and users' disks: a missing, unreadable, damaged or
non-object file is an answer ("not there"), not a traceback, and each caller says in its own
words what that means for the user.
"""

from __future__ import annotations

import json
from pathlib import Path


def read_json_object(path: Path) -> dict | None:
    """The JSON object in `path`; None when it is missing, unreadable, not JSON or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        return None
    return data if isinstance(data, dict) else None
