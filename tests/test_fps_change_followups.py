"""After a frame-rate change: jobs journaled by an older version, "Make again", a clip's fit mode.

The counter video of `test_fps_change_context` (frame i of the 24 fps file has red 5 i) is
imported twice into a 24 fps project (real files), and the project is changed to 12 fps. The
timeline then shows every other file frame; whatever reads a clip for generation must too.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from test_fps_change_context import FILE_FRAMES, STEP, _index

from editor.document.edits import ChangeFrameRate, MoveClips, PlaceGeneratedTake, Side
from editor.document.plans import ExtendClip, InfillGap, RestyleClip, make_plan
from editor.document.project import Take
from editor.document.storage import open_document
from editor.generation import request_from_plan
from editor.media.takes import write_take


def _counter_project(tmp_path: Path, *, fps: int, size: str = "64x48"):
    """Two clips of the counter video (64x48), 32 frames apart at 24 fps, in a project of `size`
    made at 24 fps then set to `fps`."""
    from editor.cli.project_commands import cmd_new

    frames = [np.full((48, 64, 3), (STEP * i, 255 - STEP * i, 128), np.uint8) for i in range(FILE_FRAMES)]
    source = write_take(tmp_path / "counter.mkv", frames, 24)
    assert cmd_new([str(tmp_path / "Counter"), str(source), str(source), "--fps", "24", "--size", size]) == 0
    d = open_document(tmp_path / "Counter.shotline")
    a, b = d.project.tracks[0].clips
    d.request(MoveClips(clip_ids=(b.id,), delta=32))
    if fps != 24:
        d.request(ChangeFrameRate(fps=Fraction(fps)))
    return d


@pytest.fixture
def doc(tmp_path):
    return _counter_project(tmp_path, fps=12)


def _as_journaled_before(plan) -> dict:
    """`plan`'s journal dict as a version without made_at/fit wrote it."""
    data = plan.to_dict()
    for row in [*data["pins"], *data["target"]["segments"]]:
        row.pop("made_at")
        row.pop("fit")
    return data


# --- 1. a job journaled before plans recorded made_at/fit --------------------------------------


def test_a_job_journaled_by_an_older_version_reads_the_frames_the_timeline_shows(doc):
    from editor.generation import GENERATION_KIND, run_job
    from model.journal import Journal
    from model.runner import Runner

    plan = make_plan(doc.project, InfillGap(track_id=doc.project.tracks[0].id, frame=24))
    assert plan.pins[0].made_at == "24/1"
    with Journal(doc.folder / "jobs.sqlite") as journal:
        journal.add(plan.action.value, plan.summary, {"kind": GENERATION_KIND, "plan": _as_journaled_before(plan)})
        done = run_job(journal, journal.claim_next(), Runner(), doc.project, doc.folder)
    assert [(p.made_at, p.fit) for p in done.plan.pins] == [("24/1", None), ("24/1", None)]
    assert done.take.record["plan"]["pins"][0]["made_at"] == "24/1"  # the take's recipe says how it was read
    before, after = request_from_plan(done.plan, doc.project, doc.folder).context
    assert [_index(f) for f in before.frames] == list(range(30, 47, 2))
    assert [_index(f) for f in after.frames] == list(range(0, 17, 2))


def test_the_editor_resumes_an_old_job_as_the_timeline_shows_it(qtbot, doc):
    """The job worker reads the plan against the controller's snapshot of the project, not the document."""
    from editor.generation import GENERATION_KIND, plan_of
    from editor.ui.jobs.controller import project_snapshot
    from model.journal import Journal

    doc.project.tracks[0].clips[1].metadata["fit"] = "crop"
    plan = make_plan(doc.project, InfillGap(track_id=doc.project.tracks[0].id, frame=24))
    with Journal(doc.folder / "jobs.sqlite") as journal:
        job = journal.add(plan.action.value, plan.summary, {"kind": GENERATION_KIND, "plan": _as_journaled_before(plan)})
        assert plan_of(job).pins[0].made_at is None  # read as it was written: the wrong frames
        resumed = plan_of(job, project_snapshot(doc.project))
    assert resumed.pins == plan.pins and resumed.target == plan.target


