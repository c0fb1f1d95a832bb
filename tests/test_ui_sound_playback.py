"""The preview's sound with real decoded audio: the audio clock's frame mapping, the clock leading
the playhead, the mixer running ahead on its own thread, meters, and silent playback (said once)
where there is no sound device."""

from __future__ import annotations

import threading
from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtCore import Qt
from sound_helpers import tone

from editor.document.document import Document
from editor.document.project import AudioClip, AudioTrack, Clip, Project, ShotSettings, Track
from editor.document.storage import save_project
from editor.media.audio import RATE, frame_to_sample
from editor.media.mix import mix_range
from editor.ui.player import PreviewPanel
from editor.ui.player.meters import AudioMeter, fraction
from editor.ui.player.sound import SoundPlayer, _Mixer, _snapshot, audio_frame, peak_dbfs
from editor.ui.playhead import Playhead

WAIT_MS = 10_000


@pytest.fixture
def sound_project(tmp_path):
    folder = tmp_path / "Tone.shotline"
    (folder / "media").mkdir(parents=True)
    tone(folder / "media" / "tone.wav", seconds=3.0, volume=0.5)
    v1 = Track(id="v1", name="V1", clips=[Clip(id="d", start=0, length=72, name="D", shot=ShotSettings(prompt="x"))])
    a1 = AudioTrack(id="a1", name="A1", clips=[
        AudioClip(id="t", source="media/tone.wav", start=0, length=72, source_frames=72, name="tone", fade_in=12)])
    project = Project(name="Tone", fps=Fraction(24), width=320, height=180, tracks=[v1], audio_tracks=[a1])
    save_project(project, folder)
    return Document(project, folder)


@pytest.mark.parametrize("fps", [Fraction(24), Fraction(30000, 1001), Fraction(25), Fraction(20)])
def test_the_audio_clock_maps_played_samples_to_the_frame_being_heard(fps):
    for origin in (0, 7, 86_400):
        base = frame_to_sample(origin, fps)
        assert audio_frame(origin, 0, fps) == origin
        for k in (1, 2, 23, 24, 1001, 30_000):
            at = frame_to_sample(origin + k, fps) - base
            assert audio_frame(origin, at, fps) == origin + k  # its first sample is playing
            assert audio_frame(origin, at - 1, fps) == origin + k - 1  # one sample before: not yet


def test_the_audio_clock_leads_the_playhead_at_1x_only(qtbot):
    playhead = Playhead(Fraction(24))
    playhead.set_end(1000)
    heard = {"frame": 40}
    playhead.clock = lambda: heard["frame"]
    playhead.play(1)
    playhead._tick()
    assert playhead.frame == 40  # the frame being heard, whatever the wall clock says
    heard["frame"] = 41
    playhead._tick()
    assert playhead.frame == 41
    playhead.play(2)  # shuttle: silent, the wall clock keeps time from where it is
    playhead._tick()
    assert playhead.frame in (41, 42)
    playhead.clock = lambda: None  # no sound playing: the wall clock leads at 1x too
    playhead.play(1)
    playhead._tick()
    assert playhead.frame < 44
    playhead.pause()


def test_the_mix_the_mixer_hands_out_is_the_export_mix(qtbot, sound_project):
    project = sound_project.project
    mixer = _Mixer(_snapshot(project), sound_project.folder, 24)
    try:
        # it mixes ahead on its own thread, without being read
        qtbot.waitUntil(lambda: mixer._queued >= 0.3 * RATE, timeout=WAIT_MS)
        assert mixer._thread.name == "shotline-sound-mix" and mixer._thread is not threading.current_thread()
        got = np.concatenate([mixer.read(1000), mixer.read(frame_to_sample(6, project.fps) - 1000)])
        expected = mix_range(project, sound_project.folder, 24, 30)
        assert np.abs(got).max() > 0.3
        np.testing.assert_allclose(got, np.clip(expected, -1, 1), atol=1e-6)
        # and keeps going: the next reads carry on where these ended
        qtbot.waitUntil(lambda: mixer._queued >= 0.3 * RATE, timeout=WAIT_MS)
        more = mixer.read(frame_to_sample(6, project.fps))
        np.testing.assert_allclose(more, np.clip(mix_range(project, sound_project.folder, 30, 36), -1, 1), atol=1e-6)
    finally:
        mixer.stop()


def test_a_late_mixer_costs_silence_never_sync(qtbot, sound_project):
    """What is read before the mixer has mixed it is silence, and what follows is the sound of
    its own time: the samples handed out stay in step with the clock that counts them."""
    project = sound_project.project
    mixer = _Mixer(_snapshot(project), sound_project.folder, 24)
    try:
        early = mixer.read(3000)  # at once: likely before the first block is mixed
        qtbot.waitUntil(lambda: mixer._queued >= 0.3 * RATE, timeout=WAIT_MS)
        later = mixer.read(6000)
        base = frame_to_sample(24, project.fps)
        expected = mix_range(project, sound_project.folder, 24, 30)
        np.testing.assert_allclose(later, np.clip(expected[3000:9000], -1, 1), atol=1e-6)
        assert early.shape == (3000, 2) and base > 0
    finally:
        mixer.stop()


