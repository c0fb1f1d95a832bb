"""A view's subscription to the open document, moved along when the window opens another project."""

from __future__ import annotations

from collections.abc import Callable

from editor.document.document import Change, Document


class DocumentSubscription:
    """`follow(document)` listens to `document` and stops listening to the one before; `stop()` ends it.

    Every panel that shows the open project keeps one, so a panel given a new document never
    also hears the old one (the window swaps documents on New and Open).
    """

    def __init__(self, on_change: Callable[[Change], None]) -> None:
        self._on_change = on_change
        self._unsubscribe: Callable[[], None] | None = None
        self.document: Document | None = None

    def follow(self, document: Document | None) -> None:
        self.stop()
        self.document = document
        if document is not None:
            self._unsubscribe = document.subscribe(self._on_change)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


class FollowsDocument:
    """Mixin for a panel that shows the open document (put it before the Qt class).

    `set_document(document)` listens to `document` instead of the one before, then calls the
    panel's `show_document()` to rebuild; every change of it comes to the panel's
    `_on_change(change)`. `document` is the one shown.
    """

    _subscription: DocumentSubscription | None = None

    @property
    def document(self) -> Document:
        assert self._subscription is not None and self._subscription.document is not None, "set_document() first"
        return self._subscription.document

    def set_document(self, document: Document) -> None:
        if self._subscription is None:
            self._subscription = DocumentSubscription(self._on_change)
        self._subscription.follow(document)
        self.show_document()

    def show_document(self) -> None:
        """Rebuild for the document just set."""
        raise NotImplementedError

    def _on_change(self, change: Change) -> None:
        raise NotImplementedError
