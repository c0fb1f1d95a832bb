"""GPU figures for LTX-Video 2B at its real size: runner vs bare pipeline, per step, VAE decode, memory modes, compile, cache.

    python bench/gpu.py                    on a CUDA machine (under 8 minutes on an H100, construction included)
    python bench/gpu.py --tiny --device cpu   the same procedure on tiny configs (what the test suite runs)
    python bench/gpu.py --family ltx2      LTX-2 19B (picture and sound) instead: bench/gpu_ltx2.py

Speed and memory do not depend on the weights, so the model is built from the published
architecture with random weights, directly on the GPU in bfloat16 (`torch.set_default_dtype`
while constructing: no float32 copy is ever made). The transformer and VAE configs are those of
Lightricks/LTX-Video 0.9.5 (transformer/config.json: 28 layers, 32 heads of 64, cross-attention
2048, captions 4096; the 0.9.5 VAE of diffusers' convert_ltx_to_diffusers.py: 32x spatial and 8x
temporal compression, timestep-conditioned decoder). The text encoder is a one-layer T5 of the
right width (4096) with a small vocabulary: text encoding runs once per job and is not what is
measured here, while the real T5-XXL (4.7B) would take minutes to build.

The model is saved as a model folder so the runner loads it exactly as a user's download; the
bare pipeline is the in-memory one with the very arguments the engine builds. Every run is
768x512, 121 frames (5 s at 24 fps), guidance 3 (two transformer passes a step), bf16. One line
per figure: `name: value unit (goal: ...)`. Without CUDA it says so in one line and exits 0.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lightricks/LTX-Video transformer/config.json (the 2B transformer of 0.9.x, 0.9.5 included)
TRANSFORMER_2B = {
    "activation_fn": "gelu-approximate",
    "attention_bias": True,
    "attention_head_dim": 64,
    "attention_out_bias": True,
    "caption_channels": 4096,
    "cross_attention_dim": 2048,
    "in_channels": 128,
    "norm_elementwise_affine": False,
    "norm_eps": 1e-06,
    "num_attention_heads": 32,
    "num_layers": 28,
    "out_channels": 128,
    "patch_size": 1,
    "patch_size_t": 1,
    "qk_norm": "rms_norm_across_heads",
}

# LTX-Video 0.9.5 VAE (diffusers scripts/convert_ltx_to_diffusers.py, version "0.9.5")
VAE_095 = {
    "in_channels": 3,
    "out_channels": 3,
    "latent_channels": 128,
    "block_out_channels": (128, 256, 512, 1024, 2048),
    "down_block_types": ("LTXVideo095DownBlock3D",) * 4,
    "decoder_block_out_channels": (256, 512, 1024),
    "layers_per_block": (4, 6, 6, 2, 2),
    "decoder_layers_per_block": (5, 5, 5, 5),
    "spatio_temporal_scaling": (True, True, True, True),
    "decoder_spatio_temporal_scaling": (True, True, True),
    "decoder_inject_noise": (False, False, False, False),
    "downsample_type": ("spatial", "temporal", "spatiotemporal", "spatiotemporal"),
    "upsample_residual": (True, True, True),
    "upsample_factor": (2, 2, 2),
    "timestep_conditioning": True,
    "patch_size": 4,
    "patch_size_t": 1,
    "resnet_norm_eps": 1e-6,
    "scaling_factor": 1.0,
    "encoder_causal": True,
    "decoder_causal": False,
    "spatial_compression_ratio": 32,
    "temporal_compression_ratio": 8,
}

# The scheduler keeps its defaults: LTXConditionPipeline passes its own (linear-quadratic)
# timesteps, and a step costs the same whatever its sigma.

# The same structure, small enough for a CPU test (two blocks: the first-block cache needs two).
TINY_TRANSFORMER = {**TRANSFORMER_2B, "attention_head_dim": 8, "caption_channels": 32, "cross_attention_dim": 16,
                    "in_channels": 8, "num_attention_heads": 2, "num_layers": 2, "out_channels": 8}
TINY_VAE = {**VAE_095, "latent_channels": 8, "block_out_channels": (4, 8, 16, 32, 64),
            "decoder_block_out_channels": (8, 16, 32), "layers_per_block": (1, 1, 1, 1, 1),
            "decoder_layers_per_block": (1, 1, 1, 1)}


@dataclass(frozen=True)
class Setup:
    transformer: dict
    vae: dict
    width: int
    height: int
    frames: int
    steps: tuple[int, ...]  # step counts runner and bare pipeline are compared at
    offload_steps: int  # steps for the (slower) offload modes
    budget_s: float  # stop starting new measurements past this
    warm_up_steps: int = 2  # an untimed run first: kernels, allocator and autotuning settle
    tiny: bool = False
    skipped: list[str] = field(default_factory=list)


REAL = Setup(TRANSFORMER_2B, VAE_095, 768, 512, 121, (8, 30), 8, 420.0)
TINY = Setup(TINY_TRANSFORMER, TINY_VAE, 32, 32, 9, (1, 2), 1, 120.0, warm_up_steps=1, tiny=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tiny", action="store_true", help="tiny configs (a smoke test of the procedure)")
    ap.add_argument("--device", default="cuda", help="cuda (default) or cpu (only with --tiny)")
    ap.add_argument("--dtype", default="bfloat16", choices=("bfloat16", "float16", "float32"))
    ap.add_argument("--budget-s", type=float, default=None, help="start no new measurement after this many seconds")
    ap.add_argument("--family", default="ltx", choices=("ltx", "ltx2"), help="LTX-Video 2B (default) or LTX-2 19B")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("bench/gpu.py needs a CUDA GPU and none is usable here; nothing was measured.")
        return 0
    if args.device == "cpu" and not args.tiny:
        print("bench/gpu.py measures the real-size model on a CUDA GPU only; use --tiny for a CPU run.")
        return 0
    from diffusers.utils import logging as diffusers_logging

    level, bars = diffusers_logging.get_verbosity(), diffusers_logging.is_progress_bar_enabled()
    diffusers_logging.set_verbosity_error()  # the figures only, not the libraries' notices
    diffusers_logging.disable_progress_bar()
    run = measure
    if args.family == "ltx2":
        from bench import gpu_ltx2

        setup, run = replace(gpu_ltx2.TINY if args.tiny else gpu_ltx2.REAL, skipped=[]), gpu_ltx2.measure
    else:
        setup = replace(TINY if args.tiny else REAL, skipped=[])
    if args.budget_s is not None:
        setup = replace(setup, budget_s=args.budget_s)
    try:
        # each line as soon as it is measured: a run cut short still reports what it had
        run(setup, args.device, args.dtype, on_figure=lambda f: print(f.line(), flush=True))
    finally:
        diffusers_logging.set_verbosity(level)
        if bars:
            diffusers_logging.enable_progress_bar()
    for what in setup.skipped:
        print(f"# skipped: {what}", flush=True)
    return 0


# --- the model -------------------------------------------------------------------------------


@contextmanager
def made_on(device: str, torch_dtype):
    """Modules made inside are seeded, and their parameters created in `torch_dtype` directly on
    `device` (no float32 copy is ever made): how every family's bench builds its model."""
    import torch

    previous = torch.get_default_dtype()
    torch.manual_seed(0)
    torch.set_default_dtype(torch_dtype)
    try:
        with torch.device(device):
            yield
    finally:
        torch.set_default_dtype(previous)


