"""The one exception media code raises for problems a user can fix (a bad file, a missing tool)."""

from __future__ import annotations


class MediaError(Exception):
    """A media file can't be read or written; the message names the file and says what to do."""
