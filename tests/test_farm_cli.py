"""The farm from the command line: `generate --farm`, `farm status`, `farm stop`; without Ray, a hint."""

from __future__ import annotations

import sys

import av
import numpy as np
import pytest

from editor.cli.farm_commands import run as farm_run
from editor.cli.generate_commands import run as generate_run


def frames_of(path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(c.streams.video[0])]


def test_without_ray_the_farm_says_how_to_add_it_and_changes_nothing(monkeypatch, tmp_path, tiny_ltx_dir, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails, as on a machine without the extra
    out = tmp_path / "out.mp4"
    code = generate_run("generate", ["--model", str(tiny_ltx_dir), "--seconds", "0.3", "-o", str(out),
                                     "--farm", "auto"])
    err = capsys.readouterr().err
    assert code == 2 and 'pip install -e ".[farm]"' in err and "Traceback" not in err
    assert not out.exists()
    assert farm_run("farm", ["status"]) == 2
    assert 'pip install -e ".[farm]"' in capsys.readouterr().err


def test_a_bad_farm_address_is_one_line(tmp_path, tiny_ltx_dir, capsys):
    code = generate_run("generate", ["--model", str(tiny_ltx_dir), "--seconds", "0.3", "-o", str(tmp_path / "o.mp4"),
                                     "--farm", "ray://nowhere"])
    assert code == 2 and "is not a Ray address" in capsys.readouterr().err


def test_generate_on_the_farm_writes_what_this_computer_writes(local_ray, tmp_path, tiny_ltx_dir, capsys):
    args = ["--model", str(tiny_ltx_dir), "--seconds", "0.3", "--size", "64x32", "--steps", "2", "--seed", "5",
            "--prompt", "a red cat"]
    try:
        assert generate_run("generate", [*args, "-o", str(tmp_path / "here.mp4")]) == 0
        assert generate_run("generate", [*args, "-o", str(tmp_path / "farm.mp4"), "--farm", "auto"]) == 0
        err = capsys.readouterr().err
        assert "running on gpu-" in err
        here, there = frames_of(tmp_path / "here.mp4"), frames_of(tmp_path / "farm.mp4")
        assert len(here) == len(there) and all(np.array_equal(a, b) for a, b in zip(here, there, strict=True))

        assert farm_run("farm", ["status"]) == 0
        status = capsys.readouterr().out
        assert "1 node, 2 GPUs" in status and "LTX-Video (tiny-ltx-condition)" in status
        assert "Queue: 0 jobs waiting" in status
    finally:
        assert farm_run("farm", ["stop"]) == 0
    assert "stopped 2 Shotline workers" in capsys.readouterr().out


@pytest.mark.parametrize("address", ["auto", "ray://host:10001", "10.0.0.2:6379"])
def test_farm_addresses_users_type_are_taken(address):
    from model.farm import check_address

    assert check_address(address) == address
