"""A take's generation record as a few readable lines, naming only what that run used.

The record is the runner's JSON (model, engine, seed, request, timings, ...) plus the job's
action and plan. Showing it raw told the user nothing, and listing prompt/seed/steps for a take
made by frame interpolation claimed settings that were never used. No Qt here: the Inspector
turns the lines into a label.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from editor.words import plural

INTERPOLATION_ENGINES = {"interpolate"}  # engines that use no prompt, seed, steps or guidance


def uses_prompt(record: dict) -> bool:
    """True when the run that made this take used a prompt, seed, steps and guidance."""
    return _engine(record) not in INTERPOLATION_ENGINES


def describe_record(record: dict, frames: int | None = None) -> tuple[str, list[tuple[str, str]]]:
    """(headline, [(label, text), ...]): "Made by LTX-Video · infill · 24 frames · seed 7 · 30 steps"
    and rows for the prompt, what it started from and how long it took. Fields the run did not
    use are left out; an empty record (an import) gives ("", [])."""
    if not record:
        return "", []
    request = record.get("request") if isinstance(record.get("request"), dict) else {}
    plan = record.get("plan") if isinstance(record.get("plan"), dict) else {}

    def field(name: str) -> Any:
        for source in (request, record, plan):
            if source.get(name) not in (None, ""):
                return source[name]
        return None

    parts = [f"Made by {_model_title(record)}"]
    action = record.get("action") or request.get("action") or plan.get("action")
    if action:
        parts.append(str(action).replace("_", " "))
    n = frames or request.get("num_frames") or plan.get("num_frames")  # what the take holds
    if isinstance(n, int):
        parts.append(plural(n, "frame"))
    rows: list[tuple[str, str]] = []
    if uses_prompt(record):
        seed, steps, guidance = field("seed"), field("steps"), field("guidance")
        if seed is not None:
            parts.append(f"seed {seed}")
        if isinstance(steps, int):
            parts.append(plural(steps, "step"))
        if isinstance(guidance, int | float):
            parts.append(f"guidance {guidance:g}")
        for label, name in (("Prompt", "prompt"), ("Negative", "negative_prompt")):
            text = field(name)
            if text:
                rows.append((label, str(text)))
    context = request.get("context") or []
    sources = [str(c.get("label")) for c in context if isinstance(c, dict) and c.get("label")]
    if sources:
        rows.append(("From", ", ".join(sources)))
    sound = _sound(record)
    if sound:
        rows.append(("Sound", sound))
    timings = record.get("timings") if isinstance(record.get("timings"), dict) else {}
    took = timings.get("total_s")
    if isinstance(took, int | float):
        rows.append(("Took", f"{took:.1f} s"))
    return " · ".join(parts), rows


def _sound(record: dict) -> str:
    """What the run did about sound (LTX-2 makes it with the picture), or "" for a silent model."""
    sound = record.get("sound")
    if not isinstance(sound, dict):
        params = record.get("parameters") if isinstance(record.get("parameters"), dict) else {}
        sound = params.get("sound")
    if not isinstance(sound, dict) or "made" not in sound:
        return ""
    if not sound["made"]:
        return f"none made ({sound.get('why')})" if sound.get("why") else "none made"
    rate = sound.get("stored_rate") or sound.get("rate")
    text = "made with the picture"
    if sound.get("stored") and isinstance(rate, int | float):
        text += f", kept as {str(sound['stored']).upper()} at {rate / 1000:g} kHz"
    if sound.get("continues_neighbours") is False:
        text += "; new sound, not continued from the neighbouring clips'"
    return text


def _engine(record: dict) -> str:
    engine = record.get("engine")
    if not engine and isinstance(record.get("model"), dict):
        engine = record["model"].get("kind")
    return str(engine or "")


def _model_title(record: dict) -> str:
    model = record.get("model")
    if isinstance(model, dict):
        return str(model.get("title") or Path(str(model.get("path") or "")).name or model.get("kind") or "a model")
    if isinstance(model, str) and model:
        return Path(model).name or model
    return _engine(record) or "a model"
