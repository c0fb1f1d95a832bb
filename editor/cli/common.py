"""What every headless command shares: user errors as one line and an exit code, size/fps parsing."""

from __future__ import annotations

import argparse
import errno
import os
import re
import sys
import traceback
from collections.abc import Callable
from fractions import Fraction

from editor.document import limits

EXIT_USER_ERROR = 2
EXIT_CANCELLED = 130


class UserError(Exception):
    """Bad input from the command line; the message says what to do."""


def user_error_types() -> tuple[type[BaseException], ...]:
    """Every exception whose message is written for the user (imported lazily: no torch here)."""
    from editor.document.edits import EditRefused
    from editor.document.limits import LimitError
    from editor.document.storage import ProjectError
    from editor.media.errors import MediaError
    from model.request import RequestError

    found: list[type[BaseException]] = [UserError, ProjectError, MediaError, EditRefused, RequestError, LimitError]
    for mod, name in (("model.models", "ModelError"), ("model.engines.base", "EngineError"),
                      ("model.journal", "JournalError"), ("editor.media.export", "ExportError"),
                      ("editor.generation.requests", "GenerationError"), ("model.farm", "FarmError"),
                      ("model.farm.client", "FarmJobFailed")):
        try:
            found.append(getattr(__import__(mod, fromlist=[name]), name))
        except (ImportError, AttributeError):
            pass
    return tuple(found)


def guarded(command: Callable[[], int]) -> int:
    """Run a command; a user error prints one line to stderr and exits non-zero, no traceback."""
    try:
        return command()
    except KeyboardInterrupt:
        print("shotline: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except BrokenPipeError:
        raise  # the reader of our output went away (`info | head`): main.py ends quietly
    except user_error_types() as exc:
        print(f"shotline: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as exc:  # the system refused a path (too long, /proc, read-only, full): not a bug
        print(f"shotline: error: {os_error_text(exc)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:  # a bug: still one line, with a way to see more
        if os.environ.get("SHOTLINE_DEBUG"):
            traceback.print_exc()
        print(f"shotline: internal error: {type(exc).__name__}: {printable(str(exc))} (set SHOTLINE_DEBUG=1 for details; "
              "please report it)", file=sys.stderr)
        return 1


def printable(text: str, limit: int = 400) -> str:
    """`text` on one line with control characters, escape sequences and lone surrogates escaped
    (a project name or path may hold any of them), cut to `limit` characters."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode("ascii")
                       for ch in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def os_error_text(exc: OSError) -> str:
    """One line for an OSError: the path (shortened), what the system said, what to do."""
    name = printable(os.fsdecode(exc.filename), 120) if exc.filename is not None else "a file"
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENAMETOOLONG:
        return f"{name}: the name is too long for this system; choose a shorter name"
    return f"could not use {name}: {reason}; check the path and that you may write there"


class Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments as a UserError (one line, exit 2) instead of exiting."""

    def error(self, message: str):  # noqa: D401 - argparse API
        raise UserError(f"{message} (see: python main.py {self.prog.split()[-1]} --help)")


def parse_size(text: str) -> tuple[int, int]:
    if not _SIZE_TEXT.fullmatch(text):  # at most 6 digits a side: int() of a huge text is slow
        raise UserError(f"--size {text[:40]!r} is not WIDTHxHEIGHT, e.g. 1280x720")
    w, h = (int(v) for v in text.lower().split("x"))
    try:
        limits.check_size(w, h, "the size")
    except limits.LimitError as exc:
        raise UserError(f"--size {text}: {exc}") from None
    if w % 2 or h % 2:
        raise UserError(f"--size {text}: H.264/H.265 need even sides, e.g. {w + w % 2}x{h + h % 2}")
    return w, h


_SIZE_TEXT = re.compile(r"\s*\d{1,6}\s*[xX]\s*\d{1,6}\s*")
# a decimal or NUM/DEN with a bounded exponent: Fraction("1e999999999") would build a billion digits
_FPS_TEXT = re.compile(r"\s*(\d{1,12}(\.\d{0,12})?|\.\d{1,12})([eE][-+]?\d{1,3})?(/\d{1,12})?\s*")


def parse_fps(text: str) -> Fraction:
    try:
        if not _FPS_TEXT.fullmatch(text):
            raise ValueError(text)
        raw = Fraction(text)
        fps = raw.limit_denominator(1001) if "/" not in text else raw
    except (ValueError, ZeroDivisionError):
        raise UserError(f"--fps {text[:40]!r} is not a frame rate, e.g. 24, 29.97 or 30000/1001") from None
    try:  # the range judged on the rate as typed (1e-6 is not 0), the denominator once tidied
        limits.check_fps(fps if limits.MIN_FPS <= raw <= limits.MAX_FPS else raw, "the rate")
    except limits.LimitError as exc:
        raise UserError(f"--fps {text.strip()}: {exc}") from None
    if fps == Fraction(2997, 100):
        fps = Fraction(30000, 1001)
    if fps == Fraction(2397, 100) or fps == Fraction(23976, 1000):
        fps = Fraction(24000, 1001)
    return fps


def positive_seconds(text: str, flag: str) -> float:
    """More than 0 and at most the 24 h a project may last; finite (not inf or nan)."""
    return seconds_value(text, flag)


def seconds_value(text: str, flag: str, *, allow_zero: bool = False) -> float:
    """A number of seconds from the command line, finite and within 0..limits.MAX_PROJECT_SECONDS."""
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"{flag} {text[:40]!r} is not a number of seconds") from None
    try:
        return limits.check_seconds(value, flag, allow_zero=allow_zero)
    except limits.LimitError as exc:
        raise UserError(str(exc)) from None
