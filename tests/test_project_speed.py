"""Project Settings ▸ Speed: a project's own step cache and compile, an undoable edit that goes with
every job the project queues (the runner prefers it to Settings ▸ Device ▸ Speed)."""

from __future__ import annotations

from editor.generation import plan_of, verbs
from editor.ui.jobs import GenerationController
from editor.ui.selection import GapRef, Selection

WAIT_MS = 60_000


def queued_plan(qtbot, ctl):
    with qtbot.waitSignal(ctl.job_queued, timeout=WAIT_MS) as queued:
        assert ctl.queue(verbs.INFILL)
    return plan_of(ctl.journal.get(queued.args[0]))


def test_a_project_speed_goes_with_its_jobs_and_undo_falls_back_to_settings(qtbot, gap_document):
    from editor.ui.project_settings_dialog import ProjectSettingsDialog
    from editor.ui.settings import Settings

    doc = gap_document
    dialog = ProjectSettingsDialog(doc.project, [])
    qtbot.addWidget(dialog)
    speed = dialog.speed
    assert speed.cache.currentText() == "As in Settings" and not speed.compile.isEnabled() and dialog.edit() is None
    speed.cache.setCurrentIndex(speed.cache.findData("taylorseer"))
    assert speed.compile.isEnabled()
    speed.compile.setChecked(True)
    dialog.grab().save("/tmp/ltx2more-project-speed.png")
    doc.request(dialog.edit())
    assert doc.project.metadata["speed"] == {"cache": "taylorseer", "compile": True}
    again = ProjectSettingsDialog(doc.project, [])  # shows what the project has
    qtbot.addWidget(again)
    assert again.speed.cache.currentData() == "taylorseer" and again.speed.compile.isChecked()
    assert again.edit() is None

    ctl = GenerationController(doc, Selection(), settings=Settings())
    try:
        ctl.pause_queue()  # queued, not run: the plan is what is checked
        ctl.selection.set_gap(GapRef("v1", 24, 10))
        assert queued_plan(qtbot, ctl).options["speed"] == {"cache": "taylorseer", "compile": True}
        doc.undo()
        assert "speed" not in doc.project.metadata
        assert "speed" not in queued_plan(qtbot, ctl).options  # the runner's default (Settings) applies
    finally:
        ctl.shutdown()
