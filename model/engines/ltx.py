"""LTX-Video engine: every user action through `LTXConditionPipeline` and its keyframe conditions.

Known frames become `LTXVideoCondition`s, always passed as `conditions=[...]` (the legacy
`image=[a, b], frame_index=[...]` arguments silently keep only the first one):
- a single frame (keyframe, still, one-frame tail) is an image condition at its exact frame;
- a run of frames (a clip's tail or head) is a video condition of `8k+1` frames that starts at
  frame 0 or at a multiple of 8 (the VAE's temporal compression; elsewhere its frames would land
  between latent frames); the run's edge frames that the video condition can't cover are added
  as image conditions, so the frame next to the new ones is always pinned exactly;
- strength < 1 (restyle, soft keyframes) goes to the condition's strength: the model may change
  those frames as much as 1 - strength. (The pipeline's `denoise_strength` is not used for
  restyle: without latents of the clip it starts from pure noise, and a video condition at
  strength < 1 is the same partial noising, done by the pipeline itself.)
The project's fps is the pipeline's `frame_rate` (it scales the time axis of the positions).

Limits come from the loaded pipeline: frames `vae_temporal_compression_ratio * k + 1`, sides a
multiple of the VAE's spatial ratio times the transformer's patch and of 32, which the pipeline
checks itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from model.engines.base import Limits
from model.engines.pipeline import PipelineEngine, pil_frames
from model.engines.window import Window
from model.request import Request

# LTX-Video is trained on clips up to 257 frames; longer shots are made in windows.
MAX_FRAMES = 257
NATIVE_FPS = 24.0
PIPELINE_SIDE_MULTIPLE = 32  # LTXConditionPipeline.check_inputs refuses other sides


def _limits(spatial: int, temporal: int, patch: int, patch_t: int) -> Limits:
    return Limits(
        frame_step=temporal * patch_t,
        size_multiple=math.lcm(spatial * patch, PIPELINE_SIDE_MULTIPLE),
        max_frames=MAX_FRAMES,
        native_fps=NATIVE_FPS,
    )


def limits_from_configs(vae: dict, transformer: dict, default_scaling: tuple[bool, ...]) -> Limits:
    """Limits from an LTX-Video or LTX-2 VAE and transformer config (the rule `limits_of` applies to
    a loaded pipeline); the two families differ only in the VAE's default `spatio_temporal_scaling`."""
    scaling = vae.get("spatio_temporal_scaling", default_scaling)
    if isinstance(scaling, bool):  # one switch for all four levels
        levels = 4 * scaling
    elif isinstance(scaling, (list, tuple)):
        levels = sum(bool(s) for s in scaling)
    else:  # a number or text here is a damaged config: the folder reader reports it
        raise TypeError(f"spatio_temporal_scaling should be a list of true/false, not {scaling!r}")
    spatial = vae.get("spatial_compression_ratio") or vae.get("patch_size", 4) * 2**levels
    temporal = vae.get("temporal_compression_ratio") or vae.get("patch_size_t", 1) * 2**levels
    return _limits(spatial, temporal, transformer.get("patch_size", 1), transformer.get("patch_size_t", 1))


