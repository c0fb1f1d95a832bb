"""LTX-2 engine: picture and sound in one pass through `LTX2ConditionPipeline`, every user action.

Known frames become `LTX2VideoCondition`s. The pipeline's `index` is a *latent* index:
- a run of known frames that starts at window frame 0 is a condition at index 0, which
  overwrites the first latent frames (8k+1 pixel frames cover latents 0..k exactly);
- any other known frame or run is a *keyframe*: its tokens are appended to the sequence at its
  time position and guide the frames there (they are dropped from the output). Diffusers only
  places keyframes at pixel frames (index - 1) * 8 + 1, so frame 8 or the last frame of a window
  could not be reached; LTX-2 itself (ltx-core's keyframe conditioning) takes any pixel frame.
  The engine wires the loaded pipeline so a `KeyframeAt` condition's `frame` is the pixel frame
  its positions start at (`_wire_keyframes`); `index` stays a valid latent index for the trimming
  the pipeline does, and the pipeline is unchanged for every other caller.
A run is cut into pieces of 8k+1 frames (the pipeline silently trims other lengths); single
frames are passed as PIL images, which the pipeline re-encodes through H.264 as the model was
trained (crf 33). Known frames at full strength are put back untouched afterwards.

Restyle is a real denoise: the clip is encoded by the VAE and passed as `latents`, and only the
tail of the sigma schedule below the denoise strength (1 - the pins' strength) is run, with
`noise_scale` the first of those sigmas, so a weak restyle keeps the clip's composition.

Sound: the audio latents are decoded by the audio VAE and the vocoder
(`vocoder.config.output_sampling_rate`), cut to the request's frames and padded or trimmed to
the picture's length exactly (`model.sound`); `engine.last_audio` holds it after a run. The
pipeline can't be conditioned on existing sound (`audio_latents` only replaces the starting
noise of the whole clip), so extend and infill make fresh sound and the record says so. A
restyle runs part of the schedule, from which the fresh sound would be noise: it makes none.

Limits come from the loaded pipeline: frames `vae_temporal_compression_ratio * patch_t * k + 1`,
sides a multiple of the VAE's spatial ratio times the transformer's patch and of 32 (which the
pipeline checks itself).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.engines.base import EngineError, Hooks, Limits
from model.engines.ltx import LtxPipelineShape, limits_from_configs
from model.engines.pipeline import PipelineEngine, pil_frames
from model.engines.window import Window
from model.request import Action, Request
from model.sound import Sound, cut

# Windows as LTX-Video's (`model.engines.ltx._limits`): LTX-2 makes up to 20 s in one go, but
# windows of 257 frames (~10 s at 24 fps) keep memory in reach of one consumer GPU and longer shots
# are made in overlapping windows; LTX2ConditionPipeline.check_inputs also wants sides of 32k.
STG_BLOCK = 28  # the block LTX-2.3's model card applies spatio-temporal guidance at


def condition_pieces(start: int, count: int, step: int) -> list[tuple[int, int]]:
    """(frame, length) pieces of `step*k+1` frames that cover a run of `count` frames at `start`."""
    pieces = []
    frame, end = start, start + count
    while frame < end:
        length = step * ((end - frame - 1) // step) + 1
        pieces.append((frame, length))
        frame += length
    return pieces


def _keyframe_condition_class() -> type:
    from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition

    global _KEYFRAME_AT
    if _KEYFRAME_AT is None:

        @dataclass
        class KeyframeAt(LTX2VideoCondition):
            """A keyframe condition whose positions start at pixel frame `frame` (any frame)."""

            frame: int = -1

        _KEYFRAME_AT = KeyframeAt
    return _KEYFRAME_AT


_KEYFRAME_AT: type | None = None


def _wire_keyframes(pipe: Any) -> None:
    """Let `KeyframeAt` conditions put their keyframe at any pixel frame on this pipeline object.

    `prepare_latents` computes the positions of each keyframe (in the order of the conditions)
    from its latent index; here the pixel frame of each `KeyframeAt` is handed to the position
    code instead. Conditions of the plain class keep the pipeline's own behaviour.
    """
    if getattr(pipe, "_shotline_keyframes", None) is not None:
        return
    prepare, coords = pipe.prepare_latents, pipe._prepare_keyframe_coords
    pending: list[int] = []
    placed: list[int] = []  # the pixel frames the last call's keyframes were placed at, for the record
    pipe._shotline_keyframes = pending
    pipe._shotline_placed = placed

    def prepare_latents(*args: Any, **kwargs: Any) -> Any:
        conditions = kwargs.get("conditions") or []
        pending[:] = [getattr(c, "frame", -1) for c in conditions if c.index != 0]
        placed.clear()
        try:
            return prepare(*args, **kwargs)
        finally:
            pending.clear()

    def prepare_keyframe_coords(*args: Any, **kwargs: Any) -> Any:
        frame = pending.pop(0) if pending else -1
        if frame >= 0:
            kwargs["pixel_frame_idx"] = frame
        placed.append(int(kwargs["pixel_frame_idx"]))
        return coords(*args, **kwargs)

    pipe.prepare_latents = prepare_latents
    pipe._prepare_keyframe_coords = prepare_keyframe_coords


class Ltx2Engine(LtxPipelineShape, PipelineEngine):
    kind = "ltx2"
    title = "LTX-2"
    pipeline_options = (
        "stg_scale", "modality_scale", "guidance_rescale", "audio_guidance_scale", "audio_stg_scale",
        "audio_modality_scale", "audio_guidance_rescale", "spatio_temporal_guidance_blocks", "decode_timestep",
        "decode_noise_scale", "max_sequence_length", "use_cross_timestep", "motion_speed",
    )

    def __init__(self, info: Any) -> None:
        super().__init__(info)
        self.last_audio: Sound | None = None
        self._audio_latents: Any = None
        self._init_latents: Any = None

    # --- loading and limits ----------------------------------------------------------------

    def load(self, placement: Any = None) -> None:
        super().load(placement)
        _wire_keyframes(self.pipe)

    @staticmethod
    def limits_from_configs(vae: dict, transformer: dict) -> Limits:
        """LTX-2 limits from the VAE and transformer configs (the rule `limits_of` applies to the pipeline)."""
        return limits_from_configs(vae, transformer, (True, True, True, True))

    # --- the call --------------------------------------------------------------------------

    def build_call(self, request: Request, window: Window) -> dict:
        from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition

        pipe = self.pipe
        if request.steps < 2 and pipe.scheduler.config.get("shift_terminal"):
            # the scheduler stretches its one sigma to nothing (0/0) and the pipeline fails
            raise EngineError(f"{self.info.title} needs at least 2 sampling steps; set Steps to 2 or more.")
        keyframe = _keyframe_condition_class()
        step = pipe.vae_temporal_compression_ratio * pipe.transformer_temporal_patch_size
        last_latent = (window.frames - 1) // step
        restyle = request.action is Action.RESTYLE
        conditions, soft = [], []
        for pin in request.context:
            if restyle and pin.strength < 1.0:
                soft.append(pin)
                continue
            frames = [window.to_window(f) for f in pin.frames]
            start = window.position(pin.frame)
            for at, length in condition_pieces(start, len(frames), step):
                piece = pil_frames(frames[at - start : at - start + length])
                media = piece[0] if length == 1 else piece
                if at == 0:
                    conditions.append(LTX2VideoCondition(frames=media, index=0, strength=pin.strength))
                else:
                    # a valid latent index at or before the frame (the pipeline trims from there)
                    index = min(max(1, (at - 1) // step + 1), max(1, last_latent))
                    conditions.append(keyframe(frames=media, index=index, strength=pin.strength, frame=at))
        n = pipe.transformer.config.num_layers
        call = self.base_call(request, window, conditions)
        call["spatio_temporal_guidance_blocks"] = [min(STG_BLOCK, n - 1)]
        if soft:
            call.update(self.denoise_call(request, window, soft, conditions))
        return call

    def denoise_call(self, request: Request, window: Window, soft: list, conditions: list) -> dict:
        """Restyle: the clip's latents and the tail of the schedule below the denoise strength."""
        import torch
        from diffusers.pipelines.ltx2.pipeline_ltx2_condition import calculate_shift

        pipe = self.pipe
        strength = float(sum(p.strength for p in soft) / len(soft))
        denoise = min(1.0, max(0.0, 1.0 - strength))
        frames: list[np.ndarray | None] = [None] * window.frames
        for pin in soft:
            for i, f in enumerate(pin.frames):
                frames[window.position(pin.frame + i)] = window.to_window(f)
        known = [i for i, f in enumerate(frames) if f is not None]
        for i in range(window.frames):  # frames the clip doesn't have repeat its nearest one
            if frames[i] is None:
                frames[i] = frames[min(known, key=lambda k: abs(k - i))]
        latents = self.encode_clip(frames)
        n = request.steps
        base = np.linspace(1.0, 1.0 / n, n)
        p, pt = pipe.transformer_spatial_patch_size, pipe.transformer_temporal_patch_size
        tokens = (latents.shape[2] // pt) * (latents.shape[3] // p) * (latents.shape[4] // p)
        config = pipe.scheduler.config
        mu = calculate_shift(
            tokens, config.get("base_image_seq_len", 1024), config.get("max_image_seq_len", 4096),
            config.get("base_shift", 0.95), config.get("max_shift", 2.05),
        )
        scheduler = copy.deepcopy(pipe.scheduler)
        scheduler.set_timesteps(sigmas=base, mu=mu, device=torch.device("cpu"))
        shifted = scheduler.sigmas[:n].float().numpy()
        first = next((i for i, s in enumerate(shifted) if s <= denoise + 1e-6), n - 1)
        first = min(first, max(0, n - 2))  # at least two steps: one-step schedules fail with shift_terminal
        self._init_latents = latents  # passed in `sample`, not kept in the record
        return {
            "sigmas": [float(s) for s in base[first:]],
            "noise_scale": float(shifted[first]),
            "denoise_strength": denoise,
        }

    def encode_clip(self, frames: list[np.ndarray]) -> Any:
        """Window frames -> raw (unnormalised) VAE latents (1, C, F, h, w), as `latents=` takes them."""
        import torch

        pipe, vae = self.pipe, self.pipe.vae
        x = torch.from_numpy(np.stack(frames)).permute(3, 0, 1, 2)[None].float().div(127.5).sub(1.0)
        x = x.to(device=pipe._execution_device, dtype=vae.dtype)
        with torch.inference_mode():
            return vae.encode(x).latent_dist.mode().float()

    # --- a run -----------------------------------------------------------------------------

    def run(self, request: Request, hooks: Hooks) -> list[np.ndarray]:
        self.last_audio = None
        self._audio_latents = self._init_latents = None
        try:
            frames = super().run(request, hooks)
        finally:
            self._init_latents = None
        offset = self.last_parameters["window"]["offset"]
        self.last_parameters["keyframes_at"] = list(getattr(self.pipe, "_shotline_placed", []))
        sound = self.last_parameters.setdefault("sound", {})
        if self._audio_latents is None:
            sound.update(made=False, why="a restyle remakes only the picture; the clip keeps its own sound")
            return frames
        started = time.perf_counter()
        audio = self.decode_audio(self._audio_latents)
        self._audio_latents = None
        self.timings["audio_decode_s"] = time.perf_counter() - started
        self.last_audio = cut(audio, offset, request.num_frames, request.fps)
        sound.update(made=True, **self.last_audio.describe())
        if request.context:
            sound["continues_neighbours"] = False
            sound["why"] = ("LTX2ConditionPipeline can't be conditioned on existing sound; "
                            "this sound was generated fresh for the new frames")
        return frames

    def pipeline_arguments(self, call: dict) -> dict:
        """A restyle starts from the clip's latents (`denoise_call`); the strength is ours, not the pipeline's."""
        arguments = {k: v for k, v in call.items() if k != "denoise_strength"}
        if "denoise_strength" in call:
            arguments["latents"] = self._init_latents
        return arguments

    def sampled_output(self, out: tuple, call: dict) -> Any:
        """Keep the video and the audio latents (a restyle makes no sound); the video is
        (B, C, F, h, w), denormalised (the pipeline's latent output)."""
        video, audio = out
        self._audio_latents = None if "denoise_strength" in call else audio
        return video

    # --- decoding --------------------------------------------------------------------------

    def decode(self, vae: Any, latents: Any, generator: Any, call: dict) -> Any:
        """As the pipeline decodes: noise for a timestep-conditioned VAE (in normalised space), decode."""
        import torch
        from diffusers.utils.torch_utils import randn_tensor

        pipe = self.pipe
        timestep = None
        if vae.config.timestep_conditioning:
            mean, std, scale = vae.latents_mean, vae.latents_std, vae.config.scaling_factor
            latents = pipe._normalize_latents(latents, mean, std, scale)
            noise = randn_tensor(latents.shape, generator=generator, device=latents.device, dtype=latents.dtype)
            decode_timestep = call.get("decode_timestep", 0.0)
            noise_scale = call.get("decode_noise_scale")
            noise_scale = decode_timestep if noise_scale is None else noise_scale
            timestep = torch.tensor([decode_timestep], device=latents.device, dtype=latents.dtype)
            latents = (1 - noise_scale) * latents + noise_scale * noise
            latents = pipe._denormalize_latents(latents, mean, std, scale)
        return vae.decode(latents.to(vae.dtype), timestep, return_dict=False)[0]

    def decode_audio(self, audio_latents: Any) -> Sound:
        """Audio latents (B, C, L, M), denormalised -> stereo samples at the vocoder's rate."""
        import torch

        pipe = self.pipe
        with torch.inference_mode():
            mel = pipe.audio_vae.decode(audio_latents.to(pipe.audio_vae.dtype), return_dict=False)[0]
            wave = pipe.vocoder(mel.to(pipe.vocoder.dtype))
        samples = wave[0].float().clamp(-1.0, 1.0).cpu().numpy().T  # (samples, channels)
        return Sound(np.ascontiguousarray(samples, dtype=np.float32), int(pipe.vocoder.config.output_sampling_rate))

    # --- previews --------------------------------------------------------------------------

    def preview_latents(self, latents: Any, call: dict, window: Window) -> Any:
        """The callback's packed, normalised latents -> denormalised (C, F, h, w) of the window.

        Keyframe tokens are appended after the window's own tokens: the first ones are the video's.
        """
        pipe = self.pipe
        frames = (window.frames - 1) // pipe.vae_temporal_compression_ratio + 1
        h = window.height // pipe.vae_spatial_compression_ratio
        w = window.width // pipe.vae_spatial_compression_ratio
        p, pt = pipe.transformer_spatial_patch_size, pipe.transformer_temporal_patch_size
        tokens = (frames // pt) * (h // p) * (w // p)
        video = pipe._unpack_latents(latents[:1, :tokens], frames // pt, h // p, w // p, p, pt)
        vae = pipe.vae
        return pipe._denormalize_latents(video, vae.latents_mean, vae.latents_std, vae.config.scaling_factor)[0]

    def encode_for_preview(self, rgb: np.ndarray) -> np.ndarray:
        import torch

        pipe, vae = self.pipe, self.pipe.vae
        x = torch.from_numpy(rgb).permute(2, 0, 1).float().div(127.5).sub(1.0)[None, :, None]
        x = x.to(device=pipe._execution_device, dtype=vae.dtype)
        with torch.inference_mode():
            latents = vae.encode(x).latent_dist.mode()
        return latents[0, :, 0].float().cpu().numpy()
