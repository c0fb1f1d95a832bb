"""Model folders: recognise a local diffusers folder, refuse unsafe or broken ones, find cached models.

A model is a diffusers folder with a `model_index.json` naming the pipeline class and its
components. Shotline reads only JSON here (no torch): the kind of model, the actions it supports
and its limits come from the configs, so the UI can show them before anything is loaded.

A folder is refused, with a message that says what to do, when its pipeline is not one Shotline
drives, when a component folder or its weights are missing, when its weights are pickle files
only (`.bin`/`.pt`: loading them can run arbitrary code) or a sharded safetensors index points
at anything but safetensors shards beside it, or when it asks for remote code (a custom
pipeline, an `auto_map`). Loading later uses `use_safetensors=True` and never
`trust_remote_code`; the runner inspects a folder before diffusers sees it.

Every folder is judged on its own: a damaged one (a bad safetensors header, config values of the
wrong type, unreadable or absurdly nested JSON, a symlink loop) is a ModelError with its reason,
never another exception, so one bad folder never hides the good ones in a listing.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from model.engines import registry
from model.engines.base import Limits
from model.request import Action

# The built-in optical-flow engine needs no folder; it is chosen by this name.
BUILTIN_INTERPOLATE = "builtin:interpolate"

ALL_ACTIONS = tuple(Action)


@dataclass(frozen=True)
class Family:
    """A pipeline family Shotline drives: which folders it accepts and what it can do."""

    kind: str
    title: str
    load_class: str  # the diffusers pipeline class used to load and run the folder
    accepts: tuple[str, ...]  # `_class_name`s of model_index.json that hold its components
    needs: tuple[str, ...]  # components that must be present
    actions: tuple[Action, ...]
    transformer_class: str | None = None  # when set, the transformer's config must name this class
    # diffusers pipeline packages whose own classes a folder may name (LTX-2's connectors and vocoder
    # are listed as ["ltx2", "LTX2Vocoder"]: code inside diffusers, not code that comes with the model)
    pipeline_packages: tuple[str, ...] = ()


FAMILIES: tuple[Family, ...] = (
    Family(
        kind="ltx-condition",
        title="LTX-Video",
        load_class="LTXConditionPipeline",
        # LTX-Video 0.9.5+ repositories say "LTXPipeline"; the condition pipeline has the same
        # components and is how diffusers documents running them with keyframes.
        accepts=("LTXConditionPipeline", "LTXPipeline", "LTXImageToVideoPipeline"),
        needs=("transformer", "vae", "text_encoder", "tokenizer", "scheduler"),
        actions=ALL_ACTIONS,
        transformer_class="LTXVideoTransformer3DModel",
    ),
    Family(
        kind="ltx2",
        title="LTX-2",
        load_class="LTX2ConditionPipeline",
        # Lightricks/LTX-2 says "LTX2Pipeline"; the condition pipeline loads the same components and
        # drives keyframes, clips and sound.
        accepts=("LTX2ConditionPipeline", "LTX2Pipeline", "LTX2ImageToVideoPipeline"),
        needs=("transformer", "vae", "audio_vae", "text_encoder", "tokenizer", "connectors", "vocoder", "scheduler"),
        actions=ALL_ACTIONS,
        transformer_class="LTX2VideoTransformer3DModel",
        pipeline_packages=("ltx2",),
    ),
    Family(
        kind="wan-vace",
        title="Wan VACE",
        load_class="WanVACEPipeline",
        accepts=("WanVACEPipeline",),
        needs=("vae", "text_encoder", "tokenizer", "scheduler"),
        actions=ALL_ACTIONS,
        transformer_class="WanVACETransformer3DModel",
    ),
)

# Recognised but not (yet) driven by Shotline: the message names what would work instead.
NOT_YET = {
    "WanPipeline": "a Wan text-to-video model; Shotline drives the Wan VACE models (e.g. Wan2.1-VACE-1.3B-diffusers)",
    "WanImageToVideoPipeline": "a Wan image-to-video model; Shotline drives the Wan VACE models",
    "WanVideoToVideoPipeline": "a Wan video-to-video model; Shotline drives the Wan VACE models",
    "CogVideoXPipeline": "a CogVideoX model, which Shotline does not drive yet",
    "CogVideoXImageToVideoPipeline": "a CogVideoX model, which Shotline does not drive yet",
    "StableVideoDiffusionPipeline": "a Stable Video Diffusion model, which Shotline does not drive yet",
    "HunyuanVideoPipeline": "a HunyuanVideo model, which Shotline does not drive yet",
    "MochiPipeline": "a Mochi model, which Shotline does not drive yet",
}

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "spiece.model", "vocab.json", "tokenizer.model")


class ModelError(ValueError):
    """A folder Shotline can't use as a model; the message says why and what to do."""


