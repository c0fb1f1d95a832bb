"""Speed and Memory settings measured through the runner: seconds per step, peak GPU memory against the plan's estimate.

    python bench/speed_options.py --model DIR [--device cuda] [--size 768x512] [--frames 121] [--steps 30]
    python bench/speed_options.py --tiny --device cpu     the same procedure on a tiny LTX-Video (the test suite runs it)

One run per option, each through `model.runner.Runner` exactly as a job runs: the plain model,
each step cache Settings offers, regional compile (CUDA), int8 and fp8 weights (torchao), VAE
tiling. One line per figure, `name: value unit (goal: ...)`: seconds per step and the speed-up
against the plain run, peak GPU memory (CUDA) and the plan's estimate of it before the run, and
any option the model refused with the reason (`# refused ...`). An option that fails is a line,
never the end of the run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GIB = 1024**3
OPTIONS = (
    ("plain", {}),
    ("taylorseer", {"speed": {"cache": "taylorseer"}}),
    ("first_block", {"speed": {"cache": "first_block"}}),
    ("pab", {"speed": {"cache": "pab"}}),
    ("compile", {"speed": {"compile": True}}),
    ("int8", {"memory": {"quantize": "int8"}}),
    ("fp8", {"memory": {"quantize": "fp8"}}),
    ("vae_tiling", {"memory": {"vae_tiling": True}}),
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="a model folder (LTX-Video, Wan VACE, LTX-2)")
    ap.add_argument("--tiny", action="store_true", help="a tiny random LTX-Video instead of --model")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--size", default=None, help="WxH (default 768x512; 32x32 with --tiny)")
    ap.add_argument("--frames", type=int, default=None, help="default 121 (9 with --tiny)")
    ap.add_argument("--steps", type=int, default=None, help="default 30 (6 with --tiny)")
    args = ap.parse_args(argv)
    if args.device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            print("speed_options: no CUDA GPU here; run with --device cpu (and --tiny) or on a GPU machine")
            return 0
    with tempfile.TemporaryDirectory() as scratch:
        if args.tiny:
            sys.path.insert(0, str(ROOT / "tests"))
            from tiny_models import build_tiny_ltx_condition

            model = str(build_tiny_ltx_condition(Path(scratch) / "tiny-ltx", num_layers=2))
        elif args.model:
            model = args.model
        else:
            ap.error("give --model DIR or --tiny")
        size = args.size or ("32x32" if args.tiny else "768x512")
        width, height = (int(v) for v in size.lower().split("x"))
        frames = args.frames or (9 if args.tiny else 121)
        steps = args.steps or (6 if args.tiny else 30)
        for line in measure(model, args.device, width, height, frames, steps):
            print(line, flush=True)
    return 0


def measure(model: str, device: str, width: int, height: int, frames: int, steps: int) -> list[str]:
    from model.estimate import estimate
    from model.models import inspect_model
    from model.request import Action, Request
    from model.runner import Runner

    info = inspect_model(model)
    lines: list[str] = []
    plain_step = None
    for name, options in OPTIONS:
        runner = Runner(device=device, memory="full")
        request = Request(Action.GENERATE, frames, Fraction(24), width, height, prompt="a red boat on a calm sea",
                          seed=1, steps=steps, options=dict(options))
        try:
            runner.run(model, request)  # once to load (and compile): what is timed is the second run
            made = runner.run(model, request)
        except Exception as exc:  # an option the machine can't run: a line, then the next option
            lines.append(f"# {name}: ERROR {type(exc).__name__}: {str(exc)[:160]}")
            runner.unload()
            continue
        record = made.record
        per_step = record["timings"]["sampling_s"] / steps
        plain_step = plain_step or per_step
        lines.append(f"{name}_s_per_step: {per_step:.3f} s (goal: measured)")
        if name != "plain":
            lines.append(f"{name}_speedup: {plain_step / per_step:.3f} x (goal: >= 1 when it applies)")
        for what, why in ((record["parameters"].get("speed") or {}).get("refused") or {}).items():
            lines.append(f"# refused {name} ({what}): {why}")
        peak = record.get("peak_gpu_bytes")
        if peak is not None:
            placement = record["placement"]
            plan = estimate(info, width=width, height=height, frames=frames, steps=steps, device=device,
                            dtype=placement["dtype"], memory=placement["memory"], vae_tiling=placement["vae_tiling"],
                            quantize=placement["quantize"])
            lines.append(f"{name}_peak_gib: {peak / GIB:.3f} GiB (goal: measured)")
            lines.append(f"{name}_estimate_over_peak: {plan.gpu_bytes / peak:.3f} x (goal: 0.8..1.5)")
        runner.unload()
    return lines


if __name__ == "__main__":
    sys.exit(main())
