"""Ending the editor leaves nothing of Qt's for the interpreter's exit to delete (fresh processes).

Whatever Qt object is alive when Python finalizes is deleted by PySide's exit hook in no
particular order, its Python wrapper already marked dead. With the Monitor's plots built and the
s/step axis pinned from zero, a pyqtgraph item deleted that way before its scene relayed a layout
event into Python code that could no longer run: "Fatal Python error: Segmentation fault" after
the work was done (most runs). Each run here is a fresh process, as a user's session is.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# open the demo, pick the Monitor tab, let a job's steps arrive, then end as ENDING says
SESSION = """
import gc
import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QWidget
from editor.ui.app import _app, end_session
app = _app()
from editor.ui.main_window import MainWindow
window = MainWindow(restore_layout=False, ask=False)
window.resize(1200, 800)
window.show()
window.open_demo()
window.settle()
window.docks["monitor"].raise_()  # the user picks the Monitor tab
app.processEvents()
for step, seconds in enumerate([0.8, 0.5, 0.6], start=1):
    window.controller.measured.emit(1, step, seconds, 300.0, -1.0)  # as the job worker reports steps
window.monitor_panel.flush()
low, high = window.monitor_panel.speed_plot.viewRange()[1]
print("s/step axis:", round(low, 2), round(high, 2))
ENDING
left = sorted(type(o).__name__ for o in gc.get_objects()
              if isinstance(o, (QWidget, QGraphicsItem, QGraphicsScene)) and shiboken6.isValid(o))
print("left for exit:", left, flush=True)
"""


def _run(ending: str, config: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SHOTLINE_CONFIG_DIR": str(config),
           "PYTHONFAULTHANDLER": "1"}
    return subprocess.run([sys.executable, "-c", SESSION.replace("ENDING", ending)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _assert_clean_exit(out: subprocess.CompletedProcess, run: int) -> list[str]:
    assert out.returncode == 0, f"run {run}: exit status {out.returncode}\n{out.stderr[-3000:]}"
    assert "Fatal Python error" not in out.stderr and "Traceback" not in out.stderr, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert "s/step axis: 0.0 0.92" in lines, out.stdout  # from zero to the slowest step, with room
    return lines


@pytest.mark.slow
def test_ending_the_session_deletes_the_window_while_python_is_whole_and_the_process_exits_cleanly(tmp_path):
    for run in range(1, 6):
        out = _run("end_session(app, window)  # how main.py's gui() and screenshot() end", tmp_path / f"c{run}")
        lines = _assert_clean_exit(out, run)
        assert "left for exit: []" in lines, out.stdout  # no widget or graphics item for the exit hook


@pytest.mark.slow
def test_a_window_only_shut_down_is_still_safe_at_interpreter_exit(tmp_path):
    # scripts and tests that stop the window's work and then just end: shutdown() takes the
    # Monitor's plots down itself, so what is left at exit has no plot items in it
    for run in range(1, 4):
        _assert_clean_exit(_run("window.shutdown()", tmp_path / f"c{run}"), run)


def test_the_monitor_takes_its_plots_down_on_shutdown_and_builds_none_after(qtbot):
    from editor.ui.jobs import MonitorPanel

    monitor = MonitorPanel(None)
    qtbot.addWidget(monitor)
    monitor.flush()
    assert monitor.plots is not None
    monitor.shutdown()
    assert monitor.plots is None and monitor.speed_plot is None
    assert not monitor._idle_timer.isActive()
    monitor.show()  # a panel shown again after its window shut down stays without plots
    qtbot.waitExposed(monitor)
    qtbot.wait(10)
    assert monitor.plots is None
    monitor.flush()  # a late redraw request draws nothing
    assert monitor.plots is None
    monitor.hide()
