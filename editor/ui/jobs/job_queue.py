"""The project's job queue as the GUI thread sees it: journal I/O on its own thread, never waited on.

Opening the journal (which also recovers jobs a dead process left running), every read and
write, and closing it go through a one-thread "journal" executor: fsync'd SQLite transactions
that a busy disk can hold up for a good part of a second never run on the GUI thread. Answers
come back through `post` (the shared relay of `editor.ui.background`), from the event loop.
`jobs()` is the job list as last read; `refresh()` reads it again, at most one read at a time.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from editor.document.subfolders import inside_project
from editor.generation import GenerationError
from editor.ui.threads.priority import lower_this_thread
from model.journal import Job, JobState, Journal, JournalError

JOURNAL_NAME = "jobs.sqlite"


class JobQueue:
    """One project's journal behind its own thread (GUI thread only, except where it says).

    `opened(journal)` follows the open, `open_failed(error)` when it can't be opened (generation
    is then off for the project), `jobs_read(jobs)` every read of the job list, `error(text)` a failed write or read that nobody else handles.
    Nothing is called back once `owner` is deleted or `closed`.
    """

    def __init__(self, folder: Path, journal: Journal | None, *, owner: QObject,
                 opened: Callable[[Journal], None], open_failed: Callable[[Exception], None],
                 jobs_read: Callable[[list[Job]], None], error: Callable[[str], None]) -> None:
        # a background import: editor.ui.background imports this package (gc_guard)
        from editor.ui.background import gui_caller

        self.folder = folder
        self.owns_journal = journal is None
        self.closed = False
        self.interrupted: list[Job] = []  # jobs a dead process left running, found by the open
        self._journal = journal
        self._opened, self._open_failed, self._jobs_read, self._error = opened, open_failed, jobs_read, error
        self._io = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="shotline-journal",
                                                         initializer=lower_this_thread)
        self._post = gui_caller(owner)
        self._jobs: list[Job] = []
        self._titles: dict[int, str] = {}
        self._refreshing = False
        self._refresh_again = False
        self.opening: concurrent.futures.Future = concurrent.futures.Future()

    def open(self) -> None:
        """Open the journal on its thread (a journal given at construction: at once)."""
        if self._journal is not None:
            self.opening.set_result(self._journal)
            self._on_opened(self._journal)
            return
        # Opening creates or checks the file and recovers jobs a dead process left running
        # (fsync'd writes): on the journal thread, ahead of every other journal call.
        path = self.folder / JOURNAL_NAME
        self.opening = self.run(lambda: _open_journal(path), self._on_opened, failed=self._open_failed)

    def _on_opened(self, journal: Journal) -> None:
        self._journal = journal
        self.interrupted = list(journal.interrupted_on_open)
        self.refresh()
        self._opened(journal)

    @property
    def journal(self) -> Journal:
        """The journal; while it is still opening this waits for it (tests and scripts only).
        Raises JournalError when it could not be opened."""
        if self._journal is not None:
            return self._journal
        return self.opening.result()

    # --- what was last read -----------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        """Every job of the project, in queue order (as last read)."""
        return list(self._jobs)

    def find(self, job_id: int) -> Job | None:
        return next((j for j in self._jobs if j.id == job_id), None)

    def title_of(self, job_id: int) -> str:
        return self._titles.get(job_id, f"Job {job_id}")

    def waiting_ids(self) -> list[int]:
        """Ids of waiting jobs in the order they will run."""
        return [j.id for j in self._jobs if j.state in (JobState.QUEUED, JobState.PAUSED)]

    # --- the journal thread -------------------------------------------------------------------
    def run(self, work: Callable[[], Any], then: Callable[[Any], None], *,
            failed: Callable[[Exception], None] | None = None) -> concurrent.futures.Future | None:
        """Run `work()` on the journal thread; `then(result)` (or `failed(error)`, else the error
        as `error(text)` and the job list read again) follows on the GUI thread."""
        if self.closed:
            return None
        future = self._io.submit(work)

        def done(f: concurrent.futures.Future) -> None:  # journal thread
            # through the shared relay, not a signal of the owner's: the GUI thread may be
            # deleting it (closed) while the journal thread finishes its last writes
            self._post(lambda: self._answer(f, then, failed))

        future.add_done_callback(done)
        return future

    def _answer(self, future: concurrent.futures.Future, then: Callable[[Any], None],
                failed: Callable[[Exception], None] | None) -> None:
        if self.closed:
            return
        try:
            result = future.result()
        except (JournalError, GenerationError) as exc:
            if failed is not None:
                failed(exc)
                return
            self._error(str(exc))
            if then == self._set_jobs:
                self._refreshing = False
            else:
                self.refresh()
            return
        then(result)

    def refresh(self) -> None:
        """Read the job list again on the journal thread; `jobs_read` follows."""
        if self.closed:
            return
        if self._refreshing:
            self._refresh_again = True  # one more read after the one in flight, not one per call
            return
        self._refreshing = True
        self.run(lambda: self.journal.jobs(), self._set_jobs)

    def _set_jobs(self, jobs: list[Job]) -> None:
        self._refreshing = False
        if self._refresh_again:
            self._refresh_again = False
            self.refresh()
        self._jobs = jobs
        self._titles = {j.id: j.title for j in jobs}
        self._jobs_read(jobs)

    # --- closing --------------------------------------------------------------------------------
    def close(self) -> None:
        """Quitting: the journal writes still queued reach the disk, then the journal is closed."""
        self.closed = True
        self._io.shutdown(wait=True, cancel_futures=False)
        self._close_journal()

    def close_later(self) -> None:
        """Another project opens: close the journal behind the writes still queued, on its thread."""
        self.closed = True
        self._io.submit(self._close_journal)
        self._io.shutdown(wait=False, cancel_futures=False)

    def release(self) -> None:
        """The owner was deleted without closing: let go of the thread and the journal (any thread)."""
        try:
            self._io.submit(self._close_journal)  # behind the writes still queued
        except RuntimeError:
            pass  # shut down already: close() or close_later() closed it
        self._io.shutdown(wait=False)

    def _close_journal(self) -> None:
        opening = self.opening
        if self.owns_journal and opening.done() and opening.exception() is None:
            opening.result().close()


def _open_journal(path: Path) -> Journal:
    """Open (or create) the journal at `path`; any failure is a JournalError that says what to do."""
    if not inside_project(path.parent, path):  # SQLite would write through a link out of the project
        raise JournalError(f"{path.name} in {path.parent} is a link to a file outside the project; Shotline "
                           "does not write there. Remove the link (the project's jobs start afresh).")
    try:
        return Journal(path)
    except JournalError:
        raise
    except Exception as exc:  # an unreadable folder, a full disk: generation is off, the project opens
        raise JournalError(f"The job list {path} can't be opened ({exc}); check that the project folder "
                           "can be written, then open the project again.") from exc