@dataclass(frozen=True)
class ModelInfo:
    """What Shotline knows about a model before loading it."""

    path: str  # the folder, or BUILTIN_INTERPOLATE
    pipeline_class: str  # as model_index.json names it
    load_class: str  # the diffusers class Shotline loads it with ("" for built-ins)
    kind: str  # "ltx-condition", "wan-vace", "interpolate"
    title: str  # for people: "LTX-Video (LTX-Video-0.9.5)"
    actions: tuple[Action, ...]
    limits: Limits
    components: dict[str, tuple[str, str]] = field(default_factory=dict)
    variant: str | None = None  # weights saved as e.g. "*.fp16.safetensors" only
    weights_bytes: int = 0  # size of the safetensors weights on disk
    parameters: dict[str, int] = field(default_factory=dict)  # weights per component, from the headers
    repo_id: str | None = None  # when found in the Hugging Face cache

    @property
    def needs_model(self) -> bool:
        return self.kind != "interpolate"

    def supports(self, action: Action) -> str | None:
        """None when the model can make `action`, else the reason in the user's words."""
        if action in self.actions:
            return None
        return f"{self.title} can't {action.title.lower()}."

    def describe(self) -> dict:
        return {
            "path": self.path,
            "pipeline_class": self.pipeline_class,
            "load_class": self.load_class,
            "kind": self.kind,
            "title": self.title,
            "actions": [a.value for a in self.actions],
            "limits": self.limits.describe(),
            "variant": self.variant,
            "weights_bytes": self.weights_bytes,
            "parameters": dict(self.parameters),
            "repo_id": self.repo_id,
        }


def interpolate_info() -> ModelInfo:
    """The built-in optical-flow engine (no weights): infill and loop only."""
    return ModelInfo(
        path=BUILTIN_INTERPOLATE,
        pipeline_class="",
        load_class="",
        kind="interpolate",
        title="Optical-flow interpolation (built in)",
        actions=(Action.INFILL, Action.LOOP),
        limits=Limits(),
    )


# What reading a damaged or hostile folder can raise besides ModelError: turned into one.
_DAMAGE = (OSError, ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError, RuntimeError,
           ArithmeticError)


def inspect_model(path: str | os.PathLike) -> ModelInfo:
    """Recognise the model at `path` from its JSON files; raise ModelError when it can't be used."""
    if str(path) == BUILTIN_INTERPOLATE:
        return interpolate_info()
    folder = Path(path).expanduser()
    try:
        return _inspect(folder)
    except ModelError:
        raise
    except _DAMAGE as exc:
        raise ModelError(f"{folder.name} can't be read ({type(exc).__name__}: {str(exc)[:120]}); "
                         "download the model again.") from exc


