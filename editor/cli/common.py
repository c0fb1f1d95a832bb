"""What every headless command shares: user errors as one line and an exit code, size/fps parsing."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable
from fractions import Fraction

EXIT_USER_ERROR = 2
EXIT_CANCELLED = 130


class UserError(Exception):
    """Bad input from the command line; the message says what to do."""


def user_error_types() -> tuple[type[BaseException], ...]:
    """Every exception whose message is written for the user (imported lazily: no torch here)."""
    from editor.document.edits import EditRefused
    from editor.document.storage import ProjectError
    from editor.media.errors import MediaError
    from model.request import RequestError

    found: list[type[BaseException]] = [UserError, ProjectError, MediaError, EditRefused, RequestError]
    for mod, name in (("model.models", "ModelError"), ("model.engines.base", "EngineError"),
                      ("model.journal", "JournalError"), ("editor.media.export", "ExportError"),
                      ("editor.generation.requests", "GenerationError")):
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
    except user_error_types() as exc:
        print(f"shotline: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:  # a bug: still one line, with a way to see more
        if os.environ.get("SHOTLINE_DEBUG"):
            traceback.print_exc()
        print(f"shotline: internal error: {type(exc).__name__}: {exc} (set SHOTLINE_DEBUG=1 for details; "
              "please report it)", file=sys.stderr)
        return 1


class Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments as a UserError (one line, exit 2) instead of exiting."""

    def error(self, message: str):  # noqa: D401 - argparse API
        raise UserError(f"{message} (see: python main.py {self.prog.split()[-1]} --help)")


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UserError(f"--size {text!r} is not WIDTHxHEIGHT, e.g. 1280x720") from None
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise UserError(f"--size {text}: each side must be 16..8192 pixels")
    if w % 2 or h % 2:
        raise UserError(f"--size {text}: H.264/H.265 need even sides, e.g. {w + w % 2}x{h + h % 2}")
    return w, h


def parse_fps(text: str) -> Fraction:
    try:
        fps = Fraction(text).limit_denominator(1001) if "/" not in text else Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise UserError(f"--fps {text!r} is not a frame rate, e.g. 24, 29.97 or 30000/1001") from None
    if not 1 <= fps <= 240:
        raise UserError(f"--fps {text}: use a rate from 1 to 240")
    if fps == Fraction(2997, 100):
        fps = Fraction(30000, 1001)
    if fps == Fraction(2397, 100) or fps == Fraction(23976, 1000):
        fps = Fraction(24000, 1001)
    return fps


def positive_seconds(text: str, flag: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"{flag} {text!r} is not a number of seconds") from None
    if not value > 0:
        raise UserError(f"{flag} must be more than 0 seconds")
    return value