def test_meters_read_the_peak_of_each_channel_in_dbfs(qtbot, sound_project):
    samples = mix_range(sound_project.project, sound_project.folder, 24, 48)  # after the fade in
    left, right = peak_dbfs(samples)
    # the tone peaks near 0.35 with clicks of 0.9 on top each second: near 0 dBFS at the click
    assert -1.0 < left < 1.0 and abs(left - right) < 0.1
    quiet = mix_range(sound_project.project, sound_project.folder, 30, 40)
    assert -10.5 < peak_dbfs(quiet)[0] < -8.0  # 0.35 is -9 dBFS
    assert peak_dbfs(np.zeros((100, 2), np.float32)) == (-90.0, -90.0)
    meter = AudioMeter()
    qtbot.addWidget(meter)
    meter.set_levels(-9.0, -20.0)
    assert meter.levels == [-9.0, -20.0]
    meter.set_levels(-90.0, -90.0)
    assert meter.levels == [-10.5, -21.5]  # falls back, not at once
    assert fraction(0.0) == 1.0 and fraction(-60.0) == 0.0


def _no_sound_here() -> bool:
    return SoundPlayer(None)._device() is None


@pytest.mark.skipif(not _no_sound_here(), reason="this machine has a sound device")
def test_without_a_sound_device_the_preview_plays_silently_and_says_so_once(qtbot, sound_project):
    playhead = Playhead(sound_project.project.fps)
    panel = PreviewPanel(sound_project, playhead)
    qtbot.addWidget(panel)
    notices: list[str] = []
    panel.notice.connect(notices.append)
    try:
        panel.setFocus()
        qtbot.keyClick(panel, Qt.Key.Key_L)
        assert playhead.rate == 1
        qtbot.waitUntil(lambda: playhead.frame >= 3, timeout=WAIT_MS)  # the wall clock plays on
        assert playhead.clock is None and not panel.sound.playing
        qtbot.keyClick(panel, Qt.Key.Key_K)
        qtbot.keyClick(panel, Qt.Key.Key_L)
        qtbot.waitUntil(lambda: playhead.frame >= 6, timeout=WAIT_MS)
        qtbot.keyClick(panel, Qt.Key.Key_K)
        assert len(notices) == 1 and "without sound" in notices[0]
    finally:
        playhead.pause()
        panel.shutdown()


def test_sound_is_wanted_at_1x_only(qtbot, sound_project):
    playhead = Playhead(sound_project.project.fps)
    panel = PreviewPanel(sound_project, playhead)
    qtbot.addWidget(panel)
    try:
        playhead.play(1)
        assert panel._meter_timer.isActive()  # sound (or its silent stand-in) runs at 1x
        playhead.play(2)
        assert not panel._meter_timer.isActive() and not panel.sound.playing and playhead.clock is None
        playhead.play(-1)
        assert not panel._meter_timer.isActive()
        playhead.play(1)
        assert panel._meter_timer.isActive()
        playhead.pause()
        assert not panel._meter_timer.isActive()
    finally:
        playhead.pause()
        panel.shutdown()


@pytest.mark.skipif(_no_sound_here(), reason="no sound device on this machine")
def test_with_a_sound_device_the_sound_plays_and_its_clock_moves(qtbot, sound_project):
    player = SoundPlayer(sound_project.folder)
    try:
        assert player.start(sound_project.project, 24)
        assert player.frame() == 24  # nothing heard yet: the clock waits for the sound
        qtbot.waitUntil(lambda: (player.frame() or 0) >= 30, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: player.levels()[0] > -20, timeout=WAIT_MS)  # the tone, at -9 dBFS
    finally:
        player.stop()
    assert player.frame() is None and player.levels() == (-90.0, -90.0)


@pytest.mark.skipif(_no_sound_here(), reason="no sound device on this machine")
def test_with_a_sound_device_the_preview_follows_the_sound(qtbot, sound_project):
    playhead = Playhead(sound_project.project.fps)
    panel = PreviewPanel(sound_project, playhead)
    qtbot.addWidget(panel)
    try:
        playhead.play(1)
        assert panel.sound.playing and playhead.clock is not None
        qtbot.waitUntil(lambda: playhead.frame >= 8, timeout=WAIT_MS)
        assert abs(playhead.frame - panel.sound.frame()) <= 1
        playhead.play(2)  # shuttle: silent
        assert not panel.sound.playing and playhead.clock is None
    finally:
        playhead.pause()
        panel.shutdown()


def test_playback_runs_to_the_end_of_the_sound(qtbot, sound_project):
    from editor.document.edits import MoveClips

    doc = sound_project
    playhead = Playhead(doc.project.fps)
    panel = PreviewPanel(doc, playhead)
    qtbot.addWidget(panel)
    try:
        doc.request(MoveClips(clip_ids=("t",), delta=48))  # music now ends at 120, the picture at 72
        assert panel.slider.maximum() == 119
        playhead.set_frame(110)
        playhead.play(1)
        qtbot.waitUntil(lambda: not playhead.playing, timeout=WAIT_MS)
        assert playhead.frame == 119
    finally:
        playhead.pause()
        panel.shutdown()
