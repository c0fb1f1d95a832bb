"""Prompt enhancement (F20): a short prompt rewritten into a detailed one by a local language model.

Two enhancers, tried in this order:
1. the video model's own, when its folder has one: a pipeline class with `enhance_prompt`
   (LTX-2's `LTX2ConditionPipeline`) and a `processor` plus a `prompt_enhancer` or a
   conditional-generation `text_encoder` that doubles as one. When the job queue has that model
   loaded, its parts are borrowed (`model.enhance_share`); else only those components are loaded
   (not the transformer or the VAEs). The pipeline's own `enhance_prompt` runs on them, so the
   templates, decoding settings and clean-up are exactly the model maker's. Given the shot's
   first image (a keyframe, or the still it animates), it enhances image-to-video: the model
   looks at the picture and the record names it;
2. else a local text model (any `*ForCausalLM` in a folder or the Hugging Face cache) chosen in
   Settings or with `--enhancer`, prompted with a short system prompt for video.
Everything is read with `local_files_only=True`, safetensors only and no remote code, so it works
offline and never runs code that came with a model. When neither exists, `EnhanceError` says
what to do. The result keeps both prompts and names the enhancer, for the take's recipe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from model.json_object import read_json_object

SYSTEM_PROMPT = (
    "You expand short prompts for a text-to-video model. Rewrite the user's prompt as one paragraph "
    "of at most 120 words: the subject and what it does, the setting, the camera (framing and movement), "
    "the light and the style. Keep everything the user asked for; add nothing that contradicts it. "
    "Answer with the paragraph only."
)
MAX_NEW_TOKENS = 256
TEXT_MODEL_SUFFIXES = ("ForCausalLM",)
ENHANCING_PIPELINES = ("LTX2",)  # pipeline class names that have `enhance_prompt`
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json")


class EnhanceError(ValueError):
    """No enhancer can run here, or the one chosen failed; the message says what to do."""


@dataclass(frozen=True)
class TextModel:
    """A local causal language model usable as an enhancer."""

    path: str
    title: str  # "Qwen2.5-0.5B-Instruct", or the folder's name


@dataclass(frozen=True)
class Enhanced:
    original: str
    prompt: str
    enhancer: dict  # {"kind": "pipeline"|"text model", "path": ..., "title": ..., "seed": ...}

    def record(self) -> dict:
        """What the take's recipe keeps: both prompts and which enhancer made the second."""
        return {"original": self.original, "enhanced": self.prompt, "enhancer": dict(self.enhancer)}


# --- what is available -------------------------------------------------------------------------


def pipeline_enhancer(model_folder: str | Path | None) -> str | None:
    """None when `model_folder`'s pipeline brings its own enhancer, else why not."""
    if not model_folder:
        return "no video model is chosen"
    folder = Path(model_folder).expanduser()
    index = read_json_object(folder / "model_index.json")
    if index is None:
        return f"{folder.name} is not a diffusers model folder"
    name = index.get("_class_name")
    # JSON only (no diffusers import, so Settings can ask on the GUI thread): diffusers 0.42.1's
    # pipelines with `enhance_prompt` are LTX-2's; running one checks the method is really there
    if not (isinstance(name, str) and name.startswith(ENHANCING_PIPELINES)):
        return f"{folder.name} ({name}) has no prompt enhancer of its own"
    if not _component(index, "processor"):
        return f"{folder.name} has no processor, which its prompt enhancer needs"
    enhancer = _component(index, "prompt_enhancer") or _component(index, "text_encoder")
    if not enhancer or "ForConditionalGeneration" not in enhancer[1]:
        return f"{folder.name} has no text model its enhancer can use"
    return None


