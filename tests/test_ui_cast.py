"""The cast panel: add from real pictures (copied into media/cast), refuse damaged ones, edit in place,
apply to selected shots, remove with a warning, and undo/redo of all of it through the Document."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from ui_helpers import drop_files

from editor.document.document import Document
from editor.document.plans import GenerateShot, make_plan
from editor.document.project import Project
from editor.generation.requests import request_from_plan
from editor.ui.cast_panel import CastPanel, default_name
from editor.ui.selection import Selection

WAIT_MS = 10000
RED = (200, 60, 30)
BLUE = (40, 90, 210)


def png(path: Path, rgb: tuple[int, int, int], size: tuple[int, int] = (120, 160)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((size[1], size[0], 3), rgb, np.uint8)).save(path)
    return path


@pytest.fixture
def refs(tmp_path) -> Path:
    """A folder outside the project, like the user's Pictures."""
    return tmp_path / "Pictures"


@pytest.fixture
def panel(qtbot, ui_document):
    p = CastPanel(ui_document, Selection())
    p.messages = []
    p.message.connect(p.messages.append)
    qtbot.addWidget(p)
    p.resize(760, 420)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.shutdown()


def add(qtbot, panel: CastPanel, paths: list) -> list[str]:
    """What the panel's Add does: the pictures are checked and copied off the GUI thread; the new ids."""
    with qtbot.waitSignal(panel.added, timeout=WAIT_MS) as blocker:
        panel.add_files(paths)
    return blocker.args[0]


def replace(qtbot, panel: CastPanel, cast_id: str, path: Path) -> bool:
    """What the card's Replace Picture does; whether the picture was replaced."""
    with qtbot.waitSignal(panel.replaced, timeout=WAIT_MS) as blocker:
        panel.replace_image(cast_id, path)
    return blocker.args[1]


