"""The Export dialog's rules, without widgets: what its fields ask for and whether that can be exported.

Times in the user's words (`parse_time`, `clock`), where the file goes (`default_output`), the
choices a preset or the last export stands for (`Choices`), what is remembered for next time,
which preset the fields match, the check of everything the settings page says (`check_form`),
and which codecs this ffmpeg can encode (`codecs_later`: asked once, on the background pool,
because asking runs ffmpeg).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject

from editor.document.project import Clip, Project
from editor.document.timecode import nominal_fps, timecode
from editor.media.errors import MediaError
from editor.media.export import (
    CODECS,
    DEFAULT_CRF,
    X264_PRESETS,
    ExportError,
    ExportOptions,
    export_presets,
    plan_export,
)
from editor.media.fit import FitMode
from editor.media.interchange.formats import TimelineFormat, timeline_format
from editor.media.outputs import project_inputs, refuse_overwrite

CUSTOM = "Custom"
CODEC_TITLES = {"h264": "H.264", "h265": "H.265 (HEVC)"}
FIT_TITLES = {FitMode.LETTERBOX: "Letterbox (whole picture, black bars)",
              FitMode.CROP: "Crop (fill the frame, trim the edges)",
              FitMode.STRETCH: "Stretch (fill the frame, distort)"}
RATES = (("23.976", Fraction(24000, 1001)), ("24", Fraction(24)), ("25", Fraction(25)),
         ("29.97", Fraction(30000, 1001)), ("30", Fraction(30)), ("48", Fraction(48)), ("50", Fraction(50)),
         ("59.94", Fraction(60000, 1001)), ("60", Fraction(60)))
MP4_SUFFIXES = (".mp4", ".m4v", ".mov")
REMEMBERED_OUTPUTS = 20  # per-project output paths kept in the settings
RANGES = ("all", "marks", "custom")  # whole cut, in to out marks, typed in and out


# --- times, names and places ---------------------------------------------------------------------
def parse_time(text: str, fps: Fraction) -> int:
    """A timecode (HH:MM:SS:FF, MM:SS:FF or SS:FF) or seconds ("2.5", "2.5s") as a project frame.

    Raise ValueError with the accepted forms for anything else.
    """
    s = text.strip().lower().removesuffix("s").strip()
    try:
        if ":" in s:
            parts = [int(p) for p in s.split(":")]
            if len(parts) > 4 or any(p < 0 for p in parts):
                raise ValueError
            parts = [0] * (4 - len(parts)) + parts
            hh, mm, ss, ff = parts
            base = nominal_fps(fps)
            if ff >= base:
                raise ValueError
            return ((hh * 60 + mm) * 60 + ss) * base + ff
        seconds = float(s)
        if seconds < 0:
            raise ValueError
        return round(Fraction(seconds) * Fraction(fps))
    except ValueError:
        raise ValueError(f"“{text}” is not a time: type a timecode such as 00:00:02:12 or seconds such as 2.5.") \
            from None


def rate_text(fps: Fraction) -> str:
    """24 -> "24", 24000/1001 -> "23.976"."""
    return f"{float(fps):.3f}".rstrip("0").rstrip(".")


def file_name_for(name: str) -> str:
    """A project name as a file name: characters no file system accepts become "_"."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" .") or "Untitled"


def default_output(name: str, folder: Path | None, remembered: dict) -> Path:
    """Where an export goes unless the user says otherwise: this project's last export, else
    beside the project folder, else the last export folder, else the home folder."""
    outputs = remembered.get("outputs") if isinstance(remembered.get("outputs"), dict) else {}
    last_here = outputs.get(str(folder)) if folder is not None else None
    if isinstance(last_here, str) and Path(last_here).parent.is_dir():
        return Path(last_here)
    file_name = f"{file_name_for(name)}.mp4"
    if folder is not None:
        return Path(folder).parent / file_name
    last = remembered.get("folder")
    if isinstance(last, str) and Path(last).is_dir():
        return Path(last) / file_name
    return Path.home() / file_name


def clips_in_range(project: Project, start: int, end: int) -> list[Clip]:
    """Clips of visible tracks that overlap frames [start, end), in track order."""
    return [c for t in project.tracks if not t.hidden for c in t.clips if c.start < end and c.end > start]


