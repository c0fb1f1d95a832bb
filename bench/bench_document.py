"""Document speed on a 1,000-clip project: open, save, and one edit with its undo (the UI waits on each)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from statistics import median

from bench.common import Figure, timed
from editor.document.document import Document
from editor.document.edits import MoveClips
from editor.document.samples import sample_project
from editor.document.storage import load_project, save_project


def measure(quick: bool) -> list[Figure]:
    repeat = 3 if quick else 7
    project = sample_project(tracks=4, clips_per_track=250, name="Bench")
    folder = Path(tempfile.mkdtemp(prefix="shotline-bench-")) / "Bench.shotline"
    try:
        save_s = median(timed(lambda: save_project(project, folder), repeat))
        load_s = median(timed(lambda: load_project(folder), repeat))
        size_kb = (folder / "project.json").stat().st_size / 1024
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    doc = Document(project)
    # a costly single edit: moving a clip between two 250-clip tracks copies both tracks
    first = project.tracks[0].clips[0].id
    clips = sum(len(t.clips) for t in project.tracks)

    to = project.tracks[1]
    delta = to.clips[-1].end + 10 - project.tracks[0].clips[0].start

    def edit_and_undo() -> None:
        doc.request(MoveClips(clip_ids=(first,), to_track=to.id, delta=delta))
        doc.undo()

    edit_s = median(timed(edit_and_undo, repeat * 3)) / 2
    return [
        Figure(f"timeline_{clips}_load_s", load_s, "s", "< 0.5 s", load_s < 0.5),
        Figure(f"timeline_{clips}_save_s", save_s, "s", f"< 0.5 s ({size_kb:.0f} KiB)", save_s < 0.5),
        Figure(f"timeline_{clips}_edit_s", edit_s, "s", "< 0.05 s (one move or undo)", edit_s < 0.05),
    ]