def _inspect(folder: Path) -> ModelInfo:
    if not folder.is_dir():
        raise ModelError(f"{folder} is not a folder. Choose the folder that holds model_index.json.")
    index_path = folder / "model_index.json"
    if not index_path.is_file():
        raise ModelError(
            f"{folder.name} is not a diffusers model folder (it has no model_index.json). "
            "Choose the folder of a diffusers model, e.g. a download of Lightricks/LTX-Video-0.9.5."
        )
    index = _read_json(index_path)
    class_name = index.get("_class_name")
    if isinstance(class_name, list) or (folder / "pipeline.py").exists() or "custom_pipeline" in index:
        raise ModelError(
            f"{folder.name} needs its own pipeline code to run; Shotline never runs code that comes with "
            "a model. Use a standard diffusers model folder."
        )
    if not isinstance(class_name, str):
        raise ModelError(f"{folder.name}/model_index.json names no pipeline class; the download may be broken.")
    family = next((f for f in FAMILIES if class_name in f.accepts), None)
    if family is None:
        known = ", ".join(f.title for f in FAMILIES)
        what = NOT_YET.get(class_name, f"a {class_name} model, which Shotline does not drive")
        raise ModelError(f"{folder.name} is {what}. Shotline works with: {known}.")

    components = _components(folder, index)
    for name in family.needs:
        if name not in components:
            raise ModelError(f"{folder.name} has no {name} listed in model_index.json; the download may be broken.")
    if family.kind == "wan-vace" and "transformer" not in components and "transformer_2" not in components:
        raise ModelError(f"{folder.name} has no transformer listed in model_index.json; the download may be broken.")

    weights, variants, parameters = 0, set(), {}
    for name, (library, cls) in components.items():
        sub = folder / name
        if not sub.is_dir():
            raise ModelError(
                f"{folder.name} is missing its {name} folder. Download the whole model again "
                "(all of its sub-folders)."
            )
        if library not in ("diffusers", "transformers", *family.pipeline_packages):
            raise ModelError(
                f"The {name} of {folder.name} comes from {library!r}, not diffusers or transformers; "
                "Shotline never runs code that comes with a model."
            )
        _refuse_remote_code(folder.name, name, sub)
        if cls.endswith("Scheduler") or "Scheduler" in cls:
            if not (sub / "scheduler_config.json").is_file():
                raise ModelError(f"{folder.name}/{name} has no scheduler_config.json; download the model again.")
        elif "Tokenizer" in cls or "Processor" in cls:
            if not any((sub / f).is_file() for f in TOKENIZER_FILES):
                raise ModelError(f"{folder.name}/{name} holds no tokenizer files; download the model again.")
        else:
            size, variant, count = _safetensors(folder.name, name, sub)
            weights += size
            parameters[name] = count
            if variant:
                variants.add(variant)

    if family.transformer_class:
        for name in ("transformer", "transformer_2"):
            if name in components and components[name][1] != family.transformer_class:
                raise ModelError(
                    f"{folder.name} has a {components[name][1]}, not the {family.transformer_class} "
                    f"a {family.title} model needs."
                )

    return ModelInfo(
        path=str(folder),
        pipeline_class=class_name,
        load_class=family.load_class,
        kind=family.kind,
        title=f"{family.title} ({_display_name(folder)})",
        actions=family.actions,
        limits=limits_from_configs(family.kind, folder, components),
        components=components,
        variant=variants.pop() if len(variants) == 1 else None,
        weights_bytes=weights,
        parameters=parameters,
        repo_id=_repo_id(folder),
    )


def limits_from_configs(kind: str, folder: Path, components: dict[str, tuple[str, str]]) -> Limits:
    """The limits an engine will read from the loaded pipeline, computed from the JSON configs."""
    vae = _read_json(folder / "vae" / "config.json")
    name = "transformer" if "transformer" in components else "transformer_2"
    transformer = _read_json(folder / name / "config.json")
    try:
        limits = registry.limits_from_configs(kind, vae=vae, transformer=transformer)
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError) as exc:
        raise ModelError(f"{folder.name} has config values of the wrong type in vae/ or {name}/ ({exc}); "
                         "download the model again.") from exc
    for what in ("frame_step", "size_multiple"):
        value = getattr(limits, what)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 4096:
            raise ModelError(f"{folder.name} has config values Shotline can't use in vae/ or {name}/ "
                             f"(a {what.replace('_', ' ')} of {value!r}); download the model again.")
    return limits


