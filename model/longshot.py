"""Long shots (F11): a shot longer than the model's window is made in overlapping windows.

Window 0 is the request cut to the model's window. Each later window is an extend-forward of
what has been made so far: the last `overlap` frames are pinned at its start, with any of the
request's own pins (keyframes, the clip after an infill) that fall inside it. Every engine call,
a single window's as much as each window of a long shot, passes through
`model.seams.join_to_context`: new frames are colour-matched to the frames they continue, frames
made twice are cross-faded, and the request's own full-strength pins are put back untouched at
the end, so a 60 s shot comes out as exactly `num_frames` frames with no visible seams. An
extend-backward is made the same way from the end towards the start.

Generic over an engine: anything with `run(request, hooks)` and `limits` (a
`model.engines.base.Limits`) or a plain `window_frames` int works.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from model.engines.base import EngineError, Hooks, Limits
from model.request import Action, Pin, Request
from model.seams import join_to_context
from model.sound import stitch


@dataclass(frozen=True)
class Window:
    """One engine call: frames [start, end) of the shot; `overlap` of them continue earlier ones."""

    start: int
    end: int
    overlap: int  # frames at the window's leading edge (its start, or its end going backward)

    @property
    def length(self) -> int:
        return self.end - self.start


def engine_window(engine: object) -> int:
    """The most frames the engine makes in one call, on its frame grid."""
    explicit = getattr(engine, "window_frames", None)
    if isinstance(explicit, int):
        return explicit
    limits = _limits(engine)
    step = max(1, limits.frame_step)
    return step * ((limits.max_frames - 1) // step) + 1


def _limits(engine: object) -> Limits:
    limits = getattr(engine, "limits", None)
    return limits if isinstance(limits, Limits) else Limits()


def default_overlap(engine: object, window: int) -> int:
    """About a sixth of the window, on the engine's grid (LTX 121 -> 25, Wan 81 -> 17)."""
    limits = _limits(engine)
    overlap = limits.window_frames(max(2, window // 6)) if limits.frame_step > 1 else max(2, window // 6)
    return max(1, min(overlap, window - 1))


def plan_windows(
    num_frames: int, window: int, overlap: int, *, backward: bool = False, limits: Limits | None = None
) -> list[Window]:
    """The windows that cover `num_frames` frames, each at most `window` long.

    Each window after the first repeats at least `overlap` frames of the one before. The last
    window is cut to the smallest length on the engine's grid that reaches the end (its start
    moves back, so it overlaps more) rather than asking the model for an off-grid count.
    Going `backward`, window 0 ends at the last frame and the plan walks towards frame 0.
    """
    if window < 2 or not 1 <= overlap < window:
        raise ValueError(f"A window of {window} frames can't overlap by {overlap}.")
    limits = limits or Limits()
    spans: list[tuple[int, int, int]] = []  # (start, end, overlap), counted from the leading end
    end = min(window, num_frames)
    spans.append((0, end, 0))
    while end < num_frames:
        start = end - overlap
        if start + window >= num_frames:
            length = min(window, limits.window_frames(num_frames - start))
            start = num_frames - length
        new_end = min(start + window, num_frames)
        spans.append((start, new_end, end - start))
        end = new_end
    if not backward:
        return [Window(s, e, o) for s, e, o in spans]
    return [Window(num_frames - e, num_frames - s, o) for s, e, o in spans]


def needs_windows(engine: object, request: Request) -> bool:
    return request.num_frames > engine_window(engine)


def make_long_shot(
    engine: object,
    request: Request,
    hooks: Hooks,
    *,
    window: int | None = None,
    overlap: int | None = None,
) -> list[np.ndarray]:
    """Exactly `request.num_frames` frames, made in overlapping windows of the engine.

    A request that fits one window is passed to the engine as it is, and its frames joined to
    their context like every window's. Progress is reported over
    the whole shot; cancel stops within one step of the window that runs. The seams joined are
    added to `engine.last_parameters["seams"]` and the windows used to `["long_shot"]`, for the
    take's record.
    """
    request.validate()
    window = window or engine_window(engine)
    if request.num_frames <= window:
        frames, seams = _joined(engine, request, engine.run(request, hooks))  # type: ignore[attr-defined]
        _record_seams(engine, seams)
        return frames
    backward = request.action is Action.EXTEND_BACKWARD
    continue_action = Action.EXTEND_BACKWARD if backward else Action.EXTEND_FORWARD
    supports = getattr(engine, "supports", None)
    reason = supports(continue_action) if supports else None
    if reason is not None:
        seconds = window / float(request.fps)
        raise EngineError(
            f"This model makes at most {window} frames ({seconds:.1f} s) at a time and can't continue a shot "
            f"({reason}), so a {request.seconds:.1f} s shot can't be made with it. Make the shot at most "
            f"{seconds:.1f} s long, or choose a model that can extend."
        )
    overlap = overlap or default_overlap(engine, window)
    plan = plan_windows(request.num_frames, window, overlap, backward=backward, limits=_limits(engine))

    made: list[np.ndarray | None] = [None] * request.num_frames
    seams: list[dict] = []
    sounds = []  # (first frame, sound) of each window, for an engine that makes sound (LTX-2)
    for w, win in enumerate(plan):
        sub = _window_request(request, win, w, made, backward=backward, continue_action=continue_action)
        frames = engine.run(sub, _window_hooks(hooks, w, len(plan)))  # type: ignore[attr-defined]
        if getattr(engine, "last_audio", None) is not None:
            sounds.append((win.start, engine.last_audio))  # type: ignore[attr-defined]
        if len(frames) != win.length:
            raise EngineError(f"The model returned {len(frames)} frames for a {win.length}-frame window.")
        # The frames the window continues were made by the model too: they may be cross-faded.
        continued = sub.context[:1] if win.overlap else ()
        frames, window_seams = _joined(engine, sub, frames, made_earlier=continued)
        seams += [{**seam, "at": seam["at"] + win.start, "window": w} for seam in window_seams]
        made[win.start : win.end] = frames

    # The user's own frames stay exactly as given (colour matching moved the whole window).
    for pin in request.context:
        if pin.strength >= 1.0:
            for k, frame in enumerate(pin.frames):
                made[pin.frame + k] = frame
    _record(engine, plan, overlap)
    _record_seams(engine, seams)
    if sounds:  # one sound for the whole shot, windows crossfaded where they overlap
        engine.last_audio = stitch(sorted(sounds, key=lambda s: s[0]), request.num_frames, request.fps)  # type: ignore[attr-defined]
    return made  # type: ignore[return-value]


def _joined(engine: object, request: Request, frames: list[np.ndarray], **kw: object) -> tuple[list, list[dict]]:
    """An engine call's frames joined to their context (`model.seams.join_to_context`).

    An engine without a model (optical-flow infill) builds new frames out of the known frames'
    own pixels: there is no drift to correct, and comparing neighbours would mistake motion for
    a colour cast.
    """
    if not getattr(engine, "needs_model", True) or len(frames) != request.num_frames:
        return list(frames), []  # a wrong count is reported by the caller, in the user's words
    return join_to_context(request, frames, **kw)  # type: ignore[arg-type]


def _record_seams(engine: object, seams: list[dict]) -> None:
    params = getattr(engine, "last_parameters", None)
    if isinstance(params, dict):
        params["seams"] = seams


def _window_request(
    request: Request,
    win: Window,
    index: int,
    made: list[np.ndarray | None],
    *,
    backward: bool,
    continue_action: Action,
) -> Request:
    pins: list[Pin] = []
    # The frames already made that this window continues, pinned at its leading edge.
    if win.overlap:
        span = range(win.end - win.overlap, win.end) if backward else range(win.start, win.start + win.overlap)
        pins.append(
            Pin(span.start - win.start, tuple(made[i] for i in span), 1.0, label=f"end of window {index}")
        )
    # The request's own pins that fall in the window's new part (the overlap already holds them).
    new_lo, new_hi = (win.start, win.end - win.overlap) if backward else (win.start + win.overlap, win.end)
    for pin in request.context:
        lo, hi = max(pin.frame, new_lo), min(pin.end, new_hi)
        if lo < hi:
            part = pin.frames[lo - pin.frame : hi - pin.frame]
            pins.append(Pin(lo - win.start, part, pin.strength, label=pin.label))
    action = _window_action(request.action, pins, win.length, index, continue_action)
    return replace(
        request, action=action, num_frames=win.length, context=tuple(pins),
        seed=(request.seed + index) % 2**63,
    )


def _window_action(original: Action, pins: list[Pin], length: int, index: int, continue_action: Action) -> Action:
    if original is Action.RESTYLE:
        return original
    at_start = any(p.frame == 0 for p in pins)
    at_end = any(p.end == length for p in pins)
    if at_start and at_end and (index > 0 or original in (Action.INFILL, Action.LOOP)):
        return Action.INFILL  # context on both sides: joining is what the model is asked to do
    if index == 0 and original not in (Action.INFILL, Action.LOOP):
        return original
    return continue_action


def _window_hooks(hooks: Hooks, index: int, count: int) -> Hooks:
    """Hooks for one window that report progress over the whole shot."""

    def on_progress(step: int, total: int, per_step: float) -> None:
        hooks.on_progress(index * total + step, count * total, per_step)

    return Hooks(
        on_progress=on_progress,
        on_preview=hooks.on_preview,
        should_cancel=hooks.should_cancel,
        preview_every=hooks.preview_every,
    )


def _record(engine: object, plan: list[Window], overlap: int) -> None:
    params = getattr(engine, "last_parameters", None)
    if isinstance(params, dict):
        params["long_shot"] = {
            "windows": [[w.start, w.end] for w in plan],
            "overlap": overlap,
            "colour_match": "model.seams.join_to_context (see the seams)",
        }
