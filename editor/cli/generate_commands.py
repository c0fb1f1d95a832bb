"""Headless generation (F19): `generate`, `animate`, `extend`, `infill`, `upscale` write new frames to an MP4; `models` lists models.

Each generation command is the editor's own job, run without a window:

    a throw-away project holding the inputs (a draft shot, a still, the clip, the two clips)
      -> editor.document.plans.make_plan (the same selection -> plan rules as the editor)
      -> editor.generation.request_from_plan (frames read and fitted to the asked size)
      -> model.runner.Runner (model folder checks, placement, long shots in windows, cancel)
      -> the plan's "generated" frames only -> editor.media.export.encode_frames (atomic MP4)

So the output holds exactly `round(seconds * fps)` new frames at the asked size, whatever grid the
model needs internally, and a shot longer than the model's window is made in overlapping windows
(model.longshot). Everything the user gave is read and checked before the model is loaded, so a
bad input costs nothing and writes nothing. Ctrl+C asks the sampler to stop at the next step (a
second Ctrl+C stops at once); either way the output file is not touched.
"""

from __future__ import annotations

import json
import math
import os
import random
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from editor.cli import c2pa_args
from editor.cli.common import (
    EXIT_CANCELLED,
    EXIT_USER_ERROR,
    Parser,
    UserError,
    guarded,
    parse_fps,
    parse_size,
    positive_seconds,
)
from editor.cli.progress import ProgressBar

# Default sizes when --size is not given: what each family was trained at (LTX-Video's model
# card: 768x512; Wan 2.1 1.3B: 832x480). Extend and infill default to the clip's own size.
DEFAULT_SIZE = {"ltx-condition": (768, 512), "ltx2": (768, 512), "wan-vace": (832, 480)}
FALLBACK_SIZE = (768, 512)
DEFAULT_FPS = "24"
# Frames of the clip the model continues from (extend) or joins (infill): LTX-Video needs video
# conditions of 8k+1 frames and 9 is the shortest that carries motion (as in the editor).
DEFAULT_CONTEXT = 9
DEVICES = ("cpu", "cuda", "mps")


def run(command: str, argv: list[str]) -> int:
    commands = {"generate": cmd_generate, "animate": cmd_animate, "extend": cmd_extend,
                "infill": cmd_infill, "models": cmd_models, "upscale": cmd_upscale}
    return guarded(lambda: commands[command](argv))


# --- arguments shared by the four generation commands ----------------------------------------


def _parser(command: str, description: str, *, model_help: str | None = None, seconds: bool = True) -> Parser:
    ap = Parser(prog=f"main.py {command}", description=description)
    ap.add_argument("--model", required=True, metavar="DIR",
                    help=model_help or "a diffusers model folder (python main.py models lists them)")
    if seconds:
        ap.add_argument("--seconds", required=True, help="how long the new frames last")
    ap.add_argument("-o", "--output", required=True, metavar="OUT.mp4", help="the MP4 to write (replaced only on success)")
    ap.add_argument("--fps", default=None, help="frame rate of the new frames (default 24; a clip's own rate for extend/infill)")
    ap.add_argument("--size", default=None, metavar="WxH",
                    help="size of the new frames (default: the model's native size; the clip's for extend/infill)")
    ap.add_argument("--seed", default=None, help="seed (default: a random one, printed so the run can be repeated)")
    ap.add_argument("--steps", type=int, default=None, help="sampling steps (default 30)")
    ap.add_argument("--guidance", type=float, default=None, help="guidance scale (default 3.0; 1 for distilled models)")
    ap.add_argument("--negative", default=None, help="negative prompt (default: the project default)")
    ap.add_argument("--device", default=None, help="cpu, cuda, cuda:N or mps (default: the best one here)")
    from model.devices import DTYPES, MEMORY_MODES

    ap.add_argument("--memory", choices=MEMORY_MODES, default=None, help="memory mode (default: chosen from free memory)")
    ap.add_argument("--dtype", choices=DTYPES, default=None, help="weights' precision (default: bfloat16 on a GPU)")
    c2pa_args.add_arguments(ap)  # the new frames are signed like an export (editor.media.c2pa_sign)
    ap.add_argument("--farm", default=None, metavar="ADDRESS",
                    help="run on a Ray cluster instead of this computer: auto, ray://HOST:10001 or HOST:6379 "
                         "(needs the farm extra; python main.py farm status shows the cluster)")
    from editor.cli.generate_extras import speed_arguments

    speed_arguments(ap)  # speed, memory extras, --enhance, --upsampler
    return ap




