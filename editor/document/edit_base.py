"""The words every edit and every op share: `EditRefused`, `UNCHANGED` and `Side`.

They sit below both `edits` (the requests) and `ops` (how each request changes a project), so
`edits` can call `ops` and `ops` can refuse with these without the two importing each other.
`editor.document.edits` re-exports them: that is where the UI and the CLI import them from.
"""

from __future__ import annotations

import enum


class EditRefused(Exception):
    """An edit that cannot be made; the message says why and what to do instead."""


class _Unchanged(enum.Enum):
    """Marker for "leave this field as it is" in the Set... edits (None is a real value there)."""

    UNCHANGED = "unchanged"

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged.UNCHANGED


class Side(enum.StrEnum):
    """Which edge of a clip an edit works on."""

    START = "start"
    END = "end"
