"""Export the cut as an MP4 (H.264 or H.265) with provenance metadata, progress and cancel.

One procedure, in the order it runs (`export_project`):
1. Check the options and work out size, rate, range and the frames to show.
2. Create a hidden temporary file beside the target (so the final rename is atomic), named with
   this process's id (editor.document.scratch); ones a killed export left there are removed first.
3. Start ffmpeg reading raw RGB frames on stdin and writing the temporary file.
4. A producer thread renders the cut's frames (decode, fit, cards) into a short queue while
   this thread feeds ffmpeg, so decoding here and encoding in ffmpeg overlap.
5. On success rename the temporary file over the target. On cancel or failure kill ffmpeg and
   delete the temporary file: the target is never half-written and an existing target is
   replaced only by a finished export. A failure writes ffmpeg's log beside the target.

Sound (editor.media.mix): every audible clip is mixed for exactly the exported frames
(samples S(start)..S(end), S(f) = floor(f * 48000 / fps)), optionally normalised to a loudness
target, and encoded by the same ffmpeg as 48 kHz stereo AAC; it is mixed on a thread while the
picture encodes and reaches ffmpeg through a named pipe (editor.media.sound_feed). A range with no audible sound has no audio stream, as before sound existed.

Frame-rate conversion picks frames: output frame k shows the cut at project frame
`start + floor(k * project_fps / out_fps)`. RGB becomes yuv420p with the BT.709 matrix and
the file is tagged BT.709, which is what players assume for HD video.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import queue
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from fractions import Fraction
from pathlib import Path

import numpy as np

from editor.document import limits, scratch
from editor.document.project import Project
from editor.media import children, sound_feed
from editor.media.cut import CutReader
from editor.media.errors import MediaError
from editor.media.ffmpeg_bin import ffmpeg_exe, has_encoder
from editor.media.fit import FitMode, fit_frame
from editor.media.frame_cache import FrameCache
from editor.media.outputs import project_inputs, refuse_overwrite
from editor.media.provenance import provenance_metadata
from editor.resources_path import resource
from model.runner import Cancelled

PRESETS_PATH = resource("export_presets.json")
CODECS = {"h264": "libx264", "h265": "libx265"}
DEFAULT_CRF = {"h264": 18, "h265": 22}  # about the same look; x265's scale runs ~4-6 higher
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
EXPORT_CACHE_BYTES = 64 * 1024 * 1024  # holds stills and cards that repeat for a whole clip
QUEUE_FRAMES = 6  # frames rendered ahead of ffmpeg: enough to hide decode jitter, ~36 MB at 1080p


class ExportError(MediaError):
    """The export could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class ExportOptions:
    codec: str = "h264"  # "h264" or "h265"
    crf: int | None = None  # quality: lower is better and bigger (0..51); None: the codec's default
    preset: str = "medium"  # encoder speed/size trade-off, ultrafast .. veryslow
    width: int | None = None  # None: the project's size
    height: int | None = None
    fps: Fraction | None = None  # None: the project's rate
    fit: FitMode = FitMode.LETTERBOX  # how the project picture fills another aspect ratio
    start: int | None = None  # first project frame exported (the in mark); None: 0
    end: int | None = None  # one past the last (the out mark); None: the end of the cut
    name: str = ""  # the preset it came from, for the UI
    loudness: float | None = None  # normalise the sound to this many LUFS integrated (EBU R128); None: as mixed
    c2pa: bool = True  # embed signed Content Credentials (editor.media.c2pa_sign)
    c2pa_prompts: bool = True  # ...with the takes' recipes (prompts, seeds); False keeps prompts private

    def validate(self) -> ExportOptions:
        """Raise ExportError with what to change; return self when the options can be used."""
        if self.codec not in CODECS:
            raise ExportError(f"Unknown codec {self.codec!r}; choose h264 or h265.")
        if self.crf is not None and not 0 <= self.crf <= 51:
            raise ExportError(f"Quality (CRF) {self.crf} is out of range; use 0 (best) .. 51 (smallest).")
        if self.preset not in X264_PRESETS:
            raise ExportError(f"Unknown encoder preset {self.preset!r}; use one of {', '.join(X264_PRESETS)}.")
        if (self.width is None) != (self.height is None):
            raise ExportError("Give both width and height, or neither to export at the project's size.")
        try:  # the bounds every part of Shotline shares
            if self.width is not None:
                limits.check_size(self.width, self.height, "the export size")
            if self.fps is not None:
                limits.check_fps(Fraction(self.fps), "the export frame rate")
        except limits.LimitError as exc:
            raise ExportError(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None
        FitMode.parse(self.fit)
        if self.start is not None and self.start < 0:
            raise ExportError("The export range can't start before frame 0.")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ExportError("The export range is empty: its out point must come after its in point.")
        if self.loudness is not None and not (isinstance(self.loudness, int | float) and -70 <= self.loudness <= 0):
            raise ExportError(f"A loudness target is from -70 to 0 LUFS (e.g. -14 or -23), not {self.loudness!r}.")
        return self

    @property
    def quality(self) -> int:
        """The CRF used: as set, else the codec's default for visually lossless output."""
        return self.crf if self.crf is not None else DEFAULT_CRF[self.codec]

    @classmethod
    def preset_named(cls, name: str) -> ExportOptions:
        presets = export_presets()
        if name not in presets:
            raise ExportError(f"No export preset {name!r}; choose one of: {', '.join(presets)}.")
        return presets[name]

    @classmethod
    def from_dict(cls, data: dict) -> ExportOptions:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ExportError(f"Unknown export settings: {', '.join(sorted(unknown))}.")
        values = dict(data)
        if values.get("fps") is not None:
            values["fps"] = Fraction(str(values["fps"]))
        if "fit" in values:
            values["fit"] = FitMode.parse(values["fit"])
        return cls(**values).validate()


@dataclass(frozen=True)
class ExportResult:
    path: Path
    frames: int
    fps: Fraction
    width: int
    height: int
    codec: str
    seconds: float  # wall time the export took
    metadata: dict = field(default_factory=dict)  # what was written into the file's tags
    sound: bool = False  # the file has an audio stream (the mix)
    loudness: object | None = None  # editor.media.mix.Loudness when the sound was normalised
    signing: object | None = None  # editor.media.c2pa_sign.ExportSigning; None when not asked to sign


def export_presets() -> dict[str, ExportOptions]:
    """The presets of resources/export_presets.json by name, in file order."""
    try:
        doc = json.loads(PRESETS_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExportError(f"The export presets in {PRESETS_PATH} can't be read ({exc}); reinstall Shotline.") from exc
    return {p["name"]: ExportOptions.from_dict(p) for p in doc["presets"]}


@dataclass(frozen=True)
class _Plan:
    width: int
    height: int
    fps: Fraction
    sources: list[int]  # project frame shown by each output frame


def plan_export(project: Project, options: ExportOptions) -> _Plan:
    """Size, rate and the project frame behind each output frame; ExportError when impossible."""
    options.validate()
    width = options.width or project.width
    height = options.height or project.height
    if width % 2 or height % 2:
        raise ExportError(
            f"{width}x{height} has an odd side; H.264/H.265 video needs even sizes: "
            f"export at {width - width % 2}x{height - height % 2} instead."
        )
    start = options.start or 0
    stop = project.duration if options.end is None else options.end
    if stop <= start:
        raise ExportError(
            "Nothing to export: the cut is empty." if project.duration == 0
            else f"Nothing to export between frames {start} and {stop}; move the in/out marks."
        )
    fps = options.fps or project.fps
    ratio = Fraction(project.fps) / fps
    count = math.ceil((stop - start) / ratio)
    # floor(k * ratio) in integers: the form checks plan every change, and Fraction arithmetic
    # per frame cost ~0.4 ms per 100 frames on the GUI thread
    num, den = ratio.numerator, ratio.denominator
    sources = [start + k * num // den for k in range(count)]
    return _Plan(width, height, fps, sources)


def export_project(
    project: Project,
    project_root: str | os.PathLike | None,
    out_path: str | os.PathLike,
    options: ExportOptions | None = None,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    identity: object | None = None,
) -> ExportResult:
    """Export the cut to `out_path` (.mp4). Raises ExportError or Cancelled; either way
    nothing is left at `out_path` except a previous file, untouched.

    With `options.c2pa` the file is signed with `identity` (a c2pa_identity.SigningIdentity; None:
    the configured one) before it appears at `out_path`; see editor.media.c2pa_sign."""
    t0 = time.perf_counter()
    options = options or ExportOptions()
    # 1. what to make
    plan = plan_export(project, options)
    encoder = CODECS[options.codec]
    if not has_encoder(encoder):
        raise ExportError(f"This ffmpeg has no {encoder} encoder; export as H.264 or install a full ffmpeg.")
    out = Path(out_path).expanduser().absolute()
    if out.is_dir():
        raise ExportError(f"{out} is a folder; give a file name such as {out / 'film.mp4'}.")
    # Never onto a file the cut reads or the project keeps (the one place this is checked).
    refuse_overwrite(out, project_inputs(project, project_root), project_folder=project_root, error=ExportError)
    # Same aspect ratio: render the cut straight at the export size (one resize per frame).
    # Otherwise the project picture is fitted into the export frame as a whole, like a player.
    same_aspect = plan.width * project.height == plan.height * project.width
    size = {"width": plan.width, "height": plan.height} if same_aspect else {}
    reader = CutReader(project, project_root, frame_cache=FrameCache(EXPORT_CACHE_BYTES), strict=True, **size)
    shown = [reader.shown_at(t) for t in sorted(set(plan.sources))]
    clips = [s.clip for s in shown if s.clip is not None]
    metadata = provenance_metadata(project, clips, prompts=options.c2pa_prompts)
    signing = None
    if options.c2pa:  # a certificate that can't be used stops the export before any frame is made
        from editor.media import c2pa_sign

        try:
            signing = c2pa_sign.prepare(project, project_root, clips, out, prompts=options.c2pa_prompts,
                                        start=options.start or 0, end=options.end, identity=identity)
        except BaseException:
            reader.close()
            raise

    # the sound of exactly the exported frames (editor.media.mix): mixed on a thread while the
    # picture encodes and fed to ffmpeg through a pipe (sound_feed); mixed first into a scratch
    # file where there are no named pipes
    feed = None
    try:
        try:
            feed = sound_feed.SoundFeed.start(project, project_root, options.start or 0,
                                              project.duration if options.end is None else options.end,
                                              loudness=options.loudness, error=ExportError)
            sound_file, level = (feed.input if feed is not None else None), None
        except sound_feed.NoPipe:
            sound_file, level = _mix_to_scratch(project, project_root, out, options)
    except BaseException:
        reader.close()
        raise

    # 2-5. render on a thread, encode in ffmpeg, publish atomically
    def render(t: int) -> np.ndarray:
        frame = reader.frame_at(t)
        return frame if same_aspect else fit_frame(frame, plan.width, plan.height, options.fit)

    producer = _Producer(render, plan.sources)
    frames = (producer.next() for _ in plan.sources)
    try:
        written = _encode_atomically(
            out, lambda tmp: encode_command(options, plan.width, plan.height, plan.fps, metadata, "pipe:0", tmp,
                                            audio=sound_file),
            feed.guard(frames, len(plan.sources)) if feed is not None else frames, len(plan.sources),
            on_progress=on_progress, should_cancel=should_cancel,
            finish=signing.sign_in_place if signing is not None else None,
        )
    finally:
        producer.stop()
        reader.close()
        if feed is not None:
            feed.close()
            level = feed.level
        elif sound_file is not None:
            Path(sound_file).unlink(missing_ok=True)
    return ExportResult(out, written, plan.fps, plan.width, plan.height, options.codec,
                        time.perf_counter() - t0, metadata, sound=sound_file is not None, loudness=level,
                        signing=signing)


def _mix_to_scratch(project: Project, project_root, out: Path, options: ExportOptions) -> tuple[str | None, object]:
    """The mix of the exported range as raw 48 kHz f32le stereo in a scratch file beside `out`
    (None when nothing audible plays there), and the loudness normalisation done, if any."""
    from editor.media import mix

    first = options.start or 0
    end = project.duration if options.end is None else options.end
    if not mix.has_sound(project, first, end):
        return None, None
    try:
        samples = mix.mix_range(project, project_root, first, end)
        level = mix.normalise(samples, options.loudness) if options.loudness is not None else None
    except MediaError as exc:
        raise ExportError(str(exc)) from None
    np.clip(samples, -1.0, 1.0, out=samples)
    tmp = _temp_beside(out)
    try:
        tmp.write_bytes(samples.astype("<f4", copy=False).tobytes())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"Can't write the sound beside {out.name} ({exc.strerror or exc}); free some space.") from exc
    return str(tmp), level


def encode_command(
    options: ExportOptions,
    width: int,
    height: int,
    fps: Fraction,
    metadata: dict[str, str],
    source: str,
    target: str | os.PathLike,
    *,
    audio: str | None = None,
) -> list[str]:
    """The ffmpeg command that encodes raw RGB frames from `source` (a file or pipe:0) to `target`,
    with `audio` (raw 48 kHz f32le stereo) as its AAC sound track, or no sound when None.

    The benchmark encodes the same frames from a file with this same command, so the two differ
    only in where the frames come from.
    """
    rate = f"{fps.numerator}/{fps.denominator}"
    cmd = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-framerate", rate, "-i", source,
        *(["-f", "f32le", "-ar", "48000", "-ac", "2", "-i", audio, "-map", "0:v:0", "-map", "1:a:0",
           "-c:a", "aac", "-b:a", "192k"] if audio is not None else ["-an"]),
        "-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p",
        "-c:v", CODECS[options.codec], "-preset", options.preset, "-crf", str(options.quality),
        "-pix_fmt", "yuv420p",
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
    ]
    if options.codec == "h265":
        # hvc1 is the tag Apple players require; x265 logs every frame's stats unless told not to
        cmd += ["-tag:v", "hvc1", "-x265-params", "log-level=error"]
    cmd += ["-movflags", "+faststart"]
    for key, value in metadata.items():
        cmd += ["-metadata", f"{key}={value}"]
    cmd += ["-f", "mp4", str(target)]
    return cmd


def encode_frames(
    frames: Iterable[np.ndarray],
    out_path: str | os.PathLike,
    fps: Fraction,
    *,
    total: int,
    metadata: dict[str, str] | None = None,
    options: ExportOptions | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    finish: Callable[[Path], None] | None = None,
    audio: str | None = None,
) -> ExportResult:
    """Encode `total` RGB uint8 frames (all one even size) to an MP4 at `fps`, atomically;
    `audio` (a raw 48 kHz f32le stereo file, as `encode_command` takes) becomes its sound.

    The headless generation commands write their new frames with this; it runs the same ffmpeg
    command as `export_project`. As there, the frames go to a temporary file beside the target
    that replaces it only once ffmpeg succeeded: on cancel (Cancelled) or failure
    (ExportError) nothing is left at `out_path` except a previous file, untouched. `finish(tmp)`
    runs on the finished file before it replaces the target (the C2PA signature, c2pa_sign).
    """
    t0 = time.perf_counter()
    options = (options or ExportOptions()).validate()
    out = Path(out_path).expanduser().absolute()
    if out.is_dir():
        raise ExportError(f"{out} is a folder; give a file name such as {out / 'clip.mp4'}.")
    it = iter(frames)
    first = next(it, None)
    if first is None or total < 1:
        raise ExportError("There are no frames to write.")
    height, width = first.shape[:2]
    if first.dtype != np.uint8 or first.ndim != 3 or first.shape[2] != 3 or width % 2 or height % 2:
        raise ExportError(f"Frames must be RGB uint8 with even sides to encode; got {first.shape} {first.dtype}.")

    def checked() -> Iterator[np.ndarray]:
        for k, frame in enumerate(itertools.chain([first], it)):
            if frame.shape != first.shape or frame.dtype != np.uint8:
                raise ExportError(f"Frame {k} is {frame.shape} {frame.dtype}, not {first.shape} uint8 like the first.")
            yield frame

    written = _encode_atomically(
        out, lambda tmp: encode_command(options, width, height, fps, metadata or {}, "pipe:0", tmp, audio=audio),
        checked(), total, on_progress=on_progress, should_cancel=should_cancel, what="Cancelled", finish=finish,
    )
    return ExportResult(out, written, fps, width, height, options.codec, time.perf_counter() - t0, dict(metadata or {}))


def _encode_atomically(
    out: Path,
    make_command: Callable[[Path], list[str]],
    frames: Iterator[np.ndarray],
    total: int,
    *,
    on_progress: Callable[[int, int], None] | None,
    should_cancel: Callable[[], bool] | None,
    what: str = "Export cancelled",
    finish: Callable[[Path], None] | None = None,
) -> int:
    """Pipe `frames` through ffmpeg into a temporary file beside `out`, then rename it to `out`.

    Returns the frames written. On cancel (Cancelled) or failure (ExportError) ffmpeg is
    killed, the temporary file deleted, and `out` (if it existed) is left as it was.
    `finish(tmp)` runs on the finished temporary file just before the rename (the C2PA signature).
    """
    tmp = _temp_beside(out)
    log_path = out.with_name(out.name + ".ffmpeg.log")
    stderr = _Drain()
    proc: subprocess.Popen | None = None
    done, written = False, 0
    try:
        try:
            proc = children.popen(make_command(tmp), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
        except OSError as exc:
            raise ExportError(f"ffmpeg could not be started ({exc}); reinstall imageio-ffmpeg or ffmpeg.") from exc
        stderr.start(proc.stderr)
        while written < total:
            if should_cancel is not None and should_cancel():
                raise Cancelled(f"{what}; nothing was written to {out.name}.")
            frame = next(frames, None)
            if frame is None:
                break
            try:
                proc.stdin.write(memoryview(np.ascontiguousarray(frame)).cast("B"))
            except (BrokenPipeError, OSError):
                break  # ffmpeg stopped reading: its exit code and log say why, below
            written += 1
            if on_progress is not None:
                on_progress(written, total)
        try:
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        rc = proc.wait()
        stderr.join()
        if rc != 0:
            how = f"ffmpeg was stopped by signal {-rc}" if rc < 0 else f"ffmpeg exited with code {rc}"
            raise _failed(out, log_path, stderr.text(), how)
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise _failed(out, log_path, stderr.text(), "ffmpeg wrote no file")
        if finish is not None:
            finish(tmp)
        try:
            os.replace(tmp, out)
        except OSError as exc:
            raise ExportError(f"{out} could not be written ({exc}); is that file open elsewhere?") from exc
        done = True
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()  # cancel or error: stop encoding now, not after the queue drains
            proc.wait()
        stderr.join()
        if not done:
            tmp.unlink(missing_ok=True)
    return written


# --- helpers ------------------------------------------------------------------------------
class _Producer:
    """Renders the frames in order on a thread, a few ahead of the consumer."""

    _END = object()

    def __init__(self, render: Callable[[int], np.ndarray], sources: list[int]) -> None:
        self._render = render
        self._sources = sources
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_FRAMES)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="export-render", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for t in self._sources:
                if self._stop.is_set():
                    return
                self._put(self._render(t))
        except BaseException as exc:  # handed to the consumer, which raises it on its thread
            self._put(exc)

    def _put(self, item) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def next(self) -> np.ndarray:
        item = self._queue.get()
        if isinstance(item, BaseException):
            if isinstance(item, MediaError) and not isinstance(item, ExportError):
                raise ExportError(f"{item} Fix the clip, then export again.") from item
            raise item
        return item

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


class _Drain:
    """Reads ffmpeg's stderr on a thread so a chatty ffmpeg never blocks on a full pipe."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._thread: threading.Thread | None = None

    def start(self, stream) -> None:
        def run() -> None:
            for chunk in iter(lambda: stream.read(4096), b""):
                self._chunks.append(chunk)
            stream.close()

        self._thread = threading.Thread(target=run, name="export-ffmpeg-log", daemon=True)
        self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=10)

    def text(self) -> str:
        return b"".join(self._chunks).decode("utf-8", "replace")


def _temp_beside(out: Path) -> Path:
    if not out.parent.is_dir():
        raise ExportError(f"The folder {out.parent} does not exist; create it or choose another.")
    try:
        scratch.remove_dead(out.parent)  # what a killed export left here
        fd, tmp = scratch.create(out, "partial", ".mp4")
    except OSError as exc:
        raise ExportError(
            f"Can't write to {out.parent} ({exc.strerror or exc}); choose a folder you can write to."
        ) from exc
    os.close(fd)
    return Path(tmp)


def _failed(out: Path, log_path: Path, log: str, what: str) -> ExportError:
    tail = "\n".join(log.strip().splitlines()[-12:]) or "(ffmpeg printed nothing)"
    where = ""
    try:
        log_path.write_text(log, encoding="utf-8")
        where = f" The full log is in {log_path}."
    except OSError:
        pass  # the folder itself may be the problem; the message carries the tail anyway
    return ExportError(f"Exporting {out.name} failed: {what}.{where}\n{tail}")

