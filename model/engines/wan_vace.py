"""Wan VACE engine: every user action as a control video plus a mask through `WanVACEPipeline`.

The pipeline is given exactly `num_frames` frames at the window size (anything else is silently
zero-padded or misaligned):
- a frame pinned at full strength is put in the control video and masked black (keep);
- every other frame is gray (128) and masked white (make);
- a frame pinned below full strength (restyle, soft keyframes) stays in the control video but is
  masked white: the model remakes it guided by it; for a restyle, `conditioning_scale` is the
  pins' strength, so a weaker restyle keeps more of the clip;
- the cast's images go to `reference_images` (VACE prepends them as extra latent frames).

Limits come from the loaded pipeline: frames `vae_scale_factor_temporal * k + 1`, sides a
multiple of `vae_scale_factor_spatial` times the transformer's spatial patch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model.engines.base import Limits
from model.engines.pipeline import PipelineEngine, pil_frames
from model.engines.window import Window
from model.request import Action, Request

# Wan 2.1 is trained on 81-frame clips at 16 fps; longer shots are made in windows.
MAX_FRAMES = 81
NATIVE_FPS = 16.0
GRAY = 128


def _limits(spatial: int, temporal: int, patch: Any) -> Limits:
    return Limits(
        frame_step=temporal * int(patch[0]),
        size_multiple=spatial * int(patch[1]),
        max_frames=MAX_FRAMES,
        native_fps=NATIVE_FPS,
    )


def control_video(request: Request, window: Window) -> tuple[list[np.ndarray], list[np.ndarray], list[float]]:
    """The window's control frames and masks (uint8 RGB), and the strengths of the soft pins."""
    gray = np.full((window.height, window.width, 3), GRAY, np.uint8)
    white = np.full((window.height, window.width, 3), 255, np.uint8)
    black = np.zeros((window.height, window.width, 3), np.uint8)
    video = [gray] * window.frames
    mask = [white] * window.frames
    soft = []
    for pin in request.context:
        keep = pin.strength >= 1.0
        if not keep:
            soft.append(pin.strength)
        for i, frame in enumerate(pin.frames):
            at = window.position(pin.frame + i)
            video[at] = window.to_window(frame)
            mask[at] = black if keep else white
    return video, mask, soft


class WanVaceEngine(PipelineEngine):
    kind = "wan-vace"
    title = "Wan VACE"
    pipeline_options = ("conditioning_scale", "max_sequence_length", "guidance_scale_2")

    def component_dtypes(self, placement: Any) -> Any:
        import torch

        # Wan's VAE drifts in half precision; diffusers' examples keep it in float32
        return {"default": placement.torch_dtype(), "vae": torch.float32}

    @staticmethod
    def limits_from_configs(vae: dict, transformer: dict) -> Limits:
        """Wan limits from the VAE and transformer configs (the rule `limits_of` applies to the pipeline)."""
        downsample = vae.get("temperal_downsample", [False, True, True])
        temporal = 2 ** sum(bool(d) for d in downsample)
        spatial = 2 ** len(downsample)
        patch = transformer.get("patch_size", [1, 2, 2])
        return _limits(spatial, temporal, patch)

    def limits_of(self, pipe: Any) -> Limits:
        transformer = pipe.transformer if pipe.transformer is not None else pipe.transformer_2
        return _limits(pipe.vae_scale_factor_spatial, pipe.vae_scale_factor_temporal, transformer.config.patch_size)

    def spatial_ratio(self) -> int:
        return self.pipe.vae_scale_factor_spatial

    def build_call(self, request: Request, window: Window) -> dict:
        video, mask, soft = control_video(request, window)
        call: dict[str, Any] = {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt or None,
            "video": pil_frames(video),
            "mask": pil_frames(mask),
            "height": window.height,
            "width": window.width,
            "num_frames": window.frames,
            "num_inference_steps": request.steps,
            "guidance_scale": request.guidance,
        }
        if request.cast:
            call["reference_images"] = pil_frames([c.image for c in request.cast])
        if request.action is Action.RESTYLE and soft:
            call["conditioning_scale"] = float(sum(soft) / len(soft))
        return call

    def references(self, call: dict) -> int:
        return len(call.get("reference_images") or [])

    def sampled_latents(self, latents: Any, call: dict) -> Any:
        # with output_type="latent" the pipeline returns the reference frames too
        return latents[:, :, self.references(call):]

    def preview_latents(self, latents: Any, call: dict, window: Window) -> Any:
        return latents[0, :, self.references(call):]

    def decode(self, vae: Any, latents: Any, generator: Any, call: dict) -> Any:
        """As the pipeline decodes: undo the per-channel normalisation, then decode."""
        import torch

        z = vae.config.z_dim
        latents = latents.to(dtype=vae.dtype)
        mean = torch.tensor(vae.config.latents_mean, device=latents.device, dtype=latents.dtype).view(1, z, 1, 1, 1)
        std = torch.tensor(vae.config.latents_std, device=latents.device, dtype=latents.dtype).view(1, z, 1, 1, 1)
        return vae.decode(latents * std + mean, return_dict=False)[0]

    def encode_for_preview(self, rgb: np.ndarray) -> np.ndarray:
        import torch

        vae = self.pipe.vae
        x = torch.from_numpy(rgb).permute(2, 0, 1).float().div(127.5).sub(1.0)[None, :, None]
        x = x.to(device=self.pipe._execution_device, dtype=vae.dtype)
        with torch.inference_mode():
            latents = vae.encode(x).latent_dist.mode().float()
        z = vae.config.z_dim
        mean = torch.tensor(vae.config.latents_mean, device=latents.device).view(1, z, 1, 1, 1)
        std = torch.tensor(vae.config.latents_std, device=latents.device).view(1, z, 1, 1, 1)
        return ((latents - mean) / std)[0, :, 0].cpu().numpy()