def build_pipeline(setup: Setup, device: str, dtype: str):
    """An LTXConditionPipeline with random weights, made on `device` in `dtype` (no float32 copy)."""
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXConditionPipeline,
        LTXVideoTransformer3DModel,
    )

    sys.path.insert(0, str(ROOT / "tests"))
    from tiny_models import tiny_text_encoder, tiny_tokenizer

    torch_dtype = getattr(torch, dtype)
    with made_on(device, torch_dtype):
        transformer = LTXVideoTransformer3DModel(**setup.transformer).eval()
        vae = AutoencoderKLLTXVideo(**setup.vae).eval()
    tokenizer = tiny_tokenizer()
    # a one-layer T5 of the width the transformer reads (see the module docstring)
    text_encoder = tiny_text_encoder(setup.transformer["caption_channels"], len(tokenizer)).to(device, torch_dtype)
    return LTXConditionPipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=text_encoder,
        tokenizer=tokenizer, transformer=transformer,
    )


def request_for(setup: Setup, steps: int):
    from model.request import Action, Request

    return Request(Action.GENERATE, setup.frames, Fraction(24), setup.width, setup.height,
                   prompt="a paper boat drifts down a river at dawn, camera follows", seed=0, steps=steps,
                   guidance=3.0)


# --- measuring ---------------------------------------------------------------------------------


