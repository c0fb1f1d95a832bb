"""Inspector ▸ Enhance prompt: a tiny local text model expands the prompt in the background; the user
edits it and queues a take whose recipe keeps both prompts, or makes it the shot's prompt."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QToolButton
from tiny_extras import build_tiny_text_model
from ui_helpers import click

from editor.document.edits import SetShotSettings
from editor.generation import plan_of

WAIT_MS = 60_000


@pytest.fixture(scope="module")
def text_model(tmp_path_factory):
    return build_tiny_text_model(tmp_path_factory.mktemp("llm") / "tiny-llm")


def press(button) -> None:
    click(button, button.rect().center())


def test_enhance_shows_the_expanded_prompt_then_queues_it_with_both_prompts(qtbot, window, text_model, tiny_ltx_dir):
    w = window
    w.settings.set_enhancer(str(text_model))
    w.settings.set_device("cpu")
    w.document.request(SetShotSettings(clip_id="boat", model=str(tiny_ltx_dir), steps=1))
    w.selection.set_clips(["boat"])
    box = w.inspector.enhance_box
    qtbot.waitUntil(lambda: w.inspector.page == "shot")
    assert box.button.isVisible() and not box.result.isVisible()
    with qtbot.waitSignal(box.finished, timeout=WAIT_MS):
        press(box.button)
    assert box.result.isVisible() and box.result.toPlainText()
    assert "Expanded by tiny-llm" in box.status.text()
    qtbot.wait(50)  # let the page lay out the result before the picture
    w.inspector.grab().save("/tmp/ltx2extras-enhance.png")
    box.result.setPlainText("a paper boat drifts down a wide river at night, slow camera pan")  # the user edits it
    assert w.document.project.find_clip("boat")[1].shot.prompt == "a paper boat drifts"  # not replaced
    controller = w.controller
    with qtbot.waitSignal(controller.job_queued, timeout=WAIT_MS) as queued:
        press(box.generate_button)
    plan = plan_of(controller.journal.get(queued.args[0]))
    assert plan.prompt == "a paper boat drifts down a wide river at night, slow camera pan"
    enhance = plan.options["enhance"]
    assert enhance["original"] == "a paper boat drifts" and enhance["edited"] is True
    assert enhance["enhancer"]["kind"] == "text model" and enhance["used"] == plan.prompt
    controller.pause_queue()


def test_the_expanded_prompt_closes_once_its_take_is_queued(qtbot, window, text_model, tiny_ltx_dir):
    # Found in a walk: after "Generate with this prompt" the expansion stayed open under the shot,
    # stale, ready to be queued twice; the take's recipe keeps it, so the box closes.
    w = window
    w.settings.set_enhancer(str(text_model))
    w.settings.set_device("cpu")
    w.document.request(SetShotSettings(clip_id="boat", model=str(tiny_ltx_dir), steps=1))
    w.controller.pause_queue()  # queued, not run: this test is about the box
    w.selection.set_clips(["boat"])
    box = w.inspector.enhance_box
    qtbot.waitUntil(lambda: w.inspector.page == "shot")
    with qtbot.waitSignal(box.finished, timeout=WAIT_MS):
        press(box.button)
    expanded = box.result.toPlainText()
    assert box.result.isVisible() and expanded
    with qtbot.waitSignal(w.controller.job_queued, timeout=WAIT_MS) as queued:
        press(box.generate_button)
    assert plan_of(w.controller.journal.get(queued.args[0])).options["enhance"]["used"] == expanded
    assert not box.result.isVisible() and not box.actions.isVisible()
    assert "Queued" in box.status.text() and box.status.isVisible() and box.button.isEnabled()
    qtbot.wait(50)
    w.inspector.grab().save("/tmp/gapui-enhance-queued.png")
    w.selection.set_clips(["a"])  # another shot: nothing of the boat's shows
    assert not box.result.isVisible() and not box.status.isVisible()
    w.selection.set_clips(["boat"])  # and back: the queued expansion is not offered again
    assert not box.result.isVisible() and not box.actions.isVisible() and not box.status.isVisible()


def test_use_as_prompt_is_an_undoable_edit_and_no_enhancer_is_said_plainly(qtbot, window, text_model):
    w = window
    w.selection.set_clips(["boat"])
    box = w.inspector.enhance_box
    qtbot.waitUntil(lambda: w.inspector.page == "shot")
    with qtbot.waitSignal(box.finished, timeout=WAIT_MS):
        press(box.button)  # no model, no text model chosen
    assert "No prompt enhancer" in box.status.text() and not box.result.isVisible()
    w.settings.set_enhancer(str(text_model))
    w.settings.set_device("cpu")
    with qtbot.waitSignal(box.finished, timeout=WAIT_MS):
        press(box.button)
    expanded = box.result.toPlainText()
    press(box.use_button)
    assert w.document.project.find_clip("boat")[1].shot.prompt == expanded
    assert not box.result.isVisible()
    w.document.undo()
    assert w.document.project.find_clip("boat")[1].shot.prompt == "a paper boat drifts"


def test_draft_and_upscale_are_generate_menu_actions_and_the_plan_is_shown_before_queueing(
        qtbot, window, tiny_ltx_dir):
    from editor.generation import verbs

    w = window
    w.document.request(SetShotSettings(clip_id="boat", model=str(tiny_ltx_dir)))
    w.selection.set_clips(["boat"])
    titles = [a.text() for a in w.menus["Generate"].actions()]
    assert "&Draft Shot" in titles and "&Upscale Draft" in titles
    buttons = [b.defaultAction().text() for b in w.inspector.shot_page.findChildren(QToolButton)
               if b.defaultAction() is not None]
    assert "&Draft Shot" in buttons and "&Upscale Draft" in buttons  # beside Generate in the Inspector
    controller = w.controller
    qtbot.waitUntil(lambda: controller.action_state(verbs.DRAFT)[0], timeout=WAIT_MS)
    qtbot.wait(50)
    w.inspector.grab().save("/tmp/ltx2extras-draft.png")
    enabled, tip = controller.action_state(verbs.DRAFT)
    assert tip.startswith("Draft “Boat”: 72 frames, 1 keyframe at 320x176, 8 steps (with tiny-ltx-condition).")
    assert "GiB of GPU memory" in tip or "earlier job" in tip  # the plan's estimate
    enabled, why = controller.action_state(verbs.UPSCALE)
    assert not enabled and why.startswith("Upscale makes the final take from a draft")
    controller.pause_queue()  # queued, not run: the plan is what this test checks
    with qtbot.waitSignal(controller.job_queued, timeout=WAIT_MS) as queued:
        assert controller.queue(verbs.DRAFT)
    plan = plan_of(controller.journal.get(queued.args[0]))
    assert (plan.width, plan.height, plan.steps) == (320, 176, 8) and plan.options["draft"]["full_size"] == [640, 360]


def test_settings_hold_speed_memory_enhancer_and_upsampler_and_the_runner_uses_them(qtbot, tmp_path):
    from tiny_extras import in_hf_cache

    from editor.ui.jobs.controller import _runner_from
    from editor.ui.settings import Settings
    from editor.ui.settings_dialog import SettingsDialog
    from model.models import hf_cache_dir
    from model.speed import Speed

    snapshot = in_hf_cache(build_tiny_text_model(tmp_path / "built"), hf_cache_dir(), "tiny/llm-chat")
    settings = Settings()
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    extras = dialog.extras
    qtbot.waitUntil(lambda: extras.enhancer_combo.findData(str(snapshot)) >= 0)
    assert extras.enhancer_combo.itemText(extras.enhancer_combo.findData(str(snapshot))) == "llm-chat"
    extras.enhancer_combo.setCurrentIndex(extras.enhancer_combo.findData(str(snapshot)))
    extras.speed_combo.setCurrentIndex(extras.speed_combo.findData("taylorseer"))
    extras.compile_check.setChecked(True)
    extras.tiling_combo.setCurrentIndex(extras.tiling_combo.findData("on"))
    extras.quantize_combo.setCurrentIndex(extras.quantize_combo.findData("fp8"))
    extras.upsampler_edit.setText(str(tmp_path / "upscaler"))
    dialog.accept()
    again = Settings()
    assert (again.speed_cache(), again.compile_blocks(), again.vae_tiling(), again.quantize()) == (
        "taylorseer", True, "on", "fp8")
    assert again.enhancer() == str(snapshot) and again.upsampler() == str(tmp_path / "upscaler")
    runner = _runner_from(again)
    assert runner.speed == Speed(cache="taylorseer", compile=True) and runner.upsampler == str(tmp_path / "upscaler")
    assert runner.overrides["quantize"] == "fp8" and runner.overrides["vae_tiling"] is True


def test_a_keyframed_shot_is_enhanced_looking_at_its_first_keyframe(qtbot, window, tmp_path_factory):
    from tiny_extras import build_tiny_pipeline_enhancer

    w = window
    folder = build_tiny_pipeline_enhancer(tmp_path_factory.mktemp("ltx2") / "tiny-ltx2-enhancer")
    w.settings.set_device("cpu")
    w.document.request(SetShotSettings(clip_id="boat", model=str(folder)))
    w.selection.set_clips(["boat"])
    box = w.inspector.enhance_box
    qtbot.waitUntil(lambda: w.inspector.page == "shot")
    with qtbot.waitSignal(box.finished, timeout=WAIT_MS):
        press(box.button)
    assert "looking at paper_boat_keyframe.png" in box.status.text(), box.status.text()
    qtbot.wait(50)
    w.inspector.grab().save("/tmp/ltx2more-enhance-keyframe.png")
    record = box._results["boat"]
    assert record["enhancer"]["kind"] == "pipeline" and record["enhancer"]["image"] == "paper_boat_keyframe.png"
    assert record["enhancer"]["shared"] is False  # the job queue has nothing loaded


def test_an_expanded_prompt_is_not_offered_in_the_next_project_opened(qtbot, window, text_model, ui_document,
                                                                       tmp_path):
    # Found in a walk: after Import Timeline (same clip ids as the project it came from), the
    # old project's expanded prompt still showed under the shot, ready to "Generate with this prompt".
    import shutil

    w = window
    w.settings.set_enhancer(str(text_model))
    w.settings.set_device("cpu")
    w.selection.set_clips(["boat"])
    box = w.inspector.enhance_box
    qtbot.waitUntil(lambda: w.inspector.page == "shot")
    with qtbot.waitSignal(box.finished, timeout=WAIT_MS):
        press(box.button)
    assert box.result.isVisible()
    copy = tmp_path / "Copy.shotline"
    shutil.copytree(ui_document.folder, copy, ignore=shutil.ignore_patterns("*.lock", ".lock*"))
    assert w.open_project_path(copy)
    w.selection.set_clips(["boat"])
    qtbot.waitUntil(lambda: w.inspector.page == "shot")
    assert not box.result.isVisible() and not box.actions.isVisible()
