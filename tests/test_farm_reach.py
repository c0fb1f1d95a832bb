"""A Ray cluster that can't be reached (a closed port, a head that is down, a port that answers
but is not Ray): one line saying what to check, the job waits queued with Retry, quitting while
connecting returns and ends the job threads, and the CLI exits with the same line."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from editor.generation import verbs
from editor.ui.jobs import GenerationController, JobsPanel
from editor.ui.selection import GapRef, Selection
from model.journal import JobState

ROOT = Path(__file__).resolve().parents[1]
WAIT_MS = 60_000


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _line(port: int) -> str:
    return f"Can't reach the Ray cluster at 127.0.0.1:{port}: check the address in Settings ▸ Device"


@pytest.mark.parametrize("scheme", ["", "ray://"])
def test_farm_status_on_a_closed_port_is_one_line_and_an_exit_code(closed_port, scheme):
    done = subprocess.run([sys.executable, "main.py", "farm", "status", "--farm", f"{scheme}127.0.0.1:{closed_port}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"shotline: error: {_line(closed_port)}, or that `ray start --head` runs there."]
    assert done.stdout == ""


def test_generate_on_a_closed_port_says_so_and_writes_nothing(closed_port, tmp_path, tiny_ltx_dir):
    out = tmp_path / "out.mp4"
    done = subprocess.run([sys.executable, "main.py", "generate", "--model", str(tiny_ltx_dir), "--seconds", "0.3",
                           "--size", "64x32", "--steps", "2", "--prompt", "a cat", "-o", str(out), "--farm", f"127.0.0.1:{closed_port}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    # the plan line generate always prints, then the one line; nothing of Ray's
    assert done.stderr.strip().splitlines()[1:] == [
        f"shotline: error: {_line(closed_port)}, or that `ray start --head` runs there."]
    assert not out.exists()


def test_an_unreachable_farm_is_not_a_worker_death(closed_port):
    """The retry path knocks before it counts a try: a cluster gone is FarmUnreachable."""
    from model.farm.reach import FarmUnreachable, knock

    with pytest.raises(FarmUnreachable, match="127.0.0.1:"):
        knock(f"127.0.0.1:{closed_port}")
    assert FarmUnreachable.keep_queued


def test_an_unreachable_farm_keeps_the_job_queued_with_retry(qtbot, gap_document, closed_port):
    from model.farm.client import FarmRunner

    runner = FarmRunner(f"127.0.0.1:{closed_port}", stand_in_step_s=0.05, lanes=2)
    ctl = GenerationController(gap_document, Selection(), runner=runner)
    messages: list[str] = []
    ctl.message.connect(messages.append)
    try:
        panel = JobsPanel(ctl)
        qtbot.addWidget(panel)
        panel.show()
        ctl.selection.set_gap(GapRef("v1", 24, 10))
        with qtbot.waitSignal(ctl.job_ended, timeout=WAIT_MS) as ended:
            assert ctl.queue(verbs.INFILL)
        job_id, how = ended.args
        assert how == "requeued", messages
        assert ctl.held.startswith(_line(closed_port)) and _line(closed_port) in messages[-1]
        qtbot.waitUntil(lambda: ctl.journal.get(job_id).state is JobState.QUEUED, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: job_id in panel._rows and panel._rows[job_id].retry.isVisible(), timeout=WAIT_MS)
        row = panel._rows[job_id]
        assert row.retry.text() == "Retry" and _line(closed_port) in row.state.text()
        # the Farm view says the same line
        qtbot.waitUntil(lambda: _line(closed_port) in panel.farm_view.where_text(), timeout=WAIT_MS)
        panel.resize(460, 300)
        panel.grab().save("/tmp/farmfix-unreachable.png")
        # Retry tries again, and the cluster still down holds the job again (no failure, no try used)
        with qtbot.waitSignal(ctl.job_ended, timeout=WAIT_MS) as again:
            row.retry.click()
        assert again.args == [job_id, "requeued"] and ctl.held
        assert ctl.journal.get(job_id).state is JobState.QUEUED
    finally:
        ctl.shutdown()


QUIT_WHILE_CONNECTING = r"""
import socket, sys, threading
sys.path.insert(0, {root!r}); sys.path.insert(0, {tests!r})
from PySide6.QtWidgets import QApplication
app = QApplication([])
from conftest import gap_document
from editor.generation import verbs
from editor.ui.jobs import GenerationController, JobsPanel
from editor.ui.selection import GapRef, Selection
from model.farm.client import FarmRunner
from model.journal import JobState, Journal
from pathlib import Path

# a port that takes connections and never answers them: ray.init would wait on it for ever
silent = socket.socket(); silent.bind(("127.0.0.1", 0)); silent.listen(8)
port = silent.getsockname()[1]
doc = gap_document.__wrapped__(Path({tmp!r}))
runner = FarmRunner(f"127.0.0.1:{{port}}", stand_in_step_s=0.05, lanes=2)
ctl = GenerationController(doc, Selection(), runner=runner)
panel = JobsPanel(ctl); panel.show()
started = []
ctl.job_started.connect(started.append)
ctl.selection.set_gap(GapRef("v1", 24, 10))
assert ctl.queue(verbs.INFILL)
while not started:
    app.processEvents()
lanes = getattr(ctl._worker, "lanes", [ctl._worker])
threads = [w._thread for w in lanes]
panel.close()
ctl.shutdown()  # quit while the job thread is connecting
print("quit returned")
print("threads ended", all(t is None or t.isFinished() for t in threads))
with Journal(doc.folder / "jobs.sqlite") as journal:
    print("job", journal.get(started[0]).state.name)
"""


def test_quitting_while_connecting_returns_and_the_job_resumes_next_time(tmp_path):
    code = QUIT_WHILE_CONNECTING.format(root=str(ROOT), tests=str(ROOT / "tests"), tmp=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "quit returned" in done.stdout and "threads ended True" in done.stdout
    assert "job QUEUED" in done.stdout
    assert "QThread: Destroyed" not in done.stderr


def test_a_port_that_answers_but_is_not_ray_is_one_line_and_no_noise(capfd):
    """A plain TCP listener (not Ray) takes the connection: before ray.init is asked, a short gRPC
    probe finds it is no Ray head, so the message says so and Ray's C++ core never starts
    retrying it (and printing to stderr) in the background."""
    pytest.importorskip("ray")
    from model.farm.client import Farm
    from model.farm.reach import FarmUnreachable, NotARayHead, check_ray_head

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        capfd.readouterr()
        with pytest.raises(NotARayHead) as err:
            Farm(f"127.0.0.1:{port}").connect()
        assert str(err.value) == (
            f"127.0.0.1:{port} answers but is not a Ray head: start one with `ray start --head` there, "
            "or check the address (and port) in Settings ▸ Device.")
        assert isinstance(err.value, FarmUnreachable)  # the job waits queued with Retry, no try used
        with pytest.raises(NotARayHead, match="answers but is not a Ray head"):  # a Ray Client address
            check_ray_head(f"ray://127.0.0.1:{port}", timeout_s=0.5)
    out, errs = capfd.readouterr()
    assert out == "" and errs == ""
