"""Plan -> request: read the frames each pin of a generation plan names, at the project's size.

A `GenerationPlan` says *where* the known frames come from (a take's frames, a still, a
keyframe image); the request the model gets holds the frames themselves. A clip's frames are
read as the cut shows them: picked by time through `Take.file_frame`'s mapping when the
project's rate changed since the file was made, and fitted to the project's size with the
clip's fit mode (letterboxed unless it says otherwise), so the model is conditioned on exactly
what the user sees and what export writes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np

from editor.document.plans import GenerationPlan, PinSource
from editor.document.project import Project, file_frame
from editor.media.errors import MediaError
from editor.media.fit import FitMode, fit_frame
from editor.media.paths import media_file
from editor.media.stills import read_still
from editor.media.video import VideoReader
from model.request import CastRef, Pin, Request


class GenerationError(ValueError):
    """A job can't be made as planned; the message says what to do."""


def request_from_plan(
    plan: GenerationPlan,
    project: Project | None,
    folder: str | os.PathLike | None,
    *,
    should_cancel: Callable[[], bool] | None = None,
) -> Request:
    """The model request for `plan`: its pins read from disk at the plan's size, its cast resolved.

    `project` supplies the cast members the plan names (by id); `folder` is the project folder
    that project-relative media paths are read from. Raises GenerationError when a file is
    missing or holds fewer frames than planned.
    """
    pins = []
    for source in plan.pins:
        if should_cancel is not None and should_cancel():
            break  # the caller sees the cancel; reading more frames would only waste time
        pins.append(Pin(frame=source.position, frames=tuple(pin_frames(source, plan.width, plan.height, folder, fps=plan.fps)),
                        strength=source.strength, label=source.label))
    cast = tuple(_cast(plan, project, folder))
    request = Request(
        action=plan.action,
        num_frames=plan.num_frames,
        fps=plan.fps,
        width=plan.width,
        height=plan.height,
        prompt=plan.prompt,
        negative_prompt=plan.negative_prompt,
        seed=plan.seed,
        steps=plan.steps,
        guidance=plan.guidance,
        context=tuple(pins),
        cast=cast,
        options=dict(plan.options),
    )
    if should_cancel is None or not should_cancel():
        request.validate()
    return request


def pin_frames(source: PinSource, width: int, height: int, folder: str | os.PathLike | None,
               *, fps: Fraction | None = None) -> list[np.ndarray]:
    """The `source.count` frames a pin names, fitted to width x height (a still repeats).

    `fps`: the plan's rate, which `source.first` counts in (needed when `source.made_at` is set)."""
    if source.still:
        frame = fit(_still(source.media, folder), width, height, source.fit)
        return [frame] * source.count
    return list(video_frames(source.media, source.first, source.count, width, height, folder,
                             what=source.label or "context", made_at=source.made_at, fps=fps, mode=source.fit))


def video_frames(
    media: str, first: int, count: int, width: int, height: int, folder: str | os.PathLike | None, *, what: str,
    made_at: str | None = None, fps: Fraction | None = None, mode: str | None = None,
) -> Iterator[np.ndarray]:
    """`count` frames of a video from its frame `first`, fitted to width x height, one at a time.

    With `made_at` (the file's rate when the project's is now `fps`), `first` and `count` count
    project frames and each is picked from the file by time, as the cut picks it."""
    if made_at and fps:
        wanted = [file_frame(first + i, made_at, fps) for i in range(count)]
    else:
        wanted = list(range(first, first + count))
    try:
        path = media_file(folder, media)
        with VideoReader(path) as reader:
            if not wanted:
                return
            # a take's frame count is rounded at a rate change: its last frame may map one past the file's
            slack = 1 if made_at and fps else 0
            if wanted[0] < 0 or wanted[-1] >= reader.frame_count + slack:
                raise GenerationError(_too_short(what, wanted, media, reader, made_at, fps))
            last = min(wanted[-1], reader.frame_count - 1)
            frames = reader.iter_frames(wanted[0], last - wanted[0] + 1)
            index, frame = wanted[0] - 1, None
            for want in wanted:  # ascending; a repeated frame (a higher project rate) is fitted again
                while index < min(want, last):
                    frame, index = next(frames), index + 1
                yield fit(frame, width, height, mode)
    except MediaError as exc:
        raise GenerationError(f"The {what} can't be read: {exc}") from exc


def _rate(value: Fraction) -> str:
    return f"{float(value):g} fps"


def _too_short(what: str, wanted: list[int], media: str, reader: VideoReader, made_at: str | None,
               fps: Fraction | None) -> str:
    """Why the frames asked for are not in the file, and what to do. A file at another rate than
    the project's is a rate question (the clip reaches past the file's end at that rate, or was
    planned counting the project's frames as the file's), not a replaced file."""
    name = Path(media).name
    head = f"The {what} needs frames {wanted[0]}..{wanted[-1]} of {name}, which has {reader.frame_count}"
    file_rate = Fraction(made_at) if made_at else reader.fps
    if fps and file_rate and file_rate != fps:
        return (f"{head} at {_rate(file_rate)}; the project is at {_rate(Fraction(fps))}, and the clip "
                "reaches past the file's end at that rate. Select the clip again (or trim its end) and "
                "run it again.")
    return f"{head}. The file may have been replaced; relink it or select the clip again."


def fit(frame: np.ndarray, width: int, height: int, mode: str | None = None) -> np.ndarray:
    """`frame` at width x height, as the cut shows it (`mode`: the clip's fit; None: letterboxed)."""
    out = fit_frame(frame, width, height, FitMode.parse(mode))
    return np.ascontiguousarray(out[:, :, :3], dtype=np.uint8)


def _still(media: str, folder: str | os.PathLike | None) -> np.ndarray:
    try:
        path = media_file(folder, media)
        if path.suffix.lower() == ".mkv" or path.suffix.lower() in (".mp4", ".mov", ".webm"):
            with VideoReader(path) as reader:  # a still take stored as a one-frame video
                return reader.read(0)
        return read_still(path)
    except MediaError as exc:
        raise GenerationError(f"The image {Path(media).name} can't be read: {exc}") from exc


def _cast(plan: GenerationPlan, project: Project | None, folder: str | os.PathLike | None) -> Iterator[CastRef]:
    if not plan.cast:
        return
    members = {m.id: m for m in (project.cast if project is not None else [])}
    for cast_id in plan.cast:
        member = members.get(cast_id)
        if member is None:
            raise GenerationError(
                f"The cast member {cast_id!r} this job uses was removed from the project; "
                "add it back or remove it from the shot, then run the job again."
            )
        yield CastRef(name=member.name, image=_still(member.image, folder), description=member.description)
