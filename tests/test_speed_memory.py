"""Speed (step caches, compile) and Memory (VAE tiling, int8/fp8 weights) settings on tiny real pipelines.

Each option either runs and changes what the pipeline does, or is refused with a reason that
ends up in the take's record; a job never fails because of one.
"""

from __future__ import annotations

import json
import sys
from fractions import Fraction

import numpy as np
import pytest

from model.engines.base import EngineError
from model.request import Action, Request
from model.runner import Runner
from model.speed import CACHES, Speed, SpeedError, hooked_modules


@pytest.fixture(scope="module")
def ltx2_layers(tmp_path_factory):
    """A tiny LTX-Video with two transformer blocks (first-block cache needs two)."""
    from tiny_models import build_tiny_ltx_condition

    return build_tiny_ltx_condition(tmp_path_factory.mktemp("models") / "tiny-ltx-2-layers", num_layers=2)


def request(n: int = 9, steps: int = 6, **options) -> Request:
    return Request(Action.GENERATE, n, Fraction(24), 32, 32, prompt="a red cat", seed=7, steps=steps,
                   options={"max_sequence_length": 16, **options})


def same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_taylorseer_skips_steps_and_comes_off_for_the_next_job(ltx2_layers):
    runner = Runner(device="cpu")
    plain = runner.run(str(ltx2_layers), request())
    cached = runner.run(str(ltx2_layers), request(speed={"cache": "taylorseer"}))
    assert len(cached.frames) == 9 and cached.frames[0].shape == (32, 32, 3)
    speed = json.loads(json.dumps(cached.record))["parameters"]["speed"]
    assert speed == {"asked": {"cache": "taylorseer", "compile": False}, "cache": "taylorseer", "compiled": False}
    assert not same(plain.frames, cached.frames)  # predicted steps: the cache really did something
    again = runner.run(str(ltx2_layers), request())
    assert same(plain.frames, again.frames)  # taken off: the next plain job is the plain result
    assert hooked_modules(runner.engine.pipe.transformer) == 0
    runner.unload()


def test_the_runner_default_speed_applies_unless_a_job_asks_otherwise(ltx2_layers):
    runner = Runner(device="cpu", speed=Speed(cache="pab"))
    made = runner.run(str(ltx2_layers), request())
    assert made.record["parameters"]["speed"]["cache"] == "pab"
    off = runner.run(str(ltx2_layers), request(speed={"cache": "off"}))
    assert off.record["parameters"]["speed"]["cache"] == "off"
    runner.unload()


def test_a_cache_that_refuses_the_block_type_is_reported_and_the_job_runs(tiny_ltx_dir):
    runner = Runner(device="cpu")
    made = runner.run(str(tiny_ltx_dir), request(steps=2, speed={"cache": "first_block", "compile": True}))
    assert len(made.frames) == 9
    speed = made.record["parameters"]["speed"]
    assert speed["cache"] == "off" and speed["compiled"] is False
    assert "First-block cache refuses LTXVideoTransformer3DModel" in speed["refused"]["cache"]
    assert speed["refused"]["compile"] == "torch.compile is used on NVIDIA GPUs (CUDA) only"
    runner.unload()


def test_a_cache_that_fails_while_sampling_is_taken_off_and_the_job_made_without(tiny_wan_vace_dir):
    # FasterCache accepts Wan's transformer, then fails inside its first step (diffusers 0.42.1)
    runner = Runner(device="cpu")
    plain = runner.run(str(tiny_wan_vace_dir), request(n=5, steps=2))
    made = runner.run(str(tiny_wan_vace_dir), request(n=5, steps=2, speed={"cache": "faster"}))
    speed = made.record["parameters"]["speed"]
    assert speed["cache"] == "off" and "FasterCache failed while sampling" in speed["refused"]["cache"]
    assert same(plain.frames, made.frames)  # the retry starts from the same noise
    again = runner.run(str(tiny_wan_vace_dir), request(n=5, steps=2, speed={"cache": "faster"}))
    assert again.record["parameters"]["speed"]["refused"]["cache"].startswith(
        "FasterCache failed on WanVACETransformer3DModel earlier")  # not tried a second time
    assert same(plain.frames, again.frames)
    runner.unload()


def test_unknown_speed_choices_are_refused_with_the_choices():
    with pytest.raises(SpeedError, match="taylorseer"):
        Speed(cache="warp")
    assert set(CACHES) >= {"off", "taylorseer", "first_block", "pab", "faster"}


def test_int8_weights_through_torchao_are_used_and_recorded(tiny_ltx_dir):
    pytest.importorskip("torchao")
    runner = Runner(device="cpu", quantize="int8")
    made = runner.run(str(tiny_ltx_dir), request(steps=2))
    assert len(made.frames) == 9
    assert made.record["placement"]["quantize"] == "int8"
    weight = runner.engine.pipe.transformer.transformer_blocks[0].ff.net[0].proj.weight
    assert type(weight).__module__.startswith("torchao")
    runner.unload()


def test_a_job_may_ask_for_its_own_memory_settings(tiny_ltx_dir):
    pytest.importorskip("torchao")
    runner = Runner(device="cpu")
    runner.run(str(tiny_ltx_dir), request(steps=1))
    first = runner.engine.pipe
    made = runner.run(str(tiny_ltx_dir), request(steps=1, memory={"quantize": "fp8", "vae_tiling": True}))
    assert made.record["placement"] == {"device": "cpu", "dtype": "float32", "memory": "full",
                                        "vae_tiling": True, "quantize": "fp8"}
    assert runner.engine.pipe is not first and runner.engine.pipe.vae.use_tiling  # reloaded as asked
    plain = runner.run(str(tiny_ltx_dir), request(steps=1))
    assert plain.record["placement"]["quantize"] == "none"  # the next job without them: the runner's own
    assert not runner.engine.pipe.vae.use_tiling
    runner.unload()


def test_without_torchao_quantisation_says_how_to_get_it(tiny_ltx_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "torchao", None)  # as if the extra were not installed
    monkeypatch.setitem(sys.modules, "torchao.quantization", None)
    runner = Runner(device="cpu", quantize="int8")
    with pytest.raises(EngineError, match=r'torchao, which is not installed; install it with: pip install "shotline\[cuda\]"'):
        runner.run(str(tiny_ltx_dir), request(steps=1))
    runner.unload()