def clock(seconds: float) -> str:
    """A wait in the user's words: "0:07", "12:30", "1:02:03"."""
    s = max(0, round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def provenance_note(project: Project, start: int, end: int, *, signed: bool = False, prompts: bool = True) -> str:
    """What the exported file's metadata (and, when `signed`, its C2PA credentials) will say about
    generated frames in [start, end)."""
    clips = clips_in_range(project, start, end)
    generated = [c for c in clips if c.take is not None and c.take.generated]
    proof = " Signed Content Credentials (C2PA) say the same and show any change made later." if signed else ""
    if not generated:
        return ("The file's metadata says it was made with Shotline; generated shots, when there are any, "
                "are named there with their model, seed and prompt." + proof)
    shots = "shot is" if len(clips) == 1 else "shots are"
    named = "model, seed and prompt" if prompts else "model and seed (prompts kept private)"
    return (f"{len(generated)} of {len(clips)} {shots} generated: the file's metadata marks it as holding "
            f"AI-generated frames and names each generated shot's {named}.{proof}")


# --- choices: presets, the last export ------------------------------------------------------------
@dataclass(frozen=True)
class Choices:
    """What the video fields are set to from a preset or the last export."""

    codec: str
    crf: int
    speed: str
    size: tuple[int, int] | None  # None: the project's size
    fit: FitMode
    fps: Fraction | None  # None: the project's rate
    keep_fps: bool = False  # leave the rate field as it is (a preset that names no rate)


def load_presets() -> dict[str, ExportOptions]:
    """The export presets; none when the presets file can't be read (the fields still work)."""
    try:
        return export_presets()
    except ExportError:
        return {}


def preset_choices(preset: ExportOptions) -> Choices:
    return Choices(codec=preset.codec, crf=preset.quality, speed=preset.preset,
                   size=None if preset.width is None else (preset.width, preset.height),
                   fit=FitMode.parse(preset.fit), fps=preset.fps, keep_fps=preset.fps is None)


def restored_choices(last: dict, presets: dict[str, ExportOptions], codecs: list[str]) -> Choices:
    """The last export's choices (`Settings.last_export()`), else the first preset's."""
    first = next(iter(presets.values()), ExportOptions())
    codec = last.get("codec") if last.get("codec") in codecs else None
    try:
        size = tuple(int(v) for v in last["size"]) if last.get("size") else None
        fps = Fraction(str(last["fps"])) if last.get("fps") else None
        fit = FitMode.parse(last.get("fit"), FitMode.parse(first.fit))
        crf = int(last["crf"]) if last.get("crf") is not None else None
    except (ValueError, TypeError, KeyError):
        size, fps, fit, crf, codec = None, None, FitMode.parse(first.fit), None, None
    if codec is None:  # nothing remembered (or unusable): start from the first preset
        codec = first.codec if first.codec in codecs else (codecs or ["h264"])[0]
        return Choices(codec=codec, crf=first.quality if codec == first.codec else DEFAULT_CRF[codec],
                       speed=first.preset, size=None if first.width is None else (first.width, first.height),
                       fit=FitMode.parse(first.fit), fps=first.fps)
    speed = last.get("speed") if last.get("speed") in X264_PRESETS else first.preset
    return Choices(codec=codec, crf=crf if crf is not None and 0 <= crf <= 51 else DEFAULT_CRF[codec],
                   speed=speed, size=size if size and len(size) == 2 else None, fit=fit, fps=fps)


def matching_preset(presets: dict[str, ExportOptions], current: str, *, codec: str | None, crf: int, speed: str,
                    size: tuple[int, int] | None, fit: FitMode | None, fps: Fraction | None) -> str:
    """The preset the fields match (`current` when it still does), else CUSTOM. `size` is None
    when the export follows the project's size; `fit` None when there is nothing to fit."""

    def matches(p: ExportOptions) -> bool:
        psize = None if p.width is None else (p.width, p.height)
        pfit = FitMode.parse(p.fit) if fit is not None else None
        rate_ok = p.fps is None or p.fps == fps
        return (p.codec, p.quality, p.preset, psize, pfit) == (codec, crf, speed, size, fit) and rate_ok

    names = [n for n, p in presets.items() if matches(p)]
    return current if current in names else (names[0] if names else CUSTOM)


def remembered(last: dict, options: ExportOptions, out_path: Path, *, folder: Path | None,
               size: tuple[int, int] | None) -> dict:
    """`Settings.last_export()` after exporting `options` to `out_path` (size None: the project's)."""
    outputs = last.get("outputs") if isinstance(last.get("outputs"), dict) else {}
    if folder is not None:
        outputs.pop(str(folder), None)
        outputs[str(folder)] = str(out_path)
        outputs = dict(list(outputs.items())[-REMEMBERED_OUTPUTS:])
    return {
        "codec": options.codec, "crf": options.quality, "speed": options.preset,
        "size": None if size is None else list(size),
        "fps": None if options.fps is None else f"{options.fps.numerator}/{options.fps.denominator}",
        "fit": str(FitMode.parse(options.fit)), "preset_name": options.name,
        "folder": str(out_path.parent), "outputs": outputs,
    }


# --- checking what the fields ask for -------------------------------------------------------------
@dataclass(frozen=True)
class FormValues:
    """Everything the settings page's fields say, read at once."""

    out_text: str
    codec: str | None
    crf: int
    speed: str
    width: int
    height: int
    fit: FitMode | str
    fps: Fraction | None
    range_kind: str  # one of RANGES
    in_text: str = ""
    out_range_text: str = ""
    preset_name: str = ""
    c2pa: bool = True  # sign the file's Content Credentials
    c2pa_prompts: bool = True  # ...with the recipes (prompts) in them


@dataclass
class Check:
    """What the settings page currently asks for, and whether it can be exported."""

    options: ExportOptions | None = None
    out_path: Path | None = None
    frames: int = 0
    width: int = 0
    height: int = 0
    fps: Fraction = Fraction(24)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)  # object names of the fields at fault
    timeline: TimelineFormat | None = None  # the cut for another editor (.otio, .xml, ...), not a video

    @property
    def ok(self) -> bool:
        return not self.errors and (self.options is not None or self.timeline is not None)


