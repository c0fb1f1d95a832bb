"""A quick look at dropped pictures before they go on the timeline.

A damaged PNG dropped on a track was placed as a clip and shown black (stills are placed at
once, without the background read videos get). This reads each file's header and, for PNG, its
chunks' checksums (PIL's `verify`, no pixel decoding), so the drop can be refused with one line
and nothing changes.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image


def damaged_stills(paths: list[str | os.PathLike]) -> list[str]:
    """One line for each picture in `paths` that can't be read; empty when all can."""
    lines = []
    for p in paths:
        try:
            with Image.open(p) as im:
                im.verify()
        except Exception:  # noqa: BLE001 - PIL raises many kinds for a damaged file; each means the same here
            lines.append(f"{Path(p).name} can't be read as a picture (damaged, or not the image its "
                         "name says): nothing was added.")
    return lines