class Clock:
    """Wall seconds of GPU work (synchronised) and the peak memory it took."""

    def __init__(self, device: str) -> None:
        self.cuda = device.startswith("cuda")

    def __enter__(self) -> Clock:
        import torch

        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        import torch

        if self.cuda:
            torch.cuda.synchronize()
            self.peak_gib = torch.cuda.max_memory_allocated() / 1024**3
        else:
            self.peak_gib = float("nan")
        self.seconds = time.perf_counter() - self.t0


def measure(setup: Setup, device: str, dtype: str, on_figure=None) -> list:
    from model.runner import Runner

    record = Recorder(setup.budget_s, on_figure)
    figures, started, left, add = record.figures, record.started, record.left, record.add
    size = f"{setup.width}x{setup.height}x{setup.frames}"
    gpu = device.startswith("cuda")

    folder = Path(tempfile.mkdtemp(prefix="shotline-gpu-bench-"))
    try:
        # 1. the model, built on the device, saved as a model folder for the runner
        pipe = build_and_save(build_pipeline, setup, device, dtype, folder, add, build_goal_s=60,
                              params_b=(1.8, 2.1), params_goal="1.9-2.0 (LTX-Video 2B)")

        # 2. the bare pipeline with the arguments the engine builds
        bare_s = measure_bare(pipe, folder, setup, request_for, device, add, f"informational ({size}, cfg 3)")
        del pipe
        _free(device)

        # 3. the runner on the same model, from the folder, every memory mode it has
        runner, full = measure_runner(folder, setup, request_for, device, dtype, add, left, bare_s,
                                      f"informational ({size}, cfg 3, {dtype})")
        last = max(full) if full else None
        if last is not None:
            add("vae_decode_s", full[last]["decode"], "s", f"informational ({size})")
            if gpu:
                add("peak_gpu_memory_full", full[last]["peak"], "GiB", "< 40 on an 80 GB card", full[last]["peak"] < 40)

        # 4. first-block cache on the loaded transformer (most steps: that is where it pays)
        steps = max(setup.steps)
        if left() and steps in full:
            from diffusers import FirstBlockCacheConfig

            transformer = runner.engine.pipe.transformer
            try:
                transformer.enable_cache(FirstBlockCacheConfig(threshold=0.05))
                try:
                    with Clock(device) as clock:
                        runner.run(str(folder), request_for(setup, steps))
                finally:
                    transformer.disable_cache()
                speedup = full[steps]["s"] / clock.seconds
                add(f"first_block_cache_speedup_{steps}_steps", speedup, "x",
                    ">= 1.3 (random weights change less predictably than trained ones)", speedup >= 1.3 or setup.tiny)
            except Exception as exc:  # report it and go on to the memory modes
                print(f"# first-block cache: ERROR {type(exc).__name__}: {exc}", flush=True)
        else:
            setup.skipped.append("first-block cache (time budget)")
        runner.unload()
        _free(device)

        # 5. the leaner memory modes (a GPU only: offloading to the CPU from the CPU means nothing)
        measure_memory_modes(setup, folder, request_for, device, dtype, add, left,
                             full.get(last, {}).get("peak", 1e9), offload_gib=10,
                             offload_goal="< 10 (what an 12 GB card has)", decode_note="informational (tiled)")

        # 6. regional compile of the repeated transformer blocks (last: it can't be undone)
        if gpu and left():
            runner = Runner(device=device, dtype=dtype, memory="full")
            try:
                runner.load(str(folder))
                runner.engine.pipe.transformer.compile_repeated_blocks(fullgraph=True)
                steps = min(setup.steps)
                with Clock(device) as warm:
                    runner.run(str(folder), request_for(setup, steps))
                add("compile_first_run_s", warm.seconds, "s", "< 120 (compiling included)", warm.seconds < 120)
                with Clock(device) as clock:
                    runner.run(str(folder), request_for(setup, steps))
                if steps in full:
                    speedup = full[steps]["s"] / clock.seconds
                    add(f"compile_speedup_{steps}_steps", speedup, "x", ">= 1.1", speedup >= 1.1)
            except Exception as exc:
                print(f"# compile_repeated_blocks: ERROR {type(exc).__name__}: {exc}", flush=True)
            finally:
                runner.unload()
        elif not gpu:
            setup.skipped.append("compile_repeated_blocks (measured on a GPU only)")
        else:
            setup.skipped.append("compile_repeated_blocks (time budget)")
        add("bench_wall_s", time.perf_counter() - started, "s", f"< 480 ({'tiny' if setup.tiny else 'H100'})",
            time.perf_counter() - started < 480)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return figures


