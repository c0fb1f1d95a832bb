"""Export: the MP4 holds the cut (frames, rate, size, range), says how it was made, and a cancelled
or failed export never leaves a partial file or harms an existing one."""

from __future__ import annotations

import math
import os
import signal
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from editor.document.project import Clip, Project, ShotSettings, Take, Track
from editor.media.cut import CutReader
from editor.media.export import (
    ExportError,
    ExportOptions,
    export_presets,
    export_project,
)
from editor.media.ffmpeg_bin import has_encoder
from editor.media.takes import write_take
from model.runner import Cancelled

W, H = 96, 64


@pytest.fixture
def film(tmp_path):
    """A 40-frame cut: a generated take (frames 0-19, gray ramp), a gap, an imported still, a draft."""
    root = tmp_path / "Film.shotline"
    (root / "media").mkdir(parents=True)
    write_take(root / "media" / "gen.mkv", [np.full((H, W, 3), 10 * i, np.uint8) for i in range(20)], 24)
    Image.fromarray(np.full((H, W, 3), (30, 200, 60), np.uint8)).save(tmp_path / "import.png")
    record = {"model": "LTX-Video-0.9.7-distilled", "seed": 424242, "prompt": "a paper boat at dawn",
              "action": "generate"}
    project = Project(name="Boat Film", fps=Fraction(24), width=W, height=H, tracks=[Track("v1", "V1", [
        Clip("g", 0, 20, name="Shot 1", takes=[Take("tg", "media/gen.mkv", 20, record=record)],
             shot=ShotSettings(prompt="a paper boat at dawn", seed=424242)),
        Clip("s", 24, 8, name="Meadow", takes=[Take("ts", str(tmp_path / "import.png"), 1, is_still=True)]),
        Clip("d", 32, 8, name="Shot 3", shot=ShotSettings(prompt="the boat reaches the shore")),
    ])])
    return project, root


def _decode(path: Path) -> tuple[list[np.ndarray], av.video.stream.VideoStream, dict]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        return frames, stream, dict(container.metadata)


def test_export_holds_the_cut_frame_for_frame(film, tmp_path):
    project, root = film
    progress = []
    out = tmp_path / "film.mp4"
    result = export_project(project, root, out, ExportOptions(preset="ultrafast"),
                            on_progress=lambda done, total: progress.append((done, total)))
    frames, stream, _ = _decode(out)
    assert result.path == out and result.frames == 40 == len(frames)
    assert stream.codec_context.name == "h264" and (stream.width, stream.height) == (W, H)
    assert stream.average_rate == 24 and stream.codec_context.pix_fmt == "yuv420p"
    assert progress == [(k, 40) for k in range(1, 41)]
    with CutReader(project, root) as cut:
        for t in (0, 7, 19, 21, 26, 35):
            diff = np.abs(frames[t].astype(int) - cut.frame_at(t).astype(int)).mean()
            assert diff < 4, (t, diff)
    assert frames[22].max() < 20  # the gap is black
    assert list(tmp_path.glob(".*partial*")) == [] and not out.with_name(out.name + ".ffmpeg.log").exists()


def test_provenance_is_in_the_mp4_metadata(film, tmp_path):
    project, root = film
    out = tmp_path / "film.mp4"
    export_project(project, root, out, ExportOptions(preset="ultrafast"))
    meta = _decode(out)[2]
    assert meta["title"] == "Boat Film"
    assert "Made with Shotline; contains AI-generated frames" in meta["comment"]
    assert "LTX-Video-0.9.7-distilled" in meta["comment"] and "424242" in meta["comment"]
    assert 'Shot 1: generate with LTX-Video-0.9.7-distilled, seed 424242; prompt "a paper boat at dawn"' \
        == meta["description"]
    # a range that shows no generated shot makes no AI claim
    export_project(project, root, out, ExportOptions(preset="ultrafast", start=24, end=40))
    meta = _decode(out)[2]
    assert meta["comment"] == "Made with Shotline" and "description" not in meta


def test_range_rate_and_size(film, tmp_path):
    project, root = film
    out = tmp_path / "part.mp4"
    export_project(project, root, out, ExportOptions(preset="ultrafast", start=5, end=15))
    frames = _decode(out)[0]
    assert len(frames) == 10 and abs(int(frames[0].mean()) - 50) <= 3  # starts at frame 5 of the take
    # 24 -> 30 fps picks frames: 40 frames become ceil(40 * 30 / 24) = 50, the same 1.667 s
    res = export_project(project, root, out, ExportOptions(preset="ultrafast", fps=Fraction(30), end=40))
    frames, stream, _ = _decode(out)
    assert res.frames == len(frames) == 50 and stream.average_rate == 30
    assert abs(int(frames[5].mean()) - 40) <= 3  # output 5 at 1/6 s shows project frame 4
    # 24 -> 12 fps keeps every other frame
    export_project(project, root, out, ExportOptions(preset="ultrafast", fps=Fraction(12), end=20))
    frames = _decode(out)[0]
    assert len(frames) == 10 and abs(int(frames[3].mean()) - 60) <= 3
    # another aspect ratio: the whole project picture letterboxed (pillarboxed here) into it
    export_project(project, root, out, ExportOptions(preset="ultrafast", width=192, height=64, start=24, end=26))
    frames, stream, _ = _decode(out)
    assert (stream.width, stream.height) == (192, 64)
    assert frames[0][:, :40].max() < 20 and frames[0][:, 60:130, 1].mean() > 180
    export_project(project, root, out, ExportOptions(preset="ultrafast", width=192, height=64, start=24, end=26,
                                                     fit="crop"))
    assert _decode(out)[0][0][:, :10, 1].mean() > 180  # cropped: filled to the edges


