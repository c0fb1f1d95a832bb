"""Ending the editor cleanly on SIGTERM, SIGINT and SIGHUP: a logout, `kill`, a shutdown, Ctrl+C in
the terminal it was started from, or that terminal closed.

Why: Python's own answer to these signals is no answer at all while Qt's event loop runs (a
Python signal handler only runs when the interpreter gets control; SIGTERM and SIGHUP kill the
process outright, SIGINT surfaces as a KeyboardInterrupt traceback inside whichever slot runs
next). Either way the project's lock stayed behind and unsaved changes were lost. Here the C-level
handler writes the signal's number to a socket (`signal.set_wakeup_fd`), a QSocketNotifier on the
other end wakes the event loop at once, and the window ends its session the way "Quit, resume
next time" does, without a dialog (`MainWindow.end_by_signal`): unsaved changes go to an autosave
(the crash-recovery file, never project.json: the user didn't ask to save), queued and running
jobs stay in the queue for the next open, the lock is released. The process then exits with the
conventional status, 128 + the signal's number (143 for SIGTERM, 130 for SIGINT, 129 for SIGHUP).

A second signal while the session is ending changes nothing: ending is already under way.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

# SIGHUP does not exist on Windows; only the signals this platform has are handled
QUIT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


def exit_status(signum: int) -> int:
    """The status a process ended by `signum` conventionally exits with (a shell's `$?`)."""
    return 128 + int(signum)


class SignalQuit(QObject):
    """While installed, a quit signal calls `on_signal(signum)` on the GUI thread, once.

    Made before the window: a signal that arrives while the window is still being built is kept
    (`pending`) and handed over when `on_signal` is set."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pending: int | None = None  # the first signal, until someone ends the session for it
        self._on_signal: Callable[[int], None] | None = None
        self._handled = False
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)  # the C handler must never block on a full socket
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous = {s: signal.signal(s, self._python_handler) for s in QUIT_SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woken)

    @property
    def on_signal(self) -> Callable[[int], None] | None:
        return self._on_signal

    @on_signal.setter
    def on_signal(self, callback: Callable[[int], None] | None) -> None:
        self._on_signal = callback
        if callback is not None and self.pending is not None:
            self._deliver()

    def _python_handler(self, signum: int, frame) -> None:
        # Runs between two bytecodes of whatever Python code was running: only note the signal
        # (no KeyboardInterrupt, no work here); the notifier acts on it from the event loop.
        if self.pending is None:
            self.pending = signum

    def _woken(self, *_args) -> None:
        try:
            data = self._reader.recv(64)
        except OSError:
            data = b""
        if self.pending is None and data:
            self.pending = data[0]
        if self.pending is not None:
            self._deliver()

    def _deliver(self) -> None:
        if self._handled or self._on_signal is None:
            return
        self._handled = True
        self._on_signal(int(self.pending))

    def uninstall(self) -> None:
        """Give the signals back to whoever handled them before (the session has ended)."""
        self._notifier.setEnabled(False)
        for s, previous in self._previous.items():
            signal.signal(s, previous if previous is not None else signal.SIG_DFL)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def end_for_signal(app, window, signum: int) -> int:
    """End `window`'s session for a quit signal (`end_window_for_signal`), say so in one line on
    stderr, and make `app`'s event loop return the conventional status (also returned)."""
    from PySide6.QtCore import QTimer

    status = exit_status(signum)
    kept = end_window_for_signal(window)
    _say(f"Shotline: ended by {signal_name(signum)}"
         + ("; unsaved changes are kept and offered when the project is opened again." if kept else "."))
    # exit() before the loop runs would be forgotten by exec(): leave from inside the loop too
    QTimer.singleShot(0, app, lambda: app.exit(status))
    app.exit(status)
    return status


def end_window_for_signal(window) -> bool:
    """End `window`'s session with no question asked; True when unsaved changes were kept.

    What "Quit, resume next time" does, less the questions: a dialog that is open is dismissed
    (as its Cancel), text typed and not committed yet is committed, unsaved changes go to an
    autosave (offered as recovery when the project is opened again; project.json stays as the
    user last saved it), a running job stops and waits at the front of the queue with the others,
    a running export is cancelled (nothing half-written is left), and the lock is released.
    """
    import shiboken6
    from PySide6.QtWidgets import QApplication, QDialog

    for _ in range(8):  # nested questions (a close asking about a job, then about saving) close in turn
        modal = QApplication.activeModalWidget()
        if modal is None or not isinstance(modal, QDialog):
            break
        modal.reject()
    if not shiboken6.isValid(window):
        return False
    kept = False
    window.inspector.commit_pending()
    session = window.session
    if session.dirty and not session.read_only and session.folder is not None:
        from editor.document.autosave import find_recovery

        session.autosave_now()  # None: nothing new since the last autosave, which holds it already
        kept = find_recovery(session.folder) is not None  # what the next open offers
    try:
        window.save_layout()
    except Exception:
        pass  # the layout is a nicety; the work is what must be kept
    window.shutdown()  # jobs back to the queue, export cancelled, the lock released last
    return kept


def _say(line: str) -> None:
    import sys

    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass  # the terminal is gone (SIGHUP): nobody to tell
