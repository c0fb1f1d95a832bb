"""Request -> frames: keeps one model loaded, reports progress and previews, cancels, records how.

`Runner.run(model_path, request, hooks)` recognises the model folder, loads it (unloading any
other model first: one model in memory at a time), places it on the machine (device, dtype,
memory mode from free VRAM, each overridable), runs the engine and returns the frames with a
JSON-able record of everything that made them: the model, the seed, every pipeline argument,
the request, the engine, the placement, the timings and the Shotline version.

The worker thread of the UI and the headless command line both drive this; neither needs torch
until a job really runs.
"""

from __future__ import annotations

import platform
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from model.engines.base import Cancelled, Engine, Hooks
from model.identity import folder_hash
from model.models import ModelInfo, inspect_model
from model.request import Request
from model.sound import Sound

__all__ = ["Cancelled", "Hooks", "Result", "Runner", "quiet_libraries", "shotline_version"]


@dataclass
class Result:
    frames: list[np.ndarray]
    record: dict = field(default_factory=dict)
    # the sound the model made with the frames, exactly as long as them (LTX-2); None when silent
    audio: Sound | None = None


def shotline_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("shotline")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def quiet_libraries() -> None:
    """Keep diffusers and transformers to errors, without progress bars.

    Their per-call warnings (e.g. the flow-match scheduler's "timesteps were passed without
    sigmas" on every LTX call) and "Loading pipeline components" bars would otherwise fill the
    terminal the editor was started from; progress is shown in the jobs panel instead.
    """
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    for library in (diffusers_logging, transformers_logging):
        library.set_verbosity_error()
        library.disable_progress_bar()


