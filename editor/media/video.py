"""Video files read as RGB uint8 frames by index, with fast random access for the preview.

`VideoReader` keeps one decoder open per file. On opening it demuxes the file once (no
decoding; milliseconds for a clip) to learn every frame's timestamp and where the keyframes
are, so that frame `i` is an exact timestamp rather than a guess from the frame rate. A read:

- continues decoding forward when the target lies ahead in the same run of frames (playback
  and small forward scrubs never seek);
- otherwise seeks to the keyframe at or before the target and decodes forward from it: packets
  before that keyframe are dropped unread by the decoder (a Matroska seek lands on a cluster
  start, which for an all-keyframe take would otherwise mean decoding a dozen frames), and the
  non-reference frames before the target are skipped (`skip_frame=NONREF`: nothing depends on
  them, so the target decodes bit-identically while about half the B-frames are never decoded);
- answers from a short ring of the frames it decoded last (stepping back a frame is free).

A jump (a read that needs a seek) in a long-GOP video is made cheaper still: only the packets up
to the target's own packet are sent, every one of them but the target decoded only if other
frames refer to it, and then the decoder is drained. The frames a decoder would otherwise
decode ahead before handing the target over (B-frame reordering, one per frame thread) are never
decoded: a random seek in a 1080p H.264 clip costs about a third less, and the frame is the
same one, bit for bit, since a frame depends only on frames before it in decode order. A drained
decoder can't go on, so a read just after a jump (playback starting, a slow forward scrub)
seeks once more and decodes forward as above, leaving the decoder running.

Frames are turned to RGB by swscale with the stream's own colour matrix and range, and a
display-matrix rotation (phone videos) is applied, as ffmpeg's own players do.
"""

from __future__ import annotations

import bisect
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from editor.media.errors import MediaError

RECENT_FRAMES = 4  # decoded frames kept for free re-reads and short steps back (3 MB each at 1080p)
# Frame threads decode several frames at once: the only parallelism in H.264 streams made
# without slices, which is most of them.
THREAD_TYPE = "AUTO"
# A keyframe more than this many frames ahead is reached by seeking; a nearer one by reading on.
SEEK_AHEAD = 16


def open_container(path: Path) -> av.container.InputContainer:
    """av.open with MediaErrors that name the file and say what to do."""
    if not path.exists():
        raise MediaError(f"{path} does not exist; check the path or relink the media.")
    if path.is_dir():
        raise MediaError(f"{path} is a folder, not a video; pick a video file.")
    if path.stat().st_size == 0:
        raise MediaError(f"{path} is empty (0 bytes); copy or export it again.")
    try:
        return av.open(str(path), mode="r")
    except av.error.FFmpegError as exc:
        raise MediaError(
            f"{path} is not a video Shotline can read ({exc.strerror or exc}); "
            "convert it to MP4 (H.264) or check that it was copied completely."
        ) from exc


