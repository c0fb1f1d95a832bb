"""bench/speed_options.py runs its whole procedure on a tiny LTX-Video on the CPU (the GPU session runs it at real size)."""

from __future__ import annotations

import pytest

from bench.speed_options import main


@pytest.mark.slow
def test_every_option_gives_its_lines_and_refusals_are_said(capsys):
    assert main(["--tiny", "--device", "cpu", "--steps", "4"]) == 0
    out = capsys.readouterr().out.splitlines()
    for name in ("plain", "taylorseer", "first_block", "pab", "int8", "fp8", "vae_tiling", "compile"):
        assert any(line.startswith(f"{name}_s_per_step: ") for line in out), name
    assert "# refused compile (compile): torch.compile is used on NVIDIA GPUs (CUDA) only" in out
    assert not any("ERROR" in line for line in out)