def range_frames(project: Project, kind: str, marks: tuple[int | None, int | None], in_text: str = "",
                 out_text: str = "") -> tuple[int, int]:
    """[start, end) project frames of a range choice (one of RANGES); ValueError says what is wrong."""
    duration = project.duration
    if kind == "marks":
        start = marks[0] or 0
        end = min(marks[1] if marks[1] is not None else duration, duration)
        if start >= duration:
            raise ValueError("The in mark is past the end of the cut: move it, or export the whole cut.")
        return start, end
    if kind == "custom":
        fps = project.fps
        start, end = parse_time(in_text, fps), parse_time(out_text, fps)
        if end <= start:
            raise ValueError("The custom range is empty: its end must come after its start.")
        if start >= duration:
            raise ValueError(f"The custom range starts after the cut ends ({timecode(duration, fps)}).")
        return start, min(end, duration)
    return 0, duration


def output_path(text: str) -> Path:
    """The file a typed path names: "~" expanded, ".mp4" added when it has no suffix, absolute."""
    out = Path(text.strip()).expanduser()
    # "/" or "." has no name to add to, and an existing folder is one: the check says it is a folder
    if not out.suffix and out.name and not out.is_dir():
        out = out.with_name(out.name + ".mp4")
    return out.absolute()


def _replaces_source(project: Project, folder: Path | None, out: Path) -> str:
    """Why exporting to `out` would destroy a file the project uses ("" when it would not)."""
    try:
        refuse_overwrite(out, project_inputs(project, folder), project_folder=folder)
    except MediaError as exc:  # the export itself refuses the same way; here it is said at once
        return str(exc)
    return ""


