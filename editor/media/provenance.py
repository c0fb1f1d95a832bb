"""What an export says about how it was made: MP4 title, comment and description tags.

Every export is marked "Made with Shotline"; one holding generated frames says so and lists,
per generated shot, the model, seed and prompt (F21). The signed C2PA manifest is c2pa_sign's.
Tags are the standard MP4 ones (title, comment, description) that players and tools show.
"""

from __future__ import annotations

from collections.abc import Iterable

from editor.document.project import Clip, Project

MADE_WITH = "Made with Shotline"
AI_NOTICE = "Made with Shotline; contains AI-generated frames"
PROMPT_CHARS = 500  # per shot; a description stays readable in a player's info panel


def provenance_metadata(project: Project, clips: Iterable[Clip], *, prompts: bool = True) -> dict[str, str]:
    """MP4 metadata for an export showing `clips` (each counted once, in first-shown order).
    `prompts` False: the shots' prompts are left out (the user keeps them private; see c2pa_sign)."""
    seen: dict[str, Clip] = {}
    for clip in clips:
        seen.setdefault(clip.id, clip)
    generated = [c for c in seen.values() if c.take is not None and c.take.generated]
    meta = {"title": project.name}
    if not generated:
        meta["comment"] = MADE_WITH
        return meta
    models = sorted({_field(c, "model") for c in generated} - {""})
    seeds = [s for s in (_field(c, "seed") for c in generated) if s]
    details = [f"{len(generated)} of {len(seen)} shots generated"]
    if models:
        details.append(("models " if len(models) > 1 else "model ") + ", ".join(models))
    if seeds:
        details.append(("seeds " if len(seeds) > 1 else "seed ") + ", ".join(seeds))
    meta["comment"] = f"{AI_NOTICE}. {'; '.join(details)}."
    meta["description"] = "\n".join(_shot_line(c, prompts) for c in generated)
    return meta


def _shot_line(clip: Clip, prompts: bool = True) -> str:
    """'Shot 2: generate with LTX-Video, seed 42; prompt "a paper boat ..."' (no prompt when not `prompts`)."""
    prompt = _field(clip, "prompt") or clip.shot.prompt
    if len(prompt) > PROMPT_CHARS:
        prompt = prompt[: PROMPT_CHARS - 1] + "…"
    action = _field(clip, "action").replace("_", " ") or "made"
    how = f"{action} with {_field(clip, 'model') or 'an unrecorded model'}"
    seed = _field(clip, "seed")
    if seed:
        how += f", seed {seed}"
    return f'{clip.name or clip.id}: {how}; prompt "{prompt}"' if prompts else f"{clip.name or clip.id}: {how}"


def _field(clip: Clip, key: str) -> str:
    """A value from the take's generation record: at its top level or in its request."""
    record = clip.take.record if clip.take is not None else {}
    value = record.get(key)
    if value is None and isinstance(record.get("request"), dict):
        value = record["request"].get(key)
    if isinstance(value, dict):  # the runner records a model as {"path", "title", "repo_id", ...}
        value = value.get("title") or value.get("repo_id") or value.get("name") or value.get("path")
    return "" if value is None else str(value)