@dataclass(frozen=True)
class Common:
    """The checked values of the shared arguments."""

    model: str
    info: object  # model.models.ModelInfo
    seconds: float
    fps: Fraction | None
    size: tuple[int, int] | None
    seed: int
    steps: int | None
    guidance: float | None
    negative: str | None
    device: str | None
    memory: str | None
    dtype: str | None
    output: Path
    c2pa: object | None = None  # the c2pa_identity.SigningIdentity to sign with; None: not signed
    c2pa_prompts: bool = True
    farm: str | None = None  # a Ray cluster's address; None: this computer
    cache: str | None = None
    compile: bool = False
    vae_tiling: bool = False
    quantize: str | None = None
    enhance: bool = False
    enhancer: str | None = None
    upsampler: str | None = None

    def frames(self, fps: Fraction) -> int:
        n = round(Fraction(self.seconds).limit_denominator(100_000) * fps)
        if n < 1:
            raise UserError(f"--seconds {self.seconds:g} at {fps} fps is less than one frame; ask for more")
        return n


def _common(args, action) -> Common:
    """Check the shared arguments (cheap ones first: no model is loaded here)."""
    output = _output_path(args.output)
    seconds = positive_seconds(args.seconds, "--seconds")
    fps = parse_fps(args.fps) if args.fps is not None else None
    size = parse_size(args.size) if args.size is not None else None
    seed = _seed(args.seed)
    if args.steps is not None and not 1 <= args.steps <= 500:
        raise UserError("--steps must be 1..500 (8 is a quick draft, 30 the usual)")
    if args.guidance is not None and not 0 <= args.guidance <= 30:
        raise UserError("--guidance must be 0..30 (3 is usual, 1 for distilled models)")
    device = _device(args.device)
    farm = None
    if args.farm is not None:  # checked before anything is read: no Ray, a bad address cost nothing
        from model.farm import check_address, require_ray

        farm = check_address(args.farm)
        require_ray()
    model, info = _model(args.model, action)
    identity = c2pa_args.signing_identity(args)  # a certificate that can't sign: refused before the model runs
    if size is not None:
        limit = info.limits.max_side
        if max(size) > limit:
            raise UserError(f"--size {size[0]}x{size[1]}: {info.title} makes at most {limit} pixels a side; "
                            "choose a smaller size")
    enhancer = None
    if args.enhance:  # checked now: no model is loaded for a run that can't be enhanced
        from model.enhance import describe_enhancer

        enhancer = str(Path(args.enhancer).expanduser().absolute()) if args.enhancer else None
        kind, line = describe_enhancer(model, enhancer)
        if kind is None:
            raise UserError(line.rstrip("."))
    return Common(model=model, info=info, seconds=seconds, fps=fps, size=size, seed=seed, steps=args.steps,
                  guidance=args.guidance, negative=args.negative, device=device, memory=args.memory,
                  dtype=args.dtype, output=output, c2pa=identity, c2pa_prompts=c2pa_args.options(args)["c2pa_prompts"],
                  farm=farm, cache=args.cache, compile=args.compile,
                  vae_tiling=args.vae_tiling, quantize=args.quantize, enhance=args.enhance, enhancer=enhancer,
                  upsampler=args.upsampler)


def _output_path(text: str) -> Path:
    out = Path(text).expanduser()
    if out.suffix.lower() not in (".mp4", ".m4v", ".mov"):
        raise UserError(f"{out}: the new frames are written as MP4; name the file .mp4")
    if out.is_dir():
        raise UserError(f"{out} is a folder; give a file name such as {out / 'shot.mp4'}")
    if not out.parent.is_dir():
        raise UserError(f"the folder {out.parent} does not exist; create it first")
    return out


def _seed(text: str | None) -> int:
    if text is None:
        return random.SystemRandom().randrange(2**31)
    try:
        seed = int(text)
    except ValueError:
        raise UserError(f"--seed {text!r} is not a whole number") from None
    if not 0 <= seed < 2**63:
        raise UserError("--seed must be a whole number from 0 to 2^63-1")
    return seed


