"""The first half of Upscale (F26): a latent upsampler doubles the draft before the final's short second pass.

An upscale request (`options["upscale"]`, planned by `editor.document.drafts.UpscaleDraft`) is a
restyle of the draft at the project's size: one pin holding every frame, fitted up from the
draft (bicubic), kept at `keep`. When a latent upsampler made for the loaded model's VAE is
found, `upsample_request` replaces the pin's frames with the upsampler's output before the
engine runs: the frames are brought to half the final size, encoded with the model's own VAE,
doubled in latent space by the upsampler (`LTXLatentUpsamplePipeline` for LTX-Video 0.9.x,
`LTX2LatentUpsamplePipeline` for LTX-2) and decoded, then fitted to the final size. The engine's
restyle is the second pass either way, so every engine (Wan VACE too) can finish a draft, and
the user's frames rule stays the engine's.

Upsamplers are looked for in the model folder's own `latent_upsampler/` (LTX-2 repositories
ship one there), then in the folder configured in Settings or given with `--upsampler` (its
root or its `latent_upsampler/`). One made for another VAE is skipped with the reason. The note
returned goes into the take's record.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from model.json_object import read_json_object
from model.request import Pin, Request

# the model's VAE class -> (the upsampler model class, the pipeline that runs it)
UPSAMPLERS = {
    "AutoencoderKLLTXVideo": ("LTXLatentUpsamplerModel", "LTXLatentUpsamplePipeline"),
    "AutoencoderKLLTX2Video": ("LTX2LatentUpsamplerModel", "LTX2LatentUpsamplePipeline"),
}


def find_upsampler(model_folder: str | None, configured: str | None, vae_class: str) -> tuple[Path | None, str]:
    """(the upsampler's weights folder, a note) for a model whose VAE is `vae_class`."""
    wanted = UPSAMPLERS.get(vae_class)
    if wanted is None:
        return None, f"no latent upsampler exists for this model's VAE ({vae_class})"
    candidates = []
    if model_folder:
        candidates.append(Path(model_folder) / "latent_upsampler")
    if configured:
        root = Path(configured).expanduser()
        candidates += [root / "latent_upsampler", root]
    skipped = []
    for folder in candidates:
        config = read_json_object(folder / "config.json")
        if config is None:
            continue
        cls = config.get("_class_name")
        if cls != wanted[0]:
            skipped.append(f"{folder} holds a {cls}, not the {wanted[0]} this model needs")
            continue
        if "auto_map" in config or any(folder.glob("*.py")) or not any(folder.glob("*.safetensors")):
            skipped.append(f"{folder} has no safetensors weights or asks to run code")
            continue
        return folder, f"latent upsampler {folder}"
    if skipped:
        return None, "; ".join(skipped)
    return None, "no latent upsampler is set up (Settings ▸ Device ▸ Latent upsampler)"


def upsample_request(engine: Any, request: Request, configured: str | None) -> tuple[Request, dict]:
    """The upscale request with its draft doubled by a latent upsampler when one is found; and a note."""
    note: dict[str, Any] = {"second_pass": "restyle at full size", "keep": None, "upsampler": None}
    pins = [p for p in request.context if p.frame == 0 and len(p.frames) == request.num_frames]
    if not pins:
        note["why"] = "the request holds no whole-clip draft to upsample"
        return request, note
    pin = pins[0]
    note["keep"] = pin.strength
    pipe = getattr(engine, "pipe", None)
    vae = getattr(pipe, "vae", None)
    info = getattr(engine, "info", None)
    folder, why = find_upsampler(getattr(info, "path", None), configured, type(vae).__name__)
    if folder is None:
        note["why"] = why + "; the draft was resized instead"
        return request, note
    limits = engine.limits
    ratio = engine.spatial_ratio()
    half_w = max(ratio, round(request.width / 2 / ratio) * ratio)
    half_h = max(ratio, round(request.height / 2 / ratio) * ratio)
    frames = limits.window_frames(request.num_frames)
    if frames > limits.max_frames:
        note["why"] = f"{request.num_frames} frames are more than the upsampler takes at once; the draft was resized"
        return request, note
    doubled = _upsample(pipe, folder, vae, pin.frames, frames, half_w, half_h, request.seed)
    new_frames = tuple(_resize(f, request.width, request.height) for f in doubled[: request.num_frames])
    note.update(upsampler=str(folder), size_in=[half_w, half_h], size_out=[int(doubled[0].shape[1]),
                                                                          int(doubled[0].shape[0])])
    new_pin = Pin(frame=0, frames=new_frames, strength=pin.strength, label=pin.label)
    others = tuple(p for p in request.context if p is not pin)
    return replace(request, context=(new_pin, *others)), note


def _upsample(pipe: Any, folder: Path, vae: Any, frames: tuple[np.ndarray, ...], count: int, width: int,
              height: int, seed: int) -> list[np.ndarray]:
    import cv2
    import diffusers
    import torch
    from PIL import Image

    model_class, pipeline_class = UPSAMPLERS[type(vae).__name__]
    device = pipe._execution_device
    family = diffusers.pipelines.ltx2 if model_class.startswith("LTX2") else diffusers.pipelines.ltx
    upsampler = getattr(family, model_class).from_pretrained(
        folder, dtype=vae.dtype, use_safetensors=True, local_files_only=True).to(device).eval()
    try:
        runner = getattr(diffusers, pipeline_class)(vae=vae, latent_upsampler=upsampler)
        runner.set_progress_bar_config(disable=True)
        small = [cv2.resize(f, (width, height), interpolation=cv2.INTER_AREA) for f in frames]
        small += [small[-1]] * (count - len(small))  # the VAE's 8k+1 grid: the last frame held
        kwargs: dict[str, Any] = {}
        if pipeline_class.startswith("LTX2"):
            kwargs["num_frames"] = count
        with torch.inference_mode():
            out = runner(video=[Image.fromarray(f) for f in small], height=height, width=width, output_type="np",
                         generator=torch.Generator(device="cpu").manual_seed(seed), return_dict=False, **kwargs)[0]
    finally:
        del upsampler
    video = np.asarray(out[0] if isinstance(out, list | tuple) or np.ndim(out) == 5 else out)
    return [np.ascontiguousarray((np.clip(f, 0.0, 1.0) * 255.0).round().astype(np.uint8)) for f in video]


def _resize(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """The upsampler's picture at the final size (its sides are the half size doubled, on the VAE's grid)."""
    import cv2

    if frame.shape[1] == width and frame.shape[0] == height:
        return frame
    interp = cv2.INTER_AREA if frame.shape[1] > width else cv2.INTER_CUBIC
    return np.ascontiguousarray(cv2.resize(frame, (width, height), interpolation=interp))