def text_model_info(path: str | Path) -> TextModel:
    """Check a folder holds a usable causal language model; EnhanceError says why not."""
    folder = Path(path).expanduser()
    config = read_json_object(folder / "config.json")
    if config is None:
        raise EnhanceError(f"{folder} holds no config.json; choose the folder of a downloaded text model.")
    architectures = config.get("architectures") or []
    if not any(isinstance(a, str) and a.endswith(TEXT_MODEL_SUFFIXES) for a in architectures):
        named = ", ".join(map(str, architectures)) or "no architecture named"
        raise EnhanceError(f"{folder.name} is not a text-generating model ({named}); choose a *ForCausalLM "
                           "model, e.g. Qwen2.5-1.5B-Instruct.")
    if "auto_map" in config or any(folder.glob("*.py")):
        raise EnhanceError(f"{folder.name} asks to run code that comes with it; Shotline never does.")
    if not any(folder.glob("*.safetensors")):
        raise EnhanceError(f"{folder.name} has no safetensors weights; download the safetensors version.")
    if not any((folder / f).is_file() for f in TOKENIZER_FILES):
        raise EnhanceError(f"{folder.name} has no tokenizer files; download the model again.")
    return TextModel(str(folder), _display_name(folder))


def find_text_models(cache: Path | None = None) -> list[TextModel]:
    """The usable causal language models in the Hugging Face cache (read offline)."""
    from model.models import _current_snapshot, hf_cache_dir

    cache = cache or hf_cache_dir()
    found = []
    if not cache.is_dir():
        return found
    for repo in sorted(cache.glob("models--*")):
        try:
            snapshot = _current_text_snapshot(repo) or _current_snapshot(repo)
            if snapshot is None or (snapshot / "model_index.json").exists():
                continue
            found.append(text_model_info(snapshot))
        except (EnhanceError, OSError, ValueError):
            continue
    return found


def describe_enhancer(model_folder: str | None, text_model: str | None) -> tuple[str | None, str]:
    """(which enhancer would run: "pipeline", "text model" or None, a line saying so)."""
    reason = pipeline_enhancer(model_folder)
    if reason is None:
        return "pipeline", f"the prompt enhancer of {Path(str(model_folder)).name}"
    if text_model:
        try:
            return "text model", f"the local text model {text_model_info(text_model).title}"
        except EnhanceError as exc:
            return None, str(exc)
    return None, no_enhancer_message(reason)


def no_enhancer_message(reason: str) -> str:
    return (f"No prompt enhancer: {reason}, and no local text model is chosen. Choose one in "
            "Settings ▸ Device ▸ Prompt enhancer (any downloaded *ForCausalLM model, e.g. "
            "huggingface-cli download Qwen/Qwen2.5-1.5B-Instruct), or pass --enhancer DIR.")


# --- running one ----------------------------------------------------------------------------


def enhance(
    prompt: str,
    *,
    model_folder: str | None = None,
    text_model: str | None = None,
    seed: int = 10,
    device: str | None = None,
    image: Any = None,
    max_new_tokens: int | None = None,
    shared: Any = None,
) -> Enhanced:
    """`prompt` rewritten by the video model's enhancer, else by `text_model`; EnhanceError when neither.

    `image` (a PIL image or an image file, optional): the shot's first frame, which the pipeline's
    enhancer looks at (image-to-video); a text model has no eyes and ignores it.
    `shared` (`model.enhance_share.SharedParts`): the loaded pipeline's parts to borrow.
    """
    if not prompt.strip():
        raise EnhanceError("Write a short prompt first; the enhancer expands it.")
    reason = pipeline_enhancer(model_folder)
    if reason is None:
        return _with_pipeline(prompt, Path(str(model_folder)).expanduser(), seed=seed, device=device, image=image,
                              max_new_tokens=max_new_tokens, shared=shared)
    if text_model:
        return _with_text_model(prompt, text_model_info(text_model), seed=seed, device=device,
                                max_new_tokens=max_new_tokens or MAX_NEW_TOKENS)
    raise EnhanceError(no_enhancer_message(reason))


def _device(device: str | None) -> tuple[str, Any]:
    import torch

    from model.devices import best_device

    device = device or best_device()
    dtype = torch.float32 if device == "cpu" else (torch.bfloat16 if device.startswith("cuda") else torch.float16)
    return device, dtype


