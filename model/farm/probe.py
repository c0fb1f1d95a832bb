"""Is the peer at a farm address a Ray head? One short gRPC exchange, before `ray.init` is asked.

A port that takes TCP connections but is not Ray (a web server, an SSH daemon, a typo'd port)
passes `reach.knock`; handed to `ray.init`, Ray's C++ core then retries it for the rest of the
session and prints its warnings straight to this process's stderr (they don't go through
Python's logging, so nothing here could quiet them). So the peer is asked first, with Python's
own gRPC (a Ray dependency, no Ray core involved): its HTTP/2 handshake, then one cheap call of
Ray's own services — the GCS's `GetClusterId` for a GCS address (`host:6379`), the Ray Client
server's `ClusterInfo(PING)` for `ray://host:10001`. A peer that never finishes the handshake, or
answers that it has no such service, is not a Ray head; the caller turns that into one line.

Bounded by `timeout_s`, waited in SLICE_S slices that a `should_stop` (cancel, quit) interrupts.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from model.engines.base import Cancelled

SLICE_S = 0.1  # how often a wait looks at should_stop


def speaks_ray(host: str, port: int, *, client: bool, timeout_s: float,
               should_stop: Callable[[], bool] | None = None) -> bool:
    """True when a Ray head (its GCS, or with `client` its Ray Client server) answers at host:port.
    Raises Cancelled when `should_stop()` turns true meanwhile."""
    import grpc

    target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    # no retries inside gRPC: one handshake, one call, under our own deadline
    channel = grpc.insecure_channel(target, options=[("grpc.enable_retries", 0),
                                                     ("grpc.max_receive_message_length", 16 * 2**20)])
    call, request = _ping(channel, client), _request(client)  # imported before the clock starts
    deadline = time.monotonic() + timeout_s
    try:
        ready = grpc.channel_ready_future(channel)
        while True:
            if should_stop is not None and should_stop():
                raise Cancelled("Stopped while connecting to the farm.")
            left = deadline - time.monotonic()
            if left <= 0:
                ready.cancel()
                return False  # no HTTP/2 handshake: not a gRPC server at all
            try:
                ready.result(timeout=min(SLICE_S, left))
                break
            except grpc.FutureTimeoutError:
                continue
        future = call.future(request, timeout=max(0.1, deadline - time.monotonic()))  # type: ignore[attr-defined]
        while not future.done():
            if should_stop is not None and should_stop():
                future.cancel()
                raise Cancelled("Stopped while connecting to the farm.")
            time.sleep(SLICE_S / 5)
        try:
            future.result()
            return True
        except grpc.RpcError as exc:
            # a Ray that wants a token still is Ray; "no such method" or silence is not
            return exc.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)
        except grpc.FutureCancelledError:
            return False
    finally:
        channel.close()


def _ping(channel: object, client: bool) -> object:
    if client:
        from ray.core.generated import ray_client_pb2

        return channel.unary_unary("/ray.rpc.RayletDriver/ClusterInfo",  # type: ignore[attr-defined]
                                   request_serializer=ray_client_pb2.ClusterInfoRequest.SerializeToString,
                                   response_deserializer=ray_client_pb2.ClusterInfoResponse.FromString)
    from ray.core.generated import gcs_service_pb2

    return channel.unary_unary("/ray.rpc.NodeInfoGcsService/GetClusterId",  # type: ignore[attr-defined]
                               request_serializer=gcs_service_pb2.GetClusterIdRequest.SerializeToString,
                               response_deserializer=gcs_service_pb2.GetClusterIdReply.FromString)


def _request(client: bool) -> object:
    if client:
        from ray.core.generated import ray_client_pb2

        return ray_client_pb2.ClusterInfoRequest(type=ray_client_pb2.ClusterInfoType.PING)
    from ray.core.generated import gcs_service_pb2

    return gcs_service_pb2.GetClusterIdRequest()
