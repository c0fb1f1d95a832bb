"""The cut player: the program preview that plays and scrubs the cut at the playhead.

It used to live in `editor.ui.jobs` but has nothing to do with generation jobs. What the main
window uses (exact signatures; everything else in this package is internal):

    PreviewPanel(document: Document, playhead: Playhead, *, folder: Path | str,
                 parent: QWidget | None = None)                                     # QWidget
        # Plays/scrubs the cut at the playhead; keys J/K/L (shuttle), Space, I/O (marks) work
        # when it has focus; the window may also call preview.shuttle(-1|0|1).
        proxy_ready(media: str) -> None        # a preview proxy of `media` (a file path) was just
                                               # made (ProxyBuilder.proxy_ready): show the frame from it
        shutdown(*, wait: bool = True) -> None # wait=False: the decode thread ends on its own, then
                                               # the panel deletes itself
"""

from __future__ import annotations

from editor.ui.player.preview import PreviewPanel

__all__ = ["PreviewPanel"]
