"""One writer per project, in the window: the lock is held while a project is open, a project
another live process holds opens read-only under a banner, a stale lock is broken only when the
user says so, and a project.json changed on disk is not silently overwritten.

The other holder is a real second Python process taking the lock through editor.document.lock;
a stale lock is one whose process was killed with SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from shiboken6 import isValid

from editor.document.edits import RenameClip
from editor.document.lock import read_lock
from editor.ui.main_window import MainWindow
from editor.ui.selection import GapRef

ROOT = Path(__file__).resolve().parents[1]
HOLD = (
    "import sys\n"
    f"sys.path.insert(0, {str(ROOT)!r})\n"
    "from editor.document.lock import ProjectLock\n"
    "lock = ProjectLock.acquire(sys.argv[1], app='test holder')\n"
    "print('held', flush=True)\n"
    "sys.stdin.read()  # until the test closes our stdin\n"
)


@pytest.fixture
def holder():
    """holder(folder) -> a running process holding `folder`'s lock (ended after the test)."""
    procs = []

    def hold(folder: Path) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout.readline().strip() == "held"
        return proc

    yield hold
    for proc in procs:
        if proc.poll() is None:
            proc.stdin.close()
            proc.wait(timeout=30)


@pytest.fixture
def make_window(qtbot):
    windows = []

    def make(folder=None, *, break_lock=None):
        w = MainWindow(restore_layout=False, ask=False)
        w.resize(1200, 800)
        w.show()
        windows.append(w)
        if break_lock is not None:
            w.session.ask_break_lock = break_lock
        if folder is not None:
            assert w.open_project_path(folder)
        return w

    yield make
    for w in windows:
        if isValid(w) and w.isVisible():  # a closed window is deleted (WA_DeleteOnClose)
            w.ask_save_changes = lambda: "discard"
            w.close()


def test_a_project_another_process_holds_opens_read_only(qtbot, gap_document, holder, make_window, tmp_path):
    from editor.document.storage import save_project

    folder = gap_document.folder
    save_project(gap_document.project, folder)
    proc = holder(folder)
    before = (folder / "project.json").read_bytes()
    w = make_window(folder)
    banner = w.read_only_label.text()
    assert w.read_only_bar.isVisible()
    assert banner.startswith(f"Opened read-only: held by the test holder (pid {proc.pid} on ")
    assert "Changes can't be saved here." in banner and "Save As" in banner
    # saving and autosaving refuse, and say why
    w.document.request(RenameClip(clip_id="a", name="Mine"))
    assert not w.save_project()
    assert w.statusBar().currentMessage().startswith("Opened read-only: held by the test holder")
    assert w.session.autosave_now() is None
    assert (folder / "project.json").read_bytes() == before
    assert not any((folder / "autosave").glob("*")) if (folder / "autosave").exists() else True
    # no jobs run in it (they write takes and the job list into the folder)
    assert w.controller is None and not (folder / "jobs.sqlite").exists()
    w.selection.set_gap(GapRef("v1", 24, 10))
    infill = w.actions["gen.infill"]
    assert not infill.isEnabled() and "Opened read-only" in infill.statusTip()
    # the other process's lock is untouched, also after this window has gone
    w.ask_save_changes = lambda: "discard"
    w.close()
    assert read_lock(folder).pid == proc.pid
    # Save As keeps the changes in a project of one's own, which can run jobs
    w2 = make_window(folder)
    w2.document.request(RenameClip(clip_id="a", name="Mine"))
    assert w2.save_to(tmp_path / "Mine.shotline")
    assert not w2.read_only_bar.isVisible() and w2.controller is not None
    assert read_lock(tmp_path / "Mine.shotline").pid == os.getpid() and read_lock(folder).pid == proc.pid


