"""Reaching a Ray cluster with a bound: an unreachable cluster is one line for the user, fast.

Ray's own `ray.init(address=...)` against a closed port or a head that is down retries without
end (Ray 2.60: "Failed to connect to GCS ... within N seconds", then again, forever), printing
its C++ core's warnings straight to stderr, and it can't be interrupted from another thread. So
before Ray is asked, the address is resolved and its port is knocked on with a plain TCP
connect, in short slices that a `should_stop` (cancel, quit) interrupts: a refused or silent
port is `FarmUnreachable` within CONNECT_TIMEOUT_S and Ray never starts its retry loop. When the
port answers, the peer is asked whether it is a Ray head at all (`model.farm.probe`, one short
gRPC exchange): a port that answers but is not Ray is `NotARayHead`, one line, and Ray's C++ core
never starts retrying it (and printing to stderr) for the rest of the session. Then `ray.init`
runs on a daemon thread of its own and the caller waits for it under the same bound (again
interruptible), so nothing here can hold a job thread, the CLI or quitting for ever.

Ray's Python logging goes to our log (the root logger), not its own stderr handler.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable

from model.engines.base import Cancelled
from model.farm import FarmError

CONNECT_TIMEOUT_S = float(os.environ.get("SHOTLINE_FARM_CONNECT_TIMEOUT_S", "10"))
SLICE_S = 0.1  # how often a wait looks at should_stop

log = logging.getLogger("shotline.farm")


class FarmUnreachable(FarmError):
    """The cluster did not answer: the job is not at fault and waits in the queue (keep_queued)."""

    keep_queued = True  # editor.ui.jobs.worker puts the job back in the queue instead of failing it


class NotARayHead(FarmUnreachable):
    """Something answers at the address, but not Ray: the address is wrong, not the job."""


PROBE_TIMEOUT_S = 2.0  # a Ray head answers the probe within a round trip; a silent port costs this


def not_ray_message(where: str) -> str:
    return (f"{where} answers but is not a Ray head: start one with `ray start --head` there, "
            "or check the address (and port) in Settings ▸ Device.")


def unreachable_message(where: str) -> str:
    return (f"Can't reach the Ray cluster at {where}: check the address in Settings ▸ Device, "
            "or that `ray start --head` runs there.")


def host_port(address: str) -> tuple[str, int] | None:
    """(host, port) the address reaches; None for `auto` with no cluster known on this machine."""
    if address == "auto":
        try:
            import ray

            if ray.is_initialized():
                # the cluster this process joined, not whichever Ray `ps` finds first on this
                # machine (another user's, or one already gone: a lost worker's retry knocks here)
                found = ray.get_runtime_context().gcs_address
            else:
                from ray._private.services import get_ray_address_from_environment

                found = get_ray_address_from_environment("auto", None)
        except Exception:  # no running Ray instance found here (or a Ray without this helper)
            return None
        address = found
    rest = address[len("ray://"):] if address.startswith("ray://") else address
    host, _, port = rest.rpartition(":")
    return (host.strip("[]"), int(port)) if host and port.isdigit() else None


def knock(address: str, *, timeout_s: float = CONNECT_TIMEOUT_S,
          should_stop: Callable[[], bool] | None = None) -> None:
    """Return when something listens at the address's port; FarmUnreachable when it refuses or
    stays silent for `timeout_s`; Cancelled when `should_stop()` turns true meanwhile."""
    target = host_port(address)
    where = f"{target[0]}:{target[1]}" if target else address
    if target is None:
        raise FarmUnreachable(unreachable_message("auto (no Ray cluster runs on this machine)"))
    deadline = time.monotonic() + timeout_s
    while True:
        if should_stop is not None and should_stop():
            raise Cancelled("Stopped while connecting to the farm.")
        left = deadline - time.monotonic()
        if left <= 0:
            raise FarmUnreachable(unreachable_message(where))
        try:
            socket.create_connection(target, timeout=min(SLICE_S * 5, left)).close()
            return
        except TimeoutError:
            continue  # silent (a firewall, a host that is off): knock again until the deadline
        except OSError as exc:  # refused, no route, unknown host: no point in waiting
            log.info("farm: %s: %s", where, exc)
            raise FarmUnreachable(unreachable_message(where)) from exc


def check_ray_head(address: str, *, timeout_s: float = PROBE_TIMEOUT_S,
                   should_stop: Callable[[], bool] | None = None) -> None:
    """Return when a Ray head answers at the address (its GCS, or its Ray Client server for
    ray://); NotARayHead when the port answers something else. Call after `knock`."""
    from model.farm.probe import speaks_ray

    if os.environ.get("RAY_USE_TLS", "0").lower() in ("1", "true"):
        return  # a TLS cluster wants certificates this plain probe doesn't present: ray.init decides
    target = host_port(address)
    if target is None:
        raise FarmUnreachable(unreachable_message("auto (no Ray cluster runs on this machine)"))
    if not speaks_ray(*target, client=address.startswith("ray://"), timeout_s=timeout_s, should_stop=should_stop):
        log.info("farm: %s:%s takes connections but did not answer as a Ray head", *target)
        raise NotARayHead(not_ray_message(f"{target[0]}:{target[1]}"))


class _Init:
    """The one ray.init of this process, on its own daemon thread."""

    lock = threading.Lock()
    thread: threading.Thread | None = None
    done = threading.Event()
    error: BaseException | None = None
    address: str | None = None  # the address it joined


def quiet_ray_logging() -> None:
    """Ray's Python loggers write to our log, not to their own stderr handler."""
    ray_log = logging.getLogger("ray")
    for handler in list(ray_log.handlers):
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            ray_log.removeHandler(handler)
    ray_log.propagate = True


def bounded_init(address: str, namespace: str, *, timeout_s: float = CONNECT_TIMEOUT_S,
                 should_stop: Callable[[], bool] | None = None) -> None:
    """Knock, then ray.init on a daemon thread, waiting at most `timeout_s` (interruptibly).
    Raises FarmUnreachable, FarmError (Ray refused otherwise) or Cancelled."""
    from model.farm import require_ray

    ray = require_ray()
    quiet_ray_logging()
    if ray.is_initialized() and address in ("auto", _Init.address):
        return
    # a process joins one cluster; asked for another address, it still says when that one is down
    started = time.monotonic()
    knock(address, timeout_s=timeout_s, should_stop=should_stop)
    check_ray_head(address, timeout_s=min(PROBE_TIMEOUT_S, max(0.5, timeout_s - (time.monotonic() - started))),
                   should_stop=should_stop)
    if ray.is_initialized():
        return
    with _Init.lock:
        if _Init.thread is None or (_Init.done.is_set() and not ray.is_initialized()):
            _Init.done = threading.Event()
            _Init.error = None
            done = _Init.done

            def init() -> None:
                try:
                    ray.init(address=address, namespace=namespace, log_to_driver=False, logging_level="ERROR")
                    _Init.address = address
                    quiet_ray_logging()
                except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                    _Init.error = exc
                finally:
                    done.set()

            _Init.thread = threading.Thread(target=init, name="shotline-farm-connect", daemon=True)
            _Init.thread.start()
        done = _Init.done
    deadline = time.monotonic() + timeout_s
    while not done.wait(SLICE_S):
        if should_stop is not None and should_stop():
            raise Cancelled("Stopped while connecting to the farm.")
        if time.monotonic() > deadline:
            target = host_port(address)
            raise FarmUnreachable(unreachable_message(f"{target[0]}:{target[1]}" if target else address))
    if _Init.error is not None:
        exc = _Init.error
        if isinstance(exc, ConnectionError | TimeoutError):
            target = host_port(address)
            raise FarmUnreachable(unreachable_message(f"{target[0]}:{target[1]}" if target else address)) from exc
        raise FarmError(f"Ray refused to connect to {address}: {str(exc).strip().splitlines()[0][:160]}") from exc
