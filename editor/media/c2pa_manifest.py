"""What an export's Content Credentials (C2PA manifest) say, as plain data: no signing, no c2pa import.

For the clips an export shows (and the sound it plays):
- claim generator: Shotline and its version;
- actions (c2pa.actions.v2). C2PA wants `c2pa.created` first, then:
    generated shots only        created: trainedAlgorithmicMedia; edited: trainedAlgorithmicMedia
    generated and imported      created: trainedAlgorithmicMedia; edited: compositeWithTrainedAlgorithmicMedia
    imported footage only       created: composite;               edited: composite
  (IPTC digital source types, http://cv.iptc.org/newscodes/digitalsourcetype/...). `created` says
  how many shots were generated and with which models; `edited` is the cut itself. Frames made
  by the built-in optical-flow interpolation (no model) are `algorithmicMedia`, not AI.
- ingredients: every imported file shown or heard (componentOf), the original of a conformed copy
  when it still exists (it is the one that may carry its own manifest, which c2pa keeps); and
  the pictures a generated take shown was conditioned on — its keyframes, the still it animated,
  its cast members' pictures — as `inputTo` (C2PA's relationship for what was fed to a model to
  make the asset, as opposed to `componentOf`, a part of it; `parentOf` would claim the export
  is a version of that picture, which it is not). A file both shown and fed stays `componentOf`;
- `org.shotline.recipes`: each generated take's recipe (`editor.document.recipe`: model and its
  folder hash, seed, prompt, steps, ...) unless the user keeps prompts private. Local paths (a
  model's folder) are dropped: a recipe says how a take was made, not where the user keeps things.
"""

from __future__ import annotations

import copy
import mimetypes
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from editor.document.media_paths import locate_media, resolve_media
from editor.document.project import AudioClip, Clip, Project, audible_tracks
from editor.document.recipe import recipe_of
from editor.words import plural

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
GENERATED = IPTC + "trainedAlgorithmicMedia"
MIXED = IPTC + "compositeWithTrainedAlgorithmicMedia"
COMPOSITE = IPTC + "composite"
ALGORITHMIC = IPTC + "algorithmicMedia"  # frames an algorithm made without a trained model (optical flow)
RECIPES_LABEL = "org.shotline.recipes"
RECIPES_VERSION = 2  # 2: the recipe accessor's fields (1 was the raw generation record)


@dataclass(frozen=True)
class Ingredient:
    path: Path  # the file to read (its own manifest, if any, comes along)
    title: str  # its file name
    relationship: str = "componentOf"


@dataclass(frozen=True)
class ManifestPlan:
    """The manifest definition for c2pa's Builder, and the files to add as ingredients."""

    definition: dict
    ingredients: list[Ingredient]
    generated: int  # generated shots shown
    shots: int  # shots shown
    prompts: bool  # the recipes assertion is included


def plan_manifest(project: Project, project_root: str | os.PathLike | None, clips: Iterable[Clip], *,
                  title: str, version: str, prompts: bool = True, start: int = 0,
                  end: int | None = None, inputs: Iterable[str | os.PathLike] = (), cut: bool = True) -> ManifestPlan:
    """The manifest for an export of `title` showing `clips` and playing the sound of [start, end).

    `inputs`: files a model was conditioned on (`generate --image`, `extend --clip`), listed as
    `inputTo` ingredients. `cut` False: the file is one generated run, not a cut (no c2pa.edited)."""
    seen: dict[str, Clip] = {}
    for clip in clips:
        seen.setdefault(clip.id, clip)
    shown = list(seen.values())
    generated = [c for c in shown if c.take is not None and c.take.generated]
    imported = [c for c in shown if c.take is not None and not c.take.generated]
    end = project.duration if end is None else end
    sounds = [a for t in audible_tracks(project.audio_tracks) for a in t.clips if a.start < end and a.end > start]
    # a generated take's own sound (LTX-2) is part of that shot, not an imported file
    made = {t.media for track in project.tracks for c in track.clips for t in c.takes if t.generated}
    sounds = [a for a in sounds if a.source not in made]
    ingredients = _ingredients(project_root, imported, sounds)
    fed = [Path(p) for p in inputs] + _fed(project, project_root, generated)
    conditioned = _once([Ingredient(p, p.name, "inputTo") for p in fed if p.is_file()], ingredients)

    agent = {"name": "Shotline", "version": version}
    actions: list[dict] = []
    trained = any(is_trained(c.take.record) for c in generated)  # else optical flow only: not AI
    if generated:
        models = sorted({m for m in (model_title(c.take.record) for c in generated) if m})
        said = f"{plural(len(generated), 'shot')} generated" + (f" with {', '.join(models)}" if models else "")
        actions.append({"action": "c2pa.created", "digitalSourceType": GENERATED if trained else ALGORITHMIC,
                        "softwareAgent": agent, "description": said})
    else:
        actions.append({"action": "c2pa.created", "digitalSourceType": COMPOSITE, "softwareAgent": agent,
                        "description": f"a new cut of {plural(len(ingredients), 'imported file')}"})
    if cut:
        actions.append({
            "action": "c2pa.edited", "softwareAgent": agent,
            "digitalSourceType": _cut_source(trained, bool(generated), bool(ingredients)),
            "description": f"cut in Shotline: {plural(len(shown), 'shot')}"
                           + (f", {len(generated)} generated" if generated else "")
                           + (f", {plural(len(ingredients), 'imported file')}" if ingredients else ""),
        })
    assertions: list[dict] = [{"label": "c2pa.actions.v2", "data": {"actions": actions}}]
    if prompts and generated:
        assertions.append({"label": RECIPES_LABEL, "data": {
            "version": RECIPES_VERSION,
            "takes": [{"shot": c.name or c.id, "clip": c.id, "take": c.take.id, "label": c.take.label,
                       "recipe": recipe_data(c.take.record)} for c in generated],
        }})
    definition = {
        "claim_generator_info": [{"name": "Shotline", "version": version}],
        "title": title,
        "format": "video/mp4",
        "assertions": assertions,
    }
    return ManifestPlan(definition, ingredients + conditioned, len(generated), len(shown), prompts and bool(generated))