def _with_pipeline(prompt: str, folder: Path, *, seed: int, device: str | None, image: Any,
                   max_new_tokens: int | None, shared: Any = None) -> Enhanced:
    index = read_json_object(folder / "model_index.json") or {}
    cls = _pipeline_class(index)
    if cls is None or not hasattr(cls, "enhance_prompt"):
        raise EnhanceError(f"{folder.name} ({index.get('_class_name')}) has no prompt enhancer in this diffusers.")
    picture, image_name = _image(image)
    if shared is not None:  # the job queue's loaded pipeline lends its parts: no second copy
        name, processor = shared.component, shared.processor
        with shared.borrowed() as model:
            texts = _run_enhancer(cls, processor, model, name, prompt, seed=seed, device=shared.device,
                                  image=picture, max_new_tokens=max_new_tokens)
    else:
        device, dtype = _device(device)
        name, processor, model = _load_parts(folder, index, dtype)
        try:
            texts = _run_enhancer(cls, processor, model, name, prompt, seed=seed, device=device, image=picture,
                                  max_new_tokens=max_new_tokens)
        finally:
            del model
    text = _clean(texts[0] if texts else "")
    if not text:
        raise EnhanceError(f"The prompt enhancer of {folder.name} gave no text; try again with another seed.")
    record = {"kind": "pipeline", "path": str(folder), "title": folder.name, "component": name, "seed": seed,
              "shared": shared is not None}
    if picture is not None:
        record["image"] = image_name
    return Enhanced(prompt, text, record)


def _load_parts(folder: Path, index: dict, dtype: Any) -> tuple[str, Any, Any]:
    """(component name, processor, model): only what the enhancer reads, not the whole pipeline."""
    import transformers

    from model.torchao_gate import keep_out

    keep_out()  # transformers would import torchao with its quantizers
    name = "prompt_enhancer" if _component(index, "prompt_enhancer") else "text_encoder"
    _library, model_class = _component(index, name)
    try:
        processor = _load_processor(folder, index)
        model = getattr(transformers, model_class).from_pretrained(
            folder / name, dtype=dtype, use_safetensors=True, local_files_only=True).eval()
    except (OSError, ValueError, AttributeError) as exc:
        raise EnhanceError(f"The prompt enhancer of {folder.name} could not be loaded ({str(exc)[:160]}).") from exc
    return name, processor, model


def _load_processor(folder: Path, index: dict) -> Any:
    """The folder's processor; when its tokenizer is kept apart (`tokenizer/`, as diffusers saves the
    pipeline's own), the processor is put together from its image processor and that tokenizer."""
    import inspect

    import transformers

    path = folder / "processor"
    if any((path / f).is_file() for f in TOKENIZER_FILES) or not (folder / "tokenizer").is_dir():
        return transformers.AutoProcessor.from_pretrained(path, local_files_only=True)
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder / "tokenizer", local_files_only=True)
    image_processor = transformers.AutoImageProcessor.from_pretrained(path, local_files_only=True)
    config = read_json_object(path / "processor_config.json") or {}
    name = config.get("processor_class") or (_component(index, "processor") or ("", ""))[1]
    cls = getattr(transformers, str(name), None)
    if cls is None:
        raise ValueError(f"unknown processor class {name!r}")
    accepted = inspect.signature(cls.__init__).parameters
    extras = {k: v for k, v in config.items() if k in accepted and k not in ("image_processor", "tokenizer")}
    template = path / "chat_template.jinja"
    if "chat_template" in accepted and "chat_template" not in extras:
        extras["chat_template"] = (template.read_text(encoding="utf-8") if template.is_file()
                                   else getattr(tokenizer, "chat_template", None))
    return cls(image_processor=image_processor, tokenizer=tokenizer, **extras)


def _run_enhancer(cls: Any, processor: Any, model: Any, name: str, prompt: str, *, seed: int, device: str,
                  image: Any, max_new_tokens: int | None) -> list[str]:
    import torch

    dedicated = name == "prompt_enhancer"
    system = _system_prompt(cls, dedicated=dedicated, image=image is not None)
    # the pipeline's own enhance_prompt, on just the parts it reads (see the module doc)
    parts = SimpleNamespace(processor=processor, text_encoder=None if dedicated else model,
                            prompt_enhancer=model if dedicated else None)
    with torch.inference_mode():
        return cls.enhance_prompt(parts, prompt, system_prompt=system, max_new_tokens=max_new_tokens, seed=seed,
                                  device=device, image=image)


