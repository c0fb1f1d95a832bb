"""The jobs panel: every job with its state, progress, ETA and live preview; cancel, run again, reorder.

Rows are kept per job id and updated in place (a progress step repaints one bar, not the list).
The list is rebuilt only when the set or order of jobs changes. Jobs a crash interrupted are
listed first, under a line that offers to run them all again; finished takes the timeline is
missing (the editor stopped before the project was saved) get a line that offers to place them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from editor.ui.jobs.controller import GenerationController, LiveJob
from model.journal import Job, JobState

if TYPE_CHECKING:
    from editor.ui.timeline.thumbnails import ThumbnailProvider

THUMB = QSize(96, 54)
MAX_FINISHED_SHOWN = 50  # older finished jobs stay in the journal but not in the panel

_STATE_WORDS = {
    JobState.QUEUED: "Waiting",
    JobState.RUNNING: "Running",
    JobState.DONE: "Done",
    JobState.FAILED: "Failed",
    JobState.CANCELLED: "Cancelled",
    JobState.INTERRUPTED: "Interrupted",
    JobState.PAUSED: "Held",
}


def format_eta(seconds: float) -> str:
    """"1:05" / "12 s" style remaining time."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class JobRow(QFrame):
    """One job: thumbnail, title, state line, progress bar and its buttons."""

    def __init__(self, controller: GenerationController, job: Job, parent: QWidget | None = None,
                 *, thumbnails: ThumbnailProvider | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("JobRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._controller = controller
        self._thumbnails = thumbnails  # a finished job with no live preview shows its take's first frame
        self.job = job

        self.thumb = QLabel()
        self.thumb.setFixedSize(THUMB)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setStyleSheet("background: #202020; color: #777; border-radius: 3px;")
        self.thumb.setWordWrap(True)
        # wraps at spaces; a word too long for the row is clipped instead of widening the row
        # (which pushed its buttons out of sight): the tooltip tells the title whole. Not an
        # eliding label: its height for a width came from text elided for another width, and the
        # jobs list's scroll area then resized it without end (a stack overflow, seen in CI)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setStyleSheet("font-weight: bold;")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)

        self.up = self._tool("▲", "Run earlier", lambda: self._move(-1))
        self.down = self._tool("▼", "Run later", lambda: self._move(+1))
        self.retry = QPushButton("Run again")
        self.retry.setToolTip("Queue this job again; a new take is made, nothing is overwritten.")
        self.retry.clicked.connect(self._retry)
        self.cancel = self._tool("✕", "Cancel this job", lambda: self._controller.cancel(self.job.id))
        # a finished job never moves the user's selection by itself; this goes to its take on request
        self.show_take = self._tool("Show", "Select the take this job made in the timeline",
                                    lambda: self._controller.show_result(self.job.id))

        text = QVBoxLayout()
        text.setSpacing(2)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        for b in (self.up, self.down, self.show_take, self.retry, self.cancel):
            top.addWidget(b)
        text.addLayout(top)
        text.addWidget(self.state)
        text.addWidget(self.bar)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 4)
        outer.addWidget(self.thumb)
        outer.addLayout(text, 1)
        self.set_job(job)

    def _tool(self, text: str, tip: str, fn) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.setAutoRaise(True)
        b.clicked.connect(fn)
        return b

    def _retry(self) -> None:
        if self.job.state is JobState.QUEUED and getattr(self._controller, "held", ""):
            self._controller.resume_queue()  # held by a farm that could not be reached: try again
        else:
            self._controller.retry(self.job.id)

    def _move(self, delta: int) -> None:
        waiting = self._controller.waiting_ids()
        if self.job.id in waiting:
            index = waiting.index(self.job.id) + delta
            if 0 <= index < len(waiting):
                self._controller.move(self.job.id, index)

    def set_job(self, job: Job) -> None:
        self.job = job
        self.title.setText(job.title)
        self.title.setToolTip(f"Job {job.id}: {job.title}")
        waiting = job.state in (JobState.QUEUED, JobState.PAUSED)
        self.up.setVisible(waiting)
        self.down.setVisible(waiting)
        self.cancel.setVisible(waiting or job.state is JobState.RUNNING)
        held = job.state is JobState.QUEUED and bool(getattr(self._controller, "held", ""))
        self.retry.setVisible(held or job.state in (JobState.FAILED, JobState.CANCELLED, JobState.INTERRUPTED,
                                                    JobState.DONE))
        self.retry.setText("Make another take" if job.state is JobState.DONE else "Retry" if held else "Run again")
        self.show_take.setVisible(job.state is JobState.DONE)
        self.update_live(self._controller.live(job.id))

    def update_live(self, live: LiveJob | None) -> None:
        job = self.job
        words = _STATE_WORDS[job.state]
        fraction = job.fraction
        if job.state is JobState.RUNNING and live is not None:
            if live.stopping:
                words = "Stopping…"
            elif live.total:
                fraction = live.step / live.total
                eta = live.eta
                words = f"Step {live.step}/{live.total} · {live.per_step:.2f} s/step"
                if eta is not None:
                    words += f" · {format_eta(eta)} left"
            elif getattr(self._controller, "farm", None) is not None:
                words = "Waiting for the farm…"  # connecting, or its worker loading the model
            else:
                words = "Loading the model…"
        elif job.state is JobState.DONE:
            fraction = 1.0
            if isinstance(job.result, dict) and job.result.get("take"):
                words = f"Done · {job.result['take']}"
        elif job.state in (JobState.FAILED, JobState.INTERRUPTED) and job.message:
            words = f"{words}: {job.message}"
        elif job.state is JobState.QUEUED and getattr(self._controller, "held", ""):
            words = f"Waiting: {self._controller.held}"
        elif job.state is JobState.QUEUED and self._controller.paused:
            words = "Waiting (queue paused)"
        self.state.setText(words)
        self.state.setToolTip(words)
        self.bar.setValue(round(fraction * 1000))
        self.bar.setVisible(job.state in (JobState.RUNNING, JobState.QUEUED, JobState.PAUSED))
        image = live.preview if live is not None else None
        made = self._take_picture() if image is None or image.isNull() else None
        if image is not None and not image.isNull():
            self.thumb.setPixmap(
                QPixmap.fromImage(image).scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                                Qt.TransformationMode.SmoothTransformation)
            )
        elif made is not None:
            self.thumb.setPixmap(made.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                             Qt.TransformationMode.SmoothTransformation))
        elif self.thumb.pixmap() is None or self.thumb.pixmap().isNull():
            self.thumb.setText(job.kind.replace("_", " "))

    def _take_picture(self) -> QPixmap | None:
        """The finished take's first frame, when the row has no picture yet (a job with no live
        preview: a 2-step run, an interpolation, or any job after the project is opened again)."""
        job = self.job
        pm = self.thumb.pixmap()
        if (self._thumbnails is None or job.state is not JobState.DONE or not isinstance(job.result, dict)
                or not job.result.get("take") or (pm is not None and not pm.isNull())):
            return None
        return self._thumbnails.get(str(job.result["take"]), 0, THUMB.height())

    def preview_image(self) -> QImage | None:
        pm = self.thumb.pixmap()
        return None if pm is None or pm.isNull() else pm.toImage()


