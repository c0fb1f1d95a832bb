"""Every extend, infill and loop is joined to the frames it continues: no colour jump at a seam,
the user's frames bit-exact, infill corrections going from one side to the other, and a record."""

from __future__ import annotations

import json
from fractions import Fraction

import cv2
import numpy as np
import pytest
from test_longshot import drift, scene

from model.engines.base import Engine, Hooks, Limits
from model.engines.window import keep_known
from model.longshot import make_long_shot
from model.request import Action, Pin, Request
from model.seams import ColourCorrection, join_to_context, seam_jump

W, H = 96, 64
FPS = Fraction(24)


def tint(frames, shift) -> tuple[np.ndarray, ...]:
    return tuple(drift(list(frames), gain=1.0, shift=shift))


class CastEngine(Engine):
    """A model whose VAE drifts: it makes the true continuation of `truth`, every frame with a
    colour cast (one per call, as each window of a long shot samples its own), its version of the
    pinned frames too; `keep_known` puts the real ones back, as every pipeline engine does.
    With `versions=False` it hands the known frames back without saying what it made there."""

    kind = "cast"
    title = "Colour cast"

    def __init__(self, truth: list[np.ndarray], casts=(dict(gain=1.15, shift=(18, -6, 10)),), *, versions=True):
        super().__init__()
        self.truth, self.casts, self.versions, self.calls = truth, casts, versions, 0

    def supports(self, action: Action) -> str | None:
        return None

    @property
    def limits(self) -> Limits:
        return Limits(max_frames=len(self.truth))

    def run(self, request: Request, hooks: Hooks) -> list[np.ndarray]:
        # Where in the scene this request sits: the scene frame nearest its first pin.
        pin = request.context[0]
        errors = [float(np.abs(t.astype(np.int16) - pin.frames[0]).mean()) for t in self.truth]
        offset = int(np.argmin(errors)) - pin.frame
        cast = self.casts[min(self.calls, len(self.casts) - 1)]
        self.calls += 1
        made = drift(self.truth[offset : offset + request.num_frames], **cast)
        kept = keep_known(made, request)
        return kept if self.versions else list(kept)


def req(action: Action, n: int, *pins: Pin) -> Request:
    return Request(action, n, FPS, W, H, prompt="a slow pan", context=pins)


def steps(frames) -> list[float]:
    return [float(np.abs(frames[i + 1].astype(np.int16) - frames[i]).mean()) for i in range(len(frames) - 1)]


def assert_seamless(frames, seams: list[int]) -> None:
    """Across each seam the picture changes no more than ~1.25x the median change elsewhere."""
    for at in seams:
        assert seam_jump(frames, at) <= 1.25, f"seam before frame {at}: {seam_jump(frames, at):.2f}"


def assert_kept(frames, request: Request) -> None:
    for pin in request.context:
        if pin.strength >= 1.0:
            assert all(frames[pin.frame + i] is f for i, f in enumerate(pin.frames))


# -- extend, with the model's own version of the known frames --------------------------------------


@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
def test_an_extension_is_colour_matched_to_the_clip_it_continues(backward):
    truth = scene(24)
    if backward:
        request = req(Action.EXTEND_BACKWARD, 24, Pin(15, tuple(truth[15:]), label="head of Shot 2"))
        seam = 15
    else:
        request = req(Action.EXTEND_FORWARD, 24, Pin(0, tuple(truth[:9]), label="tail of Shot 1"))
        seam = 9
    raw = CastEngine(truth).run(request, Hooks())
    assert seam_jump(raw, seam) > 2.5  # as the model made it, the seam is plain to see

    engine = CastEngine(truth)
    frames = make_long_shot(engine, request, Hooks())
    assert_kept(frames, request)
    assert_seamless(frames, [seam])
    new = range(seam) if backward else range(seam, 24)
    assert max(float(np.abs(frames[p].astype(np.int16) - truth[p]).mean()) for p in new) < 1.5
    (record,) = json.loads(json.dumps(engine.last_parameters["seams"]))
    assert record["at"] == seam and record["kind"] == "colour" and record["measured_on"] == "model"
    # The cast made the picture brighter and more magenta: the correction takes that out.
    assert record["shift"][0] < -15 and record["shift"][2] < -5 and record["matrix"][0][0] < 0.95


