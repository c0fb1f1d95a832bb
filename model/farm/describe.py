"""The farm's status in words: one line per node and per worker (the CLI and the Jobs panel)."""

from __future__ import annotations


def describe_status(status: dict) -> str:
    """The farm's status for people: one line per node, one per worker, then the queue."""
    nodes = [n for n in status["nodes"] if n["alive"]]
    gpus = sum(n["gpus"] for n in nodes)
    lines = [f"Ray cluster {status['address']}: {len(nodes)} node{'s' if len(nodes) != 1 else ''}, "
             f"{gpus} GPU{'s' if gpus != 1 else ''}"]
    for n in nodes:
        name = n["host"] if n["host"] == n["ip"] else f"{n['host']} ({n['ip']})"
        lines.append(f"  node {name}: {n['gpus']} GPU{'s' if n['gpus'] != 1 else ''}, "
                     f"{n['memory_gib']:g} GiB memory for tasks")
    lines.append("Workers:")
    queued = waiting = 0
    for w in status["workers"]:
        lines.append("  " + describe_worker(w))
        queued += len(w.get("queued", ()))
        waiting += w.get("results_waiting", 0)
    lines.append(f"Queue: {queued} job{'s' if queued != 1 else ''} waiting on the workers, "
                 f"{waiting} result{'s' if waiting != 1 else ''} not yet collected")
    return "\n".join(lines)


def describe_worker(w: dict) -> str:
    """One worker in one line: where, which GPU, what it has loaded and runs."""
    if w.get("unreachable"):
        return f"{w['worker']}: not answering (starting, or waiting for a free GPU)"
    host = w["host"] if w.get("ip") in (None, w["host"]) else f"{w['host']} ({w['ip']})"
    gpu = ", ".join(f"GPU {g['index']} {g['name']} ({g['memory_mib'] / 1024:.0f} GiB, {g['used_mib'] / 1024:.1f} used)"
                    for g in w.get("gpu", ())) or f"GPU {','.join(w.get('gpus', ())) or '?'}"
    loaded = w.get("loaded") or "no model loaded"
    running = w.get("running")
    doing = (f"running “{running['title']}” step {running['step']}/{running['total']}" if running else "idle")
    queued = len(w.get("queued", ()))
    return f"{w['worker']} on {host}, {gpu}: {loaded}; {doing}" + (f"; {queued} queued" if queued else "")


def describe_try(worker: str, node: str, attempt: int, max_attempts: int) -> str:
    """Where a job runs, and which try it is when its earlier worker stopped under it."""
    where = f"on {worker} of {node}"
    if attempt > 1:
        where += f" (try {attempt} of {max_attempts}: the worker before stopped)"
    return where


def short_worker(w: dict) -> str:
    """One worker in a few words, for a narrow panel: name, machine, model, what it runs."""
    if w.get("unreachable"):
        return f"{w['worker']}: not answering"
    parts = [w["worker"], w.get("host", "?")]
    parts.append(w.get("loaded") or "no model loaded")
    running = w.get("running")
    parts.append(f"running “{running['title']}” {running['step']}/{running['total']}" if running else "idle")
    if w.get("queued"):
        parts.append(f"{len(w['queued'])} queued")
    return " · ".join(parts)
