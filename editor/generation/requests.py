"""Plan -> request: read the frames each pin of a generation plan names, at the project's size.

A `GenerationPlan` says *where* the known frames come from (a take's frames, a still, a
keyframe image); the request the model gets holds the frames themselves. Pictures whose size
differs from the project's are fitted as the cut shows them (letterboxed), so the model is
conditioned on exactly what the user sees.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from editor.document.plans import GenerationPlan, PinSource
from editor.document.project import Project
from editor.media.errors import MediaError
from editor.media.fit import fit_frame
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
        pins.append(Pin(frame=source.position, frames=tuple(pin_frames(source, plan.width, plan.height, folder)),
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


def pin_frames(source: PinSource, width: int, height: int, folder: str | os.PathLike | None) -> list[np.ndarray]:
    """The `source.count` frames a pin names, fitted to width x height (a still repeats)."""
    if source.still:
        frame = fit(_still(source.media, folder), width, height)
        return [frame] * source.count
    return list(video_frames(source.media, source.first, source.count, width, height, folder,
                             what=source.label or "context"))


def video_frames(
    media: str, first: int, count: int, width: int, height: int, folder: str | os.PathLike | None, *, what: str
) -> Iterator[np.ndarray]:
    """`count` frames of a video from its frame `first`, fitted to width x height, one at a time."""
    try:
        path = media_file(folder, media)
        with VideoReader(path) as reader:
            available = reader.frame_count - first
            if first < 0 or available < count:
                raise GenerationError(
                    f"The {what} needs frames {first}..{first + count - 1} of {Path(media).name}, "
                    f"which has {reader.frame_count}. The file may have been replaced; relink it or "
                    "select the clip again."
                )
            for frame in reader.iter_frames(first, count):
                yield fit(frame, width, height)
    except MediaError as exc:
        raise GenerationError(f"The {what} can't be read: {exc}") from exc


def fit(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """`frame` at width x height, as the cut shows it (letterboxed when the shape differs)."""
    out = fit_frame(frame, width, height)
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
