"""The plan shown before queueing: GPU memory from the config, time from earlier jobs' measured steps."""

from __future__ import annotations

from dataclasses import replace

from editor.document.plans import InfillGap, make_plan
from editor.generation import run_job, submit
from editor.generation.estimates import history_of, plan_estimate
from model.estimate import GIB, estimate, timing_sample, weights_on_gpu
from model.journal import Journal
from model.models import inspect_model
from model.runner import Runner


def test_memory_comes_from_the_config_and_time_is_not_guessed(tiny_ltx_dir):
    info = inspect_model(tiny_ltx_dir)
    weights = weights_on_gpu(info.parameters, dtype="bfloat16", memory="full", quantize="none")
    assert weights == 2 * sum(info.parameters.values())
    int8 = weights_on_gpu(info.parameters, dtype="bfloat16", memory="full", quantize="int8")
    assert int8 == weights - info.parameters["transformer"]  # 8-bit weights halve the transformer
    assert weights_on_gpu(info.parameters, dtype="bfloat16", memory="model_cpu_offload", quantize="none") \
        == 2 * max(info.parameters.values())
    plan = estimate(info, width=768, height=512, frames=121, steps=30)
    assert plan.gpu_bytes > weights and plan.seconds is None
    assert plan.text().startswith(f"About {plan.gpu_bytes / GIB:.1f} GiB of GPU memory; from the model's size")
    cpu = estimate(info, width=768, height=512, frames=121, steps=30, device="cpu")
    assert cpu.gpu_bytes is None and cpu.text() == "No earlier job of this model to time it by."


def test_an_earlier_job_times_the_next_one_through_the_journal(gap_document, tiny_ltx_dir):
    doc = gap_document
    plan = replace(make_plan(doc.project, InfillGap(track_id="v1", frame=30)), model=str(tiny_ltx_dir), steps=2)
    with Journal(doc.folder / "jobs.sqlite") as journal:
        submit(journal, plan)
        done = run_job(journal, journal.claim_next(), Runner(device="cpu"), doc.project, doc.folder)
        history = history_of(journal.jobs())
    assert len(history) == 1 and history[0] == timing_sample(done.take.record)
    sample = history[0]
    assert sample["model"] == str(tiny_ltx_dir) and sample["s_per_step"] > 0
    info = inspect_model(tiny_ltx_dir)
    same = plan_estimate(info, plan, {"device": "cpu"}, [type("Job", (), {"result": {"timing": sample}})()])
    assert abs(same.per_step - sample["s_per_step"]) < 1e-9
    assert same.seconds == same.per_step * 2 + sample["decode_s"]
    assert same.text().endswith("timed by 1 earlier job of this model.")
    bigger = estimate(info, width=plan.width * 2, height=plan.height * 2, frames=plan.num_frames, steps=2,
                      device="cpu", history=history)
    assert bigger.per_step > 4 * sample["s_per_step"]  # 4x the tokens: more than 4x the time a step