class Runner:
    """Runs requests on one loaded model at a time.

    Placement overrides (`device`, `dtype`, `memory`, `vae_tiling`, `quantize`) win over what the
    machine suggests; leave them None to let Shotline choose from the free memory. A request may
    ask for its own memory settings (`options["memory"]`: mode, vae_tiling, quantize), which
    reload the model when they differ. `speed` (a `model.speed.Speed`) is the default Speed
    setting; a request's `options["speed"]` wins.
    """

    def __init__(
        self,
        *,
        device: str | None = None,
        dtype: str | None = None,
        memory: str | None = None,
        vae_tiling: bool | None = None,
        quantize: str | None = None,
        speed=None,
        upsampler: str | None = None,
        preview_every: int = 4,
    ) -> None:
        self.overrides = {"device": device, "dtype": dtype, "memory": memory, "vae_tiling": vae_tiling,
                          "quantize": quantize}
        self.speed = speed
        self.upsampler = upsampler  # a latent upsampler folder for Upscale (model.upscale)
        self._base = None  # the loaded model's placement without a request's memory settings
        self._wanted: dict = {}  # the memory settings the loaded model was placed with
        self.preview_every = preview_every
        self.info: ModelInfo | None = None
        self.engine: Engine | None = None
        self.busy = threading.RLock()  # held while a job runs

    # --- the loaded model -----------------------------------------------------------------

    @property
    def loaded_path(self) -> str | None:
        return self.info.path if self.engine is not None and self.info is not None else None

    def load(self, model_path: str, options: dict | None = None) -> Engine:
        """The engine for `model_path`, loaded; another loaded model is unloaded first.

        `options` are a request's: its memory settings (see the class doc) reload the model
        when the loaded one was placed otherwise."""
        info = inspect_model(model_path)
        wanted = memory_options(options)
        if self.engine is not None and self.info is not None and self.info.path == info.path:
            if not self.engine.loaded:
                self._load_placed(self.engine, info, wanted)
            elif wanted != self._wanted and self._base is not None:
                # the runner's own placement, with only what this request names changed (the
                # free memory now is the loaded model's, so nothing is measured again)
                import dataclasses

                self.engine.load(dataclasses.replace(self._base, **wanted))
                self._wanted = wanted
            self._set_speed(self.engine)
            return self.engine
        self.unload()
        from model.engines.registry import engine_for

        engine = engine_for(info)
        if engine.needs_model:
            quiet_libraries()
            self._load_placed(engine, info, wanted)
        self._set_speed(engine)
        self.info, self.engine = info, engine
        return engine

    def _load_placed(self, engine: Engine, info: ModelInfo, wanted: dict) -> None:
        self._base = self.placement_for(info)
        engine.load(self.placement_for(info, wanted) if wanted else self._base)
        self._wanted = wanted

    def _set_speed(self, engine: Engine) -> None:
        if hasattr(engine, "speed"):
            engine.speed = self.speed

    def unload(self) -> None:
        """Free the loaded model's memory (pause does this too)."""
        if self.engine is not None:
            self.engine.unload()
        self.engine = None
        self.info = None

    def placement_for(self, info: ModelInfo, wanted: dict | None = None):
        """Where `info`'s model will run on this machine, honouring the overrides (then `wanted`,
        a request's memory settings as Placement fields)."""
        from model.devices import best_device, choose_placement

        chosen = {**self.overrides, **{k: v for k, v in (wanted or {}).items() if v is not None}}
        device = chosen["device"] or best_device()
        dtype = chosen["dtype"] or ("float32" if device == "cpu" else None)
        params = dict(info.parameters or {})
        per = 4 if dtype == "float32" else 2
        sizes = {name: n * (1 if name.startswith("transformer") and chosen["quantize"] in ("int8", "fp8") else per)
                 for name, n in params.items()}
        weights = sum(sizes.values()) or info.weights_bytes
        largest = max(sizes.values(), default=0) or None
        return choose_placement(
            weights, largest_component_bytes=largest, device=device, dtype=dtype,
            memory=chosen["memory"], vae_tiling=chosen["vae_tiling"], quantize=chosen["quantize"],
        )

    # --- a job ----------------------------------------------------------------------------

    def run(self, model_path: str, request: Request, hooks: Hooks | None = None) -> Result:
        """Make `request` with the model at `model_path`, reporting through `hooks` (previews
        every `preview_every` steps); raises Cancelled, RequestError, ModelError."""
        with self.busy:  # an enhancer borrowing an offloaded text encoder waits (model.enhance_share)
            return self._run(model_path, request, hooks)

    def _run(self, model_path: str, request: Request, hooks: Hooks | None) -> Result:
        started = time.perf_counter()
        request.validate()
        had = self.loaded_path
        engine = self.load(model_path, request.options)
        loaded = time.perf_counter()
        hooks = (hooks or Hooks()).paced(self.preview_every)
        engine.check(request)
        upscale = None
        if "upscale" in request.options and engine.needs_model:  # Upscale: the draft doubled first, if it can be
            from model.upscale import upsample_request

            request, upscale = upsample_request(engine, request, self.upsampler)
        # A shot longer than the model's window is made in overlapping windows (model.longshot);
        # one that fits goes straight to engine.run.
        from model.longshot import make_long_shot

        peak = _PeakGpu(engine)  # measured, so the next job's plan can say how much memory it takes
        frames = make_long_shot(engine, request, hooks)
        audio = getattr(engine, "last_audio", None)
        finished = time.perf_counter()
        if len(frames) != request.num_frames:  # the engine contract; a broken engine must not slip through
            raise RuntimeError(f"{engine.kind} made {len(frames)} frames instead of {request.num_frames}.")
        timings = {
            "load_s": round(loaded - started, 4) if had != self.loaded_path else 0.0,
            "run_s": round(finished - loaded, 4),
            "total_s": round(finished - started, 4),
        }
        timings.update({k: round(v, 4) for k, v in getattr(engine, "timings", {}).items() if k != "load_s"})
        record = self.record(request, engine, timings)
        if upscale is not None:
            record["upscale"] = upscale
        if peak.bytes() is not None:
            record["peak_gpu_bytes"] = peak.bytes()
        return Result(frames, record, audio if isinstance(audio, Sound) else None)

    def record(self, request: Request, engine: Engine, timings: dict) -> dict:
        """How the take was made, as plain JSON data."""
        info = self.info
        record = {
            "shotline_version": shotline_version(),
            "model": {
                "path": info.path if info else None,
                "pipeline_class": info.pipeline_class if info else None,
                "load_class": info.load_class if info else None,
                "kind": info.kind if info else engine.kind,
                "title": info.title if info else engine.title,
                "repo_id": info.repo_id if info else None,
                # the folder's identity: same path, other weights shows as another hash
                "folder_hash": folder_hash(info.path) if info and engine.needs_model else None,
            },
            "engine": engine.kind,
            "seed": request.seed,
            "request": request.describe(),
            "parameters": engine.last_parameters,
            "limits": engine.limits.describe(),
            "timings": timings,
            "machine": {"python": platform.python_version(), "platform": platform.platform()},
        }
        if not engine.needs_model:
            record["machine"]["device"] = "CPU"  # the built-in engines run on the CPU
        else:
            import diffusers
            import torch

            from model.devices import device_name

            placement = getattr(engine, "placement", None)
            record["placement"] = placement.describe() if placement else None
            record["machine"].update(
                torch=torch.__version__,
                diffusers=diffusers.__version__,
                device=device_name(placement.device) if placement else "CPU",
            )
        return record


# Request.options["memory"] keys -> Placement fields
_MEMORY_KEYS = {"mode": "memory", "vae_tiling": "vae_tiling", "quantize": "quantize"}


def memory_options(options: dict | None) -> dict:
    """A request's memory settings (`options["memory"]`) as Placement fields; {} when it names none."""
    value = (options or {}).get("memory")
    if not isinstance(value, dict):
        return {}
    return {field: value[key] for key, field in _MEMORY_KEYS.items() if value.get(key) is not None}


class _PeakGpu:
    """The peak CUDA memory of one job (None off CUDA)."""

    def __init__(self, engine: Engine) -> None:
        placement = getattr(engine, "placement", None)
        self.device = placement.device if placement is not None and engine.needs_model else "cpu"
        if self.device.startswith("cuda"):
            import torch

            torch.cuda.reset_peak_memory_stats(self.device)

    def bytes(self) -> int | None:
        if not self.device.startswith("cuda"):
            return None
        import torch

        return int(torch.cuda.max_memory_allocated(self.device))
