"""Pictures and waveforms arriving repaint only the rows that show them: a batch of thumbnails
repaints the video tracks (not the sound lanes, the headers or the ruler), a waveform the sound
lanes. Another project is fitted before its first paint, so it is painted once, not twice.
Real media, real loads."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import QEvent, QObject, QRect
from sound_helpers import flash_click_video

from editor.document.document import Document
from editor.document.project import AudioClip, AudioTrack, Clip, Project, Take, Track
from editor.document.storage import save_project
from editor.media.peaks import load_or_compute
from editor.media.thumbnails import ThumbnailCache
from editor.ui.playhead import Playhead
from editor.ui.selection import Selection
from editor.ui.timeline import TimelineView
from editor.ui.timeline.thumbnails import ThumbnailProvider
from editor.ui.timeline.waveforms import WaveformProvider

WAIT_MS = 20000


class _Paints(QObject):
    """The regions the viewport is asked to paint."""

    def __init__(self) -> None:
        super().__init__()
        self.rects: list[QRect] = []

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            self.rects.extend(event.region())
        return False


@pytest.fixture
def view(qtbot, tmp_path):
    folder = tmp_path / "Film.shotline"
    (folder / "media").mkdir(parents=True)
    flash_click_video(folder / "media" / "clip.mp4", "24", 2.0)
    project = Project(name="Film", fps=Fraction(24), width=640, height=360, tracks=[
        Track(id="v1", name="V1", clips=[Clip(id="a", start=0, length=48, name="A",
                                             takes=[Take(id="ta", media="media/clip.mp4", frames=48)])])],
        audio_tracks=[AudioTrack(id="a1", name="A1", clips=[
            AudioClip(id="sa", source="media/clip.mp4", start=0, length=48, source_frames=48, name="A")])])
    save_project(project, folder)
    document = Document(project, folder)
    thumbs = ThumbnailProvider(lambda media, frame, height: ThumbnailCache(folder, height=height).get(
        str(folder / media), frame))
    waves = WaveformProvider(lambda source: load_or_compute(folder, str(folder / source)))
    v = TimelineView(document, Selection(), Playhead(), thumbnails=thumbs, waveforms=waves)
    v._keep = (thumbs, waves)
    qtbot.addWidget(v)
    v.resize(900, 400)
    v.show()
    qtbot.waitExposed(v)
    yield v
    thumbs.shutdown()


def test_arriving_pictures_and_waveforms_repaint_only_their_rows(qtbot, view):
    geo = view.geo
    width = view.viewport().width()
    # right of the headers, below the ruler: V1's row, and A1's row with the line above it
    video = QRect(geo.header_w, geo.ruler_h, width - geo.header_w, geo.track_top(1) - geo.ruler_h)
    sound = QRect(geo.header_w, geo.track_top(1) - geo.track_gap, width - geo.header_w,
                  geo.track_top(2) - geo.track_top(1) + geo.track_gap)
    view.viewport().repaint()  # the first paint asks for the pictures and the waveform
    qtbot.waitUntil(lambda: view._thumbnails.pending == 0 and view.waveforms.get("media/clip.mp4") is not None,
                    timeout=WAIT_MS)
    qtbot.wait(50)  # their repaints are done
    paints = _Paints()
    view.viewport().installEventFilter(paints)
    try:
        for provider, rows in ((view._thumbnails, video), (view.waveforms, sound)):
            paints.rects.clear()
            provider.ready.emit()  # what the provider says when a batch has arrived
            qtbot.waitUntil(lambda: bool(paints.rects), timeout=WAIT_MS)
            assert all(rows.contains(r) for r in paints.rects), (paints.rects, rows)
    finally:
        view.viewport().removeEventFilter(paints)


def test_another_project_is_fitted_and_painted_once(qtbot, view):
    view.viewport().repaint()
    qtbot.wait(50)
    other = Document(Project(name="Other", fps=Fraction(24), width=640, height=360, tracks=[
        Track(id="v9", name="V1", clips=[Clip(id="z", start=0, length=480, name="Z",
                                             takes=[Take(id="tz", media="media/clip.mp4", frames=48)])])]),
        view.document.folder)
    paints = _Paints()
    view.viewport().installEventFilter(paints)
    try:
        view.set_document(other)  # as the window does when it opens another project
        qtbot.wait(50)
        full = [r for r in paints.rects if r == view.viewport().rect()]
        assert len(full) == 1, paints.rects  # fitted before the paint, not in it (which asked for another)
        assert view.geo.x_of(480) <= view.viewport().width()  # the whole cut shows
    finally:
        view.viewport().removeEventFilter(paints)