def test_the_lock_is_held_while_open_and_released_on_switch_and_close(qtbot, gap_document, ui_document,
                                                                        make_window):
    from editor.document.storage import save_project

    save_project(gap_document.project, gap_document.folder)
    w = make_window(ui_document.folder)
    assert read_lock(ui_document.folder).pid == os.getpid()
    assert w.open_project_path(gap_document.folder)
    assert read_lock(gap_document.folder).pid == os.getpid()
    # the project left lets go of its lock off the GUI thread (the switch doesn't wait for the disk)
    qtbot.waitUntil(lambda: read_lock(ui_document.folder) is None)
    w.close()
    assert read_lock(gap_document.folder) is None


def test_switching_away_and_straight_back_keeps_the_project_locked(qtbot, gap_document, ui_document,
                                                                   make_window):
    """The release of the project left runs on a pool thread; opening it again meanwhile must
    not lose the lock to that release, whichever of the two runs first."""
    from editor.document.storage import save_project

    save_project(gap_document.project, gap_document.folder)
    w = make_window(ui_document.folder)
    for _ in range(3):
        assert w.open_project_path(gap_document.folder)
        releases = [w.session.releasing]  # the first project's lock, let go of
        assert w.open_project_path(ui_document.folder)  # ...and taken again, maybe before that ran
        releases.append(w.session.releasing)
        qtbot.waitUntil(lambda releases=releases: all(r.done() for r in releases))
        assert read_lock(gap_document.folder) is None
        assert read_lock(ui_document.folder).pid == os.getpid()
    w.close()
    assert read_lock(ui_document.folder) is None


def test_a_stale_lock_is_broken_only_when_the_user_says_so(qtbot, ui_document, holder, make_window):
    folder = ui_document.folder
    proc = holder(folder)
    os.kill(proc.pid, signal.SIGKILL)  # a crash: its lock file stays behind
    proc.wait(timeout=30)
    assert read_lock(folder).pid == proc.pid and read_lock(folder).stale
    quiet = make_window(folder)  # no dialogs: read-only, the lock left as it is
    assert quiet.read_only_bar.isVisible() and read_lock(folder).pid == proc.pid
    quiet.close()
    asked = []
    w = make_window(folder, break_lock=lambda holder: asked.append(holder.pid) or True)
    assert asked == [proc.pid]
    assert not w.read_only_bar.isVisible() and w.controller is not None
    assert read_lock(folder).pid == os.getpid()
    w.close()
    assert read_lock(folder) is None


REWRITE = (
    "import sys\n"
    f"sys.path.insert(0, {str(ROOT)!r})\n"
    "from editor.document.storage import load_project, save_project\n"
    "p = load_project(sys.argv[1]); p.name = 'Theirs'; save_project(p, sys.argv[1])\n"
)


@pytest.mark.parametrize("answer", ["cancel", "overwrite", "save_as"])
def test_a_project_changed_on_disk_is_not_overwritten_without_asking(qtbot, ui_document, make_window, tmp_path,
                                                                      answer):
    folder = ui_document.folder
    w = make_window(folder)
    subprocess.run([sys.executable, "-c", REWRITE, str(folder)], check=True)
    w.document.request(RenameClip(clip_id="a", name="Mine"))
    asked = []
    w.ask_changed_on_disk = lambda text: asked.append(text) or answer
    w.save_project_as = lambda: w.save_to(tmp_path / "Mine.shotline")
    saved = w.save_project()
    assert len(asked) == 1 and "changed by another program" in asked[0]
    on_disk = json.loads((folder / "project.json").read_text())
    if answer == "cancel":
        assert not saved and on_disk["name"] == "Theirs" and w.session.dirty
    elif answer == "overwrite":
        assert saved and on_disk["name"] == "Film" and not w.session.dirty
        clip = next(c for t in on_disk["tracks"] for c in t["clips"] if c["id"] == "a")
        assert clip["name"] == "Mine"
    else:
        assert saved and on_disk["name"] == "Theirs" and w.session.folder == tmp_path / "Mine.shotline"
    # and a later save of one's own changes does not ask again
    w.document.request(RenameClip(clip_id="a", name="Mine again"))
    if answer != "cancel":
        assert w.save_project() and len(asked) == 1
