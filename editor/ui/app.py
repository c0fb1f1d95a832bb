"""Start the editor: `python main.py [PROJECT]`, or render it to a PNG with `screenshot`.

    python main.py                       the editor with the demo project
    python main.py Trip.shotline         the editor with a project
    python main.py screenshot PROJECT -o OUT.png [--size 1600x1000] [--select gap|clip|keyframe]

PROJECT may be DEMO for the demo project. The screenshot renders offscreen (no display needed)
and exits 0 once the PNG is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEMO = "DEMO"
# Qt lines that say nothing to the user: the offscreen platform (screenshots, tests, render
# machines) prints these for every window that is shown or raised.
HARMLESS_QT_MESSAGES = ("This plugin does not support propagateSizeHints()", "This plugin does not support raise()")


class UsageError(Exception):
    """Bad command-line input; the message says what to type instead."""


def _qt_message(mode, context, message: str) -> None:
    """Qt's own warnings go to stderr as before, less the known harmless ones."""
    if message.strip() in HARMLESS_QT_MESSAGES:
        return
    sys.stderr.write(message + "\n")


def install_qt_message_filter():
    """Route Qt's messages through `_qt_message` (real warnings still reach the terminal);
    returns the handler it replaced (None: Qt's default)."""
    from PySide6.QtCore import qInstallMessageHandler

    return qInstallMessageHandler(_qt_message)


def _app():
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from editor.ui.theme import apply_theme

    install_qt_message_filter()
    QCoreApplication.setOrganizationName("Shotline")
    QCoreApplication.setApplicationName("Shotline")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setDesktopFileName("org.shotline.Shotline")  # Wayland matches the window to the menu entry's icon
    apply_theme(app)
    return app


def _open(window, project: str | None, *, wait: bool = True) -> bool:
    """Open `project` (the demo without one); `wait=False` (the GUI): the window shows at once and
    the project follows when read (True means asked for, not opened)."""
    if not project or project == DEMO:
        window.open_demo() if wait else window.request_demo()
        return True
    if not Path(project).exists():
        raise UsageError(f"There is no project at {project}: give a .shotline folder, or DEMO for the demo.")
    if not wait:
        window.request_open(project)
        return True
    return window.open_project_path(project)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size takes WIDTHxHEIGHT, e.g. 1600x1000, not {text!r}.") from None
    if not (320 <= w <= 8000 and 240 <= h <= 8000):
        raise UsageError("--size must be between 320x240 and 8000x8000.")
    return w, h


def _select(window, what: str) -> None:
    from editor.ui.selection import GapRef

    project = window.document.project
    if what == "gap":
        for track in project.tracks:
            gaps = project.gaps(track.id)
            if gaps:
                g = gaps[-1]
                window.selection.set_gap(GapRef(g.track_id, g.start, g.length))
                return
        raise UsageError("--select gap: this project has no gap between two clips.")
    if what == "clip":
        clips = [c for t in project.tracks for c in t.clips]
        if not clips:
            raise UsageError("--select clip: this project has no clips.")
        window.selection.set_clips([clips[0].id])
        return
    if what == "keyframe":
        for t in project.tracks:
            for c in t.clips:
                if c.keyframes:
                    window.selection.set_keyframe(c.id, c.keyframes[0].id)
                    return
        raise UsageError("--select keyframe: this project has no keyframes.")
    raise UsageError("--select takes gap, clip or keyframe.")


def end_session(app, window) -> None:
    """End the editor's session: stop the window's work and delete every Qt object of it now.

    How gui() and screenshot() end (and scripts that drive a window should end the same way).
    Whatever Qt object is still alive when Python finalizes is deleted by PySide's exit hook in
    no particular order, with its events still posted and its Python wrapper already marked
    dead: a pyqtgraph item deleted before its scene relayed a layout event into Python code
    that could no longer run, and the editor segfaulted after the user had quit. So the window
    goes here, while Python is whole: posted events are delivered to live receivers, then the
    deferred deletes run, then the cycles left (automatic collection is off, see gc_guard) are
    collected on this thread, and whatever they deleted later goes too.
    """
    import gc

    import shiboken6
    from PySide6.QtCore import QEvent

    if shiboken6.isValid(window):
        window.shutdown()  # a no-op when closing the window ran it already
        window.hide()
        window.deleteLater()
    app.sendPostedEvents()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    app.sendPostedEvents()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    from editor.ui.thread_keeper import wait_for_kept

    wait_for_kept()  # a job step still stopping: a thread destroyed running aborts the process


def screenshot(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="main.py screenshot", description="Render the editor window to a PNG.")
    ap.add_argument("project", nargs="?", default=DEMO, help="a .shotline folder, or DEMO")
    ap.add_argument("-o", "--output", required=True, help="the PNG to write")
    ap.add_argument("--size", default="1600x1000", help="window size, WIDTHxHEIGHT")
    ap.add_argument("--select", default="", help="select a gap, clip or keyframe first")
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    width, height = _size(args.size)
    app = _app()
    from editor.ui.main_window import MainWindow

    window = MainWindow(restore_layout=False, ask=False)
    try:
        window.resize(width, height)
        window.show()
        if not _open(window, args.project):
            raise UsageError(window.statusBar().currentMessage() or f"Could not open {args.project}.")
        if args.select:
            _select(window, args.select)
        window.settle()
        app.processEvents()
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(out), "PNG"):
            raise UsageError(f"Could not write {out}; check the folder exists and is writable.")
    finally:
        end_session(app, window)
    print(f"wrote {args.output}")
    return 0


def gui(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="main.py", description="Open the Shotline editor.")
    ap.add_argument("project", nargs="?", default=None, help="a .shotline folder (default: the demo project)")
    args = ap.parse_args(argv)
    app = _app()
    from editor.ui.main_window import MainWindow
    from editor.ui.signal_quit import SignalQuit, end_for_signal

    quitter = SignalQuit()  # first: a logout or Ctrl+C while the window is being built is kept for it
    try:
        window = MainWindow()
        window.show()
        _open(window, args.project, wait=False)
        # after the open is asked for: ending cancels it (and lets go of its lock) like a quit
        quitter.on_signal = lambda signum: end_for_signal(app, window, signum)
        try:
            return app.exec()
        finally:
            end_session(app, window)
    finally:
        quitter.uninstall()


def run(command: str, argv: list[str]) -> int:
    try:
        if command == "screenshot":
            return screenshot(argv)
        return gui(argv)
    except UsageError as exc:
        print(f"shotline: {exc}", file=sys.stderr)
        return 2
