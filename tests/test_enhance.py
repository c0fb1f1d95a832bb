"""Prompt enhancement (F20) with tiny random-weight language models, offline."""

from __future__ import annotations

import pytest
from tiny_extras import build_tiny_pipeline_enhancer, build_tiny_text_model, in_hf_cache

from model.enhance import EnhanceError, describe_enhancer, enhance, find_text_models, pipeline_enhancer
from model.models import hf_cache_dir


@pytest.fixture(scope="module")
def text_model(tmp_path_factory):
    return build_tiny_text_model(tmp_path_factory.mktemp("llm") / "tiny-llm")


@pytest.fixture(scope="module")
def ltx2_enhancer(tmp_path_factory):
    return build_tiny_pipeline_enhancer(tmp_path_factory.mktemp("ltx2") / "tiny-ltx2-enhancer")


def test_a_local_text_model_expands_the_prompt_and_the_seed_repeats_it(text_model):
    first = enhance("a red cat", text_model=str(text_model), seed=3, device="cpu", max_new_tokens=12)
    assert first.original == "a red cat" and first.prompt and first.prompt != "a red cat"
    assert first.enhancer == {"kind": "text model", "path": str(text_model), "title": "tiny-llm", "seed": 3}
    assert first.record() == {"original": "a red cat", "enhanced": first.prompt, "enhancer": first.enhancer}
    again = enhance("a red cat", text_model=str(text_model), seed=3, device="cpu", max_new_tokens=12)
    assert again.prompt == first.prompt


def test_the_video_models_own_enhancer_wins_over_the_text_model(ltx2_enhancer, text_model):
    assert pipeline_enhancer(ltx2_enhancer) is None
    made = enhance("a red cat", model_folder=str(ltx2_enhancer), text_model=str(text_model), seed=1,
                   device="cpu", max_new_tokens=8)
    assert made.enhancer["kind"] == "pipeline" and made.enhancer["component"] == "text_encoder"
    assert made.prompt and made.original == "a red cat"
    assert describe_enhancer(str(ltx2_enhancer), None) == ("pipeline", "the prompt enhancer of tiny-ltx2-enhancer")


def test_without_any_enhancer_the_message_says_where_to_get_one(tiny_ltx_dir):
    reason = pipeline_enhancer(tiny_ltx_dir)
    assert reason == "tiny-ltx-condition (LTXConditionPipeline) has no prompt enhancer of its own"
    with pytest.raises(EnhanceError, match=r"No prompt enhancer: .*Settings ▸ Device ▸ Prompt enhancer"):
        enhance("a red cat", model_folder=str(tiny_ltx_dir))
    kind, line = describe_enhancer(str(tiny_ltx_dir), None)
    assert kind is None and line.startswith("No prompt enhancer")
    with pytest.raises(EnhanceError, match="Write a short prompt first"):
        enhance("  ", text_model="/nowhere")


def test_text_models_in_the_hf_cache_are_found_and_unsafe_ones_refused(tmp_path):
    hub = hf_cache_dir()  # the test's own cache (conftest points HF_HOME at a temporary folder)
    snapshot = in_hf_cache(build_tiny_text_model(tmp_path / "built", chat=False), hub, "tiny/llm-base")
    found = find_text_models()
    assert [(m.path, m.title) for m in found] == [(str(snapshot), "llm-base")]
    made = enhance("a red cat", text_model=str(snapshot), seed=1, device="cpu", max_new_tokens=6)
    assert made.prompt  # a base model without a chat template is prompted plainly

    (snapshot / "modeling_evil.py").write_text("raise SystemExit")
    assert find_text_models() == []
    with pytest.raises(EnhanceError, match="never does"):
        enhance("a red cat", text_model=str(snapshot))


def test_the_shots_first_image_is_shown_to_the_pipelines_enhancer(ltx2_enhancer, tmp_path):
    from PIL import Image

    picture = tmp_path / "first.png"
    Image.new("RGB", (40, 24), (200, 30, 30)).save(picture)
    made = enhance("a red cat", model_folder=str(ltx2_enhancer), seed=1, device="cpu", max_new_tokens=6,
                   image=picture)
    assert made.prompt and made.enhancer["image"] == "first.png" and made.enhancer["shared"] is False
    assert "image" not in enhance("a red cat", model_folder=str(ltx2_enhancer), seed=1, device="cpu",
                                  max_new_tokens=6).enhancer
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    with pytest.raises(EnhanceError, match="broken.png could not be read"):
        enhance("a red cat", model_folder=str(ltx2_enhancer), device="cpu", image=broken)


