"""Which timeline format a file name stands for: its suffix picks the OpenTimelineIO adapter.

One table for the `export`/`new --from` commands and the Export dialog. No OpenTimelineIO import
here: the dialog reads the table while the editor starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from editor.media.errors import MediaError


class InterchangeError(MediaError):
    """A cut can't be written or read in a timeline format; the message says what to do."""


@dataclass(frozen=True)
class TimelineFormat:
    suffix: str  # ".otio"
    adapter: str  # the OpenTimelineIO adapter's name
    title: str  # what the user reads in a format list
    keeps_recipes: bool  # the `shotline` metadata (takes, recipes, draft prompts) survives in the file
    bundles_media: bool = False  # the media files travel inside the file


FORMATS: tuple[TimelineFormat, ...] = (
    TimelineFormat(".otio", "otio_json", "OpenTimelineIO (.otio)", True),
    TimelineFormat(".otioz", "otioz", "OpenTimelineIO with media (.otioz)", True, bundles_media=True),
    TimelineFormat(".xml", "fcp_xml", "Final Cut Pro 7 XML, Premiere, Resolve (.xml)", False),
    TimelineFormat(".fcpxml", "fcpx_xml", "Final Cut Pro X (.fcpxml)", False),
    TimelineFormat(".edl", "cmx_3600", "CMX 3600 EDL, first video track (.edl)", False),
)
TIMELINE_SUFFIXES = tuple(f.suffix for f in FORMATS)


def timeline_format(path: str | os.PathLike) -> TimelineFormat | None:
    """The format a file name asks for by its suffix (any case); None when it names none."""
    suffix = Path(path).suffix.lower()
    return next((f for f in FORMATS if f.suffix == suffix), None)


def require_format(path: str | os.PathLike) -> TimelineFormat:
    """timeline_format, or InterchangeError naming the suffixes that work."""
    found = timeline_format(path)
    if found is None:
        raise InterchangeError(f"{Path(path).name}: a timeline file ends in {', '.join(TIMELINE_SUFFIXES)}; "
                               "rename it or export it again in one of those formats.")
    return found
