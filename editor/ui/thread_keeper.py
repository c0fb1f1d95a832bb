"""A QThread that must outlive the object that owned it is kept here until it has finished.

Qt aborts the whole process ("QThread: Destroyed while thread is still running") when a running
QThread is deleted, and a parented thread is deleted with its parent: a window closing while a
job step or an export is still stopping after its owner stopped waiting. `keep_until_finished`
takes the thread from its parent and holds it, with the objects that live in it, until it
ends; then the event loop deletes it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread

_kept: dict[int, tuple[QThread, tuple[QObject, ...]]] = {}


def keep_until_finished(thread: QThread, *living_in_it: QObject) -> None:
    """Call on the GUI thread when `thread` may still run but its owner is about to go."""
    key = id(thread)
    if key in _kept:
        return

    def ended() -> None:  # queued to the GUI thread (the lambda's context is this thread)
        if _kept.pop(key, None) is not None:
            thread.deleteLater()

    thread.finished.connect(lambda: ended())
    if not thread.isRunning():
        return  # it ended already (finished may have come before the connection): nothing to keep
    thread.setParent(None)
    _kept[key] = (thread, living_in_it)


def wait_for_kept() -> None:
    """Wait until every kept thread has ended (the editor's last act, its window already gone).

    A kept thread still running when Python finalizes is destroyed running, and Qt aborts the
    process: "Quit, resume next time" during a long model step crashed the editor on its way out.
    The step stops at its next check (the job is in the project's queue for next time)."""
    for thread, _living in list(_kept.values()):
        thread.quit()  # its event loop ends once the step returns
        thread.wait()
    _kept.clear()


def kept() -> int:
    """How many threads are kept now (tests)."""
    return len(_kept)
