"""Quitting while a job's step is still running ends the process cleanly (a fresh process).

Found walking the editor: Generate, Ctrl+Q, "Quit, resume next time" while a long CPU step ran.
The worker stopped waiting after its timeout and kept its thread (thread_keeper), the window
went, and Python's exit destroyed the still-running QThread: "QThread: Destroyed while thread
'shotline-jobs' is still running", "Fatal Python error: Aborted". end_session now waits for the
step to stop before the interpreter ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# a window whose shutdown leaves a job step running past its owner's wait, as JobWorker.stop does
SCRIPT = """
import threading
from PySide6.QtCore import QObject, QThread, Slot
from PySide6.QtWidgets import QWidget
from editor.ui.app import _app, end_session
from editor.ui.thread_keeper import keep_until_finished

app = _app()
release = threading.Event()


class Step(QObject):
    @Slot()
    def run(self):
        release.wait(30)  # a model step that does not look at cancel until it ends


class Window(QWidget):
    def shutdown(self):
        self.thread = QThread(self)
        self.step = Step()
        self.step.moveToThread(self.thread)
        self.thread.started.connect(self.step.run)
        self.thread.start()
        self.thread.quit()
        self.thread.wait(50)  # the owner's wait runs out (30 s in JobWorker.stop)
        keep_until_finished(self.thread, self.step)
        threading.Timer(0.3, release.set).start()  # the step ends a little later


window = Window()
window.show()
end_session(app, window)
print("ended")
"""


def test_quit_while_a_job_step_still_runs_exits_cleanly() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ended" in done.stdout
    assert "Destroyed while thread" not in done.stderr
    assert "Fatal Python error" not in done.stderr
