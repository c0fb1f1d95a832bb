"""File > Open and Open Recent don't freeze the window: the project is read off the GUI thread.

Real windows (offscreen), real project folders and locks, the real background pool. What runs
where is observed by wrapping the real `read_project` (it still does all its work).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from editor.document.lock import read_lock
from editor.ui import project_opener
from editor.ui.main_window import MainWindow

WAIT_MS = 30_000


@pytest.fixture
def window(qtbot):
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1000, 700)
    w.show()
    yield w
    w.ask_save_changes = lambda: "discard"
    w.close()


@pytest.fixture
def two_projects(gap_document, tmp_path) -> tuple[Path, Path]:
    from editor.document.storage import save_project

    save_project(gap_document.project, gap_document.folder)
    second = tmp_path / "Second.shotline"
    shutil.copytree(gap_document.folder, second)
    return gap_document.folder, second


def test_opening_from_the_menu_reads_the_project_off_the_gui_thread_then_shows_it_whole(
        qtbot, window, two_projects, monkeypatch):
    folder, _ = two_projects
    threads = []
    real = project_opener.read_project

    def spying(path):
        threads.append(threading.current_thread())
        return real(path)

    monkeypatch.setattr(project_opener, "read_project", spying)
    before = window.document
    window.request_open(folder)
    # nothing changed yet: the call returned before the project was read
    assert window.document is before and window.opening
    qtbot.waitUntil(lambda: not window.opening, timeout=WAIT_MS)
    assert threads and threads[0] is not threading.main_thread()
    assert window.document.folder == folder
    # every panel follows the project now
    for panel in (window.timeline, window.storyboard, window.inspector, window.history, window.media_bin,
                  window.cast_panel):
        assert panel.document is window.document, type(panel).__name__
    assert read_lock(folder).pid == __import__("os").getpid()
    # the storyboard is a tab behind the timeline: it is built when the user shows it
    assert window.storyboard.visibleRegion().isEmpty() and window.storyboard.behind
    window.docks["storyboard"].raise_()
    qtbot.waitUntil(lambda: window.storyboard.card_ids() == ["a", "b"], timeout=WAIT_MS)
    assert not window.storyboard.behind


def test_the_latest_open_wins_and_the_one_before_lets_go_of_its_project(qtbot, window, two_projects):
    first, second = two_projects
    window.request_open(first)
    window.request_open(second)  # before the first was read: the user changed their mind
    qtbot.waitUntil(lambda: not window.opening, timeout=WAIT_MS)
    assert window.document.folder == second
    qtbot.waitUntil(lambda: read_lock(first) is None, timeout=WAIT_MS)  # nobody holds the first one


def test_a_folder_that_is_no_project_is_refused_from_the_menu_and_the_open_project_stays(
        qtbot, window, two_projects, tmp_path):
    folder, _ = two_projects
    assert window.open_project_path(folder)
    before = window.document
    (tmp_path / "plain").mkdir()
    window.request_open(tmp_path / "plain")
    qtbot.waitUntil(lambda: not window.opening, timeout=WAIT_MS)
    assert window.document is before
    assert "is not a Shotline project" in window.statusBar().currentMessage()


def test_closing_the_window_while_a_project_is_being_read_opens_nothing_and_holds_no_lock(
        qtbot, two_projects):
    folder, _ = two_projects
    w = MainWindow(restore_layout=False, ask=False)
    w.show()
    w.request_open(folder)
    w.ask_save_changes = lambda: "discard"
    w.close()
    qtbot.waitUntil(lambda: read_lock(folder) is None, timeout=WAIT_MS)
    assert w.document.folder != folder


def test_a_burst_of_thumbnail_requests_loads_every_picture_with_one_loader_per_pool_thread(qtbot):
    """A project's first paint asks for dozens of pictures: each is loaded, by at most as many
    loaders as the pool has threads (each start hands the GIL to a new thread)."""
    import numpy as np

    from editor.ui.timeline.thumbnails import ThumbnailProvider

    seen_threads = set()
    asked = threading.Event()  # the loaders wait for the whole burst to be asked (as while a paint runs)

    def loader(media: str, frame: int, height: int) -> np.ndarray:
        seen_threads.add(threading.get_ident())
        asked.wait(10)
        return np.full((height, height, 3), frame % 256, dtype=np.uint8)

    provider = ThumbnailProvider(loader, threads=2)
    starts = []
    real_start = provider._pool.start
    provider._pool.start = lambda runnable: (starts.append(runnable), real_start(runnable))[1]
    try:
        assert all(provider.get("clip.mkv", frame, 8) is None for frame in range(40))
        asked.set()
        qtbot.waitUntil(lambda: provider.pending == 0, timeout=WAIT_MS)
        assert all(provider.cached("clip.mkv", frame, 8) is not None for frame in range(40))
        assert len(starts) <= 2 and len(seen_threads) <= 2
        # later requests start a loader again
        assert provider.get("clip.mkv", 99, 8) is None
        qtbot.waitUntil(lambda: provider.cached("clip.mkv", 99, 8) is not None, timeout=WAIT_MS)
    finally:
        provider.shutdown()
        provider.deleteLater()


def test_an_open_asked_for_after_a_menu_open_wins_over_it(qtbot, window, two_projects):
    first, second = two_projects
    window.request_open(first)  # File > Open ...
    assert window.open_project_path(second)  # ... then, before it was read, a script opens another
    qtbot.waitUntil(lambda: not window.opening, timeout=WAIT_MS)
    qtbot.wait(50)  # the first one's answer has come back by now (and was dropped)
    assert window.document.folder == second
    qtbot.waitUntil(lambda: read_lock(first) is None, timeout=WAIT_MS)


def test_a_menu_open_offers_the_autosave_on_the_gui_thread_and_recovers_it(qtbot, window, two_projects,
                                                                             make_session):
    from editor.document.edits import RenameClip

    folder, _ = two_projects
    crashed = make_session(window.settings)  # another run edited and autosaved, then died
    crashed.open(folder)
    crashed.document.request(RenameClip(clip_id="a", name="Recovered name"))
    assert crashed.autosave_now() is not None
    crashed.close()
    asked_on = []
    window.session.ask_recover = lambda path: asked_on.append(threading.current_thread()) or True
    window.request_open(folder)
    qtbot.waitUntil(lambda: not window.opening, timeout=WAIT_MS)
    assert asked_on == [threading.main_thread()]  # a dialog: only ever on the GUI thread
    assert window.document.folder == folder and window.session.dirty
    assert window.document.project.find_clip("a")[1].name == "Recovered name"


def test_the_window_paints_the_opened_project_in_the_turn_after_the_swap(qtbot, window, two_projects):
    """The swap holds the window's paint back one turn (so one turn doesn't hold the swap and the
    first paint of every panel); the window then paints again and the side panels follow."""
    folder, second = two_projects
    for path in (folder, second):
        window.request_open(path)
        qtbot.waitUntil(lambda path=path: window.document.folder == path, timeout=WAIT_MS)
        qtbot.waitUntil(window.updatesEnabled, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.media_bin.document is window.document and not window._panels_to_follow,
                        timeout=WAIT_MS)
        assert window.timeline.updatesEnabled() and window.preview.updatesEnabled()
        assert not window.grab().isNull()


def test_a_take_landing_between_the_save_question_and_the_switch_is_saved_with_its_project(
        qtbot, window, two_projects):
    # Found in a walk: Open Recent asked "Save changes?" (or found the project saved), the new
    # project was read in the background, a job finished meanwhile and placed its take in the
    # project being left, and the switch then dropped it from that project's file.
    import json

    from editor.document.edits import RenameClip

    first, second = two_projects
    window.request_open(first)
    qtbot.waitUntil(lambda: not window.opening and window.document.folder == first, timeout=WAIT_MS)
    assert window.may_discard()  # saved: nothing to ask
    window.document.request(RenameClip(clip_id="a", name="Landed while opening"))  # what a landing job does
    window.request_open(second)
    qtbot.waitUntil(lambda: not window.opening and window.document.folder == second, timeout=WAIT_MS)
    names = [c["name"] for t in json.loads((first / "project.json").read_text())["tracks"] for c in t["clips"]]
    assert "Landed while opening" in names


def test_after_discard_the_project_left_is_not_saved_at_the_switch(qtbot, window, two_projects):
    import json

    from editor.document.edits import RenameClip

    first, second = two_projects
    window.request_open(first)
    qtbot.waitUntil(lambda: not window.opening and window.document.folder == first, timeout=WAIT_MS)
    window.document.request(RenameClip(clip_id="a", name="Thrown away"))
    window.ask_save_changes = lambda: "discard"
    assert window.may_discard()
    window.document.request(RenameClip(clip_id="b", name="Landed after discard"))
    window.request_open(second)
    qtbot.waitUntil(lambda: not window.opening and window.document.folder == second, timeout=WAIT_MS)
    names = [c["name"] for t in json.loads((first / "project.json").read_text())["tracks"] for c in t["clips"]]
    assert names == ["A", "B"]  # the user's choice holds; a landed take waits in the journal instead


def test_the_opened_projects_job_list_is_built_in_a_turn_of_its_own(qtbot, window, two_projects, monkeypatch):
    """Preview and controller in one turn, their job list in the next, the swap after: no turn
    builds all of a project's widgets (the build turn was among an open's longest)."""
    folder, _ = two_projects
    seen = []
    build, swap = window.build_parts_for, window.swap_parts

    def spying_build(opened, **kwargs):
        parts = build(opened, **kwargs)
        seen.append(("built", parts.controller is not None, parts.jobs_panel is None))
        return parts

    def spying_swap(parts, **kwargs):
        seen.append(("swapped", parts.jobs_panel is not None))
        swap(parts, **kwargs)

    monkeypatch.setattr(window, "build_parts_for", spying_build)
    monkeypatch.setattr(window, "swap_parts", spying_swap)
    window.request_open(folder)
    qtbot.waitUntil(lambda: not window.opening, timeout=WAIT_MS)
    assert seen == [("built", True, True), ("swapped", True)]
    assert window.jobs_panel is not None and window.jobs_panel._controller is window.controller
