"""The monitor panel: seconds per step and memory (process and GPU) of the running job, as plots.

Figures come from the worker (one sample per sampling step, measured in the worker thread), so
the panel only draws. Between jobs a slow timer keeps sampling memory, so the user sees the
memory go down when the queue is paused and the model unloaded.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDockWidget, QLabel, QVBoxLayout, QWidget

from editor.ui.jobs.controller import GenerationController
from editor.ui.jobs.worker import memory_now

if TYPE_CHECKING:
    import pyqtgraph as pg

IDLE_SAMPLE_MS = 1000
# pyqtgraph takes a third of a second to import: not before the window's first frame (the
# panel starts as a hidden tab), but on a pool thread this long after the panel is made, so
# that opening the tab later doesn't wait for it either. Long enough for start-up and the first
# project's opening to be over: the import shares the interpreter with the GUI thread.
PREWARM_MS = 10_000
MEMORY_HISTORY = 600  # samples kept on the memory plot
# Curves are redrawn at most this often: a tiny model makes dozens of steps a second, and a
# pyqtgraph repaint costs milliseconds of GUI time that the heartbeat of the window can't spare.
REDRAW_MS = 250


class MonitorPanel(QWidget):
    """Two stacked plots: s/step against step for the running job; memory against time.

    The window keeps one for its whole life and points it at each project's controller
    (`set_controller`): the plots cost tens of milliseconds to build, too much for opening a
    project. They are built when the panel is first shown.
    """

    def __init__(self, controller: GenerationController | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MonitorPanel")
        self._controller: GenerationController | None = None
        self._job: int | None = None
        self._steps: list[int] = []
        self._step_s: list[float] = []
        self._t0 = time.monotonic()
        self._times: list[float] = []
        self._rss: list[float] = []
        self._gpu: list[float] = []

        self.summary = QLabel("No job running.")
        self.summary.setObjectName("MonitorSummary")
        self.summary.setWordWrap(True)  # a long job title wraps instead of widening the dock mid-job

        self.plots: pg.GraphicsLayoutWidget | None = None
        self._title = ""
        self._gpu_in_legend = False
        self._follows_dock = False
        self._closed = False  # shutdown(): no plots are made again

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.addWidget(self.summary)
        self._layout.addStretch(1)

        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(REDRAW_MS)
        self._redraw.timeout.connect(self._draw)
        self._idle_timer = QTimer(self)
        self._idle_timer.setInterval(IDLE_SAMPLE_MS)
        self._idle_timer.timeout.connect(self._sample_idle)
        self._idle_timer.start()
        QTimer.singleShot(PREWARM_MS, self, self._prewarm)
        self.set_controller(controller)

    def set_controller(self, controller: GenerationController | None) -> None:
        """Follow this controller's jobs from now on (None: the project can't run jobs)."""
        old = self._controller
        if old is not None:
            for signal, slot in self._wiring(old):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass  # that controller is gone already
        self._controller = controller
        self._job = None
        shown = bool(self._steps)
        self._steps.clear()
        self._step_s.clear()
        self._title = ""
        if controller is not None:
            for signal, slot in self._wiring(controller):
                signal.connect(slot)
        self.summary.setText("No job running.")
        if shown:  # the last project's steps go; the memory curve goes on
            self._draw()

    def _wiring(self, controller: GenerationController) -> list:
        return [(controller.job_started, self._on_started), (controller.measured, self._on_measured),
                (controller.jobs_changed, self._on_jobs_changed)]

    def _prewarm(self) -> None:
        if "pyqtgraph" not in sys.modules:
            from editor.ui.background import run_in_background

            run_in_background(_import_pyqtgraph, owner=self)

    def _build_plots(self) -> None:
        if self.plots is not None or self._closed:
            return
        import pyqtgraph as pg

        from editor.ui.jobs.step_axis import StepAxis

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground(None)
        # whole steps only: a 1-step job read 0.6 .. 1.4 on pyqtgraph's own axis
        self.speed_plot = self.plots.addPlot(row=0, col=0, axisItems={"bottom": StepAxis("bottom")})
        self.speed_plot.setLabel("left", "s / step")
        self.speed_plot.getAxis("left").enableAutoSIPrefix(False)  # "0.4", not "400 (x0.001)"
        self.speed_plot.setLabel("bottom", "step")
        self.speed_plot.setLimits(yMin=0, xMin=0, minXRange=1)
        self.speed_plot.showGrid(x=True, y=True, alpha=0.2)
        # dots as well as the line, so that a job of one step shows its one figure
        self.speed_curve = self.speed_plot.plot([], [], pen=pg.mkPen("#6cb4ff", width=2), symbol="o",
                                                symbolSize=5, symbolPen=None, symbolBrush="#6cb4ff")
        self.memory_plot = self.plots.addPlot(row=1, col=0)
        self.memory_plot.setLabel("left", "memory (MiB)")  # no SI prefix: "kMiB" reads badly
        self.memory_plot.setLabel("bottom", "time (s)")
        self.memory_plot.showGrid(x=True, y=True, alpha=0.2)
        self.legend = self.memory_plot.addLegend(offset=(-5, -5))  # bottom right, below the curves
        self.rss_curve = self.memory_plot.plot([], [], pen=pg.mkPen("#f0b050", width=2), name="process")
        # named (and so listed in the legend) only once a GPU is really in use
        self.gpu_curve = self.memory_plot.plot([], [], pen=pg.mkPen("#70d070", width=2))
        self._layout.takeAt(self._layout.count() - 1)  # the stretch that held the place
        self._layout.addWidget(self.plots, 1)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        dock = self._dock()
        if dock is not None and not self._follows_dock:
            # a dock behind another tab stays "visible"; its visibilityChanged says when its tab is picked
            dock.visibilityChanged.connect(self._on_dock_visibility)
            self._follows_dock = True
        # The window shows the dock for a moment before it tabs it behind the inspector: the
        # plots are built once the panel is really on screen, not for that moment.
        QTimer.singleShot(0, self, self._show_plots)

    def _dock(self) -> QDockWidget | None:
        widget = self.parentWidget()
        while widget is not None and not isinstance(widget, QDockWidget):
            widget = widget.parentWidget()
        return widget

    def _on_dock_visibility(self, visible: bool) -> None:
        if visible:
            self._show_plots()

    def _on_screen(self) -> bool:
        if not self.isVisible():
            return False
        dock = self._dock()
        # Qt keeps the docks of unpicked tabs shown but moves them off the window (as its own
        # visibilityChanged test does)
        return dock is None or dock.isFloating() or (dock.geometry().right() >= 0 and dock.geometry().bottom() >= 0)

    def _show_plots(self) -> None:
        if self.plots is None and self._on_screen():
            self._build_plots()
            self._draw()

    # --- updates ------------------------------------------------------------------------------
    def _on_started(self, job_id: int) -> None:
        self._job = job_id
        self._steps.clear()
        self._step_s.clear()
        self._draw()
        self._title = self._controller.title_of(job_id)
        self.summary.setText(f"{self._title}: starting…")

    def _on_measured(self, job_id: int, step: int, seconds: float, rss: float, gpu: float) -> None:
        if job_id != self._job:
            self._on_started(job_id)
        self._steps.append(step)
        self._step_s.append(seconds)
        self._add_memory(rss, gpu)
        gpu_text = f", GPU {gpu:,.0f} MiB" if gpu >= 0 else ""
        self.summary.setText(
            f"{self._controller.title_of(job_id)}: step {step}, {seconds:.2f} s/step, "
            f"process {rss:,.0f} MiB{gpu_text}"
        )

    def _on_jobs_changed(self) -> None:
        if self._controller is not None and self._controller.running_job is None and self._job is not None:
            self.summary.setText(f"No job running (last: {self._controller.title_of(self._job)}).")
            self._job = None

    def _sample_idle(self) -> None:
        if self._controller is not None and self._controller.running_job is not None:
            return  # the worker samples each step while a job runs
        rss, gpu = memory_now()
        self._add_memory(rss, gpu)

    def _add_memory(self, rss: float, gpu: float) -> None:
        self._times.append(time.monotonic() - self._t0)
        self._rss.append(rss)
        self._gpu.append(gpu)
        if len(self._times) > MEMORY_HISTORY:
            del self._times[0], self._rss[0], self._gpu[0]
        if not self._redraw.isActive():
            self._redraw.start()

    def _draw(self) -> None:
        if self.plots is None:
            return  # not shown yet: the plots get the figures when they are made
        if self.speed_plot.titleLabel.text != self._title:
            self.speed_plot.setTitle(self._title, size="9pt")
        self.speed_curve.setData(self._steps, self._step_s)
        from editor.ui.jobs.step_axis import step_range  # loaded with the plots

        self.speed_plot.setXRange(*step_range(self._steps), padding=0.04)  # room for the last dot
        self.speed_plot.setYRange(0, max([*self._step_s, 0.01]) * 1.15, padding=0)  # from zero, as memory
        self.rss_curve.setData(self._times, self._rss)
        known = [(t, g) for t, g in zip(self._times, self._gpu, strict=True) if g >= 0]
        self.gpu_curve.setData([t for t, _ in known], [g for _, g in known])
        # from zero, so that a few MiB of noise doesn't look like a leak
        top = max([*self._rss, *(g for _, g in known), 1.0])
        self.memory_plot.setYRange(0, top * 1.15, padding=0)
        if known and not self._gpu_in_legend:
            self.legend.addItem(self.gpu_curve, "GPU")
            self._gpu_in_legend = True

    # --- for tests and the window --------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop sampling and take the plots down now (the window is closing).

        pyqtgraph's items are Python objects that Qt holds in the plot's scene. Left alive to
        interpreter exit, PySide's exit hook deletes them in no particular order, a parent item
        before its scene, and the layout events that deletion sends reach Python overrides that
        can no longer run: the process segfaulted after the user had quit. `close()` is
        pyqtgraph's own teardown: the scene deletes its items now, while Python is whole."""
        self._closed = True
        self._idle_timer.stop()
        self._redraw.stop()
        self.set_controller(None)
        plots, self.plots = self.plots, None
        if plots is not None:
            plots.close()
            self._layout.removeWidget(plots)
            plots.deleteLater()
            # the items' Python halves hold pyqtgraph's context menus (top-level QMenus of
            # Python's): let them go with the session, not at exit
            self.speed_plot = self.speed_curve = self.memory_plot = self.legend = None
            self.rss_curve = self.gpu_curve = None

    def flush(self) -> None:
        """Draw what has been measured now rather than at the next redraw tick."""
        self._redraw.stop()
        self._build_plots()
        self._draw()

    @property
    def step_seconds(self) -> list[float]:
        """Seconds of each step of the job shown, in order."""
        return list(self._step_s)


def _import_pyqtgraph() -> None:
    import pyqtgraph  # noqa: F401 - loaded ahead, on a pool thread
