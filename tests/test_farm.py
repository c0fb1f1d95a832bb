"""The render farm on a real local Ray: CPU workers that declare fake GPUs, tiny random-weight models.

Each test uses its own worker namespace and ends its workers, so the two declared GPUs are free
for the next one.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import threading
from fractions import Fraction

import numpy as np
import pytest

from model.engines.base import Cancelled, Hooks
from model.request import Action, Request

_names = itertools.count()


@pytest.fixture
def make_farm(local_ray, tmp_path):
    """Farm(...) with a fresh namespace and an empty Hugging Face cache on its workers."""
    from model.farm.client import Farm

    made = []
    empty = tmp_path / "empty-hf"
    empty.mkdir()

    def make(**kw):
        kw.setdefault("worker_env", {"HF_HOME": str(empty), "HF_HUB_OFFLINE": "1"})
        farm = Farm("auto", namespace=f"t{os.getpid()}-{next(_names)}", **kw)
        made.append(farm)
        return farm

    yield make
    for farm in made:
        farm.stop_workers()


def request(n: int = 9, steps: int = 2, seed: int = 7) -> Request:
    return Request(Action.GENERATE, n, Fraction(24), 64, 32, prompt="a red cat", seed=seed, steps=steps,
                   options={"max_sequence_length": 16})


def test_a_job_through_the_farm_makes_the_frames_a_local_run_makes(make_farm, tiny_ltx_dir):
    from model.runner import Runner

    local = Runner(device="cpu").run(str(tiny_ltx_dir), request())
    farm = make_farm(model_folders=[str(tiny_ltx_dir.parent)], max_workers=1)
    progress, sent = [], []
    result = farm.run(str(tiny_ltx_dir), request(), Hooks(on_progress=lambda *a: progress.append(a[:2])),
                      on_dispatch=sent.append)
    assert len(result.frames) == len(local.frames) == 9
    assert all(np.array_equal(a, b) for a, b in zip(local.frames, result.frames, strict=True))
    assert progress[-1] == (2, 2)
    assert result.record["farm"]["worker"] == "gpu-0" and result.record["farm"]["attempt"] == 1
    assert [s.attempt for s in sent] == [1] and sent[0].remote_id == result.record["farm"]["remote_id"]
    # the model stays warm on its worker for the next job
    status = farm.status()
    assert status["workers"][0]["loaded"].startswith("LTX-Video") and status["nodes"][0]["gpus"] == 2


def test_a_worker_without_the_model_says_so_per_node(make_farm, tiny_ltx_dir, tmp_path):
    from model.farm import FarmError
    from model.farm.client import ModelRef

    # the editor's copy is at a path the worker's machine does not have
    copy = shutil.copytree(tiny_ltx_dir, tmp_path / "here" / "tiny-ltx-condition")
    model = ModelRef.of(copy)
    shutil.rmtree(copy)
    farm = make_farm(model_folders=[str(tmp_path / "worker-models")], max_workers=1)
    with pytest.raises(FarmError) as err:
        farm.run(model, request())
    text = str(err.value)
    assert "has no copy of the model tiny-ltx-condition" in text and "gpu-0" in text
    assert "SHOTLINE_MODEL_FOLDERS" in text


def test_cancel_stops_the_job_on_its_worker_within_a_step(make_farm):
    farm = make_farm(stand_in_step_s=0.1, max_workers=1)
    seen, sent = [], []

    def should_cancel() -> bool:
        return bool(seen) and seen[-1] >= 2

    with pytest.raises(Cancelled):
        farm.run("builtin:interpolate", request(steps=200),
                 Hooks(on_progress=lambda s, t, p: seen.append(s), should_cancel=should_cancel),
                 on_dispatch=sent.append)
    import ray

    worker = ray.get_actor("gpu-0", namespace=farm.namespace)
    state = ray.get(worker.poll.remote(sent[0].remote_id))
    assert state["state"] == "cancelled"
    assert state["step"] <= seen[-1] + 1  # the step running when the cancel came is the last


def test_a_worker_killed_mid_job_leaves_the_job_to_another_worker(make_farm):
    import ray

    farm = make_farm(stand_in_step_s=0.05, max_workers=2)
    sent, killed = [], []

    def on_progress(step: int, total: int, _per_step: float) -> None:
        if step >= 3 and not killed:
            worker = ray.get_actor(sent[-1].worker, namespace=farm.namespace)
            pid = ray.get(worker.pid.remote())
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    previews = []
    result = farm.run("builtin:interpolate", request(steps=20, seed=11),
                      Hooks(on_progress=on_progress, on_preview=previews.append), on_dispatch=sent.append)
    assert previews and previews[-1].shape == (32, 64, 3)  # previews stream back too
    assert killed and [s.attempt for s in sent] == [1, 2]
    assert sent[0].worker != sent[1].worker  # retried on another worker
    expected = np.random.default_rng(11).integers(0, 255, (32, 64, 3), dtype=np.uint8)
    assert np.array_equal(result.frames[0], expected) and result.record["farm"]["attempt"] == 2
    # made once: the killed worker's new process does not have the job (it went with the old one)
    again = ray.get_actor(sent[0].worker, namespace=farm.namespace)
    assert ray.get(again.poll.remote(sent[0].remote_id), timeout=60)["state"] == "unknown"


def test_a_worker_restarted_by_ray_is_told_apart_from_the_process_a_job_went_to(make_farm):
    """What the client reads while a call waits: Ray's record of the actor. Alive in the process
    the job went to: not lost (however long its job runs); restarted in another: lost."""
    import ray

    from model.farm.liveness import actor_record, lost_reason

    farm = make_farm(stand_in_step_s=0.05, max_workers=1)
    (slot,) = farm.workers()
    pid = ray.get(slot.handle.pid.remote())
    assert lost_reason(actor_record(slot.handle), pid) is None
    os.kill(pid, signal.SIGKILL)
    new_pid = None
    for _ in range(600):  # Ray restarts it (max_restarts=-1); each try fails fast while it does
        try:
            new_pid = ray.get(slot.handle.pid.remote(), timeout=60)
            break
        except ray.exceptions.RayActorError:
            continue
    assert new_pid and new_pid != pid
    assert lost_reason(actor_record(slot.handle), pid) == "Ray restarted the worker in a new process"
    assert lost_reason(actor_record(slot.handle), new_pid) is None


def test_a_lost_workers_retry_knocks_on_the_cluster_this_process_joined(local_ray, monkeypatch):
    """`auto` resolves to the cluster this process joined, not to whatever Ray the environment or
    `ps` points at (another user's, or one already gone), which would hold the job as unreachable."""
    from model.farm.reach import host_port, knock

    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{closed}")
    host, port = local_ray.get_runtime_context().gcs_address.rsplit(":", 1)
    assert host_port("auto") == (host, int(port))
    knock("auto")  # reaches the joined cluster


def test_jobs_fan_out_across_workers(make_farm):
    farm = make_farm(stand_in_step_s=0.02, max_workers=2)
    sent, results = [], []

    def one(seed: int) -> None:
        results.append(farm.run("builtin:interpolate", request(steps=10, seed=seed), on_dispatch=sent.append))

    threads = [threading.Thread(target=one, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    assert {s.worker for s in sent} == {"gpu-0", "gpu-1"}


def test_two_jobs_at_once_run_side_by_side_while_a_worker_is_slow_to_answer(make_farm, tmp_path):
    """Two jobs sent at once to two idle workers, one slow to say where it is (still starting, or
    its machine loaded: here gpu-0, held until a file exists), run on both instead of queueing on
    the one that answered first. The client asks `should_cancel` while it waits for a silent
    worker: the job not sent yet opens the gate then (before the fix it was sent without waiting)."""
    from model.farm.standin import HOLD_WHERE_ENV

    gate = tmp_path / "gpu-0-answers"
    farm = make_farm(stand_in_step_s=0.02, max_workers=2, worker_env={HOLD_WHERE_ENV: f"gpu-0={gate}"})
    sent: list = []
    both_sent = threading.Event()
    errors: list = []

    def one(seed: int) -> None:
        mine: list = []

        def dispatched(where) -> None:
            mine.append(where)
            sent.append(where)
            if len(sent) >= 2:
                both_sent.set()

        def should_cancel() -> bool:
            if sent and not mine:  # the other job went out and this one is still choosing
                gate.touch()
            return False

        def on_progress(*_args) -> None:
            both_sent.wait(60)  # keep this job in flight (its worker busy) until both are sent

        try:
            farm.run("builtin:interpolate", request(steps=4, seed=seed),
                     Hooks(on_progress=on_progress, should_cancel=should_cancel), on_dispatch=dispatched)
        except Exception as exc:  # reported below, with the dispatches
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(s,)) for s in (21, 22)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(s.worker for s in sent) == ["gpu-0", "gpu-1"]


def test_results_can_come_back_through_a_shared_folder(make_farm, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    farm = make_farm(stand_in_step_s=0.01, max_workers=1, shared_folder=str(shared))
    result = farm.run("builtin:interpolate", request(steps=2, seed=4))
    expected = np.random.default_rng(4).integers(0, 255, (32, 64, 3), dtype=np.uint8)
    assert len(result.frames) == 9 and np.array_equal(result.frames[0], expected)
    assert result.record["farm"]["via"] == "shared folder"
    assert list(shared.iterdir()) == []  # read, then removed
