"""Model folders: what is recognised, what is refused and why, what the Hugging Face cache holds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from model.models import (
    BUILTIN_INTERPOLATE,
    ModelError,
    discover_models,
    hf_cache_dir,
    inspect_model,
    scan_folders,
    scan_hf_cache,
)
from model.request import Action


@pytest.fixture
def ltx_copy(tiny_ltx_dir, tmp_path) -> Path:
    """A copy of the tiny LTX folder a test may break."""
    return Path(shutil.copytree(tiny_ltx_dir, tmp_path / "LTX-Video-copy"))


def _edit_json(path: Path, **changes) -> None:
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_ltx_folder_is_recognised_with_its_limits(tiny_ltx_dir):
    info = inspect_model(tiny_ltx_dir)
    assert info.kind == "ltx-condition"
    assert info.pipeline_class == "LTXConditionPipeline"
    assert info.load_class == "LTXConditionPipeline"
    assert set(info.actions) == set(Action)
    assert info.supports(Action.INFILL) is None
    assert info.limits.frame_step == 8 and info.limits.size_multiple == 32
    assert info.weights_bytes > 0 and info.parameters["transformer"] > 0 and "scheduler" not in info.parameters
    assert info.variant is None and info.repo_id is None
    json.dumps(info.describe())


def test_wan_vace_folder_is_recognised_with_its_limits(tiny_wan_vace_dir):
    info = inspect_model(tiny_wan_vace_dir)
    assert info.kind == "wan-vace" and info.load_class == "WanVACEPipeline"
    assert info.limits.frame_step == 4 and info.limits.size_multiple == 16
    assert "transformer_2" not in info.components  # optional component left out: not required


def test_ltx_repositories_named_ltxpipeline_are_driven_by_the_condition_pipeline(ltx_copy):
    # LTX-Video 0.9.5+ repositories on the hub say "LTXPipeline" in model_index.json
    _edit_json(ltx_copy / "model_index.json", _class_name="LTXPipeline")
    info = inspect_model(ltx_copy)
    assert info.pipeline_class == "LTXPipeline" and info.load_class == "LTXConditionPipeline"


def test_builtin_interpolation_needs_no_folder():
    info = inspect_model(BUILTIN_INTERPOLATE)
    assert info.kind == "interpolate" and not info.needs_model
    assert info.supports(Action.INFILL) is None
    assert "can't" in info.supports(Action.GENERATE)


def test_folder_without_model_index_is_refused(tmp_path):
    (tmp_path / "weights").mkdir()
    with pytest.raises(ModelError, match="no model_index.json"):
        inspect_model(tmp_path / "weights")
    with pytest.raises(ModelError, match="is not a folder"):
        inspect_model(tmp_path / "nowhere")


def test_unknown_or_unsupported_pipeline_is_refused_naming_what_works(ltx_copy):
    _edit_json(ltx_copy / "model_index.json", _class_name="WanPipeline")
    with pytest.raises(ModelError, match="Wan text-to-video.*Shotline works with: LTX-Video, LTX-2, Wan VACE"):
        inspect_model(ltx_copy)
    _edit_json(ltx_copy / "model_index.json", _class_name="FluxPipeline")
    with pytest.raises(ModelError, match="FluxPipeline"):
        inspect_model(ltx_copy)


def test_missing_component_folder_is_refused(ltx_copy):
    shutil.rmtree(ltx_copy / "vae")
    with pytest.raises(ModelError, match="missing its vae folder"):
        inspect_model(ltx_copy)


def test_component_without_weights_is_refused(ltx_copy):
    (ltx_copy / "transformer" / "diffusion_pytorch_model.safetensors").unlink()
    with pytest.raises(ModelError, match="no weights in its transformer"):
        inspect_model(ltx_copy)


def test_pickle_only_weights_are_refused(ltx_copy):
    weights = ltx_copy / "vae" / "diffusion_pytorch_model.safetensors"
    weights.rename(weights.with_suffix(".bin"))
    with pytest.raises(ModelError, match="pickle.*safetensors version"):
        inspect_model(ltx_copy)


def test_remote_code_is_refused(ltx_copy):
    _edit_json(ltx_copy / "transformer" / "config.json", auto_map={"AutoModel": "modeling.MyModel"})
    with pytest.raises(ModelError, match="auto_map"):
        inspect_model(ltx_copy)


def test_custom_pipeline_is_refused(ltx_copy):
    _edit_json(ltx_copy / "model_index.json", _class_name=["pipeline", "MyPipeline"])
    with pytest.raises(ModelError, match="own pipeline code"):
        inspect_model(ltx_copy)


def test_component_from_another_library_is_refused(ltx_copy):
    _edit_json(ltx_copy / "model_index.json", text_encoder=["my_package", "Encoder"])
    with pytest.raises(ModelError, match="my_package"):
        inspect_model(ltx_copy)


def test_wrong_transformer_for_the_family_is_refused(ltx_copy):
    _edit_json(ltx_copy / "model_index.json", transformer=["diffusers", "WanTransformer3DModel"])
    with pytest.raises(ModelError, match="LTXVideoTransformer3DModel"):
        inspect_model(ltx_copy)


def test_damaged_weights_are_refused(ltx_copy):
    (ltx_copy / "vae" / "diffusion_pytorch_model.safetensors").write_bytes(b"\xff" * 16)
    with pytest.raises(ModelError, match="damaged"):
        inspect_model(ltx_copy)


def test_half_precision_variant_is_detected(ltx_copy):
    for sub in ("transformer", "vae", "text_encoder"):
        for f in (ltx_copy / sub).glob("*.safetensors"):
            f.rename(f.with_name(f.name.replace(".safetensors", ".fp16.safetensors")))
    assert inspect_model(ltx_copy).variant == "fp16"


def _cache_snapshot(cache: Path, repo: str, source: Path, revision: str = "0123abcd") -> Path:
    root = cache / f"models--{repo.replace('/', '--')}"
    snapshot = root / "snapshots" / revision
    shutil.copytree(source, snapshot)
    (root / "refs").mkdir(parents=True)
    (root / "refs" / "main").write_text(revision)
    return snapshot


def test_models_in_the_hugging_face_cache_are_found_offline(tiny_ltx_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    assert hf_cache_dir() == tmp_path / "hub"
    good = _cache_snapshot(tmp_path / "hub", "Lightricks/LTX-Video-0.9.5", tiny_ltx_dir)
    broken = _cache_snapshot(tmp_path / "hub", "someone/broken-model", tiny_ltx_dir)
    shutil.rmtree(broken / "vae")
    (tmp_path / "hub" / "models--someone--not-diffusers" / "snapshots" / "x").mkdir(parents=True)

    found = {f.path: f for f in scan_hf_cache()}
    assert set(found) == {str(good), str(broken)}
    info = found[str(good)].info
    assert info.repo_id == "Lightricks/LTX-Video-0.9.5" and info.title == "LTX-Video (LTX-Video-0.9.5)"
    assert "missing its vae folder" in found[str(broken)].error

    usable = discover_models()
    assert [i.kind for i in usable] == ["interpolate", "ltx-condition"]


def test_hf_home_decides_the_cache_when_no_hub_cache_is_set(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert hf_cache_dir() == tmp_path / "hf" / "hub"


def test_user_folders_are_scanned_one_level_deep(tiny_ltx_dir, tiny_wan_vace_dir, tmp_path):
    models = tmp_path / "my-models"
    models.mkdir()
    shutil.copytree(tiny_wan_vace_dir, models / "wan")
    (models / "notes").mkdir()
    found = scan_folders([models, tiny_ltx_dir])
    assert sorted(f.info.kind for f in found) == ["ltx-condition", "wan-vace"]


# --- sharded indexes and damaged folders ---------------------------------------------------------


def _index(sub: Path, shards: list[str], name: str = "diffusion_pytorch_model.safetensors.index.json") -> None:
    (sub / name).write_text(json.dumps({"metadata": {}, "weight_map": {f"w{i}": s for i, s in enumerate(shards)}}))


def test_a_shard_index_pointing_at_pickle_shards_is_refused_before_diffusers(ltx_copy):
    # Before: a safetensors file beside it made the folder "valid" and diffusers would unpickle the shards.
    sub = ltx_copy / "transformer"
    (sub / "diffusion_pytorch_model-00001-of-00001.bin").write_bytes(b"not loaded")
    _index(sub, ["diffusion_pytorch_model-00001-of-00001.bin"])
    with pytest.raises(ModelError, match="pickle shards"):
        inspect_model(ltx_copy)
    _index(sub, ["diffusion_pytorch_model-00001-of-00001.bin"], "diffusion_pytorch_model.safetensors.index.fp16.json")
    (sub / "diffusion_pytorch_model.safetensors.index.json").unlink()
    with pytest.raises(ModelError, match="pickle shards"):
        inspect_model(ltx_copy)


@pytest.mark.parametrize("shard", ["../vae/diffusion_pytorch_model.safetensors", "missing-00001.safetensors"])
def test_a_shard_index_naming_a_shard_not_beside_it_is_refused(ltx_copy, shard):
    _index(ltx_copy / "transformer", [shard])
    with pytest.raises(ModelError, match="not in its folder"):
        inspect_model(ltx_copy)


def test_a_safetensors_shard_index_is_fine(ltx_copy):
    _index(ltx_copy / "transformer", ["diffusion_pytorch_model.safetensors"])
    assert inspect_model(ltx_copy).kind == "ltx-condition"


def _header(payload: bytes) -> bytes:
    return len(payload).to_bytes(8, "little") + payload


DAMAGES = {
    "header-not-a-table": lambda d: (d / "vae" / "diffusion_pytorch_model.safetensors").write_bytes(_header(b"[1, 2]")),
    "shape-of-text": lambda d: (d / "vae" / "diffusion_pytorch_model.safetensors").write_bytes(
        _header(b'{"w": {"dtype": "F32", "shape": "xy", "data_offsets": [0, 0]}}')),
    "config-text-number": lambda d: _edit_json(d / "transformer" / "config.json", patch_size="2"),
    "config-zero": lambda d: _edit_json(d / "transformer" / "config.json", patch_size=0),
    "config-list": lambda d: _edit_json(d / "vae" / "config.json", spatio_temporal_scaling=7, spatial_compression_ratio=None),
    "json-too-deep": lambda d: (d / "vae" / "config.json").write_text("[" * 50000 + "]" * 50000),
    "json-not-utf8": lambda d: (d / "vae" / "config.json").write_bytes(b"\xff\xfe{"),
    "json-a-folder": lambda d: ((d / "vae" / "config.json").unlink(), (d / "vae" / "config.json").mkdir()),
    "config-loop": lambda d: ((d / "vae" / "config.json").unlink(),
                              (d / "vae" / "config.json").symlink_to(d / "vae" / "config.json")),
    "index-garbage": lambda d: (d / "model_index.json").write_bytes(b"{\"_class_name\": "),
}


@pytest.fixture
def many_models(tiny_ltx_dir, tmp_path) -> Path:
    models = tmp_path / "my-models"
    models.mkdir()
    shutil.copytree(tiny_ltx_dir, models / "a-good-one")
    for name, damage in DAMAGES.items():
        damage(Path(shutil.copytree(tiny_ltx_dir, models / name)))
    shutil.copytree(tiny_ltx_dir, models / "z-good-too")
    (models / "loop").symlink_to(models / "loop")
    return models


def test_each_damaged_folder_is_its_own_line_and_the_good_ones_still_list(many_models):
    found = {Path(f.path).name: f for f in scan_folders([many_models])}
    assert set(found) == {"a-good-one", "z-good-too", *DAMAGES}
    assert found["a-good-one"].info is not None and found["z-good-too"].info is not None
    for name in DAMAGES:
        assert found[name].info is None and found[name].error and "download the model again" in found[name].error, name
    for name in DAMAGES:
        with pytest.raises(ModelError):
            inspect_model(many_models / name)
    assert [f.info.kind for f in scan_folders([many_models / "loop", many_models / "a-good-one"]) if f.info]


def test_settings_lists_good_models_beside_damaged_ones(many_models, tmp_path, monkeypatch):
    from editor.ui.settings_dialog import recognised_models

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "no-cache"))
    rows = recognised_models([str(many_models)])
    usable = [r for r in rows if r[3] is None]
    assert len(usable) == 2 and len(rows) == 2 + len(DAMAGES)


def test_models_command_lists_each_folder_with_its_reason(many_models, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "HF_HUB_CACHE": str(tmp_path / "no-cache")}
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, str(root / "main.py"), "models", str(many_models / "loop"), str(many_models)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.count("unusable") == 1 + len(DAMAGES)
    assert done.stdout.count("LTX-Video (") == 2
    assert "loops or leads nowhere" in done.stdout
