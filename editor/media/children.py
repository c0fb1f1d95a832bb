"""Child programs (ffmpeg) die with Shotline: every program the editor or a command starts goes
through `popen` / `run` here.

Why: when Shotline is killed (kill -9, a crash, the OOM killer), a child it started is normally
left running, orphaned. An ffmpeg reading a file (`new` conforming a video) then keeps writing a
partial file for as long as the source lasts; one fed frames on a pipe finishes a half export.
On Linux the child is asked to receive SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG),
so it stops at once and writes nothing more; the partial file it leaves is removed by the next
run (editor.document.scratch).

How, and why not `preexec_fn`: the signal must be set in the child between fork and exec.
`subprocess`'s `preexec_fn` would do that, but it runs Python code in a forked copy of a process
with threads (the render thread, Qt, torch), which can deadlock on a lock another thread held at
fork time (the Python docs warn it is not thread-safe), and it forces a full fork() instead of
vfork/posix_spawn, costly for an editor holding gigabytes. Instead the child is a tiny Python
program (`_SHIM`, isolated mode, no site: ~20 ms) that sets the signal, checks that its parent
is still the one that started it (a parent that died before prctl would not be noticed), and
then exec's the real program in place: same pid, same pipes, so callers see an ordinary Popen.
The death signal survives exec (except into set-uid programs, which ffmpeg is not).

Limits: Linux only (elsewhere `popen` is a plain Popen). The kernel sends the signal when the
*thread* that started the child ends, not only the process: every caller here waits for its
child on the thread that started it (export, takes, proxies, conform do), and must keep doing so.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence

_SHIM = (
    "import ctypes, os, signal, sys\n"
    "parent = int(sys.argv[1])\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)\n"
    "if os.getppid() != parent:\n"
    "    os._exit(137)  # Shotline died before the signal was set: don't start the program at all\n"
    "try:\n"
    "    os.execv(sys.argv[2], sys.argv[2:])\n"
    "except OSError as exc:\n"
    "    sys.stderr.write(f'{sys.argv[2]} could not be started: {exc}\\n')\n"
    "    os._exit(127)\n"
)


def dies_with_parent() -> bool:
    """True where children started here are killed when Shotline dies (Linux, a real interpreter)."""
    return sys.platform.startswith("linux") and bool(sys.executable) and not getattr(sys, "frozen", False)


def popen(cmd: Sequence[str | os.PathLike], **kwargs) -> subprocess.Popen:
    """`subprocess.Popen(cmd, **kwargs)` whose child is killed if Shotline dies (see the module doc).

    Raises FileNotFoundError, like Popen, when the program does not exist.
    """
    args = [os.fspath(a) for a in cmd]
    if not dies_with_parent() or kwargs.get("shell") or kwargs.get("executable"):
        return subprocess.Popen(args, **kwargs)
    program = shutil.which(args[0])
    if program is None:  # said here as Popen would: the shim itself always starts
        raise FileNotFoundError(errno.ENOENT, f"No such file or directory: {args[0]!r}", args[0])
    shim = [sys.executable, "-I", "-S", "-c", _SHIM, str(os.getpid()), program, *args[1:]]
    return subprocess.Popen(shim, **kwargs)


def run(
    cmd: Sequence[str | os.PathLike],
    *,
    input: bytes | str | None = None,  # noqa: A002 - the name subprocess.run uses
    capture_output: bool = False,
    timeout: float | None = None,
    check: bool = False,
    **kwargs,
) -> subprocess.CompletedProcess:
    """`subprocess.run` for `popen`: the same arguments and result, and the child dies with Shotline."""
    if capture_output:
        kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
    if input is not None:
        kwargs["stdin"] = subprocess.PIPE
    with popen(cmd, **kwargs) as proc:
        try:
            out, err = proc.communicate(input, timeout=timeout)
        except BaseException:  # timeout, Ctrl+C: never leave the program running
            proc.kill()
            proc.wait()
            raise
    if check and proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, list(cmd), out, err)
    return subprocess.CompletedProcess(list(cmd), proc.returncode, out, err)
