"""The headless project commands as a user runs them: real files, real ffmpeg, a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def shotline(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=240)


def tree_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under folder with its size and mtime: to prove a failed command changed nothing."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def decoded(path: Path) -> tuple[int, Fraction, tuple[int, int], dict]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        n = sum(1 for _ in c.decode(s))
        return n, Fraction(s.average_rate), (s.width, s.height), dict(c.metadata)


def textured(w: int, h: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 // w, y * 255 // h, (x + y) * 255 // (w + h)], -1).astype(np.uint8)
    return np.clip(img + rng.integers(0, 30, img.shape), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def odd_media(tmp_path_factory) -> list[Path]:
    """Stills in the awkward formats users bring, and a short video at another frame rate."""
    d = tmp_path_factory.mktemp("media")
    base = Image.fromarray(textured(320, 200, 1))
    out = []
    p = d / "cmyk.jpg"
    base.convert("CMYK").save(p, "JPEG")
    out.append(p)
    p = d / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° on display
    base.save(p, "JPEG", exif=exif)
    out.append(p)
    p = d / "deep.png"
    Image.fromarray(textured(160, 100, 2)[..., 0].astype(np.uint16) * 257).save(p)
    out.append(p)
    p = d / "gray.png"
    base.convert("L").save(p)
    out.append(p)
    p = d / "alpha.webp"
    base.convert("RGBA").save(p, "WEBP", lossless=True)
    out.append(p)
    p = d / "clip30.mp4"
    frames = [np.roll(textured(320, 240, 3), 4 * i, axis=1) for i in range(30)]  # 1 s at 30 fps
    with av.open(str(p), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 320, 240, "yuv420p"
        for f in frames:
            for pkt in s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    out.append(p)
    return out


def test_new_then_export_gives_exact_frames_fps_and_size(tmp_path, odd_media):
    r = shotline("new", "Trip", *map(str, odd_media), "--fps", "24", "--size", "320x240",
                 "--still-seconds", "0.5", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    # 5 stills x 12 frames + 1 s of 30 fps video at 24 fps = 24 frames
    info = shotline("info", "Trip.shotline", cwd=tmp_path)
    assert info.returncode == 0, info.stderr
    assert "84 frames" in info.stdout and info.stdout.count("take 1:") == 6

    r = shotline("export", "Trip.shotline", "-o", "trip.mp4", "--crf", "30", "--preset", "ultrafast",
                 cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    n, fps, size, meta = decoded(tmp_path / "trip.mp4")
    assert (n, fps, size) == (84, Fraction(24), (320, 240))

    r = shotline("export", "Trip.shotline", "-o", "part.mp4", "--size", "160x120", "--fps", "12",
                 "--range", "1:3", "--codec", "h265", "--preset", "ultrafast", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert decoded(tmp_path / "part.mp4")[:3] == (24, Fraction(12), (160, 120))


def test_export_replaces_an_existing_file_only_when_it_succeeds(tmp_path, odd_media):
    assert shotline("new", "P", str(odd_media[0]), "--size", "320x240", cwd=tmp_path).returncode == 0
    target = tmp_path / "out.mp4"
    target.write_bytes(b"the user's earlier export")
    bad = shotline("export", "P.shotline", "-o", str(target), "--range", "5:9", cwd=tmp_path)
    assert bad.returncode != 0 and "range" in bad.stderr
    assert target.read_bytes() == b"the user's earlier export"
    good = shotline("export", "P.shotline", "-o", str(target), "--preset", "ultrafast", cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert decoded(target)[0] == 48


def _project_cut_in_half(tmp: Path, odd_media) -> Path:
    assert shotline("new", "Half", str(odd_media[0]), cwd=tmp).returncode == 0
    pj = tmp / "Half.shotline" / "project.json"
    data = pj.read_bytes()
    pj.write_bytes(data[: len(data) // 2])
    return tmp / "Half.shotline"


def _project_from_the_future(tmp: Path, odd_media) -> Path:
    assert shotline("new", "Future", str(odd_media[0]), cwd=tmp).returncode == 0
    pj = tmp / "Future.shotline" / "project.json"
    data = json.loads(pj.read_text())
    data["version"] = 99
    pj.write_text(json.dumps(data))
    return tmp / "Future.shotline"


def _project_missing_media(tmp: Path, odd_media) -> Path:
    victim = tmp / "victim.png"
    victim.write_bytes(odd_media[3].read_bytes())
    assert shotline("new", "Missing", str(victim), cwd=tmp).returncode == 0
    victim.unlink()
    return tmp / "Missing.shotline"


@pytest.mark.parametrize("make, command, words", [
    (_project_cut_in_half, "export", "project.json"),
    (_project_from_the_future, "export", "newer"),
    (_project_missing_media, "export", "missing"),
    (_project_cut_in_half, "info", "project.json"),
])
def test_broken_projects_get_a_clear_message_and_change_nothing(tmp_path, odd_media, make, command, words):
    folder = make(tmp_path, odd_media)
    before = tree_state(tmp_path)
    args = [command, str(folder)] + (["-o", "x.mp4"] if command == "export" else [])
    r = shotline(*args, cwd=tmp_path)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert words in r.stderr.lower()
    assert tree_state(tmp_path) == before


@pytest.mark.parametrize("name, content", [
    ("empty.png", b""),
    ("truncated.png", None),
    ("notes.png", b"this is not an image at all"),
])
def test_bad_media_refused_by_new_with_a_message_and_nothing_written(tmp_path, odd_media, name, content):
    bad = tmp_path / name
    bad.write_bytes(content if content is not None else odd_media[3].read_bytes()[:300])
    before = tree_state(tmp_path)
    r = shotline("new", "Film", str(odd_media[0]), str(bad), cwd=tmp_path)
    assert r.returncode != 0
    assert name in r.stderr and "Traceback" not in r.stderr
    assert tree_state(tmp_path) == before and not (tmp_path / "Film.shotline").exists()


def test_bad_arguments_are_one_line_messages(tmp_path):
    for args in (["new", "X", "--size", "big"], ["new", "X", "--fps", "0"], ["export"], ["info", "nowhere"]):
        r = shotline(*args, cwd=tmp_path)
        assert r.returncode != 0 and "Traceback" not in r.stderr, args
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_video_at_another_rate_is_conformed_and_plays_at_its_real_speed(tmp_path, odd_media):
    """1 s of 30 fps footage in a 24 fps project lasts 1 s: 24 frames, its last frame near its end."""
    video = odd_media[-1]
    r = shotline("new", "Rate", str(video), "--fps", "24", "--size", "320x240", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    conformed = list((tmp_path / "Rate.shotline" / "media" / "conformed").glob("*.mp4"))
    assert len(conformed) == 1 and video.exists()
    r = shotline("export", "Rate.shotline", "-o", "rate.mp4", "--preset", "ultrafast", "--crf", "12", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    with av.open(str(tmp_path / "rate.mp4")) as c:
        frames = [f.to_ndarray(format="rgb24").astype(int) for f in c.decode(video=0)]
    with av.open(str(video)) as c:
        source = [f.to_ndarray(format="rgb24").astype(int) for f in c.decode(video=0)]
    assert len(frames) == 24
    # the exported last frame is the source's last frames (real speed), not its frame 23 (slowed)
    errors = [np.abs(frames[-1] - s).mean() for s in source]
    assert int(np.argmin(errors)) >= 27
