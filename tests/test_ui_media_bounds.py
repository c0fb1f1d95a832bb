"""The media bin imports an animated WebP as a moving clip (converted into the project), not a still."""

from __future__ import annotations

from PIL import Image

from editor.media.probe import probe
from editor.ui.main_window import MainWindow


def test_media_bin_imports_an_animated_webp_as_a_video(qtbot, ui_document, tmp_path):
    source = tmp_path / "wave.webp"
    frames = [Image.new("RGB", (32, 18), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    frames[0].save(source, save_all=True, append_images=frames[1:], duration=42, loop=0, lossless=True)
    w = MainWindow(restore_layout=False, ask=False)
    try:
        w.show()
        assert w.open_project_path(ui_document.folder)
        with qtbot.waitSignal(w.media_bin.imported, timeout=30_000) as imported:  # converted off the GUI thread
            w.media_bin.import_files([str(source)])
        (added,) = imported.args[0]
        assert added.startswith(str(w.session.folder / "media")) and added.endswith(".mp4")
        info = probe(added)
        assert info.kind == "video" and info.frames == 3
    finally:
        w.ask_save_changes = lambda: "discard"
        w.close()
