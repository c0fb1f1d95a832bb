"""Thumbnails cached in the project's cache/, the bounded frame cache, media paths, ffmpeg lookup."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from editor.document.media_paths import MediaRefused, resolve_media, stored_media_path
from editor.document.project import Clip, ShotSettings, Take
from editor.media import ffmpeg_bin
from editor.media.errors import MediaError
from editor.media.frame_cache import FrameCache
from editor.media.takes import write_take
from editor.media.thumbnails import ThumbnailCache


def test_frame_cache_drops_the_least_recently_used_within_its_byte_budget():
    frame = np.zeros((10, 10, 3), np.uint8)  # 300 bytes
    cache = FrameCache(max_bytes=1000)
    for k in "abc":
        cache.put(k, frame.copy())
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("d", frame.copy())
    assert "b" not in cache and {"a", "c", "d"} <= {k for k in "abcd" if k in cache}
    assert cache.nbytes == 900 and len(cache) == 3
    cache.put("huge", np.zeros((40, 40, 3), np.uint8))  # larger than the budget: served, not kept
    assert "huge" not in cache and len(cache) == 3
    made = []
    cache.get_or_make("e", lambda: made.append(1) or frame.copy())
    cache.get_or_make("e", lambda: made.append(1) or frame.copy())
    assert made == [1]


def test_thumbnails_are_cached_in_the_project_and_follow_file_changes(tmp_path):
    root = tmp_path / "T.shotline"
    (root / "media").mkdir(parents=True)
    write_take(root / "media" / "take.mkv", [np.full((180, 320, 3), 20 * i, np.uint8) for i in range(6)], 24)
    thumbs = ThumbnailCache(root, height=45)
    path = thumbs.path_for("media/take.mkv", 3)
    assert path.parent == root / "cache" / "thumbnails" and path.suffix == ".jpg"
    img = thumbs.get("media/take.mkv", 3)
    assert img.shape == (45, 80, 3) and abs(int(img.mean()) - 60) <= 2
    made = path.stat().st_mtime_ns
    assert thumbs.path_for("media/take.mkv", 3) == path and path.stat().st_mtime_ns == made  # reused
    assert thumbs.path_for("media/take.mkv", 4) != path  # another frame, another thumbnail
    # the file is replaced: a new thumbnail, never the stale one
    write_take(root / "media" / "take.mkv", [np.full((180, 320, 3), 250, np.uint8)] * 6, 24)
    os.utime(root / "media" / "take.mkv", ns=(made + 10**9, made + 10**9))
    assert thumbs.get("media/take.mkv", 3).mean() > 240
    # stills and imports outside the project, by absolute path
    Image.fromarray(np.full((90, 90, 3), (255, 0, 0), np.uint8)).save(tmp_path / "red.png")
    red = thumbs.get(str(tmp_path / "red.png"))
    assert red.shape == (45, 45, 3) and red[..., 0].mean() > 240
    with pytest.raises(MediaError, match="does not exist"):
        thumbs.get("media/missing.png")
    thumbs.close()


def test_shot_card_thumbnails(tmp_path):
    write_take(tmp_path / "take.mkv", [np.full((36, 64, 3), 100, np.uint8)] * 3, 24)
    thumbs = ThumbnailCache(tmp_path, height=36)
    draft = Clip("d", 0, 10, name="Shot 1", shot=ShotSettings(prompt="a lighthouse at night"))
    card = thumbs.for_clip(draft)
    assert card.shape == (36, 64, 3) and card.mean() < 80
    made = Clip("m", 0, 10, name="Shot 2", takes=[Take("t", str(tmp_path / "take.mkv"), 3)], source_in=1)
    assert abs(thumbs.for_clip(made).mean() - 100) <= 2
    thumbs.close()


def test_media_paths_are_relative_inside_the_project_and_absolute_outside(tmp_path):
    root = tmp_path / "P.shotline"
    inside = root / "media" / "take.mkv"
    outside = tmp_path / "holiday.mp4"
    assert stored_media_path(root, inside) == "media/take.mkv"
    assert stored_media_path(root, outside) == str(outside)
    assert resolve_media(root, "media/take.mkv") == inside
    assert resolve_media(root, str(outside)) == outside
    with pytest.raises(MediaRefused):  # an unsaved project has no folder for a relative path
        resolve_media(None, "x.png")


def test_ffmpeg_is_found_and_has_the_export_encoders():
    exe = ffmpeg_bin.ffmpeg_exe()
    assert Path(exe).exists()
    assert ffmpeg_bin.has_encoder("libx264") and ffmpeg_bin.has_encoder("ffv1")
    assert not ffmpeg_bin.has_encoder("no-such-encoder")


def test_no_ffmpeg_anywhere_is_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_imageio(name, *args, **kwargs):
        if name == "imageio_ffmpeg":
            raise ImportError("not installed")
        return real_import(name, *args, **kwargs)

    ffmpeg_bin.ffmpeg_exe.cache_clear()
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(builtins, "__import__", no_imageio)
    try:
        with pytest.raises(MediaError, match="install"):
            ffmpeg_bin.ffmpeg_exe()
    finally:
        ffmpeg_bin.ffmpeg_exe.cache_clear()
