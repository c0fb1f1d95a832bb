"""Soak: open, switch and close projects fifty times while a job and playback run.

What it guards: a switch or a close at any moment of a job's life (queued on the journal
thread, running in the worker, its result on the way back) and of playback (the preview's decode
thread) must raise nothing (pytest-qt fails the test on an exception in a Qt callback), leave
no thread running and no window open. Real windows, real projects on disk, the real journal and
worker, the built-in interpolation (no model) for the jobs.
"""

from __future__ import annotations

import gc
import os
import random
import threading
from fractions import Fraction

import pytest
import shiboken6
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from editor.document.project import Clip, Project, ShotSettings, Take, Track
from editor.document.storage import save_project
from editor.ui.main_window import MainWindow
from editor.ui.selection import GapRef
from model.journal import JobState, Journal

ROUNDS = 50
WINDOW_EVERY = 10  # a new window (and the old one closed) every this many rounds
WAIT_MS = 60_000


def native_threads() -> list[str]:
    """The process's threads by name (every OS thread on Linux, Python's view elsewhere)."""
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:  # not Linux: Python's view of the threads is all there is
        return [t.name for t in threading.enumerate()]
    names = []
    for task in tasks:
        try:
            with open(f"/proc/self/task/{task}/comm") as f:
                names.append(f.read().strip())
        except OSError:
            pass  # it ended meanwhile
    return sorted(names)


def running_qthreads() -> list[QThread]:
    return [t for t in gc.get_objects()
            if isinstance(t, QThread) and shiboken6.isValid(t) and t.isRunning()
            and t is not QApplication.instance().thread()]


def ours(thread: threading.Thread) -> bool:
    """A thread of a project or a window (the shared background pool lives as long as the process)."""
    return thread.name.startswith("shotline") and not thread.name.startswith("shotline-background")


@pytest.fixture
def projects(gap_document, tmp_path):
    """Two saved projects with a gap each (their own track ids), sharing the gap_document media."""
    save_project(gap_document.project, gap_document.folder)
    other = tmp_path / "Other.shotline"
    (other / "media").mkdir(parents=True)
    for name in ("a.mkv", "b.mkv"):
        (other / "media" / name).write_bytes((gap_document.folder / "media" / name).read_bytes())
    save_project(Project(name="Other", fps=Fraction(24), width=64, height=64, tracks=[
        Track(id="t2", name="V1", clips=[
            Clip(id="x", start=0, length=24, name="X", takes=[Take(id="tx", media="media/a.mkv", frames=24)],
                 shot=ShotSettings(prompt="red")),
            Clip(id="y", start=34, length=24, name="Y", takes=[Take(id="ty", media="media/b.mkv", frames=24)],
                 shot=ShotSettings(prompt="blue")),
        ])]), other)
    return [(gap_document.folder, "v1"), (other, "t2")]


def new_window() -> MainWindow:
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1000, 700)
    w.ask_save_changes = lambda: "discard"  # jobs left running wait in their queue (ask=False)
    w.show()
    return w


def busy(qtbot, w: MainWindow, track_id: str, rng: random.Random) -> None:
    """Start an infill of the project's gap (when it is still there) and playback, then let the
    event loop run for a moment, so the next switch lands at some point of their lives."""
    gaps = w.document.project.gaps(track_id)
    if gaps:
        w.selection.set_gap(GapRef(track_id, gaps[0].start, gaps[0].length))
        if w.actions["gen.infill"].isEnabled():
            w.actions["gen.infill"].trigger()
    w.playhead.play()
    qtbot.wait(rng.choice((0, 5, 20, 60, 150)))
    assert w.playhead.playing  # still playing when the next switch comes


def settle(qtbot) -> list[str]:
    """Once every window is closed: wait for the threads of projects and windows to end (those
    shut down without waiting end on their own, a moment later); the OS threads left, by name."""
    qtbot.waitUntil(lambda: not running_qthreads(), timeout=WAIT_MS)
    leftover = lambda: [t.name for t in threading.enumerate() if ours(t)]  # noqa: E731
    try:
        qtbot.waitUntil(lambda: not leftover(), timeout=WAIT_MS)
    except Exception:
        pytest.fail(f"threads left running: {leftover()}")
    gc.collect()  # a closed project's objects waiting for the collector may still hold decoder threads
    # Qt's pooled threads end after an idle expiry; the pools are bounded, so they are left out
    return [name for name in native_threads() if name != "Thread (pooled)"]


@pytest.mark.slow
def test_open_switch_and_close_fifty_times_with_a_job_and_playback_running(qtbot, projects):
    rng = random.Random(7)
    counts = []  # OS threads after each window closed
    w = new_window()
    for round_ in range(ROUNDS):
        if round_ and round_ % WINDOW_EVERY == 0:
            w.close()  # quitting mid-job: the job waits in its project's queue
            assert not w.isVisible()
            w.deleteLater()
            counts.append(settle(qtbot))
            w = new_window()
        folder, track_id = projects[round_ % 2]
        if round_ % 7 == 3:
            w.new_project()  # a project with no folder (and so no jobs) in between
            assert w.controller is None and w.document.folder is None
        if round_ % 5 == 4 and w.session.recent_projects():
            w._fill_recent_menu()  # File ▸ Open Recent, as the user picks it
            next(a for a in w.recent_menu.actions() if a.toolTip() == str(folder)).trigger()
            qtbot.waitUntil(lambda w=w: not w.opening, timeout=20000)  # read off the GUI thread, then shown
        else:
            assert w.open_project_path(folder), w.statusBar().currentMessage()
        assert w.document.folder == folder and w.timeline.document is w.document
        assert w.controller is not None and w.controller.document is w.document
        busy(qtbot, w, track_id, rng)
    w.close()
    w.deleteLater()
    counts.append(settle(qtbot))
    # Libraries keep process-wide pools of their own (OpenCV's, BLAS', codecs'; on Linux named
    # after the thread that first used them), started lazily by some job or decode: a few such
    # threads may appear after the first window. A thread left per project or per window would
    # add dozens over these rounds.
    first = counts[0]
    try:
        qtbot.waitUntil(lambda: len(settle(qtbot)) <= len(first) + 2, timeout=WAIT_MS)
    except Exception:
        pytest.fail(f"threads grew from {first} to {settle(qtbot)}")
    assert not [x for x in QApplication.topLevelWidgets() if isinstance(x, MainWindow) and x.isVisible()]
    # the jobs really ran: none was lost (each is done, or waits for next time), and those left
    # waiting run when their project opens again (a loaded machine may let none finish within
    # the rounds: a switch puts the running job back at the front of its queue)
    def states_of(folder) -> list[JobState]:
        with Journal(folder / "jobs.sqlite") as journal:
            return [job.state for job in journal.jobs()]

    folder = projects[0][0]
    if JobState.DONE not in states_of(folder):
        w = new_window()
        assert w.open_project_path(folder)
        qtbot.waitUntil(lambda: JobState.DONE in states_of(folder), timeout=WAIT_MS)
        w.close()
        w.deleteLater()
        settle(qtbot)
    states = []
    for folder, _track in projects:
        with Journal(folder / "jobs.sqlite") as journal:
            states += [job.state for job in journal.jobs()]
    assert JobState.DONE in states
    assert set(states) <= {JobState.DONE, JobState.QUEUED}, states
