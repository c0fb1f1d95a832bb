"""Headless project commands: `new` (a rough cut from files), `export` (MP4), `info` (what it holds)."""

from __future__ import annotations

import os
import sys
from fractions import Fraction
from pathlib import Path

from editor.cli import c2pa_args
from editor.cli.common import (
    Parser,
    UserError,
    guarded,
    parse_fps,
    parse_size,
    positive_seconds,
    printable,
    seconds_value,
)
from editor.cli.progress import ProgressBar
from editor.words import plural


def run(command: str, argv: list[str]) -> int:
    return guarded(lambda: {"new": cmd_new, "export": cmd_export, "info": cmd_info}[command](argv))


# --- new -------------------------------------------------------------------------------------


def cmd_new(argv: list[str]) -> int:
    ap = Parser(prog="main.py new", description="Make a project whose first track holds MEDIA in order; "
                "a video's sound goes on A1, linked to it, and audio files go on A2 one after another.")
    ap.add_argument("project", help="the project folder to make, e.g. Trip.shotline")
    ap.add_argument("media", nargs="*", help="stills, videos and audio files (WAV, FLAC, MP3, M4A, OGG), in cut order")
    ap.add_argument("--no-sound", action="store_true", help="import the videos without their sound")
    ap.add_argument("--fps", default=None, help="project frame rate (default 24, or the rate of the --from cut)")
    ap.add_argument("--size", default=None, help="project frame size (default 1280x720, or the --from cut's)")
    ap.add_argument("--still-seconds", default="2", help="how long each still holds (default 2)")
    ap.add_argument("--from", dest="cut", default=None, metavar="CUT",
                    help="build the project from a cut made in another editor: .otio, .otioz, .xml (FCP 7, "
                         "Premiere, Resolve), .fcpxml or .edl")
    args = ap.parse_args(argv)
    if args.cut is not None:  # a cut made elsewhere (editor.cli.timeline_commands)
        from editor.cli.timeline_commands import new_from_cut

        return new_from_cut(args, _new_folder_path(args.project))
    fps, (width, height) = parse_fps(args.fps or "24"), parse_size(args.size or "1280x720")
    still_seconds = positive_seconds(args.still_seconds, "--still-seconds")

    folder = _new_folder_path(args.project)
    # Every file is read before anything is written, so a bad file changes nothing on disk.
    media = [Path(m) for m in args.media]
    audio_files = [m for m in media if _is_audio_file(m)]  # sound only: on an audio track, never V1
    clips = [_clip_for(m, fps, still_seconds) for m in media if m not in audio_files]
    project = rough_cut(folder.stem, fps, width, height, clips)
    with_sound = set() if args.no_sound else _videos_with_sound(clips)
    music = _audio_file_clips(audio_files, fps)
    from editor.document.limits import LimitError, check_project_length

    try:
        check_project_length(project.duration, fps, "the cut")
    except LimitError as exc:
        raise UserError(f"{exc} (fewer files or a shorter --still-seconds)") from None

    from editor.document.create import create_project_atomically
    from editor.document.storage import save_project

    def write(into: Path) -> None:
        _conform_videos(clips, into, fps)
        _add_sound(project, [c for c in clips if c.id in with_sound], music)
        save_project(project, into)

    # built in a hidden sibling and renamed: a kill or a racing `new` never leaves half a project
    create_project_atomically(folder, write, app="shotline new").release()
    total = project.duration
    print(f"made {folder} — {plural(len(clips), 'clip')}, {plural(total, 'frame')} ({float(total / fps):.2f} s) "
          f"at {fps} fps, {width}x{height}")
    if with_sound or music:
        print(f"sound: {plural(len(with_sound), 'video')} with linked sound on A1"
              + (f", {plural(len(music), 'audio file')} on A2" if music else ""))
    return 0


def _is_audio_file(path: Path) -> bool:
    from editor.media.audio import is_audio_file

    return path.is_file() and _valid_text(str(path.resolve())) and is_audio_file(path)


def _videos_with_sound(clips: list) -> set[str]:
    """Ids of the video clips whose file has sound (decoded whole: a damaged one is refused here)."""
    from editor.media.errors import MediaError
    from editor.media.sound_clips import video_sound

    out = set()
    for clip in clips:
        take = clip.take
        if take.is_still or take.metadata.get("animated"):
            continue
        try:
            if video_sound(take.media) is not None:
                out.add(clip.id)
        except MediaError as exc:
            raise UserError(f"{exc} (--no-sound imports the videos without their sound)") from None
    return out


