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
