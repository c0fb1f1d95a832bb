"""A plan's memory and time, in one sentence, before it is queued (the Inspector and the CLI show it).

`plan_estimate(info, plan, overrides, jobs)` reads the model's config (`ModelInfo`), the memory
settings that will apply (the runner's overrides, then the plan's own `options["memory"]`) and
the timings earlier jobs left in the journal, and asks `model.estimate`. No torch, no disk.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from editor.document.plans import GenerationPlan
from model.estimate import Estimate, estimate


def history_of(jobs: Iterable[Any]) -> list[dict]:
    """The timing samples finished jobs left in their journal results."""
    out = []
    for job in jobs:
        result = getattr(job, "result", None)
        timing = result.get("timing") if isinstance(result, dict) else None
        if isinstance(timing, dict):
            out.append(timing)
    return out


def plan_estimate(info: Any, plan: GenerationPlan, overrides: dict | None, jobs: Iterable[Any]) -> Estimate | None:
    """About how much GPU memory and time `plan` takes on `info`'s model; None for the built-in engine."""
    if info is None or not getattr(info, "needs_model", True):
        return None
    history = history_of(jobs)
    chosen = {k: v for k, v in (overrides or {}).items() if v is not None}
    memory = plan.options.get("memory") if isinstance(plan.options.get("memory"), dict) else {}
    mine = [h for h in history if h.get("model") == info.path and isinstance(h.get("placement"), dict)]
    # "automatic" device: where this model last ran, else a GPU (what the plan is for)
    device = chosen.get("device") or (mine[-1]["placement"].get("device") if mine else None) or "cuda"
    return estimate(
        info, width=plan.width, height=plan.height, frames=plan.num_frames, steps=plan.steps,
        device=device,
        dtype=chosen.get("dtype") or ("float32" if device == "cpu" else "bfloat16"),
        memory=memory.get("mode") or chosen.get("memory") or "full",
        vae_tiling=bool(memory.get("vae_tiling", chosen.get("vae_tiling") or False)),
        quantize=memory.get("quantize") or chosen.get("quantize") or "none",
        history=history,
    )
