"""Quitting with several job lanes asks every lane to stop before waiting for any (found in a walk
under X: with "Send to the cluster: 4 jobs at once" and a cluster that couldn't be reached, Quit froze
the window for one 30 s wait per lane)."""

from __future__ import annotations

import time

from editor.document.plans import InfillGap, make_plan
from editor.generation import submit
from editor.ui.jobs.lanes import WorkerLanes
from model.journal import Journal
from model.runner import Cancelled


def test_every_lane_is_asked_to_stop_before_any_is_waited_for(qtbot, gap_document):
    journal = Journal(gap_document.folder / "jobs.sqlite")
    for _ in range(2):
        submit(journal, make_plan(gap_document.project, InfillGap(track_id="v1", frame=24)))
    started: list[int] = []
    lanes: WorkerLanes

    def execute(_journal, job, hooks):
        # each job ends only once *every* lane was asked to stop: waiting on one lane before
        # asking the next can't finish
        started.append(job.id)
        end = time.monotonic() + 20
        while time.monotonic() < end and not all(w.paused for w in lanes.lanes):
            time.sleep(0.01)
        raise Cancelled()

    lanes = WorkerLanes(journal, execute, lanes=2)
    lanes.start()
    lanes.wake()
    qtbot.waitUntil(lambda: len(started) == 2, timeout=20_000)
    assert lanes.stop(timeout_ms=5_000)
    journal.close()
