"""What an export says about generated shots, from the records the runner really writes."""

from __future__ import annotations

from editor.document.project import Clip, Project, Take
from editor.media.provenance import AI_NOTICE, provenance_metadata


def generated_clip(record: dict) -> Clip:
    return Clip(id="c1", start=0, length=10, name="Boat",
                takes=[Take(id="t1", media="media/t1.mkv", frames=10, record=record)])


def test_a_runner_record_names_the_model_by_title_and_gives_seed_and_prompt():
    record = {"model": {"path": "/models/ltx", "title": "LTX-Video 0.9.5", "class": "LTXConditionPipeline"},
              "seed": 42, "request": {"prompt": "a paper boat", "action": "generate"}}
    meta = provenance_metadata(Project(name="Trip"), [generated_clip(record)])
    assert meta["comment"].startswith(AI_NOTICE)
    assert "LTX-Video 0.9.5" in meta["comment"] and "{" not in meta["comment"]
    assert "seed 42" in meta["description"] and '"a paper boat"' in meta["description"]


def test_an_export_without_generated_shots_says_only_where_it_was_made():
    plain = Clip(id="c2", start=0, length=5, takes=[Take(id="t", media="a.mp4", frames=5)])
    meta = provenance_metadata(Project(name="Trip"), [plain])
    assert meta == {"title": "Trip", "comment": "Made with Shotline"}
