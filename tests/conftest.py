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
