"""A take's recipe as a few readable lines, naming only what that run used.

The record is the runner's JSON (model, engine, seed, request, timings, ...) plus the job's
action and plan; `editor.document.recipe.recipe_of` picks the recipe out of it. Showing it raw
told the user nothing, and listing prompt/seed/steps for a take made by frame interpolation
claimed settings that were never used. Fields an older record lacks are simply not shown. No Qt
here: the Inspector turns the lines into a label.
"""

from __future__ import annotations

from editor.document.recipe import INTERPOLATION_ENGINES, Recipe, recipe_of
from editor.words import plural

__all__ = ["INTERPOLATION_ENGINES", "describe_record", "describe_recipe", "uses_prompt"]


def uses_prompt(record: dict) -> bool:
    """True when the run that made this take used a prompt, seed, steps and guidance."""
    recipe = recipe_of(record)
    return recipe is None or recipe.uses_prompt


def describe_record(record: dict, frames: int | None = None) -> tuple[str, list[tuple[str, str]]]:
    """(headline, [(label, text), ...]): "Made by LTX-Video · infill · 24 frames · seed 7 · 30 steps"
    and rows for the prompt, the model, what it started from, how long it took and where. Fields
    the run did not use are left out; an empty record (an import) gives ("", [])."""
    recipe = recipe_of(record)
    if recipe is None:
        return "", []
    headline, rows = describe_recipe(recipe, frames)
    sound = _sound(record)
    if sound:
        rows.append(("Sound", sound))
    return headline, rows


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
        text += "; new sound, not continued from the neighbouring clips' sound"
    return text


def describe_recipe(recipe: Recipe, frames: int | None = None) -> tuple[str, list[tuple[str, str]]]:
    parts = [f"Made by {recipe.model_title or recipe.engine or 'a model'}"]
    if recipe.action:
        parts.append(recipe.action.replace("_", " "))
    n = frames or recipe.frames  # what the take holds
    if isinstance(n, int):
        parts.append(plural(n, "frame"))
    rows: list[tuple[str, str]] = []
    if recipe.uses_prompt:
        if recipe.seed is not None:
            parts.append(f"seed {recipe.seed}")
        if recipe.steps is not None:
            parts.append(plural(recipe.steps, "step"))
        if recipe.guidance is not None:
            parts.append(f"guidance {recipe.guidance:g}")
        if recipe.prompt:
            rows.append(("Prompt", recipe.prompt))
        if recipe.negative_prompt:
            rows.append(("Negative", recipe.negative_prompt))
    if recipe.strength is not None:
        rows.append(("Strength", f"{recipe.strength:.2f} of the clip kept"))
    if recipe.width and recipe.height:
        size = f"{recipe.width}×{recipe.height}"
        if recipe.fps:
            size += f" at {_fps(recipe.fps)} fps"
        rows.append(("Size", size))
    if recipe.context:
        rows.append(("From", ", ".join(recipe.context)))
    if recipe.cast_names:
        rows.append(("Cast", ", ".join(recipe.cast_names)))
    if recipe.model and recipe.engine not in INTERPOLATION_ENGINES:
        rows.append(("Model", recipe.model + (f" (folder hash {recipe.model_hash})" if recipe.model_hash else "")))
    if recipe.took_s is not None:
        rows.append(("Took", f"{recipe.took_s:.1f} s" + (f" on {recipe.device}" if recipe.device else "")))
    elif recipe.device:
        rows.append(("Device", recipe.device))
    return " · ".join(parts), rows


def _fps(text: str) -> str:
    num, _, den = text.partition("/")
    try:
        value = int(num) / int(den or 1)
    except (ValueError, ZeroDivisionError):
        return text
    return f"{value:g}" if value == round(value, 3) else f"{value:.3f}"
