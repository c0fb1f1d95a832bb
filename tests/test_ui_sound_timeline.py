"""Audio lanes in the timeline, with real decoded sound: lanes below the video tracks, waveforms
computed off the GUI thread and cached, M/S buttons, linked sound following its picture, gain and
fade handles, audio files dropped on the lanes."""

from __future__ import annotations

import threading
from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor
from sound_helpers import flash_click_video, tone
from ui_helpers import click, drag, drop_files

from editor.document.document import Document
from editor.document.project import AudioClip, AudioTrack, Clip, Project, Take, Track
from editor.document.storage import save_project
from editor.media.peaks import PEAKS_FOLDER, load_or_compute
from editor.ui.playhead import Playhead
from editor.ui.selection import Selection
from editor.ui.theme import color
from editor.ui.timeline import TimelineView
from editor.ui.timeline import audio_hits as ah
from editor.ui.timeline.hits import hit_test
from editor.ui.timeline.waveforms import WaveformProvider

PX = 4.0


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    d = tmp_path_factory.mktemp("sound_media")
    return {"video": flash_click_video(d / "clicks.mp4", "24", 3.0),
            "music": tone(d / "music.wav", seconds=2.0, volume=0.5)}


@pytest.fixture
def sound_document(tmp_path, media):
    import shutil

    folder = tmp_path / "Film.shotline"
    (folder / "media").mkdir(parents=True)
    shutil.copy(media["video"], folder / "media" / "clicks.mp4")
    shutil.copy(media["music"], folder / "media" / "music.wav")
    v1 = Track(id="v1", name="V1", clips=[
        Clip(id="a", start=0, length=72, name="A", link="L1",
             takes=[Take(id="ta", media="media/clicks.mp4", frames=72)])])
    a1 = AudioTrack(id="a1", name="A1", clips=[
        AudioClip(id="sa", source="media/clicks.mp4", start=0, length=72, source_frames=72, name="A", link="L1")])
    a2 = AudioTrack(id="a2", name="A2", clips=[
        AudioClip(id="music", source="media/music.wav", start=100, length=48, source_frames=48, name="music")])
    project = Project(name="Film", fps=Fraction(24), width=640, height=360, tracks=[v1], audio_tracks=[a1, a2])
    save_project(project, folder)
    return Document(project, folder)


def _provider(document: Document, parent) -> WaveformProvider:
    return WaveformProvider(lambda source: load_or_compute(document.folder, source), parent=parent)


@pytest.fixture
def view(qtbot, sound_document):
    v = TimelineView(sound_document, Selection(), Playhead(), still_seconds=2.0)
    v.waveforms = _provider(sound_document, v)
    v.waveforms.ready.connect(v.viewport().update)
    v.messages = []
    v.message.connect(v.messages.append)
    v.refused.connect(v.messages.append)
    qtbot.addWidget(v)
    v.resize(1200, 420)
    v.show()
    v.set_zoom(PX)
    v.horizontalScrollBar().setValue(0)
    return v


def row_y(view, row: int) -> int:
    return view.track_y(row)


def test_audio_lanes_are_painted_below_the_video_tracks_with_waveforms(qtbot, view):
    project = view.document.project
    assert hit_test(project, view.geo, view.frame_x(30), row_y(view, 0)).kind == "clip"
    assert hit_test(project, view.geo, view.frame_x(30), row_y(view, 1) + 10).kind == "aclip"
    assert hit_test(project, view.geo, view.frame_x(120), row_y(view, 2) + 10).clip_id == "music"
    assert hit_test(project, view.geo, 20, row_y(view, 1)).kind == "aheader"
    view.grab()  # the first paint asks for the waveforms
    qtbot.waitUntil(lambda: view.waveforms.get("media/music.wav") is not None
                    and view.waveforms.get("media/clicks.mp4") is not None, timeout=20000)
    image = view.grab().toImage()
    # the sound's body is the audio colour, in the A2 row, below V1
    body_top, body_h = ah.body(view.geo, 2)
    wave = QColor(color("waveform"))
    xs = range(view.frame_x(102), view.frame_x(146))
    mid = int(body_top + body_h / 2)
    # the tone (peaks 0.35) reaches well above the middle line
    high = int(mid - 0.25 * body_h / 2)
    assert any(_near(image.pixelColor(x, high), wave) for x in xs)
    assert any(_near(image.pixelColor(x, mid), wave) for x in xs)
    # an empty stretch of the lane shows no waveform
    assert not any(_near(image.pixelColor(x, high), wave) for x in range(view.frame_x(160), view.frame_x(200)))