def test_a_plan_keeps_the_made_at_and_fit_it_recorded(doc):
    """A new plan's null made_at (its file was at the rate then) is its own; only missing keys are filled."""
    from editor.document.journaled_plans import fill_as_shown

    plan = make_plan(doc.project, InfillGap(track_id=doc.project.tracks[0].id, frame=24)).to_dict()
    plan["pins"][0]["made_at"] = None
    assert fill_as_shown(plan, doc.project) is plan
    old = _as_journaled_before(make_plan(doc.project, InfillGap(track_id=doc.project.tracks[0].id, frame=24)))
    assert fill_as_shown(old, doc.project)["pins"][0]["made_at"] == "24/1"
    assert "made_at" not in old["pins"][0]  # the journal's copy is not changed in place


def test_a_job_that_finishes_after_the_rate_changed_lands_by_time(tmp_path):
    """Queued at 24 fps, the project set to 12 fps while it waited: its take (a 24 fps file) fills
    the gap as the gap is now, and plays at its speed, not twice as long."""
    from editor.generation import run_job, submit
    from editor.media.cut import CutReader
    from model.journal import Journal
    from model.runner import Runner

    doc = _counter_project(tmp_path, fps=24)
    track = doc.project.tracks[0]
    plan = make_plan(doc.project, InfillGap(track_id=track.id, frame=60))
    assert (plan.target.start, plan.target.length) == (48, 32)
    with Journal(doc.folder / "jobs.sqlite") as journal:
        submit(journal, plan)
        doc.request(ChangeFrameRate(fps=Fraction(12)))  # while the job waits in the queue
        done = run_job(journal, journal.claim_next(), Runner(), doc.project, doc.folder)
    assert done.take.frames == 32  # written at the rate it was planned at
    doc.request(PlaceGeneratedTake(plan=done.plan, take=done.take))
    a, made, b = doc.project.tracks[0].clips
    assert (made.start, made.length, b.start) == (24, 16, 40) and doc.project.duration == 64
    assert made.take.frames == 16 and made.take.metadata["frames_at_fps"] == "24/1"
    assert [made.take.file_frame(i, doc.project.fps) for i in (0, 1, 15)] == [0, 2, 30]
    with CutReader(doc.project, doc.folder) as reader:
        assert _index(reader.frame_at(a.end - 1)) == 46 and _index(reader.frame_at(b.start)) == 0
    doc.undo()
    assert [(c.start, c.length) for c in doc.project.tracks[0].clips] == [(0, 24), (40, 24)]


# --- 2. "Make again" after the rate changed ------------------------------------------------------


def _placed(doc, selection) -> tuple[str, Take]:
    """A take made from `selection` (a recipe as a real run records it), placed as the first run would."""
    plan = make_plan(doc.project, selection, seed=9)
    take = Take(id="made", media="media/made.mkv", frames=plan.target.take_frames,
                record={"engine": "ltx-condition", "action": plan.action.value, "plan": plan.to_dict()})
    doc.request(PlaceGeneratedTake(plan=plan, take=take))
    return plan.target.clip_id, take


@pytest.mark.parametrize("selection, first, shown", [
    (lambda c: ExtendClip(clip_id=c, side=Side.END, frames=6), 15, list(range(30, 47, 2))),
    (lambda c: ExtendClip(clip_id=c, side=Side.START, frames=6), 0, list(range(0, 17, 2))),
    (lambda c: ExtendClip(clip_id=c, side=Side.END, frames=5), 15, list(range(30, 47, 2))),  # 2.5 frames now
    (lambda c: ExtendClip(clip_id=c, side=Side.START, frames=7), 0, list(range(0, 17, 2))),
    (lambda c: RestyleClip(clip_id=c, prompt="ink", strength=0.5), 0, list(range(0, 48, 2))),
])
def test_make_again_after_a_rate_change_reads_the_frames_the_timeline_shows(tmp_path, selection, first, shown):
    from editor.generation.recipes import regenerate_plan

    doc = _counter_project(tmp_path, fps=24)
    a = doc.project.tracks[0].clips[0]
    cid, take = _placed(doc, selection(a.id))
    doc.request(ChangeFrameRate(fps=Fraction(12)))  # File ▸ Project Settings, after the first run
    made = doc.project.find_clip(cid)[1].take
    plan = regenerate_plan(doc.project, cid, made)
    assert plan.fps == 12 and plan.seed == 9
    (pin,) = plan.pins
    assert (pin.first, pin.made_at) == (first, "24/1")
    assert [_index(f) for f in request_from_plan(plan, doc.project, doc.folder).context[0].frames] == shown
    assert plan.target.take_frames == made.frames  # as many seconds as the first run made
    doc.request(PlaceGeneratedTake(plan=plan, take=Take(id="again", media="media/again.mkv", frames=made.frames,
                                                         record={"action": plan.action.value, "plan": plan.to_dict()})))
    assert doc.project.find_clip(cid)[1].take.id == "again"


