"""Long shots (F11): a shot longer than the model's window is made in overlapping windows.

Window 0 is the request cut to the model's window. Each later window is an extend-forward of
what has been made so far: the last `overlap` frames are pinned at its start, with any of the
request's own pins (keyframes, the clip after an infill) that fall inside it. The new frames of a
window are colour-matched to the frames they continue (`model.seams`), frames made twice are
cross-faded, and the request's own full-strength pins are put back untouched at the end, so a
60 s shot comes out as exactly `num_frames` frames with no visible seams. An extend-backward is
made the same way from the end towards the start.

Generic over an engine: anything with `run(request, hooks)` and `limits` (a
`model.engines.base.Limits`) or a plain `window_frames` int works.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from model.engines.base import EngineError, Hooks, Limits
from model.request import Action, Pin, Request
from model.seams import crossfade, match_to_context

# Frames compared on each side of a seam when the engine hands back the pinned context
# unchanged (so there is no twice-made overlap to compare like with like).
SEAM_REFERENCE_FRAMES = 8


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

    A request that fits one window is passed to the engine as it is. Progress is reported over
    the whole shot; cancel stops within one step of the window that runs. The windows used are
    added to `engine.last_parameters["long_shot"]` for the take's record.
    """
    request.validate()
    window = window or engine_window(engine)
    if request.num_frames <= window:
        return engine.run(request, hooks)  # type: ignore[attr-defined]
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
    for w, win in enumerate(plan):
        sub = _window_request(request, win, w, made, backward=backward, continue_action=continue_action)
        frames = engine.run(sub, _window_hooks(hooks, w, len(plan)))  # type: ignore[attr-defined]
        if len(frames) != win.length:
            raise EngineError(f"The model returned {len(frames)} frames for a {win.length}-frame window.")
        _place(made, frames, win, backward=backward)

    # The user's own frames stay exactly as given (colour matching moved the whole window).
    for pin in request.context:
        if pin.strength >= 1.0:
            for k, frame in enumerate(pin.frames):
                made[pin.frame + k] = frame
    _record(engine, plan, overlap)
    return made  # type: ignore[return-value]


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


def _place(made: list[np.ndarray | None], frames: list[np.ndarray], win: Window, *, backward: bool) -> None:
    """Colour-match a window's new frames to what they continue and put them into the shot."""
    if not win.overlap:
        made[win.start : win.end] = frames
        return
    n_new = win.length - win.overlap
    if backward:
        ctx_idx = list(range(win.end - win.overlap, win.end))
        ov_frames, new_frames = frames[n_new:], frames[:n_new]
    else:
        ctx_idx = list(range(win.start, win.start + win.overlap))
        ov_frames, new_frames = frames[: win.overlap], frames[win.overlap :]
    context = [made[i] for i in ctx_idx]
    remade = any(float(np.abs(a.astype(np.int16) - b).mean()) > 0.5 for a, b in zip(ov_frames, context, strict=True))
    if remade:
        # The model drew the overlap again: compare the same content made twice.
        new_ref, ctx_ref = ov_frames, context
    else:
        # The engine handed the pinned frames back untouched: compare the frames on each side
        # of the seam, which show nearly the same content.
        m = min(SEAM_REFERENCE_FRAMES, win.overlap, n_new)
        new_ref = new_frames[-m:] if backward else new_frames[:m]
        ctx_ref = context[:m] if backward else context[-m:]
    if not remade:
        # The context stays as it was; only the new frames move.
        matched = match_to_context(new_frames, new_ref, ctx_ref)
        if backward:
            made[win.start : win.start + n_new] = matched
        else:
            made[win.start + win.overlap : win.end] = matched
        return
    matched = match_to_context(list(ov_frames) + list(new_frames), new_ref, ctx_ref)
    ov_matched, new_matched = matched[: win.overlap], matched[win.overlap :]
    if backward:
        # Going backward the hand-over runs from the new frames into the context.
        blended = crossfade(ov_matched, context)
        made[win.start : win.start + n_new] = new_matched
    else:
        blended = crossfade(context, ov_matched)
        made[win.start + win.overlap : win.end] = new_matched
    for i, frame in zip(ctx_idx, blended, strict=True):
        made[i] = frame


def _record(engine: object, plan: list[Window], overlap: int) -> None:
    params = getattr(engine, "last_parameters", None)
    if isinstance(params, dict):
        params["long_shot"] = {
            "windows": [[w.start, w.end] for w in plan],
            "overlap": overlap,
            "colour_match": "LAB mean/std against the context",
        }
