"""Importing a damaged picture says so in one line and changes nothing (walk: two corrupt PNGs
were "Imported 2 files", copied into media/, listed black and made the project unsaved)."""

from __future__ import annotations

from PIL import Image

from editor.ui.main_window import MainWindow


def test_a_damaged_png_is_refused_with_one_line_and_nothing_changes(qtbot, ui_document, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(50)))  # a PNG cut short
    good = tmp_path / "good.png"
    Image.new("RGB", (32, 18), (200, 10, 10)).save(good)
    w = MainWindow(restore_layout=False, ask=False)
    try:
        w.show()
        assert w.open_project_path(ui_document.folder)
        messages = []
        w.media_bin.message.connect(messages.append)
        media = w.session.folder / "media"
        before = sorted(p.name for p in media.iterdir()) if media.is_dir() else []
        with qtbot.waitSignal(w.media_bin.imported, timeout=30_000) as imported:
            w.media_bin.import_files([str(bad)])
        assert imported.args[0] == []
        assert not w.session.dirty
        assert (sorted(p.name for p in media.iterdir()) if media.is_dir() else []) == before
        (line,) = messages
        assert line.startswith("bad.png was not imported") and "\n" not in line
        with qtbot.waitSignal(w.media_bin.imported, timeout=30_000) as imported:  # a good one still goes in
            w.media_bin.import_files([str(bad), str(good)])
        assert [p.rsplit("/", 1)[-1] for p in imported.args[0]] == ["good.png"]
    finally:
        w.ask_save_changes = lambda: "discard"
        w.close()