class Recorder:
    """The figures of one bench run, each handed to `on_figure` as soon as it is measured (a run cut
    short still reports what it had), named with `prefix`, and the time budget they share. One for
    every family's bench (LTX-Video here, LTX-2 in bench/gpu_ltx2.py)."""

    def __init__(self, budget_s: float, on_figure=None, prefix: str = "") -> None:
        self.figures: list = []
        self.started = time.perf_counter()
        self.budget_s, self.on_figure, self.prefix = budget_s, on_figure, prefix

    def left(self) -> bool:
        """Whether a new measurement may still start."""
        return time.perf_counter() - self.started < self.budget_s

    def add(self, name: str, value: float, unit: str, goal: str, ok: bool = True) -> None:
        from bench.common import Figure

        self.figures.append(Figure(f"{self.prefix}{name}", round(float(value), 4), unit, goal, bool(ok)))
        if self.on_figure is not None:
            self.on_figure(self.figures[-1])


def build_and_save(build, setup, device: str, dtype: str, folder: Path, add, *, build_goal_s: float,
                   params_b: tuple[float, float], params_goal: str):
    """Build the random-weight pipeline with `build`, report its build time and transformer size,
    save it as a model folder at `folder` and return it. Shared by every family's bench (LTX-Video
    here, LTX-2 in bench/gpu_ltx2.py) so both measure the model the same way."""
    with Clock(device) as c:
        pipe = build(setup, device, dtype)
    add("build_model_s", c.seconds, "s", f"< {build_goal_s} (random weights made on the device)",
        c.seconds < build_goal_s)
    params = sum(p.numel() for p in pipe.transformer.parameters()) / 1e9
    add("transformer_parameters", params, "B", params_goal if not setup.tiny else "tiny",
        setup.tiny or params_b[0] < params < params_b[1])
    t0 = time.perf_counter()
    pipe.save_pretrained(folder, safe_serialization=True)
    add("save_model_folder_s", time.perf_counter() - t0, "s", "informational")
    return pipe


def measure_bare(pipe, folder: Path, setup, request_for, device: str, add, note: str, left=None,
                 label: str = "") -> dict[int, float]:
    """Seconds of the bare in-memory pipeline at each of `setup.steps`, called with the very
    arguments the engine builds (request options included) after one untimed warm-up run: the
    yardstick the runner is held to, the same for every family. With `left`, a step count past the
    time budget is skipped (and noted) instead of run."""
    import torch

    from model.engines.registry import engine_for
    from model.engines.window import plan_window
    from model.models import inspect_model

    engine = engine_for(inspect_model(folder))
    engine.pipe = pipe
    pipe.set_progress_bar_config(disable=True)
    calls = {}
    for steps in (setup.warm_up_steps, *setup.steps):
        request = request_for(setup, steps)
        calls[steps] = engine.build_call(request, plan_window(request, engine.limits))
        for key, value in request.options.items():
            calls[steps][key] = value

    def bare(steps: int) -> Clock:
        with Clock(device) as clock, torch.inference_mode():
            pipe(**calls[steps], generator=torch.Generator(device).manual_seed(0), output_type="np")
        return clock

    bare(setup.warm_up_steps)
    bare_s = {}
    for steps in setup.steps:
        if left is not None and not left():
            setup.skipped.append(f"{label}bare pipeline at {steps} steps (time budget)")
            continue
        bare_s[steps] = bare(steps).seconds
        add(f"bare_pipeline_{steps}_steps_s", bare_s[steps], "s", note)
    engine.pipe = None
    return bare_s


