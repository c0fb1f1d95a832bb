"""A generation result that finishes after the project's frame rate changed.

A job is planned at the project's rate then (`plan.fps`): the take's file is written at that
rate and the plan's target counts timeline frames at it. When File ▸ Project Settings changed the
rate while the job waited or ran, placing the result as planned would play its frames at the
wrong speed and put it at the wrong frames. It is placed as `ChangeFrameRate` would have carried
it had it been there already: the take counts frames at the new rate and records the rate its
file was made at (`metadata["frames_at_fps"]`, read by time like any other take), and the target
is rescaled by time. No Qt, no media reads.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import TYPE_CHECKING

from editor.document.project import Take, carry_take_to_rate

if TYPE_CHECKING:
    from editor.document.plans import GenerationPlan, Target


def at_project_rate(plan: GenerationPlan, take: Take, fps: Fraction) -> tuple[Take, Target]:
    """`take` (changed in place: pass a copy) and the plan's target at project rate `fps`."""
    made, now = Fraction(plan.fps), Fraction(fps)
    target = plan.target
    if made == now:
        return take, target
    ratio = now / made

    def at(frame: int) -> int:
        return round(frame * ratio)  # as ChangeFrameRate rescales: the ends rounded

    carry_take_to_rate(take, made, now)
    start = at(target.start)
    length = max(1, at(target.start + target.length) - start) if target.length > 0 else target.length
    return take, dataclasses.replace(target, start=start, length=length)