def _image(image: Any) -> tuple[Any, str | None]:
    """(a PIL RGB image or None, the file's name for the record); EnhanceError for an unreadable file."""
    if image is None:
        return None, None
    if isinstance(image, str | Path):
        from PIL import Image, UnidentifiedImageError

        path = Path(image)
        try:
            with Image.open(path) as opened:
                return opened.convert("RGB"), path.name
        except (OSError, UnidentifiedImageError) as exc:
            raise EnhanceError(f"The shot's first image {path.name} could not be read ({exc}); "
                               "replace the keyframe, or enhance without it.") from exc
    return image.convert("RGB") if hasattr(image, "convert") else image, "image"


def _system_prompt(cls: Any, *, dedicated: bool, image: bool) -> str:
    import importlib

    module = importlib.import_module(cls.__module__.rsplit(".", 1)[0] + ".utils")
    names = (("LTX2_5_I2V_DEFAULT_SYSTEM_PROMPT" if image else "LTX2_5_T2V_DEFAULT_SYSTEM_PROMPT") if dedicated
             else ("I2V_DEFAULT_SYSTEM_PROMPT" if image else "T2V_DEFAULT_SYSTEM_PROMPT"))
    return getattr(module, names, SYSTEM_PROMPT)


def _with_text_model(prompt: str, info: TextModel, *, seed: int, device: str | None, max_new_tokens: int) -> Enhanced:
    import torch
    import transformers

    from model.torchao_gate import keep_out

    keep_out()  # transformers would import torchao with its quantizers
    device, dtype = _device(device)
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(info.path, local_files_only=True)
        model = transformers.AutoModelForCausalLM.from_pretrained(
            info.path, dtype=dtype, use_safetensors=True, local_files_only=True).to(device).eval()
    except (OSError, ValueError) as exc:
        raise EnhanceError(f"The text model {info.title} could not be loaded ({str(exc)[:160]}).") from exc
    messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}]
    if getattr(tokenizer, "chat_template", None):
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    else:  # a base model: a plain instruction it can continue
        text = f"{SYSTEM_PROMPT}\n\nShort prompt: {prompt}\nDetailed prompt:"
    inputs = tokenizer(text, return_tensors="pt").to(device)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    torch.manual_seed(seed)  # generate() takes no generator: seeded, the same prompt gives the same text
    try:
        with torch.inference_mode():
            out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=True, temperature=0.7,
                                 top_p=0.9, pad_token_id=pad)
    finally:
        del model
    new = tokenizer.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
    text = _clean(new)
    if not text:
        raise EnhanceError(f"The text model {info.title} gave no text; try again, or choose another model.")
    return Enhanced(prompt, text, {"kind": "text model", "path": info.path, "title": info.title, "seed": seed})


# --- helpers -------------------------------------------------------------------------------


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip("\"'“”‘’ ")


def _component(index: dict, name: str) -> tuple[str, str] | None:
    value = index.get(name)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return value[0], value[1]
    return None


def _pipeline_class(index: dict) -> Any:
    name = index.get("_class_name")
    if not isinstance(name, str):
        return None
    import diffusers

    return getattr(diffusers, name, None)


def _current_text_snapshot(repo: Path) -> Path | None:
    snapshots = repo / "snapshots"
    ref = repo / "refs" / "main"
    if ref.is_file():
        candidate = snapshots / ref.read_text(encoding="utf-8").strip()
        if (candidate / "config.json").is_file():
            return candidate
    usable = [p for p in snapshots.glob("*") if (p / "config.json").is_file()]
    return max(usable, key=lambda p: p.stat().st_mtime) if usable else None


def _display_name(folder: Path) -> str:
    if folder.parent.name == "snapshots" and folder.parent.parent.name.startswith("models--"):
        return folder.parent.parent.name[len("models--"):].split("--")[-1]
    return folder.name
