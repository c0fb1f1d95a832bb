"""Extend after a frame-rate change, the journey a walkthrough reported failing:

"change Trip from 24 to 30 fps in Project Settings, then Extend a clip whose take was made at
24 fps: 'The last 9 frames of the clip at frame 168 needs frames 141..149 of
take-0003-extend-forward.mkv, which has 120. The file may have been replaced; relink it…'"

A real 120-frame file made at 24 fps (frame i's colour says i) is the clip's take, placed at
frame 134 of a 24 fps project; the project goes to 30 fps through the edit the Project Settings
dialog makes (the clip then starts at 168 and lasts 150 frames); Extend Forward is planned from
the selection, queued in the real journal and run through plan -> request -> a tiny random-weight
LTX model -> the written take, which is placed. The context must be the frames the timeline
shows, and the new take must hold the clip as it played.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from editor.document.edits import MoveClips, PlaceGeneratedTake, Side
from editor.document.plans import ExtendClip, make_plan
from editor.document.storage import open_document
from editor.generation import request_from_plan
from editor.generation.requests import GenerationError, video_frames
from editor.media.cut import CutReader
from editor.media.takes import read_take, write_take

STEP = 2  # frame i of the file is (2 i, 255 - 2 i, 128): 120 frames fit in a byte
FILE_FRAMES = 120  # 5 s at 24 fps, as a 5 s extend take


def _index(frame: np.ndarray) -> int:
    h, w = frame.shape[:2]
    return round(float(frame[h // 2 - 2: h // 2 + 2, w // 2 - 2: w // 2 + 2, 0].mean()) / STEP)


@pytest.fixture
def trip(tmp_path, qtbot):
    """Trip: the 24 fps take of 120 frames at frame 134, then set to 30 fps in Project Settings."""
    from editor.cli.project_commands import cmd_new
    from editor.ui.project_settings_dialog import ProjectSettingsDialog

    frames = [np.full((64, 64, 3), (STEP * i, 255 - STEP * i, 128), np.uint8) for i in range(FILE_FRAMES)]
    source = write_take(tmp_path / "take-0003-extend-forward.mkv", frames, 24)
    assert cmd_new([str(tmp_path / "Trip"), str(source), "--fps", "24", "--size", "64x64", "--no-sound"]) == 0
    doc = open_document(tmp_path / "Trip.shotline")
    (clip,) = doc.project.tracks[0].clips
    doc.request(MoveClips(clip_ids=(clip.id,), delta=134))
    dialog = ProjectSettingsDialog(doc.project, [])
    qtbot.addWidget(dialog)
    dialog.fps_combo.setCurrentIndex(dialog.fps_combo.findData("30/1"))
    doc.request(dialog.edit())  # what OK in File ▸ Project Settings does
    (clip,) = doc.project.tracks[0].clips
    assert doc.project.fps == 30 and (clip.start, clip.length, clip.take.frames) == (168, 150, 150)
    return doc


def test_extend_after_24_to_30_fps_reads_the_frames_the_timeline_shows_and_makes_the_take(trip, tiny_ltx_dir):
    from editor.generation import run_job, submit
    from model.journal import Journal
    from model.runner import Runner

    (clip,) = trip.project.tracks[0].clips
    plan = make_plan(trip.project, ExtendClip(clip_id=clip.id, side=Side.END, frames=8))
    (pin,) = request_from_plan(plan, trip.project, trip.folder).context
    with CutReader(trip.project, trip.folder) as cut:
        shown = [cut.frame_at(t).copy() for t in range(clip.end - len(pin.frames), clip.end)]
    assert [_index(f) for f in pin.frames] == [_index(f) for f in shown] == [112, 113, 114, 115, 116, 116, 117, 118, 119]
    plan = replace(plan, model=str(tiny_ltx_dir), steps=2)
    with Journal(trip.folder / "jobs.sqlite") as journal:
        submit(journal, plan)  # as the Jobs queue records it; the worker reads it back
        done = run_job(journal, journal.claim_next(), Runner(device="cpu"), trip.project, trip.folder)
    made = read_take(trip.folder / done.take.media)
    assert len(made) == done.take.frames == 150 + 8
    assert [_index(f) for f in made[:150]] == [i * 24 // 30 for i in range(150)]  # the clip as it played
    trip.request(PlaceGeneratedTake(plan=done.plan, take=done.take))
    (clip,) = trip.project.tracks[0].clips
    assert (clip.start, clip.length, clip.take.id) == (168, 158, done.take.id)


def test_a_rate_mismatch_is_not_blamed_on_a_replaced_file(tmp_path):
    # frames asked for past the end of a file at another rate: say what the file is and what the
    # project is, not "the file may have been replaced"
    frames = [np.full((16, 16, 3), 9, np.uint8)] * 10
    path = write_take(tmp_path / "take.mkv", frames, 24)
    with pytest.raises(GenerationError) as raised:
        list(video_frames(str(path), 14, 9, 16, 16, None, what="context", made_at="24/1", fps=Fraction(48)))
    text = str(raised.value)
    assert "replaced" not in text and "24" in text and "48" in text, text
    with pytest.raises(GenerationError) as raised:  # no rate change: the file itself is shorter than recorded
        list(video_frames(str(path), 5, 9, 16, 16, None, what="context"))
    assert "replaced" in str(raised.value)
    assert Path(path).exists()


def test_extend_forward_from_the_window_after_24_to_30_fps(qtbot, trip, tiny_ltx_dir):
    """The same journey through the window: the clip selected, Extend Forward, the job queue and
    worker (which read the plan against the controller's snapshot), the take placed."""
    from PySide6.QtWidgets import QApplication

    from editor.document.edits import SetShotSettings
    from editor.document.storage import save_project
    from editor.ui.app import end_session
    from editor.ui.main_window import MainWindow

    (clip,) = trip.project.tracks[0].clips
    trip.request(SetShotSettings(clip_id=clip.id, model=str(tiny_ltx_dir), steps=2))
    save_project(trip.project, trip.folder)
    w = MainWindow(restore_layout=False, ask=False)
    try:
        w.resize(1000, 700)
        w.show()
        assert w.open_project_path(trip.folder)
        w.selection.set_clips([clip.id])
        qtbot.waitUntil(lambda: w.actions["gen.extend_forward"].isEnabled(), timeout=60_000)
        ended = []
        w.controller.job_ended.connect(lambda job, how: ended.append(how))
        w.actions["gen.extend_forward"].trigger()
        qtbot.waitUntil(lambda: bool(ended), timeout=120_000)
        assert ended == ["done"], w.statusBar().currentMessage()
        qtbot.waitUntil(lambda: w.document.project.tracks[0].clips[0].length > 150, timeout=60_000)
        placed = w.document.project.tracks[0].clips[0]
        assert placed.start == 168 and placed.take.frames == placed.length
    finally:
        end_session(QApplication.instance(), w)
