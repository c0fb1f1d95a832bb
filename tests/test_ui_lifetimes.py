"""Object lifetimes across threads: nothing a background thread does may reach a Qt object the GUI
thread has deleted or is deleting, and quitting prints nothing. Real windows, projects, threads."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo" / "Demo.shotline"
WAIT_MS = 30_000


def test_garbage_is_collected_on_the_gui_thread_only(qtbot):
    """A collection started by a thumbnail load on a pool thread would destroy GUI-side Qt
    objects (a widget or timer in a reference cycle) on that thread: Qt can't stop their timers
    there and the event loop later fires one of a freed object (a crash in processEvents)."""
    from editor.ui.timeline.thumbnails import ThumbnailProvider

    collected_on: list[str] = []

    def spy(phase: str, info: dict) -> None:
        if phase == "start":
            collected_on.append(threading.current_thread().name)

    def allocating_loader(media: str, frame: int, height: int) -> np.ndarray:
        junk = [[i] for i in range(3000)]  # gc-tracked allocations: past gen0's threshold
        del junk
        return np.zeros((height, height, 3), np.uint8)

    provider = ThumbnailProvider(allocating_loader, threads=2)
    gc.callbacks.append(spy)
    try:
        for frame in range(30):
            provider.get("clip.mp4", frame, 8)
        qtbot.waitUntil(lambda: provider.pending == 0, timeout=WAIT_MS)
        kept = [[i] for i in range(3000)]  # and the GUI thread collects as usual
        qtbot.waitUntil(lambda: bool(collected_on), timeout=WAIT_MS)
        del kept
    finally:
        gc.callbacks.remove(spy)
        provider.shutdown()
        provider.deleteLater()
    main = threading.main_thread().name
    assert set(collected_on) == {main}, collected_on


_CYCLES_SCRIPT = """
import time
import numpy as np
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication
from editor.ui.timeline.thumbnails import ThumbnailProvider

app = QApplication([])

class InACycle(QObject):  # a panel's helper in a reference cycle: only the collector frees it
    def __init__(self):
        super().__init__()
        self.me = self
        self.timer = QTimer(self)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self):
        pass

def loader(media, frame, height):
    junk = [[i] for i in range(3000)]  # a real decode allocates as much
    return np.zeros((8, 8, 3), np.uint8)

provider = ThumbnailProvider(loader)
for round_ in range(30):
    for _ in range(20):
        InACycle()
    for f in range(20):
        provider.get("clip.mp4", round_ * 100 + f, 8)
    end = time.monotonic() + 0.05
    while time.monotonic() < end:
        app.processEvents()
    provider.wait()
provider.shutdown()
print("ok")
"""


def test_garbage_freed_while_thumbnails_load_never_crashes_the_event_loop(tmp_path):
    """The crash the suite hit: a collection started on a thumbnail thread freed GUI objects
    there ("Timers cannot be stopped from another thread"), then processEvents segfaulted."""
    import os

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONFAULTHANDLER": "1", "PYTHONPATH": str(ROOT),
           "SHOTLINE_CONFIG_DIR": str(tmp_path / "cfg")}
    out = subprocess.run([sys.executable, "-c", _CYCLES_SCRIPT], cwd=ROOT, capture_output=True, text=True,
                         env=env, timeout=180)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-3000:]
    assert "Timers cannot be stopped" not in out.stderr and "Fatal Python error" not in out.stderr, out.stderr


_QUIT_SCRIPT = """
import shutil, sys, tempfile
from pathlib import Path
from PySide6.QtCore import QTimer
from editor.ui.app import _app
from editor.ui.main_window import MainWindow

app = _app()
folder = Path(tempfile.mkdtemp())
a = shutil.copytree(sys.argv[1], folder / "A.shotline")
b = shutil.copytree(sys.argv[1], folder / "B.shotline")
window = MainWindow(restore_layout=False, ask=False)
window.show()
assert window.open_project_path(a)

