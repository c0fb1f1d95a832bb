"""Small walkthrough defects: a track header's elided name told whole on hover, and a draft shot
added by Edit ▸ Add Draft Shot scrolled into view up or down as well as sideways. A real
TimelineView on the offscreen platform, real mouse moves and real edits."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint
from ui_helpers import move

from editor.document.document import Document
from editor.document.project import AudioClip, AudioTrack, Clip, Project, Take, Track
from editor.ui.playhead import Playhead
from editor.ui.selection import Selection
from editor.ui.timeline import TimelineView
from editor.ui.timeline import commands as timeline

LONG = "Establishing shots for the harbour at dawn, second unit"


def _view(qtbot, project: Project, w: int = 900, h: int = 300) -> TimelineView:
    view = TimelineView(Document(project), Selection(), Playhead(project.fps))
    qtbot.addWidget(view)
    view.resize(w, h)
    view.show()
    qtbot.waitExposed(view)
    return view


def _hover_tip(view: TimelineView, pos: QPoint) -> str:
    move(view.viewport(), pos, held=False)
    return view.viewport().toolTip()


@pytest.mark.parametrize("audio", [False, True])
def test_a_track_header_cut_short_tells_its_whole_name_on_hover(qtbot, audio):
    tracks = [Track(id="v1", name="V1" if audio else LONG), Track(id="v2", name="V2")]
    sounds = [AudioTrack(id="a1", name=LONG if audio else "A1")]
    view = _view(qtbot, Project(fps=Fraction(24), tracks=tracks, audio_tracks=sounds))
    row = 2 if audio else 0
    name_at = QPoint(20, view.geo.track_top(row) + 14)  # on the name, left of the buttons
    assert LONG in _hover_tip(view, name_at)
    view.grab().save(f"/tmp/polish-header-tip-{'audio' if audio else 'video'}.png")
    short = QPoint(20, view.geo.track_top(1) + 14)  # V2 shows whole: no name in its tip
    assert "V2" not in _hover_tip(view, short)
    view.hide()


def test_add_draft_shot_scrolls_up_to_its_track_when_it_is_out_of_view(qtbot):
    v1 = Track(id="v1", name="V1", clips=[
        Clip(id="a", start=0, length=48, takes=[Take(id="ta", media="media/a.mp4", frames=48)])])
    lanes = [AudioTrack(id=f"a{i}", name=f"A{i}", clips=[
        AudioClip(id=f"s{i}", source="/m/song.wav", start=0, length=48, source_frames=48,
                  metadata={"imported": True})]) for i in range(1, 6)]
    view = _view(qtbot, Project(fps=Fraction(24), tracks=[v1], audio_tracks=lanes), h=200)
    geo = view.geo
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())  # looking at the last lanes
    assert geo.track_top(0) + geo.track_h < geo.ruler_h  # V1 is scrolled out of sight above
    doc = view.document
    edit = timeline.add_draft_shot(doc.project, Selection(), seconds=1.0, playhead=0)
    doc.request(edit)
    (new,) = [c for c in doc.project.track("v1").clips if c.id != "a"]
    view.reveal_clip(new.id)
    top = geo.track_top(0)
    assert geo.ruler_h <= top and top + geo.track_h <= view.viewport().height()  # its track shows whole
    assert view.verticalScrollBar().value() == geo.scroll_y
    assert geo.header_w <= geo.x_of(new.start) and geo.x_of(new.end) <= view.viewport().width()
    view.grab().save("/tmp/polish-draft-revealed.png")
    scroll = geo.scroll_y
    view.reveal_clip("a")  # already in view: nothing moves
    assert geo.scroll_y == scroll
    view.hide()


UNBROKEN = "Harbour_establishing_wide_at_dawn_second_unit_take_final_v2"  # one word: wrapping can't help


def test_a_job_title_too_long_for_the_jobs_panel_keeps_its_buttons_in_view(qtbot, gap_document,
                                                                                    tiny_ltx_dir):
    """Found in a walk: a shot named without spaces made its job's title one unbreakable line;
    the row grew wider than the panel and its move / cancel buttons went out of sight."""
    from editor.document.edits import RenameClip, SetShotSettings
    from editor.generation import verbs
    from editor.ui.jobs import GenerationController, JobsPanel

    selection = Selection()
    ctl = GenerationController(gap_document, selection)
    try:
        panel = JobsPanel(ctl)
        qtbot.addWidget(panel)
        ctl.pause_queue()
        gap_document.request(RenameClip(clip_id="b", name=UNBROKEN))
        gap_document.request(SetShotSettings(clip_id="b", model=str(tiny_ltx_dir)))
        selection.set_clip_end("b", "end")
        ids: list[int] = []
        ctl.job_queued.connect(ids.append)
        assert ctl.queue(verbs.EXTEND_FORWARD)
        qtbot.waitUntil(lambda: len(ids) == 1 and panel.shown_ids() == ids)
        panel.resize(300, 300)
        panel.show()
        qtbot.waitExposed(panel)
        row = panel.row(ids[0])
        qtbot.waitUntil(lambda: row.isVisible() and row.title.width() > 0)
        assert UNBROKEN in row.title.toolTip()  # told whole on hover; cut at the row's edge
        assert row.title.fontMetrics().horizontalAdvance(UNBROKEN) > row.title.width()
        for button in (row.up, row.down, row.cancel):
            right = button.mapTo(panel, QPoint(button.width(), 0)).x()
            assert button.isVisible() and right <= panel.width()
        panel.hide()
    finally:
        ctl.shutdown()


def test_a_long_take_name_in_the_inspectors_takes_grid_is_told_whole_on_hover(qtbot, gap_document):
    from editor.ui.inspector import Inspector

    gap_document.project.track("v1").clips[0].takes[0].label = UNBROKEN
    selection = Selection()
    inspector = Inspector(gap_document, selection, models=[])
    qtbot.addWidget(inspector)
    inspector.resize(380, 900)
    inspector.show()
    selection.set_clips(["a"])
    qtbot.waitUntil(lambda: inspector.page == "shot")
    item = inspector.takes_list.item(0)
    assert UNBROKEN in item.toolTip()
    inspector.takes_list.grab().save("/tmp/polish-takes-grid.png")
    inspector.hide()

