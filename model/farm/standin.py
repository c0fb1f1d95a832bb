"""A runner that needs no model: each step sleeps, the frames follow from the seed.

It lets a studio check its farm end to end before any model is copied to the workers, and it
is the engine of the farm's tests and bench (steps bound by time, not by this machine's CPUs).
Same shape as model.runner.Runner: run(model_path, request, hooks) -> Result, unload().
"""

from __future__ import annotations

import os
import time

import numpy as np

from model.engines.base import Hooks
from model.request import Request
from model.runner import Result

# Tests: "gpu-0=/some/file" makes the stand-in worker gpu-0 answer `where` only once that file
# exists (at most HOLD_LIMIT_S), as a worker slow to start or on a loaded machine does. Set
# through Farm(worker_env=...), like the fixtures' other worker settings; read only in stand-in mode.
HOLD_WHERE_ENV = "SHOTLINE_STANDIN_HOLD_WHERE"
HOLD_LIMIT_S = 60.0


def hold_where(name: str) -> None:
    """Wait while the worker `name` is told (HOLD_WHERE_ENV) to be slow to answer `where`."""
    worker, _, gate = os.environ.get(HOLD_WHERE_ENV, "").partition("=")
    if worker != name or not gate:
        return
    deadline = time.monotonic() + HOLD_LIMIT_S
    while not os.path.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.02)


class StandInRunner:
    """Sleeps `step_s` per sampling step; frames are noise drawn from the request's seed."""

    def __init__(self, step_s: float = 0.05, preview_every: int = 4) -> None:
        self.step_s = step_s
        self.preview_every = preview_every
        self.loaded_path: str | None = None
        self.title = "Stand-in engine (no model)"

    def run(self, model_path: str, request: Request, hooks: Hooks | None = None) -> Result:
        request.validate()
        hooks = (hooks or Hooks()).paced(self.preview_every)
        self.loaded_path = model_path
        rng = np.random.default_rng(request.seed)
        started = time.perf_counter()
        for i in range(1, request.steps + 1):
            time.sleep(self.step_s)
            hooks.step(i, request.steps)
            if hooks.wants_preview(i, request.steps):
                hooks.preview(rng.integers(0, 255, (request.height, request.width, 3), dtype=np.uint8))
        rng = np.random.default_rng(request.seed)
        frames = [rng.integers(0, 255, (request.height, request.width, 3), dtype=np.uint8)
                  for _ in range(request.num_frames)]
        for pin in request.context:  # kept frames stay as given, as the engines promise
            for offset, frame in enumerate(pin.frames):
                if pin.strength >= 1.0:
                    frames[pin.frame + offset] = frame
        seconds = round(time.perf_counter() - started, 4)
        record = {"engine": "stand-in", "seed": request.seed, "request": request.describe(),
                  "model": {"path": model_path, "kind": "stand-in", "title": self.title},
                  "timings": {"run_s": seconds, "total_s": seconds}}
        return Result(frames, record)

    def unload(self) -> None:
        self.loaded_path = None
