"""Generation without Qt: a plan is journaled, run by a real engine, written as a lossless take, placed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from editor.document.edits import PlaceGeneratedTake
from editor.document.plans import InfillGap, make_plan
from editor.generation import (
    INTERPOLATE,
    GenerationError,
    model_for,
    plan_of,
    request_from_plan,
    reserve_take_path,
    run_job,
    submit,
)
from editor.media.takes import read_sidecar, read_take
from model.journal import JobState, Journal
from model.runner import Cancelled, Hooks, Runner


def _infill_plan(doc, model=None):
    from dataclasses import replace

    plan = make_plan(doc.project, InfillGap(track_id="v1", frame=30))
    return replace(plan, model=model) if model is not None else plan


def test_request_from_plan_reads_the_pinned_frames_of_both_neighbours(gap_document):
    plan = _infill_plan(gap_document)
    request = request_from_plan(plan, gap_document.project, gap_document.folder)
    a = read_take(gap_document.folder / "media" / "a.mkv")
    b = read_take(gap_document.folder / "media" / "b.mkv")
    before, after = request.context
    assert before.frame == 0 and np.array_equal(before.frames[-1], a[-1])
    assert after.end == request.num_frames and np.array_equal(after.frames[0], b[0])
    assert request.num_frames == len(before.frames) + 10 + len(after.frames)


def test_infill_with_interpolation_writes_a_take_of_exactly_the_gap(gap_document):
    doc = gap_document
    plan = _infill_plan(doc)
    assert model_for(plan) == INTERPOLATE  # no model chosen: infill falls back to interpolation
    with Journal(doc.folder / "jobs.sqlite") as journal:
        job = submit(journal, plan)
        assert journal.get(job.id).state is JobState.QUEUED
        assert plan_of(journal.get(job.id)).to_dict() == plan.to_dict()  # the plan is on disk first
        steps = []
        done = run_job(journal, journal.claim_next(), Runner(), doc.project, doc.folder,
                       Hooks(on_progress=lambda s, t, p: steps.append((s, t))))
        row = journal.get(job.id)
    assert row.state is JobState.DONE and row.result["take"] == done.take.media
    assert steps and steps[-1][0] == steps[-1][1]
    path = doc.folder / done.take.media
    frames = read_take(path)
    assert len(frames) == done.take.frames == 10
    record = read_sidecar(path)
    assert record["job"] == job.id and record["model"]["kind"] == "interpolate"

    doc.request(PlaceGeneratedTake(plan=done.plan, take=done.take))
    clips = doc.project.track("v1").clips
    assert [(c.start, c.length) for c in clips] == [(0, 24), (24, 10), (34, 24)]
    doc.undo()
    assert [c.id for c in doc.project.track("v1").clips] == ["a", "b"]


def test_a_second_take_never_overwrites_the_first(gap_document):
    media = gap_document.folder / "media"
    first = reserve_take_path(media, "take-0001-infill")
    second = reserve_take_path(media, "take-0001-infill")
    assert first != second and first.exists() and second.name == "take-0001-infill-2.mkv"


def test_cancel_writes_no_take_and_leaves_the_job_for_the_caller(gap_document):
    doc = gap_document
    before = sorted(p.name for p in (doc.folder / "media").iterdir())
    with Journal(doc.folder / "jobs.sqlite") as journal:
        submit(journal, _infill_plan(doc))
        job = journal.claim_next()
        asked = []

        def cancel_after_first_step() -> bool:
            return bool(asked)

        with pytest.raises(Cancelled):
            run_job(journal, job, Runner(), doc.project, doc.folder,
                    Hooks(on_progress=lambda s, t, p: asked.append(s), should_cancel=cancel_after_first_step))
        assert journal.get(job.id).state is JobState.RUNNING  # the worker marks it cancelled
    assert sorted(p.name for p in (doc.folder / "media").iterdir()) == before


def test_a_plan_that_needs_a_model_says_where_to_choose_one(gap_document):
    from dataclasses import replace

    from model.request import Action

    plan = replace(_infill_plan(gap_document), action=Action.EXTEND_FORWARD)
    with pytest.raises(GenerationError, match="Choose a model"):
        model_for(plan)


def test_a_failed_job_is_marked_failed_with_the_reason(gap_document):
    doc = gap_document
    (doc.folder / "media" / "b.mkv").unlink()  # the clip after the gap lost its media
    with Journal(doc.folder / "jobs.sqlite") as journal:
        submit(journal, _infill_plan(doc))
        job = journal.claim_next()
        with pytest.raises(GenerationError):
            run_job(journal, job, Runner(), doc.project, doc.folder)
        row = journal.get(job.id)
    assert row.state is JobState.FAILED and "b.mkv" in row.message


def test_infill_with_a_tiny_ltx_model_folder(gap_document, tiny_ltx_dir):
    doc = gap_document
    plan = _infill_plan(doc, model=str(tiny_ltx_dir))
    from dataclasses import replace

    plan = replace(plan, steps=2)
    with Journal(doc.folder / "jobs.sqlite") as journal:
        submit(journal, plan)
        done = run_job(journal, journal.claim_next(), Runner(device="cpu"), doc.project, doc.folder)
    frames = read_take(doc.folder / done.take.media)
    assert len(frames) == 10 and frames[0].shape == (64, 64, 3)
    record = json.loads(Path(doc.folder / done.take.media).with_suffix(".json").read_text())["record"]
    assert record["model"]["kind"] == "ltx-condition" and record["seed"] == plan.seed


def test_extend_forward_keeps_the_clips_own_frames_exactly_and_adds_the_new_ones(gap_document, tiny_ltx_dir):
    from dataclasses import replace

    from editor.document.edits import Side
    from editor.document.plans import ExtendClip

    doc = gap_document
    plan = make_plan(doc.project, ExtendClip(clip_id="a", side=Side.END, frames=8))
    plan = replace(plan, model=str(tiny_ltx_dir), steps=2)
    with Journal(doc.folder / "jobs.sqlite") as journal:
        submit(journal, plan)
        done = run_job(journal, journal.claim_next(), Runner(device="cpu"), doc.project, doc.folder)
    frames = read_take(doc.folder / done.take.media)
    original = read_take(doc.folder / "media" / "a.mkv")
    assert len(frames) == done.take.frames == 24 + 8
    assert all(np.array_equal(a, b) for a, b in zip(frames[:24], original, strict=True))  # lossless, untouched
    doc.request(PlaceGeneratedTake(plan=done.plan, take=done.take))
    a = doc.project.find_clip("a")[1]
    assert (a.length, len(a.takes), a.take.id) == (32, 2, done.take.id)
    doc.undo()
    assert doc.project.find_clip("a")[1].length == 24
