"""Sound from real files: every common format and layout decodes to 48 kHz stereo at the right
samples, `new` links a video's sound and puts audio files on an audio track, damaged sound is
refused with nothing written, and export mixes (gain, fades, mute/solo), writes WAV and
normalises loudness, measured again by ffmpeg."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from sound_helpers import clicks, ffmpeg, flash_click_video, tone

from editor.document.edits import SetAudioClip, SetAudioTrack
from editor.document.storage import load_project, open_document, save_document
from editor.media.audio import RATE, check_sound, is_audio_file, read_samples, sound_info
from editor.media.errors import MediaError
from editor.media.ffmpeg_bin import ffmpeg_exe

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, cwd=ROOT)
    if ok:
        assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize(("rate", "layout"), [(48000, "mono"), (48000, "5.1"), (8000, "mono"), (96000, "stereo"),
                                              (44100, "stereo")])
def test_any_rate_and_layout_decodes_to_48k_stereo_at_the_right_samples(tmp_path, rate, layout):
    src = tone(tmp_path / f"t-{rate}-{layout}.wav", rate=rate, layout=layout)
    info = check_sound(src)
    assert (info.rate, info.has_picture) == (rate, False) and is_audio_file(src)
    x = read_samples(src, 40000, 120000)  # 0.83 s .. 3.33 s: clicks at 1 s, 2 s, 3 s
    assert x.shape == (120000, 2) and x.dtype == np.float32
    loud = np.flatnonzero(np.abs(x).max(axis=1) > 0.3)
    starts = [i + 40000 for i in loud if i == loud[0] or x[i - 1].max() < 0.3 and np.abs(x[i - 100:i]).max() < 0.3]
    for k in (1, 2, 3):
        assert any(abs(s - k * RATE) <= 8 for s in starts), (k, starts[:6])
    assert np.abs(x[:, 0]).max() > 0.05 and np.abs(x[:, 1]).max() > 0.05  # sound in both channels
    tail = read_samples(src, 4 * RATE - 100, 1000)  # past the end: silence, not an error
    assert np.abs(tail[200:]).max() == 0.0


@pytest.mark.parametrize(("suffix", "codec"), [(".wav", []), (".flac", []), (".mp3", []), (".m4a", ["-c:a", "aac"]),
                                               (".ogg", ["-c:a", "libvorbis"]), (".opus", ["-c:a", "libopus"])])
def test_every_audio_format_goes_on_an_audio_track(tmp_path, suffix, codec):
    if codec and codec[1] not in subprocess.run([ffmpeg_exe(), "-hide_banner", "-encoders"], capture_output=True,
                                                 text=True).stdout:
        pytest.skip(f"this ffmpeg has no {codec[1]} encoder to make the test file")
    song = tone(tmp_path / f"song{suffix}", seconds=3.0, rate=44100, codec=codec)
    video = flash_click_video(tmp_path / "v.mp4", "24", 2)
    out = _cli("new", str(tmp_path / "P"), str(video), str(song), "--size", "128x96").stdout
    assert "1 audio file on A2" in out
    p = load_project(tmp_path / "P.shotline")
    assert [len(t.clips) for t in p.tracks] == [1]  # the song never lands on V1
    a1, a2 = p.audio_tracks
    assert a1.clips[0].link == p.tracks[0].clips[0].link
    (clip,) = a2.clips
    assert clip.link is None and abs(clip.length - 72) <= 2 and clip.source == str(song.resolve())


def test_sound_shorter_or_longer_than_the_picture(tmp_path):
    short = flash_click_video(tmp_path / "short.mp4", "24", 4, audio_seconds=2)
    long = flash_click_video(tmp_path / "long.mp4", "24", 2, audio_seconds=5)
    _cli("new", str(tmp_path / "P"), str(short), str(long), "--size", "128x96")
    folder = tmp_path / "P.shotline"
    p = load_project(folder)
    # the sound clips are exactly as long as their pictures: padded with silence, or cut
    assert [(c.start, c.length) for c in p.audio_tracks[0].clips] == [(c.start, c.length) for c in p.tracks[0].clips]
    out = tmp_path / "o.mp4"
    _cli("export", str(folder), "-o", str(out), "--preset", "ultrafast")
    with av.open(str(out)) as c:
        seconds = sum(f.samples for f in c.decode(c.streams.audio[0])) / RATE
    assert abs(seconds - 6.0) < 0.05
    # clicks at 0, 1 (short's sound), then 4, 5 (long's): none in short's silent end, none from long's cut tail
    assert [round(t) for t in clicks(out)] == [0, 1, 4, 5]


def test_a_damaged_sound_is_refused_and_nothing_is_written(tmp_path):
    good = flash_click_video(tmp_path / "good.mp4", "24", 2)
    bad = tmp_path / "noisy.mp4"
    ffmpeg("-i", str(good), "-c", "copy", "-bsf:a", "noise=amount=4", str(bad))
    with pytest.raises(MediaError, match="damaged"):
        check_sound(bad)
    done = _cli("new", str(tmp_path / "P"), str(good), str(bad), "--size", "128x96", ok=False)
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1 and "noisy.mp4 is damaged" in done.stderr
    assert "Traceback" not in done.stderr and "--no-sound" in done.stderr
    assert not (tmp_path / "P.shotline").exists() and sorted(x.name for x in tmp_path.iterdir()) == [
        "good.mp4", "noisy.mp4"]
    # without its sound the video comes in
    _cli("new", str(tmp_path / "P"), str(good), str(bad), "--size", "128x96", "--no-sound")
    assert load_project(tmp_path / "P.shotline").audio_tracks[0].clips == []
    # a damaged audio file is refused too
    song = tone(tmp_path / "song.flac", seconds=4.0)
    data = bytearray(song.read_bytes())
    for i in range(len(data) // 4, len(data) - 200):
        data[i] = (i * 7919) % 251
    song.write_bytes(bytes(data))
    done = _cli("new", str(tmp_path / "Q"), str(good), str(song), ok=False)
    assert "song.flac is damaged" in done.stderr and not (tmp_path / "Q.shotline").exists()


def _project(tmp_path: Path) -> Path:
    """V1: a 4 s video with sound (click each second) ; A2: a 4 s tone with clicks."""
    video = flash_click_video(tmp_path / "v.mp4", "24", 4)
    song = tone(tmp_path / "song.wav", seconds=4.0, volume=0.2)
    _cli("new", str(tmp_path / "P"), str(video), str(song), "--size", "128x96")
    return tmp_path / "P.shotline"


def _wav(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        s = c.streams.audio[0]
        assert (s.rate, len(s.layout.channels), s.codec_context.name) == (48000, 2, "pcm_s24le")
        return np.concatenate([f.to_ndarray().reshape(-1, 2) for f in c.decode(s)]).astype(np.float64) / 2**31


def test_wav_export_mixes_gain_fades_mute_and_solo(tmp_path):
    folder = _project(tmp_path)
    out = tmp_path / "mix.wav"
    assert "4.000 s of sound" in _cli("export", str(folder), "-o", str(out)).stdout
    full = _wav(out)
    assert full.shape == (4 * RATE, 2)
    doc = open_document(folder)
    a1, a2 = doc.project.audio_tracks
    doc.request(SetAudioTrack(track_id=a1.id, muted=True))
    save_document(doc, folder)
    _cli("export", str(folder), "-o", str(out))
    song = _wav(out)
    # the tone alone between clicks (0.2 in mono, -3 dB in each channel of stereo), no video clicks
    peak = np.abs(song[RATE // 2:RATE // 2 + 4800]).max()
    assert abs(peak - 0.2 / 2 ** 0.5) < 0.01
    assert np.abs(full[RATE:RATE + 200]).max() > np.abs(song[RATE:RATE + 200]).max() + 0.2  # the video's click
    doc.request(SetAudioClip(clip_id=a2.clips[0].id, gain_db=-6.0206, fade_in=24, fade_out=24))
    save_document(doc, folder)
    _cli("export", str(folder), "-o", str(out))
    faded = _wav(out)
    assert abs(np.abs(faded[int(1.5 * RATE):int(1.5 * RATE) + 4800]).max() - peak / 2) < 0.005  # -6 dB halves it
    assert np.abs(faded[:480]).max() < 0.002 and np.abs(faded[-480:]).max() < 0.002  # faded in and out
    doc.request(SetAudioTrack(track_id=a1.id, muted=False, solo=True))  # solo A1: the song is not heard
    save_document(doc, folder)
    _cli("export", str(folder), "-o", str(out))
    solo = _wav(out)
    assert np.abs(solo[RATE // 2:RATE // 2 + 4800]).max() < 1e-4 and np.abs(solo[RATE:RATE + 200]).max() > 0.5
    doc.request(SetAudioTrack(track_id=a1.id, muted=True))  # solo but muted: nothing plays
    save_document(doc, folder)
    before = out.read_bytes()
    done = _cli("export", str(folder), "-o", str(out), ok=False)
    assert "No sound plays" in done.stderr and out.read_bytes() == before


def test_loudness_normalisation_hits_the_target(tmp_path):
    folder = _project(tmp_path)
    out = tmp_path / "loud.mp4"
    said = _cli("export", str(folder), "-o", str(out), "--loudness", "-14", "--preset", "ultrafast").stdout
    measured = re.search(r"measured (-?[\d.]+) LUFS integrated, gain ([-+][\d.]+) dB to -14.0 LUFS", said)
    assert measured, said
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(out), "-map", "0:a",
                           "-af", "ebur128=framelog=quiet", "-f", "null", "-"], capture_output=True, text=True)
    lufs = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", done.stderr)[-1])
    print(f"loudness: before {measured.group(1)} LUFS, after {lufs} LUFS (target -14)")
    assert abs(lufs - -14) <= 1.0
    wav = tmp_path / "loud.wav"
    _cli("export", str(folder), "-o", str(wav), "--loudness", "-23")
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(wav),
                           "-af", "ebur128=framelog=quiet", "-f", "null", "-"], capture_output=True, text=True)
    assert abs(float(re.findall(r"I:\s+(-?[\d.]+) LUFS", done.stderr)[-1]) - -23) <= 1.0
    bad = _cli("export", str(folder), "-o", str(wav), "--loudness", "loud", ok=False)
    assert "--loudness" in bad.stderr and "-70 to 0" in bad.stderr


def test_a_project_without_sound_exports_no_audio_stream(tmp_path):
    video = tmp_path / "silent.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=128x96:rate=24:d=1", "-c:v", "libx264", "-preset", "ultrafast",
           str(video))
    assert sound_info(video) is None and not is_audio_file(video)
    said = _cli("new", str(tmp_path / "P"), str(video), "--size", "128x96").stdout
    assert "sound:" not in said
    data = json.loads((tmp_path / "P.shotline" / "project.json").read_text())
    assert data["version"] == 2 and [t["name"] for t in data["audio_tracks"]] == ["A1"]
    out = tmp_path / "o.mp4"
    assert "no sound" in _cli("export", str(tmp_path / "P.shotline"), "-o", str(out), "--preset", "ultrafast").stdout
    with av.open(str(out)) as c:
        assert not c.streams.audio


def test_a_sound_damaged_after_import_refuses_the_export_and_writes_nothing(tmp_path):
    folder = _project(tmp_path)
    noisy = tmp_path / "noisy.mp4"
    ffmpeg("-i", str(tmp_path / "v.mp4"), "-c", "copy", "-bsf:a", "noise=amount=4", str(noisy))
    (tmp_path / "song.wav").write_bytes(noisy.read_bytes())  # the file changed on disk since
    for name in ("o.mp4", "o.wav"):
        done = _cli("export", str(folder), "-o", str(tmp_path / name), "--preset", "ultrafast", ok=False)
        assert done.returncode != 0 and "song.wav is damaged" in done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / name).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["P.shotline", "noisy.mp4", "song.wav", "v.mp4"]


def test_music_alone_exports_as_wav_for_its_whole_length(tmp_path):
    song = tone(tmp_path / "song.mp3", seconds=3.0, codec=[])
    _cli("new", str(tmp_path / "M"), str(song))
    p = load_project(tmp_path / "M.shotline")
    assert p.tracks[0].clips == [] and len(p.audio_tracks[1].clips) == 1
    out = tmp_path / "m.wav"
    _cli("export", str(tmp_path / "M.shotline"), "-o", str(out))
    assert abs(_wav(out).shape[0] / RATE - 3.0) < 0.05
    done = _cli("export", str(tmp_path / "M.shotline"), "-o", str(tmp_path / "m.mp4"), ok=False)
    assert "empty" in done.stderr  # a film needs pictures