def _device(text: str | None) -> str | None:
    if text is None:
        return None
    name = text.strip().lower()
    base, _, index = name.partition(":")
    if base not in DEVICES or (index and (base != "cuda" or not index.isdigit())):
        raise UserError(f"--device {text!r}: use cpu, cuda, cuda:N or mps")
    if base == "cpu":
        return name
    import torch  # only to ask whether the device exists; the model needs it anyway

    if base == "cuda":
        if not torch.cuda.is_available():
            raise UserError(f"--device {text}: no CUDA GPU is usable here; use --device cpu")
        if index and int(index) >= torch.cuda.device_count():
            raise UserError(f"--device {text}: this machine has {torch.cuda.device_count()} CUDA GPU(s)")
    if base == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise UserError(f"--device {text}: no Apple GPU is usable here; use --device cpu")
    return name


def _model(text: str, action) -> tuple[str, object]:
    """(path the runner loads, ModelInfo); refuses a folder that can't make `action`."""
    from model.models import BUILTIN_INTERPOLATE, inspect_model

    name = BUILTIN_INTERPOLATE if text.strip().lower() in ("interpolate", BUILTIN_INTERPOLATE) else text
    if name != BUILTIN_INTERPOLATE:
        folder = Path(text).expanduser()
        if not folder.is_dir():
            what = "is a file, not a model folder" if folder.exists() else "no such folder"
            raise UserError(f"--model {text}: {what}; give the folder that holds model_index.json "
                            "(python main.py models lists the models found)")
        name = str(folder.absolute())
    info = inspect_model(name)  # ModelError (a user error) for anything Shotline can't load safely
    reason = info.supports(action)
    if reason is not None:
        other = "a video model folder" if name == BUILTIN_INTERPOLATE else "another model"
        raise UserError(f"{reason} Choose {other} with --model (python main.py models lists what each can do)")
    return name, info


def _default_size(info, aspect: float | None = None) -> tuple[int, int]:
    """The model's native size; with `aspect`, the same area in that shape, on the model's grid."""
    width, height = DEFAULT_SIZE.get(info.kind, FALLBACK_SIZE)
    if aspect is None:
        return width, height
    area = width * height
    m = max(2, math.lcm(2, info.limits.size_multiple))
    w = max(m, round(math.sqrt(area * aspect) / m) * m)
    h = max(m, round(math.sqrt(area / aspect) / m) * m)
    return w, h


def _even(width: int, height: int) -> tuple[int, int]:
    """H.264 needs even sides: a clip's own odd size loses one pixel."""
    return max(16, width - width % 2), max(16, height - height % 2)


# --- the throw-away project each command plans on ----------------------------------------------


def _project(common: Common, fps: Fraction, size: tuple[int, int], clips: list, prompt: str):
    from editor.document.project import GenerationDefaults, Project, Track

    defaults = GenerationDefaults(model=common.model)
    if common.steps is not None:
        defaults.steps = common.steps
    if common.guidance is not None:
        defaults.guidance = common.guidance
    if common.negative is not None:
        defaults.negative_prompt = common.negative
    for clip in clips:
        clip.shot.prompt = prompt
    return Project(name=common.output.stem, fps=fps, width=size[0], height=size[1], defaults=defaults,
                   tracks=[Track(id="v1", name="V1", clips=clips)])


def _still_clip(path: Path, start: int, length: int, name: str):
    from editor.document.project import Clip, Take

    take = Take(id=f"take-{name}", media=str(path), frames=1, is_still=True, metadata={"imported": True})
    return Clip(id=name, start=start, length=length, name=name, takes=[take])


def _video_clip(path: Path, start: int, frames: int, name: str):
    from editor.document.project import Clip, Take

    take = Take(id=f"take-{name}", media=str(path), frames=frames, metadata={"imported": True})
    return Clip(id=name, start=start, length=frames, name=name, takes=[take])


@dataclass(frozen=True)
class VideoFacts:
    path: Path
    frames: int
    fps: Fraction
    width: int
    height: int


def _video(text: str, flag: str) -> VideoFacts:
    """A clip's frame count, rate and size, read now so a bad file is refused before any work."""
    from editor.media.video import VideoReader

    path = Path(text).expanduser().absolute()
    if not path.is_file():
        raise UserError(f"{flag} {text}: no such file; check the path")
    import av

    try:
        with VideoReader(path) as reader:  # MediaError (a user error) for most unreadable files
            if reader.frame_count < 1:
                raise UserError(f"{flag} {text} holds no frames; give a video with at least one frame")
            width, height = reader.display_size
            return VideoFacts(path, reader.frame_count, reader.fps or Fraction(24), width, height)
    except av.FFmpegError as exc:  # a damaged file can fail past the reader's own checks
        raise UserError(f"{flag} {text} can't be read as a video ({exc}); the file may be damaged: "
                        "export or copy it again, or convert it to MP4 (H.264)") from exc