def hf_cache_dir() -> Path:
    """Where the Hugging Face hub keeps downloads, as the hub library decides it (offline)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HUGGINGFACE_HUB_CACHE"):
        return Path(os.environ["HUGGINGFACE_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache")), "huggingface"
    )
    return Path(home).expanduser() / "hub"


@dataclass(frozen=True)
class Found:
    """One model folder met while scanning: usable (`info`) or refused (`error`)."""

    path: str
    info: ModelInfo | None = None
    error: str | None = None


def scan_hf_cache(cache: Path | None = None) -> list[Found]:
    """Every diffusers model in the Hugging Face cache, usable or not, without touching the network.

    The cache holds `models--org--name/snapshots/<revision>/`; the revision `refs/main` points at
    is taken, else the newest snapshot with a model_index.json.
    """
    cache = cache or hf_cache_dir()
    found = []
    if not cache.is_dir():
        return found
    try:
        repos = sorted(cache.glob("models--*"))
    except OSError as exc:
        return [Found(str(cache), error=f"{cache} can't be read ({exc.strerror or exc}).")]
    for repo in repos:
        try:
            snapshot = _current_snapshot(repo)
        except _DAMAGE as exc:  # an unreadable refs/main, a snapshot link that loops
            found.append(Found(str(repo), error=f"{repo.name} can't be read ({type(exc).__name__}: {exc})."))
            continue
        if snapshot is None:
            continue
        found.append(_found(snapshot))
    return found


def _found(folder: Path) -> Found:
    try:
        return Found(str(folder), info=inspect_model(folder))
    except ModelError as exc:
        return Found(str(folder), error=str(exc))


def scan_folders(folders: list[str | os.PathLike]) -> list[Found]:
    """Model folders given by the user and their direct sub-folders holding model_index.json."""
    found = []
    for base in folders:
        base = Path(base).expanduser()
        try:
            candidates = [base] if (base / "model_index.json").is_file() else sorted(
                p for p in base.glob("*") if (p / "model_index.json").is_file()
            )
        except OSError as exc:  # a folder that loops or can't be listed: its own line
            found.append(Found(str(base), error=f"{base} can't be read ({exc.strerror or exc})."))
            continue
        found += [_found(folder) for folder in candidates]
    return found


def discover_models(folders: list[str | os.PathLike] = ()) -> list[ModelInfo]:
    """The usable models: the built-in engine, the user's folders and the Hugging Face cache."""
    infos = [interpolate_info()]
    seen = set()
    for f in scan_folders(list(folders)) + scan_hf_cache():
        if f.info is not None and f.path not in seen:
            seen.add(f.path)
            infos.append(f.info)
    return infos


# --- helpers -------------------------------------------------------------------------------


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{path.parent.parent.name}/{path.parent.name} has no {path.name}; download the model again.") from exc
    except (OSError, ValueError, RecursionError) as exc:  # RecursionError: absurdly nested JSON
        raise ModelError(f"{path} can't be read ({str(exc)[:120]}); download the model again.") from exc
    if not isinstance(data, dict):
        raise ModelError(f"{path} is not a JSON object; download the model again.")
    return data


def _components(folder: Path, index: dict) -> dict[str, tuple[str, str]]:
    components = {}
    for key, value in index.items():
        if key.startswith("_") or not isinstance(value, list) or len(value) != 2:
            continue
        library, cls = value
        if library is None or cls is None:
            continue  # an optional component left out (e.g. Wan's transformer_2)
        if not isinstance(library, str) or not isinstance(cls, str):
            raise ModelError(f"{folder.name}/model_index.json lists {key} oddly; download the model again.")
        components[key] = (library, cls)
    return components


def _refuse_remote_code(model: str, name: str, sub: Path) -> None:
    for config_name in ("config.json", "tokenizer_config.json", "scheduler_config.json"):
        path = sub / config_name
        if path.is_file() and "auto_map" in _read_json(path):
            raise ModelError(
                f"The {name} of {model} asks to run code that comes with the model (auto_map); "
                "Shotline never does. Use a standard diffusers model folder."
            )
    if any(sub.glob("*.py")):
        raise ModelError(
            f"The {name} of {model} comes with Python code; Shotline never runs code that comes with a model."
        )