class JobsPanel(QWidget):
    """The job queue as rows, with pause/resume of the whole queue."""

    def __init__(self, controller: GenerationController, parent: QWidget | None = None,
                 *, thumbnails: ThumbnailProvider | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("JobsPanel")
        self._controller = controller
        self._thumbnails: ThumbnailProvider | None = None
        self._rows: dict[int, JobRow] = {}

        self.pause_button = QPushButton()
        self.pause_button.clicked.connect(self._toggle_pause)
        self.summary = QLabel()
        self.interrupted, self.interrupted_text, self.run_interrupted = _banner(
            "InterruptedBanner", "#4a3a10", "Run them again", self._controller.retry_interrupted)
        # finished takes the timeline is missing (the editor stopped before the project was saved)
        self.unplaced, self.unplaced_text, self.place_unplaced = _banner(
            "UnplacedBanner", "#173a2a", "Place them", self._controller.place_unplaced)
        self.place_unplaced.setToolTip("Put the finished takes into the timeline (one step; undo takes them out).")

        self._list = QWidget()
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.setContentsMargins(0, 0, 0, 0)
        self._list_layout.setSpacing(4)
        self._list_layout.addStretch(1)
        self.empty = QLabel("No jobs yet. Select a shot, a gap or a clip's end and choose what to make.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #888;")
        self._list_layout.insertWidget(0, self.empty)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._list)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.pause_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.unplaced)
        layout.addWidget(self.interrupted)
        self.farm_view = None  # which node runs what, when jobs run on a Ray cluster
        if getattr(controller, "farm", None) is not None:
            from editor.ui.jobs.farm_view import FarmView

            self.farm_view = FarmView(controller)
            layout.addWidget(self.farm_view)
        layout.addWidget(scroll, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

        controller.jobs_changed.connect(self.refresh)
        controller.job_live.connect(self._on_live)
        controller.unplaced_changed.connect(self._refresh_unplaced)
        self.set_thumbnails(thumbnails)
        self.refresh()

    def set_thumbnails(self, thumbnails: ThumbnailProvider | None) -> None:
        """Where finished jobs' pictures come from (the window's thumbnails; panels built with a
        project's parts get it when the window installs them)."""
        if thumbnails is None or thumbnails is self._thumbnails:
            return
        self._thumbnails = thumbnails
        for row in self._rows.values():
            row._thumbnails = thumbnails
        thumbnails.ready.connect(self._pictures_ready)
        self._pictures_ready()

    def _pictures_ready(self) -> None:
        """A finished take's frame came in: rows still without a picture take it."""
        for job_id, row in self._rows.items():
            if row.job.state is JobState.DONE:
                row.update_live(self._controller.live(job_id))

    # --- reading (tests, window) ---------------------------------------------------------------
    def row(self, job_id: int) -> JobRow | None:
        return self._rows.get(job_id)

    def shown_ids(self) -> list[int]:
        """Job ids in the order the rows are shown."""
        out = []
        for i in range(self._list_layout.count()):
            w = self._list_layout.itemAt(i).widget()
            if isinstance(w, JobRow):
                out.append(w.job.id)
        return out

    # --- updates --------------------------------------------------------------------------------
    def _toggle_pause(self) -> None:
        if self._controller.paused:
            self._controller.resume_queue()
        else:
            self._controller.pause_queue()

    def _on_live(self, job_id: int) -> None:
        row = self._rows.get(job_id)
        if row is not None:
            row.update_live(self._controller.live(job_id))

    def refresh(self) -> None:
        jobs = _display_order(self._controller.jobs())
        ids = [j.id for j in jobs]
        for job_id in list(self._rows):
            if job_id not in ids:
                row = self._rows.pop(job_id)
                self._list_layout.removeWidget(row)
                row.hide()  # it would still paint until the event loop deletes it
                row.deleteLater()
        if ids != self.shown_ids():
            for job in jobs:  # re-insert in display order (rows already there are moved, not rebuilt)
                row = self._rows.get(job.id) or JobRow(self._controller, job, self._list, thumbnails=self._thumbnails)
                self._rows[job.id] = row
                self._list_layout.removeWidget(row)
            for index, job in enumerate(jobs):
                self._list_layout.insertWidget(index, self._rows[job.id])
        for job in jobs:
            self._rows[job.id].set_job(job)
        self.empty.setVisible(not jobs)

        paused = self._controller.paused
        self.pause_button.setText("Resume queue" if paused else "Pause queue")
        self.pause_button.setToolTip(
            "Run waiting jobs again." if paused else
            "Stop the running job (it goes back to the front of the queue) and free the model's memory."
        )
        waiting = sum(j.state in (JobState.QUEUED, JobState.PAUSED) for j in jobs)
        running = sum(j.state is JobState.RUNNING for j in jobs)
        parts = []
        if running:
            parts.append("1 running")
        if waiting:
            parts.append(f"{waiting} waiting")
        if paused:
            parts.append("paused")
        self.summary.setText(", ".join(parts) if parts else "Queue empty")
        interrupted = [j for j in jobs if j.state is JobState.INTERRUPTED]
        self.interrupted.setVisible(bool(interrupted))
        if interrupted:
            n = len(interrupted)
            self.interrupted_text.setText(
                f"{n} job{'s were' if n > 1 else ' was'} interrupted when Shotline stopped. "
                "Nothing was lost; run {0} again to make {1}.".format("them" if n > 1 else "it",
                                                                      "them" if n > 1 else "it")
            )
            self.run_interrupted.setText("Run them again" if n > 1 else "Run it again")
        self._refresh_unplaced()

    def _refresh_unplaced(self) -> None:
        n = len(self._controller.unplaced_results())
        self.unplaced.setVisible(n > 0)
        if n:
            self.unplaced_text.setText(
                f"{n} finished result{'s are' if n > 1 else ' is'} not in the timeline "
                "(the project was closed, or Shotline stopped, before it was saved with them).")
            self.place_unplaced.setText("Place them" if n > 1 else "Place it")


def _banner(name: str, background: str, button_text: str, on_click) -> tuple[QFrame, QLabel, QPushButton]:
    """A coloured strip above the jobs: a line of text and the button that acts on it."""
    frame = QFrame()
    frame.setObjectName(name)
    frame.setStyleSheet(f"#{name} {{ background: {background}; border-radius: 4px; }}")
    text = QLabel()
    text.setWordWrap(True)
    button = QPushButton(button_text)
    button.clicked.connect(on_click)
    row = QHBoxLayout(frame)
    row.addWidget(text, 1)
    row.addWidget(button)
    return frame, text, button


def _display_order(jobs: list[Job]) -> list[Job]:
    """Interrupted first (they need a decision), then running, waiting in queue order, then the rest."""
    interrupted = [j for j in jobs if j.state is JobState.INTERRUPTED]
    running = [j for j in jobs if j.state is JobState.RUNNING]
    waiting = [j for j in jobs if j.state in (JobState.QUEUED, JobState.PAUSED)]
    finished = sorted(
        (j for j in jobs if j.state in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)),
        key=lambda j: (j.finished_at or j.updated, j.id),
        reverse=True,
    )[:MAX_FINISHED_SHOWN]
    return interrupted + running + waiting + finished