def _image(text: str, flag: str) -> tuple[Path, tuple[int, int]]:
    """An image's path and (width, height), decoded now so a corrupt file is refused before any work."""
    from editor.media.stills import read_still

    path = Path(text).expanduser().absolute()
    if not path.is_file():
        raise UserError(f"{flag} {text}: no such file; check the path")
    rgb = read_still(path)  # MediaError (a user error) names the file and what to do
    return path, (rgb.shape[1], rgb.shape[0])


def _check_context(video: VideoFacts, context: int, flag: str) -> None:
    if context < 1:
        raise UserError("--context must be at least 1 frame")
    if video.frames < context:
        raise UserError(
            f"{flag} {video.path.name} has {video.frames} frame(s) but {context} of its frames are needed to "
            f"continue it; give a longer clip, or a shorter --context (1 uses its edge frame only)"
        )


# --- generate / animate / extend / infill ------------------------------------------------------


def cmd_generate(argv: list[str]) -> int:
    from model.request import Action

    ap = _parser("generate", "Make a new shot from a prompt, with keyframe images pinned at given times.")
    ap.add_argument("--prompt", default="", help="what the shot shows")
    ap.add_argument("--image", action="append", default=[], metavar="PATH@SECONDS",
                    help="a keyframe: the image at that time of the shot (repeat for more)")
    ap.add_argument("--draft", action="store_true",
                    help="a quick draft at half the size and at most 8 steps (finish it with upscale)")
    args = ap.parse_args(argv)
    common = _common(args, Action.GENERATE)
    fps = common.fps or parse_fps(DEFAULT_FPS)
    n = common.frames(fps)
    size = common.size or _default_size(common.info)
    keyframes = [_keyframe(text, n, fps, common.seconds) for text in args.image]
    if not args.prompt.strip() and not keyframes:
        raise UserError("say what to make: give --prompt TEXT (or pin an image with --image PATH@SECONDS)")

    from editor.document.plans import GenerateShot
    from editor.document.project import Clip

    shot = Clip(id="shot", start=0, length=n, name="shot", keyframes=keyframes)
    project = _project(common, fps, size, [shot], args.prompt)
    inputs = [(k.image, f"the image given with --image {k.image}") for k in keyframes]
    if args.draft:
        from editor.document.drafts import DraftShot

        return _make(common, project, DraftShot(clip_id="shot"), title="draft", inputs=inputs)
    return _make(common, project, GenerateShot(clip_id="shot"), title="generate", inputs=inputs)


def cmd_upscale(argv: list[str]) -> int:
    from editor.document.drafts import UPSCALE_KEEP, UPSCALE_STEPS, UpscaleDraft
    from model.request import Action

    ap = _parser("upscale", "Make the final of a draft (e.g. from generate --draft): a latent upsampler doubles "
                            "it when one is given, then a short pass at full size keeps its composition.",
                 seconds=False)
    ap.add_argument("--clip", required=True, metavar="DRAFT.mp4", help="the draft to finish")
    ap.add_argument("--prompt", required=True, help="the draft's prompt (printed when it was made)")
    ap.add_argument("--keep", type=float, default=UPSCALE_KEEP,
                    help=f"how much of the draft the final keeps, 0..1 (default {UPSCALE_KEEP})")
    args = ap.parse_args(argv)
    video = _video(args.clip, "--clip")
    fps = parse_fps(args.fps) if args.fps is not None else video.fps
    args.seconds = repr(float(video.frames / fps))  # the final is as long as the draft
    common = _common(args, Action.RESTYLE)
    size = common.size or _even(video.width * 2, video.height * 2)
    clip = _video_clip(video.path, 0, video.frames, "draft")
    clip.take.record = {"plan": {"prompt": args.prompt, "seed": common.seed,
                                 "options": {"draft": {"size": [video.width, video.height]}}}}
    project = _project(common, fps, size, [clip], args.prompt)
    selection = UpscaleDraft(clip_id="draft", keep=args.keep, steps=common.steps or UPSCALE_STEPS)
    return _make(common, project, selection, title="upscale", inputs=[(video.path, "the draft given with --clip")])


