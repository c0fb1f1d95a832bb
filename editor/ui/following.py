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
    # A panel that opts in (True) and is not on screen (a tab behind another) when a project is
    # opened from the menus follows the new document at once but rebuilds only when it is shown
    # (`catch_up`): what nobody sees is not built while the window switches projects.
    rebuild_when_shown = False
    _behind = False  # it follows a document it has not been rebuilt for yet

    @property
    def document(self) -> Document:
        assert self._subscription is not None and self._subscription.document is not None, "set_document() first"
        return self._subscription.document

    def set_document(self, document: Document, *, later: bool = False) -> None:
        """Follow `document` and rebuild; `later` (a menu's open): follow it now (every change
        of it comes here, `document` is it) and rebuild at `catch_up()`."""
        if self._subscription is None:
            self._subscription = DocumentSubscription(self._on_change)
        self._subscription.follow(document)
        self._behind = later
        if not later:
            self.show_document()

    @property
    def waits_to_be_shown(self) -> bool:
        """Behind, opted in to rebuild when shown, and not on screen now."""
        return self._behind and self.rebuild_when_shown and self.visibleRegion().isEmpty()

    @property
    def behind(self) -> bool:
        """It follows the open document but shows the one before until it is shown (see `catch_up`)."""
        return self._behind

    def catch_up(self) -> None:
        """Rebuild for the followed document if that was left until the panel is shown."""
        if self._behind:
            self._behind = False
            self.show_document()

    def show_document(self) -> None:
        """Rebuild for the document just set."""
        raise NotImplementedError

    def _on_change(self, change: Change) -> None:
        raise NotImplementedError
