"""The editor's side of the farm: connect, keep one worker per GPU, send jobs, follow them.

    farm = Farm("ray://render-head:10001")
    result = farm.run(model_path, request, hooks)     # the same Result a local Runner returns

`Farm.run` blocks the calling thread (the editor's job thread, the CLI) like `Runner.run` does, so
every caller keeps its life cycle: progress, ETA and previews reach `hooks` while the job runs on
its worker, and `hooks.should_cancel()` turning true stops it there within one sampling step.
Several threads may call it at once: each job goes to the least-busy worker that has its model,
so variations and draft shots fan out across the GPUs while a long shot stays on one worker.
A worker slow to say where it is (still starting, or its machine loaded) is waited for, within
CALL_TIMEOUT_S, before a job queues behind a busy one: two jobs on two GPUs run side by side.

A worker that dies mid-job (its process killed, its node gone) leaves the job interrupted; it is
sent again to another worker, at most `max_attempts` tries in all, each reported through
`on_dispatch` (the journal's ledger records node, worker, remote id and attempt). The loss is
noticed within seconds: a call that waits longer than liveness.LOOK_S makes the client read Ray's
record of the actor, and a worker Ray reports dead or restarting, or restarted in a new process,
is lost at once (model.farm.liveness); only a worker Ray still reports alive is given the whole
CALL_TIMEOUT_S to answer a (tiny) call, however long its job runs. When the caller
*detaches* instead of cancelling (the editor quits), the job is left running on its worker and
the same request sent later (same remote id) collects its result.

`FarmRunner` is the Runner-shaped face of a Farm for `editor.generation.run_job`.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from model.engines.base import Cancelled, Hooks
from model.farm import FarmError, check_address, require_ray
from model.farm.identity import model_identity
from model.farm.liveness import LOOK_S, actor_record, lost_reason
from model.models import ModelError, inspect_model
from model.request import Request
from model.runner import Result

NAMESPACE = "shotline"  # Ray namespace of the workers: every editor of the cluster shares them
MAX_ATTEMPTS = 3  # the first try and two retries on other workers
POLL_S = 0.02  # how often a running job is asked for progress (a small actor call)
CALL_TIMEOUT_S = 60.0  # an actor Ray reports alive that does not answer a tiny call in this time is hung
WHERE_WAIT_S = 0.5  # how long dispatch waits for the slower workers once one has answered
STOP_WAIT_S = 10.0  # how long stop_workers waits for Ray to record the workers ended


class FarmJobFailed(RuntimeError):
    """The job failed on its worker; the message is the worker's, for the user."""


class _WorkerLost(Exception):
    """The worker running a job died or stopped answering."""


@dataclass(frozen=True)
class Sent:
    """Where a job was sent: reported through `on_dispatch` before it runs there."""

    remote_id: str
    node: str  # host name (IP) of the worker's machine
    worker: str  # the actor's name, e.g. "gpu-1"
    attempt: int


@dataclass
class _Slot:
    name: str
    handle: Any
    info: dict = field(default_factory=dict)  # its last answer to `where` (kept when it stays silent)
    inflight: int = 0  # jobs this process has sent and not yet collected
    hung: bool = False  # silent through a whole wait for it: not waited for again until it answers

    @property
    def node(self) -> str:
        host, ip = self.info.get("host", "?"), self.info.get("ip", "")
        return f"{host} ({ip})" if ip and ip != host else host


def remote_id(identity: str, request: Request) -> str:
    """The job's id on the farm: the same model and request (seed, context frames) give the same id."""
    digest = hashlib.sha256(identity.encode())
    digest.update(json.dumps(request.describe(), sort_keys=True, default=str).encode())
    for pin in request.context:
        for frame in pin.frames:
            digest.update(np.ascontiguousarray(frame).tobytes())
    for ref in request.cast:
        digest.update(np.ascontiguousarray(ref.image).tobytes())
    return "sl-" + digest.hexdigest()[:24]


