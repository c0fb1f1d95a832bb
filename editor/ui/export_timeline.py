"""The Export dialog's timeline formats: the cut for another editor (.otio, .otioz, FCP 7 XML,
FCPXML, EDL) instead of a video.

The Format field picks the file's suffix and the suffix picks the format, so typing `cut.otio`
in the File field works too. A timeline has no codec, size, rate or range (it is the whole cut,
at the project's rate), so those groups are greyed out while one is chosen. Writing one takes a
moment (a .otioz copies the media into the bundle), so it runs on the GUI thread with a busy
cursor and lands on the same result page as a video export.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from editor.media.interchange.formats import FORMATS, timeline_format
from editor.ui.export_form import Check

if TYPE_CHECKING:
    from editor.ui.export_dialog import ExportDialog

VIDEO = ".mp4"
FILTERS = ";;".join(f"{f.title.rsplit(' (', 1)[0]} (*{f.suffix})" for f in FORMATS)


def format_items() -> list[tuple[str, str]]:
    """(suffix, title) for the Format field: the video first, then the timeline formats."""
    return [(VIDEO, "MP4 video (.mp4)"), *((f.suffix, f.title) for f in FORMATS)]


def with_suffix(text: str, suffix: str) -> str:
    """The typed file name with the chosen format's suffix in place of a known one."""
    text = text.strip()
    if not text:
        return text
    path = Path(text)
    known = {VIDEO, ".m4v", ".mov", *(f.suffix for f in FORMATS)}
    if path.suffix.lower() in known:
        path = path.with_suffix("")
    return str(path) + suffix


def follow_path(dialog: ExportDialog, check: Check) -> None:
    """After each check: the Format field shows the file's format, the video and range groups
    are greyed out for a timeline, and the summary says what a timeline export writes."""
    fmt = timeline_format(dialog.out_edit.text().strip()) if dialog.out_edit.text().strip() else None
    suffix = fmt.suffix if fmt is not None else VIDEO
    index = dialog.format_combo.findData(suffix)
    if index >= 0 and index != dialog.format_combo.currentIndex():
        with dialog._quietly():
            dialog.format_combo.setCurrentIndex(index)
    for widget in (dialog.preset_combo, dialog.video_box, dialog.range_box):  # a video's choices
        widget.setEnabled(fmt is None)
    # a timeline file is not signed (C2PA is for the video): its proof checkboxes don't apply
    dialog.c2pa_check.setEnabled(fmt is None)
    dialog.c2pa_prompts_check.setEnabled(fmt is None and dialog.c2pa_check.isChecked())
    if fmt is None:
        return
    dialog.provenance_label.setVisible(False)
    if check.ok:
        project = dialog.project
        clips = sum(len(t.clips) for t in project.tracks)
        dialog.summary_label.setText(f"{fmt.title} · the whole cut · {clips} shot{'s' if clips != 1 else ''}"
                                     + (" · takes and recipes kept" if fmt.keeps_recipes else ""))


def export_now(dialog: ExportDialog, check: Check) -> bool:
    """Write the timeline `check` describes and show the result page; True when written."""
    from editor.media.errors import MediaError
    from editor.media.interchange.write import export_timeline

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        result = export_timeline(dialog.project, dialog.folder, check.out_path)
    except MediaError as exc:
        dialog._on_failed(str(exc))
        return False
    finally:
        QApplication.restoreOverrideCursor()
    dialog.result = result  # "Show in Folder" opens the folder of its `path`
    dialog._show_result("Export finished", str(result.path), "\n".join([result.describe().split(" — ", 1)[-1],
                                                                         *result.notes]), can_show=True)
    dialog.message.emit(f"Exported {result.path.name} ({result.format.title})", False)
    return True
