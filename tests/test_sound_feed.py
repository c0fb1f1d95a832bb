"""The export's sound is mixed while the picture encodes (editor.media.sound_feed): the file has
exactly the mix, a mix that fails fails the export with nothing written (also for a cut shorter
than the frames ffmpeg may get ahead), and a cancelled export leaves no pipe and no thread."""

from __future__ import annotations

import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from sound_helpers import ffmpeg, tone

from editor.document.project import AudioClip, AudioTrack, Clip, Project, Take, Track
from editor.media import mix, sound_feed
from editor.media.audio import RATE
from editor.media.export import ExportError, ExportOptions, export_project
from model.runner import Cancelled

pytestmark = pytest.mark.skipif(not sound_feed.supported(), reason="no named pipes here (the scratch-file path)")


def _project(folder: Path, frames: int) -> Project:
    """A silent picture of `frames` frames over media/song.wav."""
    ffmpeg("-f", "lavfi", "-i", f"testsrc=size=64x48:rate=24:d={frames / 24}", "-c:v", "libx264",
           "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(folder / "media" / "v.mp4"))
    return Project(name="Feed", fps=Fraction(24), width=64, height=48, tracks=[
        Track("v1", "V1", [Clip("c", 0, frames, name="v", takes=[Take("t", "media/v.mp4", frames)])])], audio_tracks=[
        AudioTrack("a1", "A1", [AudioClip("s", "media/song.wav", 0, frames, frames, name="song", gain_db=-3.0)])])


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """The feed's FIFO folder goes here, so a test sees what it leaves behind."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def test_the_file_carries_exactly_the_mix(tmp_path, private_tmp):
    root = tmp_path / "Feed.shotline"
    (root / "media").mkdir(parents=True)
    tone(root / "media" / "song.wav", seconds=2.0)
    project = _project(root, 36)  # 1.5 s: shorter than the song, longer than nothing
    out = tmp_path / "o.mp4"
    result = export_project(project, root, out, ExportOptions(preset="ultrafast"))
    assert result.sound and result.frames == 36
    expected = mix.mix_range(project, root, 0, 36)
    with av.open(str(out)) as c:
        got = np.concatenate([f.to_ndarray() for f in c.decode(c.streams.audio[0])], axis=1).T
    assert abs(got.shape[0] - expected.shape[0]) <= 2048  # AAC pads to whole 1024-sample frames
    n = min(len(got), len(expected)) - 2048
    level = np.sqrt(np.mean(expected[1024:n] ** 2))
    assert np.sqrt(np.mean((got[1024:n] - expected[1024:n]) ** 2)) < 0.05 * level  # AAC's loss only
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize("frames", [12, sound_feed.HOLD + 20])  # failed before the last frame / at HOLD
def test_a_mix_that_fails_fails_the_export_and_writes_nothing(tmp_path, private_tmp, frames):
    root = tmp_path / "Feed.shotline"
    (root / "media").mkdir(parents=True)
    (root / "media" / "song.wav").write_bytes(b"RIFF" + bytes(range(256)) * 40)  # not a sound any more
    out = tmp_path / "o.mp4"
    out.write_bytes(b"previous export")
    with pytest.raises(ExportError, match="song.wav"):
        export_project(_project(root, frames), root, out, ExportOptions(preset="ultrafast"))
    assert out.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Feed.shotline", "o.mp4", "tmp"]
    assert list(private_tmp.iterdir()) == []


def test_a_cancelled_export_leaves_no_pipe_and_no_thread(tmp_path, private_tmp):
    root = tmp_path / "Feed.shotline"
    (root / "media").mkdir(parents=True)
    tone(root / "media" / "song.wav", seconds=4.0)
    out = tmp_path / "o.mp4"
    asked = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) > 3

    with pytest.raises(Cancelled):
        export_project(_project(root, 96), root, out, ExportOptions(preset="ultrafast"), should_cancel=cancel)
    assert not out.exists() and list(private_tmp.iterdir()) == []
    for _ in range(500):  # the mixing thread ends on its own once it sees the export gone
        if not any(t.name == "export-sound" for t in threading.enumerate()):
            break
        time.sleep(0.01)
    assert not any(t.name == "export-sound" for t in threading.enumerate())
    assert RATE == 48000


def test_without_a_named_pipe_the_mix_is_made_first_into_a_file(tmp_path, monkeypatch):
    root = tmp_path / "Feed.shotline"
    (root / "media").mkdir(parents=True)
    tone(root / "media" / "song.wav", seconds=1.0)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))  # no FIFO can be made
    out = tmp_path / "o.mp4"
    result = export_project(_project(root, 24), root, out, ExportOptions(preset="ultrafast"))
    assert result.sound
    with av.open(str(out)) as c:
        assert len(c.streams.audio) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Feed.shotline", "o.mp4"]  # no scratch file left