def test_without_the_models_version_the_neighbouring_frames_are_compared():
    truth = scene(24)
    request = req(Action.EXTEND_FORWARD, 24, Pin(0, tuple(truth[:9])))
    engine = CastEngine(truth, casts=(dict(gain=1.0, shift=(24, -10, 14)),), versions=False)
    raw = CastEngine(truth, casts=engine.casts, versions=False).run(request, Hooks())
    assert seam_jump(raw, 9) > 2.5
    frames = make_long_shot(engine, request, Hooks())
    assert_kept(frames, request)
    assert_seamless(frames, [9])
    assert engine.last_parameters["seams"][0]["measured_on"] == "neighbours"


def test_a_keyframe_inside_an_extension_is_joined_on_both_sides():
    truth = scene(28)
    request = req(Action.EXTEND_FORWARD, 28, Pin(0, tuple(truth[:9])), Pin(18, (truth[18],), label="keyframe"))
    raw = CastEngine(truth).run(request, Hooks())
    assert all(seam_jump(raw, at) > 2.5 for at in (9, 18, 19))
    engine = CastEngine(truth)
    frames = make_long_shot(engine, request, Hooks())
    assert_kept(frames, request)
    assert_seamless(frames, [9, 18, 19])
    assert [s["at"] for s in engine.last_parameters["seams"]] == [9, 18, 19]


# -- infill and loop: context on both sides ----------------------------------------------------


def test_an_infill_goes_from_the_correction_of_the_clip_before_to_that_of_the_clip_after():
    truth = scene(30)
    # The clip after was graded warmer than the one before: the frames between must travel from
    # one look to the other, not jump at either end.
    grade = (30.0, 0.0, -20.0)
    before, after = tuple(truth[:8]), tint(truth[22:], grade)
    request = req(Action.INFILL, 30, Pin(0, before), Pin(22, after))
    raw = CastEngine(truth).run(request, Hooks())
    assert seam_jump(raw, 8) > 2.5 and seam_jump(raw, 22) > 2.5

    engine = CastEngine(truth)
    frames = make_long_shot(engine, request, Hooks())
    assert_kept(frames, request)
    assert_seamless(frames, [8, 22])
    # How far each new frame has moved towards the clip after's grade (0 = the clip before's look).
    red = [float((frames[p].astype(np.float32) - truth[p])[..., 0].mean()) / grade[0] for p in range(8, 22)]
    assert red[0] < 0.15 and red[-1] > 0.85
    assert all(b >= a - 0.02 for a, b in zip(red, red[1:], strict=False))  # steadily, one way
    expected = [(k + 1) / 15 for k in range(14)]
    assert max(abs(r - e) for r, e in zip(red, expected, strict=True)) < 0.1  # linearly
    assert [s["at"] for s in engine.last_parameters["seams"]] == [8, 22]


def test_a_loop_joins_the_clips_end_back_to_its_start():
    truth = scene(26)
    request = req(Action.LOOP, 26, Pin(0, tuple(truth[:6])), Pin(20, tuple(truth[20:])))
    casts = (dict(gain=0.9, shift=(-15, 12, 0)),)
    raw = CastEngine(truth, casts).run(request, Hooks())
    assert seam_jump(raw, 6) > 2.5 and seam_jump(raw, 20) > 2.5
    frames = make_long_shot(CastEngine(truth, casts), request, Hooks())
    assert_kept(frames, request)
    assert_seamless(frames, [6, 20])


# -- what is left alone ---------------------------------------------------------------------------


@pytest.mark.parametrize("action", [Action.GENERATE, Action.RESTYLE])
def test_generate_and_restyle_come_back_as_the_model_made_them(action):
    truth = scene(12)
    made = drift(truth)
    strength = 1.0 if action is Action.GENERATE else 0.6
    request = req(action, 12, Pin(0, tuple(truth), strength=strength))
    frames, seams = join_to_context(request, made)
    assert seams == [] and all(a is b for a, b in zip(frames, made, strict=True))


def test_a_soft_keyframe_is_not_a_seam():
    truth = scene(24)
    request = req(Action.EXTEND_FORWARD, 24, Pin(0, tuple(truth[:9])), Pin(16, (truth[16],), strength=0.5))
    engine = CastEngine(truth)
    frames = make_long_shot(engine, request, Hooks())
    assert [s["at"] for s in engine.last_parameters["seams"]] == [9]
    # The model's frame there is matched like its neighbours, not swapped for the keyframe.
    assert not np.array_equal(frames[16], truth[16]) and float(np.abs(frames[16].astype(np.int16) - truth[16]).mean()) < 3


def test_an_engine_without_a_model_is_not_recoloured():
    from model.engines.interpolate import InterpolateEngine

    frames = scene(12)
    request = req(Action.INFILL, 12, Pin(0, tuple(frames[:2])), Pin(10, tuple(frames[10:])))
    engine = InterpolateEngine()
    made = engine.run(request, Hooks())
    assert all(np.array_equal(a, b) for a, b in zip(make_long_shot(engine, request, Hooks()), made, strict=True))


