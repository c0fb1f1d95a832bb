"""The storyboard: cards in story order, reorder by dropping a card, prompt and length edits, states."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint
from PySide6.QtTest import QTest
from ui_helpers import click, drop_mime

from editor.ui.selection import Selection
from editor.ui.storyboard import MIME, Storyboard


@pytest.fixture
def board(qtbot, ui_document):
    b = Storyboard(ui_document, Selection())
    b.messages = []
    b.message.connect(b.messages.append)
    qtbot.addWidget(b)
    b.resize(1200, 320)
    b.show()
    qtbot.waitExposed(b)
    return b


def order(doc):
    return [c.id for c in doc.project.track("v1").clips]


def test_cards_follow_the_main_track_in_story_order(board, ui_document):
    assert board.main_track().id == "v1"  # the lowest track with clips, though V2 is listed first
    assert board.card_ids() == ["a", "boat", "lake", "city"]
    states = [c.state.text() for c in board.cards]
    assert states[1] == "draft"
    assert states[3] == "done · 2 takes"
    assert board.cards[1].prompt.toPlainText() == "a paper boat drifts"
    assert "4 shots" in board.summary.text() and "1 to generate" in board.summary.text()


def test_dropping_a_card_reorders_the_cut_and_undo_restores_it(board, ui_document):
    doc = ui_document
    mime = QMimeData()
    mime.setData(MIME, b"city")
    first = board.cards[0].geometry()
    drop_at = QPoint(first.left() + 5, first.center().y())  # left half of the first card
    assert drop_mime(board.strip, drop_at, mime)
    assert order(doc) == ["city", "a", "boat", "lake"]
    assert board.card_ids() == ["city", "a", "boat", "lake"]
    starts = [c.start for c in doc.project.track("v1").clips]
    assert starts == [0, 96, 168, 240]  # lengths kept; the 24-frame gap still comes before the 2nd shot
    doc.undo()
    assert order(doc) == ["a", "boat", "lake", "city"] == board.card_ids()


def test_editing_a_card_prompt_and_length_makes_undoable_edits(board, ui_document):
    card = board.cards[1]
    card.prompt.setFocus()
    card.prompt.selectAll()
    QTest.keyClicks(card.prompt, "a paper boat sails at night")
    card.prompt.clearFocus()  # committing on focus out, like any text field
    assert ui_document.project.find_clip("boat")[1].shot.prompt == "a paper boat sails at night"
    card.length.setValue(2.0)
    card.length.editingFinished.emit()
    assert ui_document.project.find_clip("boat")[1].length == 48
    assert ui_document.history.titles[-2:] == ("Change shot settings", "Set shot length")
    assert not board.cards[0].length.isEnabled()  # a video's length is trimmed on the timeline


def test_clicking_a_card_selects_the_shot(board):
    click(board.cards[2], QPoint(10, 10))
    assert board._selection.clips == ("lake",)
    assert board.cards[2].property("selected") is True


def test_job_states_show_on_the_cards(board):
    board.set_shot_states({"boat": "generating 42%", "city": "failed"})
    assert board.cards[1].state.text() == "generating 42%"
    assert board.cards[3].state.text() == "failed"


def test_add_shot_button_adds_a_draft_at_the_end_of_the_main_track(qtbot, ui_document):
    from editor.ui.main_window import MainWindow

    w = MainWindow(restore_layout=False, ask=False)
    w.show()
    try:
        w.open_project_path(ui_document.folder)
        board = w.storyboard
        board.add_button.click()
        new_id = board.card_ids()[-1]
        assert new_id not in ("a", "boat", "lake", "city")
        new = w.document.project.find_clip(new_id)[1]
        assert new.is_draft and new.start == 288 and new.length == 96  # the default 4 s at 24 fps
        assert board.cards[-1].state.text() == "draft"
        assert w.selection.clips == (new_id,)  # selected, so the inspector shows its prompt
        assert w.inspector.page == "shot"
    finally:
        w.ask_save_changes = lambda: "discard"
        w.close()


def test_dropping_a_picture_on_a_card_pins_it_as_the_shots_keyframe_and_undo_removes_it(board, ui_document):
    """Walk: a picture dragged from the media bin onto a storyboard card was ignored; it pins a
    keyframe, as the same drop on the shot in the timeline does."""
    from PySide6.QtCore import QUrl

    doc = ui_document
    picture = str(doc.folder / "media" / "paper_boat_keyframe.png")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(picture)])
    hints = []
    board.hint.connect(hints.append)
    card = board.cards[0]  # "A", no keyframes
    assert drop_mime(board.strip, card.geometry().center(), mime)
    clip = doc.project.find_clip("a")[1]
    assert [(k.frame, k.image) for k in clip.keyframes] == [(0, picture)]
    assert hints[-1] == "Pin keyframe on A"  # a hint, not an error
    doc.undo()
    assert doc.project.find_clip("a")[1].keyframes == []
    # between cards (no card under the pointer) the drop is refused and nothing changes
    gap = QPoint(card.geometry().right() + 5, card.geometry().center().y())
    assert not drop_mime(board.strip, gap, mime)
    assert doc.project.find_clip("a")[1].keyframes == []


def test_a_long_job_state_shows_whole_on_its_card(qtbot, board):
    # The walk: "generating 100%" showed as "generating 100" (the length box took the room).
    from PySide6.QtWidgets import QStyleFactory

    from editor.ui.theme import stylesheet

    style = QStyleFactory.create("Fusion")  # the app's look (editor.ui.theme.apply_theme), on this widget only
    board.setStyle(style)
    font = board.font()
    font.setPointSizeF(9.5)
    board.setFont(font)
    board.setStyleSheet(stylesheet())
    board.set_shot_states({"boat": "generating 100%"})
    qtbot.waitUntil(lambda: board.cards[1].state.text() == "generating 100%")
    state = board.cards[1].state
    qtbot.waitUntil(lambda: state.width() >= state.sizeHint().width())
    board.grab().save("/tmp/walk3-card-state.png")


def test_cards_fit_a_short_panel_so_length_and_state_show_without_scrolling(qtbot, board):
    # The walk: at 1600x1000 the storyboard tab was shorter than a card; each card's length box and
    # job state ("generating 40%") sat below the fold and needed the vertical scroll bar.
    board.resize(1200, 230)
    viewport = board.scroll.viewport()

    def fits() -> bool:
        return all(card.mapTo(viewport, card.state.geometry().bottomLeft()).y() < viewport.height()
                   for card in board.cards)

    qtbot.waitUntil(fits)
    assert 0 < board.cards[0].picture.height() < 108
    board.grab().save("/tmp/walk3-board-short.png")
    board.resize(1200, 600)  # room again: full-size pictures
    qtbot.waitUntil(lambda: board.cards[0].picture.height() == 108)
