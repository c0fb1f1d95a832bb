"""bench/gpu.py: imports without CUDA, says so in one line, and its whole procedure runs on tiny configs."""

from __future__ import annotations

import re

import pytest

from bench import gpu

LINE = re.compile(r"^[a-z0-9_]+: -?[0-9.]+(e[+-]?[0-9]+)? \S+ \(goal: .+\)(  MISSED)?$")


def test_without_cuda_it_says_so_in_one_line_and_exits_0(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    assert gpu.main([]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "needs a CUDA GPU" in out


def test_the_real_configs_build_the_published_model_sizes():
    import torch
    from diffusers import AutoencoderKLLTXVideo, LTXVideoTransformer3DModel

    with torch.device("meta"):  # shapes only: no memory, no time
        transformer = LTXVideoTransformer3DModel(**gpu.TRANSFORMER_2B)
        vae = AutoencoderKLLTXVideo(**gpu.VAE_095)
    assert 1.9e9 < sum(p.numel() for p in transformer.parameters()) < 2.0e9  # "LTX-Video 2B"
    assert (vae.spatial_compression_ratio, vae.temporal_compression_ratio) == (32, 8)
    assert (gpu.REAL.width, gpu.REAL.height, gpu.REAL.frames, gpu.REAL.steps) == (768, 512, 121, (8, 30))


def test_tiny_run_on_the_cpu_goes_through_every_cpu_side_step(capsys):
    # bf16 on the CPU: the same made-in-bf16 construction path the GPU run takes
    assert gpu.main(["--tiny", "--device", "cpu", "--dtype", "bfloat16"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    figures = [line for line in lines if not line.startswith("#")]
    assert figures and all(LINE.match(line) for line in figures), "\n".join(lines)
    names = {line.split(":")[0] for line in figures}
    assert {"build_model_s", "runner_vs_bare_1_steps", "runner_vs_bare_2_steps", "seconds_per_step_2_steps",
            "vae_decode_s", "first_block_cache_speedup_2_steps", "bench_wall_s"} <= names
    assert "# skipped: compile_repeated_blocks (measured on a GPU only)" in lines


def test_the_ltx2_configs_build_the_published_model_sizes():
    import torch
    from diffusers import AutoencoderKLLTX2Video, LTX2VideoTransformer3DModel

    from bench import gpu_ltx2

    with torch.device("meta"):
        transformer = LTX2VideoTransformer3DModel(**gpu_ltx2.TRANSFORMER_19B)
        vae = AutoencoderKLLTX2Video(**gpu_ltx2.VIDEO_VAE)
    assert 18.8e9 < sum(p.numel() for p in transformer.parameters()) < 19.0e9  # "LTX-2 19B"
    assert (vae.spatial_compression_ratio, vae.temporal_compression_ratio) == (32, 8)
    real = gpu_ltx2.REAL
    assert (real.width, real.height, real.frames, real.steps) == (768, 512, 121, (8, 30))


@pytest.mark.slow
def test_ltx2_tiny_run_on_the_cpu_goes_through_every_cpu_side_step(capsys):
    assert gpu.main(["--family", "ltx2", "--tiny", "--device", "cpu", "--dtype", "bfloat16"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    figures = [line for line in lines if not line.startswith("#")]
    assert figures and all(LINE.match(line) for line in figures), "\n".join(lines)
    names = {line.split(":")[0] for line in figures}
    assert {"ltx2_build_model_s", "ltx2_runner_vs_bare_2_steps", "ltx2_seconds_per_step_3_steps",
            "ltx2_vae_decode_s", "ltx2_audio_decode_s", "ltx2_bench_wall_s"} <= names
    assert "ltx2_sound_made" not in names  # the runner's result carries the sound
    assert "# skipped: ltx2 memory mode group_offload (needs a GPU)" in lines