@dataclass(frozen=True)
class ModelRef:
    """A model as the farm names it: its identity, and the editor's path as a first guess."""

    identity: str
    hint: str

    @classmethod
    def of(cls, model_path: str | os.PathLike) -> ModelRef:
        """The hash of the folder when it is here, else the path itself (workers then look for
        that very path)."""
        try:
            return cls(model_identity(model_path), str(model_path))
        except ModelError:
            if Path(model_path).expanduser().exists():
                raise  # here but not a usable model: the local message says why
            return cls(f"path:{model_path}", str(model_path))


class Farm:
    """A Ray cluster's GPUs as Shotline workers; see the module docstring.

    `max_workers` caps the workers used (None: one per GPU of the cluster). `model_folders`,
    `stand_in_step_s` and `worker_env` configure workers this Farm creates (a worker that exists
    already keeps its settings); `shared_folder` makes results come back as files there.
    """

    def __init__(self, address: str = "auto", *, namespace: str = NAMESPACE, max_workers: int | None = None,
                 model_folders: list[str] | None = None, stand_in_step_s: float | None = None,
                 shared_folder: str | None = None, max_attempts: int = MAX_ATTEMPTS,
                 worker_env: dict[str, str] | None = None) -> None:
        self.address = check_address(address)
        self.namespace = namespace
        self.max_workers = max_workers
        self.model_folders = model_folders
        self.stand_in_step_s = stand_in_step_s
        # results written losslessly to a folder every machine mounts at the same path, instead of
        # coming back through the object store (SHOTLINE_FARM_SHARED_FOLDER when not given)
        self.shared_folder = shared_folder or os.environ.get("SHOTLINE_FARM_SHARED_FOLDER") or None
        self.max_attempts = max(1, max_attempts)
        self.worker_env = worker_env
        self._lock = threading.Lock()
        self._slots: list[_Slot] = []
        self._has: dict[tuple[str, str], str | None] = {}  # (worker, identity) -> its folder or None

    # --- the cluster ----------------------------------------------------------------------
    def connect(self, should_stop: Callable[[], bool] | None = None) -> None:
        """Join the cluster (once per process), within reach.CONNECT_TIMEOUT_S: FarmUnreachable
        (one line for the user) when it can't be reached, Cancelled when `should_stop()` turns
        true meanwhile (cancel, quit). No lock is held while waiting (model.farm.reach)."""
        from model.farm.reach import bounded_init

        bounded_init(self.address, self.namespace, should_stop=should_stop)

    def gpu_count(self) -> int:
        """GPUs of the cluster's live nodes (declared resources)."""
        ray = require_ray()
        return int(sum(n.get("Resources", {}).get("GPU", 0) for n in ray.nodes() if n.get("Alive")))

    def workers(self, *, memory: int | None = None, should_stop: Callable[[], bool] | None = None) -> list[_Slot]:
        """One worker per GPU, created (detached, named) when missing; `memory`: bytes each asks for."""
        self.connect(should_stop)
        ray = require_ray()
        from model.farm.worker import FarmWorker

        n = self.gpu_count()
        if self.max_workers is not None:
            n = min(n, self.max_workers)
        if n < 1:
            raise FarmError(f"The Ray cluster at {self.address} has no GPU. Start workers with "
                            "`ray start --address HEAD:6379` on machines with GPUs (or --num-gpus N).")
        with self._lock:
            have = {s.name for s in self._slots}
            for i in range(n):
                name = f"gpu-{i}"
                if name in have:
                    continue
                options: dict[str, Any] = {
                    "name": name, "namespace": self.namespace, "lifetime": "detached", "get_if_exists": True,
                    "num_gpus": 1, "max_restarts": -1, "max_task_retries": 0, "max_concurrency": 8,
                }
                if memory:
                    options["memory"] = int(memory)
                if self.worker_env:
                    options["runtime_env"] = {"env_vars": dict(self.worker_env)}
                handle = ray.remote(FarmWorker).options(**options).remote(
                    name, self.model_folders, self.stand_in_step_s, self.shared_folder)
                self._slots.append(_Slot(name, handle))
            return list(self._slots[:n])

    def stop_workers(self) -> None:
        """End this namespace's workers (their loaded models and waiting results go with them)."""
        ray = require_ray()
        if not ray.is_initialized():
            return
        with self._lock:
            slots, self._slots = self._slots, []
            self._has.clear()
        for slot in slots:
            try:
                ray.kill(slot.handle, no_restart=True)
            except Exception:
                pass  # gone already
        # ray.kill returns before the processes end: return when Ray records them dead (their GPUs
        # free for the next workers), within STOP_WAIT_S
        deadline = time.monotonic() + STOP_WAIT_S
        for slot in slots:
            while time.monotonic() < deadline:
                record = actor_record(slot.handle)
                if record is None or record.state == "DEAD":
                    break
                time.sleep(POLL_S)

    def status(self, *, patient: bool = True) -> dict:
        """Nodes (GPUs and memory), workers (what each has loaded and runs) and the queue.
        `patient=False`: workers that don't answer within WHERE_WAIT_S are listed as not answering."""
        ray = require_ray()
        slots = self.workers()
        nodes = []
        for n in ray.nodes():
            res = n.get("Resources", {})
            nodes.append({"node_id": n.get("NodeID"), "host": n.get("NodeName") or n.get("NodeManagerAddress"),
                          "ip": n.get("NodeManagerAddress"), "alive": bool(n.get("Alive")),
                          "gpus": int(res.get("GPU", 0)), "memory_gib": round(res.get("memory", 0) / 2**30, 1)})
        answered = self._refresh_info(slots, patient=patient)
        workers = []
        for slot in slots:
            info = dict(slot.info) if slot in answered else {"worker": slot.name, "unreachable": True}
            info["worker"] = slot.name
            workers.append(info)
        return {"address": self.address, "nodes": nodes, "workers": workers}

    def _refresh_info(self, slots: list[_Slot], *, patient: bool = False,
                      silent: dict | None = None) -> list[_Slot]:
        """Ask every worker where it is and what it does; those that answer, in order.
        `patient`: wait for every worker (up to CALL_TIMEOUT_S), not only the first to answer.
        `silent` gets {answer ref: slot} of the workers that had not answered yet, to wait on.

        A slot's info is only ever replaced by a newer answer, never blanked: another thread may
        have just chosen that slot and reads its node and pid (see _choose)."""
        ray = require_ray()
        refs = {}
        for slot in slots:
            try:
                refs[slot.handle.where.remote()] = slot
            except Exception:
                pass  # not in the answers
        pending = list(refs)
        answered: list[_Slot] = []

        def collect(ready: list) -> None:
            for ref in ready:
                slot = refs[ref]
                try:
                    slot.info = ray.get(ref)
                    slot.hung = False
                    answered.append(slot)
                except Exception:  # died or restarting
                    pass

        wait = CALL_TIMEOUT_S if patient else WHERE_WAIT_S
        ready, pending = ray.wait(pending, num_returns=len(pending), timeout=wait) if pending else ([], [])
        collect(ready)
        # none answered yet (all busy starting: a first call starts the actors), or only with an
        # error (a worker just killed says so at once): wait for the first real answer
        while not answered and pending:
            ready, pending = ray.wait(pending, num_returns=1, timeout=CALL_TIMEOUT_S)
            if not ready:
                break
            more, pending = ray.wait(pending, num_returns=len(pending), timeout=WHERE_WAIT_S) if pending else ([], [])
            collect(ready + more)
        if silent is not None:
            silent.update((ref, refs[ref]) for ref in pending)
        return [s for s in slots if s in answered]

    # --- a job ----------------------------------------------------------------------------
    def run(self, model_path: str | ModelRef, request: Request, hooks: Hooks | None = None, *,
            on_dispatch: Callable[[Sent], None] | None = None, detached: threading.Event | None = None,
            title: str = "") -> Result:
        """Make `request` on a worker that has the model (a path here, or a ModelRef); see the
        module docstring.

        Raises Cancelled, FarmJobFailed (the worker's message), FarmError (no worker can take it,
        or it was lost `max_attempts` times)."""
        ray = require_ray()
        request.validate()
        hooks = hooks or Hooks()
        model = model_path if isinstance(model_path, ModelRef) else ModelRef.of(model_path)
        identity, hint = model.identity, model.hint
        key = remote_id(identity, request)
        memory = self._plan_memory(hint)
        self.workers(memory=memory, should_stop=hooks.should_cancel)
        request_ref = None
        lost: list[str] = []
        attempt = 0
        while True:
            attempt += 1
            slot = self._choose(identity, hint, avoid=lost, should_stop=hooks.should_cancel)
            try:
                sent = Sent(key, slot.node, slot.name, attempt)
                if on_dispatch is not None:
                    on_dispatch(sent)
                if request_ref is None:
                    request_ref = ray.put(request)  # context frames travel through the object store
                return self._follow(slot, sent, identity, hint, request_ref, hooks, detached, title,
                                    pid=slot.info.get("pid"))
            except _WorkerLost as exc:
                # the whole cluster gone (head down, network cut) is no worker's death: the job
                # waits in the queue (FarmUnreachable) instead of using up its tries
                from model.farm.reach import knock

                knock(self.address, should_stop=hooks.should_cancel)
                lost.append(slot.name)
                with self._lock:
                    self._has = {k: v for k, v in self._has.items() if k[0] != slot.name}
                if attempt >= self.max_attempts:
                    raise FarmError(f"The job was interrupted {attempt} times, its worker stopping under it (last "
                                    f"{slot.name} on {slot.node}: {exc}). Check the farm (python main.py farm "
                                    "status), then run it again.") from exc
            finally:
                with self._lock:
                    slot.inflight -= 1

    def _plan_memory(self, model_path: str) -> int | None:
        """Host memory a worker asks Ray for: the model's weights, as its plan reads them."""
        if self.stand_in_step_s is not None:
            return None
        try:
            return max(256 * 2**20, inspect_model(model_path).weights_bytes) or None
        except ModelError:
            return None

    def _choose(self, identity: str, hint: str, *, avoid: list[str],
                should_stop: Callable[[], bool] | None = None) -> _Slot:
        """The least-busy worker with the model (a warm one first); FarmError when none has it.

        When every worker that answered is busy and some have not answered yet (starting, or slow
        under load), waits for those, up to CALL_TIMEOUT_S (Cancelled when `should_stop()` turns
        true), so a job does not queue behind another while a GPU sits idle; a worker that answers
        meanwhile is a candidate like the others."""
        silent: dict = {}
        slots = self._refresh_info(self.workers(), silent=silent)
        if not slots:
            raise FarmError(f"No Shotline worker of the Ray cluster at {self.address} answers; see "
                            "python main.py farm status.")
        able = self._with_model(slots, identity, hint)
        if not able:
            messages = []
            ray = require_ray()
            for slot in slots:
                try:
                    messages.append(ray.get(slot.handle.missing_message.remote(identity, hint), timeout=CALL_TIMEOUT_S))
                except Exception:
                    messages.append(f"{slot.name} on {slot.node} did not answer")
            raise FarmError("No worker of the farm has this model. " + " ".join(dict.fromkeys(messages)))
        # a silent worker worth waiting for: not one this job was lost on, nor one silent before
        silent = {ref: s for ref, s in silent.items() if s.name not in avoid and not s.hung}

        def busy(slot: _Slot) -> tuple:
            info = slot.info
            load = slot.inflight + len(info.get("queued", ())) + (1 if info.get("running") else 0)
            warm = info.get("loaded_identity") == identity
            return (load, not warm, slot.name)

        deadline = time.monotonic() + CALL_TIMEOUT_S
        while True:
            fresh = [s for s in able if s.name not in avoid] or able
            # chosen and counted under one lock: two threads choosing at once see each other's job
            with self._lock:
                slot = min(fresh, key=busy)
                if busy(slot)[0] == 0 or not silent or time.monotonic() > deadline:
                    slot.inflight += 1
                    return slot
            woke = self._await_silent(silent, deadline, should_stop)
            able += [s for s in self._with_model(woke, identity, hint) if s not in able]

    def _with_model(self, slots: list[_Slot], identity: str, hint: str) -> list[_Slot]:
        """Those of `slots` that have the model `identity` (each worker asked once, then remembered)."""
        ray = require_ray()
        asks = {}
        for slot in slots:
            if (slot.name, identity) not in self._has:
                asks[slot.name] = slot.handle.has_model.remote(identity, hint)
        for name, ref in asks.items():
            try:
                self._has[(name, identity)] = ray.get(ref, timeout=CALL_TIMEOUT_S)
            except Exception:
                self._has[(name, identity)] = None
        return [s for s in slots if self._has.get((s.name, identity))]

    def _await_silent(self, silent: dict, deadline: float, should_stop: Callable[[], bool] | None) -> list[_Slot]:
        """The workers of `silent` ({where ref: slot}, emptied as they answer or end) that answer
        first, [] when none does by `deadline` (those left are then marked hung). Cancelled when
        `should_stop()` turns true meanwhile."""
        ray = require_ray()
        while silent:
            left = deadline - time.monotonic()
            if left <= 0:
                for slot in silent.values():
                    slot.hung = True
                silent.clear()
                return []
            if should_stop is not None and should_stop():
                raise Cancelled("Cancelled while waiting for a farm worker.")
            ready, _ = ray.wait(list(silent), num_returns=1, timeout=min(LOOK_S, left))
            if not ready:
                # one Ray records as ended for good will not answer: stop waiting for it
                for ref, slot in list(silent.items()):
                    record = actor_record(slot.handle)
                    if record is not None and record.state == "DEAD":
                        del silent[ref]
                continue
            ready, _ = ray.wait(list(silent), num_returns=len(silent), timeout=0)  # and any others ready
            woke = []
            for ref in ready:
                slot = silent.pop(ref)
                try:
                    slot.info = ray.get(ref)
                    slot.hung = False
                    woke.append(slot)
                except Exception:  # died or restarting: no answer after all
                    pass
            if woke:
                return woke
        return []

    def _follow(self, slot: _Slot, sent: Sent, identity: str, hint: str, request_ref: Any, hooks: Hooks,
                detached: threading.Event | None, title: str, *, pid: int | None = None) -> Result:
        """Submit the job to `slot` (whose process was `pid` when it was chosen) and follow it."""
        ray = require_ray()
        key = sent.remote_id

        def call(method: str, *args: Any) -> Any:
            """The worker's answer; _WorkerLost as soon as Ray says it died or restarted under the
            job (see model.farm.liveness), or when it stays silent for CALL_TIMEOUT_S while alive."""
            deadline = time.monotonic() + CALL_TIMEOUT_S
            ref = getattr(slot.handle, method).remote(*args)
            while True:
                ready, _ = ray.wait([ref], timeout=LOOK_S)
                if ready:
                    try:
                        return ray.get(ref)
                    except ray.exceptions.ActorUnavailableError as exc:
                        # "temporarily unavailable": lost when Ray's record says so (or can't be
                        # read), else asked again (every call is idempotent: submit finds the job
                        # already there by its key)
                        record = actor_record(slot.handle)
                        why = lost_reason(record, pid)
                        if record is None or why or time.monotonic() > deadline:
                            raise _WorkerLost(why or type(exc).__name__) from exc
                        time.sleep(LOOK_S)
                        ref = getattr(slot.handle, method).remote(*args)
                        continue
                    except ray.exceptions.RayActorError as exc:  # died (ActorDiedError), or its process did
                        raise _WorkerLost(type(exc).__name__) from exc
                why = lost_reason(actor_record(slot.handle), pid)
                if why:
                    raise _WorkerLost(why)
                if detached is not None and detached.is_set() and hooks.should_cancel():
                    raise Cancelled("Left running on the farm; its result is collected when the project opens again.")
                if time.monotonic() > deadline:
                    raise _WorkerLost(f"no answer to {method} in {CALL_TIMEOUT_S:g} s")

        state = call("submit", key, identity, hint, request_ref, title)
        seen_preview, last_step = 0, -1
        while True:
            if state.get("total") and state.get("step") != last_step:
                last_step = state["step"]
                hooks.on_progress(state["step"], state["total"], state.get("per_step", 0.0))
            if "preview" in state:
                seen_preview = state["preview_n"]
                hooks.on_preview(state["preview"])
            what = state["state"]
            if what == "done":
                frames, record = call("result", key)
                shared = isinstance(frames, str)
                if shared:  # written losslessly to the shared folder
                    path = frames
                    frames = list(np.load(path))
                    Path(path).unlink(missing_ok=True)
                record.setdefault("farm", {}).update(node=sent.node, worker=sent.worker, attempt=sent.attempt,
                                                     remote_id=key, via="shared folder" if shared else "object store")
                return Result(list(frames), record)
            if what == "failed":
                raise FarmJobFailed(state.get("message") or "The job failed on its worker.")
            if what == "cancelled":
                raise Cancelled("Cancelled on the farm.")
            if what == "unknown":  # the worker restarted: the job went with its old process
                raise _WorkerLost("the worker restarted")
            if hooks.should_cancel():
                if detached is not None and detached.is_set():
                    raise Cancelled("Left running on the farm; its result is collected when the project opens again.")
                call("cancel", key)
                deadline = time.monotonic() + CALL_TIMEOUT_S
                while call("poll", key, seen_preview)["state"] in ("queued", "running"):
                    if time.monotonic() > deadline:
                        break
                    time.sleep(POLL_S)
                raise Cancelled("Cancelled; the farm stopped it.")
            time.sleep(POLL_S)
            state = call("poll", key, seen_preview)


