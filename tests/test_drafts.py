"""Draft then final (F26): a quick small take, then Upscale (latent upsampler + short second pass) to a new take."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from tiny_extras import build_tiny_ltx_upsampler

from editor.document.document import Document
from editor.document.drafts import DraftShot, UpscaleDraft, draft_size
from editor.document.edits import EditRefused, PlaceGeneratedTake
from editor.document.plans import make_plan
from editor.document.project import Clip, Project, ShotSettings, Track
from editor.generation import run_job, submit
from editor.media.takes import read_take
from model.journal import Journal
from model.request import Action
from model.runner import Runner


@pytest.fixture(scope="module")
def upsampler(tmp_path_factory):
    return build_tiny_ltx_upsampler(tmp_path_factory.mktemp("up") / "tiny-ltx-upscaler")


@pytest.fixture
def draft_document(tmp_path, tiny_ltx_dir):
    folder = tmp_path / "Drafts.shotline"
    (folder / "media").mkdir(parents=True)
    project = Project(name="Drafts", fps=Fraction(24), width=64, height=64, tracks=[
        Track(id="v1", name="V1", clips=[
            Clip(id="boat", start=0, length=9, name="Boat",
                 shot=ShotSettings(prompt="a red boat", seed=3, steps=4, model=str(tiny_ltx_dir))),
        ]),
    ])
    return Document(project, folder)


def make(doc: Document, plan, runner: Runner):
    with Journal(doc.folder / "jobs.sqlite") as journal:
        submit(journal, plan)
        done = run_job(journal, journal.claim_next(), runner, doc.project, doc.folder)
    doc.request(PlaceGeneratedTake(plan=done.plan, take=done.take))
    return done


def test_a_draft_is_a_small_quick_generate_and_says_so():
    assert draft_size(1280, 720) == (640, 352) and draft_size(64, 64) == (32, 32)
    project = Project(fps=Fraction(24), width=1280, height=720, tracks=[Track(id="v1", name="V1", clips=[
        Clip(id="s", start=0, length=24, shot=ShotSettings(prompt="a cat", steps=30))])])
    plan = make_plan(project, DraftShot(clip_id="s"), seed=1)
    assert plan.action is Action.GENERATE and (plan.width, plan.height, plan.steps) == (640, 352, 8)
    assert plan.options["draft"] == {"scale": 0.5, "size": [640, 352], "full_size": [1280, 720], "steps": 8}
    assert plan.summary.startswith("Draft") and plan.summary.endswith("at 640x352, 8 steps")
    with pytest.raises(EditRefused, match="Upscale makes the final take from a draft"):
        make_plan(project, UpscaleDraft(clip_id="s"))


def test_draft_then_upscale_with_a_latent_upsampler_makes_a_new_full_size_take(draft_document, upsampler):
    doc = draft_document
    runner = Runner(device="cpu", upsampler=str(upsampler))
    draft = make(doc, make_plan(doc.project, DraftShot(clip_id="boat")), runner)
    frames = read_take(doc.folder / draft.take.media)
    assert len(frames) == 9 and frames[0].shape == (32, 32, 3)  # the draft is stored at its own size

    plan = make_plan(doc.project, UpscaleDraft(clip_id="boat"))
    assert plan.action is Action.RESTYLE and (plan.width, plan.height) == (64, 64)
    assert plan.prompt == "a red boat" and plan.seed == 3 and plan.pins[0].strength == 0.6
    assert plan.options["upscale"]["draft_take"] == draft.take.id
    final = make(doc, plan, runner)
    clip = doc.project.find_clip("boat")[1]
    assert [t.id for t in clip.takes] == [draft.take.id, final.take.id] and clip.take.id == final.take.id
    frames = read_take(doc.folder / final.take.media)
    assert len(frames) == 9 and frames[0].shape == (64, 64, 3)
    note = final.take.record["upscale"]
    assert note["upsampler"] == str(upsampler / "latent_upsampler")
    assert note["size_in"] == [32, 32] and note["size_out"] == [64, 64] and note["keep"] == 0.6
    assert final.take.record["plan"]["options"]["upscale"]["draft_media"] == draft.take.media
    runner.unload()


def test_without_an_upsampler_the_draft_is_resized_and_refined_and_the_record_says_so(draft_document):
    doc = draft_document
    runner = Runner(device="cpu")
    make(doc, replace(make_plan(doc.project, DraftShot(clip_id="boat")), steps=2), runner)
    final = make(doc, make_plan(doc.project, UpscaleDraft(clip_id="boat", steps=2)), runner)
    note = final.take.record["upscale"]
    assert note["upsampler"] is None and "no latent upsampler is set up" in note["why"]
    frames = read_take(doc.folder / final.take.media)
    assert frames[0].shape == (64, 64, 3) and not np.array_equal(frames[0], frames[0] * 0)
    runner.unload()
