"""Run every Shotline benchmark and print one line per figure; exit 1 if any misses its goal.

    python -m bench.run            full run (under 5 minutes on a 2-core CPU)
    python -m bench.run --quick    under 1 minute
    python -m bench.run --only export,seek

Each `bench/bench_<topic>.py` exposes `measure(quick: bool) -> list[Figure]`; ratios inside a
module are measured against a baseline run in the same process, interleaved.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import quiet_qt_messages  # noqa: E402 - needs ROOT on sys.path


def topics() -> list[str]:
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(ROOT / "bench")])
                  if m.name.startswith("bench_"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="shorter runs (under a minute)")
    ap.add_argument("--only", default="", help="comma-separated topics: " + ", ".join(topics()))
    args = ap.parse_args(argv)
    quiet_qt_messages()
    chosen = [t for t in topics() if not args.only or t in args.only.split(",")]
    missed = 0
    t0 = time.perf_counter()
    for topic in chosen:
        module = importlib.import_module(f"bench.bench_{topic}")
        try:
            figures = module.measure(args.quick)
        except Exception as exc:  # a broken benchmark is a failure, not a crash of the whole run
            print(f"{topic}: ERROR {type(exc).__name__}: {exc}")
            missed += 1
            continue
        for fig in figures:
            print(fig.line(), flush=True)
            missed += not fig.ok
    print(f"# {len(chosen)} topics in {time.perf_counter() - t0:.1f} s; {missed} missed", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
