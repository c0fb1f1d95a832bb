"""What the runner adds to sampling: runner time / bare `pipe(...)` time on identical arguments.

Both sides make the same frames from the same tiny LTX-condition pipeline (a keyframe-animated
clip): the baseline calls `pipe(**call, output_type="np")` with the very arguments the engine
builds; the subject is `Runner.run(model, request)`, which also plans the window, builds the
conditions, reports every step, decodes the kept latents itself, cuts the window back, puts the
known frames back and writes the record. A tiny model makes the pipeline's own time small, so
this is the harshest case for the runner's overhead (on a real model a step takes seconds).
"""

from __future__ import annotations

import sys
import tempfile
from fractions import Fraction
from pathlib import Path

from bench.common import Figure, interleaved_ratio

ROOT = Path(__file__).resolve().parents[1]


def measure(quick: bool) -> list[Figure]:
    import torch

    # One thread: with the machine shared, multi-threaded kernels make both sides far noisier.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _measure(quick)
    finally:
        torch.set_num_threads(threads)


def _measure(quick: bool) -> list[Figure]:
    import numpy as np
    import torch

    sys.path.insert(0, str(ROOT / "tests"))
    from tiny_models import build_tiny_ltx_condition

    from model.engines.window import plan_window
    from model.request import Action, Pin, Request
    from model.runner import Hooks, Runner

    with tempfile.TemporaryDirectory() as tmp:
        folder = str(build_tiny_ltx_condition(Path(tmp) / "tiny-ltx"))
        still = np.random.default_rng(0).integers(0, 256, (64, 96, 3), dtype=np.uint8)
        request = Request(
            Action.ANIMATE, 25, Fraction(24), 96, 64, prompt="a red cat runs across the street",
            seed=1, steps=4, context=(Pin(0, (still,)),), options={"max_sequence_length": 32},
        )
        runner = Runner(device="cpu")
        progress = []
        runner.run(folder, request, Hooks(on_progress=lambda *a: progress.append(a)))  # load and warm up
        engine = runner.engine
        call = engine.build_call(request, plan_window(request, engine.limits))
        call["max_sequence_length"] = 32

        def bare() -> None:
            engine.pipe(**call, generator=torch.Generator().manual_seed(request.seed), output_type="np")

        def through_runner() -> None:
            runner.run(folder, request, Hooks(on_progress=lambda *a: progress.append(a)))

        bare()
        ratio = interleaved_ratio(through_runner, bare, repeat=9 if quick else 25)
        runner.unload()
    return [Figure("sampling_overhead_ratio", round(ratio, 3), "x", "<= 1.05", ratio <= 1.05)]


if __name__ == "__main__":
    for figure in measure(quick="--quick" in sys.argv):
        print(figure.line())
