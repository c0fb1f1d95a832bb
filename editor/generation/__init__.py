"""Generation without Qt: a plan becomes a request, a finished run becomes a take (editor and CLI).

    from editor.generation import submit, run_job, request_from_plan
"""

from __future__ import annotations

from editor.generation.jobs import (
    GENERATION_KIND,
    INTERPOLATE,
    Generated,
    model_for,
    plan_of,
    run_job,
    submit,
)
from editor.generation.requests import GenerationError, pin_frames, request_from_plan
from editor.generation.takes import reserve_take_path, write_generated_take

__all__ = [
    "GENERATION_KIND",
    "INTERPOLATE",
    "Generated",
    "GenerationError",
    "model_for",
    "pin_frames",
    "plan_of",
    "request_from_plan",
    "reserve_take_path",
    "run_job",
    "submit",
    "write_generated_take",
]
