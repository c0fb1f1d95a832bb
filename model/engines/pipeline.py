"""What every diffusers-backed engine shares: loading a folder safely, sampling, decoding, previews.

A run is one readable procedure (`PipelineEngine.run`):
1. check the request and plan the window the model needs (`model.engines.window`);
2. build the pipeline arguments for it (the family's `build_call`);
3. sample with `output_type="latent"`, reporting each step and raising `Cancelled` out of the
   step callback, so a cancelled job never pays for the VAE decode;
4. decode the kept latents ourselves, so a decode that runs out of memory is retried with VAE
   tiling, then on the CPU, instead of losing the sampling;
5. cut the window back to the request and put the known frames back untouched.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from model.engines.base import Cancelled, Engine, EngineError, Hooks, Limits
from model.engines.window import Window, keep_known, plan_window
from model.previews import LatentPreview
from model.request import Action, Request

if TYPE_CHECKING:
    from model.devices import Placement
    from model.models import ModelInfo


def is_out_of_memory(exc: BaseException) -> bool:
    import torch

    return isinstance(exc, torch.OutOfMemoryError) or "out of memory" in str(exc).lower()


class PipelineEngine(Engine):
    """Base of the engines that drive a diffusers pipeline loaded from a model folder."""

    # options a user may set per request (Request.options) and that go to the pipeline as is
    pipeline_options: tuple[str, ...] = ()

    def __init__(self, info: ModelInfo) -> None:
        super().__init__()
        self.info = info
        self.pipe: Any = None
        self.placement: Placement | None = None
        self._preview: LatentPreview | None = None
        self._cpu_vae: Any = None
        self.timings: dict[str, float] = {}
        self.speed: Any = None  # the default model.speed.Speed (the Runner's); a request may ask otherwise

    # --- life cycle -----------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self.pipe is not None

    def component_dtypes(self, placement: Placement) -> Any:
        """The dtype(s) handed to from_pretrained; a family may keep a component in float32."""
        return placement.torch_dtype()

    def load(self, placement: Placement | None = None) -> None:
        """Load the folder with safetensors only and no remote code, then place it."""
        import diffusers

        from model.devices import Placement
        from model.torchao_gate import keep_out

        keep_out()  # torchao is imported only when 8-bit weights are picked (model.quantize)
        placement = placement or Placement()
        if self.pipe is not None and placement == self.placement:
            return
        self.unload()
        cls = getattr(diffusers, self.info.load_class)
        started = time.perf_counter()
        try:
            pipe = cls.from_pretrained(
                self.info.path,
                dtype=self.component_dtypes(placement),
                use_safetensors=True,
                local_files_only=True,
                variant=self.info.variant,
            )
        except (OSError, ValueError) as exc:
            raise EngineError(f"{self.info.title} could not be loaded: {exc}") from exc
        pipe.set_progress_bar_config(disable=True)
        _place(pipe, placement)
        self.pipe = pipe
        self.placement = placement
        self.timings = {"load_s": time.perf_counter() - started}

    def unload(self) -> None:
        if self.pipe is None:
            return
        device = self.placement.device if self.placement else "cpu"
        try:
            self.pipe.remove_all_hooks()
        except (AttributeError, RuntimeError):
            pass
        self.pipe = None
        self._preview = None
        self._cpu_vae = None
        from model.devices import release_memory

        release_memory(device)

    # --- capabilities ---------------------------------------------------------------------

    def supports(self, action: Action) -> str | None:
        return self.info.supports(action)

    @property
    def limits(self) -> Limits:
        if self.pipe is None:
            return self.info.limits
        return self.limits_of(self.pipe)

    def limits_of(self, pipe: Any) -> Limits:
        raise NotImplementedError

    # --- a run ----------------------------------------------------------------------------

    def run(self, request: Request, hooks: Hooks) -> list[np.ndarray]:
        import torch

        self.check(request)
        if self.pipe is None:
            self.load(self.placement)
        # 1. the window the model needs
        window = plan_window(request, self.limits)
        # 2. the pipeline call for it
        call = self.build_call(request, window)
        for key in self.pipeline_options:
            if key in request.options:
                call[key] = request.options[key]
        self.last_parameters = {
            "engine": self.kind,
            "window": window.describe(),
            "pipeline": self.load_class_name,
            "call": describe_call(call),
            "placement": self.placement.describe() if self.placement else None,
        }
        # 3. sample, keeping the latents (with the Speed setting's cache/compile, see model.speed)
        from model.speed import Speed, sample_with_speed

        speed = Speed.from_options(request.options, self.speed)
        generator = None

        def attempt() -> Any:  # a fresh generator per attempt: a retry without speed-ups starts alike
            nonlocal generator
            generator = self.generator(request.seed)
            return self.sample(call, generator, hooks, window)

        with torch.inference_mode():
            started = time.perf_counter()
            latents, report = sample_with_speed(
                self.pipe, speed, self.placement.device if self.placement else "cpu", attempt, cancelled=Cancelled)
            self.last_parameters["speed"] = report.describe()
            sampled = time.perf_counter()
            # 4. decode with fallbacks
            video = self.decode_with_fallback(latents, generator, call)
            decoded = time.perf_counter()
        self.timings.update({"sampling_s": sampled - started, "decode_s": decoded - sampled})
        # 5. back to the request's frames and size, known frames untouched
        frames = window.cut(to_uint8_frames(video))
        return keep_known(frames, request)

    @property
    def load_class_name(self) -> str:
        return self.info.load_class

    def build_call(self, request: Request, window: Window) -> dict:
        """Pipeline keyword arguments for `request` in `window` (no generator/callback/output type)."""
        raise NotImplementedError

    def generator(self, seed: int) -> Any:
        """A torch Generator seeded with `seed` on the device the pipeline samples on."""
        import torch

        device = self.pipe._execution_device if self.pipe is not None else torch.device("cpu")
        if device.type == "mps":  # mps generators are not supported everywhere; CPU noise is moved
            device = torch.device("cpu")
        return torch.Generator(device=device).manual_seed(seed)

    def sample(self, call: dict, generator: Any, hooks: Hooks, window: Window) -> Any:
        """Run the sampler to the end and return its latents, or raise Cancelled from a step."""
        pipe = self.pipe

        def on_step_end(pipe_: Any, i: int, _t: Any, kwargs: dict) -> dict:
            total = pipe_.num_timesteps
            hooks.step(i + 1, total)
            if hooks.wants_preview(i + 1, total):
                hooks.preview(self.preview_rgb(kwargs["latents"], call, window))
            return {}

        hooks.start()
        try:
            out = pipe(
                **self.pipeline_arguments(call),
                generator=generator,
                output_type="latent",
                return_dict=False,
                callback_on_step_end=on_step_end,
                callback_on_step_end_tensor_inputs=["latents"],
            )
        except Cancelled:
            pipe.maybe_free_model_hooks()
            raise
        return self.sampled_output(out, call)

    def pipeline_arguments(self, call: dict) -> dict:
        """The keyword arguments the sampler gets for `call`: the call itself, unless a family
        swaps some (LTX-2's restyle passes the clip's latents), so every family samples here."""
        return call

    def sampled_output(self, out: tuple, call: dict) -> Any:
        """The pipeline's output tuple -> latents for `sampled_latents`; a family whose pipeline
        returns more (LTX-2's sound latents) keeps the rest here."""
        return self.sampled_latents(out[0], call)

    def sampled_latents(self, latents: Any, call: dict) -> Any:
        """The pipeline's latent output as (B, C, F, h, w) normalised latents of the window."""
        return latents

    # --- decoding -------------------------------------------------------------------------

    def decode(self, vae: Any, latents: Any, generator: Any, call: dict) -> Any:
        """Normalised latents -> video tensor (B, C, F, H, W) in [-1, 1] with `vae`."""
        raise NotImplementedError

    def decode_with_fallback(self, latents: Any, generator: Any, call: dict) -> Any:
        """Decode; on out-of-memory retry tiled, then with a float32 VAE on the CPU."""
        import torch

        from model.devices import release_memory

        vae = self.pipe.vae
        try:
            return self.decode(vae, latents, generator, call)
        except (torch.OutOfMemoryError, RuntimeError) as exc:
            if not is_out_of_memory(exc):
                raise
            self.last_parameters["decode_fallback"] = ["tiled"]
        release_memory(str(latents.device))
        vae.enable_tiling()
        try:
            return self.decode(vae, latents, generator, call)
        except (torch.OutOfMemoryError, RuntimeError) as exc:
            if not is_out_of_memory(exc):
                raise
            self.last_parameters["decode_fallback"].append("cpu")
        release_memory(str(latents.device))
        cpu_vae = self.cpu_vae()
        return self.decode(cpu_vae, latents.to("cpu", torch.float32), _cpu_generator(generator), call)

    def cpu_vae(self) -> Any:
        """A separate float32 copy of the VAE on the CPU, read from the folder (no hooks, no GPU)."""
        if self._cpu_vae is None:
            import torch

            cls = type(self.pipe.vae)
            vae = cls.from_pretrained(
                self.info.path, subfolder="vae", dtype=torch.float32, use_safetensors=True,
                local_files_only=True, variant=self.info.variant,
            )
            vae.enable_tiling()
            self._cpu_vae = vae.eval()
        return self._cpu_vae

    # --- previews -------------------------------------------------------------------------

    def preview_latents(self, latents: Any, call: dict, window: Window) -> Any:
        """Sampler latents from the step callback -> (C, F, h, w) tensor of the window."""
        return latents[0]

    def encode_for_preview(self, rgb: np.ndarray) -> np.ndarray:
        """One RGB picture -> (C, h, w) normalised latents, to fit the preview projection."""
        raise NotImplementedError

    def spatial_ratio(self) -> int:
        raise NotImplementedError

    def preview_rgb(self, latents: Any, call: dict, window: Window) -> np.ndarray:
        if self._preview is None:
            self._preview = LatentPreview.fit(self.encode_for_preview, self.spatial_ratio())
        lat = self.preview_latents(latents, call, window)
        mid = middle_frame_tensor(lat)
        return self._preview.rgb(mid.float().cpu().numpy())


def middle_frame_tensor(latents_cfhw: Any) -> Any:
    return latents_cfhw[:, latents_cfhw.shape[1] // 2]


def to_uint8_frames(video: Any) -> list[np.ndarray]:
    """(1, C, F, H, W) video in [-1, 1] -> F RGB uint8 frames."""
    import torch

    v = video[0].float().clamp(-1.0, 1.0).add(1.0).mul(127.5).round().to(torch.uint8)
    arr = v.permute(1, 2, 3, 0).cpu().numpy()  # (F, H, W, C)
    return [np.ascontiguousarray(f) for f in arr]


def pil_frames(frames: list[np.ndarray]) -> list[Any]:
    from PIL import Image

    return [Image.fromarray(f) for f in frames]


def describe_call(call: dict) -> dict:
    """The pipeline arguments as JSON-able data: images summarised, conditions listed."""
    out = {}
    for key, value in call.items():
        out[key] = _describe_value(value)
    return out


def _describe_value(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        if value and all(_is_image(v) for v in value):
            return {"frames": len(value), "size": list(_size(value[0]))}
        return [_describe_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _describe_value(v) for k, v in value.items()}
    if _is_image(value):
        return {"image": list(_size(value))}
    if hasattr(value, "__dataclass_fields__"):
        return {k: _describe_value(getattr(value, k)) for k in value.__dataclass_fields__}
    return repr(value)


def _is_image(value: Any) -> bool:
    return isinstance(value, np.ndarray) or type(value).__module__.startswith("PIL")


def _size(value: Any) -> tuple[int, int]:
    if isinstance(value, np.ndarray):
        return value.shape[1], value.shape[0]
    return value.size


def _cpu_generator(generator: Any) -> Any:
    import torch

    if generator is None or generator.device.type == "cpu":
        return generator
    g = torch.Generator(device="cpu")
    g.manual_seed(generator.initial_seed())
    return g


def _place(pipe: Any, placement: Placement) -> None:
    import torch

    if placement.quantize != "none":  # before placing: offload hooks must see the quantised weights
        from model.quantize import quantize_weights

        quantize_weights(pipe, placement.quantize, placement.device)
    device = torch.device(placement.device)
    if placement.memory == "full":
        pipe.to(device)
    elif placement.memory == "model_cpu_offload":
        pipe.enable_model_cpu_offload(device=device)
    else:
        if device.type == "cuda":
            pipe.enable_group_offload(
                onload_device=device, offload_device=torch.device("cpu"),
                offload_type="leaf_level", use_stream=True,
            )
        else:
            pipe.enable_group_offload(
                onload_device=device, offload_device=torch.device("cpu"),
                offload_type="block_level", num_blocks_per_group=1,
            )
    if placement.vae_tiling:
        pipe.vae.enable_tiling()

