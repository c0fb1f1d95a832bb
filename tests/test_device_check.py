"""bench/device_check.py: the one GPU check. Without a GPU: --dry-run says what would run, every part
fails soft (a failure, crash or hang is a summary line), and --tiny runs the parts on the CPU."""

from __future__ import annotations

import re
import sys

import pytest

from bench import device_check

LINE = re.compile(r"^[a-z0-9_]+: -?[0-9.]+(e[+-]?[0-9]+)? \S+ \(goal: .+\)(  MISSED)?$")


def test_dry_run_names_every_part_and_runs_nothing(capsys):
    assert device_check.main(["--dry-run", "--device", "cpu", "--tiny"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("# device_check: 5 part(s) on cpu (tiny configs), at most ")
    assert [ln.split()[3] for ln in lines[1:]] == [p.name for p in device_check.PARTS]
    assert not any("summary" in ln for ln in lines)


def test_without_cuda_the_gpu_parts_are_skipped_with_a_reason(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    assert device_check.main(["--only", "gpu_ltx,speed_options"]) == 0
    out = capsys.readouterr().out
    assert "device_check gpu_ltx: skipped (0 s)" in out and "device_check speed_options: skipped (0 s)" in out
    assert "no CUDA GPU here (use --tiny --device cpu" in out


def test_a_failing_or_hanging_part_is_a_summary_line_and_the_next_part_still_runs(capsys):
    py = sys.executable
    outcomes = device_check.run_parts([
        ("fails", [py, "-c", "import sys; print('first_s: 1.000 s (goal: measured)'); print('boom'); sys.exit(3)"],
         60, None),
        ("hangs", [py, "-c", "import time; print('# started', flush=True); time.sleep(60)"], 1, None),
        ("works", [py, "-c", "print('second_s: 2.000 s (goal: measured)')"], 60, None),
        ("absent", [py, "-c", "pass"], 60, "no GPU"),
    ])
    assert [(name, outcome) for name, outcome, _ in outcomes] == [
        ("fails", "failed (exit 3)"), ("hangs", "timed out after 1 s"), ("works", "ok"), ("absent", "skipped")]
    out = capsys.readouterr().out
    assert "first_s: 1.000 s (goal: measured)" in out and "# boom" in out and "second_s: 2.000 s" in out
    summary = out.split("# --- summary\n")[1].splitlines()
    assert [ln.split(":")[0] for ln in summary] == ["device_check fails", "device_check hangs", "device_check works",
                                                      "device_check absent"]


def test_bad_choices_are_one_line_each(capsys):
    assert device_check.main(["--only", "warp"]) == 2
    assert device_check.main(["--ltx2-layers", "49"]) == 2
    out = capsys.readouterr().out.splitlines()
    assert out == ["device_check: unknown part warp; choose from environment, tiny_engines, gpu_ltx, gpu_ltx2, "
                   "speed_options.", "device_check: --ltx2-layers takes 1 to 48 (LTX-2 has 48 blocks)."]


@pytest.mark.slow
def test_tiny_parts_run_on_the_cpu(capsys):
    assert device_check.main(["--tiny", "--device", "cpu", "--only", "tiny_engines"]) == 0
    out = capsys.readouterr().out.splitlines()
    figures = [ln for ln in out if not ln.startswith(("#", "device_check "))]
    assert figures and all(LINE.match(ln) for ln in figures), "\n".join(out)
    assert {ln.split(":")[0] for ln in figures} >= {"tiny_ltx_generate_s", "tiny_ltx2_generate_s", "tiny_ltx2_audio_s",
                                                   "tiny_enhance_text_s", "tiny_enhance_image_s"}
    assert not any("MISSED" in ln for ln in figures)
    summary = [ln.split(" (")[0] for ln in out if ln.startswith("device_check ")]
    assert summary == ["device_check tiny_engines: ok"]
