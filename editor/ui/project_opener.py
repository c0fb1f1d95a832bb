"""Opening a project from the menus without freezing the window: read off the GUI thread, swap on it.

File > Open and Open Recent go through `ProjectOpener.request(...)`, which returns at once. The
plain-Python half of opening (reading and checking project.json, taking the lock, tidying stale
scratch files, finding an autosave to offer: `project_session.read_project`) runs on the
background pool; the Qt half (the questions, the preview, the job controller, the panels) runs
on the GUI thread when the read is done, spread over a few event-loop turns. The rule of
`MainWindow._switch_to` holds: nothing the window shows changes until the new project's parts are
built, and a failure leaves the open project as it was. The latest request wins: an answer to an
older one is dropped (its lock released) when another open was asked for meanwhile.

`MainWindow.open_project_path` / `open_demo` stay synchronous for scripts and tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer

from editor.document.storage import ProjectError
from editor.ui.background import run_in_background
from editor.ui.project_parts import add_jobs_panel
from editor.ui.project_session import ReadProject, read_demo, read_project


def next_turn(owner: QObject, call: Callable[[], None]) -> None:
    """`call()` on the GUI thread at the next event-loop turn, unless `owner` is deleted first.

    A zero-interval QTimer, not QTimer.singleShot(0, ...): Qt delivers the static single shot
    as a posted call, and posted calls queued one from another run back to back with the paint
    events, before any timer (the playhead, an animation) gets its turn; a timer waits its turn.
    """
    timer = QTimer(owner)
    timer.setSingleShot(True)
    timer.setInterval(0)

    def fire() -> None:
        timer.deleteLater()
        call()

    timer.timeout.connect(fire)
    timer.start()


class ProjectOpener(QObject):
    """The window's one open request in flight (see the module's docstring)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        self._ticket = 0  # bumped by every request (and by `cancel`): only the latest is answered
        self._busy = False

    @property
    def busy(self) -> bool:
        """A request is being read or built."""
        return self._busy

    def request(self, path: str | Path) -> None:
        """Open the project at `path` in place of the open one, without blocking."""
        self._start(lambda: read_project(path), demo=False)

    def request_demo(self) -> None:
        """Open the demo project without blocking (its private copy is made off the GUI thread)."""
        self._start(read_demo, demo=True)

    def cancel(self) -> None:
        """Drop whatever is in flight (the window is closing)."""
        self._ticket += 1
        self._busy = False

    def _start(self, work: Callable[[], ReadProject | None], *, demo: bool) -> None:
        self._ticket += 1
        ticket = self._ticket
        self._busy = True

        # no `owner` for the answer: a read answered after the window went must still let go
        # of the project's lock
        def then(read: ReadProject | None) -> None:
            if ticket != self._ticket or not shiboken6.isValid(self):  # another open won, or the window went
                if read is not None:
                    read.discard()
                return
            self._read_done(ticket, read, demo)

        def failed(error: BaseException) -> None:
            if ticket != self._ticket or not shiboken6.isValid(self):
                return
            self._busy = False
            if not isinstance(error, (ProjectError, OSError)):
                raise error
            self._window.open_failed(str(error), demo=demo)

        run_in_background(work, then, failed=failed)

    def _read_done(self, ticket: int, read: ReadProject | None, demo: bool) -> None:
        session = self._window.session
        try:
            opened = session.finish_open(read) if read is not None else session.prepare_demo()
        except ProjectError as exc:
            self._busy = False
            self._window.open_failed(str(exc), demo=demo)
            return

        def build() -> None:  # next turn: finishing the read and building the parts are two stalls, not one
            if ticket != self._ticket:  # another open won, or the window is closing
                opened.discard()
                return
            parts = self._window.build_parts_for(opened, jobs_panel=False)
            if parts is None:  # it failed; the window said why and the open project stays
                self._busy = False
                return

            def jobs_panel() -> None:  # next turn: the preview and the job list are two stalls, not one
                if ticket != self._ticket:
                    self._window.dispose_parts(parts)
                    return
                try:
                    add_jobs_panel(parts)
                except Exception as exc:  # noqa: BLE001 - whatever broke, the open project stays whole
                    self._busy = False
                    name = parts.opened.document.project.name or "the project"
                    self._window.dispose_parts(parts)
                    self._window.open_failed(f"Could not open {name} ({exc}); the open project is unchanged.",
                                             demo=demo)
                    return
                next_turn(self, swap)

            def swap() -> None:  # next turn: building the parts and swapping them in are two stalls, not one
                if ticket != self._ticket:
                    self._window.dispose_parts(parts)
                    return
                self._busy = False
                self._window.swap_parts(parts, spread=True)

            next_turn(self, jobs_panel)

        next_turn(self, build)