class FarmRunner:
    """A Farm behind the Runner interface (`run`, `unload`), as `editor.generation.run_job` uses it.

    Connecting waits until the first job (on the caller's thread). `lanes`: how many jobs the
    editor sends at once (one job thread each). `detach()` (the editor quits)
    makes a stop leave running jobs on the farm instead of cancelling them. `for_job(journal, id)`
    is the same runner reporting where each try of that job went to the journal's ledger.
    """

    def __init__(self, address: str = "auto", *, farm: Farm | None = None, lanes: int = 4,
                 on_sent: Callable[[int | None, Sent], None] | None = None, **farm_options: Any) -> None:
        self.farm = farm or Farm(address, **farm_options)
        self.lanes = max(1, lanes)  # jobs the editor runs at once on the farm
        self.detached = threading.Event()
        self.on_sent = on_sent  # (job id, where it went), for the editor's Farm view and messages
        self.loaded_path: str | None = None  # nothing is loaded here

    @property
    def address(self) -> str:
        return self.farm.address

    def run(self, model_path: str, request: Request, hooks: Hooks | None = None, *,
            on_dispatch: Callable[[Sent], None] | None = None, title: str = "") -> Result:
        return self.farm.run(model_path, request, hooks, on_dispatch=on_dispatch, detached=self.detached,
                             title=title)

    def for_job(self, journal_path: str | os.PathLike, job_id: int, title: str = "") -> _JobRunner:
        return _JobRunner(self, journal_path, job_id, title)

    def unload(self) -> None:
        """Models stay warm on their workers (that is what the farm is for)."""

    def detach(self) -> None:
        self.detached.set()


class _JobRunner:
    """A FarmRunner running one journal job: each try is written to the journal's ledger."""

    def __init__(self, runner: FarmRunner, journal_path: str | os.PathLike, job_id: int, title: str = "") -> None:
        self.runner, self.journal_path, self.job_id, self.title = runner, journal_path, job_id, title

    def run(self, model_path: str, request: Request, hooks: Hooks | None = None) -> Result:
        from model.farm import ledger

        def sent(where: Sent) -> None:
            ledger.record(self.journal_path, self.job_id, where.remote_id, where.node, where.worker, where.attempt)
            if self.runner.on_sent is not None:
                self.runner.on_sent(self.job_id, where)

        return self.runner.run(model_path, request, hooks, on_dispatch=sent, title=self.title)
