"""One GPU check for a session that has a device: every GPU figure Shotline has, in under ~10 minutes.

    python bench/device_check.py                       on a CUDA machine (about 8 minutes)
    python bench/device_check.py --dry-run             what would run, and each part's time budget
    python bench/device_check.py --tiny --device cpu   every part on tiny configs (the test suite runs a part)
    python bench/device_check.py --only tiny_engines,gpu_ltx2

Parts, each in its own child process with its own time limit, so that a crash, an out-of-memory
or a hang in one is a line in the summary and never the end of the check:
- `environment`: torch, diffusers, the GPU and its free memory;
- `tiny_engines`: tiny random LTX-Video and LTX-2 run through `model.runner.Runner` on the device
  (exact frame count and size, LTX-2's sound as long as the picture), and LTX-2's prompt
  enhancer on the device with and without a first image: the engine tests, on the GPU;
- `gpu_ltx` / `gpu_ltx2`: `bench/gpu.py`'s procedure (runner vs bare pipeline, seconds per step,
  decode, peak memory per memory mode, cache and compile speed-ups) on the published LTX-Video 2B
  and LTX-2 configs with random weights, at a reduced picture (512x320, 41 frames), LTX-2 with
  `--ltx2-layers` of its 48 blocks, so both fit the budget;
- `speed_options`: `bench/speed_options.py` (each Speed and Memory option through the runner,
  its speed-up and peak memory against the plan's estimate) on a random-weight LTX-2 of the real
  width and picture (768x512, 121 frames) with `--ltx2-layers` of its 48 blocks (8 by default:
  writing all 19B to disk, reading them back and running every option twice would not fit ten
  minutes; pass 48 on a machine with the time and ~50 GB of free disk).
Figures are printed one a line in bench/gpu.py's format (`name: value unit (goal: ...)`), comments
start with `#`, and a summary ends the output: one `device_check <part>: ok|failed|timed out|skipped`
line a part. The exit status is 0 when every part that ran passed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

REDUCED = {"width": 512, "height": 320, "frames": 41}  # gpu.py's real models, a smaller picture


@dataclass(frozen=True)
class Part:
    name: str
    budget_s: int  # the child is stopped after this long
    gpu_only: bool  # without CUDA (and without --tiny) it is skipped
    what: str


PARTS = (
    Part("environment", 60, False, "torch, diffusers, the GPU and its free memory"),
    Part("tiny_engines", 90, False, "tiny LTX-Video and LTX-2 through the runner, LTX-2's enhancer, on the device"),
    Part("gpu_ltx", 120, True, "bench/gpu.py on LTX-Video 2B (random weights) at 512x320x41"),
    Part("gpu_ltx2", 150, True, "bench/gpu.py --family ltx2 on LTX-2 (random weights, --ltx2-layers blocks) "
                                "at 512x320x41"),
    Part("speed_options", 150, True, "bench/speed_options.py on a random-weight LTX-2 at 768x512x121"),
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--tiny", action="store_true", help="tiny configs for every part (runs on the CPU)")
    ap.add_argument("--dry-run", action="store_true", help="say what would run; run nothing")
    ap.add_argument("--only", default=None, help="comma-separated parts: " + ",".join(p.name for p in PARTS))
    ap.add_argument("--ltx2-layers", type=int, default=8, help="transformer blocks of the speed_options LTX-2 (48: all)")
    ap.add_argument("--part", default=None, help=argparse.SUPPRESS)  # a child: run this one part
    args = ap.parse_args(argv)
    if args.part is not None:
        return run_part(args.part, args.device, tiny=args.tiny, ltx2_layers=args.ltx2_layers)
    chosen = list(PARTS)
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in {p.name for p in PARTS}]
        if unknown:
            print(f"device_check: unknown part {', '.join(unknown)}; choose from "
                  f"{', '.join(p.name for p in PARTS)}.")
            return 2
        chosen = [p for p in PARTS if p.name in names]
    if args.ltx2_layers < 1 or args.ltx2_layers > 48:
        print("device_check: --ltx2-layers takes 1 to 48 (LTX-2 has 48 blocks).")
        return 2
    cuda = args.device.startswith("cuda") and _cuda_available()
    total = sum(p.budget_s for p in chosen)
    print(f"# device_check: {len(chosen)} part(s) on {args.device}{' (tiny configs)' if args.tiny else ''}, "
          f"at most {total} s", flush=True)
    commands = []
    for part in chosen:
        command = [sys.executable, str(Path(__file__).resolve()), "--part", part.name, "--device", args.device,
                   "--ltx2-layers", str(args.ltx2_layers)] + (["--tiny"] if args.tiny else [])
        skip = None
        if not args.tiny and not cuda and part.name != "environment" and (part.gpu_only or args.device.startswith("cuda")):
            skip = "no CUDA GPU here (use --tiny --device cpu for the procedure)"
        commands.append((part, command, skip))
    if args.dry_run:
        for part, _command, skip in commands:
            print(f"# would run {part.name} (at most {part.budget_s} s): {part.what}"
                  + (f" — skipped: {skip}" if skip else ""))
        return 0
    outcomes = run_parts([(p.name, c, p.budget_s, s) for p, c, s in commands])
    return 0 if all(o in ("ok", "skipped") for _, o, _ in outcomes) else 1


def run_parts(parts: list[tuple[str, list[str], float, str | None]]) -> list[tuple[str, str, float]]:
    """Run each (name, command, budget, skip reason) child in turn, echoing its lines; then the summary.
    One part's failure, crash or hang never stops the next."""
    outcomes = []
    for name, command, budget, skip in parts:
        if skip:
            print(f"# {name}: skipped, {skip}", flush=True)
            outcomes.append((name, "skipped", 0.0))
            continue
        print(f"# --- {name}", flush=True)
        started = time.perf_counter()
        try:
            done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  timeout=budget, env={**os.environ, "PYTHONPATH": str(ROOT)})
            output, outcome = done.stdout, "ok" if done.returncode == 0 else f"failed (exit {done.returncode})"
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout or b""
            output = out.decode(errors="replace") if isinstance(out, bytes) else out
            outcome = f"timed out after {budget:.0f} s"
        except OSError as exc:
            output, outcome = "", f"failed ({exc})"
        lines = output.splitlines()
        # the figures and comments; a failure's last lines too, so the reason is in the log
        shown = [ln for ln in lines if ln.startswith("#") or ": " in ln and "(goal: " in ln]
        if outcome != "ok":
            shown += [f"# {ln}" for ln in lines[-8:] if ln not in shown]
        for line in shown:
            print(line, flush=True)
        outcomes.append((name, outcome, time.perf_counter() - started))
    print("# --- summary", flush=True)
    for name, outcome, seconds in outcomes:
        print(f"device_check {name}: {outcome} ({seconds:.0f} s)", flush=True)
    return outcomes


