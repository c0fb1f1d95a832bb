"""The editor on a render farm: jobs go to a real local Ray, the Farm view says where, quitting
leaves the job running there and reopening collects its result; without Ray, a hint."""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import pytest

from editor.generation import verbs
from editor.ui.jobs import GenerationController, JobsPanel
from editor.ui.selection import GapRef, Selection
from model.journal import JobState

WAIT_MS = 60_000
LOST_WAIT_MS = 30_000  # a killed worker's job is sent elsewhere well within this (about 1 s)
ROOT = Path(__file__).resolve().parents[1]
_names = itertools.count()


@pytest.fixture
def farm_runner(local_ray):
    """A FarmRunner factory: stand-in workers (steps sleep) in a namespace of this test."""
    from model.farm.client import FarmRunner

    namespace = f"ui{os.getpid()}-{next(_names)}"
    made = []

    def make():
        runner = FarmRunner("auto", namespace=namespace, stand_in_step_s=0.1, max_workers=2, lanes=2)
        made.append(runner)
        return runner

    yield make
    made[0].farm.stop_workers()


def _infill_running(qtbot, ctl, steps: int = 2) -> str:
    """Queue an infill of the gap at v1 frame 24 and return its job id once it has run `steps` steps
    (the start every mid-job farm test shares)."""
    ctl.selection.set_gap(GapRef("v1", 24, 10))
    with qtbot.waitSignal(ctl.job_started, timeout=WAIT_MS) as started:
        assert ctl.queue(verbs.INFILL)
    job_id = started.args[0]
    if steps:
        qtbot.waitUntil(lambda: (ctl.live(job_id) is not None and ctl.live(job_id).step >= steps),
                        timeout=WAIT_MS)
    return job_id


def _jobs_panel(qtbot, ctl) -> JobsPanel:
    """The Jobs panel (with its Farm view) on `ctl`, shown."""
    panel = JobsPanel(ctl)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def _layout(doc):
    return [c.length for c in doc.project.track("v1").clips]


def test_quitting_mid_job_leaves_it_on_the_farm_and_reopening_places_its_take(qtbot, gap_document, farm_runner):
    import ray

    from model.farm import ledger

    doc = gap_document
    runner = farm_runner()
    ctl = GenerationController(doc, Selection(), runner=runner)
    try:
        panel = _jobs_panel(qtbot, ctl)
        job_id = _infill_running(qtbot, ctl)
        # the Farm view says which node and worker run it
        qtbot.waitUntil(lambda: "Infill" in panel.farm_view.where_text() and "gpu-" in panel.farm_view.where_text(),
                        timeout=WAIT_MS)
        assert "1 node, 2 GPUs" in panel.farm_view.where_text()
        panel.resize(460, 420)
        panel.farm_view.ask()
        qtbot.waitUntil(lambda: "running “Infill" in panel.farm_view.where_text(), timeout=WAIT_MS)
        panel.grab().save("/tmp/farm13-jobs-panel.png")
        sent = ledger.dispatches(doc.folder / "jobs.sqlite")[job_id]
        assert sent.attempt == 1 and sent.worker.startswith("gpu-")
    finally:
        ctl.shutdown()  # the editor quits mid-job
    # the job waits in the project's queue; on the farm it goes on
    from model.journal import Journal

    with Journal(doc.folder / "jobs.sqlite") as journal:
        assert journal.get(job_id).state is JobState.QUEUED
    worker = ray.get_actor(sent.worker, namespace=runner.farm.namespace)
    assert ray.get(worker.poll.remote(sent.remote_id))["state"] in ("running", "done")
    assert _layout(doc) == [24, 24]

    # the project opens again: the job's result is collected from the farm and placed
    ctl = GenerationController(doc, Selection(), runner=farm_runner())
    try:
        with qtbot.waitSignal(ctl.job_ended, timeout=WAIT_MS) as ended:
            pass
        assert ended.args == [job_id, "done"]
        assert _layout(doc) == [24, 10, 24]
        again = ledger.dispatches(doc.folder / "jobs.sqlite")[job_id]
        assert again.remote_id == sent.remote_id and again.attempt == 1  # collected, not made again
    finally:
        ctl.shutdown()


