"""Test hygiene: offscreen Qt, settings kept away from the user's, warnings from our code are errors."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(autouse=True)
def _fresh_settings(tmp_path_factory, monkeypatch):
    """Never touch the user's real settings, recent list or Hugging Face cache."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SHOTLINE_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    yield


# --- tiny random-weight model folders (tests/tiny_models.py), built once per session ---


@pytest.fixture(scope="session")
def tiny_ltx_dir(tmp_path_factory):
    """A tiny LTXConditionPipeline saved as a local diffusers folder (frames 8k+1, sides % 32)."""
    from tiny_models import build_tiny_ltx_condition

    return build_tiny_ltx_condition(tmp_path_factory.mktemp("models") / "tiny-ltx-condition")


@pytest.fixture(scope="session")
def tiny_wan_vace_dir(tmp_path_factory):
    """A tiny WanVACEPipeline saved as a local diffusers folder (frames 4k+1, sides % 16)."""
    from tiny_models import build_tiny_wan_vace

    return build_tiny_wan_vace(tmp_path_factory.mktemp("models") / "tiny-wan-vace")
