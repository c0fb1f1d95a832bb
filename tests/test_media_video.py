"""Videos read frame-exactly by index, in any order, as fast as the preview needs."""

from __future__ import annotations

import random
import subprocess

import numpy as np
import pytest

from editor.media.decoders import DecoderPool
from editor.media.errors import MediaError
from editor.media.ffmpeg_bin import ffmpeg_exe, has_encoder
from editor.media.video import VideoReader, iter_frames, read_frame, read_frames


def _numbered(n: int, w: int = 64, h: int = 48) -> list[np.ndarray]:
    """Frame i is a gray level 8*i with a square moving across it (survives lossy coding)."""
    out = []
    for i in range(n):
        f = np.full((h, w, 3), 8 * i, np.uint8)
        x = (i * 2) % (w - 8)
        f[10:18, x : x + 8] = (250, 30, 30)
        out.append(f)
    return out


def _level(frame: np.ndarray) -> int:
    """Which numbered frame this is: its background gray level / 8."""
    return round(float(np.median(frame[30:, :, 1])) / 8)


def test_random_access_matches_sequential_decoding_exactly(encode_video):
    path = encode_video(_numbered(30))  # H.264 with B-frames, a keyframe every 8 frames
    sequential = read_frames(path)
    assert len(sequential) == 30 and [_level(f) for f in sequential] == list(range(30))
    order = list(range(30)) * 2
    random.Random(3).shuffle(order)
    with VideoReader(path) as reader:
        assert reader.frame_count == 30 and reader.codec == "h264"
        for i in order + [29, 28, 0, 1, 2, 17, 16, 15]:  # backwards, restart, short jumps
            assert np.array_equal(reader.read(i), sequential[i]), i


def test_long_gop_clip_seeks_exactly(encode_video):
    args = ["-c:v", "libx264", "-preset", "ultrafast", "-g", "1000", "-bf", "2", "-pix_fmt", "yuv420p"]
    path = encode_video(_numbered(20), "long_gop.mp4", args=args)
    sequential = read_frames(path)
    with VideoReader(path) as reader:
        for i in (19, 3, 11, 0, 18):
            assert np.array_equal(reader.read(i), sequential[i])


def test_read_one_frame_a_range_and_iterate(encode_video):
    path = encode_video(_numbered(12))
    assert _level(read_frame(path, 7)) == 7
    assert [_level(f) for f in read_frames(path, 4, 3)] == [4, 5, 6]
    assert [_level(f) for f in iter_frames(path, 9)] == [9, 10, 11]
    with VideoReader(path) as reader, pytest.raises(IndexError):
        reader.read(12)


@pytest.mark.skipif(not has_encoder("libx265"), reason="this ffmpeg has no libx265")
def test_other_codecs_and_containers(encode_video):
    frames = _numbered(6)
    for name, args in {
        "c.mkv": ["-c:v", "libx265", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p"],
        "c.webm": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-pix_fmt", "yuv420p"] if has_encoder("libvpx-vp9")
        else ["-c:v", "mpeg4"],
        "c.avi": ["-c:v", "mjpeg", "-q:v", "3"],
    }.items():
        out = read_frames(encode_video(frames, name, args=args))
        assert [_level(f) for f in out] == list(range(6)), name


def test_rotated_phone_video_is_shown_upright_like_ffmpeg_shows_it(encode_video, tmp_path):
    src = encode_video(_numbered(4, 64, 48), "flat.mp4")
    rotated = tmp_path / "rotated.mp4"
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-y", "-display_rotation", "90", "-i", str(src),
                    "-c", "copy", str(rotated)], check=True)
    # the ffmpeg CLI applies the rotation when it decodes: that is the reference
    raw = subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-i", str(rotated), "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], check=True, capture_output=True).stdout
    reference = np.frombuffer(raw, np.uint8).reshape(4, 64, 48, 3)
    with VideoReader(rotated) as reader:
        assert reader.display_size == (48, 64)
        frame = reader.read(2)
    assert frame.shape == (64, 48, 3)
    assert np.abs(frame.astype(int) - reference[2]).mean() < 3


def test_unreadable_videos_raise_media_errors_that_name_the_file(encode_video, tmp_path):
    good = encode_video(_numbered(24), "good.mp4").read_bytes()
    (tmp_path / "half.mp4").write_bytes(good[: len(good) // 3])
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "text.mp4").write_text("hello, not a video")
    for name in ("half.mp4", "empty.mp4", "text.mp4", "missing.mp4"):
        with pytest.raises(MediaError) as err:
            VideoReader(tmp_path / name).close()
        assert name in str(err.value)


def test_decoder_pool_keeps_one_open_decoder_per_file_and_reopens_replaced_files(encode_video):
    path = encode_video(_numbered(10), "a.mp4")
    other = encode_video(_numbered(10), "b.mp4")
    pool = DecoderPool(max_open=1)
    with pool.reader(path) as r1:
        r1.read(3)
    with pool.reader(path) as r2:
        assert r2 is r1  # kept open between reads
    with pool.reader(other):
        pass
    assert len(pool) == 1 and r1.closed  # the least recently used was closed
    with pool.reader(path) as r3:
        assert r3 is not r1 and _level(r3.read(9)) == 9
    encode_video(_numbered(10)[::-1], "a.mp4")  # replaced on disk: new content, new decoder
    with pool.reader(path) as r4:
        assert r4 is not r3 and _level(r4.read(0)) == 9
    pool.close()


def test_reading_on_to_the_last_frame_never_seeks_back(encode_video):
    """The decoder's flush at the end of the file hands over its last frames at once: they are kept,
    so a short export reading a one-GOP clip to its end decodes each frame once instead of
    decoding the last GOP again (twice) for the final frames."""
    args = ["-c:v", "libx264", "-preset", "ultrafast", "-g", "1000", "-bf", "3", "-pix_fmt", "yuv420p"]
    path = encode_video(_numbered(24), "one_gop.mp4", args=args)

    class Counting(VideoReader):
        seeks = 0

        def _seek_to_key(self, index: int) -> None:
            Counting.seeks += 1
            super()._seek_to_key(index)

    with Counting(path) as reader:
        frames = [reader.read(i) for i in range(24)]
    assert [_level(f) for f in frames] == list(range(24))
    assert Counting.seeks == 1  # the one at opening; none at the end
