"""Export from the editor (F17): the dialog's fields and checks, the worker thread, progress, cancel,
the result, remembered choices, and the File ▸ Export action. Real ffmpeg; files checked with PyAV."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PySide6.QtCore import Qt, QTimer

from editor.document.edits import DeleteClips
from editor.media.export import CODECS
from editor.media.ffmpeg_bin import has_encoder
from editor.ui.export_dialog import ExportDialog, clock, default_output, parse_time

WAIT_MS = 30000


def small(dialog: ExportDialog, out: Path, width: int = 160, height: int = 90) -> None:
    """A file, a small size and the fastest encoder preset (tests stay quick)."""
    dialog.out_edit.setText(str(out))
    dialog.width_spin.setValue(width)
    dialog.height_spin.setValue(height)
    dialog.speed_combo.setCurrentText("ultrafast")


def run_export(qtbot, dialog: ExportDialog, signal: str = "succeeded"):
    with qtbot.waitSignal(getattr(dialog.runner, signal), timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def probe(path: Path) -> tuple[int, Fraction, int, int, dict]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return (frames, Fraction(stream.average_rate), stream.codec_context.width, stream.codec_context.height,
                dict(container.metadata))


def test_the_whole_cut_is_exported_through_the_dialog_and_the_choices_are_remembered(
        qtbot, make_dialog, tmp_path):
    dialog = make_dialog()
    assert dialog.range_all.isChecked() and not dialog.range_marks.isEnabled()  # no marks set
    codecs = [dialog.codec_combo.itemData(i) for i in range(dialog.codec_combo.count())]
    assert codecs == [c for c, encoder in CODECS.items() if has_encoder(encoder)]
    assert dialog.out_edit.text() == str(tmp_path / "Film.mp4")  # beside the project folder
    out = tmp_path / "renders" / "film.mp4"
    out.parent.mkdir()
    small(dialog, out)
    dialog.crf_spin.setValue(24)
    assert dialog.summary_label.text() == "12.0 s · 288 frames · 160x90 · 24 fps · H.264 CRF 24"
    assert dialog.preset_combo.currentText() == "Custom"
    assert "1 of 4 shots are generated" in dialog.provenance_label.text()  # "City" shows a generated take

    result = run_export(qtbot, dialog)
    assert result.path == out and result.frames == 288
    frames, fps, width, height, metadata = probe(out)
    assert (frames, fps, width, height) == (288, 24, 160, 90)
    assert "AI-generated" in metadata.get("comment", "")  # F21: provenance travels in the file
    assert dialog.page == "result" and dialog.result_title.text() == "Export finished"
    assert dialog.result_text.text() == str(out)
    assert dialog.show_button.isVisible()
    assert dialog.folder_url().toLocalFile() == str(out.parent)

    again = make_dialog()  # a new dialog reads the settings written by the export
    assert again.out_edit.text() == str(out)
    assert (again.width_spin.value(), again.height_spin.value(), again.crf_spin.value()) == (160, 90, 24)
    assert again.speed_combo.currentText() == "ultrafast"


def test_in_to_out_marks_at_another_frame_rate(qtbot, make_dialog, tmp_path):
    dialog = make_dialog(marks=(24, 72))
    assert dialog.range_marks.isChecked()  # marks set: the export starts from them, as in Premiere
    assert "00:00:01:00 – 00:00:03:00" in dialog.range_marks.text()
    small(dialog, tmp_path / "marks.mp4", 320, 180)
    combo = dialog.fps_combo
    combo.setCurrentIndex(next(i for i in range(combo.count()) if combo.itemData(i) == Fraction(48)))
    assert dialog.summary_label.text().startswith("2.0 s · 96 frames · 320x180 · 48 fps")
    run_export(qtbot, dialog)
    frames, fps, width, height, _ = probe(tmp_path / "marks.mp4")
    assert (frames, fps, width, height) == (96, 48, 320, 180)


def test_custom_range_and_invalid_settings_keep_export_disabled_with_a_message(make_dialog, tmp_path):
    dialog = make_dialog()
    small(dialog, tmp_path / "x.mp4")
    dialog.range_custom.setChecked(True)
    assert dialog.in_edit.text() == "00:00:00:00" and dialog.out_edit_range.text() == "00:00:12:00"
    dialog.in_edit.setText("1")
    dialog.out_edit_range.setText("00:00:02:12")
    dialog.refresh()
    assert dialog.export_button.isEnabled()
    assert dialog.summary_label.text().startswith("1.5 s · 36 frames")

    def refused(needle: str) -> None:
        dialog.refresh()
        assert not dialog.export_button.isEnabled()
        assert needle in dialog.issue_label.text() and dialog.issue_label.isVisible()

    dialog.out_edit_range.setText("1")
    refused("The custom range is empty")
    dialog.out_edit_range.setText("soon")
    refused("“soon” is not a time")
    dialog.range_all.setChecked(True)
    assert dialog.export_button.isEnabled()
    dialog.width_spin.setValue(161)
    refused("Width 161 is odd")
    assert dialog.width_spin.property("invalid") is True
    dialog.width_spin.setValue(160)
    dialog.out_edit.setText(str(tmp_path / "no such folder" / "x.mp4"))
    refused("does not exist")
    dialog.out_edit.setText(str(tmp_path / "x.avi"))
    refused("name the file x.mp4")
    dialog.out_edit.setText(str(tmp_path / "fine"))  # no suffix: .mp4 is added
    dialog.refresh()
    assert dialog.export_button.isEnabled() and not dialog.issue_label.isVisible()
    (tmp_path / "fine.mp4").write_bytes(b"old")
    dialog.refresh()
    assert dialog.export_button.isEnabled() and "replaced only once" in dialog.warning_label.text()


def test_presets_fill_the_fields_and_an_edit_makes_them_custom(make_dialog, tmp_path):
    dialog = make_dialog()
    assert dialog.preset_combo.currentText() == "Project size H.264 high"  # the first preset, at first
    assert (dialog.width_spin.value(), dialog.height_spin.value()) == (640, 360)
    dialog.preset_combo.setCurrentText("720p draft")
    dialog.preset_combo.activated.emit(dialog.preset_combo.currentIndex())  # what a user's pick sends
    assert (dialog.width_spin.value(), dialog.height_spin.value(), dialog.crf_spin.value()) == (1280, 720, 26)
    assert dialog.speed_combo.currentText() == "veryfast" and dialog.preset_combo.currentText() == "720p draft"
    assert not dialog.fit_combo.isEnabled()  # same shape as the project: nothing to fit
    dialog.crf_spin.setValue(20)
    assert dialog.preset_combo.currentText() == "Custom"
    dialog.crf_spin.setValue(26)
    assert dialog.preset_combo.currentText() == "720p draft"
    dialog.project_size_button.click()
    assert (dialog.width_spin.value(), dialog.height_spin.value()) == (640, 360)
    if has_encoder("libx265"):  # switching codec keeps "looks like the source" on the new scale
        dialog.preset_combo.setCurrentText("Project size H.264 high")
        dialog.preset_combo.activated.emit(dialog.preset_combo.currentIndex())
        dialog.codec_combo.setCurrentIndex(dialog.codec_combo.findData("h265"))
        assert dialog.crf_spin.value() == 22 and dialog.summary_label.text().endswith("H.265 CRF 22")


def test_cancel_midway_leaves_no_file_and_keeps_an_existing_one(qtbot, make_dialog, tmp_path):
    dialog = make_dialog()
    for name, before in (("new.mp4", None), ("kept.mp4", b"the previous export")):
        out = tmp_path / name
        if before is not None:
            out.write_bytes(before)
        dialog.back_to_settings()
        small(dialog, out, 640, 360)
        seen = []

        def cancel_once(done, total, seen=seen, by_escape=before is not None):
            seen.append(done)
            if len(seen) == 1:  # the Cancel button, or Esc / closing the dialog, stops the export
                if by_escape:
                    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
                else:
                    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)

        dialog.runner.progress.connect(cancel_once)
        text = run_export(qtbot, dialog, "cancelled")
        dialog.runner.progress.disconnect(cancel_once)
        assert seen and seen[0] < 288
        assert "nothing was written" in text
        assert dialog.result_title.text() == "Export cancelled" and not dialog.show_button.isVisible()
        assert dialog.isVisible()  # Esc while running cancels; it does not hide the dialog
        assert (out.read_bytes() if out.exists() else None) == before
        assert not list(tmp_path.glob(".*partial*")), "a partial file was left behind"


def test_the_ui_thread_keeps_running_during_an_export(qtbot, make_dialog, tmp_path):
    dialog = make_dialog()
    small(dialog, tmp_path / "beat.mp4", 640, 360)
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start()
    progress = []
    dialog.runner.progress.connect(lambda done, total: progress.append(done))
    try:
        qtbot.wait(30)  # ticking before the click, so the work Export does on this thread is measured too
        run_export(qtbot, dialog)
    finally:
        heartbeat.stop()
    # the event loop kept turning and heard progress while the export ran (waiting on ffmpeg
    # here would give a tick or two); how long its gaps are is bench's to measure
    assert len(ticks) > 20 and len(progress) > 3
    assert dialog.progress_bar.value() == 288 and "288 of 288 frames" in dialog.progress_text.text()


def test_the_export_uses_the_project_as_it_was_when_export_was_pressed(qtbot, make_dialog, tmp_path):
    dialog = make_dialog()
    small(dialog, tmp_path / "snap.mp4")
    with qtbot.waitSignal(dialog.runner.succeeded, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        dialog.document.request(DeleteClips(clip_ids=("city",)))  # an edit while the export runs
    assert blocker.args[0].frames == 288 and probe(tmp_path / "snap.mp4")[0] == 288
    with av.open(str(tmp_path / "snap.mp4")) as container:
        last = list(container.decode(video=0))[-1].to_ndarray(format="rgb24")
    assert last.mean() > 10, "the deleted shot's frames came out black: the export read the live project"
    assert dialog.project.duration == 216
    dialog.back_to_settings()
    assert dialog.summary_label.text().startswith("9.0 s · 216 frames")


def test_missing_media_are_named_before_anything_starts(qtbot, make_dialog, ui_document, tmp_path):
    dialog = make_dialog()
    small(dialog, tmp_path / "missing.mp4")
    (ui_document.folder / "media" / "sunrise.mp4").unlink()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert not dialog.runner.running and dialog.page == "settings"
    assert "media/sunrise.mp4 (shot “A”)" in dialog.issue_label.text()
    assert not (tmp_path / "missing.mp4").exists()
    dialog.range_custom.setChecked(True)  # a range without that shot exports fine
    dialog.in_edit.setText("4")
    dialog.out_edit_range.setText("5")
    run_export(qtbot, dialog)
    assert probe(tmp_path / "missing.mp4")[0] == 24


def test_a_failing_export_shows_the_media_layers_message(qtbot, make_dialog, ui_document, tmp_path):
    dialog = make_dialog()
    small(dialog, tmp_path / "broken.mp4")
    (ui_document.folder / "media" / "city_night.mp4").write_bytes(b"not a video at all" * 100)
    messages = []
    dialog.message.connect(lambda text, error: messages.append((text, error)))
    text = run_export(qtbot, dialog, "failed")
    assert "Traceback" not in text and "city_night.mp4" in text
    assert dialog.result_title.text() == "Export failed" and dialog.result_text.text() == text
    assert messages and messages[-1][1] is True
    assert not (tmp_path / "broken.mp4").exists()
    qtbot.mouseClick(dialog.findChild(type(dialog.export_button), "export.again"), Qt.MouseButton.LeftButton)
    assert dialog.page == "settings" and dialog.export_button.isEnabled()


def test_file_export_action_opens_the_dialog_from_the_window(qtbot, ui_document, tmp_path):
    from editor.ui.main_window import MainWindow

    w = MainWindow(restore_layout=False, ask=False)
    w.show()
    try:
        assert w.open_project_path(ui_document.folder)
        action = w.actions["file.export"]
        assert action.isEnabled()
        assert [k.toString() for k in action.shortcuts()] == ["Ctrl+E", "Ctrl+M"]
        assert action in w.menus["File"].actions()
        w.playhead.mark_in(24)
        w.playhead.mark_out(47)
        action.trigger()
        dialog = w.export_dialog
        assert dialog.isVisible() and not dialog.isModal() and dialog.range_marks.isChecked()
        small(dialog, tmp_path / "from_window.mp4")
        run_export(qtbot, dialog)
        assert probe(tmp_path / "from_window.mp4")[0] == 24
        assert "Exported from_window.mp4" in w.statusBar().currentMessage()
        w.session.new_project()  # an empty project: nothing to export
        assert not action.isEnabled()
        qtbot.waitUntil(lambda: "Untitled" in dialog.title_label.text())  # a turn after the swap
        assert dialog.page == "settings" and "Untitled" in dialog.title_label.text()  # it follows the session
        assert not dialog.export_button.isEnabled() and "The cut is empty" in dialog.issue_label.text()
        dialog.hide()
    finally:
        w.ask_save_changes = lambda: "discard"
        w.close()


def test_times_paths_and_clocks_in_the_users_words(tmp_path):
    fps = Fraction(24)
    assert parse_time("00:00:02:12", fps) == 60
    assert parse_time("2:12", fps) == 60
    assert parse_time("2.5", fps) == parse_time("2.5s", fps) == 60
    assert parse_time("01:00:00:00", Fraction(30000, 1001)) == 3600 * 30
    for bad in ("", "x", "00:00:01:24", "-1", "1:2:3:4:5"):
        with pytest.raises(ValueError, match="timecode"):
            parse_time(bad, fps)
    folder = tmp_path / "Trip.shotline"
    assert default_output("Trip", folder, {}) == tmp_path / "Trip.mp4"
    assert default_output("A/B: c", folder, {}) == tmp_path / "A_B_ c.mp4"
    remembered = {"outputs": {str(folder): str(tmp_path / "cut.mp4")}}
    assert default_output("Trip", folder, remembered) == tmp_path / "cut.mp4"
    assert default_output("Trip", folder, {"outputs": {str(folder): "/gone/cut.mp4"}}) == tmp_path / "Trip.mp4"
    assert default_output("Trip", None, {"folder": str(tmp_path)}) == tmp_path / "Trip.mp4"
    assert clock(7.4) == "0:07" and clock(750) == "12:30" and clock(3723) == "1:02:03"
