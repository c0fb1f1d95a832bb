"""Preview proxies: frame-for-frame small copies of long-GOP videos that the preview (not export) reads."""

from __future__ import annotations

import os
from fractions import Fraction

import numpy as np
import pytest

from editor.document.project import Clip, Project, Take, Track
from editor.media.cut import CutReader
from editor.media.proxies import ProxyCancelled, build_proxy, existing_proxy, wants_proxy
from editor.media.takes import write_take
from editor.media.video import VideoReader

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
    with pytest.raises(ProxyCancelled):
        build_proxy(root, "media/phone.mp4", should_cancel=lambda: True)
    assert existing_proxy(root, "media/phone.mp4") is None
    assert not [p for p in (root / "cache" / "proxies").iterdir()]


def test_takes_and_small_videos_need_no_proxy(tmp_path, encode_video):
    take = write_take(tmp_path / "take.mkv", [np.zeros((600, 64, 3), np.uint8)] * 2, 24)
    assert not wants_proxy(take)  # every frame of a take is a keyframe already
    assert not wants_proxy(encode_video(_levels(4)[:4], "small.mp4", args=["-vf", "scale=64:48"]))