def check_form(project: Project, values: FormValues, *, marks: tuple[int | None, int | None],
               codecs: list[str], folder: Path | None = None) -> Check:
    """Say what `values` would export from `project` (kept in `folder`), or what must change first."""
    check = Check()

    def fail(text: str, *fields: str) -> None:
        check.errors.append(text)
        check.invalid.update(fields)

    if not values.out_text.strip():
        fail("Choose the file to export to.", "export.path")
    else:
        out = check.out_path = output_path(values.out_text)
        if timeline_format(out) is not None:
            return check_timeline(project, out, folder)
        if out.is_dir():
            fail(f"{out} is a folder: add a file name such as {out / 'film.mp4'}.", "export.path")
        elif out.suffix.lower() not in MP4_SUFFIXES:
            fail(f"Export writes MP4 video, or a timeline (.otio, .otioz, .xml, .fcpxml, .edl): name the file "
                 f"{out.stem}.mp4.", "export.path")
        elif not out.parent.is_dir():
            fail(f"The folder {out.parent} does not exist: choose another folder or create it first.",
                 "export.path")
        elif refused := _replaces_source(project, folder, out):
            fail(refused, "export.path")
        elif out.exists():
            check.warnings.append(f"{out.name} exists; it is replaced only once the export has finished.")

    if not codecs:
        fail("This ffmpeg has no H.264 or H.265 encoder: install a full ffmpeg (e.g. `apt install ffmpeg`).")
    w, h = values.width, values.height
    for side, value, name in (("Width", w, "export.width"), ("Height", h, "export.height")):
        if value % 2:
            fail(f"{side} {value} is odd: H.264 and H.265 need even sizes; use {value - 1} or {value + 1}.", name)

    if project.duration == 0:
        fail("The cut is empty: add clips or shots before exporting.")
    start = end = 0
    try:
        start, end = range_frames(project, values.range_kind, marks, values.in_text, values.out_range_text)
    except ValueError as exc:
        fail(str(exc), *(("export.range_in", "export.range_out") if values.range_kind == "custom" else ()))

    if check.errors:
        return check
    same_size = (w, h) == (project.width, project.height)
    options = ExportOptions(
        codec=values.codec, crf=values.crf, preset=values.speed,
        width=None if same_size else w, height=None if same_size else h,
        fps=values.fps, fit=FitMode.parse(values.fit), start=start, end=end, name=values.preset_name,
        c2pa=values.c2pa, c2pa_prompts=values.c2pa and values.c2pa_prompts,
    )
    try:
        plan = plan_export(project, options)
    except ExportError as exc:
        fail(str(exc))
        return check
    check.options, check.frames, check.fps = options, len(plan.sources), plan.fps
    check.width, check.height = plan.width, plan.height
    return check


def check_timeline(project: Project, out: Path, folder: Path | None) -> Check:
    """What exporting the cut to the timeline file `out` would write, or what must change first
    (the same refusals as `export_timeline`, said before Export is pressed)."""
    from editor.media.interchange.formats import InterchangeError
    from editor.media.interchange.write import timeline_notes

    check = Check(out_path=out, timeline=timeline_format(out), fps=project.fps, frames=project.duration)
    if out.is_dir():
        check.errors.append(f"{out} is a folder: add a file name such as {out / ('cut' + out.suffix)}.")
    elif not out.parent.is_dir():
        check.errors.append(f"The folder {out.parent} does not exist: choose another folder or create it first.")
    elif refused := _replaces_source(project, folder, out):
        check.errors.append(refused)
    elif out.exists():
        check.warnings.append(f"{out.name} exists; it is replaced only once the export has finished.")
    if not any(t.clips for t in project.tracks) and not any(t.clips for t in project.audio_tracks):
        check.errors.append("The cut is empty: add clips or shots before exporting.")
    try:
        check.warnings += timeline_notes(project, folder, check.timeline)
    except InterchangeError as exc:  # a bundle whose media are missing
        check.errors.append(str(exc))
    if check.errors:
        check.invalid.add("export.path")
    return check


# --- which codecs this ffmpeg has (asked once, off the GUI thread) --------------------------------
_codecs: list[str] | None = None
_waiting: list[tuple[Callable[[list[str]], None], QObject | None]] = []


def known_codecs() -> list[str] | None:
    """The export codecs (keys of CODECS) this ffmpeg can encode, None until `codecs_later` found out."""
    return None if _codecs is None else list(_codecs)


def codecs_later(then: Callable[[list[str]], None] | None = None, *, owner: QObject | None = None) -> None:
    """Find the codecs on the background pool (ffmpeg is run once); then `then(codecs)` on the
    GUI thread, at once when they are known, and only while `owner` exists. With no `then`,
    this warms the answer (the window does at start, so the Export dialog never waits for it)."""
    if _codecs is not None:
        if then is not None:
            then(list(_codecs))
        return
    first = not _waiting
    _waiting.append((then or (lambda _codecs: None), owner))
    if first:
        from editor.ui.background import run_in_background

        run_in_background(_ask_ffmpeg, _found, failed=lambda _error: _found([]))


def _ask_ffmpeg() -> list[str]:
    from editor.media.ffmpeg_bin import has_encoder

    try:
        return [codec for codec, encoder in CODECS.items() if has_encoder(encoder)]
    except (MediaError, OSError):
        return []


def _found(codecs: list[str]) -> None:
    global _codecs
    _codecs = list(codecs)
    waiting = list(_waiting)
    _waiting.clear()
    for then, owner in waiting:
        if owner is None or shiboken6.isValid(owner):
            then(list(codecs))
