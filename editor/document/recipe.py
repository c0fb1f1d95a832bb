"""A take's recipe: how it was made, as plain data read from its generation record.

A generated take keeps the runner's whole record (model, request, plan, timings, machine...). That
record is for machines and bug reports; a *recipe* is the part a person (or another tool) reuses:
the model and its folder hash, the action, prompt, seed, steps, guidance, size, frames, the
context it was conditioned on, the time it took and the device. Only the fields the action really
used are set: a take made by frame interpolation has no prompt, seed, steps or guidance, and a
take from an older project simply lacks the fields its record never held (None, never a guess).

    recipe = recipe_of(take)          # None for an import
    recipe.to_dict()                  # plain JSON, only the fields that are set

Readers: the Inspector (editor/ui/take_record.py), Copy/Paste recipe, Variations, and the
interchange/provenance writers (OTIO metadata, C2PA assertions), which should use `to_dict()`.
No Qt, no torch, no files touched.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# engines that use no prompt, seed, steps or guidance (they join frames by optical flow)
INTERPOLATION_ENGINES = frozenset({"interpolate"})


@dataclass(frozen=True)
class Recipe:
    """What made a take. Every field may be None (or empty) when the record does not hold it."""

    action: str | None = None  # "generate", "infill", ...
    model: str | None = None  # the model folder (or "builtin:interpolate")
    model_title: str | None = None  # "LTX-Video (LTX-Video-0.9.5)"
    model_hash: str | None = None  # short hash of the folder's configs and weight index
    engine: str | None = None  # "ltx-condition", "wan-vace", "interpolate"
    prompt: str | None = None
    negative_prompt: str | None = None
    seed: int | None = None
    steps: int | None = None
    guidance: float | None = None
    strength: float | None = None  # restyle only: how much of the clip was kept
    width: int | None = None
    height: int | None = None
    frames: int | None = None  # frames the model made (context included)
    fps: str | None = None  # "24/1"
    context: tuple[str, ...] = ()  # what it was conditioned on, in words ("last 9 frames of “A”")
    cast: tuple[str, ...] = ()  # cast member ids
    cast_names: tuple[str, ...] = ()
    took_s: float | None = None  # seconds the model ran (load included when it had to load)
    device: str | None = None  # "NVIDIA H200", "CPU"
    shotline_version: str | None = None

    @property
    def uses_prompt(self) -> bool:
        """True when the run used a prompt, seed, steps and guidance (not frame interpolation)."""
        return (self.engine or "") not in INTERPOLATION_ENGINES

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data holding only the fields that are set (tuples as lists)."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if value is None or value == () or value == [] or value == {} or value == "":
                continue
            out[key] = list(value) if isinstance(value, tuple) else value
        return out


def recipe_of(take_or_record: Any) -> Recipe | None:
    """The recipe of a take (or of its `record` dict); None for an import (an empty record)."""
    record = getattr(take_or_record, "record", take_or_record)
    if not isinstance(record, dict) or not record:
        return None
    request = _dict(record.get("request"))
    plan = _dict(record.get("plan"))
    model = record.get("model")

    def pick(name: str) -> Any:
        for source in (request, record, plan):
            if source.get(name) not in (None, ""):
                return source[name]
        return None

    engine = record.get("engine") or (model.get("kind") if isinstance(model, dict) else None)
    model_path = model.get("path") if isinstance(model, dict) else (model if isinstance(model, str) else None)
    model_path = model_path or plan.get("model") or None
    title = None
    if isinstance(model, dict):
        title = model.get("title") or (Path(str(model_path)).name if model_path else None) or model.get("kind")
    elif model_path:
        title = Path(str(model_path)).name or str(model_path)
    uses = str(engine or "") not in INTERPOLATION_ENGINES
    action = record.get("action") or request.get("action") or plan.get("action")
    pins = [p for p in (request.get("context") or plan.get("pins") or []) if isinstance(p, dict)]
    strength = None
    if action == "restyle" and pins and isinstance(pins[0].get("strength"), int | float):
        strength = float(pins[0]["strength"])
    timings = _dict(record.get("timings"))
    took = timings.get("total_s")
    machine = _dict(record.get("machine"))
    placement = _dict(record.get("placement"))
    device = machine.get("device") or record.get("device") or placement.get("device")
    cast_names = tuple(str(c.get("name")) for c in request.get("cast") or [] if isinstance(c, dict) and c.get("name"))
    return Recipe(
        action=str(action) if action else None,
        model=str(model_path) if model_path else None,
        model_title=str(title) if title else None,
        model_hash=_str(model.get("folder_hash")) if isinstance(model, dict) else None,
        engine=str(engine) if engine else None,
        prompt=_str(pick("prompt")) if uses else None,
        negative_prompt=_str(pick("negative_prompt")) if uses else None,
        seed=_int(pick("seed")) if uses else None,
        steps=_int(pick("steps")) if uses else None,
        guidance=_float(pick("guidance")) if uses else None,
        strength=strength,
        width=_int(pick("width")),
        height=_int(pick("height")),
        frames=_int(request.get("num_frames") or plan.get("num_frames")),
        fps=_str(pick("fps")),
        context=tuple(str(p["label"]) for p in pins if p.get("label")),
        cast=tuple(str(c) for c in plan.get("cast") or [] if isinstance(c, str)),
        cast_names=cast_names,
        took_s=float(took) if isinstance(took, int | float) and not isinstance(took, bool) else None,
        device=_str(device),
        shotline_version=_str(record.get("shotline_version")),
    )


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