# --- 3. Fit, from the timeline's right-click menu -------------------------------------------------


def test_fit_names_are_the_ones_the_cut_reads():
    from editor.document.clip_fit import FIT_MODES
    from editor.media.fit import FitMode

    assert list(FIT_MODES) == [m.value for m in FitMode]


def _bars(picture: np.ndarray) -> bool:
    """True when the picture's left edge is black (letterboxed 4:3 in a 2:1 frame)."""
    return not picture[:, :2, :3].any()


def _preview_bars(image) -> bool:
    """The same, for the preview's picture."""
    c = image.pixelColor(1, image.height() // 2)
    return image.width() > 2 and max(c.red(), c.green(), c.blue()) < 8


def test_fit_from_the_timeline_menu_is_one_undoable_edit_that_preview_export_and_generation_follow(qtbot, tmp_path):
    from PySide6.QtCore import QPoint

    from editor.media.cut import CutReader
    from editor.media.export import ExportOptions, export_project
    from editor.ui.main_window import MainWindow

    d = _counter_project(tmp_path, fps=24, size="96x48")  # 4:3 pictures in a 2:1 frame
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1200, 800)
    w.show()
    try:
        assert w.open_project_path(d.folder)
        qtbot.waitExposed(w)
        doc = w.document
        a = doc.project.tracks[0].clips[0]
        w.selection.set_clips([a.id])
        w.playhead.set_frame(10)
        assert w.preview.wait_shown() and _preview_bars(w.preview.image)
        tl = w.timeline
        menu = w.timeline_menu(tl.viewport().mapTo(tl, QPoint(tl.frame_x(10), tl.track_y(0) + 12)))
        fit = next(x.menu() for x in menu.actions() if x.menu() is not None and x.text() == "Fit")
        assert [(x.text(), x.isChecked()) for x in fit.actions()] == \
            [("Letterbox", True), ("Crop", False), ("Stretch", False)]
        fit.popup(w.mapToGlobal(QPoint(200, 200)))
        qtbot.waitExposed(fit)
        fit.grab().save(str(tmp_path / "fit-menu.png"))
        fit.close()
        menu.close()
        next(x for x in fit.actions() if x.text() == "Crop").trigger()
        assert doc.project.tracks[0].clips[0].metadata["fit"] == "crop"
        assert doc.undo_label == "Undo Fit: Crop"
        assert w.preview.wait_shown() and not _preview_bars(w.preview.image)  # the preview fills the frame
        clip = doc.project.tracks[0].clips[0]
        plan = make_plan(doc.project, ExtendClip(clip_id=clip.id, side=Side.END, frames=8))
        (pin,) = request_from_plan(plan, doc.project, doc.folder).context
        assert plan.pins[0].fit == "crop" and not _bars(pin.frames[0])
        with CutReader(doc.project, doc.folder) as reader:
            assert np.array_equal(pin.frames[-1], reader.frame_at(clip.end - 1)[:, :, :3])
        out = tmp_path / "crop.mp4"
        export_project(doc.project, doc.folder, out, ExportOptions(preset="ultrafast", c2pa=False, end=2))
        import av

        with av.open(str(out)) as c:
            first = next(c.decode(video=0)).to_ndarray(format="rgb24")
        assert not _bars(first)  # the export too
        doc.undo()
        assert "fit" not in doc.project.tracks[0].clips[0].metadata  # letterbox again, stored as no key
        assert w.preview.wait_shown() and _preview_bars(w.preview.image)
    finally:
        w.ask_save_changes = lambda: "discard"
        w.close()


def test_an_unknown_fit_is_refused_in_one_line_and_changes_nothing(doc):
    from editor.document.clip_fit import SetClipFit
    from editor.document.edits import EditRefused

    a = doc.project.tracks[0].clips[0]
    before = doc.undo_label
    with pytest.raises(EditRefused, match=r"^Unknown fit 'zoom'; use one of: letterbox, crop, stretch\.$"):
        doc.request(SetClipFit(clip_ids=(a.id,), fit="zoom"))
    assert "fit" not in doc.project.tracks[0].clips[0].metadata and doc.undo_label == before
    doc.request(SetClipFit(clip_ids=tuple(c.id for c in doc.project.tracks[0].clips), fit="stretch"))
    assert [c.metadata.get("fit") for c in doc.project.tracks[0].clips] == ["stretch", "stretch"]
    doc.undo()  # both clips in one step
    assert [c.metadata.get("fit") for c in doc.project.tracks[0].clips] == [None, None]
