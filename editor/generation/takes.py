"""Finished frames -> a new take on disk: assembled as the plan's target says, lossless, never overwriting.

The take's media is the plan's `target.segments` in order: runs of the generated frames and,
for extend and loop, the frames the clip already showed (read back exactly, since takes are
lossless). It is streamed to `media/` one frame at a time (a minute at 720p would not fit in
memory twice) under a name reserved with O_EXCL, so two jobs or two processes can never pick
the same file and an existing take is never replaced. The generation record goes beside it as
a JSON sidecar.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from editor.document import scratch
from editor.document.media_paths import stored_media_path
from editor.document.plans import GenerationPlan, Segment
from editor.document.project import Take, new_id
from editor.generation.requests import GenerationError, fit, video_frames
from editor.media.errors import MediaError
from editor.media.paths import media_subfolder
from editor.media.takes import TAKE_SUFFIX, TakeWriter, sidecar_path, write_sidecar
from model.runner import Cancelled
from model.sound import Sound

MEDIA_FOLDER = "media"


def reserve_take_path(media_dir: Path, stem: str) -> Path:
    """A new, unused take path in `media_dir` (created empty, so nobody else can take it)."""
    media_dir.mkdir(parents=True, exist_ok=True)
    stem = _slug(stem)
    for n in range(1, 100_000):
        name = stem if n == 1 else f"{stem}-{n}"
        path = media_dir / f"{name}{TAKE_SUFFIX}"
        if sidecar_path(path).exists():
            continue  # a take whose media was deleted still owns its record's name
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            continue
        os.close(fd)
        return path
    raise GenerationError(f"{media_dir} holds too many takes named {stem}; tidy the media folder.")


def assembled_frames(plan: GenerationPlan, generated: list[np.ndarray], folder: str | os.PathLike | None
                     ) -> Iterator[np.ndarray]:
    """The new take's frames, segment after segment, at the plan's size."""
    for segment in plan.target.segments:
        yield from _segment_frames(plan, segment, generated, folder)


def _segment_frames(plan: GenerationPlan, segment: Segment, generated: list[np.ndarray],
                    folder: str | os.PathLike | None) -> Iterator[np.ndarray]:
    if segment.source == "generated":
        end = segment.first + segment.count
        if segment.first < 0 or end > len(generated):
            raise GenerationError(
                f"The model returned {len(generated)} frames but the take needs frames "
                f"{segment.first}..{end - 1}; run the job again (this is a bug if it repeats)."
            )
        for frame in generated[segment.first:end]:
            yield fit(frame, plan.width, plan.height)
        return
    if segment.source != "take" or not segment.media:
        raise GenerationError(f"This job's plan names an unknown kind of frames ({segment.source!r}).")
    if segment.still:
        from editor.generation.requests import _still

        frame = fit(_still(segment.media, folder), plan.width, plan.height, segment.fit)
        for _ in range(segment.count):
            yield frame
        return
    yield from video_frames(segment.media, segment.first, segment.count, plan.width, plan.height, folder,
                            what="clip's own frames", made_at=segment.made_at, fps=plan.fps, mode=segment.fit)


def write_generated_take(
    plan: GenerationPlan,
    generated: list[np.ndarray],
    record: dict,
    folder: str | os.PathLike,
    *,
    stem: str,
    should_cancel: Callable[[], bool] | None = None,
    audio: Sound | None = None,
) -> Take:
    """Write the take for a finished run into `folder/media/` with its sidecar; return the Take.

    `audio`, the sound the model made with `generated` (LTX-2), is stored in the take's file as
    FLAC (`editor.generation.sound`), and the take is marked as having sound.
    Raises Cancelled (and leaves no file) when `should_cancel()` turns true while writing.
    """
    folder = Path(folder)
    path = reserve_take_path(media_subfolder(folder, MEDIA_FOLDER), stem)  # never through a link out
    written = 0
    wav = None
    try:
        if audio is not None:
            from editor.generation.sound import assembled_sound
            from editor.media.take_sound import write_wav

            sound = assembled_sound(plan, audio, folder)
            fd, wav = scratch.create(path, "tmp", ".wav")  # a killed job's leftover is cleaned like any scratch
            os.close(fd)
            write_wav(wav, sound.samples, sound.rate)
            made = (record.get("parameters") or {}).get("sound") or {}  # what the engine said of it
            record = {**record, "sound": {**made, "stored": "flac", "stored_rate": sound.rate}}
        with TakeWriter(path, plan.fps, audio=wav) as writer:
            for frame in assembled_frames(plan, generated, folder):
                if should_cancel is not None and written % 8 == 0 and should_cancel():
                    raise Cancelled("Cancelled while the take was written.")
                writer.append(frame)
                written += 1
        if written != plan.target.take_frames:
            raise GenerationError(
                f"The take got {written} frames instead of {plan.target.take_frames}; run the job again."
            )
        write_sidecar(path, record)
    except BaseException:
        discard_take(path)
        raise
    finally:
        if wav is not None:
            wav.unlink(missing_ok=True)
    media = stored_media_path(folder, path)
    return Take(
        id=new_id("take"),
        media=media,
        frames=written,
        is_still=False,
        record=record,
        label=plan.action.title,
        metadata={"sound": True} if audio is not None else {},
    )


def discard_take(path: str | os.PathLike) -> None:
    """Remove a take this job wrote (its media and its sidecar); used when the job did not finish."""
    for p in (Path(path), sidecar_path(path)):
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass


def _slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return s[:60] or "take"


__all__ = [
    "MEDIA_FOLDER",
    "MediaError",
    "assembled_frames",
    "discard_take",
    "reserve_take_path",
    "write_generated_take",
]
