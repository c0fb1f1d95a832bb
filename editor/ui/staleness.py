"""Which clips show a stale take, asked by the timeline, the storyboard and the Inspector.

The answer is a pure function of the document (`editor.document.context_fingerprint`), so it is
computed once per document state (its `edit_count`) and shared by the views that paint badges,
however often they repaint. Pictures are compared by content; a file changed on disk shows when
`editor.ui.stale_watch` sees it (or the window becomes active again) and calls `forget`.
"""

from __future__ import annotations

import weakref

from editor.document.context_fingerprint import content_tokens, stale_clips
from editor.document.document import Document

_answers: weakref.WeakKeyDictionary[Document, tuple[int, dict[str, list[str]]]] = weakref.WeakKeyDictionary()


def stale_in(document: Document | None) -> dict[str, list[str]]:
    """{clip id: what changed} for the clips of `document` whose active take is stale."""
    if document is None:
        return {}
    known = _answers.get(document)
    if known is not None and known[0] == document.edit_count:
        return known[1]
    answer = stale_clips(document.project, content_tokens(document.folder))
    _answers[document] = (document.edit_count, answer)
    return answer


def forget(document: Document) -> None:
    """Drop the answer kept for `document`: the next `stale_in` looks at the files again."""
    _answers.pop(document, None)