class VideoReader:
    """Random and sequential access to the frames of one video file.

    Not safe for concurrent use from several threads; `DecoderPool` hands each caller a lock.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.lock = threading.Lock()
        self.closed = False
        self._container = open_container(self.path)
        try:
            if not self._container.streams.video:
                raise MediaError(f"{self.path} holds no video; pick a video or image file.")
            self._stream = self._container.streams.video[0]
            # Intra-only codecs (takes, ProRes, MJPEG) decode each frame alone: slice threads split
            # that frame across cores with no delay, where frame threads would decode frames
            # beyond the target before handing it over.
            self.intra_only = bool(self._stream.codec_context.codec.intra_only)
            self._stream.thread_type = "SLICE" if self.intra_only else THREAD_TYPE
            self._index_frames()
            ctx = self._stream.codec_context
            self.codec = ctx.name
            self.width, self.height = ctx.width, ctx.height
            self.fps = _stream_fps(self._stream)
            self.rotation = 0
            self._demux: Iterator | None = None
            self._pos = -1  # index of the last frame the decoder delivered; -1: needs a seek
            self._recent: OrderedDict[int, av.VideoFrame] = OrderedDict()
            self._eof = False
            # the last jump's target while the decoder is drained after it, else None
            self._jumped: int | None = None
            self._peek_rotation()
        except BaseException:
            self._container.close()
            raise

    # --- facts ----------------------------------------------------------------------------
    @property
    def frame_count(self) -> int:
        return len(self._pts)

    @property
    def duration(self) -> float:
        return float(self.frame_count / self.fps) if self.fps else 0.0

    @property
    def display_size(self) -> tuple[int, int]:
        """(width, height) of the frames `read` returns, after rotation."""
        if self.rotation % 180:
            return self.height, self.width
        return self.width, self.height

    # --- reading --------------------------------------------------------------------------
    def read(self, index: int) -> np.ndarray:
        """Frame `index` (0-based) as RGB uint8 (H, W, 3)."""
        n = self.frame_count
        if not 0 <= index < n:
            raise IndexError(f"frame {index} is outside {self.path.name}'s {n} frames")
        cached = self._recent.get(index)
        if cached is not None:
            return self._to_rgb(cached)
        frame = self._jump_to(index) if self._is_jump(index) else None
        return self._to_rgb(frame if frame is not None else self._decode_to(index))

    def iter_frames(self, start: int = 0, count: int | None = None) -> Iterator[np.ndarray]:
        """Frames start, start+1, ... (count of them, or to the end) decoded in one pass."""
        stop = self.frame_count if count is None else min(self.frame_count, start + count)
        for i in range(max(start, 0), stop):
            yield self.read(i)

    def close(self) -> None:
        self.closed = True
        self._recent.clear()
        self._container.close()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- internals ------------------------------------------------------------------------
    def _index_frames(self) -> None:
        """Learn each frame's timestamp and the keyframes from one demux pass (no decoding)."""
        pts, keys = [], set()
        no_pts = False
        try:
            for packet in self._container.demux(self._stream):
                if packet.size == 0 and packet.pts is None:
                    continue  # the flush packet demux() ends with
                if packet.is_discard:
                    continue  # an edit list hides it; the decoder won't show it either
                stamp = packet.pts if packet.pts is not None else packet.dts
                if stamp is None:
                    no_pts = True
                    stamp = len(pts)
                pts.append(stamp)
                if packet.is_keyframe:
                    keys.add(stamp)
        except av.error.FFmpegError as exc:
            if not pts:
                raise MediaError(
                    f"{self.path} could not be read ({exc.strerror or exc}); the file may be damaged: "
                    "copy or export it again."
                ) from exc
            # a damaged tail: keep the frames before it
        if not pts:
            raise MediaError(f"{self.path} holds no video frames; the file may be incomplete.")
        self._pts = sorted(set(pts))
        self._keys = sorted(i for i, p in enumerate(self._pts) if p in keys) or [0]
        if self._keys[0] != 0:
            self._keys.insert(0, 0)
        # Without timestamps, seeking can't be trusted: decode from the start instead.
        self._seekable = not no_pts

    def _peek_rotation(self) -> None:
        frame = self._decode_to(0)
        self.rotation = int(round(frame.rotation or 0)) % 360

    def _seek_to_key(self, index: int) -> None:
        key = self._keys[bisect.bisect_right(self._keys, index) - 1]
        if self._seekable:
            self._container.seek(self._pts[key], stream=self._stream, backward=True, any_frame=False)
        else:
            self._container.seek(0, stream=self._stream, backward=True, any_frame=False)
        self._demux = self._container.demux(self._stream)
        self._pos = -1
        self._eof = False

    def _key_before(self, index: int) -> int:
        return self._keys[bisect.bisect_right(self._keys, index) - 1]

    def _needs_seek(self, index: int) -> bool:
        if self._demux is None or self._pos < 0 or index <= self._pos or self._eof:
            return True
        # a keyframe far ahead is reached sooner by seeking than by reading the packets before it
        return self._key_before(index) - self._pos > SEEK_AHEAD

    def _is_jump(self, index: int) -> bool:
        """A read best served by seek-and-drain: a seek in a long-GOP video that doesn't just follow a jump."""
        if self.intra_only or not self._seekable or not self._needs_seek(index):
            return False
        jumped = self._jumped
        # just after a jump, reading on is likely (playback, a forward scrub): keep a running decoder
        return jumped is None or not jumped < index <= jumped + SEEK_AHEAD

    def _jump_to(self, index: int) -> av.VideoFrame | None:
        """Frame `index` by seek-and-drain (see the module docstring); None if the decoder didn't give it."""
        self._seek_to_key(index)
        target = self._pts[index]
        key = self._pts[self._key_before(index)]
        ctx = self._stream.codec_context
        found = None
        try:
            for packet in self._demux:
                if packet.size == 0 and packet.pts is None:
                    break  # end of file without the target's packet: drain what was sent
                if packet.pts is not None and packet.pts < key:
                    continue  # before the keyframe the target needs
                is_target = packet.pts == target
                # nothing after the target is sent, so any frame no other frame refers to is unneeded
                ctx.skip_frame = "DEFAULT" if is_target else "NONREF"
                for frame in ctx.decode(packet):
                    if self._drained(frame, target):
                        found = frame
                if is_target:
                    break
            ctx.skip_frame = "DEFAULT"
            for frame in ctx.decode(None):
                if self._drained(frame, target):
                    found = frame
        except av.error.FFmpegError as exc:
            raise MediaError(
                f"{self.path} could not be decoded at frame {index} ({exc.strerror or exc}); "
                "the file may be damaged: copy or export it again."
            ) from exc
        finally:
            ctx.skip_frame = "DEFAULT"
            # a drained decoder takes no more packets: the next read seeks (which flushes it)
            self._demux = None
            self._pos = -1
        self._jumped = index if found is not None else None
        return found

    def _drained(self, frame: av.VideoFrame, target: int) -> bool:
        """Remember a frame the jump decoded; True if it is the target."""
        if frame.pts is None:
            return False
        i = bisect.bisect_left(self._pts, frame.pts)
        if i < len(self._pts) and self._pts[i] == frame.pts:
            self._remember(i, frame)
        return frame.pts == target

    def _decode_to(self, index: int) -> av.VideoFrame:
        self._jumped = None
        if self._needs_seek(index):
            self._seek_to_key(index)
        target = self._pts[index]
        key = self._pts[self._key_before(index)] if self._seekable else None
        ctx = self._stream.codec_context
        last = None
        try:
            while True:
                packet = next(self._demux, None)
                if packet is None or (packet.size == 0 and packet.pts is None):
                    ctx.skip_frame = "DEFAULT"
                    frames = ctx.decode(None)
                    self._eof = True
                else:
                    if key is not None and packet.pts is not None and packet.pts < key:
                        # Before the keyframe the target needs (a container seek lands on a
                        # cluster or an earlier keyframe): no later frame refers to it.
                        continue
                    # Frames shown before the target that no other frame refers to need not be
                    # decoded at all; the target and every reference frame are decoded as usual.
                    early = packet.pts is not None and packet.pts < target
                    ctx.skip_frame = "NONREF" if early else "DEFAULT"
                    frames = ctx.decode(packet)
                found = None
                for frame in frames:
                    i = self._frame_index(frame)
                    self._pos = i
                    # At the end of the file the flush hands over every frame the decoder still
                    # held (a GOP's worth with frame threads): keep them all, or reading on to
                    # the last frames would seek back and decode the whole last GOP again.
                    self._remember(i, frame, hold=self._eof)
                    if i >= index and found is None:
                        found = frame
                        if not self._eof:
                            return frame
                    last = frame
                if found is not None:
                    return found
                if self._eof:
                    break
        except av.error.FFmpegError as exc:
            self._demux = None
            raise MediaError(
                f"{self.path} could not be decoded at frame {index} ({exc.strerror or exc}); "
                "the file may be damaged: copy or export it again."
            ) from exc
        finally:
            ctx.skip_frame = "DEFAULT"
        # The decoder delivered fewer frames than the file lists (a damaged tail): hold the last.
        self._demux = None
        if last is None:
            raise MediaError(f"{self.path} has no decodable frame at {index}; the file may be damaged.")
        return last

    def _frame_index(self, frame: av.VideoFrame) -> int:
        if frame.pts is None or not self._seekable:
            return self._pos + 1
        i = bisect.bisect_left(self._pts, frame.pts)
        return min(i, len(self._pts) - 1)

    def _remember(self, index: int, frame: av.VideoFrame, hold: bool = False) -> None:
        """Keep `frame` for re-reads; `hold`: evict nothing now (the file's last frames)."""
        self._recent[index] = frame
        self._recent.move_to_end(index)
        while len(self._recent) > RECENT_FRAMES and not hold:
            self._recent.popitem(last=False)

    def _to_rgb(self, frame: av.VideoFrame) -> np.ndarray:
        rgb = frame.to_ndarray(format="rgb24", src_color_range=frame.color_range)
        if self.rotation:
            # the display matrix turns counter-clockwise; np.rot90 with k>0 does too
            rgb = np.ascontiguousarray(np.rot90(rgb, k=self.rotation // 90))
        return rgb


def _stream_fps(stream: av.video.stream.VideoStream) -> Fraction:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return Fraction(rate) if rate else Fraction(0)


def read_frame(path: str | os.PathLike, index: int) -> np.ndarray:
    """One frame of a video as RGB uint8 (H, W, 3)."""
    with VideoReader(path) as reader:
        return reader.read(index)


def read_frames(path: str | os.PathLike, start: int = 0, count: int | None = None) -> list[np.ndarray]:
    """Frames start .. start+count-1 (or to the end) of a video, as RGB uint8 arrays."""
    with VideoReader(path) as reader:
        return list(reader.iter_frames(start, count))


def iter_frames(path: str | os.PathLike, start: int = 0, count: int | None = None) -> Iterator[np.ndarray]:
    """Frames of a video one at a time, keeping only one in memory."""
    with VideoReader(path) as reader:
        yield from reader.iter_frames(start, count)
