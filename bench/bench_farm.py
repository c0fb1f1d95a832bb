"""The render farm (model.farm) on a local Ray: what sending a job costs, and what a second GPU gives.

farm_overhead_s: one tiny job (a tiny random-weight LTX model, 2 steps) through a local Ray
    cluster minus the same job on this computer's Runner, both warm (model loaded), median of
    interleaved runs; each pair uses a fresh seed, so the farm really makes it (a repeated request
    would be collected from the worker's results instead).
farm_scaling_2_workers: 8 jobs of a stand-in engine whose steps sleep (so the 2 CPUs are not what
    is measured) on 2 workers, throughput over the same 8 jobs on 1 worker.
farm_lost_worker_s: a worker's process SIGKILLed mid-job, seconds until its job is sent to the
    other worker (Ray restarts the killed one meanwhile); median of a few kills. Before the client
    read Ray's record of the actor (model.farm.liveness) a call could wait out its 60 s timeout.

Ray runs with 2 CPUs, 2 declared GPUs, a 100 MB object store and no dashboard, and is shut down after.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path
from statistics import median

from bench.common import Figure

ROOT = Path(__file__).resolve().parents[1]


def measure(quick: bool) -> list[Figure]:
    try:
        import ray
    except ImportError:
        print("farm: skipped (Ray is not installed: pip install -e \".[farm]\")", file=sys.stderr)
        return []
    ray.init(num_cpus=2, num_gpus=2, object_store_memory=100 * 2**20, include_dashboard=False,
             log_to_driver=False, logging_level="ERROR", namespace="shotline-bench")
    try:
        return [_overhead(quick), _scaling(quick), _lost_worker(quick)]
    finally:
        ray.shutdown()


def _request(seed: int, steps: int = 2):
    from model.request import Action, Request

    return Request(Action.GENERATE, 9, Fraction(24), 64, 32, prompt="a red cat", seed=seed, steps=steps,
                   options={"max_sequence_length": 16})


def _overhead(quick: bool) -> Figure:
    import torch

    # One torch thread here, as in the worker (Ray gives an actor OMP_NUM_THREADS=1): the same
    # sampling work on both sides, so the difference is what the farm adds.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _overhead_one_thread(quick)
    finally:
        torch.set_num_threads(threads)


def _overhead_one_thread(quick: bool) -> Figure:
    sys.path.insert(0, str(ROOT / "tests"))
    from tiny_models import build_tiny_ltx_condition

    from model.farm.client import Farm
    from model.runner import Runner

    with tempfile.TemporaryDirectory() as tmp:
        folder = str(build_tiny_ltx_condition(Path(tmp) / "tiny-ltx"))
        runner = Runner(device="cpu")
        farm = Farm("auto", namespace="bench-overhead", model_folders=[tmp], max_workers=1)
        try:
            runner.run(folder, _request(0))  # both warm: the model loaded on each side
            farm.run(folder, _request(0))
            here, there = [], []
            for seed in range(1, (6 if quick else 16)):
                t0 = time.perf_counter()
                runner.run(folder, _request(seed))
                here.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                farm.run(folder, _request(seed))
                there.append(time.perf_counter() - t0)
        finally:
            farm.stop_workers()
    overhead = median(there) - median(here)
    return Figure("farm_overhead_s", round(overhead, 3), "s", "< 0.5", overhead < 0.5)


def _scaling(quick: bool) -> Figure:
    from model.farm.client import Farm

    def eight_jobs(workers: int) -> float:
        farm = Farm("auto", namespace=f"bench-scaling-{workers}", stand_in_step_s=0.05, max_workers=workers)
        try:
            farm.run("builtin:interpolate", _request(999, steps=1))  # workers started
            base = 1000 * workers
            threads = [threading.Thread(target=farm.run, args=("builtin:interpolate", _request(base + i, steps=10)))
                       for i in range(8)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return time.perf_counter() - t0
        finally:
            farm.stop_workers()

    one = eight_jobs(1)
    two = eight_jobs(2)
    ratio = one / two
    return Figure("farm_scaling_2_workers", round(ratio, 3), "x", ">= 1.8", ratio >= 1.8)


def _lost_worker(quick: bool) -> Figure:
    from model.farm.client import Farm

    farm = Farm("auto", namespace="bench-lost", stand_in_step_s=0.05, max_workers=2)
    try:
        took = [_one_kill(farm, 5000 + i) for i in range(3 if quick else 7)]
    finally:
        farm.stop_workers()
    value = median(took)
    return Figure("farm_lost_worker_s", round(value, 2), "s", "< 5", value < 5)


def _one_kill(farm, seed: int) -> float:
    """Seconds from SIGKILL of the job's worker to the job's second dispatch."""
    import os
    import signal

    import ray

    from model.engines.base import Hooks

    sent: list = []
    killed: list[float] = []
    again: list[float] = []

    def on_progress(step: int, _total: int, _per_step: float) -> None:
        if step >= 2 and not killed:
            worker = ray.get_actor(sent[-1].worker, namespace=farm.namespace)
            os.kill(ray.get(worker.pid.remote()), signal.SIGKILL)
            killed.append(time.perf_counter())

    def on_dispatch(where) -> None:
        sent.append(where)
        if killed and not again:
            again.append(time.perf_counter())

    farm.run("builtin:interpolate", _request(seed, steps=20), Hooks(on_progress=on_progress), on_dispatch=on_dispatch)
    return again[0] - killed[0]


if __name__ == "__main__":
    for figure in measure(quick="--quick" in sys.argv):
        print(figure.line())
