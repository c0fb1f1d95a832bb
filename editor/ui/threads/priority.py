"""Background threads run at a lower CPU priority than the GUI thread.

On a busy machine (two cores shared with other programs) a turn of the GUI thread that needs
15 ms of CPU took 100 ms of wall time while the editor's own helper threads (thumbnail loads,
the background pool reading a project, the journal) took the cores it was waiting for. On
Linux the nice value is per thread, so lowering a helper thread leaves the window's priority
alone; the kernel then gives the GUI thread the core first whenever both want one.
"""

from __future__ import annotations

import os
import sys
import threading

BACKGROUND_NICENESS = 5  # enough for the GUI thread to win a core; the helpers still progress

_done = threading.local()


def lower_this_thread(niceness: int = BACKGROUND_NICENESS) -> None:
    """Lower the calling thread's CPU priority by `niceness` (once per thread; Linux only)."""
    if getattr(_done, "lowered", False):
        return
    _done.lowered = True
    if not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + niceness))
    except (OSError, AttributeError):
        pass  # not allowed here: the thread keeps the window's priority
