"""The render farm from the command line: `farm status`, `farm stop`, and `--farm` for generation.

    python main.py farm status [--farm ADDRESS] [--json]   nodes, GPUs and memory, workers, models, queue
    python main.py farm stop [--farm ADDRESS]              end Shotline's workers (frees their GPUs)
    python main.py generate ... --farm ADDRESS             the job runs on the cluster (generate_commands)

ADDRESS is `auto` (this machine is a node of the cluster), `ray://HOST:10001` (Ray client) or
`HOST:6379`. Without Ray installed each says how to add it and changes nothing.
"""

from __future__ import annotations

import json
import sys
import threading

from editor.cli.common import Parser, guarded
from editor.cli.progress import ProgressBar
from model.farm.describe import describe_status


def run(command: str, argv: list[str]) -> int:
    return guarded(lambda: cmd_farm(argv))


def cmd_farm(argv: list[str]) -> int:
    ap = Parser(prog="main.py farm", description="The render farm: Shotline's workers on a Ray cluster.")
    ap.add_argument("what", choices=("status", "stop"), help="status: what the farm has and does; "
                    "stop: end Shotline's workers (their GPUs are freed, results not collected are lost)")
    ap.add_argument("--farm", default="auto", metavar="ADDRESS",
                    help="the Ray cluster: auto (default), ray://HOST:10001 or HOST:6379")
    ap.add_argument("--json", action="store_true", help="print JSON for scripts (status)")
    args = ap.parse_args(argv)

    from model.farm import check_address, require_ray
    from model.farm.client import Farm

    address = check_address(args.farm)
    require_ray()
    farm = Farm(address)
    if args.what == "stop":
        farm.workers()
        n = len(farm.workers())
        farm.stop_workers()
        print(f"stopped {n} Shotline worker{'s' if n != 1 else ''} on {address}")
        return 0
    status = farm.status()
    print(json.dumps(status, indent=2, default=str) if args.json else describe_status(status))
    return 0


def run_on_farm(address: str, model: str, request, title: str, cancelled: threading.Event):
    """generate/animate/extend/infill --farm: the job runs on the cluster, with the progress bar here."""
    from model.engines.base import Hooks
    from model.farm.client import Farm

    farm = Farm(address)
    farm.connect(cancelled.is_set)  # an unreachable cluster is one line (FarmUnreachable), bounded
    print(f"sending the job to the farm at {address} ...", file=sys.stderr, flush=True)
    bar = ProgressBar(title, sys.stderr)

    def sent(where) -> None:
        again = f" (try {where.attempt}: the last worker stopped)" if where.attempt > 1 else ""
        print(f"running on {where.worker} of {where.node}{again}", file=sys.stderr, flush=True)

    try:
        return farm.run(model, request, Hooks(on_progress=bar.update, should_cancel=cancelled.is_set),
                        on_dispatch=sent)
    finally:
        bar.close()