def test_after_a_crash_mid_job_reopening_collects_the_result_from_the_farm(qtbot, gap_document, farm_runner):
    import subprocess

    from model.farm import ledger

    doc = gap_document
    ctl = GenerationController(doc, Selection(), runner=farm_runner())
    try:
        job_id = _infill_running(qtbot, ctl)
    finally:
        ctl.shutdown()
    sent = ledger.dispatches(doc.folder / "jobs.sqlite")[job_id]
    # the editor's process dies while the job runs: another process claims it and dies at once
    code = ("import sys, os\n"
            f"sys.path.insert(0, {str(ROOT)!r})\n"
            "from model.journal import Journal\n"
            f"Journal({str(doc.folder / 'jobs.sqlite')!r}).claim_next()\n"
            "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", code], check=True)

    ctl = GenerationController(doc, Selection(), runner=farm_runner())
    try:
        with qtbot.waitSignal(ctl.message, timeout=WAIT_MS, check_params_cb=lambda t: "on the farm" in t):
            pass
        qtbot.waitUntil(lambda: _layout(doc) == [24, 10, 24], timeout=WAIT_MS)
        again = ledger.dispatches(doc.folder / "jobs.sqlite")[job_id]
        assert again.remote_id == sent.remote_id and again.attempt == 1
        assert ctl.journal.get(job_id).state is JobState.DONE
    finally:
        ctl.shutdown()


def test_variations_fan_out_across_the_farms_workers(qtbot, gap_document, farm_runner):
    from model.farm import ledger

    doc = gap_document
    ctl = GenerationController(doc, Selection(), runner=farm_runner())
    try:
        for frame in (24, 24):  # the same gap twice: two jobs, two lanes
            ctl.selection.set_gap(GapRef("v1", frame, 10))
            ctl.queue(verbs.INFILL)
        qtbot.waitUntil(lambda: len([j for j in ctl.jobs() if j.state is JobState.RUNNING]) == 2, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: len(ledger.dispatches(doc.folder / "jobs.sqlite")) == 2, timeout=WAIT_MS)
        workers = {d.worker for d in ledger.dispatches(doc.folder / "jobs.sqlite").values()}
        assert workers == {"gpu-0", "gpu-1"}
    finally:
        ctl.shutdown()


def test_a_farm_chosen_without_ray_runs_here_and_says_how_to_add_it(qtbot, gap_document, monkeypatch):
    from editor.ui.settings import Settings

    monkeypatch.setitem(sys.modules, "ray", None)  # as on a machine without the farm extra
    settings = Settings()
    settings.set_farm_address("ray://render-head:10001")
    ctl = GenerationController(gap_document, Selection(), settings=settings)
    try:
        with qtbot.waitSignal(ctl.message, timeout=WAIT_MS, check_params_cb=lambda t: "[farm]" in t) as said:
            pass
        assert 'pip install -e ".[farm]"' in said.args[0] and ctl.farm is None
        ctl.selection.set_gap(GapRef("v1", 24, 10))
        with qtbot.waitSignal(ctl.job_ended, timeout=WAIT_MS) as ended:
            assert ctl.queue(verbs.INFILL)
        assert ended.args[1] == "done"  # made on this computer, as before
    finally:
        ctl.shutdown()


def test_settings_choose_where_jobs_run_and_refuse_a_bad_address(qtbot):
    from editor.ui.settings import Settings
    from editor.ui.settings_dialog import SettingsDialog
    from editor.ui.where_jobs_run import CLUSTER

    settings = Settings()
    assert settings.farm_address() == ""  # this computer, by default
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    where = dialog.where_jobs_run
    assert where.where.currentText() == "This computer" and not where.address.isEnabled()
    where.where.setCurrentIndex(where.where.findData(CLUSTER))
    where.address.setText("render-head")  # no port
    dialog.accept()
    assert dialog.result() == 0 and "is not a Ray address" in where.hint.text()
    assert settings.farm_address() == ""  # nothing saved
    where.address.setText("ray://render-head:10001")
    where.lanes.setValue(6)
    from PySide6.QtWidgets import QTabWidget

    dialog.findChild(QTabWidget).setCurrentIndex(1)  # Device, where the choice is
    dialog.grab().save("/tmp/farm13-settings.png")
    dialog.accept()
    assert settings.farm_address() == "ray://render-head:10001" and settings.farm_lanes() == 6


