"""The job journal: jobs survive a killed process, other threads see progress, bad files say what to do."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from model.journal import JobState, Journal, JournalError

ROOT = Path(__file__).resolve().parents[1]
PLAN = {"action": "infill", "num_frames": 25, "context": [{"frame": 0, "count": 1}]}


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "jobs.sqlite")
    yield j
    j.close()


def test_a_job_runs_from_queued_to_done_and_is_kept_on_disk(tmp_path, journal):
    job = journal.add("infill", "Infill gap after Shot 2", PLAN)
    assert job.state is JobState.QUEUED and job.payload == PLAN and job.title == "Infill gap after Shot 2"
    assert journal.next_queued().id == job.id
    running = journal.mark_running(job.id)
    assert running.state is JobState.RUNNING and running.owner_pid is not None and running.started
    assert journal.progress(job.id, 3, 30).fraction == pytest.approx(0.1)
    done = journal.finish(job.id, {"take": "media/take-0001.mkv"})
    assert done.state is JobState.DONE and done.result == {"take": "media/take-0001.mkv"}
    assert done.step == done.total == 30
    assert journal.next_queued() is None
    # A second, independent opening of the file (another process would see the same).
    again = Journal(tmp_path / "jobs.sqlite")
    assert [(j.id, j.state, j.result) for j in again.jobs()] == [(job.id, JobState.DONE, done.result)]
    again.close()


def test_failure_message_and_retry(journal):
    job = journal.add("generate", "Generate Shot 1", PLAN)
    journal.mark_running(job.id)
    failed = journal.fail(job.id, "The GPU ran out of memory; choose a smaller size or a lighter memory mode.")
    assert failed.state is JobState.FAILED and "out of memory" in failed.message
    retried = journal.requeue(job.id)
    assert retried.id == job.id and retried.state is JobState.QUEUED and retried.message == ""
    with pytest.raises(JournalError, match="only a finished job"):
        journal.requeue(job.id)


def test_running_a_done_job_again_keeps_its_take_and_queues_a_copy(journal):
    job = journal.add("generate", "Generate Shot 1", PLAN)
    journal.mark_running(job.id)
    journal.finish(job.id, {"take": "t1"})
    again = journal.requeue(job.id)
    assert again.id != job.id and again.state is JobState.QUEUED and again.payload == PLAN
    assert journal.get(job.id).result == {"take": "t1"}


def test_cancel_wins_over_a_late_result(journal):
    job = journal.add("generate", "Generate Shot 1", PLAN)
    journal.mark_running(job.id)
    journal.cancel(job.id)
    assert journal.finish(job.id, {"take": "late"}).state is JobState.CANCELLED
    assert journal.get(job.id).result is None
    with pytest.raises(JournalError, match="not queued"):
        journal.mark_running(job.id)


def test_reorder_pause_and_resume(journal):
    a, b, c = (journal.add("generate", f"Shot {n}", {"n": n}) for n in (1, 2, 3))
    order = journal.move(c.id, 0)
    assert [j.id for j in order] == [c.id, a.id, b.id]
    assert journal.next_queued().id == c.id
    journal.pause(c.id)
    assert journal.next_queued().id == a.id  # a paused job keeps its place but doesn't run
    assert [j.id for j in journal.move(a.id, 5)] == [c.id, b.id, a.id]
    journal.resume(c.id)
    assert journal.claim_next().id == c.id
    with pytest.raises(JournalError, match="only waiting jobs"):
        journal.move(c.id, 0)
    with pytest.raises(JournalError, match="cancel it before removing"):
        journal.remove(c.id)
    journal.remove(a.id)
    assert [j.id for j in journal.jobs()] == [c.id, b.id]


def test_a_job_stopped_by_pausing_the_queue_runs_first_on_resume(journal):
    a, b = journal.add("generate", "Shot 1", {}), journal.add("generate", "Shot 2", {})
    assert journal.claim_next().id == a.id
    back = journal.put_back(a.id)
    assert back.state is JobState.QUEUED and back.owner_pid is None
    assert journal.next_queued().id == a.id
    assert [j.id for j in journal.jobs()] == [a.id, b.id]


def test_a_killed_worker_leaves_an_interrupted_job_that_runs_again(tmp_path):
    path = tmp_path / "jobs.sqlite"
    with Journal(path) as j:
        job = j.add("infill", "Infill gap after Shot 2", PLAN)
    child = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from model.journal import Journal
        j = Journal({str(path)!r})
        j.mark_running({job.id})
        j.progress({job.id}, 7, 30)
        print("running", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "running"
        with Journal(path) as watcher:  # the child is alive: its job is left running
            assert watcher.interrupted_on_open == []
            assert watcher.get(job.id).state is JobState.RUNNING
            assert watcher.get(job.id).owner_pid == proc.pid
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()

    with Journal(path) as j:
        assert [x.id for x in j.interrupted_on_open] == [job.id]
        found = j.get(job.id)
        assert found.state is JobState.INTERRUPTED and "Run it again" in found.message
        assert found.step == 7  # how far it got stays visible
        j.requeue(job.id)
        assert j.claim_next().id == job.id
        assert j.finish(job.id, {"take": "media/take-0001.mkv"}).state is JobState.DONE
    with Journal(path) as j:
        assert j.get(job.id).state is JobState.DONE and j.interrupted_on_open == []


def test_a_reader_thread_sees_the_workers_progress(journal):
    job = journal.add("generate", "Generate Shot 1", PLAN)
    journal.mark_running(job.id)
    seen: list[int] = []
    step_written = threading.Event()
    step_read = threading.Event()
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(3):
                assert step_written.wait(5)
                step_written.clear()
                seen.append(journal.get(job.id).step)
                step_read.set()
        except BaseException as e:  # surfaced in the main thread
            errors.append(e)
            step_read.set()

    t = threading.Thread(target=reader)
    t.start()
    for step in (1, 2, 3):
        journal.progress(job.id, step, 3)
        step_written.set()
        assert step_read.wait(5)
        step_read.clear()
    t.join(5)
    assert not errors and seen == [1, 2, 3]


def test_workers_in_two_threads_never_claim_the_same_job(journal):
    for n in range(20):
        journal.add("generate", f"Shot {n}", {"n": n})
    claimed: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        while (job := journal.claim_next()) is not None:
            with lock:
                claimed.append(job.id)
            journal.finish(job.id, None)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(claimed) == sorted(j.id for j in journal.jobs()) and len(set(claimed)) == 20


def test_a_damaged_file_says_which_file_and_what_to_do(tmp_path):
    bad = tmp_path / "jobs.sqlite"
    bad.write_bytes(b"this is not a database, just some bytes" * 200)
    with pytest.raises(JournalError) as err:
        Journal(bad)
    assert str(bad) in str(err.value) and "Move the file aside or delete it" in str(err.value)


def test_another_programs_database_is_not_taken_for_a_job_list(tmp_path):
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE contacts (name TEXT)")
    with pytest.raises(JournalError, match="another program"):
        Journal(other)


def test_a_job_list_from_a_newer_shotline_is_refused(tmp_path):
    path = tmp_path / "jobs.sqlite"
    Journal(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(JournalError, match="newer Shotline"):
        Journal(path)


def test_a_plan_that_is_not_json_is_refused_before_it_is_queued(journal):
    with pytest.raises(JournalError, match="can't be stored as JSON"):
        journal.add("generate", "Shot 1", {"frames": object()})
    assert journal.jobs() == []
