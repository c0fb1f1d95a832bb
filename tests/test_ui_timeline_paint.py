"""Timeline painting limited to what is exposed: the same pixels as a full repaint, for less work."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

from editor.ui.playhead import Playhead
from editor.ui.selection import Selection
from editor.ui.timeline import TimelineView
from editor.ui.timeline.painter import TimelinePainter


def _render(state, exposed=None) -> QImage:
    """The painter's picture of `state`; with `exposed`, painted only there (over magenta, as
    Qt clips a widget's paint to its update region)."""
    image = QImage(state.width, state.height, QImage.Format.Format_RGB32)
    image.fill(QColor(255, 0, 255))
    p = QPainter(image)
    if exposed is not None:
        clip = QRect()
        for r in exposed:
            clip = clip.united(r)
        p.setClipRect(clip)
    TimelinePainter().paint(p, state, exposed)
    p.end()
    return image


def _same_inside(a: QImage, b: QImage, rect: QRect) -> bool:
    return a.copy(rect) == b.copy(rect)


def test_a_partial_repaint_draws_clips_cut_by_the_exposed_rect_as_a_full_one_does(qtbot, ui_document):
    view = TimelineView(ui_document, Selection(), Playhead())
    qtbot.addWidget(view)
    view.resize(1200, 300)
    view.show()
    view.set_zoom(3.0)
    view.horizontalScrollBar().setValue(0)
    view._selection.set_clips(["boat"])  # selected: a bright outline; Boat has a keyframe at its start
    state = view.paint_state()
    full = _render(state)
    geo = state.geo
    top = geo.track_top(1)
    key_x = round(geo.x_of(96 + 0.5))  # Boat's keyframe diamond, 5-6 px either side of this
    cases = [
        QRect(round(geo.x_of(30)), top + 5, 40, 40),  # the middle of clip A: body and name strip
        QRect(key_x + 3, top, 6, geo.track_h),  # only the right tip of the keyframe diamond
        QRect(round(geo.x_of(160)), top, 80, geo.track_h),  # Boat's end and Lake's start
        QRect(0, top, 120, 30),  # the track's header only
    ]
    for rect in cases:
        partial = _render(state, [rect])
        assert _same_inside(full, partial, rect), rect
    # the picked end of clip A: its arrow points 9 px out into the gap after A
    view._selection.set_clip_end("a", "end")
    state = view.paint_state()
    full = _render(state)
    rect = QRect(round(geo.x_of(72)) + 4, top, 6, geo.track_h)  # the arrow's tip only, A itself not
    assert _same_inside(full, _render(state, [rect]), rect)
    # several rects at once (a playhead's old and new place): each as in the full picture
    rects = [QRect(round(geo.x_of(20)), 0, 21, 300), QRect(round(geo.x_of(200)), 0, 21, 300), QRect(0, 0, 168, 30)]
    partial = _render(state, rects)
    for rect in rects:
        assert _same_inside(full, partial, rect.intersected(QRect(0, 0, state.width, state.height))), rect


class _PaintRegions(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.regions: list[list[QRect]] = []

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            self.regions.append(list(event.region()))
        return False


def test_a_playhead_move_repaints_only_its_old_and_new_place_and_the_timecode(qtbot, ui_document):
    playhead = Playhead()
    view = TimelineView(ui_document, Selection(), playhead)
    qtbot.addWidget(view)
    view.resize(1200, 300)
    view.show()
    view.set_zoom(3.0)
    view.horizontalScrollBar().setValue(0)
    playhead.set_frame(10)
    QApplication.processEvents()  # the first move after showing repaints everything
    spy = _PaintRegions()
    view.viewport().installEventFilter(spy)
    try:
        for frame in (40, 41, 120):
            playhead.set_frame(frame)
            QApplication.processEvents()
    finally:
        view.viewport().removeEventFilter(spy)
    assert spy.regions
    painted = [r for rects in spy.regions for r in rects]
    width = view.viewport().width()
    assert sum(r.width() * r.height() for r in painted) < 0.2 * width * view.viewport().height() * len(spy.regions)
    # what is on screen after the partial repaints is what a full repaint shows
    screen = QApplication.primaryScreen().grabWindow(view.winId()).toImage()
    fresh = view.grab().toImage()
    vp = view.viewport().geometry()
    assert _same_inside(screen, fresh, QRect(0, 0, vp.width(), vp.height()).translated(vp.topLeft()))
