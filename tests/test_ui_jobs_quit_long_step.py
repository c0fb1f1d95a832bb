""""Quit, resume next time" while a model step outlasts the worker's wait still resumes the job.

Found walking the editor: Generate at 1280x720 on a CPU, Ctrl+Q, "Quit, resume next time". The
step ran past JobWorker.stop()'s wait, the journal closed with the job still 'running', and the
next open called it "interrupted by a crash" instead of running it again. stop() now puts the
running job back at the front of the queue while the journal is open, and the step ending later
doesn't cancel it.
"""

from __future__ import annotations

import threading

from editor.ui import thread_keeper
from editor.ui.jobs.worker import JobWorker
from model.journal import JobState, Journal


def test_a_step_outlasting_the_quit_leaves_the_job_queued_for_next_time(qtbot, tmp_path) -> None:
    journal = Journal(tmp_path / "jobs.sqlite")
    job = journal.add("generate", "Generate “Shot 1”", {"x": 1})
    release, started = threading.Event(), threading.Event()

    def execute(_journal, _job, _hooks):  # a model step that looks at cancel only when it ends
        started.set()
        release.wait(30)

    worker = JobWorker(journal, execute)
    worker.start()
    worker.wake()
    qtbot.waitUntil(started.is_set)
    assert not worker.stop(timeout_ms=20)  # the window's wait runs out, the step goes on
    assert journal.get(job.id).state is JobState.QUEUED  # before the journal closes
    release.set()
    qtbot.waitUntil(lambda: thread_keeper.kept() == 0)  # the step ended, its thread went
    assert journal.get(job.id).state is JobState.QUEUED  # the step's end did not cancel it
    journal.close()
    reopened = Journal(tmp_path / "jobs.sqlite")
    assert reopened.interrupted_on_open == []
    assert reopened.next_queued().id == job.id  # it runs first on the next open
    reopened.close()
