"""Running one generation job, the same way for the editor's worker thread and the headless CLI.

    job = submit(journal, plan)                      # on disk before anything runs
    done = run_job(journal, job, runner, project, folder, hooks)   # frames -> take on disk

`run_job` never touches a Document: it returns the new `Take` and the plan (whose target says
where the take goes); the caller applies `PlaceGeneratedTake` itself (the editor on its GUI
thread, as one undoable edit). The journal row goes running -> done with the take's path, or
failed with the message; a cancelled job leaves no file behind.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from editor.document.journaled_plans import fill_as_shown
from editor.document.media_paths import locate_media
from editor.document.plans import GenerationPlan
from editor.document.project import Project, Take
from editor.generation.requests import GenerationError, request_from_plan
from editor.generation.takes import discard_take, write_generated_take
from editor.words import plural
from model.estimate import timing_sample
from model.journal import Job, JobState, Journal
from model.models import BUILTIN_INTERPOLATE
from model.request import Action, Request
from model.runner import Cancelled, Hooks

GENERATION_KIND = "generation"  # the journal's `kind` for jobs that make a take
# Names a plan may use for the built-in optical-flow engine; the runner knows it as
# BUILTIN_INTERPOLATE ("builtin:interpolate"), project defaults may say just "interpolate".
INTERPOLATE = BUILTIN_INTERPOLATE
_INTERPOLATE_NAMES = {"interpolate", BUILTIN_INTERPOLATE}


class RunnerLike(Protocol):
    """What run_job needs of `model.runner.Runner`."""

    def run(self, model_path: str, request: Request, hooks: Hooks | None = None) -> Any: ...


@dataclass(frozen=True)
class Generated:
    """A finished job: its take (already on disk) and the plan that says where it goes."""

    job_id: int
    plan: GenerationPlan
    take: Take

    @property
    def target(self):
        return self.plan.target


def submit(journal: Journal, plan: GenerationPlan) -> Job:
    """Record `plan` as a queued job (fsync'd) and return it; the worker picks it up from there."""
    title = plan.summary or f"{plan.action.title}: {plural(plan.num_frames, 'frame')}"
    return journal.add(plan.action.value, title, {"kind": GENERATION_KIND, "plan": plan.to_dict()})


def plan_of(job: Job, project: Project | None = None) -> GenerationPlan:
    """The plan a job was queued with; GenerationError when it is not a generation job or damaged.

    With `project`: a plan journaled by an older version (no `made_at`/`fit` on its pins) reads
    its frames as `project`'s timeline shows them now (`editor.document.journaled_plans`)."""
    payload = job.payload
    if not isinstance(payload, dict) or payload.get("kind") != GENERATION_KIND or "plan" not in payload:
        raise GenerationError(f"Job {job.id} is not a generation job.")
    try:
        data = payload["plan"]
        if project is not None and isinstance(data, dict):
            data = fill_as_shown(data, project)
        return GenerationPlan.from_dict(data)
    except ValueError as exc:
        raise GenerationError(str(exc)) from exc


def model_for(plan: GenerationPlan) -> str:
    """The model folder (or INTERPOLATE, the built-in engine) that makes `plan`.

    With no model chosen, infill and loop use the built-in interpolation, which needs none;
    the other actions need a model, and the message says where to pick one.
    """
    model = plan.model
    if model and model.strip().lower() in _INTERPOLATE_NAMES:
        return INTERPOLATE
    if model:
        return model
    if plan.action in (Action.INFILL, Action.LOOP):
        return INTERPOLATE
    raise GenerationError(
        f"{plan.action.title} needs a video model. Choose a model for the project (File ▸ Project "
        "Settings) or for this shot (Inspector ▸ Model); add model folders in File ▸ Settings ▸ Models."
    )


def run_job(
    journal: Journal,
    job: Job,
    runner: RunnerLike,
    project: Project | None,
    folder: str | os.PathLike,
    hooks: Hooks | None = None,
) -> Generated:
    """Make the take for a job the journal already marked running; see the module docstring.

    Raises Cancelled when `hooks.should_cancel()` turned true (the journal row is left for
    the caller to mark cancelled), GenerationError / RequestError / EngineError with a message
    for the user when it can't be made (the row is marked failed here).
    """
    hooks = hooks or Hooks()
    plan = plan_of(job, project)
    try:
        model = model_for(plan)
        request = request_from_plan(plan, project, folder, should_cancel=hooks.should_cancel)
        if hooks.should_cancel():
            raise Cancelled("Cancelled before the model ran.")
        started = time.time()
        result = runner.run(
            model if model == INTERPOLATE else os.path.expanduser(model),  # a model folder, not media
            request,
            hooks,
        )
        frames, made = _frames_and_record(result)
        if hooks.should_cancel():
            raise Cancelled("Cancelled after the model ran; nothing was kept.")
        record = {
            **made,
            "job": job.id,
            "action": plan.action.value,
            "plan": plan.to_dict(),
            "started": started,
            "finished": time.time(),
        }
        take = write_generated_take(plan, frames, record, folder, stem=_stem(job, plan),
                                    should_cancel=hooks.should_cancel, audio=getattr(result, "audio", None))
    except Cancelled:
        raise
    except Exception as exc:
        if getattr(exc, "keep_queued", False):
            raise  # not the job's fault (a farm that can't be reached): the job worker requeues it
        if hooks.should_cancel():
            raise Cancelled("Cancelled.") from exc  # an engine that stopped its own way
        journal.fail(job.id, _message(exc))
        raise
    done = journal.finish(job.id, {"take": take.media, "take_id": take.id, "frames": take.frames,
                                   "timing": timing_sample(record)})  # for the next jobs' plans
    if done.state is not JobState.DONE:
        # Cancelled (by another window or process) while the take was written: keep nothing.
        written = locate_media(folder, take.media).path
        if written is not None:  # never delete through a path that leaves the project
            discard_take(written)
        raise Cancelled(f"Job {job.id} was {done.state.value} while it finished; nothing was kept.")
    return Generated(job.id, plan, take)


def _frames_and_record(result: Any) -> tuple[list[np.ndarray], dict]:
    frames = getattr(result, "frames", None)
    record = getattr(result, "record", None)
    if frames is None and isinstance(result, tuple) and len(result) == 2:
        frames, record = result
    if frames is None:
        raise GenerationError("The model returned no frames; run the job again.")
    return list(frames), dict(record or {})


def _stem(job: Job, plan: GenerationPlan) -> str:
    name = plan.target.name or plan.action.value
    return f"take-{job.id:04d}-{name}"


def _message(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, ValueError | OSError | RuntimeError) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
