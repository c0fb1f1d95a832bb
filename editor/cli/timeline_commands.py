"""The cut to and from other editors on the command line (editor.media.interchange):
`export PROJECT -o cut.otio|.otioz|.xml|.fcpxml|.edl` and `new PROJECT --from cut.otio|...`."""

from __future__ import annotations

import argparse
from pathlib import Path

from editor.cli.common import UserError, parse_fps, parse_size, printable


def refuse_video_options(args: argparse.Namespace) -> None:
    """A timeline is the whole cut at the project's rate: the video export's choices mean nothing there."""
    given = [flag for flag, value in (("--range", args.range), ("--size", args.size), ("--fps", args.fps),
                                      ("--crf", args.crf), ("--loudness", args.loudness)) if value is not None]
    if given:
        raise UserError(f"{', '.join(given)}: for an MP4 only; a timeline (.otio, .xml, ...) holds the whole cut "
                        "at the project's rate, so leave them out")


def export_timeline_file(project, folder: Path, output: str) -> int:
    """`export -o` with a timeline suffix: the cut of the opened `project` as a file another editor opens."""
    from editor.media.interchange.write import export_timeline

    result = export_timeline(project, folder, Path(output))
    print(printable(result.describe(), 2000))
    for note in result.notes:
        print(f"note: {printable(note, 2000)}")
    return 0


def new_from_cut(args: argparse.Namespace, folder: Path) -> int:
    """`new PROJECT --from CUT`: a project holding the cut made in another editor."""
    if args.media:
        raise UserError("give either MEDIA files or --from CUT, not both")
    if args.no_sound:
        raise UserError("--no-sound is for MEDIA files; a cut brings its own sound tracks")
    from editor.media.interchange.create import create_project_from_cut
    from editor.media.interchange.formats import require_format

    cut = Path(args.cut)
    require_format(cut)
    fps = parse_fps(args.fps) if args.fps else None  # None: the cut's own rate
    size = parse_size(args.size) if args.size else None  # None: what the cut says, else its first picture
    lock, imported = create_project_from_cut(cut, folder, fps=fps, size=size, app="shotline new")
    lock.release()
    print(printable(f"made {folder} from {cut.name} — {imported.describe()}", 2000))
    for note in imported.notes:
        print(f"note: {printable(note, 2000)}")
    return 0
