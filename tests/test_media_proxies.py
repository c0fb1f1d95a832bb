"""Preview proxies: frame-for-frame small copies of long-GOP videos that the preview (not export) reads."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from editor.document.project import Clip, Project, Take, Track
from editor.media.cut import CutReader
from editor.media.export import ExportOptions, export_project
from editor.media.ffmpeg_bin import ffmpeg_exe
from editor.media.proxies import (
    build_proxy,
    existing_proxy,
    project_videos,
    proxy_path,
    wants_proxy,
)
from editor.media.takes import write_take
from editor.media.video import VideoReader
from model.runner import Cancelled

W, H = 96, 576  # taller than a proxy, so a proxy is worth making


def _levels(n: int) -> list[np.ndarray]:
    return [np.full((H, W, 3), 10 + 12 * i, np.uint8) for i in range(n)]


@pytest.fixture
def project(tmp_path, encode_video):
    root = tmp_path / "P.shotline"
    (root / "media").mkdir(parents=True)
    clip_path = encode_video(_levels(16), "phone.mp4")  # H.264, B-frames, keyframe every 8
    os.replace(clip_path, root / "media" / "phone.mp4")
    proj = Project(name="P", fps=Fraction(24), width=W, height=H, tracks=[Track("v1", "V1", [
        Clip("c", 0, 16, name="Phone", takes=[Take("t", "media/phone.mp4", 16)]),
    ])])
    return proj, root


def test_a_proxy_holds_the_same_frames_smaller_and_all_keyframes(project):
    proj, root = project
    assert wants_proxy(root / "media" / "phone.mp4")
    assert existing_proxy(root, "media/phone.mp4") is None
    progress = []
    path = build_proxy(root, "media/phone.mp4", on_progress=lambda d, t: progress.append((d, t)))
    assert path.parent == root / "cache" / "proxies" and existing_proxy(root, "media/phone.mp4") == path
    assert progress and progress[-1] == (16, 16)
    with VideoReader(path) as proxy:
        assert proxy.frame_count == 16 and proxy.intra_only and proxy.display_size[1] <= 540
        for i in (11, 2, 15, 0, 7):
            assert abs(float(proxy.read(i).mean()) - (10 + 12 * i)) < 3, i
    assert build_proxy(root, "media/phone.mp4") == path  # made once
    assert not list(path.parent.glob(".*partial*"))


def test_preview_reads_the_proxy_and_export_reads_the_original(project):
    proj, root = project
    proxy = build_proxy(root, "media/phone.mp4")
    with CutReader(proj, root, width=48, height=288, use_proxies=True) as preview:
        assert abs(float(preview.frame_at(9).mean()) - (10 + 12 * 9)) < 3
        assert str(proxy) in preview.decoders.open_paths
    with CutReader(proj, root, strict=True) as export_reader:
        export_reader.frame_at(9)
        assert export_reader.decoders.open_paths == [str(root / "media" / "phone.mp4")]


def test_a_changed_source_never_shows_its_old_proxy(project):
    proj, root = project
    build_proxy(root, "media/phone.mp4")
    src = root / "media" / "phone.mp4"
    st = src.stat()
    os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert existing_proxy(root, "media/phone.mp4") is None


def test_cancelling_leaves_no_proxy(project):
    proj, root = project
    with pytest.raises(Cancelled):
        build_proxy(root, "media/phone.mp4", should_cancel=lambda: True)
    assert existing_proxy(root, "media/phone.mp4") is None
    assert not [p for p in (root / "cache" / "proxies").iterdir()]


def test_takes_and_small_videos_need_no_proxy(tmp_path, encode_video):
    take = write_take(tmp_path / "take.mkv", [np.zeros((600, 64, 3), np.uint8)] * 2, 24)
    assert not wants_proxy(take)  # every frame of a take is a keyframe already
    assert not wants_proxy(encode_video(_levels(4)[:4], "small.mp4", args=["-vf", "scale=64:48"]))


def _textured(n: int, w: int = 160, h: int = 96) -> list[np.ndarray]:
    """Moving texture and a moving square: every frame differs, and B-frames get used."""
    rng = np.random.default_rng(1)
    base = rng.integers(0, 255, (h, w + n * 2, 3), dtype=np.uint8)
    out = []
    for i in range(n):
        f = np.ascontiguousarray(base[:, i * 2 : i * 2 + w])
        f[20:40, (i * 5) % (w - 20) :][:, :20] = (250, 40, 40)
        out.append(f)
    return out


def _reference_decode(path: Path) -> list[np.ndarray]:
    """Every frame by a plain front-to-back PyAV decode (no seeking, no skipping, one thread)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "NONE"
        return [f.to_ndarray(format="rgb24", src_color_range=f.color_range) for f in container.decode(stream)]