def test_a_project_chooses_where_its_jobs_run_as_one_undoable_edit(qtbot, gap_document):
    from editor.ui.jobs.where import where_jobs_run
    from editor.ui.project_settings_dialog import ProjectSettingsDialog
    from editor.ui.settings import Settings
    from editor.ui.where_jobs_run import CLUSTER

    doc, settings = gap_document, Settings()
    dialog = ProjectSettingsDialog(doc.project, [])
    qtbot.addWidget(dialog)
    where = dialog.where_jobs_run
    assert where.where.currentText() == "As in Settings" and dialog.edit() is None
    where.where.setCurrentIndex(where.where.findData(CLUSTER))
    where.address.setText("ray://")
    dialog.accept()
    assert dialog.result() == 0 and "is not a Ray address" in where.hint.text()
    where.address.setText("auto")
    dialog.accept()
    doc.request(dialog.edit())
    assert doc.project.metadata["where_jobs_run"] == "auto" and where_jobs_run(settings, doc.project) == "auto"
    ctl = GenerationController(doc, Selection(), settings=settings)
    try:
        assert ctl.farm is not None and ctl.farm.address == "auto"  # connects when the first job runs
    finally:
        ctl.shutdown()
    doc.undo()
    assert "where_jobs_run" not in doc.project.metadata and where_jobs_run(settings, doc.project) == ""


def test_opening_another_project_mid_job_lets_every_lane_go(qtbot, gap_document, farm_runner):
    from model.journal import Journal

    doc = gap_document
    ctl = GenerationController(doc, Selection(), runner=farm_runner())
    job_id = _infill_running(qtbot, ctl, steps=0)
    with qtbot.waitSignal(ctl.destroyed, timeout=WAIT_MS):
        ctl.shutdown(wait=False)  # returns at once; the lanes stop, then the controller goes
    with Journal(doc.folder / "jobs.sqlite") as journal:
        assert journal.get(job_id).state is JobState.QUEUED  # collected when the project opens again


def test_a_worker_killed_under_an_editor_job_is_retried_and_the_farm_view_says_so(qtbot, gap_document, farm_runner):
    import signal

    import ray

    from model.farm import ledger

    doc = gap_document
    runner = farm_runner()
    ctl = GenerationController(doc, Selection(), runner=runner)
    try:
        panel = _jobs_panel(qtbot, ctl)
        job_id = _infill_running(qtbot, ctl)
        first = ledger.dispatches(doc.folder / "jobs.sqlite")[job_id]
        worker = ray.get_actor(first.worker, namespace=runner.farm.namespace)
        os.kill(ray.get(worker.pid.remote()), signal.SIGKILL)
        # the loss is noticed from Ray's record of the actor within a second or two, not after the
        # client's CALL_TIMEOUT_S (60 s) for a worker that stops answering: this bound is half of
        # that, so a retry that waited for the timeout fails here (no load reaches it otherwise)
        from model.farm.client import CALL_TIMEOUT_S

        assert LOST_WAIT_MS < CALL_TIMEOUT_S * 1000
        qtbot.waitUntil(lambda: ledger.dispatches(doc.folder / "jobs.sqlite")[job_id].attempt == 2,
                        timeout=LOST_WAIT_MS)
        panel.farm_view.ask()
        qtbot.waitUntil(lambda: "try 2 of 3: the worker before stopped" in panel.farm_view.where_text(),
                        timeout=WAIT_MS)  # the lost worker is said to have stopped
        qtbot.waitUntil(lambda: _layout(doc) == [24, 10, 24], timeout=WAIT_MS)  # the take is placed
        assert ctl.journal.get(job_id).state is JobState.DONE
        assert ledger.dispatches(doc.folder / "jobs.sqlite")[job_id].worker != first.worker
    finally:
        ctl.shutdown()