def picture_colour(card) -> QColor:
    image = card.picture.pixmap().toImage()
    return image.pixelColor(image.width() // 2, image.height() // 2)


def close_to(c: QColor, rgb: tuple[int, int, int], tol: int = 12) -> bool:
    return all(abs(a - b) <= tol for a, b in zip((c.red(), c.green(), c.blue()), rgb, strict=True))


def test_adding_a_png_copies_it_into_media_cast_and_shows_its_picture(qtbot, panel, ui_document, refs):
    doc = ui_document
    source = png(refs / "mara_portrait.png", RED)
    assert panel.empty.isVisible() and not panel.cards
    [cast_id] = add(qtbot, panel, [source])
    member = doc.project.cast[0]
    assert member.id == cast_id and member.name == "Mara portrait"
    assert member.image == "media/cast/mara_portrait.png"  # project-relative: the folder stays portable
    copy = doc.folder / "media" / "cast" / "mara_portrait.png"
    assert copy.read_bytes() == source.read_bytes()
    assert panel.card_ids() == [cast_id] and not panel.empty.isVisible()
    card = panel.card(cast_id)
    assert card.name_edit.text() == "Mara portrait"
    assert card.usage.text() == "Not used in any shot yet"
    qtbot.waitUntil(lambda: card.has_picture, timeout=5000)  # made on a pool thread
    assert close_to(picture_colour(card), RED)
    assert doc.undo_label == "Undo Add cast member"

    # the same picture again: a second file, never overwriting the first; a unique name
    [second] = add(qtbot, panel, [source])
    assert panel.member(second).image == "media/cast/mara_portrait-2.png"
    assert panel.member(second).name == "Mara portrait 2"
    assert copy.read_bytes() == source.read_bytes()
    doc.undo()
    assert panel.card_ids() == [cast_id]
    doc.redo()
    assert panel.card_ids() == [cast_id, second]


def test_a_picture_already_in_the_project_is_used_where_it_is(qtbot, panel, ui_document):
    [cast_id] = add(qtbot, panel, [ui_document.folder / "media" / "lake_at_dawn.png"])
    assert panel.member(cast_id).image == "media/lake_at_dawn.png"
    assert not (ui_document.folder / "media" / "cast").exists()


def test_dropping_image_files_adds_one_member_each_in_one_undo_step(qtbot, panel, ui_document, refs):
    a, b = png(refs / "kid.png", RED), png(refs / "old_sailor.jpg", BLUE)
    with qtbot.waitSignal(panel.added, timeout=WAIT_MS):
        assert drop_files(panel, QPoint(200, 200), [a, b])
    assert [m.name for m in ui_document.project.cast] == ["Kid", "Old sailor"]
    assert (ui_document.folder / "media" / "cast" / "old_sailor.jpg").is_file()
    assert ui_document.undo_label == "Undo Add 2 cast members"
    ui_document.undo()
    assert ui_document.project.cast == [] and panel.cards == []
    text = refs / "notes.txt"
    text.write_text("not a picture")
    assert not drop_files(panel, QPoint(200, 200), [text])  # refused at the door


def test_a_damaged_picture_is_refused_with_a_message_and_nothing_changes(qtbot, panel, ui_document, refs):
    good = png(refs / "whole.png", RED, (256, 256))
    truncated = refs / "truncated.png"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    fake = refs / "fake.jpg"
    fake.write_text("this is not a JPEG")
    video = refs / "clip.mp4"
    video.write_bytes(b"\x00" * 64)
    history = ui_document.history
    for bad in (truncated, fake, video, refs / "gone.png"):
        assert add(qtbot, panel, [bad]) == []
        assert bad.name in panel.notice.text() and panel.notice.isVisible()
        assert panel.messages[-1].startswith("Not added:")
    assert "could not be read" in panel.notice.text() or "does not exist" in panel.notice.text()
    assert ui_document.project.cast == []
    assert ui_document.history == history  # no undo step
    assert not (ui_document.folder / "media" / "cast").exists() or not any(
        (ui_document.folder / "media" / "cast").iterdir())
    assert panel.cards == [] and panel.empty.isVisible()
    # one good and one bad together: the good one is added, the bad one reported
    added = add(qtbot, panel, [good, fake])
    assert len(added) == 1 and "fake.jpg" in panel.notice.text()
    panel.rename(added[0], "Whole")
    assert not panel.notice.isVisible()  # the next successful change clears the notice


def test_name_and_description_are_edited_in_place_one_undo_step_each(qtbot, panel, ui_document, refs):
    doc = ui_document
    [cast_id] = add(qtbot, panel, [png(refs / "mara.png", RED)])
    card = panel.card(cast_id)
    steps = len(doc.history.titles)
    card.name_edit.setFocus()
    card.name_edit.selectAll()
    QTest.keyClicks(card.name_edit, "Mara the sailor")
    assert doc.project.cast[0].name == "Mara"  # nothing committed while typing
    QTest.keyClick(card.name_edit, Qt.Key.Key_Return)
    assert doc.project.cast[0].name == "Mara the sailor"
    assert len(doc.history.titles) == steps + 1
    card.description_edit.setFocus()
    QTest.keyClicks(card.description_edit, "red raincoat, short black hair")
    card.description_edit.clearFocus()  # commits on focus out
    assert doc.project.cast[0].description == "red raincoat, short black hair"
    assert len(doc.history.titles) == steps + 2
    assert doc.undo_label == "Undo Change cast member"
    doc.undo()
    assert card.description_edit.toPlainText() == ""
    doc.undo()
    assert card.name_edit.text() == "Mara"
    doc.redo()
    doc.redo()
    assert (card.name_edit.text(), card.description_edit.toPlainText()) == (
        "Mara the sailor", "red raincoat, short black hair")

    # an empty name is refused: the field comes back and the reason shows
    card.name_edit.setFocus()
    card.name_edit.selectAll()
    QTest.keyClick(card.name_edit, Qt.Key.Key_Delete)
    QTest.keyClick(card.name_edit, Qt.Key.Key_Return)
    assert doc.project.cast[0].name == "Mara the sailor" == card.name_edit.text()
    assert "name" in panel.notice.text()
    assert len(doc.history.titles) == steps + 2


def test_apply_to_selected_draft_and_shots_as_one_undoable_edit(qtbot, panel, ui_document, refs):
    doc, sel = ui_document, panel._selection
    [mara] = add(qtbot, panel, [png(refs / "mara.png", RED)])
    card = panel.card(mara)
    assert not card.apply_button.isEnabled()  # nothing selected
    sel.set_clips(["boat"])  # the draft shot
    assert card.apply_button.isEnabled() and card.apply_button.text() == "Apply to shot"
    card.apply_button.click()
    boat = doc.project.find_clip("boat")[1]
    assert boat.shot.cast == [mara]
    assert doc.undo_label == "Undo Apply Mara to Boat"
    assert card.property("selected") is True and "in this shot" in card.badge.text()
    assert card.usage.text() == "Used in 1 shot: Boat"
    assert "Boat uses Mara" in panel.summary.text()
    assert card.apply_button.text() == "Take off shot"

    # the generation layer turns the id into the picture and description the model gets
    panel.describe(mara, "red raincoat")
    request = request_from_plan(make_plan(doc.project, GenerateShot(clip_id="boat")), doc.project, doc.folder)
    assert [c.name for c in request.cast] == ["Mara"] and request.cast[0].description == "red raincoat"
    assert tuple(request.cast[0].image[80, 60]) == RED

    sel.set_clips(["boat", "lake", "city"])
    assert "1 of 3 shots" in card.badge.text() and card.apply_button.text() == "Apply to 3 shots"
    before = len(doc.history.titles)
    card.apply_button.click()
    assert [doc.project.find_clip(c)[1].shot.cast for c in ("boat", "lake", "city")] == [[mara]] * 3
    assert len(doc.history.titles) == before + 1
    assert doc.undo_label == "Undo Apply Mara to 2 shots"
    doc.undo()
    assert [doc.project.find_clip(c)[1].shot.cast for c in ("boat", "lake", "city")] == [[mara], [], []]
    assert card.apply_button.text() == "Apply to 3 shots"
    doc.redo()
    assert card.usage.text() == "Used in 3 shots: Boat, Lake, City"
    card.apply_button.click()  # every selected shot uses it: the button takes it off again
    assert all(doc.project.find_clip(c)[1].shot.cast == [] for c in ("boat", "lake", "city"))
    assert doc.undo_label == "Undo Take Mara off 3 shots"
    sel.clear()
    assert card.property("selected") is False and card.badge.text() == ""


def test_remove_says_which_shots_use_the_member_and_undo_brings_both_back(qtbot, panel, ui_document, refs):
    doc, sel = ui_document, panel._selection
    mara, kid = add(qtbot, panel, [png(refs / "mara.png", RED), png(refs / "kid.png", BLUE)])
    sel.set_clips(["boat", "city"])
    panel.apply_to_selected(mara)
    asked = []
    panel.confirm = lambda title, question: asked.append(question) or False
    assert not panel.remove(mara)
    assert "used in 2 shots: Boat, City" in asked[0]
    assert panel.member(mara) is not None and doc.project.find_clip("boat")[1].shot.cast == [mara]
    panel.confirm = lambda title, question: asked.append(question) or True
    panel.card(mara).remove_button.click()
    assert panel.card_ids() == [kid]
    assert doc.project.find_clip("boat")[1].shot.cast == []
    assert doc.undo_label == "Undo Remove cast member"
    doc.undo()
    assert panel.card_ids() == [mara, kid]
    assert doc.project.find_clip("city")[1].shot.cast == [mara]
    assert panel.card(mara).usage.text() == "Used in 2 shots: Boat, City"
    asked.clear()
    assert panel.remove(kid) and asked == []  # unused: nothing to warn about
    assert panel.card_ids() == [mara]


def test_replacing_the_picture_copies_the_new_one_and_is_undoable(qtbot, panel, ui_document, refs):
    [mara] = add(qtbot, panel, [png(refs / "mara.png", RED)])
    card = panel.card(mara)
    qtbot.waitUntil(lambda: card.has_picture, timeout=5000)
    assert replace(qtbot, panel, mara, png(refs / "mara_new.png", BLUE))
    assert panel.member(mara).image == "media/cast/mara_new.png"
    qtbot.waitUntil(lambda: card.has_picture and close_to(picture_colour(card), BLUE), timeout=5000)
    bad = refs / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnope")
    assert not replace(qtbot, panel, mara, bad)
    assert panel.member(mara).image == "media/cast/mara_new.png" and "broken.png" in panel.notice.text()
    ui_document.undo()
    assert panel.member(mara).image == "media/cast/mara.png"
    qtbot.waitUntil(lambda: close_to(picture_colour(card), RED), timeout=5000)


def test_a_project_without_a_folder_keeps_the_absolute_path(qtbot, refs):
    doc = Document(Project(name="Unsaved"))
    panel = CastPanel(doc, Selection())
    qtbot.addWidget(panel)
    source = png(refs / "style.png", BLUE)
    [cast_id] = add(qtbot, panel, [source])
    member = doc.project.cast[0]
    assert member.image == str(source.absolute()) and member.metadata == {"imported": True}
    assert panel.card_ids() == [cast_id]
    panel.shutdown()


def test_undo_redo_from_elsewhere_and_a_new_document_update_the_cards(qtbot, panel, ui_document, refs):
    [mara] = add(qtbot, panel, [png(refs / "mara.png", RED)])
    card = panel.card(mara)
    ui_document.undo()
    assert panel.cards == [] and panel.empty.isVisible()
    ui_document.redo()
    assert panel.card_ids() == [mara] and panel.card(mara).name_edit.text() == "Mara"
    assert card.parent() is None or not card.isVisible()  # the old card went away with the member
    other = Document(Project(name="Other"))
    panel.set_document(other)
    assert panel.cards == [] and panel.summary.text() == ""


def test_default_names_are_readable_and_unique():
    assert default_name("mara_portrait-02.png", set()) == "Mara portrait 02"
    assert default_name("kid.png", {"kid"}) == "Kid 2"
    assert default_name("kid.png", {"kid", "kid 2"}) == "Kid 3"


def test_pictures_come_from_the_window_s_shared_thumbnail_cache(qtbot, ui_document, refs):
    """Docked in the window, the panel shares its provider: pictures land in the project's cache/."""
    from editor.media.thumbnails import ThumbnailCache
    from editor.ui.timeline.thumbnails import ThumbnailProvider

    folder = ui_document.folder
    provider = ThumbnailProvider(lambda media, frame, height: ThumbnailCache(folder, height=height).get(media, frame))
    panel = CastPanel(ui_document, Selection(), thumbnails=provider)
    qtbot.addWidget(panel)
    [cast_id] = add(qtbot, panel, [png(refs / "mara.png", RED)])
    card = panel.card(cast_id)
    qtbot.waitUntil(lambda: card.has_picture, timeout=5000)
    assert close_to(picture_colour(card), RED)
    assert any((folder / "cache" / "thumbnails").glob("*.jpg"))
    provider.shutdown()