def _cut_source(trained: bool, generated: bool, imported: bool) -> str:
    """The digital source type of the cut as a whole."""
    if trained:
        return MIXED if imported else GENERATED
    return COMPOSITE if imported or not generated else ALGORITHMIC


def is_trained(record: dict) -> bool:
    """Whether a take's frames came from a trained model (not the built-in optical-flow interpolation)."""
    model = record.get("model") if isinstance(record, dict) else None
    kind = model.get("kind") if isinstance(model, dict) else None
    return "interpolate" not in (record.get("engine"), kind, model)


def model_title(record: dict) -> str:
    """The model a record names, in words (its title, repo id or folder name; never a full path)."""
    model = record.get("model") if isinstance(record, dict) else None
    if isinstance(model, dict):
        value = model.get("title") or model.get("repo_id") or model.get("name")
        if not value and model.get("path"):
            value = Path(str(model["path"])).name
        return str(value or "")
    return Path(str(model)).name if model else ""


def scrubbed(record: dict) -> dict:
    """A generation record without the user's local paths (keys named "path", absolute path values)."""

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k != "path" and not _is_local_path(v)}
        if isinstance(value, list):
            return [clean(v) for v in value if not _is_local_path(v)]
        return value

    return clean(copy.deepcopy(record))


def recipe_data(record: dict) -> dict:
    """A take's recipe as the manifest says it: `recipe_of(...).to_dict()` (so the model's folder
    hash is there) without the user's local paths."""
    recipe = recipe_of(record)
    return scrubbed(recipe.to_dict()) if recipe is not None else {}


def _fed(project: Project, root, generated: list[Clip]) -> list[Path]:
    """The pictures the generated takes were conditioned on: keyframes, animated stills, cast pictures."""
    members = {m.id: m for m in project.cast}
    out: list[Path] = []
    for clip in generated:
        record = clip.take.record if isinstance(clip.take.record, dict) else {}
        plan = record.get("plan") if isinstance(record.get("plan"), dict) else {}
        media = [p.get("media") for p in plan.get("pins") or () if isinstance(p, dict) and p.get("still")]
        media += [members[c].image for c in plan.get("cast") or () if isinstance(c, str) and c in members]
        for name in media:
            path = locate_media(root, name).path if isinstance(name, str) and name else None
            if path is not None:  # None: refused by the media rule, never read
                out.append(path)
    return out


def _once(fed: list[Ingredient], shown: list[Ingredient]) -> list[Ingredient]:
    """`fed` without repeats and without the files already ingredients as shown parts."""
    seen = {os.path.normcase(os.path.abspath(i.path)) for i in shown}
    out = []
    for ing in fed:
        key = os.path.normcase(os.path.abspath(ing.path))
        if key not in seen:
            seen.add(key)
            out.append(ing)
    return out


def _is_local_path(value) -> bool:
    if not isinstance(value, str) or len(value) < 2:
        return False
    return value.startswith(("/", "~", "\\\\")) or (value[1] == ":" and value[:1].isalpha() and value[2:3] in "\\/")


def _ingredients(root, clips: list[Clip], sounds: list[AudioClip]) -> list[Ingredient]:
    found: dict[str, Ingredient] = {}
    sources = [(c.take.media, c.take.metadata) for c in clips] + [(a.source, a.metadata) for a in sounds]
    for media, metadata in sources:
        path = Path(resolve_media(root, media))
        original = metadata.get("original") if isinstance(metadata, dict) else None
        if isinstance(original, str) and original and Path(original).is_file():
            path = Path(original)  # a conformed copy: the user's file is the ingredient
        key = os.path.normcase(os.path.abspath(path))
        if key not in found and path.is_file():
            found[key] = Ingredient(path, path.name)
    return list(found.values())


def mime_type(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"

