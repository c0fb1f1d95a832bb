"""A logout, `kill`, a shutdown (SIGTERM), Ctrl+C in the terminal (SIGINT) or the terminal closed
(SIGHUP) ends the editor the way "Quit, resume next time" does: no dialog, the unsaved edit kept
as the recovery autosave (project.json untouched), the lock released, and the conventional exit
status (128 + the signal). Each run is a real `main.py`-style process (editor.ui.app.run("gui")).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from editor.document.autosave import find_recovery

ROOT = Path(__file__).resolve().parents[1]

# the user's editor as main.py starts it; once the project is open, an edit that is not saved
# (one edit: no autosave yet, the default is every 20 edits or a minute), then "READY"
DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from editor.document.edits import SetProjectSettings
from editor.ui import app as ui_app

qt = ui_app._app()
project = sys.argv[1]

def edit_once_open():
    windows = [w for w in QApplication.topLevelWidgets() if w.objectName() == "main_window"]
    window = windows[0] if windows else None
    if window is None or window.document.folder is None or window.document.folder.name != project.rsplit("/", 1)[-1]:
        QTimer.singleShot(20, edit_once_open)
        return
    window.document.request(SetProjectSettings(name="Edited, not saved"))
    print("READY", window.session.dirty, flush=True)

QTimer.singleShot(0, edit_once_open)
sys.exit(ui_app.run("gui", [project]))
"""


def _new_project(tmp_path: Path, env: dict) -> Path:
    project = tmp_path / "Trip.shotline"
    subprocess.run([sys.executable, "main.py", "new", str(project)], cwd=ROOT, env=env, check=True,
                   capture_output=True, text=True, timeout=120)
    return project


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP],
                         ids=["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_quit_signal_keeps_the_unsaved_edit_releases_the_lock_and_exits_conventionally(tmp_path, signum):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SHOTLINE_CONFIG_DIR": str(tmp_path / "cfg"),
           "PYTHONFAULTHANDLER": "1"}
    project = _new_project(tmp_path, env)
    saved = (project / "project.json").read_bytes()
    editor = subprocess.Popen([sys.executable, "-c", DRIVER, str(project)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = editor.stdout.readline()
        assert ready.split() == ["READY", "True"], (ready, editor.stderr.read() if editor.poll() is not None else "")
        assert (project / ".lock").exists()  # the open project is locked while the editor runs
        editor.send_signal(signum)
        _out, err = editor.communicate(timeout=120)
    finally:
        if editor.poll() is None:
            editor.kill()
            editor.communicate()
    assert editor.returncode == 128 + signum, err[-3000:]
    assert "Traceback" not in err and "Fatal Python error" not in err, err[-3000:]
    assert f"ended by {signal.Signals(signum).name}" in err and "unsaved changes are kept" in err, err
    assert not (project / ".lock").exists()  # reopening doesn't ask to break a stale lock
    assert (project / "project.json").read_bytes() == saved  # not saved over without the user's say
    recovery = find_recovery(project)  # what opening the project offers to recover
    assert recovery is not None
    assert json.loads(recovery.read_text())["name"] == "Edited, not saved"


def test_a_signal_during_the_close_question_with_a_job_running_keeps_the_job_queued_and_the_edit(
        qtbot, gap_document, tiny_ltx_dir):
    # the user chose Quit, the "A job is running" question is open, and the session is logged out:
    # the question goes away, the job waits at the front of the queue, the edit is kept as recovery
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from shiboken6 import isValid

    from editor.document.edits import SetShotSettings
    from editor.document.storage import save_project
    from editor.ui.main_window import MainWindow
    from editor.ui.signal_quit import end_window_for_signal
    from model.journal import JobState
    from tests.test_ui_quit import journal_job, start_infill

    save_project(gap_document.project, gap_document.folder)
    folder = gap_document.folder
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1000, 700)
    w.show()
    assert w.open_project_path(folder)
    job_id = start_infill(qtbot, w, tiny_ltx_dir, steps=400)
    w.document.request(SetShotSettings(clip_id="b", prompt="typed, not saved"))
    saved = (folder / "project.json").read_bytes()
    w._ask = True  # the real question, as a user gets it
    kept = []

    def logout():
        kept.append((type(QApplication.activeModalWidget()).__name__, end_window_for_signal(w)))

    QTimer.singleShot(0, logout)
    w.close()  # blocks in the question until the signal's ending dismisses it
    assert kept == [("QMessageBox", True)]
    job = journal_job(folder, job_id)
    assert job.state is JobState.QUEUED  # "Quit, resume next time"
    assert not (folder / ".lock").exists()
    assert (folder / "project.json").read_bytes() == saved
    assert "typed, not saved" in find_recovery(folder).read_text()  # offered when opened again
    if isValid(w):  # as main.py's end_session does after the loop has returned
        from editor.ui.app import end_session

        end_session(QApplication.instance(), w)
