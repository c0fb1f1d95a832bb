"""Inspector ▸ Gap and ▸ Clip end have the shot page's Seed, Steps and Guidance, and the job uses them.

Found in a walk: the gap page had no Steps field, so an Infill on a CPU with a tiny LTX-2 ran
the project's default 30 steps (twelve minutes). A real window on the offscreen platform, real
typing, the real worker thread and a tiny random-weight LTX-2 folder (tests/tiny_models.py);
what the engine was asked is read back from the take's recipe.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from ui_helpers import wheel

from editor.document.edits import EditRefused, SetShotSettings
from editor.document.plans import make_plan
from editor.document.recipe import recipe_of
from editor.document.storage import save_project
from editor.generation import verbs
from editor.ui.inspector import Inspector
from editor.ui.main_window import MainWindow
from editor.ui.selection import GapRef, Selection

WAIT_MS = 120_000
GAP = GapRef("v1", 24, 10)


def type_into(qtbot, box, text: str) -> None:
    """Click-focus `box`, select what it shows and type `text`, leaving the focus there."""
    box.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(box.hasFocus)
    QTest.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(box, text)


@pytest.fixture
def window(gap_window):
    return gap_window


def test_an_infill_runs_the_steps_seed_and_guidance_typed_on_the_gap_page(qtbot, window, tiny_ltx2_dir):
    w = window
    # the clip before the gap names the model and leaves steps to the project's default (30)
    w.document.request(SetShotSettings(clip_id="a", model=str(tiny_ltx2_dir)))
    w.selection.set_gap(GAP)
    qtbot.waitUntil(lambda: w.inspector.page == "gap")
    fields = w.inspector.gap_sampling
    assert fields.steps.isVisibleTo(w.inspector) and fields.steps.isEnabled()
    assert (fields.seed.value(), fields.steps.text(), fields.guidance.text()) == (1, "project default",
                                                                                  "project default")
    key = w.controller.state_key
    type_into(qtbot, fields.steps, "2")
    assert w.controller.state_key != key  # the Infill's reason and estimate are made again, for 2 steps
    assert w.controller.options_for(verbs.INFILL).steps == 2
    type_into(qtbot, fields.seed, "5")
    type_into(qtbot, fields.guidance, "2.5")
    qtbot.wait(20)
    w.inspector.grab().save("/tmp/gapui-gap-page.png")
    qtbot.waitUntil(lambda: w.actions["gen.infill"].isEnabled(), timeout=WAIT_MS)
    w.actions["gen.infill"].trigger()  # the focus is still in Guidance: what is typed counts
    qtbot.waitUntil(lambda: len(w.document.project.track("v1").clips) == 3, timeout=WAIT_MS)
    (new,) = [c for c in w.document.project.track("v1").clips if c.id not in ("a", "b")]
    recipe = recipe_of(new.take)
    assert (recipe.steps, recipe.seed, recipe.guidance) == (2, 5, 2.5)
    assert new.take.record["request"]["steps"] == 2  # what the engine was called with
    shot = w.document.project.find_clip("a")[1].shot
    assert (shot.steps, shot.seed, shot.guidance) == (None, 1, None)  # the neighbour is left as it was


def test_the_gap_page_keeps_what_was_asked_per_gap_and_changes_no_clip(qtbot, gap_document):
    selection = Selection()
    inspector = Inspector(gap_document, selection, models=["/models/some-model"])
    qtbot.addWidget(inspector)
    inspector.resize(380, 700)
    inspector.show()
    gap_document.request(SetShotSettings(clip_id="a", model="/models/some-model", steps=40, guidance=5.0))
    history = gap_document.history.titles
    selection.set_gap(GAP)
    fields = inspector.gap_sampling
    assert (fields.steps.value(), fields.guidance.value()) == (40, 5.0)  # what the Infill would use: the clip beside it
    fields.steps.setValue(3)
    fields.guidance.setValue(0.0)  # "project default": the project's, not the neighbour's
    options = inspector.infill_options()
    assert (options.steps, options.guidance, options.seed) == (3, gap_document.project.defaults.guidance, None)
    plan = make_plan(gap_document.project, verbs.INFILL.plan_selection(selection, gap_document.project.fps, options))
    assert (plan.steps, plan.seed) == (3, 1)
    assert gap_document.history.titles == history  # asked of the gap: no clip's settings changed
    selection.set_clips(["a"])
    selection.set_gap(GAP)
    assert fields.steps.value() == 3  # kept for this gap while the Inspector looks elsewhere
    fields.seed.setValue(-1)  # random: a new seed for this run, recorded in the plan
    assert inspector.infill_options().seed is not None


def test_gap_fields_take_the_wheel_only_when_focused(qtbot, gap_document):
    selection = Selection()
    inspector = Inspector(gap_document, selection, models=["/models/some-model"])
    qtbot.addWidget(inspector)
    inspector.resize(380, 200)
    inspector.show()
    gap_document.request(SetShotSettings(clip_id="a", model="/models/some-model"))
    selection.set_gap(GAP)
    fields = inspector.gap_sampling
    before = [fields.seed.value(), fields.steps.value(), fields.guidance.value()]
    for box in (fields.seed, fields.steps, fields.guidance):
        assert box.focusPolicy() == Qt.FocusPolicy.StrongFocus
        wheel(box, QPoint(5, 5), 120)
    assert [fields.seed.value(), fields.steps.value(), fields.guidance.value()] == before
    assert inspector.infill_options() == verbs.Options()
    inspector.activateWindow()
    fields.steps.setFocus()
    qtbot.waitUntil(fields.steps.hasFocus)
    wheel(fields.steps, QPoint(5, 5), 120)
    assert fields.steps.value() == before[1] + 1


def test_a_gap_the_built_in_interpolation_fills_says_it_uses_no_steps(qtbot, gap_document):
    selection = Selection()
    inspector = Inspector(gap_document, selection)  # no model anywhere: interpolation
    qtbot.addWidget(inspector)
    inspector.resize(380, 700)
    inspector.show()
    selection.set_gap(GAP)
    assert not inspector.gap_sampling.steps.isEnabled()
    assert "interpolation" in inspector.gap_sampling_note.text() and inspector.gap_sampling_note.isVisible()
    inspector.grab().save("/tmp/gapui-gap-interpolated.png")


def test_the_clip_end_page_sets_seed_steps_and_guidance_on_the_shot(qtbot, gap_document):
    selection = Selection()
    inspector = Inspector(gap_document, selection, models=["/models/some-model"])
    qtbot.addWidget(inspector)
    inspector.resize(380, 500)
    inspector.show()
    selection.set_clip_end("a", "end")
    fields = inspector.end_sampling
    assert fields.steps.isVisibleTo(inspector) and fields.seed.value() == 1
    assert all(box.focusPolicy() == Qt.FocusPolicy.StrongFocus for box in (fields.seed, fields.steps, fields.guidance))
    fields.steps.setValue(4)
    fields.steps.editingFinished.emit()
    fields.guidance.setValue(2.0)
    fields.guidance.editingFinished.emit()
    shot = gap_document.project.find_clip("a")[1].shot
    assert (shot.steps, shot.guidance) == (4, 2.0)
    plan = make_plan(gap_document.project, verbs.EXTEND_FORWARD.plan_selection(selection, gap_document.project.fps))
    assert (plan.steps, plan.guidance, plan.seed) == (4, 2.0, 1)
    inspector.grab().save("/tmp/gapui-end-page.png")
    gap_document.undo()
    assert inspector.end_sampling.guidance.text() == "project default"


def test_steps_typed_on_the_shot_page_count_when_generate_is_clicked_at_once(qtbot, window, tiny_ltx2_dir):
    # Clicking a tool button (Generate) leaves the focus in the field, which commits only when
    # left: the number typed was not what the job ran with.
    from editor.generation import plan_of

    w = window
    w.document.request(SetShotSettings(clip_id="a", model=str(tiny_ltx2_dir)))
    w.controller.pause_queue()  # queued, not run: this test is about what is queued
    w.selection.set_clips(["a"])
    qtbot.waitUntil(lambda: w.inspector.page == "shot")
    type_into(qtbot, w.inspector.steps_spin, "3")
    qtbot.waitUntil(lambda: w.actions["gen.generate"].isEnabled(), timeout=WAIT_MS)
    with qtbot.waitSignal(w.controller.job_queued, timeout=WAIT_MS) as queued:
        w.actions["gen.generate"].trigger()
    assert plan_of(w.controller.journal.get(queued.args[0])).steps == 3
    assert w.document.project.find_clip("a")[1].shot.steps == 3  # kept on the shot, one undo step


def _open(qtbot, folder) -> MainWindow:
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1200, 800)
    w.show()
    assert w.open_project_path(folder)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    return w


def test_steps_typed_on_a_gap_are_saved_with_the_project_and_used_after_reopening(qtbot, gap_document,
                                                                                  tiny_ltx2_dir):
    """Found in a walk: the gap page's fields were kept only in the window, so closing the
    project lost them ("nothing the user made is ever lost")."""
    import json

    gap_document.project.tracks[0].clips[0].shot.model = str(tiny_ltx2_dir)
    save_project(gap_document.project, gap_document.folder)  # an older file: no gap settings at all
    w = _open(qtbot, gap_document.folder)
    w.selection.set_gap(GAP)
    qtbot.waitUntil(lambda: w.inspector.page == "gap")
    fields = w.inspector.gap_sampling
    assert fields.steps.text() == "project default"  # missing: the defaults, as before
    try:
        history = w.document.history.titles
        type_into(qtbot, fields.steps, "3")
        type_into(qtbot, fields.seed, "7")  # leaving Steps commits it: one undo step
        assert w.document.history.titles == (*history, "Gap Steps")
        w.document.undo()
        assert fields.steps.text() == "project default"
        w.document.redo()
        assert fields.steps.value() == 3
        w.actions["file.save"].trigger()  # Seed, still being typed, commits with the save
        qtbot.waitUntil(lambda: not w.session.dirty)
        stored = json.loads((gap_document.folder / "project.json").read_text())
        clip_b = next(c for c in stored["tracks"][0]["clips"] if c["id"] == "b")
        assert clip_b["metadata"]["infill_before"] == {"steps": 3, "seed": 7}  # data, on the clip after the gap
    finally:
        w.ask_save_changes = lambda: "discard"
        w.close()

    w = _open(qtbot, gap_document.folder)
    try:
        w.selection.set_gap(GAP)
        qtbot.waitUntil(lambda: w.inspector.page == "gap")
        fields = w.inspector.gap_sampling
        assert (fields.steps.value(), fields.seed.value()) == (3, 7)
        w.inspector.grab().save("/tmp/polish-gap-reopened.png")
        qtbot.waitUntil(lambda: w.actions["gen.infill"].isEnabled(), timeout=WAIT_MS)
        w.actions["gen.infill"].trigger()
        qtbot.waitUntil(lambda: len(w.document.project.track("v1").clips) == 3, timeout=WAIT_MS)
        (new,) = [c for c in w.document.project.track("v1").clips if c.id not in ("a", "b")]
        recipe = recipe_of(new.take)
        assert (recipe.steps, recipe.seed) == (3, 7)
    finally:
        w.ask_save_changes = lambda: "discard"
        w.close()


def test_what_was_asked_of_a_gap_moves_with_the_clip_after_it(gap_document):
    from editor.document.edits import MoveClips, SplitClip
    from editor.document.gap_sampling import SetGapSampling, asked_of_gap

    doc = gap_document
    doc.request(SetGapSampling(track_id="v1", frame=30, field="steps", value=4))
    doc.request(MoveClips(clip_ids=("b",), delta=6))  # the gap is now [24, 40)
    assert asked_of_gap(doc.project, "v1", 24) == {"steps": 4}
    doc.request(SplitClip(clip_id="b", frame=50, new_clip_id="b2"))
    doc.request(MoveClips(clip_ids=("b2",), delta=4))  # a new gap opens before the right part: nothing asked of it
    assert asked_of_gap(doc.project, "v1", 60) == {} and asked_of_gap(doc.project, "v1", 24) == {"steps": 4}
    with pytest.raises(EditRefused):
        doc.request(SetGapSampling(track_id="v1", frame=30, field="steps", value=-2))
    with pytest.raises(EditRefused):
        doc.request(SetGapSampling(track_id="v1", frame=70, field="steps", value=2))  # after the last clip
    assert asked_of_gap(doc.project, "v1", 24) == {"steps": 4}