def measure_runner(folder: Path, setup, request_for, device: str, dtype: str, add, left, bare_s: dict[int, float],
                   step_note: str, label: str = "", on_result=None):
    """The runner on the model folder, in its full memory mode: load time, one untimed warm-up (as
    the bare pipeline had), then each step count the bare pipeline ran, held to its time. Returns
    the loaded runner and, per step count, its seconds, peak memory, seconds a step, decode time and
    the run's timings; `on_result(result)` sees each run's result. Shared by every family's bench."""
    from model.runner import Runner

    runner = Runner(device=device, dtype=dtype, memory="full")
    t0 = time.perf_counter()
    runner.load(str(folder))
    add("runner_load_s", time.perf_counter() - t0, "s", "informational (safetensors from a local folder)")
    runner.run(str(folder), request_for(setup, setup.warm_up_steps))  # as the bare pipeline had
    full: dict[int, dict] = {}
    for steps in setup.steps:
        if not left() or steps not in bare_s:
            setup.skipped.append(f"{label}runner at {steps} steps (time budget)")
            continue
        with Clock(device) as clock:
            result = runner.run(str(folder), request_for(setup, steps))
        t = result.record["timings"]
        full[steps] = {"s": clock.seconds, "peak": clock.peak_gib, "step": t["sampling_s"] / steps,
                       "decode": t["decode_s"], "timings": t}
        ratio = clock.seconds / bare_s[steps]
        goal = 1.05 if steps < 20 else 1.02
        add(f"runner_vs_bare_{steps}_steps", ratio, "x", f"<= {goal}", ratio <= goal)
        add(f"seconds_per_step_{steps}_steps", full[steps]["step"], "s", step_note)
        if on_result is not None:
            on_result(result)
    return runner, full


def measure_memory_modes(setup, folder: Path, request_for, device: str, dtype: str, add, left, full_peak: float, *,
                         offload_gib: float, offload_goal: str, decode_note: str, label: str = "") -> None:
    """Peak memory, seconds a step and decode time of each leaner memory mode, a fresh runner each
    (a GPU only: offloading to the CPU from the CPU means nothing). One mode failing is reported and
    does not hide the others' figures. Shared by every family's bench, which differ only in goals."""
    from model.devices import MEMORY_MODES
    from model.runner import Runner

    for mode in MEMORY_MODES:
        if mode == "full":
            continue
        if not device.startswith("cuda"):
            setup.skipped.append(f"{label}memory mode {mode} (needs a GPU)")
            continue
        if not left():
            setup.skipped.append(f"{label}memory mode {mode} (time budget)")
            continue
        lean = Runner(device=device, dtype=dtype, memory=mode)
        steps = setup.offload_steps
        try:
            with Clock(device) as clock:
                result = lean.run(str(folder), request_for(setup, steps))
            t = result.record["timings"]
            add(f"peak_gpu_memory_{mode}", clock.peak_gib, "GiB",
                offload_goal if mode == "group_offload" else "< the full mode's",
                clock.peak_gib < (offload_gib if mode == "group_offload" else full_peak))
            add(f"seconds_per_step_{mode}", t["sampling_s"] / steps, "s", "informational")
            add(f"vae_decode_s_{mode}", t["decode_s"], "s", decode_note)
        except Exception as exc:  # one mode failing must not hide the others' figures
            print(f"# {label}memory mode {mode}: ERROR {type(exc).__name__}: {exc}", flush=True)
        finally:
            lean.unload()
            _free(device)


def _free(device: str) -> None:
    gc.collect()
    if device.startswith("cuda"):
        import torch

        torch.cuda.empty_cache()


if __name__ == "__main__":
    sys.exit(main())