def _keyframe(text: str, frames: int, fps: Fraction, seconds: float):
    from editor.document.project import Keyframe, new_id

    path_text, sep, at = text.rpartition("@")
    if not sep or not path_text:
        raise UserError(f"--image {text!r}: write PATH@SECONDS, e.g. still.png@2.5")
    try:
        t = float(at)
    except ValueError:
        raise UserError(f"--image {text!r}: {at!r} is not a time in seconds, e.g. still.png@2.5") from None
    if not 0 <= t <= seconds:
        raise UserError(f"--image {text!r}: {t:g} s is outside the shot's 0..{seconds:g} s")
    path, _size = _image(path_text, "--image")
    # the last instant of the shot is its last frame
    frame = min(frames - 1, round(Fraction(t).limit_denominator(100_000) * fps))
    return Keyframe(id=new_id("kf"), image=str(path), frame=frame, metadata={"imported": True})


def cmd_animate(argv: list[str]) -> int:
    from model.request import Action

    ap = _parser("animate", "Bring a still image to life: the image is the first frame of the new shot.")
    ap.add_argument("--image", required=True, metavar="PATH", help="the still to animate")
    ap.add_argument("--prompt", default="", help="what happens (optional but helps)")
    args = ap.parse_args(argv)
    common = _common(args, Action.ANIMATE)
    fps = common.fps or parse_fps(DEFAULT_FPS)
    n = common.frames(fps)
    if n < 2:
        raise UserError(f"--seconds {common.seconds:g} is one frame at {fps} fps; an animation needs at least two")
    path, (w, h) = _image(args.image, "--image")
    size = common.size or _default_size(common.info, aspect=w / h)

    from editor.document.plans import AnimateStill

    project = _project(common, fps, size, [_still_clip(path, 0, n, "still")], args.prompt)
    return _make(common, project, AnimateStill(clip_id="still"), title="animate",
                 inputs=[(path, "the image given with --image")])


def cmd_extend(argv: list[str]) -> int:
    from model.request import Action

    ap = _parser("extend", "Continue a clip forward (or backward) in time; writes only the new frames.")
    ap.add_argument("--clip", required=True, metavar="IN.mp4", help="the clip to continue")
    ap.add_argument("--backward", action="store_true", help="make what comes before the clip's first frame")
    ap.add_argument("--prompt", default="", help="what happens next (optional)")
    ap.add_argument("--context", type=int, default=DEFAULT_CONTEXT,
                    help=f"frames of the clip to continue from (default {DEFAULT_CONTEXT}; 8k+1 is best)")
    args = ap.parse_args(argv)
    action = Action.EXTEND_BACKWARD if args.backward else Action.EXTEND_FORWARD
    common = _common(args, action)
    video = _video(args.clip, "--clip")
    _check_context(video, args.context, "--clip")
    fps = common.fps or video.fps
    n = common.frames(fps)
    size = common.size or _even(video.width, video.height)

    from editor.document.edits import Side
    from editor.document.plans import ExtendClip

    project = _project(common, fps, size, [_video_clip(video.path, 0, video.frames, "clip")], args.prompt)
    side = Side.START if args.backward else Side.END
    selection = ExtendClip(clip_id="clip", side=side, frames=n, context=args.context)
    return _make(common, project, selection, title="extend", inputs=[(video.path, "the clip given with --clip")])


def cmd_infill(argv: list[str]) -> int:
    from model.request import Action

    ap = _parser("infill", "Make the frames that join one clip to the next; writes only the new frames.",
                 model_help="a diffusers model folder, or 'interpolate' for optical flow (no model)")
    ap.add_argument("--before", required=True, metavar="A.mp4", help="the clip the new frames follow")
    ap.add_argument("--after", required=True, metavar="B.mp4", help="the clip the new frames lead into")
    ap.add_argument("--prompt", default="", help="what happens in between (optional)")
    ap.add_argument("--context", type=int, default=DEFAULT_CONTEXT,
                    help=f"frames of each clip to join from (default {DEFAULT_CONTEXT}; 8k+1 is best)")
    args = ap.parse_args(argv)
    common = _common(args, Action.INFILL)
    before = _video(args.before, "--before")
    after = _video(args.after, "--after")
    _check_context(before, args.context, "--before")
    _check_context(after, args.context, "--after")
    fps = common.fps or before.fps
    n = common.frames(fps)
    size = common.size or _even(before.width, before.height)

    from editor.document.plans import InfillGap

    clips = [_video_clip(before.path, 0, before.frames, "before"),
             _video_clip(after.path, before.frames + n, after.frames, "after")]
    project = _project(common, fps, size, clips, args.prompt)
    return _make(common, project, InfillGap(track_id="v1", frame=before.frames, context=args.context),
                 title="infill", inputs=[(before.path, "the clip given with --before"),
                                         (after.path, "the clip given with --after")])


