"""Stills within a desktop's memory, and animated WebP imported as moving clips.

A 13000x13000 PNG of a few hundred KB used 4.2 GB in `new` and 10 GB to show the window: stills
over 64 MP are now refused from their header with the limit named, and large allowed stills are
decoded reduced for callers that scale them down. An animated WebP came in as a one-frame still.
"""

from __future__ import annotations

import os
import struct
import zlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from editor.cli import project_commands
from editor.document.storage import load_project
from editor.media.animated import is_animated_webp
from editor.media.errors import MediaError
from editor.media.probe import probe
from editor.media.stills import read_still
from editor.media.thumbnails import ThumbnailCache


def flat_png(path: Path, width: int, height: int) -> Path:
    """A one-colour RGB PNG of any size, written row by row (the test never holds the pixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pack = zlib.compressobj(1)
    row = b"\x00" + bytes((40, 90, 160)) * width  # filter byte, then the row
    body = b"".join(pack.compress(row) for _ in range(height)) + pack.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return flat_png(tmp_path_factory.mktemp("bomb") / "huge.png", 13000, 13000)


def test_a_13000_px_png_is_refused_from_its_header_naming_the_64_mp_limit(bomb):
    assert bomb.stat().st_size < 5_000_000  # small on disk, 507 MB of pixels
    for read in (read_still, probe, lambda p: read_still(p, at_least=(64, 64))):
        with pytest.raises(MediaError, match="64 MP limit"):
            read(bomb)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # the app filters it; pytest resets that
def test_a_still_just_over_the_limit_is_refused_with_its_size(tmp_path):
    big = flat_png(tmp_path / "big.png", 9000, 9000)  # 81 MP: under Pillow's own bomb error
    with pytest.raises(MediaError, match=r"9000x9000 pixels \(81 MP\), over Shotline's 64 MP limit"):
        read_still(big)


def test_new_refuses_the_huge_png_in_one_line_and_writes_nothing(bomb, tmp_path, capsys):
    rc = project_commands.run("new", [str(tmp_path / "film"), str(bomb)])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "64 MP limit" in err
    assert list(tmp_path.iterdir()) == []


def test_thumbnails_of_the_huge_png_fail_with_the_reason_not_memory(bomb, tmp_path):
    cache = ThumbnailCache(tmp_path / "cache", height=48)
    with pytest.raises(MediaError, match="64 MP"):
        cache.get(str(bomb), 0)


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_large_stills_are_decoded_reduced_when_the_caller_scales_them_down(tmp_path, suffix):
    path = tmp_path / f"wide{suffix}"
    rgb = np.zeros((1000, 2000, 3), np.uint8)
    rgb[:, :1000] = (200, 30, 30)
    rgb[:, 1000:] = (30, 30, 200)
    Image.fromarray(rgb).save(path, quality=95)
    full = read_still(path)
    small = read_still(path, at_least=(200, 100))
    assert full.shape == (1000, 2000, 3)
    assert 200 <= small.shape[1] <= 500 and 100 <= small.shape[0] <= 250  # at least asked, far less than full
    assert small.shape[1] / small.shape[0] == pytest.approx(2.0, rel=0.02)
    h, w = small.shape[:2]
    assert np.abs(small[h // 2, w // 4].astype(int) - (200, 30, 30)).max() <= 12
    assert np.abs(small[h // 2, 3 * w // 4].astype(int) - (30, 30, 200)).max() <= 12


def test_a_rotated_jpeg_is_reduced_in_its_shown_orientation(tmp_path):
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored on its side: shown 1000 wide, 2000 tall
    Image.new("RGB", (2000, 1000), (10, 200, 10)).save(path, exif=exif)
    small = read_still(path, at_least=(100, 200))
    assert small.shape[0] > small.shape[1] and small.shape[1] >= 100 and small.shape[0] >= 200


@pytest.mark.timeout(20)
def test_a_fifo_named_like_an_image_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "still.png"
    os.mkfifo(fifo)
    with pytest.raises(MediaError, match="not a regular file"):
        read_still(fifo)


# --- animated WebP ------------------------------------------------------------------------------------

COLOURS = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]


@pytest.fixture
def anim_webp(tmp_path) -> Path:
    path = tmp_path / "anim.webp"
    frames = [Image.new("RGB", (64, 48), c) for c in COLOURS]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=[100, 200, 100], loop=0, lossless=True)
    return path


def frames_of(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def test_an_animated_webp_imports_its_three_frames_like_a_gif(anim_webp, tmp_path, capsys):
    assert is_animated_webp(anim_webp)
    folder = tmp_path / "film.shotline"
    assert project_commands.run("new", [str(folder), str(anim_webp), "--fps", "10"]) == 0
    project = load_project(folder)
    clip = project.tracks[0].clips[0]
    take = clip.take
    assert not take.is_still and take.frames == 4 and clip.length == 4  # the middle frame lasts 0.2 s
    assert take.media.startswith("media/conformed/") and take.metadata["original"] == str(anim_webp)
    shown = frames_of(folder / take.media)
    assert len(shown) == 4
    for frame, colour in zip(shown, [COLOURS[0], COLOURS[1], COLOURS[1], COLOURS[2]], strict=True):
        assert np.abs(frame[24, 32].astype(int) - colour).max() <= 6


def test_an_animated_webp_is_resampled_by_time_at_the_project_rate(anim_webp, tmp_path, capsys):
    folder = tmp_path / "film.shotline"
    assert project_commands.run("new", [str(folder), str(anim_webp), "--fps", "24"]) == 0
    take = load_project(folder).tracks[0].clips[0].take
    assert take.frames == round(Fraction(4, 10) * 24)  # 0.1 + 0.2 + 0.1 s at 24 fps
    shown = [int(np.argmax(f[24, 32])) for f in frames_of(folder / take.media)]
    assert shown == [0, 0, 0, 1, 1, 1, 1, 1, 2, 2]  # each frame shows what is on screen at its time


def test_a_one_frame_webp_stays_a_still(tmp_path):
    path = tmp_path / "one.webp"
    Image.new("RGB", (64, 48), (1, 2, 3)).save(path)
    assert not is_animated_webp(path) and probe(path).is_still