def test_keep_known_remembers_what_the_model_made_at_the_known_frames():
    truth = scene(5)
    made = drift(truth)
    request = req(Action.EXTEND_FORWARD, 5, Pin(0, tuple(truth[:2])), Pin(3, (truth[3],), strength=0.5))
    kept = keep_known(made, request)
    assert kept[0] is truth[0] and kept[3] is made[3]
    assert set(kept.model_versions) == {0, 1} and kept.model_versions[1] is made[1]


def test_a_colour_matrix_fitted_on_the_same_pictures_undoes_a_cast_and_mixes_linearly():
    truth = scene(3)
    fitted = ColourCorrection.fit(drift(truth, gain=0.8, shift=(30, -20, 5)), truth)
    assert np.allclose(fitted.matrix, np.eye(3) / 0.8, atol=0.02)
    none = ColourCorrection.none()
    half = fitted.mix(none, 0.5)
    assert np.allclose(half.offset, fitted.offset / 2) and np.allclose(half.matrix, (fitted.matrix + np.eye(3)) / 2)
    assert none.apply(truth[0]) is truth[0]
    # Two different pictures are not a colour cast.
    assert ColourCorrection.fit(truth[:1], [255 - truth[0]]) is None


# -- long shots: each window is joined to the one before ------------------------------------------


def test_each_window_of_a_long_shot_is_joined_and_hands_over_gradually():
    truth = scene(41)
    casts = [dict(gain=g, shift=s) for g, s in [(1.1, (15, -5, 8)), (0.9, (-12, 10, -4)), (1.2, (6, 14, -10))]]
    request = req(Action.EXTEND_FORWARD, 41, Pin(0, tuple(truth[:9])))
    engine = CastEngine(truth, casts)
    frames = make_long_shot(engine, request, Hooks(), window=17, overlap=9)
    assert_kept(frames, request)
    seams = engine.last_parameters["seams"]
    assert [(s["at"], s["kind"], s["window"]) for s in seams] == [
        (9, "colour", 0), (17, "colour+blend", 1), (25, "colour+blend", 2), (33, "colour+blend", 3)
    ]
    assert_seamless(frames, [9, 17, 25, 33])
    assert max(float(np.abs(f.astype(np.int16) - t).mean()) for f, t in zip(frames, truth, strict=True)) < 4


# -- the real pipeline path: runner, engine, keep_known, join -------------------------------------


def test_a_tiny_ltx_extension_through_the_runner_is_joined_to_its_clip(tiny_ltx_dir):
    from model.runner import Runner

    runner = Runner(device="cpu")
    size = dict(fps=FPS, width=32, height=32, prompt="a red cat runs", steps=2, options={"max_sequence_length": 16})
    made = runner.run(str(tiny_ltx_dir), Request(Action.GENERATE, 17, **size)).frames
    # The clip to extend: the model's own frames, graded so they differ from what it makes next.
    tail = tuple(drift(made[8:], gain=0.7, shift=(60, 30, -20)))
    request = Request(Action.EXTEND_FORWARD, 17, seed=3, context=(Pin(0, tail, label="tail of Shot 1"),), **size)
    raw = runner.engine.run(request, Hooks())
    assert seam_jump(raw, 9) > 1.4

    result = runner.run(str(tiny_ltx_dir), request)
    assert_kept(result.frames, request)
    assert_seamless(result.frames, [9])
    (seam,) = json.loads(json.dumps(result.record))["parameters"]["seams"]
    assert seam["at"] == 9 and seam["kind"] == "colour"
    # The untrained model redraws the tail rather than keeping it, so it is not a measure of drift.
    assert seam["measured_on"] == "neighbours"
    runner.unload()


def test_a_tiny_wan_vace_loop_keeps_both_ends_and_records_both_seams(tiny_wan_vace_dir):
    from model.runner import Runner

    runner = Runner(device="cpu")
    head = tuple(cv2.resize(f, (48, 32)) for f in scene(4))
    tail = tuple(cv2.resize(f, (48, 32)) for f in scene(24)[20:])
    request = Request(Action.LOOP, 13, Fraction(16), 48, 32, prompt="a red cat runs", steps=2,
                      context=(Pin(0, tail), Pin(9, head)), options={"max_sequence_length": 16})
    result = runner.run(str(tiny_wan_vace_dir), request)
    assert_kept(result.frames, request)
    assert [s["at"] for s in result.record["parameters"]["seams"]] == [4, 9]
    runner.unload()