# --- the parts (each runs in a child) --------------------------------------------------------


def run_part(name: str, device: str, *, tiny: bool, ltx2_layers: int) -> int:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from model.runner import quiet_libraries

    quiet_libraries()
    parts = {"environment": environment, "tiny_engines": tiny_engines, "gpu_ltx": gpu_ltx, "gpu_ltx2": gpu_ltx2,
             "speed_options": speed_options}
    return parts[name](device, tiny=tiny, ltx2_layers=ltx2_layers) or 0


def _cuda_available() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:
        return False


def _dtype(device: str) -> str:
    return "bfloat16" if device.startswith("cuda") else "float32"


def environment(device: str, **_: object) -> int:
    import diffusers
    import torch

    print(f"# torch {torch.__version__}, diffusers {diffusers.__version__}, CUDA {torch.version.cuda}")
    if device.startswith("cuda") and torch.cuda.is_available():
        free, total = torch.cuda.mem_get_info()
        print(f"# {torch.cuda.get_device_name()} (capability {torch.cuda.get_device_capability()})")
        print(f"gpu_free_gib: {free / 1024**3:.3f} GiB (goal: measured)")
        print(f"gpu_total_gib: {total / 1024**3:.3f} GiB (goal: measured)")
    else:
        print(f"# no CUDA GPU; parts run on {device}")
    return 0


