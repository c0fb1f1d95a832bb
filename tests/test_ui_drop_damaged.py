"""Dropping a damaged picture on the timeline is refused with one line (walk: a corrupt PNG was
placed as a black still clip)."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from ui_helpers import drop_files

from editor.ui.playhead import Playhead
from editor.ui.selection import Selection
from editor.ui.timeline import TimelineView


def test_a_damaged_png_dropped_on_a_track_is_refused_and_nothing_changes(qtbot, ui_document, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(50)))  # a PNG cut short
    view = TimelineView(ui_document, Selection(), Playhead(), probe=lambda p: 24)
    refused = []
    view.refused.connect(refused.append)
    qtbot.addWidget(view)
    view.resize(1400, 300)
    view.show()
    before = view.document.project
    assert not drop_files(view.viewport(), QPoint(view.frame_x(10), view.track_y(0)), [bad])
    assert view.document.project is before and not view.document.can_undo
    (line,) = refused
    assert line.startswith("bad.png can't be read as a picture") and "\n" not in line
    good = ui_document.folder / "media" / "lake_at_dawn.png"  # a good picture still goes in
    assert drop_files(view.viewport(), QPoint(view.frame_x(10), view.track_y(0)), [good])
    assert view.document.can_undo
