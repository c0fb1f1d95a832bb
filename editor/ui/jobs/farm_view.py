"""The Farm view of the Jobs panel: the cluster's workers (node, GPU, model loaded, what each runs)
and where this project's jobs went (node, worker, which try).

Shown only when the project's jobs run on a Ray cluster. Asking the cluster (Ray calls that may
take a second, or many while it first connects) happens on a thread of its own, never on the GUI
thread; the answer comes back through the shared relay of `editor.ui.background`. It asks again
every REFRESH_MS while it is visible.
"""

from __future__ import annotations

import threading
from html import escape
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from model.farm.describe import describe_status, describe_try, short_worker
from model.journal import JobState

REFRESH_MS = 2000


class FarmView(QFrame):
    """See the module docstring; `controller` is a GenerationController whose `farm` is set."""

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from editor.ui.background import gui_caller

        self.setObjectName("FarmView")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._controller = controller
        self._post = gui_caller(self)
        self._asking = False
        self.title = QLabel(f"<b>Farm</b>: Ray cluster at {escape(controller.farm.address)} — connecting…")
        self.title.setWordWrap(True)  # "Can't reach the Ray cluster at …" is a long line
        self.workers = QLabel()
        self.workers.setWordWrap(True)
        self.jobs = QLabel()
        self.jobs.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.workers)
        layout.addWidget(self.jobs)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.ask)
        self._timer.start()
        controller.job_started.connect(self.ask)
        QTimer.singleShot(0, self, self.ask)

    def ask(self) -> None:
        """Ask the cluster and the journal's ledger again (off the GUI thread)."""
        if self._asking or not self.isVisible() and self.workers.text():
            return
        self._asking = True
        farm = self._controller.farm
        journal_path = self._controller.folder / "jobs.sqlite"

        def work() -> None:  # its own thread: connecting may take seconds
            from model.farm import ledger

            try:
                answer: Any = (farm.farm.status(patient=False), ledger.dispatches(journal_path),
                               farm.farm.max_attempts)
            except Exception as exc:  # FarmError, Ray's own: shown, and asked again later
                answer = exc
            self._post(lambda: self._show(answer))

        threading.Thread(target=work, name="shotline-farm-status", daemon=True).start()

    def _show(self, answer: Any) -> None:
        self._asking = False
        if isinstance(answer, Exception):
            self.title.setText(f"<b>Farm</b>: {escape(str(answer), quote=False)}")
            return
        status, dispatches, max_attempts = answer
        self.title.setText(f"<b>Farm</b>: {escape(describe_status(status).splitlines()[0])}")
        self.workers.setText("<br>".join(escape(short_worker(w)) for w in status["workers"]))
        shown = []
        for job in self._controller.jobs():
            sent = dispatches.get(job.id)
            if sent is None or job.state not in (JobState.RUNNING, JobState.QUEUED, JobState.FAILED):
                continue
            where = describe_try(sent.worker, sent.node, sent.attempt, max_attempts)
            shown.append(f"“{escape(job.title)}” {escape(where)}")
        self.jobs.setText("<br>".join(shown))
        self.jobs.setVisible(bool(shown))

    def where_text(self) -> str:
        """What the view shows now, as plain text (tests)."""
        return "\n".join(w.text() for w in (self.title, self.workers, self.jobs))