# --- running a plan --------------------------------------------------------------------------


def _make(common: Common, project, selection, *, title: str, inputs: list[tuple[Path, str]]) -> int:
    """Plan, read the inputs, run the model and write the new frames; see the module docstring."""
    from editor.document.plans import make_plan
    from editor.generation import GenerationError, request_from_plan
    from editor.media.export import ExportOptions, encode_frames
    from editor.media.outputs import refuse_overwrite
    from model.engines.base import Cancelled

    refuse_overwrite(common.output, inputs)  # -o onto its own --clip/--image: refused before any work
    plan = make_plan(project, selection, seed=common.seed)
    generated = [s for s in plan.target.segments if s.source == "generated"]
    assert len(generated) == 1, "every headless command makes one run of new frames"
    segment = generated[0]
    try:
        request = request_from_plan(plan, project, None)  # reads every input frame now
    except GenerationError as exc:
        raise UserError(str(exc)) from exc

    if common.info.needs_model:  # the optical-flow engine draws nothing at random
        print(f"seed: {plan.seed} (repeat this run with --seed {plan.seed})", flush=True)
    from editor.cli.generate_extras import enhanced, print_plan, say_how

    if common.enhance:
        with _quiet_libraries(True):
            plan, request = enhanced(common, plan, request)
    print_plan(common, plan)
    with _ctrl_c() as cancelled:
        try:
            result = _run_model(common, request, title, cancelled)
            say_how(result.record)
            new = result.frames[segment.first: segment.first + segment.count]
            metadata = _provenance(common, plan, result.record)
            signing = _signing(common, plan, result.record, [p for p, _ in inputs])
            bar = ProgressBar("write", sys.stderr)
            sound = _sound_file(result, segment, plan.fps, common.output)  # LTX-2's sound, as the MP4's
            try:
                written = encode_frames(iter(new), common.output, plan.fps, total=len(new), metadata=metadata,
                                        options=ExportOptions(), on_progress=bar.update, should_cancel=cancelled.is_set,
                                        finish=signing.sign_in_place if signing is not None else None,
                                        audio=str(sound) if sound is not None else None)
            finally:
                bar.close()
                if sound is not None:
                    sound.unlink(missing_ok=True)
        except Cancelled:  # the model, or writing the MP4
            print(f"shotline: cancelled; nothing was written to {common.output}", file=sys.stderr)
            return EXIT_CANCELLED
    seconds = float(written.frames / plan.fps)
    print(f"wrote {common.output} — {written.frames} new frames ({seconds:.2f} s) at {plan.fps} fps, "
          f"{written.width}x{written.height}; {common.info.title}"
          + (f", seed {plan.seed}" if common.info.needs_model else ""))
    if signing is not None:  # signed, or why not (the frames are kept either way)
        print(signing.note(), file=sys.stdout if signing.signed else sys.stderr)
    return 0


def _signing(common: Common, plan, record: dict, inputs: list[Path]):
    """The C2PA signing of the new frames (c2pa.created, AI-generated; the inputs as inputTo), or None."""
    if common.c2pa is None:
        return None
    from editor.document.project import Clip, Project, Take
    from editor.media import c2pa_sign

    take = Take(id="take", media=str(common.output), frames=plan.target.take_frames, record=record)
    clip = Clip(id="new", start=0, length=take.frames, name=common.output.stem, takes=[take])
    return c2pa_sign.prepare(Project(name=common.output.stem), None, [clip], common.output,
                             prompts=common.c2pa_prompts, identity=common.c2pa, inputs=inputs, cut=False)