def another():
    window.playhead.toggle_play()  # its decode thread is busy when the preview is replaced
    assert window.open_project_path(b)
    assert window.open_project_path(a)
    QTimer.singleShot(300, window.close)  # then the user quits, as the window's X does

QTimer.singleShot(200, another)
sys.exit(app.exec())
"""


def test_quitting_after_opening_projects_prints_nothing(tmp_path):
    """Each opened project used to leave the application a link to its preview's decode thread:
    at quit it reached the deleted thread ("Internal C++ object (QThread) already deleted")."""
    import os

    env = {**os.environ, "SHOTLINE_CONFIG_DIR": str(tmp_path / "cfg"), "QT_QPA_PLATFORM": "offscreen",
           "PYTHONFAULTHANDLER": "1", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _QUIT_SCRIPT, str(DEMO)], cwd=ROOT, capture_output=True,
                         text=True, env=env, timeout=180)
    assert out.returncode == 0, out.stderr
    for bad in ("Traceback", "already deleted", "QThread: Destroyed", "Fatal Python error", "Timers cannot"):
        assert bad not in out.stderr, out.stderr


@pytest.fixture
def two_projects(tmp_path):
    a = shutil.copytree(DEMO, tmp_path / "A.shotline", ignore=shutil.ignore_patterns("cache", "autosave", "jobs*"))
    b = shutil.copytree(DEMO, tmp_path / "B.shotline", ignore=shutil.ignore_patterns("cache", "autosave", "jobs*"))
    return a, b


def test_windows_opened_switched_and_closed_leave_no_thread_or_window_behind(qtbot, two_projects):
    """Windows opened one after another, each switching projects while its preview decodes and
    playback runs, then closed: every window and its threads go, and the event loop keeps
    turning (a freed object reached by a queued signal or timer would crash it)."""
    from PySide6.QtCore import QThread
    from PySide6.QtWidgets import QApplication

    from editor.ui.main_window import MainWindow

    a, b = two_projects
    before = {t.ident for t in threading.enumerate()}
    destroyed: list[int] = []
    for i in range(6):
        w = MainWindow(restore_layout=False, ask=False)
        w.resize(900, 600)
        w.show()
        assert w.open_project_path(a)
        w.playhead.toggle_play()
        qtbot.wait(i * 7)
        assert w.open_project_path(b)  # the old preview's thread is mid-frame, its controller closing
        qtbot.wait(i * 5)
        w.ask_save_changes = lambda: "discard"
        w.destroyed.connect(lambda *_, i=i: destroyed.append(i))
        assert w.close()
        del w
        QApplication.processEvents()
    qtbot.waitUntil(lambda: len(destroyed) == 6, timeout=WAIT_MS)  # closed windows are deleted
    qtbot.waitUntil(lambda: not [t for t in threading.enumerate()
                                 if t.ident not in before and t.name.startswith("shotline-journal")],
                    timeout=WAIT_MS)
    assert QThread.currentThread() is not None
    QApplication.processEvents()


def test_a_thread_still_stopping_outlives_the_object_that_owned_it(qtbot):
    """A job step or an export that hasn't stopped when its owner stops waiting (the window
    closes): deleting its running QThread with the owner would abort the process."""
    from PySide6.QtCore import QObject, QThread

    from editor.ui.thread_keeper import keep_until_finished, kept

    release = threading.Event()

    class Stopping(QThread):
        def run(self) -> None:
            release.wait(WAIT_MS / 1000)

    owner = QObject()
    thread = Stopping(owner)
    thread.start()
    assert not thread.wait(10)  # the owner stopped waiting
    keep_until_finished(thread)
    with qtbot.waitSignal(owner.destroyed, timeout=WAIT_MS):
        owner.deleteLater()
    assert thread.isRunning()
    release.set()
    qtbot.waitUntil(lambda: kept() == 0, timeout=WAIT_MS)