def _near(a: QColor, b: QColor, tol: int = 100) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < tol


def test_waveform_peaks_are_computed_off_the_gui_thread_and_cached(qtbot, sound_document):
    from PySide6.QtCore import QObject

    owner = QObject()
    provider = _provider(sound_document, owner)
    assert provider.get("media/music.wav") is None  # answers at once: computing in the background
    qtbot.waitUntil(lambda: provider.get("media/music.wav") is not None, timeout=20000)
    assert threading.current_thread() is threading.main_thread()
    assert provider.last_thread != threading.current_thread().name
    assert provider.last_thread.startswith("shotline-background")
    assert provider.last_from_cache is False
    cached = list((sound_document.folder / PEAKS_FOLDER).glob("*.npy"))
    assert len(cached) == 1
    peaks = provider.get("media/music.wav")
    # 2 s of a tone peaking at 0.35 with clicks of 0.9 on top: loud blocks at the clicks only
    assert float(peaks.data[:, 1].max()) > 0.95
    assert 0.3 < float(peaks.data[len(peaks.data) // 2 + 3, 1]) < 0.4
    # a second open reads the file written the first time
    again = _provider(sound_document, owner)
    again.get("media/music.wav")
    qtbot.waitUntil(lambda: again.get("media/music.wav") is not None, timeout=20000)
    assert again.last_from_cache is True
    assert (again.get("media/music.wav").data == peaks.data).all()


def test_peak_columns_at_any_zoom_come_from_the_base_blocks(sound_document):
    peaks, _ = load_or_compute(sound_document.folder, "media/music.wav")
    one_per_second = peaks.columns(0, 48000, 2)
    assert one_per_second.shape == (2, 2)
    assert (one_per_second[:, 1] > 0.85).all()  # each second holds a click
    fine = peaks.columns(12000, 24, 100)  # zoomed in past one block per column
    assert 0.3 < float(fine[:, 1].max()) < 0.4
    assert (peaks.columns(10 * 48000, 480, 5) == 0).all()  # past the sound: silence


def test_mute_and_solo_buttons_are_undoable_edits(view):
    doc = view.document
    buttons = ah.audio_header_buttons(view.geo, 1)
    mx, my, bw, bh = buttons["aheader_mute"]
    click(view.viewport(), QPoint(mx + bw // 2, my + bh // 2))
    assert doc.project.audio_track("a1").muted
    assert doc.undo_label == "Undo Mute track"
    sx, sy, _, _ = ah.audio_header_buttons(view.geo, 2)["aheader_solo"]
    click(view.viewport(), QPoint(sx + bw // 2, sy + bh // 2))
    assert doc.project.audio_track("a2").solo
    doc.undo()
    assert not doc.project.audio_track("a2").solo
    doc.undo()
    assert not doc.project.audio_track("a1").muted
    doc.redo()
    assert doc.project.audio_track("a1").muted


def test_dragging_a_linked_video_clip_moves_its_sound(view):
    doc = view.document
    y = row_y(view, 0)
    drag(view.viewport(), QPoint(view.frame_x(30), y), QPoint(view.frame_x(40), y))
    assert doc.project.find_clip("a")[1].start == 10
    assert doc.project.find_audio_clip("sa")[1].start == 10
    doc.undo()
    assert doc.project.find_audio_clip("sa")[1].start == 0
    assert doc.project.find_clip("a")[1].start == 0
    # and the other way: dragging the sound takes the picture along
    drag(view.viewport(), QPoint(view.frame_x(30), row_y(view, 1) + 12), QPoint(view.frame_x(35), row_y(view, 1) + 12))
    assert doc.project.find_audio_clip("sa")[1].start == 5
    assert doc.project.find_clip("a")[1].start == 5


def test_ghosts_show_the_sound_following_while_dragging(view):
    from ui_helpers import move, press, release

    y = row_y(view, 0)
    press(view.viewport(), QPoint(view.frame_x(30), y))
    move(view.viewport(), QPoint(view.frame_x(36), y))
    move(view.viewport(), QPoint(view.frame_x(42), y))
    ghosts = view.paint_state().ghosts
    assert {(g.track_index, g.start) for g in ghosts} == {(0, 12), (1, 12)}
    release(view.viewport(), QPoint(view.frame_x(42), y))


def test_gain_line_and_fade_handles_drag_into_undoable_edits(view):
    doc = view.document
    clip = doc.project.find_audio_clip("music")[1]
    gy = round(ah.gain_y(view.geo, 2, 0.0))
    x = view.frame_x(124)
    assert hit_test(doc.project, view.geo, x, gy).kind == "aclip_gain"
    target = round(ah.gain_y(view.geo, 2, -30.0))
    drag(view.viewport(), QPoint(x, gy), QPoint(x, target))
    assert clip.gain_db == pytest.approx(-30.0, abs=2.0)
    doc.undo()
    assert doc.project.find_audio_clip("music")[1].gain_db == 0.0
    fin, fout, fy = ah.fade_handles(view.geo, 2, doc.project.find_audio_clip("music")[1])
    assert hit_test(doc.project, view.geo, fin + 1, fy).kind == "aclip_fade_in"
    drag(view.viewport(), QPoint(round(fin) + 1, round(fy)), QPoint(view.frame_x(112), round(fy)))
    assert doc.project.find_audio_clip("music")[1].fade_in == 12
    drag(view.viewport(), QPoint(round(fout) - 1, round(fy)), QPoint(view.frame_x(140), round(fy)))
    assert doc.project.find_audio_clip("music")[1].fade_out == 8
    doc.undo()
    assert doc.project.find_audio_clip("music")[1].fade_out == 0


def test_an_audio_file_dropped_on_a_lane_or_a_video_track(qtbot, view, media):
    doc = view.document
    # on the A2 lane, after the music
    assert drop_files(view.viewport(), QPoint(view.frame_x(200), row_y(view, 2)), [media["music"]])
    qtbot.waitUntil(lambda: len(doc.project.audio_track("a2").clips) == 2, timeout=20000)
    added = doc.project.audio_track("a2").clips[1]
    assert (added.start, added.length) == (200, 48)
    # on the video track at frame 10: A1 is taken there (the linked sound), A2 is free: it goes on A2
    assert drop_files(view.viewport(), QPoint(view.frame_x(10), row_y(view, 0)), [media["music"]])
    qtbot.waitUntil(lambda: len(doc.project.audio_track("a2").clips) == 3, timeout=20000)
    assert doc.project.audio_track("a2").clips[0].start == 10
    assert all(not c.link for c in doc.project.audio_track("a2").clips)
    assert any("sound on A2" in m for m in view.messages)
    assert len(doc.project.tracks[0].clips) == 1  # nothing went on the video track
    doc.undo()
    assert len(doc.project.audio_track("a2").clips) == 2


def test_a_dropped_video_with_sound_gets_a_linked_sound_clip(qtbot, view, media):
    doc = view.document
    from editor.media.probe import probe

    view._probe = lambda p: probe(p).frames
    assert drop_files(view.viewport(), QPoint(view.frame_x(80), row_y(view, 0)), [media["video"]])
    qtbot.waitUntil(lambda: len(doc.project.tracks[0].clips) == 2, timeout=20000)
    clip = doc.project.tracks[0].clips[1]
    assert clip.link
    _, sounds = doc.project.linked(clip.link)
    assert len(sounds) == 1 and sounds[0].start == clip.start == 80 and sounds[0].length == clip.length


@pytest.fixture
def window(qtbot, sound_document):
    from editor.ui.main_window import MainWindow

    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1400, 900)
    w.show()
    assert w.open_project_path(sound_document.folder)
    qtbot.waitExposed(w)
    w.timeline.set_zoom(PX)
    yield w
    w.ask_save_changes = lambda: "discard"
    w.close()


def test_window_link_unlink_and_the_audio_header_menu(qtbot, window):
    doc = window.document
    window.selection.set_clips(["a"])
    window.actions["edit.unlink"].trigger()
    assert doc.project.find_clip("a")[1].link is None
    assert doc.project.find_audio_clip("sa")[1].link is None
    window.selection.set_clips(["a", "sa"])
    window.actions["edit.link"].trigger()
    link = doc.project.find_clip("a")[1].link
    assert link and doc.project.find_audio_clip("sa")[1].link == link
    window.selection.set_clips(["music"])
    window.actions["edit.link"].trigger()  # one sound alone: refused with what to select
    assert doc.project.find_audio_clip("music")[1].link is None
    assert "Select one video clip" in window.statusBar().currentMessage()
    # the audio header's menu: volume, mute, solo
    tl = window.timeline
    pos = tl.viewport().mapTo(tl, QPoint(40, tl.track_y(1)))
    menu = window.timeline_menu(pos)
    titles = [a.text() for a in menu.actions()]
    assert titles[0].startswith("Volume…") and "Mute" in titles and "Solo" in titles
    next(a for a in menu.actions() if a.text() == "Mute").trigger()
    assert doc.project.audio_track("a1").muted
    menu.close()
    # a sound clip's menu offers Link / Unlink
    window.selection.set_clips(["sa"])
    clip_menu = window.timeline_menu(tl.viewport().mapTo(tl, QPoint(tl.frame_x(30), tl.track_y(1) + 12)))
    assert {"Link Clips", "Unlink Clips"} <= {a.text().replace("&", "") for a in clip_menu.actions()}
    clip_menu.close()
    window.settle()
    assert window.waveforms.get("media/music.wav") is not None  # settle waited for the waveforms
    # a double-click on a sound opens its page in the inspector
    window.selection.clear()
    window.timeline.clip_activated.emit("music")
    assert window.selection.clips == ("music",) and window.inspector.page == "sound"
    assert window.playhead.frame == 100
    # Add Audio Track, and Delete on a selected sound, both undoable
    window.actions["edit.add_audio_track"].trigger()
    assert [t.name for t in doc.project.audio_tracks] == ["A1", "A2", "A3"]
    window.selection.set_clips(["music"])
    window.actions["edit.delete"].trigger()
    assert not doc.project.audio_track("a2").clips
    doc.undo()
    assert doc.project.find_audio_clip("music")
    doc.undo()
    assert len(doc.project.audio_tracks) == 2


def test_the_inspector_edits_a_sound_and_its_track(qtbot, sound_document):
    from editor.ui.inspector import Inspector

    doc = sound_document
    selection = Selection()
    inspector = Inspector(doc, selection)
    qtbot.addWidget(inspector)
    inspector.show()
    selection.set_clips(["sa"])
    assert inspector.page == "sound"
    page = inspector.sound_page
    assert page.linked.text() == "A on V1" and page.unlink.isEnabled()
    page.gain.setValue(-6.0)
    page.gain.editingFinished.emit()
    assert doc.project.find_audio_clip("sa")[1].gain_db == -6.0
    page.fade_in.setValue(12)
    page.fade_in.editingFinished.emit()
    assert doc.project.find_audio_clip("sa")[1].fade_in == 12
    page.fade_out.setValue(70)  # with the fade in, longer than the clip: refused, the field goes back
    page.fade_out.editingFinished.emit()
    assert doc.project.find_audio_clip("sa")[1].fade_out == 0 and page.fade_out.value() == 0
    page.volume.setValue(-3.0)
    page.volume.editingFinished.emit()
    assert doc.project.audio_track("a1").volume_db == -3.0
    page.mute.setChecked(True)
    assert doc.project.audio_track("a1").muted
    page.solo.setChecked(True)
    assert doc.project.audio_track("a1").solo
    page.gain.editingFinished.emit()  # nothing changed: no edit
    assert doc.undo_label == "Undo Solo track"
    page.unlink.click()
    assert doc.project.find_audio_clip("sa")[1].link is None and doc.project.find_clip("a")[1].link is None
    assert page.linked.text().startswith("nothing") and not page.unlink.isEnabled()
    for _ in range(6):
        doc.undo()
    clip = doc.project.find_audio_clip("sa")[1]
    assert (clip.gain_db, clip.fade_in, clip.link) == (0.0, 0, "L1")
    assert page.gain.value() == 0.0


@pytest.mark.parametrize("name,kw", [("st.wav", {}), ("mono.wav", {"layout": "mono"}), ("r44.wav", {"rate": 44100}),
                                     ("six.flac", {"layout": "5.1"}), ("a.m4a", {"codec": ["-c:a", "aac"]})])
def test_peaks_are_those_of_the_sound_that_is_heard(tmp_path, name, kw):
    """Whatever the source (mono, 5.1, 44.1 kHz, AAC), the blocks are min/max of what
    editor.media.audio decodes for playback and export."""
    import numpy as np

    from editor.media.audio import read_samples
    from editor.media.peaks import BLOCK, compute_peaks

    path = tone(tmp_path / name, seconds=1.0, volume=0.5, **kw)
    peaks = compute_peaks(path)
    heard = read_samples(path, 0, 48000)
    blocks = heard[:len(heard) // BLOCK * BLOCK].reshape(-1, BLOCK * 2)
    expected = np.stack([blocks.min(axis=1), blocks.max(axis=1)], axis=1)
    n = min(len(expected), peaks.blocks)
    assert n >= 180
    assert np.abs(expected[:n] - peaks.data[:n]).max() < 2e-3  # float16 on disk


def test_trimming_a_linked_clip_trims_its_sound_and_shows_it(view):
    from ui_helpers import move, press, release

    doc = view.document
    y = row_y(view, 0)
    end = view.frame_x(72) - 2
    press(view.viewport(), QPoint(end, y))
    move(view.viewport(), QPoint(end - 20, y))
    move(view.viewport(), QPoint(view.frame_x(60) - 2, y))
    ghosts = view.paint_state().ghosts
    assert {(g.track_index, g.start, g.length) for g in ghosts} == {(0, 0, 60), (1, 0, 60)}
    release(view.viewport(), QPoint(view.frame_x(60) - 2, y))
    assert doc.project.find_clip("a")[1].length == 60
    assert doc.project.find_audio_clip("sa")[1].length == 60
    doc.undo()
    assert doc.project.find_audio_clip("sa")[1].length == 72


def test_split_at_the_playhead_takes_a_selected_sound(view):
    from editor.ui.timeline import commands

    doc = view.document
    selection = view._selection
    selection.set_clips(["music"])
    doc.request(commands.split_at(doc.project, selection, 120))
    assert [(c.start, c.length) for c in doc.project.audio_track("a2").clips] == [(100, 20), (120, 28)]
    selection.set_clips(["sa"])  # a linked sound: its picture splits with it, once
    doc.request(commands.split_at(doc.project, selection, 30))
    assert [(c.start, c.length) for c in doc.project.audio_track("a1").clips] == [(0, 30), (30, 42)]
    assert [(c.start, c.length) for c in doc.project.tracks[0].clips] == [(0, 30), (30, 42)]
    selection.clear()  # nothing selected: everything under the playhead, linked pairs once
    doc.request(commands.split_at(doc.project, selection, 40))
    assert len(doc.project.audio_track("a1").clips) == 3 and len(doc.project.tracks[0].clips) == 3



def test_a_dragged_clip_snaps_to_sound_but_never_to_its_own_sound(view):
    from editor.ui.timeline.snapping import snap_targets

    project = view.document.project
    targets = snap_targets(project, playhead=0, exclude={"a"})
    assert 72 not in targets  # the end of "a"'s own linked sound moves with it
    assert 100 in targets and 148 in targets  # the music's edges
    assert 72 not in snap_targets(project, playhead=0, exclude={"sa"})  # dragging the sound: its picture moves too


def test_a_missing_sound_file_says_so_in_its_lane(qtbot, view):
    from editor.document.edits import AddAudioClip

    doc = view.document
    doc.request(AddAudioClip(track_id="a2", clip=AudioClip(id="gone", source="media/gone.wav", start=160, length=40,
                                                          source_frames=40, name="gone")))
    view.grab()
    qtbot.waitUntil(lambda: view.waveforms.failed("media/gone.wav") is not None, timeout=20000)
    assert "does not exist" in view.waveforms.failed("media/gone.wav")
    view.grab()  # painted with the message, no exception


def test_dropped_files_with_damaged_sound(qtbot, view, media, tmp_path):
    from sound_helpers import ffmpeg

    from editor.media.probe import probe

    doc = view.document
    view._probe = lambda p: probe(p).frames
    bad = tmp_path / "noisy.mp4"
    ffmpeg("-i", str(media["video"]), "-c", "copy", "-bsf:a", "noise=amount=4", str(bad))
    assert drop_files(view.viewport(), QPoint(view.frame_x(80), row_y(view, 0)), [bad])
    qtbot.waitUntil(lambda: len(doc.project.tracks[0].clips) == 2, timeout=20000)
    assert doc.project.tracks[0].clips[1].link is None  # the picture came in, without its sound
    assert any("damaged" in m and "without sound" in m for m in view.messages)
    # a damaged audio file is refused: nothing changes
    song = tone(tmp_path / "song.flac", seconds=4.0)
    data = bytearray(song.read_bytes())
    for i in range(len(data) // 4, len(data) - 200):
        data[i] = (i * 7919) % 251
    song.write_bytes(bytes(data))
    before = [list(t.clips) for t in doc.project.audio_tracks]
    with qtbot.waitSignal(view.dropped, timeout=20000) as dropped:
        drop_files(view.viewport(), QPoint(view.frame_x(200), row_y(view, 2)), [song])
    assert dropped.args == [False]
    assert [list(t.clips) for t in doc.project.audio_tracks] == before
    assert "song.flac is damaged" in view.messages[-1]


def test_a_sound_clip_trims_by_either_edge_within_its_source(view):
    from ui_helpers import move, press, release

    doc = view.document
    top, height = ah.body(view.geo, 2)
    y = round(top + height - 3)  # under the fade handles and the gain line
    assert hit_test(doc.project, view.geo, view.frame_x(148) - 2, y).kind == "aclip_end"
    drag(view.viewport(), QPoint(view.frame_x(148) - 2, y), QPoint(view.frame_x(130) - 2, y))
    assert (doc.project.find_audio_clip("music")[1].start, doc.project.find_audio_clip("music")[1].length) == (100, 30)
    assert "Trim sound end to frame 130 (30 frames)" in view.messages
    doc.undo()
    drag(view.viewport(), QPoint(view.frame_x(100) + 2, y), QPoint(view.frame_x(110) + 2, y))
    assert (doc.project.find_audio_clip("music")[1].start, doc.project.find_audio_clip("music")[1].length) == (110, 38)
    doc.undo()
    # past the end of its sound: the ghost says no and nothing changes
    press(view.viewport(), QPoint(view.frame_x(148) - 2, y))
    move(view.viewport(), QPoint(view.frame_x(160) - 2, y))
    assert [(g.start, g.length, g.ok) for g in view.paint_state().ghosts] == [(100, 60, False)]
    release(view.viewport(), QPoint(view.frame_x(160) - 2, y))
    assert doc.project.find_audio_clip("music")[1].length == 48


def test_a_sound_clip_moves_to_another_lane_and_never_before_frame_0(view):
    doc = view.document
    top, height = ah.body(view.geo, 2)
    y = round(top + height - 3)
    top1, _ = ah.body(view.geo, 1)
    assert hit_test(doc.project, view.geo, view.frame_x(124), y).kind == "aclip"
    drag(view.viewport(), QPoint(view.frame_x(124), y), QPoint(view.frame_x(134), round(top1 + height - 3)))
    track, clip = doc.project.find_audio_clip("music")
    assert (track.id, clip.start) == ("a1", 110)
    assert "Move sound +10 frames to A1" in view.messages
    doc.undo()
    drag(view.viewport(), QPoint(view.frame_x(124), y), QPoint(view.frame_x(2), y))
    track, clip = doc.project.find_audio_clip("music")
    assert (track.id, clip.start) == ("a2", 0)
