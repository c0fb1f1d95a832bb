"""Getting a model from inside Shotline: Settings > Models > Download against a local stand-in for
the Hugging Face Hub (tests/fake_hub.py, reached through HF_ENDPOINT; nothing leaves the machine)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fake_hub import FakeHub

REPO = "tiny-org/tiny-ltx"


@pytest.fixture
def hub(tiny_ltx_dir, tmp_path, monkeypatch):
    """The tiny LTX folder (plus a root-level checkpoint and pickle weights that must be left out)
    served as REPO; downloads allowed in this test only."""
    import huggingface_hub.constants as hf

    served = tmp_path / "served"
    shutil.copytree(tiny_ltx_dir, served)
    (served / "single-file-checkpoint.safetensors").write_bytes(b"\0" * 1000)  # the top level: not needed
    (served / "vae" / "diffusion_pytorch_model.bin").write_bytes(b"\0" * 1000)  # pickle: never fetched
    not_diffusers = tmp_path / "not-diffusers"
    not_diffusers.mkdir()
    (not_diffusers / "README.md").write_text("hello")
    with FakeHub({REPO: served, "tiny-org/readme-only": not_diffusers}) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setattr(hf, "HF_HUB_OFFLINE", False)  # conftest turns the Hub off for every other test
        # small chunks, so a download of a few hundred KB reports progress (and can be cancelled)
        # more than once, as a real one of gigabytes does with its 10 MB chunks
        monkeypatch.setattr(hf, "DOWNLOAD_CHUNK_SIZE", 32 * 1024)
        server.served = served
        yield server


def test_the_plan_lists_only_the_diffusers_files_and_their_size(hub, tmp_path):
    from model.download import plan_download

    plan = plan_download(REPO, local_dir=tmp_path / "model")
    expected = sorted(p.relative_to(hub.served).as_posix() for p in hub.served.rglob("*")
                      if p.is_file() and "/" in p.relative_to(hub.served).as_posix() and not p.name.endswith(".bin")
                      ) + ["model_index.json"]
    assert list(plan.files) == sorted(expected)
    assert plan.total_bytes == plan.missing_bytes == sum((hub.served / f).stat().st_size for f in plan.files)
    assert not (tmp_path / "model").exists()  # asking writes nothing


@pytest.mark.parametrize(("repo", "says"), [
    ("tiny-org/nothing-here", "There is no model tiny-org/nothing-here on the Hub"),
    ("tiny-org/readme-only", "not a diffusers model folder"),
    ("not a name!", "is not a Hub model name"),
])
def test_a_bad_repository_is_a_one_line_message(hub, tmp_path, repo, says):
    from model.download import DownloadError, download_model

    with pytest.raises(DownloadError, match=says) as caught:
        download_model(repo, local_dir=tmp_path / "model")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "model").exists()


def test_downloads_are_off_while_hf_hub_offline_is_set(hub, tmp_path, monkeypatch):
    import huggingface_hub.constants as hf

    from model.download import DownloadError, plan_download

    monkeypatch.setattr(hf, "HF_HUB_OFFLINE", True)
    with pytest.raises(DownloadError, match="HF_HUB_OFFLINE"):
        plan_download(REPO, local_dir=tmp_path / "model")


def test_no_download_starts_without_room_for_it(tmp_path):
    from model.download import DownloadError, check_free_space, existing_parent

    free = shutil.disk_usage(tmp_path).free
    with pytest.raises(DownloadError, match="free some space or choose another folder"):
        check_free_space(tmp_path / "not" / "made" / "yet", free + 1)
    assert existing_parent(tmp_path / "not" / "made" / "yet") == tmp_path
    assert not (tmp_path / "not").exists()


def _wait_state(qtbot, dialog, state: str) -> None:
    qtbot.waitUntil(lambda: dialog.state == state, timeout=60_000)


def test_settings_download_cancels_resumes_and_the_model_appears(qtbot, hub, tmp_path):
    """Download into a chosen folder: cancel mid-file (the finished files stay), download again
    (only the missing file is fetched), and the model is listed as usable when done."""
    from editor.ui.settings import Settings
    from editor.ui.settings_dialog import SettingsDialog
    from model.download import plan_download

    settings = Settings()
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.model_help.isVisible())
    help_text = dialog.model_help.text()
    for name in ("LTX-Video", "LTX-2", "Wan 2.1 VACE", "GPU memory", "Download…"):
        assert name in help_text  # the first-run page says which models, how big, how to get them
    dialog.open_download()
    down = dialog.download_dialog  # a child of the settings dialog: closed with it
    qtbot.waitUntil(down.isVisible)
    target = tmp_path / "Models" / "tiny-ltx"
    down.folder.setText(str(target))
    down.to_folder.setChecked(True)
    down.repo.setText(REPO)
    qtbot.waitUntil(lambda: "to download" in down.size_label.text(), timeout=60_000)  # sized off the GUI thread
    assert not target.exists()  # asking for the size wrote nothing

    big = "vae/diffusion_pytorch_model.safetensors"
    others = [f for f in plan_download(REPO, local_dir=target).files if f != big]
    hub.hold_after = 64 * 1024  # the VAE's weights stop coming after 64 KB...
    down.start()
    assert down.state == "downloading" and down.running
    qtbot.waitUntil(lambda: down.progress.value() > 0, timeout=60_000)
    assert hub.held.wait(60)
    qtbot.waitUntil(lambda: all((target / f).is_file() for f in others), timeout=60_000)
    down.cancel()  # ...and the user cancels while it waits
    hub.release.set()
    _wait_state(qtbot, down, "cancelled")
    assert "fetches only the rest" in down.status.text()
    assert not (target / big).exists()

    hub.requests.clear()
    with qtbot.waitSignal(dialog.models_listed, timeout=60_000):
        down.start()
        _wait_state(qtbot, down, "done")
    fetched = [r[1].split("/resolve/")[1].split("/", 1)[1] for r in hub.requests if r[0] == "GET" and "/resolve/" in r[1]]
    assert fetched == [big]  # the finished files were not fetched again
    for f in (*others, big):
        assert (target / f).read_bytes() == (hub.served / f).read_bytes()
    assert not (target / "single-file-checkpoint.safetensors").exists()
    assert not (target / "vae" / "diffusion_pytorch_model.bin").exists()
    assert dialog.folders() == [str(target)]
    rows = [(dialog.model_tree.topLevelItem(i).text(0), dialog.model_tree.topLevelItem(i).text(2))
            for i in range(dialog.model_tree.topLevelItemCount())]
    assert any("LTX" in name and path == str(target) for name, path in rows)
    assert not dialog.model_help.isVisible()
    down.grab().save("/tmp/pack14-download-done.png")
    down.close()


def test_a_download_to_the_cache_is_found_there(qtbot, hub, tmp_path):
    """The Hugging Face cache (the default): the model is found there by itself when done."""
    from editor.ui.model_download import DownloadModelDialog
    from model.models import hf_cache_dir, scan_hf_cache

    down = DownloadModelDialog()
    qtbot.addWidget(down)
    down.show()
    assert down.to_cache.isChecked()
    down.repo.setText(REPO)
    with qtbot.waitSignal(down.downloaded, timeout=60_000) as got:
        down.start()
    folder, chosen = got.args
    assert not chosen and Path(folder).is_relative_to(hf_cache_dir())
    assert [f.info is not None for f in scan_hf_cache() if f.path == folder] == [True]
    down.close()


def test_models_with_none_found_says_which_to_get_and_how(capsys):
    from editor.cli import generate_commands

    assert generate_commands.run("models", []) == 0
    out = capsys.readouterr().out
    for text in ("Lightricks/LTX-Video", "Lightricks/LTX-2", "Wan-AI/Wan2.1-VACE-1.3B-diffusers", "GPU memory",
                 "Settings > Models > Download"):
        assert text in out