def _audio_file_clips(paths: list[Path], fps: Fraction) -> list:
    from editor.media.sound_clips import audio_file_clip

    out, pos = [], 0
    for path in paths:
        clip = audio_file_clip(path, fps, pos)
        out.append(clip)
        pos = clip.end
    return out


def _add_sound(project, videos: list, music: list) -> None:
    """A1: the sound of each video, linked to it (after conforming); A2: the audio files."""
    from editor.document.project import AudioTrack, MediaItem, new_id
    from editor.media.sound_clips import linked_sound

    a1 = AudioTrack(id=new_id("audio"), name="A1", clips=[linked_sound(c) for c in videos])
    project.audio_tracks = [a1]
    if music:
        project.audio_tracks.append(AudioTrack(id=new_id("audio"), name="A2", clips=music))
        project.media += [MediaItem(c.source, {"imported": True}) for c in music]


def _new_folder_path(text: str) -> Path:
    from editor.document.storage import SUFFIX

    folder = Path(text)
    if folder.suffix != SUFFIX:
        folder = folder.with_name(folder.name + SUFFIX)
    if not _valid_text(str(folder)):
        raise UserError(f"{printable(str(folder))}: the name is not valid UTF-8 text; choose a plain-text name")
    if len(os.fsencode(folder.name)) > 255:  # NAME_MAX on every common file system
        raise UserError(f"{printable(folder.name, 60)}: the name is too long ({len(os.fsencode(folder.name))} bytes, "
                        "at most 255); choose a shorter name")
    if folder.exists():
        raise UserError(f"{folder} already exists; choose another name or delete it first")
    if not folder.parent.exists():
        raise UserError(f"the folder {folder.parent} does not exist; create it first")
    return folder


def _clip_for(path: Path, fps: Fraction, still_seconds: float):
    """A clip for one imported file: stills hold for still_seconds, videos keep their duration."""
    from editor.document.project import Clip, Take, new_id
    from editor.media.errors import MediaError
    from editor.media.probe import probe

    if not path.is_file():
        raise UserError(f"{path}: no such file; check the path")
    if not _valid_text(str(path.resolve())):  # a project file can't hold it (JSON is UTF-8)
        raise UserError(f"{printable(str(path))}: the file's name is not valid UTF-8 text; rename the file")
    try:
        info = probe(path)
    except MediaError:
        raise
    except Exception as exc:  # any decoder complaint about the file is the file's problem
        raise MediaError(f"{path}: can't be read as an image or video ({exc}); re-export it as PNG or MP4") from exc
    meta: dict = {"imported": True}
    from editor.media.animated import animated_frames, is_animated_webp

    if is_animated_webp(path):  # ffmpeg can't play it: converted like a GIF once the folder exists
        length = animated_frames(path, fps)
        take = Take(id=new_id("take"), media=str(path.resolve()), frames=length, is_still=False, label="import",
                    metadata={**meta, "animated": "webp"})
        return Clip(id=new_id("clip"), start=0, length=length, name=path.stem, takes=[take])
    if info.is_still:
        length = max(1, round(Fraction(still_seconds).limit_denominator(1000) * fps))
        take = Take(id=new_id("take"), media=str(path.resolve()), frames=1, is_still=True,
                    label="import", metadata=meta)
    else:
        media_fps = info.fps or fps
        # at another rate the video is conformed once the folder exists (see _conform_videos)
        length = max(1, round(info.frames * fps / media_fps))
        meta["fps"] = f"{media_fps.numerator}/{media_fps.denominator}"
        take = Take(id=new_id("take"), media=str(path.resolve()), frames=info.frames, is_still=False,
                    label="import", metadata=meta)
    return Clip(id=new_id("clip"), start=0, length=length, name=path.stem, takes=[take])