def _safetensors(model: str, name: str, sub: Path) -> tuple[int, str | None, int]:
    """Size, variant and parameter count of a component's safetensors; refuse pickle-only weights."""
    files = [p for p in sub.iterdir() if p.is_file()]
    for index in files:
        if ".safetensors.index" in index.name and index.name.endswith(".json"):
            _check_shard_index(model, name, sub, index)
    safe = [p for p in files if p.name.endswith(".safetensors")]
    if not safe:
        if any(p.name.endswith(PICKLE_SUFFIXES) for p in files):
            raise ModelError(
                f"The {name} of {model} is stored only as pickle files (.bin/.pt), which can run code when "
                "loaded. Download the safetensors version of the model."
            )
        raise ModelError(f"{model} has no weights in its {name} folder; download the model again.")
    # "diffusion_pytorch_model.fp16.safetensors" or sharded "model.fp16-00001-of-00002.safetensors"
    plain = [p for p in safe if _variant_of(p.name) is None]
    variant = None if plain else _variant_of(safe[0].name)
    chosen = plain or [p for p in safe if _variant_of(p.name) == variant]
    count = sum(_parameter_count(model, name, p) for p in chosen)
    return sum(p.stat().st_size for p in chosen), variant, count


def _check_shard_index(model: str, name: str, sub: Path, index: Path) -> None:
    """A sharded index (`diffusion_pytorch_model.safetensors.index.json`) is what the loader follows:
    every shard it names must be a safetensors file beside it. One naming `.bin` shards would make
    diffusers unpickle them; one naming `../x` would read outside the model."""
    weight_map = _read_json(index).get("weight_map")
    if not isinstance(weight_map, dict) or not weight_map:
        raise ModelError(f"The {name} index of {model} ({index.name}) lists no shards; download the model again.")
    for shard in set(weight_map.values()):
        if not isinstance(shard, str) or not shard.endswith(".safetensors"):
            raise ModelError(
                f"The {name} of {model} has a shard index ({index.name}) pointing at {str(shard)[:60]!r}, not a "
                "safetensors file: pickle shards (.bin) can run code when loaded. Download the safetensors "
                "version of the model."
            )
        if "/" in shard or "\\" in shard or shard.startswith(".") or not (sub / shard).is_file():
            raise ModelError(f"The {name} index of {model} names a shard that is not in its folder ({shard[:60]!r}); "
                             "download the model again.")


def _parameter_count(model: str, name: str, path: Path) -> int:
    """Number of weights in a safetensors file, read from its JSON header (8-byte length, then JSON)."""
    try:
        with path.open("rb") as f:
            length = int.from_bytes(f.read(8), "little")
            if not 0 < length < 100 * 1024 * 1024:
                raise ValueError("bad header length")
            header = json.loads(f.read(length))
    except (OSError, ValueError, RecursionError) as exc:
        raise ModelError(f"The {name} weights of {model} are damaged ({path.name}); download the model again.") from exc
    total = 0
    if not isinstance(header, dict):
        raise ModelError(f"The {name} weights of {model} are damaged ({path.name}: the header is not a table); "
                         "download the model again.")
    for key, entry in header.items():
        if key == "__metadata__" or not isinstance(entry, dict):
            continue
        shape = entry.get("shape", [])
        if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                                  for d in shape):
            raise ModelError(f"The {name} weights of {model} are damaged ({path.name}: tensor {str(key)[:40]!r} "
                             "has no valid shape); download the model again.")
        n = 1
        for d in shape:
            n *= d
        total += n
    return total


def _variant_of(filename: str) -> str | None:
    stem = filename[: -len(".safetensors")]
    parts = stem.split(".")
    if len(parts) >= 2:
        return parts[-1].split("-")[0]
    return None


def _current_snapshot(repo: Path) -> Path | None:
    snapshots = repo / "snapshots"
    ref = repo / "refs" / "main"
    if ref.is_file():
        candidate = snapshots / ref.read_text(encoding="utf-8").strip()
        if (candidate / "model_index.json").is_file():
            return candidate
    usable = [p for p in snapshots.glob("*") if (p / "model_index.json").is_file()]
    return max(usable, key=lambda p: p.stat().st_mtime) if usable else None


def _repo_id(folder: Path) -> str | None:
    """"org/name" when `folder` is a snapshot in the Hugging Face cache."""
    if folder.parent.name == "snapshots" and folder.parent.parent.name.startswith("models--"):
        return folder.parent.parent.name[len("models--"):].replace("--", "/")
    return None


def _display_name(folder: Path) -> str:
    repo = _repo_id(folder)
    return repo.split("/")[-1] if repo else folder.name
