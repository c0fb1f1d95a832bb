"""torchao (the optional 8-bit weights extra) is imported only when a user picks int8 / fp8 weights.

Each check runs in a child Python, so what other tests imported into this process can't hide
or fake the import: a generation job with the model's own precision leaves torchao out of
`sys.modules` (and its "Failed to load ..." lines out of the terminal); asking whether it is
installed doesn't import it; picking int8 weights afterwards in the same process still works.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys
from fractions import Fraction
from model.quantize import torchao_available
from model.request import Action, Request
from model.runner import Runner

folder, quantize_after = sys.argv[1], sys.argv[2] == "1"
request = Request(Action.GENERATE, 9, Fraction(24), 32, 32, prompt="a red cat", seed=7, steps=1,
                  options={"max_sequence_length": 16})
runner = Runner(device="cpu")
made = runner.run(folder, request)
seen = {"frames": len(made.frames), "after_job": "torchao" in sys.modules,
        "available": torchao_available(), "after_asking": "torchao" in sys.modules}
if quantize_after:
    print("-- int8 from here --", file=sys.stderr, flush=True)
    runner = Runner(device="cpu", quantize="int8")
    made = runner.run(folder, request)
    weight = runner.engine.pipe.transformer.transformer_blocks[0].ff.net[0].proj.weight
    seen["int8_weight"] = type(weight).__module__
print(json.dumps(seen))
"""


def _child(folder: Path, quantize_after: bool) -> tuple[dict, str]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(folder), "1" if quantize_after else "0"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_a_job_without_quantisation_never_imports_torchao_and_int8_still_works_after(tiny_ltx_dir):
    try:
        import importlib.util

        installed = importlib.util.find_spec("torchao") is not None
    except ImportError:
        installed = False
    seen, stderr = _child(tiny_ltx_dir, quantize_after=installed)
    assert seen["frames"] == 9
    assert seen["after_job"] is False
    assert seen["after_asking"] is False  # torchao_available() probes, it doesn't import
    assert seen["available"] is installed
    before_int8 = stderr.split("-- int8 from here --")[0]
    assert "Failed to load" not in before_int8 and "register_constant" not in before_int8
    if installed:  # the libraries were told torchao is absent; our own int8 path must not be
        assert seen["int8_weight"].startswith("torchao")