def _valid_text(text: str) -> bool:
    """False for names decoded from bytes that aren't UTF-8 (Python holds them as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _conform_videos(clips: list, folder: Path, fps: Fraction) -> None:
    """Videos at another frame rate get a copy at the project rate in media/conformed/."""
    from editor.document.media_paths import stored_media_path
    from editor.media.conform import conform_video, conformed_frames, needs_conform

    for clip in clips:
        take = clip.take
        if take.metadata.pop("animated", None) == "webp":
            from editor.media.animated import convert_animated_webp

            print(f"converting {Path(take.media).name} to a video at {float(fps):g} fps", file=sys.stderr)
            out = convert_animated_webp(take.media, folder, fps)
            take.metadata.update(original=take.media, imported=False)
            take.media = out.relative_to(folder).as_posix()
            take.frames = conformed_frames(out)
            clip.length = take.frames
            continue
        if take.is_still or not needs_conform(Fraction(take.metadata["fps"]), fps):
            continue
        print(f"converting {Path(take.media).name} from {float(Fraction(take.metadata['fps'])):g} "
              f"to {float(fps):g} fps", file=sys.stderr)
        out = conform_video(take.media, folder, fps)
        take.metadata.update(original=take.media, original_fps=take.metadata.pop("fps"), imported=False)
        take.media = stored_media_path(folder, out)  # "media/conformed/..." (out is absolute)
        take.frames = conformed_frames(out)
        clip.length = take.frames
    pos = 0
    for clip in clips:  # lay the cut out again: a conformed clip may differ by a frame
        clip.start, pos = pos, pos + clip.length


def rough_cut(name: str, fps: Fraction, width: int, height: int, clips: list) -> object:
    """A project with one video track holding `clips` back to back, in the given order."""
    from editor.document.project import Project, Track, new_id
    from editor.document.storage import derived_media

    pos = 0
    for clip in clips:
        clip.start, pos = pos, pos + clip.length
    project = Project(name=name, fps=fps, width=width, height=height,
                      tracks=[Track(id=new_id("track"), name="V1", clips=clips)])
    project.media = derived_media(project)  # the media bin lists the files, in the order given
    return project


# --- open (shared by export and info) ------------------------------------------------------------


def open_project(text: str, *, need_media: bool):
    """Load a project folder (or its project.json); refuse one that names missing media."""
    from editor.demo_copy import DEMO, demo_copy
    from editor.document.storage import check_media, load_project, project_folder

    demo = demo_copy() if text == DEMO else None  # the demo's private copy, as the window opens it
    folder = demo or project_folder(Path(text))
    if not folder.exists():  # OSError (a name too long) is a one-line error in guarded()
        raise UserError(f"{printable(str(folder))}: no such project; check the path")
    project = load_project(folder)
    from editor.document.scratch import clean_project

    clean_project(folder)  # partial files and temporaries a killed run left (their owner is gone)
    if need_media:
        from editor.document.media_paths import locate_media

        missing = check_media(project, folder)
        if missing:
            refused = {m: locate_media(folder, m).refused for m in missing}  # why a path may not be read
            missing = [f"{m} ({refused[m]})" if refused[m] else m for m in missing]
            listed = "; ".join(missing[:3]) + (f"; and {len(missing) - 3} more" if len(missing) > 3 else "")
            raise UserError(f"{folder} names media that are missing: {listed}. Put the files back "
                            "(or relink them in the editor) and try again")
    return project, folder


# --- export ------------------------------------------------------------------------------------


def cmd_export(argv: list[str]) -> int:
    ap = Parser(prog="main.py export", description="Export the cut of a project to an MP4 (picture and the "
                "mixed sound), its sound alone to a WAV, or the cut itself for another editor (.otio, .otioz, "
                ".xml, .fcpxml, .edl).")
    ap.add_argument("project", help="a .shotline folder (or its project.json), or DEMO for the demo")
    ap.add_argument("-o", "--output", required=True, help="the MP4 to write, a .wav for the sound alone, or a "
                    "timeline: .otio, .otioz (with media), .xml (FCP 7), .fcpxml, .edl")
    ap.add_argument("--codec", choices=("h264", "h265"), default="h264")
    ap.add_argument("--crf", type=int, default=None, help="quality: lower is better (default 18 h264, 22 h265)")
    ap.add_argument("--preset", default="medium", help="encoder speed preset (ultrafast .. veryslow)")
    ap.add_argument("--size", default=None, help="output size WxH (default: the project's)")
    c2pa_args.add_arguments(ap)  # --no-c2pa, --no-prompts-in-c2pa, --c2pa-cert, --c2pa-key
    ap.add_argument("--fps", default=None, help="output frame rate (default: the project's)")
    ap.add_argument("--range", default=None, help="IN:OUT in seconds (either may be empty)")
    ap.add_argument("--loudness", default=None, metavar="LUFS",
                    help="normalise the sound to this integrated loudness (EBU R128), e.g. -14; default: as mixed")
    args = ap.parse_args(argv)
    from editor.media.interchange.formats import timeline_format

    if timeline_format(args.output) is not None:  # the cut for another editor, not a picture
        from editor.cli.timeline_commands import export_timeline_file, refuse_video_options

        refuse_video_options(args)
        project, folder = open_project(args.project, need_media=False)  # a .otioz refuses missing media itself
        return export_timeline_file(project, folder, args.output)
    loudness = None
    if args.loudness is not None:
        try:
            loudness = float(args.loudness)
        except ValueError:
            loudness = float("nan")
        if not -70 <= loudness <= 0:
            raise UserError(f"--loudness {args.loudness[:20]!r}: give a loudness from -70 to 0 LUFS, e.g. -14")

    project, folder = open_project(args.project, need_media=True)
    from editor.media.export import ExportOptions, export_project

    if Path(args.output).suffix.lower() == ".wav":
        return _export_wav(args, project, folder, loudness)

    size = parse_size(args.size) if args.size else (project.width, project.height)
    fps = parse_fps(args.fps) if args.fps else project.fps
    if args.crf is not None and not 0 <= args.crf <= 51:
        raise UserError("--crf must be 0..51 (18 is visually lossless for H.264)")
    first, last = _range_frames(args.range, project)
    out = Path(args.output)
    if out.suffix.lower() not in (".mp4", ".m4v", ".mov"):
        raise UserError(f"{out}: export writes MP4 (or the cut as .otio, .otioz, .xml, .fcpxml, .edl); name the file .mp4")
    if not out.parent.exists():
        raise UserError(f"the folder {out.parent} does not exist; create it first")
    options = ExportOptions(
        codec=args.codec, crf=args.crf, preset=args.preset, width=size[0], height=size[1], fps=fps,
        start=first, end=last, loudness=loudness, **c2pa_args.options(args),
    )
    identity = c2pa_args.given_identity(args)
    bar = ProgressBar("export", sys.stderr)
    result = export_project(project, folder, out, options, on_progress=bar.update, identity=identity)
    bar.close()
    sound = ", sound 48 kHz stereo AAC" if result.sound else ", no sound"
    print(f"wrote {out} — {result.frames} frames at {fps} fps, {size[0]}x{size[1]}, {args.codec}{sound}")
    if result.loudness is not None:
        print(result.loudness.describe())
    if result.signing is not None:  # signed, or why not (the video is kept either way: c2pa_sign)
        print(result.signing.note(), file=sys.stdout if result.signing.signed else sys.stderr)
    return 0


def _export_wav(args, project, folder: Path, loudness: float | None) -> int:
    """`export -o mix.wav`: the mixed sound of the cut (or --range) alone."""
    from editor.media.sound_export import export_sound

    # the sound alone lasts as long as the picture, or as the sound when that goes on longer
    first, last = _range_frames(args.range, project, max(project.duration, project.sound_end))
    out = Path(args.output)
    if not out.parent.exists():
        raise UserError(f"the folder {out.parent} does not exist; create it first")
    result = export_sound(project, folder, out, start=first, end=last, loudness=loudness)
    print(f"wrote {out} — {result.samples / 48000:.3f} s of sound, 48 kHz 24-bit stereo WAV")
    if result.loudness is not None:
        print(result.loudness.describe())
    return 0


def _range_frames(text: str | None, project, total: int | None = None) -> tuple[int, int]:
    """IN:OUT seconds -> [first, last) project frames, checked against the cut (or `total` frames)."""
    total = project.duration if total is None else total
    if total == 0:
        raise UserError("the project is empty: add clips or shots before exporting")
    if not text:
        return 0, total
    if ":" not in text:
        raise UserError(f"--range {text!r} is not IN:OUT in seconds, e.g. 2:10.5")
    a, b = text.split(":", 1)
    try:
        first = project.seconds_to_frames(seconds_value(a, "--range IN", allow_zero=True)) if a.strip() else 0
        last = project.seconds_to_frames(seconds_value(b, "--range OUT", allow_zero=True)) if b.strip() else total
    except UserError as exc:
        raise UserError(f"--range {text[:40]!r}: {exc}; give IN:OUT in seconds, e.g. 2:10.5") from None
    last = min(last, total)
    if first < 0 or first >= last:
        length = float(total / project.fps)
        raise UserError(f"--range {text}: IN must be before OUT, inside the cut's 0..{length:.2f} s")
    return first, last


# --- info --------------------------------------------------------------------------------------


def cmd_info(argv: list[str]) -> int:
    ap = Parser(prog="main.py info", description="Print a project's tracks, clips, gaps, drafts and takes.")
    ap.add_argument("project", help="a .shotline folder (or its project.json), or DEMO for the demo")
    ap.add_argument("--recipes", action="store_true",
                    help="also print each generated take's recipe, one JSON object a line")
    args = ap.parse_args(argv)
    project, folder = open_project(args.project, need_media=False)
    print(describe_project(project, folder))  # names, prompts and paths escaped (see describe_project)
    if args.recipes:
        import json

        from editor.document.recipe import recipe_of

        for track in project.tracks:
            for clip in track.clips:
                for take in clip.takes:
                    recipe = recipe_of(take)
                    if recipe is not None:  # JSON escapes control characters itself
                        print(json.dumps({"clip": clip.id, "take": take.id, **recipe.to_dict()}, ensure_ascii=True))
    return 0


def describe_project(project, folder: Path) -> str:
    from editor.document.storage import check_media

    fps = project.fps
    def tc(frames: int) -> str:
        return f"{float(frames / fps):7.2f}s"

    missing = set(check_media(project, folder))
    from editor.document.context_fingerprint import content_tokens, stale_reasons
    from editor.document.recipe import recipe_of

    tokens = content_tokens(folder)
    lines = [f"{project.name}  ({folder})",
             f"  {project.width}x{project.height} at {fps} fps, {project.duration} frames ({tc(project.duration).strip()})",
             f"  {len(project.tracks)} track(s), {sum(len(t.clips) for t in project.tracks)} clip(s), "
             f"{len(project.cast)} cast member(s)"]
    for track in project.tracks:
        lines.append(f"track {track.name}{' (hidden)' if track.hidden else ''}: {len(track.clips)} clip(s)")
        gaps = {g.start: g for g in project.gaps(track.id)}
        for clip in track.clips:
            gap = gaps.get(next((s for s in gaps if gaps[s].end == clip.start), -1))
            if gap:
                lines.append(f"  gap    {tc(gap.start)} +{gap.length} frames")
            if clip.is_draft:
                lines.append(f"  draft  {tc(clip.start)} +{clip.length} frames  {clip.name or clip.id}: "
                             f"\"{clip.shot.prompt}\"")
            else:
                lines.append(f"  clip   {tc(clip.start)} +{clip.length} frames  {clip.name or clip.id}  "
                             f"take {clip.active_take + 1}/{len(clip.takes)}")
            for i, take in enumerate(clip.takes):
                mark = "*" if i == clip.active_take else " "
                recipe = recipe_of(take)
                what = "imported"
                if recipe is not None:
                    what = f"{recipe.action or 'generated'} by {recipe.model_title or recipe.model or recipe.engine}"
                    what += f", seed {recipe.seed}" if recipe.seed is not None else ""
                gone = "  MISSING" if any(take.media in m for m in missing) else ""
                lines.append(f"     {mark} take {i + 1}: {take.media} ({take.frames} frames, {what}){gone}")
                if i == clip.active_take and recipe is not None:
                    stale = stale_reasons(project, clip.id, take, tokens)
                    if stale:  # what it was made from changed since (editor.document.context_fingerprint)
                        lines.append(f"       STALE: {' '.join(stale)}")
            for k in clip.keyframes:
                lines.append(f"       keyframe at +{k.frame} strength {k.strength:.2f}: {k.image}")
    from editor.document.project import audible_tracks

    heard = {t.id for t in audible_tracks(project.audio_tracks)}
    for track in project.audio_tracks:
        state = ", ".join(w for w, on in (("muted", track.muted), ("solo", track.solo),
                                          ("not heard", track.id not in heard and not track.muted)) if on)
        lines.append(f"audio track {track.name}{f' ({state})' if state else ''}: "
                     f"{len(track.clips)} sound(s), volume {track.volume_db:+.1f} dB")
        for c in track.clips:
            extra = "".join([f", gain {c.gain_db:+.1f} dB" if c.gain_db else "",
                             f", fades {c.fade_in}/{c.fade_out}" if c.fade_in or c.fade_out else "",
                             ", linked" if c.link else ""])
            gone = "  MISSING" if any(c.source in m for m in missing) else ""
            lines.append(f"  sound  {tc(c.start)} +{c.length} frames  {c.name or c.id}: {c.source}{extra}{gone}")
    # a name or prompt may hold escape sequences (colours, cursor moves, a fake prompt): shown escaped
    return "\n".join(printable(line, limit=10_000) for line in lines)