def condition_pieces(start: int, count: int, step: int) -> list[tuple[int, int]]:
    """How a run of `count` known frames at window frame `start` becomes conditions.

    Returns (frame, length) pieces: one video piece of `step*k+1` frames at 0 or a multiple of
    `step` (at least two latent frames away from 0, as the pipeline requires), plus single-frame
    pieces for the run's edges the video piece misses. A run too short for a video piece is
    pinned by its two edge frames.
    """
    if count == 1:
        return [(start, 1)]
    end = start + count
    s = 0 if start == 0 else -(-start // step) * step
    k = (end - s - 1) // step
    min_k = 0 if s == 0 else 1
    if k < min_k or s >= end:
        return [(start, 1), (end - 1, 1)]
    length = step * k + 1
    pieces = [(s, length)] if length > 1 else [(0, 1)]
    if start < s:
        pieces.insert(0, (start, 1))
    if s + length < end:
        pieces.append((end - 1, 1))
    return pieces


class LtxPipelineShape:
    """What the LTX-Video and LTX-2 engines share, written once: their pipelines name the VAE and
    patch sizes alike and follow the same window rules (`_limits`), and neither model takes a
    reference image, so the cast goes into the prompt. Mixed in before `PipelineEngine`."""

    pipe: Any

    def limits_of(self, pipe: Any) -> Limits:
        return _limits(
            pipe.vae_spatial_compression_ratio,
            pipe.vae_temporal_compression_ratio,
            pipe.transformer_spatial_patch_size,
            pipe.transformer_temporal_patch_size,
        )

    def spatial_ratio(self) -> int:
        return self.pipe.vae_spatial_compression_ratio

    def base_call(self, request: Request, window: Window, conditions: list) -> dict[str, Any]:
        """The arguments every LTX-Video and LTX-2 call has (the project's fps is the pipeline's
        `frame_rate`: it scales the time axis of the positions)."""
        return {
            "conditions": conditions or None,  # an empty list breaks the pipeline; None means none
            "prompt": self.prompt(request),
            "negative_prompt": request.negative_prompt or None,
            "height": window.height,
            "width": window.width,
            "num_frames": window.frames,
            "frame_rate": float(request.fps),
            "num_inference_steps": request.steps,
            "guidance_scale": request.guidance,
        }

    def prompt(self, request: Request) -> str:
        """The prompt, with the cast's descriptions (LTX-Video and LTX-2 have no reference-image input)."""
        cast = " ".join(f"{c.name}: {c.description}." for c in request.cast if c.description)
        return f"{request.prompt} {cast}".strip() if cast else request.prompt


class LtxEngine(LtxPipelineShape, PipelineEngine):
    kind = "ltx-condition"
    title = "LTX-Video"
    pipeline_options = (
        "decode_timestep", "decode_noise_scale", "image_cond_noise_scale", "guidance_rescale",
        "max_sequence_length",
    )

    @staticmethod
    def limits_from_configs(vae: dict, transformer: dict) -> Limits:
        """LTX limits from the VAE and transformer configs (the rule `limits_of` applies to the pipeline)."""
        return limits_from_configs(vae, transformer, (True, True, True, False))

    def build_call(self, request: Request, window: Window) -> dict:
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        step = self.pipe.vae_temporal_compression_ratio
        conditions = []
        for pin in request.context:
            frames = [window.to_window(f) for f in pin.frames]
            start = window.position(pin.frame)
            for at, length in condition_pieces(start, len(frames), step):
                piece = frames[at - start : at - start + length]
                if length == 1:
                    conditions.append(LTXVideoCondition(image=pil_frames(piece)[0], frame_index=at, strength=pin.strength))
                else:
                    conditions.append(LTXVideoCondition(video=pil_frames(piece), frame_index=at, strength=pin.strength))
        call = self.base_call(request, window, conditions)
        if self.pipe.vae.config.timestep_conditioning:
            # LTX-Video 0.9.1+ (timestep-conditioned VAE): the model card's settings
            call.update(decode_timestep=0.05, decode_noise_scale=0.025, image_cond_noise_scale=0.025)
        return call

    def sampled_latents(self, latents: Any, call: dict) -> Any:
        return latents  # output_type="latent" gives unpacked (B, C, F, h, w) normalised latents

    def preview_latents(self, latents: Any, call: dict, window: Window) -> Any:
        pipe = self.pipe
        frames = (window.frames - 1) // pipe.vae_temporal_compression_ratio + 1
        h = window.height // pipe.vae_spatial_compression_ratio
        w = window.width // pipe.vae_spatial_compression_ratio
        p, pt = pipe.transformer_spatial_patch_size, pipe.transformer_temporal_patch_size
        tokens = (frames // pt) * (h // p) * (w // p)
        # keyframe tokens are prepended to the video tokens; the video's are the last ones
        video = latents[:, -tokens:]
        return pipe._unpack_latents(video, frames, h, w, p, pt)[0]

    def decode(self, vae: Any, latents: Any, generator: Any, call: dict) -> Any:
        """As the pipeline decodes: denormalise, noise for the timestep-conditioned VAE, decode."""
        import torch
        from diffusers.utils.torch_utils import randn_tensor

        pipe = self.pipe
        latents = pipe._denormalize_latents(
            latents, vae.latents_mean, vae.latents_std, vae.config.scaling_factor
        ).to(vae.dtype)
        timestep = None
        if vae.config.timestep_conditioning:
            noise = randn_tensor(latents.shape, generator=generator, device=latents.device, dtype=latents.dtype)
            decode_timestep = call.get("decode_timestep", 0.0)
            noise_scale = call.get("decode_noise_scale")
            noise_scale = decode_timestep if noise_scale is None else noise_scale
            timestep = torch.tensor([decode_timestep], device=latents.device, dtype=latents.dtype)
            scale = torch.tensor([noise_scale], device=latents.device, dtype=latents.dtype)[:, None, None, None, None]
            latents = (1 - scale) * latents + scale * noise
        return vae.decode(latents, timestep, return_dict=False)[0]

    def encode_for_preview(self, rgb: np.ndarray) -> np.ndarray:
        import torch

        pipe, vae = self.pipe, self.pipe.vae
        device = pipe._execution_device
        x = torch.from_numpy(rgb).permute(2, 0, 1).float().div(127.5).sub(1.0)[None, :, None]
        x = x.to(device=device, dtype=vae.dtype)
        with torch.inference_mode():
            latents = vae.encode(x).latent_dist.mode()
        latents = pipe._normalize_latents(latents, vae.latents_mean, vae.latents_std)
        return latents[0, :, 0].float().cpu().numpy()
