"""The plan shown before a job is queued: about how much GPU memory and time it will take.

Memory comes from the model's config (weights per component, read from the safetensors headers
by `model.models`) and the memory settings, plus activations that grow with the latent tokens
of the window; once a job of the model has run, its measured peak is scaled instead. Time comes
only from measurement: the seconds per step of earlier jobs of the same model (kept in the job
journal's results, see `timing_sample`), scaled by the number of latent tokens (attention makes
a step grow faster than the tokens: exponent 1.25, between the linear layers' 1 and
attention's 2). Before any job has run the plan says so rather than guess a time.

Plain Python: the editor asks on every selection change, without torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

GIB = 1024**3
# Activations, text embeddings and scheduler state at LTX-Video's 768x512x121 (6,144 latent
# tokens); they are scaled by the tokens of the window asked for.
REFERENCE_TOKENS = 6144
ACTIVATIONS_AT_REFERENCE = 3 * GIB
# An untiled VAE decode holds about this many bytes per output pixel (all frames at once);
# tiled it stays near a constant.
DECODE_BYTES_PER_PIXEL = 24
TILED_DECODE = 1.5 * GIB
STEP_EXPONENT = 1.25


def latent_tokens(limits: Any, width: int, height: int, frames: int) -> int:
    """Latent tokens of a window: latent frames x (height / grid) x (width / grid)."""
    step = max(1, int(getattr(limits, "frame_step", 1)))
    grid = max(1, int(getattr(limits, "size_multiple", 1)))
    latent_frames = (max(1, frames) - 1) // step + 1
    return latent_frames * max(1, math.ceil(height / grid)) * max(1, math.ceil(width / grid))


def timing_sample(record: dict) -> dict | None:
    """What a finished job tells later estimates (from the runner's record), or None.

    Kept in the journal's result, so the plan of the next job can read it without opening takes.
    """
    try:
        timings = record.get("timings") or {}
        window = (record.get("parameters") or {}).get("window") or {}
        request = record.get("request") or {}
        steps = int(request["steps"])
        sampling = float(timings["sampling_s"])
        frames, width, height = int(window["frames"]), int(window["width"]), int(window["height"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    limits = record.get("limits") or {}
    runs = max(1, math.ceil(int(request.get("num_frames") or frames) / max(1, frames)))
    sample = {
        "model": (record.get("model") or {}).get("path"),
        "tokens": latent_tokens(_Limits(limits), width, height, frames),
        "pixels": width * height * frames,
        # a long shot runs several windows; engine timings are of its last window
        "s_per_step": round(sampling / max(1, steps), 4) if runs == 1 else None,
        "decode_s": round(float(timings.get("decode_s") or 0.0), 4),
        "peak_gpu_bytes": record.get("peak_gpu_bytes"),
        "placement": record.get("placement"),
        "speed": ((record.get("parameters") or {}).get("speed") or {}).get("cache"),
    }
    return sample


@dataclass(frozen=True)
class _Limits:
    raw: dict

    @property
    def frame_step(self) -> int:
        return int(self.raw.get("frame_step", 1))

    @property
    def size_multiple(self) -> int:
        return int(self.raw.get("size_multiple", 1))


@dataclass(frozen=True)
class Estimate:
    """About how much a job will take; None where it can't be said yet."""

    gpu_bytes: int | None
    seconds: float | None
    per_step: float | None
    basis: str  # where the figures come from, in the user's words

    def text(self) -> str:
        """One line for the Inspector and the CLI."""
        parts = []
        if self.gpu_bytes is not None:
            parts.append(f"about {self.gpu_bytes / GIB:.1f} GiB of GPU memory")
        if self.seconds is not None:
            parts.append(f"about {duration(self.seconds)} ({self.per_step:.2f} s a step)")
        text = "; ".join([", ".join(parts), self.basis]) if parts else self.basis
        return f"{text[:1].upper()}{text[1:]}."


def duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, s = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {s:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def weights_on_gpu(parameters: dict[str, int], *, dtype: str, memory: str, quantize: str) -> int:
    """Bytes of weights on the GPU at the busiest moment for a memory mode."""
    per = 4 if dtype == "float32" else 2
    sizes = {name: n * (1 if name.startswith("transformer") and quantize in ("int8", "fp8") else per)
             for name, n in parameters.items()}
    if not sizes:
        return 0
    if memory == "full":
        return sum(sizes.values())
    largest = max(sizes.values())
    if memory == "model_cpu_offload":
        return largest  # one component at a time, the transformer being the largest
    return largest // 8  # group offload streams a few blocks at a time


def estimate(
    info: Any,
    *,
    width: int,
    height: int,
    frames: int,
    steps: int,
    device: str = "cuda",
    dtype: str = "bfloat16",
    memory: str = "full",
    vae_tiling: bool = False,
    quantize: str = "none",
    history: list[dict] = (),
) -> Estimate:
    """The plan of a job of `info`'s model at this size, frames and steps (see the module doc).

    `history`: `timing_sample`s of earlier jobs (any model; those of this one are used).
    """
    limits = info.limits
    window_frames = min(limits.window_frames(frames), limits.max_frames)
    width_w, height_w = limits.window_side(width), limits.window_side(height)
    tokens = latent_tokens(limits, width_w, height_w, window_frames)
    windows = max(1, math.ceil(frames / max(1, window_frames)))
    mine = [h for h in history if isinstance(h, dict) and h.get("model") == info.path and h.get("tokens")]

    gpu = None
    if device != "cpu" and getattr(info, "needs_model", True):
        measured = [h for h in mine if h.get("peak_gpu_bytes") and _same_memory(h.get("placement"), memory, quantize)]
        if measured:
            near = min(measured, key=lambda h: abs(math.log(tokens / h["tokens"])))
            weights = weights_on_gpu(info.parameters, dtype=dtype, memory=memory, quantize=quantize)
            activations = max(0, int(near["peak_gpu_bytes"]) - weights)
            gpu = weights + int(activations * tokens / near["tokens"])
        else:
            weights = weights_on_gpu(info.parameters, dtype=dtype, memory=memory, quantize=quantize)
            activations = ACTIVATIONS_AT_REFERENCE * tokens / REFERENCE_TOKENS
            pixels = width_w * height_w * window_frames
            decode = TILED_DECODE if vae_tiling or memory != "full" else pixels * DECODE_BYTES_PER_PIXEL
            gpu = int(weights + max(activations, decode))

    timed = [h for h in mine if h.get("s_per_step")]
    if not timed:
        basis = ("from the model's size; no earlier job of this model to time it by" if gpu is not None
                 else "no earlier job of this model to time it by")
        return Estimate(gpu, None, None, basis)
    near = min(timed, key=lambda h: abs(math.log(tokens / h["tokens"])))
    per_step = float(near["s_per_step"]) * (tokens / near["tokens"]) ** STEP_EXPONENT
    decode = float(near.get("decode_s") or 0.0) * (width_w * height_w * window_frames) / max(1, near.get("pixels") or 1)
    seconds = windows * (per_step * steps + decode)
    jobs = len(timed)
    basis = f"timed by {jobs} earlier job{'s' if jobs != 1 else ''} of this model"
    return Estimate(gpu, seconds, per_step, basis)


def _same_memory(placement: Any, memory: str, quantize: str) -> bool:
    if not isinstance(placement, dict):
        return False
    return placement.get("memory") == memory and placement.get("quantize", "none") == quantize