def tiny_engines(device: str, **_: object) -> int:
    from fractions import Fraction

    from PIL import Image
    from tiny_extras import build_tiny_pipeline_enhancer
    from tiny_models import build_tiny_ltx2, build_tiny_ltx_condition

    from model.enhance import enhance
    from model.request import Action, Request
    from model.runner import Runner

    failed = 0
    with tempfile.TemporaryDirectory() as scratch:
        for family, build, (w, h, n) in (("ltx", build_tiny_ltx_condition, (64, 32, 9)),
                                         ("ltx2", build_tiny_ltx2, (64, 32, 17))):
            try:
                folder = build(Path(scratch) / f"tiny-{family}")
                runner = Runner(device=device, dtype=_dtype(device))
                request = Request(Action.GENERATE, n, Fraction(24), w, h, prompt="a red boat", seed=1, steps=2)
                started = time.perf_counter()
                made = runner.run(str(folder), request)
                seconds = time.perf_counter() - started
                exact = len(made.frames) == n and all(f.shape[:2] == (h, w) for f in made.frames)
                print(f"tiny_{family}_generate_s: {seconds:.3f} s (goal: {n} frames of {w}x{h})"
                      + ("" if exact else "  MISSED"))
                failed += not exact
                if family == "ltx2":
                    sound = made.audio is not None and abs(made.audio.seconds - n / 24) < 0.05
                    print(f"tiny_ltx2_audio_s: {made.audio.seconds if made.audio else 0:.3f} s "
                          f"(goal: {n / 24:.3f}, the picture's length)" + ("" if sound else "  MISSED"))
                    failed += not sound
                runner.unload()
            except Exception as exc:  # one family failing still tries the next
                print(f"# tiny_{family}: ERROR {type(exc).__name__}: {str(exc)[:200]}")
                failed += 1
        try:
            folder = build_tiny_pipeline_enhancer(Path(scratch) / "tiny-enhancer")
            picture = Image.new("RGB", (40, 24), (200, 30, 30))
            for label, image in (("text", None), ("image", picture)):
                started = time.perf_counter()
                made = enhance("a red boat", model_folder=str(folder), device=device, image=image, max_new_tokens=8)
                print(f"tiny_enhance_{label}_s: {time.perf_counter() - started:.3f} s (goal: some text)"
                      + ("" if made.prompt else "  MISSED"))
        except Exception as exc:
            print(f"# tiny_enhance: ERROR {type(exc).__name__}: {str(exc)[:200]}")
            failed += 1
    return 1 if failed else 0


def _gpu_bench(family: str, device: str, tiny: bool, budget_s: float, layers: int | None = None) -> int:
    from bench import gpu

    if family == "ltx2":
        from bench import gpu_ltx2

        base, run = (gpu_ltx2.TINY if tiny else gpu_ltx2.REAL), gpu_ltx2.measure
        steps = base.steps if tiny else (4, 8)
    else:
        base, run = (gpu.TINY if tiny else gpu.REAL), gpu.measure
        steps = base.steps if tiny else (4, 8)
    setup = base if tiny else replace(base, **REDUCED)
    if layers is not None and not tiny:  # 19B written to disk and read back would not fit the budget
        setup = replace(setup, transformer={**setup.transformer, "num_layers": layers})
    setup = replace(setup, steps=steps, offload_steps=min(setup.offload_steps, 4), budget_s=budget_s, skipped=[])
    blocks = f", {setup.transformer.get('num_layers')} transformer blocks" if not tiny else ""
    print(f"# {family}: {setup.width}x{setup.height}x{setup.frames}, steps {setup.steps}{blocks}")
    figures = run(setup, device, _dtype(device) if tiny else "bfloat16", on_figure=lambda f: print(f.line(), flush=True))
    for what in setup.skipped:
        print(f"# skipped: {what}")
    return 0 if figures else 1


def gpu_ltx(device: str, *, tiny: bool, **_: object) -> int:
    return _gpu_bench("ltx", device, tiny, 90.0)


def gpu_ltx2(device: str, *, tiny: bool, ltx2_layers: int, **_: object) -> int:
    return _gpu_bench("ltx2", device, tiny, 110.0, ltx2_layers)


def speed_options(device: str, *, tiny: bool, ltx2_layers: int, **_: object) -> int:
    import shutil

    from bench import gpu_ltx2
    from bench import speed_options as options

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "ltx2"
        if tiny:
            from tiny_models import build_tiny_ltx2

            build_tiny_ltx2(folder)
            width, height, frames, steps = 64, 32, 17, 2
        else:
            setup = replace(gpu_ltx2.REAL, transformer={**gpu_ltx2.REAL.transformer, "num_layers": ltx2_layers})
            need = 2 * 19e9 * ltx2_layers / 48 * 1.3  # bf16 bytes on disk, with room
            if shutil.disk_usage(scratch).free < need:
                print(f"# speed_options: {need / 1e9:.0f} GB of free disk needed for {ltx2_layers} blocks; "
                      "pass a smaller --ltx2-layers")
                return 1
            started = time.perf_counter()
            gpu_ltx2.build_pipeline(setup, device, "bfloat16").save_pretrained(folder, safe_serialization=True)
            print(f"ltx2_{ltx2_layers}_blocks_build_and_save_s: {time.perf_counter() - started:.3f} s "
                  "(goal: measured)", flush=True)
            width, height, frames, steps = setup.width, setup.height, setup.frames, 4
        for line in options.measure(str(folder), device, width, height, frames, steps):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