def test_the_first_image_of_a_shot_is_its_earliest_keyframe_else_its_still(ui_document):
    from editor.generation.enhance_image import first_image

    project, folder = ui_document.project, ui_document.folder
    assert first_image(project, "boat", folder) == folder / "media" / "paper_boat_keyframe.png"
    assert first_image(project, "lake", folder) == folder / "media" / "lake_at_dawn.png"
    assert first_image(project, "city", folder) is None  # a video take: enhanced as text-to-video
    assert first_image(project, "nowhere", folder) is None


@pytest.fixture(scope="module")
def ltx2_with_enhancer(tmp_path_factory, ltx2_enhancer):
    """A tiny LTX-2 whose folder also holds a processor and an enhancing text encoder, as LTX-2's does."""
    import json
    import shutil

    from tiny_models import build_tiny_ltx2

    folder = build_tiny_ltx2(tmp_path_factory.mktemp("models") / "tiny-ltx2-enh")
    shutil.rmtree(folder / "text_encoder")
    shutil.copytree(ltx2_enhancer / "text_encoder", folder / "text_encoder")
    shutil.copytree(ltx2_enhancer / "processor", folder / "processor")
    index = json.loads((folder / "model_index.json").read_text())
    index["processor"] = ["transformers", "Gemma3Processor"]
    (folder / "model_index.json").write_text(json.dumps(index))
    return folder


def test_a_loaded_pipeline_lends_its_text_encoder_instead_of_a_second_copy(ltx2_with_enhancer, ltx2_enhancer):
    from model.enhance_share import shared_parts
    from model.runner import Runner

    runner = Runner(device="cpu")
    assert shared_parts(runner, ltx2_with_enhancer) is None  # nothing loaded: enhance loads the parts
    runner.load(str(ltx2_with_enhancer))
    try:
        assert shared_parts(runner, ltx2_enhancer) is None  # another model is loaded
        parts = shared_parts(runner, ltx2_with_enhancer)
        assert parts is not None and parts.model is runner.engine.pipe.text_encoder
        assert (parts.component, parts.device, parts.memory) == ("text_encoder", "cpu", "full")
        made = enhance("a red cat", model_folder=str(ltx2_with_enhancer), seed=1, max_new_tokens=6, shared=parts)
        alone = enhance("a red cat", model_folder=str(ltx2_with_enhancer), seed=1, device="cpu", max_new_tokens=6)
        assert made.enhancer["shared"] is True and alone.enhancer["shared"] is False
        assert made.prompt == alone.prompt  # the same weights, borrowed or loaded
        assert runner.engine.pipe.text_encoder.device.type == "cpu"  # left where the pipeline placed it
    finally:
        runner.unload()


def test_an_offloaded_text_encoder_is_borrowed_only_between_jobs(ltx2_enhancer):
    import threading

    from model.enhance_share import SharedParts
    from model.runner import Runner

    runner = Runner(device="cpu")
    parts = SharedParts(processor=None, model=object(), component="text_encoder", device="cpu",
                        memory="group_offload", busy=runner.busy)
    entered = threading.Event()

    def borrow() -> None:
        with parts.borrowed():
            entered.set()

    with runner.busy:  # a job runs
        thread = threading.Thread(target=borrow)
        thread.start()
        assert not entered.wait(0.2)
    thread.join()
    assert entered.is_set()


def test_a_processor_whose_tokenizer_is_kept_apart_is_put_together(ltx2_enhancer, tmp_path):
    import shutil

    from PIL import Image

    split = tmp_path / "split-ltx2"
    shutil.copytree(ltx2_enhancer, split)
    (split / "tokenizer").mkdir()
    for f in list((split / "processor").iterdir()):
        if f.name.startswith(("tokenizer", "special_tokens", "chat_template")):
            shutil.move(f, split / "tokenizer" / f.name)
    picture = Image.new("RGB", (40, 24), (20, 30, 200))
    made = enhance("a red cat", model_folder=str(split), seed=2, device="cpu", max_new_tokens=6, image=picture)
    whole = enhance("a red cat", model_folder=str(ltx2_enhancer), seed=2, device="cpu", max_new_tokens=6,
                    image=picture)
    assert made.prompt == whole.prompt and made.enhancer["image"] == "image"
