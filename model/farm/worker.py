"""FarmWorker: the Ray actor on one GPU that keeps a model warm and runs the jobs sent to it.

One actor per GPU (`num_gpus=1`), named and detached, so it outlives the editor that started it:
jobs it was given finish and their results wait here until an editor fetches them. It runs its
jobs one at a time in its own thread with a `model.runner.Runner`, so the model loaded for one job
stays loaded for the next job of the same model. The actor is threaded (several method calls at
once), so `poll` and `cancel` are answered while a job samples; a cancel is seen by the runner's
hooks at the next step.

A job is known by its remote id (a hash of the model identity and the request, so the same
request sent twice, e.g. by an editor that reopened, finds the job already there instead of
making it again). States: queued -> running -> done | failed | cancelled.

No Qt, no editor imports; Ray is imported only inside methods (the class is wrapped by
`ray.remote` in client.py), so this module imports without Ray.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from model.farm.identity import ModelFinder
from model.request import Request

PREVIEW_SIDE = 320  # previews travel back small
KEEP_FINISHED = 4  # finished jobs whose result was fetched, kept in case the fetcher died meanwhile
KEEP_UNFETCHED = 64  # results no editor came back for: the oldest go first (a worker's memory is finite)


@dataclass
class _Job:
    key: str
    identity: str
    hint: str
    request: Request
    title: str
    state: str = "queued"
    step: int = 0
    total: int = 0
    per_step: float = 0.0
    preview: np.ndarray | None = None
    preview_n: int = 0
    message: str = ""
    frames: list | None = None
    record: dict = field(default_factory=dict)
    fetched: bool = False
    cancel: threading.Event = field(default_factory=threading.Event)
    submitted: float = field(default_factory=time.time)
    finished: float | None = None


class FarmWorker:
    """See the module docstring. `stand_in_step_s` set: a StandInRunner instead of models."""

    def __init__(self, name: str, model_folders: list[str] | None = None, stand_in_step_s: float | None = None,
                 shared_folder: str | None = None) -> None:
        self.name = name
        self.finder = ModelFinder(model_folders)
        self.shared_folder = shared_folder
        if stand_in_step_s is not None:
            from model.farm.standin import StandInRunner

            self.runner: Any = StandInRunner(stand_in_step_s)
        else:
            from model.runner import Runner

            self.runner = Runner()
        self.stand_in = stand_in_step_s is not None
        self._jobs: dict[str, _Job] = {}
        self._queue: deque[str] = deque()
        self._cond = threading.Condition()
        self._running: str | None = None
        self.loaded_identity: str | None = None  # the model kept warm, by identity
        self._thread = threading.Thread(target=self._loop, name=f"shotline-{name}", daemon=True)
        self._thread.start()

    # --- asked by the editor (any thread of the actor) ------------------------------------
    def where(self) -> dict:
        """Which machine and GPU this worker is, what it has loaded and what it runs."""
        import ray

        if self.stand_in:
            from model.farm.standin import hold_where

            hold_where(self.name)  # a test's slow worker (see there); no wait otherwise
        ctx = ray.get_runtime_context()
        with self._cond:
            running = self._jobs.get(self._running) if self._running else None
            queued = [self._jobs[k].title for k in self._queue]
            done_waiting = sum(1 for j in self._jobs.values() if j.state == "done" and not j.fetched)
        gpu_ids = [str(g) for g in ray.get_gpu_ids()]
        return {
            "worker": self.name,
            "node_id": ctx.get_node_id(),
            "host": socket.gethostname(),
            "ip": ray.util.get_node_ip_address(),
            "pid": os.getpid(),
            "gpus": gpu_ids,
            "gpu": _gpu_facts(gpu_ids),
            "loaded": self._loaded(),
            "loaded_identity": self.loaded_identity if self._loaded() else None,
            "running": None if running is None else {"key": running.key, "title": running.title,
                                                     "step": running.step, "total": running.total},
            "queued": queued,
            "results_waiting": done_waiting,
        }

    def has_model(self, identity: str, hint: str = "") -> str | None:
        """This machine's folder of the model `identity`, or None."""
        if self.stand_in:
            return hint or identity
        return self.finder.find(identity, hint)

    def missing_message(self, identity: str, hint: str) -> str:
        name = Path(hint).name if hint else identity[:19]
        return (f"{socket.gethostname()} ({self.name}) has no copy of the model {name}: copy that model folder "
                f"to this machine, into one of {self.finder.where_looked()} (set SHOTLINE_MODEL_FOLDERS before "
                "`ray start` to add folders).")

    def submit(self, key: str, identity: str, hint: str, request: Request, title: str = "") -> dict:
        """Queue a job (or find the same one already here); returns its state as poll() does."""
        with self._cond:
            job = self._jobs.get(key)
            if job is None or job.state in ("failed", "cancelled"):
                self._jobs[key] = _Job(key, identity, hint, request, title or key)
                self._queue.append(key)
                self._cond.notify_all()
        return self.poll(key)

    def poll(self, key: str, seen_preview: int = 0) -> dict:
        """The job's state, progress and, when newer than `seen_preview`, its latest preview."""
        with self._cond:
            job = self._jobs.get(key)
            if job is None:
                return {"state": "unknown"}
            out = {"state": job.state, "step": job.step, "total": job.total, "per_step": job.per_step,
                   "message": job.message, "preview_n": job.preview_n,
                   "ahead": list(self._queue).index(key) if key in self._queue else 0}
            if job.preview is not None and job.preview_n > seen_preview:
                out["preview"] = job.preview
        return out

    def result(self, key: str) -> tuple[Any, dict]:
        """(frames, record) of a done job: the frames themselves (through the object store), or
        the path of a lossless .npy file in the shared folder when one is configured."""
        with self._cond:
            job = self._jobs.get(key)
            if job is None or job.state != "done":
                raise LookupError(f"The job {key} has no result on {self.name}.")
            job.fetched = True
            frames, record = job.frames, dict(job.record)
            self._forget_fetched()
        if self.shared_folder:
            path = Path(self.shared_folder) / f"{key}.npy"
            if not path.is_file():
                tmp = path.with_suffix(".partial.npy")
                np.save(tmp, np.stack(frames))
                os.replace(tmp, path)
            return str(path), record
        return frames, record

    def cancel(self, key: str) -> None:
        """Stop the job within one sampling step (or drop it from the queue)."""
        with self._cond:
            job = self._jobs.get(key)
            if job is None:
                return
            job.cancel.set()
            if key in self._queue:
                self._queue.remove(key)
                job.state, job.finished = "cancelled", time.time()

    def unload(self) -> None:
        """Free the GPU (between jobs)."""
        with self._cond:
            if self._running is None:
                self.runner.unload()

    def pid(self) -> int:
        return os.getpid()

    # --- the job thread --------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                key = self._queue.popleft()
                job = self._jobs[key]
                self._running = key
                job.state = "running"
            try:
                self._run(job)
            finally:
                with self._cond:
                    self._running = None

    def _run(self, job: _Job) -> None:
        from model.engines.base import Cancelled, Hooks

        def on_progress(step: int, total: int, per_step: float) -> None:
            with self._cond:
                job.step, job.total, job.per_step = step, total, per_step

        def on_preview(rgb: np.ndarray) -> None:
            small = _shrink(rgb, PREVIEW_SIDE)
            with self._cond:
                job.preview, job.preview_n = small, job.preview_n + 1

        try:
            path = self.has_model(job.identity, job.hint)
            if path is None:
                raise FileNotFoundError(self.missing_message(job.identity, job.hint))
            self.loaded_identity = job.identity
            result = self.runner.run(path, job.request, Hooks(on_progress, on_preview, job.cancel.is_set))
            record = dict(result.record)
            record["farm"] = {"worker": self.name, "host": socket.gethostname(), "remote_id": job.key}
            with self._cond:
                job.frames, job.record, job.state = list(result.frames), record, "done"
        except Cancelled:
            with self._cond:
                job.state = "cancelled"
        except Exception as exc:  # every failure is the job's state and message, never the worker's death
            text = str(exc).strip() or type(exc).__name__
            if not isinstance(exc, ValueError | RuntimeError | OSError):
                text = f"{type(exc).__name__}: {text}"
            with self._cond:
                job.state, job.message = "failed", text
        finally:
            with self._cond:
                job.finished = time.time()
                job.request = None  # type: ignore[assignment]  # the context frames are not needed any more
                self._forget_fetched()

    def _forget_fetched(self) -> None:
        fetched = sorted((j for j in self._jobs.values() if j.fetched), key=lambda j: j.finished or 0)
        for job in fetched[:-KEEP_FINISHED]:
            del self._jobs[job.key]
        ended = sorted((j for j in self._jobs.values() if j.finished is not None and not j.fetched),
                       key=lambda j: j.finished or 0)
        for job in ended[:-KEEP_UNFETCHED]:
            del self._jobs[job.key]

    def _loaded(self) -> str | None:
        path = getattr(self.runner, "loaded_path", None)
        if self.stand_in:
            return self.runner.title if path else None
        info = getattr(self.runner, "info", None)
        return info.title if info is not None and path else None


def _shrink(rgb: np.ndarray, side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    step = max(1, -(-max(h, w) // side))
    return np.ascontiguousarray(rgb[::step, ::step])


def _gpu_facts(ids: list[str]) -> list[dict]:
    """Name and memory of the GPUs given to this worker, [] when none is seen.

    Asked of torch, not nvidia-smi: Ray sets CUDA_VISIBLE_DEVICES for the actor, so the devices
    torch sees are exactly the ones Ray gave it (and no child program is started here)."""
    if not ids:
        return []
    try:
        import torch

        if not torch.cuda.is_available():
            return []
        facts = []
        for index, ray_id in enumerate(ids[: torch.cuda.device_count()]):
            free, total = torch.cuda.mem_get_info(index)
            facts.append({"index": ray_id, "name": torch.cuda.get_device_name(index),
                          "memory_mib": total // 2**20, "used_mib": (total - free) // 2**20})
        return facts
    except (ImportError, RuntimeError):
        return []
