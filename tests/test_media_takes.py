"""Takes are lossless and atomic: what goes in comes back bit for bit, and never half a file."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from editor.media.errors import MediaError
from editor.media.probe import probe
from editor.media.takes import (
    TakeWriter,
    read_sidecar,
    read_take,
    sidecar_path,
    write_sidecar,
    write_take,
)

ROOT = Path(__file__).resolve().parents[1]


def _noise(n: int, w: int, h: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for _ in range(n)]


@pytest.mark.parametrize("size", [(64, 48), (35, 21), (320, 180)])
def test_take_round_trip_is_bit_exact(tmp_path, size):
    frames = _noise(6, *size)
    frames[0][:] = 0  # the extremes too
    frames[1][:] = 255
    path = write_take(tmp_path / "take.mkv", frames, Fraction(30000, 1001))
    back = read_take(path)
    assert len(back) == len(frames)
    for a, b in zip(frames, back, strict=True):
        assert b.dtype == np.uint8 and np.array_equal(a, b)
    info = probe(path)
    assert info.fps == Fraction(30000, 1001) and info.frames == 6 and info.size == size
    assert [np.array_equal(f, frames[i]) for i, f in enumerate(read_take(path, 3, 2), start=3)] == [True, True]


def test_streaming_writer_publishes_only_on_close(tmp_path):
    final = tmp_path / "shot.mkv"
    writer = TakeWriter(final, 24)
    for frame in _noise(3, 32, 32):
        writer.append(frame)
    assert not final.exists() and writer.temp_path.exists()
    assert writer.temp_path.parent == final.parent  # same folder: the rename is atomic
    writer.close()
    assert final.exists() and not writer.temp_path.exists()
    assert list(tmp_path.iterdir()) == [final]


def test_a_failure_while_writing_leaves_no_take(tmp_path):
    final = tmp_path / "shot.mkv"
    with pytest.raises(RuntimeError), TakeWriter(final, 24) as writer:
        writer.append(_noise(1, 32, 32)[0])
        raise RuntimeError("the job was cancelled")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(MediaError, match="one size"), TakeWriter(final, 24) as writer:
        writer.append(_noise(1, 32, 32)[0])
        writer.append(_noise(1, 16, 16)[0])
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(MediaError, match="RGB uint8"):
        write_take(final, [np.zeros((8, 8), np.uint8)], 24)
    with pytest.raises(MediaError, match="no frames"):
        write_take(final, [], 24)
    assert list(tmp_path.iterdir()) == []


def test_a_crash_mid_take_never_leaves_a_file_under_the_final_name(tmp_path):
    final = tmp_path / "shot.mkv"
    code = (
        "import os, numpy as np\n"
        "from editor.media.takes import TakeWriter\n"
        f"w = TakeWriter({str(final)!r}, 24)\n"
        "for i in range(3): w.append(np.full((32, 32, 3), i, np.uint8))\n"
        "os._exit(9)  # the process dies: no close, no cleanup\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True)
    assert proc.returncode == 9, proc.stderr.decode()
    assert not final.exists()
    leftovers = list(tmp_path.iterdir())
    assert all(p.name.startswith(".") and ".partial" in p.name for p in leftovers)


def test_sidecar_holds_the_generation_record(tmp_path):
    take = write_take(tmp_path / "take-1.mkv", _noise(2, 16, 16), 24)
    record = {"model": "ltx-video-0.9.7", "seed": 1234, "prompt": "a paper boat", "fps": Fraction(24),
              "steps": np.int64(30), "context": [{"frame": 0, "count": 1}], "folder": tmp_path}
    path = write_sidecar(take, record)
    assert path == sidecar_path(take) == tmp_path / "take-1.json"
    back = read_sidecar(take)
    assert back["seed"] == 1234 and back["prompt"] == "a paper boat" and back["fps"] == "24/1"
    assert back["steps"] == 30 and back["folder"] == str(tmp_path)
    assert json.loads(path.read_text())["media"] == "take-1.mkv"
    # rewritten atomically: no temporary files stay behind
    write_sidecar(take, {"seed": 5})
    assert read_sidecar(take) == {"seed": 5}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["take-1.json", "take-1.mkv"]
    assert read_sidecar(tmp_path / "other.mkv") == {}
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(MediaError, match="bad.json"):
        read_sidecar(tmp_path / "bad.mkv")