@pytest.mark.skipif(not has_encoder("libx265"), reason="this ffmpeg has no libx265")
def test_h265_export(film, tmp_path):
    project, root = film
    out = tmp_path / "film.mp4"
    export_project(project, root, out, ExportOptions(codec="h265", preset="ultrafast", end=12))
    frames, stream, _ = _decode(out)
    assert stream.codec_context.name == "hevc" and len(frames) == 12
    assert stream.codec_tag == "hvc1"  # plays in Apple's players too


def test_cancel_leaves_nothing_and_keeps_an_existing_file(film, tmp_path):
    project, root = film
    out = tmp_path / "film.mp4"
    out.write_bytes(b"the previous export")
    seen = []
    with pytest.raises(Cancelled):
        export_project(project, root, out, ExportOptions(preset="ultrafast"),
                       on_progress=lambda d, t: seen.append(d), should_cancel=lambda: len(seen) >= 5)
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Film.shotline", "film.mp4", "import.png"]
    assert len(seen) == 5


def test_missing_media_mid_export_fails_cleanly(film, tmp_path):
    project, root = film
    (tmp_path / "import.png").unlink()  # the still at frame 24 is gone
    out = tmp_path / "film.mp4"
    out.write_bytes(b"the previous export")
    with pytest.raises(ExportError) as err:
        export_project(project, root, out, ExportOptions(preset="ultrafast"))
    assert "Meadow" in str(err.value) and "import.png" in str(err.value)
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Film.shotline", "film.mp4"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds ffmpeg through /proc")
def test_ffmpeg_dying_mid_export_is_reported_with_its_log(film, tmp_path):
    project, root = film
    out = tmp_path / "film.mp4"
    out.write_bytes(b"the previous export")
    killed = []

    def kill_our_ffmpeg(done: int, total: int) -> None:
        if done == 3 and not killed:  # like a crash or a full disk in the middle of encoding
            for task in Path("/proc/self/task").iterdir():
                try:
                    children = (task / "children").read_text().split()
                except FileNotFoundError:  # that thread ended while we looked
                    continue
                for pid in children:
                    os.kill(int(pid), signal.SIGKILL)
                    killed.append(pid)

    with pytest.raises(ExportError) as err:
        export_project(project, root, out, ExportOptions(preset="ultrafast"), on_progress=kill_our_ffmpeg)
    assert killed and "failed" in str(err.value) and "ffmpeg" in str(err.value)
    assert out.read_bytes() == b"the previous export"
    assert out.with_name("film.mp4.ffmpeg.log").exists()
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write into read-only folders")
def test_unwritable_folder_is_a_clear_error(film, tmp_path):
    project, root = film
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "film.mp4").write_bytes(b"old")
    locked.chmod(0o555)
    try:
        with pytest.raises(ExportError, match="choose a folder"):
            export_project(project, root, locked / "film.mp4", ExportOptions(preset="ultrafast"))
        assert (locked / "film.mp4").read_bytes() == b"old"
    finally:
        locked.chmod(0o755)


def test_impossible_options_are_refused_before_anything_runs(film, tmp_path):
    project, root = film
    out = tmp_path / "x.mp4"
    cases = [
        (ExportOptions(codec="vp9"), "h264 or h265"),
        (ExportOptions(crf=70), "0 \\(best\\)"),
        (ExportOptions(preset="fastest"), "ultrafast"),
        (ExportOptions(width=95, height=64), "even"),
        (ExportOptions(width=96), "both"),
        (ExportOptions(start=30, end=10), "out point"),
        (ExportOptions(start=100), "Nothing to export"),
    ]
    for options, message in cases:
        with pytest.raises(ExportError, match=message):
            export_project(project, root, out, options)
    with pytest.raises(ExportError, match="does not exist"):
        export_project(project, root, tmp_path / "no" / "x.mp4")
    with pytest.raises(ExportError, match="empty"):
        export_project(Project(), root, out)
    assert not out.exists()


def test_presets_load_and_cover_the_common_deliveries():
    presets = export_presets()
    assert {"1080p H.264 high", "720p draft", "4K H.265"} <= set(presets)
    assert presets["4K H.265"].codec == "h265" and (presets["4K H.265"].width, presets["4K H.265"].height) == (3840, 2160)
    assert presets["720p draft"].preset in ("ultrafast", "superfast", "veryfast")
    assert ExportOptions.preset_named("1080p H.264 high").quality == 18
    assert ExportOptions().quality == 18 and ExportOptions(codec="h265").quality == 22
    with pytest.raises(ExportError, match="720p draft"):
        ExportOptions.preset_named("8K")
    assert math.isclose(float(ExportOptions.from_dict({"fps": "30000/1001"}).fps), 29.97, rel_tol=1e-3)


def test_a_target_that_cannot_be_replaced_is_a_clear_error_and_leaves_no_partial_file(film, tmp_path):
    """Works as root too: the target is a folder the user has there (a rename can't replace it)."""
    project, root = film
    where = tmp_path / "exports"
    where.mkdir()
    target = where / "film.mp4"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(ExportError):
        export_project(project, root, target, ExportOptions(preset="ultrafast"))
    assert (target / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in where.iterdir()) == ["film.mp4"]
