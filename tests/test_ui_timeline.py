"""The timeline widget with real mouse, wheel and drop events: moves, trims, drops, gaps, zoom."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from ui_helpers import click, drag, drop_files, move, press, release, wheel

from editor.document.edits import MoveClips
from editor.ui.playhead import Playhead
from editor.ui.selection import Selection
from editor.ui.timeline import TimelineView
from editor.ui.timeline.geometry import TimelineGeometry
from editor.ui.timeline.hits import hit_test

PX = 3.0  # pixels per frame in these tests


@pytest.fixture
def view(qtbot, ui_document):
    from editor.media.probe import probe

    selection, playhead = Selection(), Playhead()
    v = TimelineView(ui_document, selection, playhead, probe=lambda p: probe(p).frames)
    v.messages = []
    v.message.connect(v.messages.append)
    v.refused.connect(v.messages.append)
    qtbot.addWidget(v)
    v.resize(1400, 300)
    v.show()
    v.set_zoom(PX)
    v.horizontalScrollBar().setValue(0)
    yield v
    v.selection_obj = None


def clip(view, cid):
    return view.document.project.find_clip(cid)


def x(view, frame):
    return view.frame_x(frame)


V1 = 1  # row of track V1 (V2 is on top)


def test_drag_moves_a_clip_and_undo_puts_it_back(view):
    doc = view.document
    y = view.track_y(V1)
    # move the still "Lake" [168, 216) left into nothing: refused because "Boat" is there;
    # move "A" [0,72) right by 6 frames instead (into the gap)
    drag(view.viewport(), QPoint(x(view, 30), y), QPoint(x(view, 36), y))
    assert clip(view, "a")[1].start == 6
    assert view._selection.clips == ("a",)
    doc.undo()
    assert clip(view, "a")[1].start == 0


def test_drag_across_tracks_moves_the_clip_to_the_other_track(view):
    y1, y2 = view.track_y(V1), view.track_y(0)
    drag(view.viewport(), QPoint(x(view, 190), y1), QPoint(x(view, 190), y2))
    track, c = clip(view, "lake")
    assert track.id == "v2" and c.start == 168


def test_a_refused_move_changes_nothing_and_says_why(view):
    before = [(c.id, c.start) for c in view.document.project.track("v1").clips]
    y = view.track_y(V1)
    # drag "A" 30 frames right: it would overlap "Boat" at 96
    drag(view.viewport(), QPoint(x(view, 30), y), QPoint(x(view, 60), y))
    assert [(c.id, c.start) for c in view.document.project.track("v1").clips] == before
    assert any("overlap" in m for m in view.messages)
    assert not view.document.can_undo


def test_edge_drag_trims_and_picks_the_clip_end(view):
    y = view.track_y(V1)
    end_x = x(view, 72) - 2  # inside the edge zone of A's end
    drag(view.viewport(), QPoint(end_x, y), QPoint(end_x - 30, y))
    a = clip(view, "a")[1]
    assert a.length == 62  # 30 px / 3 px per frame = 10 frames shorter
    assert view._selection.clip_end is not None and view._selection.clip_end.side == "end"


def test_clicking_a_clip_edge_selects_it_for_extend(view):
    y = view.track_y(V1)
    click(view.viewport(), QPoint(x(view, 216) + 2, y))  # start edge of "City"
    end = view._selection.clip_end
    assert end is not None and (end.clip_id, end.side) == ("city", "start")
    assert clip(view, "city")[1].start == 216  # a click does not trim


def test_gap_highlights_under_the_mouse_and_is_selected_by_a_click(view):
    y = view.track_y(V1)
    pos = QPoint(x(view, 84), y)
    move(view.viewport(), pos, held=False)
    assert view._hover is not None and view._hover.kind == "gap"
    assert view.paint_state().hover.gap.start == 72
    click(view.viewport(), pos)
    gap = view._selection.gap
    assert gap is not None and (gap.track_id, gap.start, gap.length) == ("v1", 72, 24)


def test_ctrl_click_and_rubber_band_select_several_clips(view):
    y = view.track_y(V1)
    click(view.viewport(), QPoint(x(view, 30), y))
    click(view.viewport(), QPoint(x(view, 190), y), Qt.KeyboardModifier.ControlModifier)
    assert set(view._selection.clips) == {"a", "lake"}
    click(view.viewport(), QPoint(x(view, 190), y), Qt.KeyboardModifier.ControlModifier)
    assert view._selection.clips == ("a",)
    # rubber band from empty space on V2 down over Boat and Lake
    drag(view.viewport(), QPoint(x(view, 120), view.track_y(0)), QPoint(x(view, 200), y))
    assert set(view._selection.clips) == {"boat", "lake"}


def test_dragging_a_keyframe_moves_it(view):
    y = view.geo.track_top(V1) + view.geo.track_h - 9  # the keyframe band
    kx = x(view, 96) + 1  # Boat's keyframe at offset 0
    drag(view.viewport(), QPoint(kx, y), QPoint(kx + 60, y))
    k = clip(view, "boat")[1].keyframes[0]
    assert k.frame == 20
    assert view._selection.keyframe.keyframe_id == "kf-boat"


def test_scrubbing_the_ruler_moves_the_playhead(view):
    drag(view.viewport(), QPoint(x(view, 10), 10), QPoint(x(view, 100), 10))
    assert view._playhead.frame == 100


def test_ctrl_wheel_zooms_at_the_mouse_and_plain_wheel_scrolls(view):
    before = view.geo.px_per_frame
    pos = QPoint(x(view, 100), view.track_y(V1))
    wheel(view.viewport(), pos, 120, Qt.KeyboardModifier.ControlModifier)
    assert view.geo.px_per_frame > before
    assert abs(view.geo.frame_at(pos.x()) - 100) <= 1  # the frame under the mouse stays put
    view.zoom_out()
    view.zoom_out()
    assert view.geo.px_per_frame < before
    scroll = view.geo.scroll_x
    view.set_zoom(PX * 4)
    wheel(view.viewport(), pos, -240)
    assert view.geo.scroll_x > scroll


def test_snapping_pulls_a_dragged_clip_onto_a_neighbour_edge(view):
    y = view.track_y(V1)
    # drag A right by 23 frames: its end (72 + 23 = 95) is 1 frame from Boat's start (96): snaps to 24
    drag(view.viewport(), QPoint(x(view, 30), y), QPoint(x(view, 53), y))
    assert clip(view, "a")[1].start == 24
    view.document.undo()
    view.snapping = False
    drag(view.viewport(), QPoint(x(view, 30), y), QPoint(x(view, 53), y))
    assert clip(view, "a")[1].start == 23


def test_dropping_an_image_on_a_draft_pins_a_keyframe(view, ui_document):
    image = ui_document.folder / "media" / "lake_at_dawn.png"
    assert drop_files(view.viewport(), QPoint(x(view, 130), view.track_y(V1)), [image])
    boat = clip(view, "boat")[1]
    frames = sorted(k.frame for k in boat.keyframes)
    assert frames == [0, 34]
    view.document.undo()
    assert len(clip(view, "boat")[1].keyframes) == 1


def test_dropping_images_and_videos_on_empty_track_space_adds_clips(qtbot, view, ui_document):
    media = ui_document.folder / "media"
    with qtbot.waitSignal(view.dropped):  # the video is read off the GUI thread first
        assert drop_files(view.viewport(), QPoint(x(view, 10), view.track_y(0)),
                          [media / "lake_at_dawn.png", media / "sunrise.mp4"])
    v2 = view.document.project.track("v2").clips
    assert [(c.start, c.length, c.take.is_still) for c in v2] == [(10, 72, True), (82, 72, False)]
    assert view.document.history.titles[-1] == "Add 2 clips"
    # one undo step removes both
    view.document.undo()
    assert view.document.project.track("v2").clips == []


def test_dropping_below_the_last_track_adds_a_track(qtbot, view, ui_document):
    before = len(view.document.project.tracks)
    with qtbot.waitSignal(view.dropped):
        assert drop_files(view.viewport(), QPoint(x(view, 10), 260), [ui_document.folder / "media" / "city_night.mp4"])
    assert len(view.document.project.tracks) == before + 1
    assert view.document.project.tracks[-1].clips[0].length == 72


def test_a_drop_snaps_onto_a_clip_edge_like_a_move(view, qtbot):
    image = str(view.document.folder / "media" / "lake_at_dawn.png")
    # on empty V2, two frames after the end of "A" [0,72) on V1: lands on 72, no gap
    assert drop_files(view.viewport(), QPoint(x(view, 74) + 1, view.track_y(0)), [image])
    assert [c.start for c in view.document.project.track("v2").clips] == [72]
    view.document.undo()
    view.snapping = False
    assert drop_files(view.viewport(), QPoint(x(view, 74) + 1, view.track_y(0)), [image])
    assert [c.start for c in view.document.project.track("v2").clips] == [74]
    view.document.undo()
    view.snapping = True
    # a one-second still dropped a frame into V1's 24-frame gap [72, 96) fills it exactly
    view.still_seconds = 1.0
    assert drop_files(view.viewport(), QPoint(x(view, 73) + 1, view.track_y(V1)), [image])
    added = [c for c in view.document.project.track("v1").clips if c.id not in ("a", "boat", "lake", "city")]
    assert [(c.start, c.length) for c in added] == [(72, 24)]


def test_dropping_a_file_the_editor_cant_use_is_refused(view, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert not drop_files(view.viewport(), QPoint(x(view, 10), view.track_y(0)), [text])
    assert not view.document.can_undo


def test_header_buttons_hide_and_remove_tracks(view):
    from editor.ui.timeline.hits import header_buttons

    bx, by, bw, bh = header_buttons(view.geo, 0)["header_hide"]
    click(view.viewport(), QPoint(bx + bw // 2, by + bh // 2))
    assert view.document.project.track("v2").hidden
    bx, by, bw, bh = header_buttons(view.geo, 0)["header_remove"]
    click(view.viewport(), QPoint(bx + bw // 2, by + bh // 2))
    assert [t.id for t in view.document.project.tracks] == ["v1"]


def test_the_header_x_asks_before_removing_a_track_with_clips(view):
    from editor.ui.timeline.hits import header_buttons

    asked = []
    answer = [False]
    view.confirm = lambda title, text: asked.append(text) or answer[0]
    doc = view.document
    bx, by, bw, bh = header_buttons(view.geo, V1)["header_remove"]
    click(view.viewport(), QPoint(bx + bw // 2, by + bh // 2))  # V1 holds 4 clips: "Cancel"
    assert asked and "V1 and the 4 clips on it" in asked[0]
    assert [t.id for t in doc.project.tracks] == ["v2", "v1"] and not doc.can_undo
    answer[0] = True
    click(view.viewport(), QPoint(bx + bw // 2, by + bh // 2))
    assert [t.id for t in doc.project.tracks] == ["v2"]
    assert doc.history.titles == ("Remove track",)  # one undoable edit
    assert view.messages[-1] == "Removed V1 and its 4 clips"
    doc.undo()
    assert len(doc.project.track("v1").clips) == 4
    asked.clear()
    bx, by, bw, bh = header_buttons(view.geo, 0)["header_remove"]
    click(view.viewport(), QPoint(bx + bw // 2, by + bh // 2))  # V2 is empty: no question
    assert not asked and [t.id for t in doc.project.tracks] == ["v1"]


def test_job_overlay_marks_the_target_until_cleared(view):
    from editor.document.plans import Target

    target = Target(track_id="v1", clip_id=None, start=72, length=24, segments=())
    view.set_job_overlay(target, 0.25, None)
    overlay = view.job_overlays[target]
    assert (overlay.track_id, overlay.start, overlay.length, overlay.progress) == ("v1", 72, 24, 0.25)
    view.set_job_overlay(target, 0.5, None)
    assert view.job_overlays[target].progress == 0.5
    view.grab()  # paints the overlay
    view.set_job_overlay(target, None)
    assert view.job_overlays == {}


def test_paint_with_a_thousand_clips_visits_only_visible_ones(qtbot):
    from editor.document.document import Document
    from editor.document.samples import sample_project
    from editor.ui.timeline import hits

    doc = Document(sample_project(tracks=4, clips_per_track=250))
    v = TimelineView(doc, Selection(), Playhead())
    qtbot.addWidget(v)
    v.resize(1200, 400)
    v.show()
    v.set_zoom(4.0)
    calls = []
    original = hits.visible_clips

    def counting(track, first, last):
        out = original(track, first, last)
        calls.append(len(out))
        return out

    import editor.ui.timeline.painter as painter

    painter.visible_clips = counting
    try:
        v.grab()
    finally:
        painter.visible_clips = original
    assert 0 < sum(calls) < 60  # about 1,000 px / (60 frames * 4 px) per track


def test_hit_test_finds_edges_bodies_gaps_and_the_ruler(ui_document):
    geo = TimelineGeometry(px_per_frame=2.0)
    project = ui_document.project
    y = geo.track_top(V1) + 30
    assert hit_test(project, geo, geo.x_of(20), y).kind == "clip"
    assert hit_test(project, geo, geo.x_of(72) - 2, y).kind == "clip_end"
    assert hit_test(project, geo, geo.x_of(96) + 2, y).kind == "clip_start"
    assert hit_test(project, geo, geo.x_of(80), y).kind == "gap"
    assert hit_test(project, geo, geo.x_of(400), y).kind == "track"
    assert hit_test(project, geo, geo.x_of(10), 5).kind == "ruler"
    assert hit_test(project, geo, 20, y).kind == "header"


def test_moves_from_the_document_repaint_without_stale_clips(view):
    view.document.request(MoveClips(clip_ids=("lake",), delta=0, to_track="v2"))
    state = view.paint_state()
    assert [c.id for c in state.project.track("v2").clips] == ["lake"]
    view.grab()


def test_press_release_without_moving_keeps_clips_in_place(view):
    y = view.track_y(V1)
    press(view.viewport(), QPoint(x(view, 30), y))
    release(view.viewport(), QPoint(x(view, 30), y))
    assert clip(view, "a")[1].start == 0
    assert not view.document.can_undo




def test_thousands_of_paint_calls_do_not_exhaust_none(qtbot, ui_document):
    """PySide6 6.12.0 dropped a reference to None on each void call (we pin a clean version)."""
    import sys

    view = TimelineView(ui_document, Selection(), Playhead())
    qtbot.addWidget(view)
    view.resize(800, 300)
    view.show()
    view.viewport().repaint()
    before = sys.getrefcount(None)
    for _ in range(300):  # ~100 void painter calls each: far past None's own count on 3.11
        view.viewport().repaint()
    assert sys.getrefcount(None) > before - 1000


def test_dragging_a_track_header_reorders_the_tracks_and_undo_puts_them_back(view):
    doc = view.document
    names = lambda: [t.name for t in doc.project.tracks]  # noqa: E731
    assert names() == ["V2", "V1"]
    header_x = 40  # on the header, left of its buttons
    press(view.viewport(), QPoint(header_x, view.track_y(0)))
    for y in range(view.track_y(0), view.track_y(1) + 1, 12):
        move(view.viewport(), QPoint(header_x, y))
    state = view.paint_state()
    assert state.track_drag == (0, 1) and view.messages[-1] == "Move V2 below V1"
    view.grab()  # paints the insertion line without error
    release(view.viewport(), QPoint(header_x, view.track_y(1)))
    assert names() == ["V1", "V2"]
    assert [c.id for c in doc.project.tracks[0].clips][:1] == ["a"]  # the clips came along
    assert view.paint_state().picked_track == "v2"  # the dragged track stays picked
    doc.undo()
    assert names() == ["V2", "V1"]
    doc.redo()
    assert names() == ["V1", "V2"]
    # a click without moving picks the track and changes nothing
    click(view.viewport(), QPoint(header_x, view.track_y(0)))
    assert names() == ["V1", "V2"] and view.selected_track_id() == "v1"
    assert view._selection.kind == "none"


def test_snap_targets_are_clip_edges_the_playhead_and_keyframes():
    """The one snapping implementation (editor/ui/timeline/snapping.py), for moves and drops."""
    from editor.document.project import Clip, Keyframe, Project, Track
    from editor.ui.timeline.snapping import snap, snap_targets

    p = Project(tracks=[
        Track(id="v1", name="V1", clips=[Clip(id="a", start=0, length=48), Clip(id="b", start=60, length=24),
                                         Clip(id="c", start=100, length=30,
                                              keyframes=[Keyframe(id="k", image="k.png", frame=10)])]),
        Track(id="v2", name="V2", keyframes=[Keyframe(id="kt", image="t.png", frame=200)]),
    ])
    pts = snap_targets(p, playhead=75, exclude={"b"})
    assert pts == [0, 48, 75, 100, 110, 130, 200]
    assert (snap([46], pts, 3), snap([44], pts, 3), snap([77], pts, 3)) == (2, 0, -2)
    # b moved by +14 (edges 74, 98): its start is one from the playhead, its end two from c
    assert snap([74, 98], pts, 3) == 1
    assert snap([74, 98], [q for q in pts if q != 75], 3) == 2