@pytest.mark.parametrize("gop", [8, 24])
def test_seeks_return_exactly_the_frames_of_a_sequential_decode(encode_video, gop):
    # H.264 with up to 3 B-frames (pyramid: some B-frames are references), long and short GOPs
    args = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-g", str(gop), "-bf", "3",
            "-pix_fmt", "yuv420p"]
    path = encode_video(_textured(60), f"gop{gop}.mp4", args=args)
    sequential = _reference_decode(path)
    assert len(sequential) == 60
    rng = random.Random(gop)
    positions = rng.sample(range(60), 20)
    # a jump, then what follows jumps in the preview: the next frame (playback starts), a few
    # frames on (a slow scrub), a step back
    positions += [31, 32, 33, 40, 39, 5, 6, 59, 0]
    with VideoReader(path) as reader:
        for i in positions:
            assert np.array_equal(reader.read(i), sequential[i]), i


def test_min_height_decides_which_videos_want_a_proxy(encode_video):
    video = encode_video(_textured(4, 160, 96), "small.mp4")
    assert not wants_proxy(video)  # under the proxy height: a proxy would not be smaller
    assert wants_proxy(video, min_height=64)
    assert not wants_proxy(video, min_height=96)


def test_project_videos_lists_shown_takes_first_and_each_file_once(tmp_path):
    proj = Project(name="P", fps=Fraction(24), width=64, height=64, tracks=[
        Track("v2", "V2", [Clip("x", 0, 8, takes=[Take("t1", "media/a.mp4", 8), Take("t2", "media/b.mp4", 8)],
                                active_take=1)]),
        Track("v1", "V1", [Clip("y", 0, 8, takes=[Take("t3", "media/still.png", 1, is_still=True)]),
                           Clip("z", 8, 8, takes=[Take("t4", "media/b.mp4", 8), Take("t5", "/abs/c.mp4", 8)])]),
    ])
    assert project_videos(proj, tmp_path) == [tmp_path / "media/b.mp4", tmp_path / "media/a.mp4", Path("/abs/c.mp4")]


def test_export_reads_the_original_even_when_a_proxy_exists(project, tmp_path, encode_video):
    proj, root = project
    proxy = build_proxy(root, "media/phone.mp4")
    # a proxy that shows something else (inverted levels, same frame count): who reads it shows it
    fake = build_proxy(root, encode_video([255 - f for f in _levels(16)], "inverted.mp4"))
    os.replace(fake, proxy)
    with CutReader(proj, root, width=48, height=288, use_proxies=True) as preview:
        assert abs(float(preview.frame_at(3).mean()) - (255 - (10 + 12 * 3))) < 4
    out = tmp_path / "film.mp4"
    export_project(proj, root, out, ExportOptions(preset="ultrafast"))
    with VideoReader(out) as exported:
        for t in (3, 12):
            assert abs(float(exported.read(t).mean()) - (10 + 12 * t)) < 4, t


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads process states from /proc")
def test_a_background_proxy_runs_at_the_lowest_priority_and_stops_while_paused(project):
    proj, root = project
    # A long source, so ffmpeg is still working when the first progress line asks it to pause:
    # 16 frames are transcoded before Python reads that line on a loaded machine (seen in CI).
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", f"testsrc2=size={W}x{H}:rate=24:duration=120", "-c:v", "libx264",
                    "-preset", "ultrafast", "-g", "48", str(root / "media" / "phone.mp4")],
                   check=True, capture_output=True)
    paused = threading.Event()
    paused.set()
    seen_pause = threading.Event()

    def should_pause() -> bool:
        seen_pause.set()
        return paused.is_set()

    result: list = []
    worker = threading.Thread(target=lambda: result.append(
        build_proxy(root, "media/phone.mp4", should_pause=should_pause, background=True)))
    worker.start()
    try:
        assert seen_pause.wait(10)
        time.sleep(0.3)
        children = _ffmpeg_children()
        assert children, "ffmpeg should be running (stopped)"
        for state, nice in children:
            assert state == "T" and nice == 19, (state, nice)  # stopped, lowest priority
        assert existing_proxy(root, "media/phone.mp4") is None
    finally:
        paused.clear()
        worker.join(30)
    assert result and result[0] == proxy_path(root, "media/phone.mp4") and result[0].exists()


def _ffmpeg_children() -> list[tuple[str, int]]:
    """(state, nice) of this process's live ffmpeg children, from /proc. Zombies ('Z') are
    children that already ended (an earlier test's, not yet reaped): not the one asked about."""
    out = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            stat = stat_file.read_text()
        except OSError:
            continue  # ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()  # state, ppid, ... (man 5 proc)
        if "ffmpeg" in name and int(fields[1]) == os.getpid() and fields[0] != "Z":
            out.append((fields[0], int(fields[16])))
    return out
