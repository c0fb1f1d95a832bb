"""Write the cut as a timeline file another editor opens: .otio, .otioz, .xml, .fcpxml or .edl.

The file's suffix picks the OpenTimelineIO adapter (`formats`). The same refusals as the MP4
export: the target never replaces a file the project uses or keeps (editor.media.outputs), and it
is written to a scratch file beside it and renamed over it when complete, so an existing file is
replaced only by a finished one and a failure leaves nothing. A .otioz carries the media files
themselves, so every file the cut shows must be there; the other formats only name the files
(missing ones stay offline in the other editor, as here).

What each format keeps: .otio and .otioz keep everything (takes, recipes, draft prompts,
keyframes, under the `shotline` metadata key); FCP 7 XML and FCPXML keep the tracks, clips,
trims, gaps and markers; a CMX 3600 EDL keeps one video track's events.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from editor.document import scratch
from editor.document.project import Project
from editor.document.storage import check_media
from editor.media.interchange.formats import InterchangeError, TimelineFormat, require_format
from editor.media.outputs import project_inputs, refuse_overwrite
from editor.words import plural


@dataclass
class TimelineExport:
    """What was written, in words for the user."""

    path: Path
    format: TimelineFormat
    clips: int
    drafts: int
    tracks: int
    audio_tracks: int
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        parts = [plural(self.tracks, "video track"), plural(self.clips, "clip")]
        if self.drafts:
            parts.append(plural(self.drafts, "draft shot"))
        if self.audio_tracks:
            parts.append(plural(self.audio_tracks, "audio track"))
        return f"wrote {self.path} — {self.format.title}: {', '.join(parts)}"


def export_timeline(project: Project, folder: str | os.PathLike | None, out: str | os.PathLike) -> TimelineExport:
    """Write `project`'s cut to `out` in the format its suffix names; InterchangeError (or
    OutputRefused) with what to do, and nothing written, when it can't be."""
    out = Path(out).expanduser()
    fmt = require_format(out)
    if out.is_dir():
        raise InterchangeError(f"{out} is a folder: add a file name such as {out / ('cut' + fmt.suffix)}.")
    if not out.parent.is_dir():
        raise InterchangeError(f"The folder {out.parent} does not exist: create it first or choose another.")
    refuse_overwrite(out, project_inputs(project, folder), project_folder=folder, error=InterchangeError)
    if not any(t.clips for t in project.tracks) and not any(t.clips for t in project.audio_tracks):
        raise InterchangeError("The cut is empty: add clips or shots before exporting it.")
    notes = timeline_notes(project, folder, fmt)

    from editor.media.interchange.to_otio import project_to_timeline

    timeline = project_to_timeline(project, folder)
    _write(timeline, out, fmt)
    clips = [c for t in project.tracks for c in t.clips]
    return TimelineExport(out, fmt, sum(not c.is_draft for c in clips), sum(c.is_draft for c in clips),
                          len(project.tracks), len(project.audio_tracks), notes)


def timeline_notes(project: Project, folder, fmt: TimelineFormat) -> list[str]:
    """What the user should know about writing this cut in `fmt`; InterchangeError for a bundle
    that can't be made (its media missing)."""
    notes = []
    missing = check_media(project, folder)
    if fmt.bundles_media and missing:
        listed = "; ".join(missing[:3]) + (f"; and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise InterchangeError(f"A .otioz carries the media, and some are missing: {listed}. Put the files back "
                               "(or relink them), or export a .otio that names them.")
    if missing:
        notes.append(f"{plural(len(missing), 'media file')} of the cut {'is' if len(missing) == 1 else 'are'} "
                     "missing; the other editor shows them offline.")
    drafts = sum(c.is_draft for t in project.tracks for c in t.clips)
    if drafts and not fmt.keeps_recipes:
        notes.append(f"{plural(drafts, 'draft shot')} {'is a gap' if drafts == 1 else 'are gaps'} in this "
                     "format (their prompts travel only in .otio and .otioz).")
    if fmt.adapter == "cmx_3600" and len(project.tracks) > 1:
        notes.append("An EDL holds one video track: only the bottom one is written.")
    return notes


def _write(timeline, out: Path, fmt: TimelineFormat) -> None:
    import opentimelineio as otio

    if fmt.adapter == "cmx_3600":
        timeline = _for_edl(timeline)
    scratch.remove_dead(out.parent)  # what a killed export left here
    try:
        fd, tmp = scratch.create(out, "partial", fmt.suffix)
    except OSError as exc:
        raise InterchangeError(f"Could not write in {out.parent} ({exc.strerror or exc}); choose a folder you "
                               "can write to.") from None
    os.close(fd)
    try:
        if fmt.bundles_media:
            tmp.unlink()  # the bundle adapter writes only a file that does not exist yet
        try:
            otio.adapters.write_to_file(timeline, str(tmp), adapter_name=fmt.adapter)
        except otio.exceptions.OTIOError as exc:
            raise InterchangeError(f"{out.name} could not be written as {fmt.title}: {_first_line(exc)}.") from None
        except (AttributeError, KeyError, TypeError, ValueError) as exc:  # an adapter tripping on this cut
            raise InterchangeError(f"{out.name} could not be written as {fmt.title} ({type(exc).__name__}: "
                                   f"{_first_line(exc)}); export a .otio instead.") from None
        except OSError as exc:
            raise InterchangeError(f"Could not write {out} ({exc.strerror or exc}); check the disk has room.") from None
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _for_edl(timeline):
    """An EDL holds one video track: the bottom one (where the main picture of a cut lies),
    without the audio tracks (the cmx adapter would refuse them)."""
    import copy

    import opentimelineio as otio

    video = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    out = otio.schema.Timeline(name=timeline.name, global_start_time=timeline.global_start_time)
    if video:
        out.tracks.append(copy.deepcopy(video[0]))
    return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].rstrip(".")
