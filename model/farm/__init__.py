"""The render farm: generation jobs run on the GPUs of a Ray cluster instead of this computer.

"Where jobs run" is "This computer" (model.runner.Runner, the default) or a Ray cluster address
(`ray://host:10001`, `host:6379` or `auto`). The pieces, one job per module, none importing Qt or
the editor, and Ray only inside functions (it is an optional extra):

    identity.py  a model folder's identity (hash of its configs and weight index), and finding the
                 folder with that identity among a machine's own model folders / Hugging Face cache
    worker.py    FarmWorker: one Ray actor per GPU; keeps one model loaded and warm, queues and
                 runs jobs in its own thread, holds progress, previews and results until fetched
    standin.py   a model-free runner whose steps sleep (farm checks, tests, the bench)
    client.py    Farm: connects, keeps one worker per GPU, dispatches a job to the least-busy
                 worker that has its model, follows it (progress, previews, cancel), retries a job
                 whose worker died on another one; FarmRunner: the Runner-shaped face of it
    ledger.py    which node, worker and remote id run each journal job (a table beside the jobs)

See docs/design.md ("Render farm") for the protocol.
"""

from __future__ import annotations

# Said wherever the farm is asked for without Ray installed: the editor and CLI run as before.
MISSING_RAY = ('Rendering on a Ray cluster needs Ray, which is not installed here: run '
               'pip install -e ".[farm]" (or pip install "ray[default]"), then try again. '
               'Jobs run on this computer meanwhile.')

THIS_COMPUTER = ""  # the "Where jobs run" value for the local runner


class FarmError(RuntimeError):
    """The farm can't take or finish a job; the message says what to do."""


def _token_auth() -> None:
    """Clusters of recent Ray versions started with a token (`ray start` keeps it in
    ~/.ray/auth_token) refuse a driver that does not send it; a token copied to this machine
    means "use it". Set before Ray is first imported, which reads it then."""
    import os
    from pathlib import Path

    if "RAY_AUTH_MODE" not in os.environ and (Path.home() / ".ray" / "auth_token").is_file():
        os.environ["RAY_AUTH_MODE"] = "token"


def ray_available() -> bool:
    """True when Ray can be imported (the `farm` extra is installed)."""
    _token_auth()
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


def require_ray():
    """The ray module, or FarmError saying how to install it."""
    _token_auth()
    try:
        import ray
    except ImportError as exc:
        raise FarmError(MISSING_RAY) from exc
    return ray


def check_address(text: str) -> str:
    """A farm address as typed by the user, checked: `auto`, `ray://host:port` or `host:port`."""
    address = (text or "").strip()
    if not address:
        raise FarmError("Give the Ray cluster's address: auto, ray://HOST:10001 or HOST:6379.")
    if address == "auto":
        return address
    rest = address[len("ray://"):] if address.startswith("ray://") else address
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536 or "/" in rest:
        raise FarmError(f"{address!r} is not a Ray address; use auto, ray://HOST:10001 (Ray client) "
                        "or HOST:6379 (a node of the cluster).")
    return address