def _sound_file(result, segment, fps: Fraction, output: Path) -> Path | None:
    """The sound the model made for the new frames as raw 48 kHz f32le beside `output`, or None."""
    from editor.document import scratch
    from editor.media.audio import RATE
    from editor.media.take_sound import resample
    from model.sound import cut

    audio = getattr(result, "audio", None)
    if audio is None:
        return None
    part = cut(audio, segment.first, segment.count, fps)
    samples = resample(part.samples[:, :2], part.rate, RATE)
    fd, path = scratch.create(output, "tmp", ".f32")
    with os.fdopen(fd, "wb") as fh:
        fh.write(samples.astype("<f4").tobytes())
    return path


def _run_model(common: Common, request, title: str, cancelled: threading.Event):
    from model.runner import Runner
    from model.speed import Speed

    if common.farm is not None:
        from editor.cli.farm_commands import run_on_farm

        return run_on_farm(common.farm, common.model, request, title, cancelled)
    runner = Runner(device=common.device, dtype=common.dtype, memory=common.memory,
                    vae_tiling=True if common.vae_tiling else None, quantize=common.quantize,
                    speed=Speed(cache=common.cache or "off", compile=common.compile), upsampler=common.upsampler)
    if common.info.needs_model:
        print(f"loading {common.info.title} ...", file=sys.stderr, flush=True)
    with _quiet_libraries(common.info.needs_model):
        return _run_loaded(runner, common, request, title, cancelled)


