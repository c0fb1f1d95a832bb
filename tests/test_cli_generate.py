"""The headless generation commands as a user runs them: tiny real model folders, real ffmpeg, real files.

Most runs call `run()` in this process (the model folders are built once per session); the
process boundary itself (exit codes, one-line errors, Ctrl+C) is checked with real subprocesses.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from editor.cli.generate_commands import run

ROOT = Path(__file__).resolve().parents[1]


def shotline(*args: str, cwd: Path, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=240, **kw)


def decode(path: Path) -> tuple[list[np.ndarray], float, dict]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(s)]
        return frames, float(s.average_rate), dict(c.metadata)


def square(i: int, colour=(230, 40, 40), w: int = 64, h: int = 48) -> np.ndarray:
    """A coloured square moving 1 px a frame over a textured background (flow needs texture)."""
    y, x = np.mgrid[0:h, 0:w]
    f = np.stack([x * 3, y * 4, (x + y) * 2], -1).clip(0, 255).astype(np.uint8) // 2
    x0 = i
    f[16:32, x0:x0 + 14] = colour
    return f


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    """A still, a corrupt image, two clips of one moving square (frames 0-11 and 24-35), a 5-frame clip."""
    d = tmp_path_factory.mktemp("gen-media")
    out = {}
    rng = np.random.default_rng(0)
    still = np.clip(square(3).astype(int) + rng.integers(0, 20, (48, 64, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(still).save(d / "still.png")
    out["still"] = d / "still.png"
    (d / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20)
    out["broken"] = d / "broken.png"

    def encode(frames, name):
        f = np.stack(frames)
        n, h, w = f.shape[:3]
        from editor.media.ffmpeg_bin import ffmpeg_exe

        subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                        "-s", f"{w}x{h}", "-framerate", "24", "-i", "pipe:0", "-c:v", "libx264", "-crf", "10",
                        "-pix_fmt", "yuv420p", str(d / name)], input=f.tobytes(), check=True)
        return d / name

    out["a"] = encode([square(i) for i in range(12)], "a.mp4")
    out["b"] = encode([square(i) for i in range(24, 36)], "b.mp4")
    out["short"] = encode([square(i) for i in range(5)], "short.mp4")
    return out


def call(capsys, *argv: str) -> tuple[int, str, str]:
    rc = run(argv[0], list(argv[1:]))
    out, err = capsys.readouterr()
    return rc, out, err


FAST = ("--steps", "1", "--device", "cpu")


# --- every command with both tiny models: exactly seconds x fps frames at the asked size ------------


CASES = [
    # command, extra args, seconds, fps, size (none on either model's grid: LTX 8k+1 / 32 px, Wan 4k+1 / 16 px)
    ("generate", ["--prompt", "a red cat runs"], "0.5", "12", (40, 24)),
    ("animate", ["--image", "{still}", "--prompt", "the cat walks"], "0.5", "12", (24, 20)),
    ("extend", ["--clip", "{a}", "--prompt", "the square moves on"], "0.25", "24", (40, 30)),
    ("extend", ["--clip", "{a}", "--backward"], "0.25", "24", (40, 30)),
    ("infill", ["--before", "{a}", "--after", "{b}"], "0.5", "24", (36, 28)),
]


@pytest.mark.parametrize("kind", ["ltx", "wan"])
@pytest.mark.parametrize(("command", "extra", "seconds", "fps", "size"), CASES,
                         ids=["generate", "animate", "extend", "extend-backward", "infill"])
def test_each_command_writes_exactly_the_new_frames(kind, command, extra, seconds, fps, size, media, tmp_path,
                                                    capsys, request):
    model = request.getfixturevalue("tiny_ltx_dir" if kind == "ltx" else "tiny_wan_vace_dir")
    out = tmp_path / "new.mp4"
    argv = [command, "--model", str(model), *[a.format(**media) for a in extra], "--seconds", seconds,
            "--fps", fps, "--size", f"{size[0]}x{size[1]}", "--seed", "7", *FAST, "-o", str(out)]
    rc, stdout, err = call(capsys, *argv)
    assert rc == 0, err
    frames, rate, meta = decode(out)
    assert len(frames) == round(float(seconds) * float(fps))
    assert frames[0].shape == (size[1], size[0], 3)
    assert rate == pytest.approx(float(fps))
    assert "seed 7" in stdout and "AI-generated" in meta["comment"] and "seed 7" in meta["comment"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.mp4"]  # no temporary file left


def test_generate_pins_a_keyframe_at_its_time_and_records_how_it_was_made(tiny_ltx_dir, media, tmp_path, capsys):
    out = tmp_path / "shot.mp4"
    out.write_bytes(b"an older file, replaced only on success")
    rc, stdout, err = call(capsys, "generate", "--model", str(tiny_ltx_dir), "--prompt", "a red cat runs",
                           "--image", f"{media['still']}@0.5", "--seconds", "1", "--fps", "10",
                           "--size", "64x48", "--seed", "42", *FAST, "-o", str(out))
    assert rc == 0, err
    frames, _, meta = decode(out)
    assert len(frames) == 10
    still = np.asarray(Image.open(media["still"]).convert("RGB")).astype(int)
    errors = [np.abs(f.astype(int) - still).mean() for f in frames]
    # the keyframe's frame (0.5 s x 10 fps) shows the image; the tiny random model draws noise elsewhere
    assert errors[5] < 8 and min(errors[:5] + errors[6:]) > 3 * errors[5]
    assert "a red cat runs" in meta["description"] and "seed 42" in meta["comment"]
    assert "repeat this run with --seed 42" in stdout


def test_long_shot_is_made_in_windows_with_a_progress_bar(tiny_wan_vace_dir, tmp_path, capsys):
    # Wan VACE makes at most 81 frames a window: 4 s at 24 fps is two windows.
    out = tmp_path / "long.mp4"
    rc, stdout, err = call(capsys, "generate", "--model", str(tiny_wan_vace_dir), "--prompt", "a slow pan",
                           "--seconds", "4", "--size", "32x16", *FAST, "-o", str(out))
    assert rc == 0, err
    assert "window 1/2" in err and "window 2/2" in err and "ETA" in err
    assert "Loading" not in err  # only our own progress is shown, not the libraries' bars
    seed = int(stdout.split("--seed ")[1].split(")")[0])  # a random seed, printed
    frames, rate, meta = decode(out)
    assert (len(frames), frames[0].shape, rate) == (96, (16, 32, 3), 24.0)
    assert f"seed {seed}" in meta["comment"]


def test_infill_with_interpolation_joins_the_two_clips(media, tmp_path):
    out = tmp_path / "join.mp4"
    # a.mp4 shows frames 0-11 of a moving square and b.mp4 frames 24-35: 12 frames are missing.
    # A real process (the optical-flow engine loads no model, so this one is quick).
    r = shotline("infill", "--model", "interpolate", "--before", str(media["a"]), "--after", str(media["b"]),
                 "--seconds", "0.5", "-o", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    frames, rate, meta = decode(out)
    assert len(frames) == 12 and frames[0].shape == (48, 64, 3) and rate == 24.0
    a_last, b_first = square(11).astype(int), square(24).astype(int)

    def err(frame, ref):
        return np.abs(frame.astype(int) - ref).mean()

    def square_at(frame):
        """How many pixels of the red square show, and the x of their centre."""
        f = frame.astype(int)
        xs = np.nonzero((f[..., 0] > 150) & (f[..., 1] < 110))[1]
        return len(xs), xs.mean() if len(xs) else -1.0

    # the first new frame is close to A's last one, the last close to B's first
    assert err(frames[0], a_last) < 0.5 * err(frames[0], b_first)
    assert err(frames[-1], b_first) < 0.5 * err(frames[-1], a_last)
    # and the square travels through the gap (a cross-fade would show two faint squares instead)
    for k, frame in enumerate(frames):
        count, x = square_at(frame)
        assert count > 80 and abs(x - (12 + k + 6.5)) < 3, (k, count, x)
    assert "seed" not in r.stdout and "interpolation" in meta["description"]


# --- refusals: one line on stderr, non-zero exit, nothing written ---------------------------------


@pytest.fixture(scope="module")
def broken_models(tiny_ltx_dir, tmp_path_factory) -> dict[str, Path]:
    """Copies of the tiny LTX folder with pickle-only weights and with an unknown pipeline class."""
    d = tmp_path_factory.mktemp("broken-models")
    pickled = d / "pickled"
    shutil.copytree(tiny_ltx_dir, pickled)
    for f in (pickled / "transformer").glob("*.safetensors"):
        f.rename(f.with_name("diffusion_pytorch_model.bin"))
    unknown = d / "unknown"
    shutil.copytree(tiny_ltx_dir, unknown)
    index = json.loads((unknown / "model_index.json").read_text())
    index["_class_name"] = "FancyVideoPipeline"
    (unknown / "model_index.json").write_text(json.dumps(index))
    return {"pickled": pickled, "unknown": unknown}


REFUSALS = {
    "missing model folder": (["generate", "--model", "{tmp}/nowhere", "--prompt", "x", "--seconds", "1"],
                             "no such folder"),
    "pickle-only weights": (["generate", "--model", "{pickled}", "--prompt", "x", "--seconds", "1"],
                            "safetensors"),
    "unknown pipeline class": (["generate", "--model", "{unknown}", "--prompt", "x", "--seconds", "1"],
                               "FancyVideoPipeline"),
    "an action the model can't do": (["generate", "--model", "interpolate", "--prompt", "x", "--seconds", "1"],
                                     "can't generate shot"),
    "corrupt image": (["generate", "--model", "{ltx}", "--image", "{broken}@0", "--seconds", "1"], "broken.png"),
    "keyframe after the end": (["generate", "--model", "{ltx}", "--image", "{still}@3", "--seconds", "1"],
                               "outside the shot"),
    "clip too short for the context": (["extend", "--model", "{ltx}", "--clip", "{short}", "--seconds", "1"],
                                       "has 5 frame(s) but 9"),
    "odd size": (["generate", "--model", "{ltx}", "--prompt", "x", "--seconds", "1", "--size", "33x20"],
                 "even sides"),
    "size too large": (["generate", "--model", "{ltx}", "--prompt", "x", "--seconds", "1", "--size", "9000x512"],
                       "8K"),
    "no prompt": (["generate", "--model", "{ltx}", "--seconds", "1"], "--prompt"),
    "not an mp4": (["infill", "--model", "interpolate", "--before", "{a}", "--after", "{b}", "--seconds", "1",
                    "-o", "{tmp}/out.gif"], ".mp4"),
    "unreadable clip": (["infill", "--model", "interpolate", "--before", "{broken}", "--after", "{b}",
                         "--seconds", "1"], "broken.png"),
    "no CUDA here": (["generate", "--model", "{ltx}", "--prompt", "x", "--seconds", "1", "--device", "cuda"],
                     "no CUDA GPU"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_bad_input_is_refused_with_one_line_and_nothing_written(case, media, broken_models, tiny_ltx_dir, tmp_path,
                                                                 capsys):
    argv, says = REFUSALS[case]
    if case == "no CUDA here":
        import torch

        if torch.cuda.is_available():
            pytest.skip("this machine has a CUDA GPU")
    names = {**{k: str(v) for k, v in media.items()}, **{k: str(v) for k, v in broken_models.items()},
             "ltx": str(tiny_ltx_dir), "tmp": str(tmp_path)}
    argv = [a.format(**names) for a in argv]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "out.mp4")]
    before = sorted(tmp_path.iterdir())
    rc, stdout, err = call(capsys, *argv)
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("shotline: error: ") and says in err, err
    assert "Traceback" not in err
    assert sorted(tmp_path.iterdir()) == before


def test_refusals_cross_the_process_boundary_as_one_line(media, tiny_ltx_dir, tmp_path):
    """animate with a corrupt still and extend of a too-short clip, as real processes (no model is loaded)."""
    for argv in (["animate", "--model", str(tiny_ltx_dir), "--image", str(media["broken"]), "--seconds", "1"],
                 ["extend", "--model", str(tiny_ltx_dir), "--clip", str(media["short"]), "--seconds", "1"]):
        r = shotline(*argv, "-o", str(tmp_path / "out.mp4"), cwd=tmp_path)
        assert r.returncode == 2, r.stderr
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("shotline: error: ")
        assert not (tmp_path / "out.mp4").exists()


def test_ctrl_c_cancels_cleanly_and_keeps_the_old_file(tiny_ltx_dir, tmp_path):
    out = tmp_path / "shot.mp4"
    out.write_bytes(b"the previous take")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "generate", "--model", str(tiny_ltx_dir), "--prompt", "a dog",
         "--seconds", "1", "--size", "32x32", "--steps", "500", "--device", "cpu", "-o", str(out)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # sampling has started once the progress bar shows
            line = proc.stderr.readline()
            lines.append(line)
            if line.startswith("generate [") or not line:
                break
        assert lines[-1].startswith("generate ["), "".join(lines)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "cancelled; nothing was written" in err and "Traceback" not in err
    assert out.read_bytes() == b"the previous take"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.mp4"]


# --- models ---------------------------------------------------------------------------------------


def test_models_lists_folders_and_the_cache_and_refuses_a_broken_one(tiny_ltx_dir, tiny_wan_vace_dir,
                                                                     broken_models, tmp_path):
    # a model in the Hugging Face cache, as the hub lays it out (HF_HOME is a temporary folder in tests)
    repo = Path(os.environ["HF_HOME"]) / "hub" / "models--Tiny--ltx-tiny"
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text("abc123")
    (repo / "snapshots").mkdir(exist_ok=True)
    snapshot = repo / "snapshots" / "abc123"
    if not snapshot.exists():
        shutil.copytree(tiny_ltx_dir, snapshot)
    r = shotline("models", str(tiny_ltx_dir), str(tiny_wan_vace_dir), str(broken_models["pickled"]), cwd=tmp_path)
    assert r.returncode == 2
    assert "1 of the folders given can't be used" in r.stderr
    out = r.stdout
    assert f"ltx-condition LTX-Video (tiny-ltx-condition)  [{tiny_ltx_dir}]" in out
    assert f"wan-vace  Wan VACE (tiny-wan-vace)  [{tiny_wan_vace_dir}]" in out
    assert "[Tiny/ltx-tiny]" in out  # found in the cache
    assert "frames 8k+1" in out and "frames 4k+1" in out and "sides multiples of 32" in out
    assert "can: generate, animate, extend_forward" in out
    assert "interpolate Optical-flow interpolation (built in)" in out
    assert f"unusable  {broken_models['pickled']}" in out and "pickle files" in out

    r = shotline("models", str(tiny_wan_vace_dir), "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    listed = {e["path"]: e for e in json.loads(r.stdout)}
    assert listed[str(tiny_wan_vace_dir)]["model"]["kind"] == "wan-vace"
    assert listed[str(tiny_wan_vace_dir)]["model"]["limits"]["frame_step"] == 4
    assert listed["builtin:interpolate"]["model"]["actions"] == ["infill", "loop"]


def test_models_refuses_a_folder_that_does_not_exist(tmp_path, capsys):
    rc, out, err = call(capsys, "models", str(tmp_path / "nope"))
    assert rc == 2 and "no such folder" in out and err.startswith("shotline: error: ")
