"""`--cache`, `--compile`, `--quantize`, `--vae-tiling` and `--enhance` on the generation commands, with tiny models."""

from __future__ import annotations

import pytest
from tiny_extras import build_tiny_text_model

from editor.cli.generate_commands import run


@pytest.fixture(scope="module")
def text_model(tmp_path_factory):
    return build_tiny_text_model(tmp_path_factory.mktemp("llm") / "tiny-llm")


def test_generate_prints_the_plan_enhances_the_prompt_and_runs_with_the_speed_asked(
        tiny_ltx_dir, text_model, tmp_path, capsys):
    out = tmp_path / "shot.mp4"
    code = run("generate", ["--model", str(tiny_ltx_dir), "--prompt", "a red cat", "--seconds", "0.5", "--size", "32x32",
                            "--steps", "2", "--seed", "5", "--device", "cpu", "--cache", "pab", "--compile",
                            "--vae-tiling", "--enhance", "--enhancer", str(text_model), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert out.is_file()
    assert "note: compile not used: torch.compile is used on NVIDIA GPUs (CUDA) only" in captured.err
    enhanced = [line for line in captured.out.splitlines() if line.startswith("enhanced prompt: ")]
    assert enhanced and enhanced[0] != "enhanced prompt: a red cat"
    plan = [line for line in captured.err.splitlines() if line.startswith("plan: ")]
    assert plan == ["plan: 32x32, 12 frames, 2 steps (cache pab, compile, VAE tiling). "
                    "No earlier job of this model to time it by."]


def test_enhance_without_any_enhancer_is_refused_before_anything_loads(tiny_ltx_dir, tmp_path, capsys):
    out = tmp_path / "shot.mp4"
    code = run("generate", ["--model", str(tiny_ltx_dir), "--prompt", "a red cat", "--seconds", "0.5",
                            "--device", "cpu", "--enhance", "-o", str(out)])
    err = capsys.readouterr().err
    assert code != 0 and not out.exists()
    assert "No prompt enhancer: tiny-ltx-condition (LTXConditionPipeline) has no prompt enhancer of its own" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_unknown_speed_choices_are_refused_by_the_parser(tiny_ltx_dir, tmp_path, capsys):
    code = run("generate", ["--model", str(tiny_ltx_dir), "--prompt", "a cat", "--seconds", "0.5",
                            "--cache", "warp", "-o", str(tmp_path / "x.mp4")])
    assert code != 0 and "taylorseer" in capsys.readouterr().err


def test_generate_draft_then_upscale_from_the_command_line(tiny_ltx_dir, tmp_path, capsys):
    import av
    from tiny_extras import build_tiny_ltx_upsampler

    upsampler = build_tiny_ltx_upsampler(tmp_path / "upscaler")
    draft = tmp_path / "draft.mp4"
    assert run("generate", ["--model", str(tiny_ltx_dir), "--prompt", "a red boat", "--seconds", "0.375",
                            "--size", "64x64", "--seed", "3", "--device", "cpu", "--draft", "-o", str(draft)]) == 0
    assert "plan: 32x32, 9 frames, 8 steps" in capsys.readouterr().err
    final = tmp_path / "final.mp4"
    code = run("upscale", ["--model", str(tiny_ltx_dir), "--clip", str(draft), "--prompt", "a red boat", "--seed", "3",
                           "--steps", "2", "--device", "cpu", "--upsampler", str(upsampler), "-o", str(final)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "plan: 64x64, 9 frames, 2 steps" in captured.err
    assert f"upscale: the draft was doubled by {upsampler / 'latent_upsampler'}" in captured.err
    with av.open(str(final)) as c:
        s = c.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(s)]
    assert len(frames) == 9 and frames[0].shape == (64, 64, 3)