def _run_loaded(runner, common: Common, request, title: str, cancelled: threading.Event):
    from model.runner import Hooks

    try:
        engine = runner.load(common.model)
        windows = _window_count(engine, request)
        bar = ProgressBar(title, sys.stderr)

        def on_progress(step: int, total: int, _per_step: float) -> None:
            if windows > 1:  # long shots: say which window of how many is running
                per_window = max(1, total // windows)
                bar.title = f"{title} window {min(windows, (step - 1) // per_window + 1)}/{windows}"
            bar.update(step, total)

        try:
            return runner.run(common.model, request, Hooks(on_progress=on_progress, should_cancel=cancelled.is_set))
        except (RuntimeError, MemoryError) as exc:
            if common.info.needs_model and _out_of_memory(exc):
                raise UserError(
                    f"the {runner.placement_for(common.info).device} ran out of memory; try --memory group_offload, "
                    "or a smaller --size or fewer --seconds") from exc
            raise
        finally:
            bar.close()
    finally:
        runner.unload()


def _out_of_memory(exc: BaseException) -> bool:
    from model.engines.pipeline import is_out_of_memory

    return isinstance(exc, MemoryError) or is_out_of_memory(exc)


def _window_count(engine, request) -> int:
    from model.longshot import default_overlap, engine_window, plan_windows

    window = engine_window(engine)
    if request.num_frames <= window:
        return 1
    from model.request import Action

    plan = plan_windows(request.num_frames, window, default_overlap(engine, window),
                        backward=request.action is Action.EXTEND_BACKWARD, limits=engine.limits)
    return len(plan)


def _provenance(common: Common, plan, record: dict) -> dict[str, str]:
    """The MP4 tags an export of these frames would carry (editor.media.provenance): model, seed, prompt."""
    from editor.document.project import Clip, Project, Take
    from editor.media.provenance import provenance_metadata

    model = record.get("model") or {}
    title = model.get("repo_id") or model.get("title") or common.info.title
    take = Take(id="take", media=str(common.output), frames=plan.target.take_frames,
                record={"model": title, "seed": plan.seed if common.info.needs_model else None,
                        "prompt": plan.prompt, "action": plan.action.value})
    clip = Clip(id="new", start=0, length=take.frames, name=common.output.stem, takes=[take])
    return provenance_metadata(Project(name=common.output.stem), [clip], prompts=common.c2pa_prompts)


@contextmanager
def _quiet_libraries(active: bool) -> Iterator[None]:
    """Our progress bar only: diffusers' and transformers' loading bars and notices are muted (then restored)."""
    if not active:
        yield
        return
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    saved = [(lib, lib.get_verbosity(), lib.is_progress_bar_enabled())
             for lib in (diffusers_logging, transformers_logging)]
    for lib, _level, _bars in saved:
        lib.set_verbosity_error()
        lib.disable_progress_bar()
    try:
        yield
    finally:
        for lib, level, bars in saved:
            lib.set_verbosity(level)
            if bars:
                lib.enable_progress_bar()


@contextmanager
def _ctrl_c() -> Iterator[threading.Event]:
    """The first Ctrl+C sets the event (the sampler stops at the next step); a second one stops at once."""
    cancelled = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield cancelled  # signals reach only the main thread; a caller on another thread cancels otherwise
        return
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(signum, frame) -> None:
        if cancelled.is_set():
            raise KeyboardInterrupt
        cancelled.set()
        print("\nshotline: stopping after this step (Ctrl+C again to stop now)", file=sys.stderr, flush=True)

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield cancelled
    finally:
        signal.signal(signal.SIGINT, previous)


# --- models ----------------------------------------------------------------------------------


def cmd_models(argv: list[str]) -> int:
    ap = Parser(prog="main.py models",
                description="List the models Shotline can use: the folders given, the Hugging Face cache "
                            "(read offline) and the built-in interpolation; unusable folders with the reason.")
    ap.add_argument("folders", nargs="*", metavar="DIR", help="model folders, or folders holding model folders")
    ap.add_argument("--json", action="store_true", help="print JSON for scripts")
    args = ap.parse_args(argv)

    from model.models import Found, interpolate_info, scan_folders, scan_hf_cache

    named: list[Found] = []
    for text in args.folders:
        folder = Path(text).expanduser()
        if not folder.is_dir():
            if folder.exists():
                error = f"{folder}: is a file, not a model folder; give the folder that holds model_index.json"
            else:
                what = "a link that loops or leads nowhere" if folder.is_symlink() else "no such folder"
                error = f"{folder}: {what}; check the path"
            named.append(Found(str(folder), error=error))
            continue
        found = scan_folders([folder])
        named += found or [Found(str(folder), error=f"{folder} holds no model_index.json, nor do its sub-folders; "
                                                     "give the folder of a diffusers model")]
    cached = scan_hf_cache()
    entries = [Found("builtin:interpolate", info=interpolate_info())] + _unique(named + cached)
    refused = [f for f in named if f.error]
    if args.json:
        print(json.dumps([{"path": f.path, "usable": f.info is not None, "error": f.error,
                           **({"model": f.info.describe()} if f.info else {})} for f in entries], indent=2))
    else:
        print(describe_models(entries, cached_any=bool(cached)))
    if refused:
        print(f"shotline: error: {len(refused)} of the folders given can't be used (reasons above)", file=sys.stderr)
        return EXIT_USER_ERROR
    return 0


def _unique(found: list) -> list:
    seen, out = set(), []
    for f in found:
        # realpath, not Path.resolve(): a folder that is a symlink loop is a line, not a crash
        key = os.path.realpath(f.path) if not f.path.startswith("builtin:") else f.path
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def describe_models(entries: list, *, cached_any: bool) -> str:
    """One block per model: what it is, what it can do, its limits; refused folders with the reason."""
    from model.models import hf_cache_dir

    lines: list[str] = []
    for f in entries:
        if f.info is None:
            lines.append(f"unusable  {f.path}\n          {f.error}")
            continue
        info, limits = f.info, f.info.limits
        where = info.repo_id or info.path
        lines.append(f"{info.kind:<9} {info.title}  [{where}]")
        lines.append(f"          can: {', '.join(a.value for a in info.actions)}")
        if info.needs_model:
            grid = (f"frames {limits.frame_step}k+1 up to {limits.max_frames} a window "
                    f"(longer shots in windows), sides multiples of {limits.size_multiple}, "
                    f"native {limits.native_fps:g} fps")
            size = DEFAULT_SIZE.get(info.kind, FALLBACK_SIZE)
            weights = sum(info.parameters.values())
            lines.append(f"          limits: {grid}; default size {size[0]}x{size[1]}")
            disk = f"{info.weights_bytes / 1e9:.2f} GB" if info.weights_bytes >= 1e8 else f"{info.weights_bytes / 1e6:.2f} MB"
            lines.append(f"          weights: {_count(weights)} parameters, {disk} on disk"
                         + (f" ({info.variant})" if info.variant else ""))
        else:
            lines.append("          limits: any size and length; needs frames on both sides (no model)")
    if not cached_any:
        lines.append(f"(no models in the Hugging Face cache at {hf_cache_dir()})")
    if not any(f.info is not None and f.info.needs_model for f in entries):
        from model.catalog import catalog_text  # a fresh install: which models, how big, how to get them

        lines.append(catalog_text())
    return "\n".join(lines)


def _count(n: int) -> str:
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.2f}{unit}"
    return str(n)

