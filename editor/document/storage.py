"""Project folders on disk: `Name.shotline/project.json` with a schema name and version, atomic saves.

Layout of a project folder:

    Name.shotline/
        project.json   {"schema": "shotline.project", "version": 2, ...}
        media/         generated takes (lossless) and copied-in imports
        cache/         thumbnails and proxies, safe to delete
        autosave/      project-<timestamp>.json, the last few (see editor.document.autosave)
        jobs.sqlite    the job journal (written by model.journal, not here)

Rules:
- Plain JSON only (no pickle). fps is a "num/den" string. Media inside the folder are stored
  relative (with "/"), so a folder can be moved or copied whole.
- A media path outside the folder is allowed only for a file the user imported: it is stored
  absolute and the item's metadata says `"imported": true` (saving marks absolute paths outside
  the folder that way). A relative path that climbs out of the folder (`../../etc/passwd`) is
  refused on load and on save.
- Saves are atomic: a temporary file in the same folder, flush + fsync, `os.replace`, then fsync
  of the folder, so a crash or a kill leaves either the old or the new project.json, never half.
- Loading never writes. Anything wrong raises `ProjectError` with a message that says what to do.
- What loads must save: a value that could not be written back unchanged (NaN or infinity, an int
  beyond 64 bits, a lone surrogate, nesting deeper than `limits.MAX_JSON_DEPTH`) or that lies
  outside `editor.document.limits` (fps, frame size, frames, the 24 h length) is refused at load,
  never repaired silently: the file is left as it is for the user to fix or replace. Only a
  regular file is read (a FIFO or a device would block or never end).
- Older versions are upgraded in memory by `UPGRADES[v]` (v -> v+1) one step at a time; a file
  from a newer Shotline is refused rather than half-read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from editor.document import limits
from editor.document.document import Document
from editor.document.edits import EditRefused
from editor.document.media_paths import (  # noqa: F401  (the one resolver and its path rules)
    is_absolute,
    locate_media,
    path_escapes,
    resolve_media,
)
from editor.document.project import (
    AudioClip,
    AudioTrack,
    CastMember,
    Clip,
    GenerationDefaults,
    Keyframe,
    MediaItem,
    Project,
    ShotSettings,
    Take,
    Track,
)

SCHEMA = "shotline.project"
VERSION = 2  # 2: sound (audio_tracks, Clip.link)
SUFFIX = ".shotline"
PROJECT_FILE = "project.json"
SUBFOLDERS = ("media", "cache", "autosave")
JOURNAL_FILE = "jobs.sqlite"


class ProjectError(Exception):
    """A project that can't be opened or saved; the message says why and what to do."""

    def __init__(self, message: str = "") -> None:
        # always one line: names and paths quoted in a message may hold newlines or escape codes
        super().__init__(_one_line(str(message)))


def _one_line(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode("ascii")
                   for ch in text)


# --- folders and paths ---------------------------------------------------------------------


def project_folder(path: Path | str) -> Path:
    """The project folder (absolute) for a path to the folder itself or to its project.json.
    Absolute once, here: a project opened as `Film.shotline` must not have its folder joined
    to its media paths twice (every open and save goes through here)."""
    p = Path(os.path.abspath(path))
    return p.parent if p.name == PROJECT_FILE else p


def folder_for_name(parent: Path | str, name: str) -> Path:
    """Where a new project called `name` goes inside `parent` ("My film" -> My film.shotline)."""
    clean = "".join(ch for ch in name.strip() if ch not in '/\\:*?"<>|').strip(". ") or "Untitled"
    return Path(parent) / f"{clean}{SUFFIX}"


def create_folder(folder: Path | str) -> Path:
    """Make the folder and its media/, cache/ and autosave/ (no error if they exist)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ProjectError(f"{folder} is a file, not a project folder; choose another name.")
    for sub in ("", *SUBFOLDERS):
        if sub and (folder / sub).is_symlink():
            continue  # a link is never made or written through here (editor.document.subfolders)
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return folder


def journal_path(folder: Path | str) -> Path:
    """Where the project's job journal lives (model.journal owns the file)."""
    return project_folder(folder) / JOURNAL_FILE


def _inside(folder: Path, path: str) -> str | None:
    """`path` relative to the folder (posix) when an absolute path lies inside it, else None."""
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(folder))
    except ValueError:
        return None
    return rel.as_posix()


def media_items(project: Project) -> list[tuple[str, str, dict, Callable[[str], None]]]:
    """Every media reference: (path, what it is in words, its metadata, a setter for relinking)."""
    out: list[tuple[str, str, dict, Callable[[str], None]]] = []

    def setter(obj: Any, attr: str) -> Callable[[str], None]:
        return lambda value: setattr(obj, attr, value)

    for m in project.cast:
        out.append((m.image, f"the image of cast member {m.name!r}", m.metadata, setter(m, "image")))
    for t in project.tracks:
        for k in t.keyframes:
            out.append((k.image, f"a keyframe on track {t.name!r}", k.metadata, setter(k, "image")))
        for c in t.clips:
            label = c.name or f"the clip at frame {c.start}"
            for tk in c.takes:
                out.append((tk.media, f"a take of {label!r}", tk.metadata, setter(tk, "media")))
            for k in c.keyframes:
                out.append((k.image, f"a keyframe of {label!r}", k.metadata, setter(k, "image")))
    for at in project.audio_tracks:
        for ac in at.clips:
            out.append((ac.source, f"the sound {ac.name or f'at frame {ac.start}'!r} on {at.name!r}", ac.metadata,
                        setter(ac, "source")))
    # last: a file the cut uses is named by its use ("a take of 'Sunrise'"), the bin's own after
    for m in project.media:
        out.append((m.path, "a file in the media bin", m.metadata, setter(m, "path")))
    return out


def check_media(project: Project, folder: Path | str | None) -> list[str]:
    """Stored paths of media files that are missing or refused (each once, in project order);
    editor.document.media_paths.locate_media says why."""
    missing: list[str] = []
    for path, _, _, _ in media_items(project):
        if path not in missing and locate_media(folder, path).offline_reason:
            missing.append(path)
    return missing


def _check_path(path: str, what: str, metadata: dict) -> None:
    if not isinstance(path, str) or not path:
        raise ProjectError(f"The media path of {what} is empty; the project file is damaged.")
    if is_absolute(path):
        if not metadata.get("imported"):
            raise ProjectError(
                f"The media of {what} ({path}) lies outside the project folder but was not imported; "
                "the project file may have been tampered with. Import the file again from the editor."
            )
    elif path_escapes(path):
        raise ProjectError(
            f"The media path of {what} ({path}) climbs out of the project folder; it is refused. "
            "Import the file from the editor instead."
        )


# --- project <-> JSON ----------------------------------------------------------------------


def _fps_text(fps: Fraction) -> str:
    f = Fraction(fps)
    return f"{f.numerator}/{f.denominator}"


def _keyframe_out(k: Keyframe) -> dict:
    return {"id": k.id, "image": k.image, "frame": k.frame, "strength": k.strength, "metadata": k.metadata}


def _take_out(t: Take) -> dict:
    return {"id": t.id, "media": t.media, "frames": t.frames, "is_still": t.is_still, "label": t.label,
            "record": t.record, "metadata": t.metadata}


def _clip_out(c: Clip) -> dict:
    s = c.shot
    return {
        "id": c.id, "name": c.name, "start": c.start, "length": c.length, "source_in": c.source_in,
        "active_take": c.active_take,
        "shot": {"prompt": s.prompt, "negative_prompt": s.negative_prompt, "seed": s.seed, "steps": s.steps,
                 "guidance": s.guidance, "model": s.model, "cast": list(s.cast)},
        "takes": [_take_out(t) for t in c.takes],
        "keyframes": [_keyframe_out(k) for k in c.keyframes],
        "metadata": c.metadata,
        **({"link": c.link} if c.link is not None else {}),
    }


def _audio_track_out(t: AudioTrack) -> dict:
    return {"id": t.id, "name": t.name, "volume_db": t.volume_db, "muted": t.muted, "solo": t.solo,
            "metadata": t.metadata,
            "clips": [{"id": c.id, "name": c.name, "source": c.source, "start": c.start, "length": c.length,
                       "source_in": c.source_in, "source_frames": c.source_frames, "gain_db": c.gain_db,
                       "fade_in": c.fade_in, "fade_out": c.fade_out, "link": c.link, "metadata": c.metadata}
                      for c in t.clips]}


def project_to_dict(project: Project) -> dict[str, Any]:
    """The project as JSON data of this VERSION, paths exactly as held in memory."""
    d = project.defaults
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "name": project.name,
        "fps": _fps_text(project.fps),
        "width": project.width,
        "height": project.height,
        "defaults": {"model": d.model, "steps": d.steps, "guidance": d.guidance,
                     "negative_prompt": d.negative_prompt},
        "cast": [{"id": m.id, "name": m.name, "image": m.image, "description": m.description,
                  "metadata": m.metadata} for m in project.cast],
        "tracks": [
            {"id": t.id, "name": t.name, "hidden": t.hidden, "metadata": t.metadata,
             "keyframes": [_keyframe_out(k) for k in t.keyframes],
             "clips": [_clip_out(c) for c in t.clips]}
            for t in project.tracks
        ],
        "metadata": project.metadata,
        "media": [{"path": m.path, "metadata": m.metadata} for m in project.media],
        "audio_tracks": [_audio_track_out(t) for t in project.audio_tracks],
    }


def snapshot(project: Project) -> str:
    """The whole project as canonical JSON text: two equal snapshots mean two equal projects."""
    return json.dumps(project_to_dict(project), sort_keys=True, ensure_ascii=False)


class _Reader:
    """Reads fields with checks; errors name the exact place ("tracks[0].clips[2].start")."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> ProjectError:
        return ProjectError(
            f"{self.source} is damaged: {where} {problem}. Open an autosave from the project's autosave "
            "folder, or a backup."
        )

    def get(self, d: Any, key: str, kind: type | tuple[type, ...], where: str, default: Any = ...) -> Any:
        if not isinstance(d, dict):
            raise self.fail(where, "is not an object")
        if key not in d:
            if default is not ...:
                return default
            raise self.fail(f"{where}.{key}" if where else key, "is missing")
        value = d[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
        if not ok:
            names = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
            raise self.fail(f"{where}.{key}" if where else key, f"should be {names}, not {json.dumps(value)[:40]}")
        return value

    def items(self, d: Any, key: str, where: str) -> list:
        return self.get(d, key, list, where, default=[])


NUM = (int, float)


def _keyframe_in(r: _Reader, d: dict, where: str) -> Keyframe:
    return Keyframe(id=r.get(d, "id", str, where), image=r.get(d, "image", str, where),
                    frame=r.get(d, "frame", int, where), strength=float(r.get(d, "strength", NUM, where, 1.0)),
                    metadata=r.get(d, "metadata", dict, where, {}))


def _take_in(r: _Reader, d: dict, where: str) -> Take:
    return Take(id=r.get(d, "id", str, where), media=r.get(d, "media", str, where),
                frames=r.get(d, "frames", int, where), is_still=r.get(d, "is_still", bool, where, False),
                record=r.get(d, "record", dict, where, {}), label=r.get(d, "label", str, where, ""),
                metadata=r.get(d, "metadata", dict, where, {}))


def _clip_in(r: _Reader, d: dict, where: str) -> Clip:
    s = r.get(d, "shot", dict, where, {})
    sw = f"{where}.shot"
    guidance = r.get(s, "guidance", (*NUM, type(None)), sw, None)
    shot = ShotSettings(
        prompt=r.get(s, "prompt", str, sw, ""), negative_prompt=r.get(s, "negative_prompt", str, sw, ""),
        seed=r.get(s, "seed", (int, type(None)), sw, None), steps=r.get(s, "steps", (int, type(None)), sw, None),
        guidance=None if guidance is None else float(guidance),
        model=r.get(s, "model", (str, type(None)), sw, None),
        cast=[r.get({"id": x}, "id", str, f"{sw}.cast") for x in r.items(s, "cast", sw)],
    )
    return Clip(
        id=r.get(d, "id", str, where), start=r.get(d, "start", int, where), length=r.get(d, "length", int, where),
        name=r.get(d, "name", str, where, ""),
        takes=[_take_in(r, t, f"{where}.takes[{i}]") for i, t in enumerate(r.items(d, "takes", where))],
        active_take=r.get(d, "active_take", int, where, 0), source_in=r.get(d, "source_in", int, where, 0),
        shot=shot,
        keyframes=[_keyframe_in(r, k, f"{where}.keyframes[{i}]") for i, k in enumerate(r.items(d, "keyframes", where))],
        metadata=r.get(d, "metadata", dict, where, {}),
        link=r.get(d, "link", (str, type(None)), where, None),
    )


def _audio_track_in(r: _Reader, t: dict, w: str) -> AudioTrack:
    clips = []
    for j, c in enumerate(r.items(t, "clips", w)):
        cw = f"{w}.clips[{j}]"
        clips.append(AudioClip(
            id=r.get(c, "id", str, cw), name=r.get(c, "name", str, cw, ""), source=r.get(c, "source", str, cw),
            start=r.get(c, "start", int, cw), length=r.get(c, "length", int, cw),
            source_in=r.get(c, "source_in", int, cw, 0), source_frames=r.get(c, "source_frames", int, cw),
            gain_db=float(r.get(c, "gain_db", NUM, cw, 0.0)), fade_in=r.get(c, "fade_in", int, cw, 0),
            fade_out=r.get(c, "fade_out", int, cw, 0), link=r.get(c, "link", (str, type(None)), cw, None),
            metadata=r.get(c, "metadata", dict, cw, {}),
        ))
    return AudioTrack(id=r.get(t, "id", str, w), name=r.get(t, "name", str, w, ""), clips=clips,
                      volume_db=float(r.get(t, "volume_db", NUM, w, 0.0)), muted=r.get(t, "muted", bool, w, False),
                      solo=r.get(t, "solo", bool, w, False), metadata=r.get(t, "metadata", dict, w, {}))


def project_from_dict(data: Any, *, source: str = PROJECT_FILE) -> Project:
    """A project from JSON data of any known version; ProjectError when it can't be read."""
    r = _Reader(source)
    problem = limits.bad_json_value(data)
    if problem is not None:
        raise ProjectError(f"{source} can't be opened: {problem}, which Shotline could not save back unchanged. "
                           "Fix that value in a text editor, or open an autosave from the project's autosave folder.")
    data = upgrade(data, source=source)
    fps_text = r.get(data, "fps", str, "")
    try:
        # digits only: Fraction("1e999999999") would compute a number of a billion digits
        if not _FPS_TEXT.fullmatch(fps_text):
            raise ValueError(fps_text)
        fps = Fraction(fps_text)
    except (ValueError, ZeroDivisionError):
        raise r.fail("fps", f"is not a frame rate like \"24/1\" ({fps_text[:40]!r})") from None
    dd = r.get(data, "defaults", dict, "", {})
    base = GenerationDefaults()
    defaults = GenerationDefaults(
        model=r.get(dd, "model", (str, type(None)), "defaults", base.model),
        steps=r.get(dd, "steps", int, "defaults", base.steps),
        guidance=float(r.get(dd, "guidance", NUM, "defaults", base.guidance)),
        negative_prompt=r.get(dd, "negative_prompt", str, "defaults", base.negative_prompt),
    )
    cast = [
        CastMember(id=r.get(m, "id", str, f"cast[{i}]"), name=r.get(m, "name", str, f"cast[{i}]"),
                   image=r.get(m, "image", str, f"cast[{i}]"),
                   description=r.get(m, "description", str, f"cast[{i}]", ""),
                   metadata=r.get(m, "metadata", dict, f"cast[{i}]", {}))
        for i, m in enumerate(r.items(data, "cast", ""))
    ]
    tracks = []
    for i, t in enumerate(r.items(data, "tracks", "")):
        w = f"tracks[{i}]"
        tracks.append(Track(
            id=r.get(t, "id", str, w), name=r.get(t, "name", str, w, ""), hidden=r.get(t, "hidden", bool, w, False),
            clips=[_clip_in(r, c, f"{w}.clips[{j}]") for j, c in enumerate(r.items(t, "clips", w))],
            keyframes=[_keyframe_in(r, k, f"{w}.keyframes[{j}]") for j, k in enumerate(r.items(t, "keyframes", w))],
            metadata=r.get(t, "metadata", dict, w, {}),
        ))
    project = Project(
        name=r.get(data, "name", str, "", "Untitled"), fps=fps,
        width=r.get(data, "width", int, ""), height=r.get(data, "height", int, ""),
        tracks=tracks, cast=cast, defaults=defaults, metadata=r.get(data, "metadata", dict, "", {}),
        audio_tracks=[_audio_track_in(r, t, f"audio_tracks[{i}]")
                      for i, t in enumerate(r.items(data, "audio_tracks", ""))],
    )
    if "media" in data:
        project.media = [MediaItem(path=r.get(m, "path", str, f"media[{i}]"),
                                   metadata=r.get(m, "metadata", dict, f"media[{i}]", {}))
                         for i, m in enumerate(r.items(data, "media", ""))]
    else:
        # a project saved before the bin had its own list: the bin starts with what the cut uses
        project.media = derived_media(project)
    _check_bounds(project, source)
    _check_loaded(project, r)
    return project


_FPS_TEXT = re.compile(r"\s*\d{1,12}(\.\d{1,12})?(/\d{1,12})?\s*")


def _check_bounds(project: Project, source: str) -> None:
    """Every number within editor.document.limits, so that no view, export or job meets an absurd one."""
    from editor.document.ops import _check_shot_values, _check_strength

    def check(where: str, test: Callable[[], object]) -> None:
        try:
            test()
        except (limits.LimitError, EditRefused) as exc:
            raise ProjectError(f"{source} can't be opened: {where}: {str(exc).rstrip('.')}. Fix that value in "
                               "a text editor, or open an autosave from the project's autosave folder.") from None

    check("fps", lambda: limits.check_fps(project.fps))
    check("width x height", lambda: limits.check_size(project.width, project.height))
    d = project.defaults
    check("defaults", lambda: _check_shot_values(seed=None, steps=d.steps, guidance=d.guidance, model=None))
    for i, t in enumerate(project.tracks):
        for j, k in enumerate(t.keyframes):
            w = f"tracks[{i}].keyframes[{j}]"
            check(w, lambda k=k, w=w: limits.check_frames(k.frame, f"{w}.frame", minimum=-limits.MAX_FRAMES))
            check(w, lambda k=k: _check_strength(k.strength))
        for j, c in enumerate(t.clips):
            w = f"tracks[{i}].clips[{j}]"
            s = c.shot
            check(f"{w}.shot", lambda s=s: _check_shot_values(seed=s.seed, steps=s.steps, guidance=s.guidance,
                                                               model=None))
            for name in ("start", "length", "source_in"):
                check(w, lambda c=c, name=name, w=w: limits.check_frames(getattr(c, name), f"{w}.{name}"))
            check(w, lambda c=c, w=w: limits.check_frames(c.end, f"{w} end"))
            for n, tk in enumerate(c.takes):
                check(w, lambda tk=tk, w=f"{w}.takes[{n}].frames": limits.check_frames(tk.frames, w))
            for n, k in enumerate(c.keyframes):
                check(w, lambda k=k, w=f"{w}.keyframes[{n}].frame": limits.check_frames(k.frame, w))
    for i, t in enumerate(project.audio_tracks):
        check(f"audio_tracks[{i}].volume_db", lambda t=t: limits.check_gain_db(t.volume_db, "the volume"))
        for j, c in enumerate(t.clips):
            w = f"audio_tracks[{i}].clips[{j}]"
            for name in ("start", "length", "source_in", "source_frames", "fade_in", "fade_out"):
                check(w, lambda c=c, name=name, w=w: limits.check_frames(getattr(c, name), f"{w}.{name}"))
            check(w, lambda c=c, w=w: limits.check_frames(c.end, f"{w} end"))
            check(w, lambda c=c: limits.check_gain_db(c.gain_db, "the gain"))
    check("the cut", lambda: limits.check_project_length(project.duration, project.fps))
    for path, what, _, _ in media_items(project):
        if "\x00" in path:
            raise ProjectError(f"{source} can't be opened: the media path of {what} holds a NUL character, "
                               "which names no file. Fix it in a text editor, or open an autosave.")


def derived_media(project: Project) -> list[MediaItem]:
    """The takes' media of the project's clips, each once, in track and clip order."""
    out: dict[str, MediaItem] = {}
    for t in project.tracks:
        for c in sorted(t.clips, key=lambda c: c.start):
            for tk in c.takes:
                out.setdefault(tk.media, MediaItem(tk.media, {"imported": True} if tk.metadata.get("imported") else {}))
    return list(out.values())


def _check_loaded(project: Project, r: _Reader) -> None:
    from editor.document.ops import check_track

    seen: set[str] = set()

    def unique(i: str, what: str) -> None:
        if i in seen:
            raise r.fail(what, f"repeats the id {i!r}")
        seen.add(i)

    for m in project.cast:
        unique(m.id, "a cast member")
    for t in project.tracks:
        unique(t.id, "a track")
        for k in t.keyframes:
            unique(k.id, "a keyframe")
        for c in t.clips:
            unique(c.id, "a clip")
            for x in [*c.takes, *c.keyframes]:
                unique(x.id, f"clip {c.id!r}")
        try:
            check_track(Track(id=t.id, name=t.name, clips=sorted(t.clips, key=lambda c: c.start)))
        except EditRefused as exc:
            raise r.fail(f"track {t.name or t.id!r}", f"breaks a rule: {exc}") from None
        t.clips.sort(key=lambda c: c.start)
    from editor.document.audio_ops import check_audio

    for t in project.audio_tracks:
        unique(t.id, "an audio track")
        for c in t.clips:
            unique(c.id, "an audio clip")
        t.clips.sort(key=lambda c: c.start)
    try:
        check_audio(project)
    except EditRefused as exc:
        raise r.fail("the sound", f"breaks a rule: {exc}") from None
    for path, what, metadata, _ in media_items(project):
        _check_path(path, what, metadata)


# --- versions --------------------------------------------------------------------------------


def _upgrade_0_to_1(d: dict) -> dict:
    """Version 0 (the prototype): "format" instead of "schema", fps a number, "size": [w, h],
    clips with the prompt on the clip and takes with "path"."""
    fps = Fraction(d.get("fps", 24)).limit_denominator(1001)
    size = d.get("size", [1280, 720])
    tracks = []
    for t in d.get("tracks", []):
        clips = []
        for c in t.get("clips", []):
            clips.append({
                "id": c["id"], "name": c.get("name", ""), "start": c["start"], "length": c["length"],
                "source_in": c.get("in", 0), "active_take": c.get("take", 0),
                "shot": {"prompt": c.get("prompt", ""), "seed": c.get("seed")},
                "takes": [{"id": k["id"], "media": k["path"], "frames": k["frames"], "is_still": k.get("still", False)}
                          for k in c.get("takes", [])],
                "keyframes": c.get("keyframes", []),
            })
        tracks.append({"id": t["id"], "name": t.get("name", ""), "clips": clips})
    return {
        "schema": SCHEMA, "version": 1, "name": d.get("name", "Untitled"),
        "fps": _fps_text(fps), "width": size[0], "height": size[1], "tracks": tracks,
    }


def _upgrade_1_to_2(d: dict) -> dict:
    """Version 1 had no sound: the project gets one empty audio track, A1 (clips are unlinked)."""
    return {**d, "version": 2, "audio_tracks": [{"id": "audio-a1", "name": "A1", "clips": []}]}


UPGRADES: dict[int, Callable[[dict], dict]] = {0: _upgrade_0_to_1, 1: _upgrade_1_to_2}


def upgrade(data: Any, *, source: str = PROJECT_FILE) -> dict:
    """Bring JSON data of any known version up to VERSION (in memory; never writes)."""
    if not isinstance(data, dict):
        raise ProjectError(f"{source} is not a Shotline project (it holds no JSON object).")
    schema = data.get("schema", data.get("format"))
    if schema not in (SCHEMA, "shotline"):
        raise ProjectError(f"{source} is not a Shotline project (schema {schema!r}, expected {SCHEMA!r}).")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise ProjectError(f"{source} has no valid format version ({version!r}); the file is damaged.")
    if version > VERSION:
        raise ProjectError(
            f"{source} was made by a newer Shotline (format version {version}; this one reads up to "
            f"{VERSION}). Update Shotline to open it."
        )
    while version < VERSION:
        try:
            data = UPGRADES[version](data)
        except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError, OverflowError) as exc:
            raise ProjectError(
                f"{source} is an old format (version {version}) that could not be upgraded: {exc!r} is "
                "missing or wrong."
            ) from None
        version = data["version"]
    return data


# --- disk ------------------------------------------------------------------------------------


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash at any moment leaves the old or the new file."""
    from editor.document.scratch import create as create_scratch

    fd, tmp = create_scratch(path, "tmp", ".tmp")  # named with our pid; mode from the umask, like any new file
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # Windows can't open a folder for fsync; os.replace is durable enough there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale_temps(folder: Path, name: str, older_than_s: float = 60.0) -> None:
    # left by a save that was killed before os.replace; a minute old can't be a save in progress
    cutoff = time.time() - older_than_s
    for p in folder.glob(f".{name}.*.tmp"):
        try:
            if p.stat().st_mtime < cutoff:
                p.unlink()
        except OSError:
            pass


def encode(project: Project, folder: Path) -> bytes:
    """project.json bytes for a project saved into `folder` (paths made relative / marked imported)."""
    data = project_to_dict(project)
    folder = Path(folder)
    for ref in _media_refs(data):
        obj, key = ref
        path = obj[key]
        if is_absolute(path):
            rel = _inside(folder, path)
            if rel is not None:
                obj[key] = rel
            else:
                obj["metadata"] = {**obj.get("metadata", {}), "imported": True}
        elif path_escapes(path):
            raise ProjectError(
                f"The media path {path} climbs out of the project folder; import that file instead."
            )
        else:
            obj[key] = path.replace("\\", "/")
    problem = limits.bad_json_value(data)
    if problem is not None:  # loading refuses these, so only a faulty edit can put one here
        raise ProjectError(f"The project can't be saved: {problem}. Change that value and save again.")
    try:
        return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        # the checks above should have caught it: say what the user can do, not whose fault it is
        raise ProjectError(f"The project can't be saved: it holds a value JSON can't store ({exc}). Undo the last "
                           "change and save again, or Save As under another name; the last autosave is in "
                           f"{Path(folder) / 'autosave'}.") from None


def _media_refs(data: dict) -> list[tuple[dict, str]]:
    refs = [(m, "path") for m in data["media"]]
    refs += [(m, "image") for m in data["cast"]]
    for t in data["tracks"]:
        refs += [(k, "image") for k in t["keyframes"]]
        for c in t["clips"]:
            refs += [(tk, "media") for tk in c["takes"]]
            refs += [(k, "image") for k in c["keyframes"]]
    for t in data["audio_tracks"]:
        refs += [(c, "source") for c in t["clips"]]
    return refs


class ProjectChangedOnDisk(ProjectError):
    """project.json is no longer what this program loaded or last saved (another program wrote it)."""


@dataclass(frozen=True)
class ProjectStamp:
    """What project.json was when loaded or saved; a save compares it to find other writers."""

    mtime_ns: int
    size: int
    sha256: str

    def same_file(self, other: ProjectStamp | None) -> bool:
        # the bytes decide: a touch or an identical rewrite loses nothing
        return other is not None and (self.size, self.sha256) == (other.size, other.sha256)


def project_stamp(folder: Path | str) -> ProjectStamp | None:
    """The stamp of the folder's project.json now; None when there is none.

    Take it just BEFORE loading: a change in between then shows up as a change, never hides."""
    path = project_folder(folder) / PROJECT_FILE
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not hang us
        with open(fd, "rb") as f:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise ProjectError(f"{path} is not a regular file; a project file must be one.")
            data = f.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise ProjectError(f"Could not read {path}: {exc.strerror or exc}.") from None
    return ProjectStamp(st.st_mtime_ns, len(data), hashlib.sha256(data).hexdigest())


def save_project(project: Project, folder: Path | str, *, expected: ProjectStamp | None = None) -> Path:
    """Save atomically into `folder` (made if needed, with its subfolders); returns project.json.

    With `expected` (the stamp from loading or the last save) a project.json changed since by
    someone else raises ProjectChangedOnDisk and is left as it is."""
    return _save(project, folder, expected)[0]


def save_project_checked(project: Project, folder: Path | str, *,
                         expected: ProjectStamp | None = None) -> ProjectStamp:
    """save_project returning the stamp of what it wrote (pass it as the next `expected`)."""
    return _save(project, folder, expected)[1]


def _save(project: Project, folder: Path | str, expected: ProjectStamp | None) -> tuple[Path, ProjectStamp]:
    folder = create_folder(project_folder(folder))
    path = folder / PROJECT_FILE
    data = encode(project, folder)
    if expected is not None and not expected.same_file(now := project_stamp(folder)):
        what = "deleted" if now is None else "changed by another program or window"
        raise ProjectChangedOnDisk(
            f"{path} was {what} since this project was opened or last saved; saving now would overwrite "
            "that. Use Save As to keep your version in another folder, or reopen the project to see the "
            "other version.")
    try:
        write_atomic(path, data)
        st = path.stat()
    except OSError as exc:
        raise ProjectError(f"Could not save {path}: {exc.strerror or exc}. Check the disk has room and "
                           "the folder is writable.") from None
    _remove_stale_temps(folder, PROJECT_FILE)
    return path, ProjectStamp(st.st_mtime_ns, len(data), hashlib.sha256(data).hexdigest())


def read_project_file(path: Path | str, *, source: str | None = None) -> Project:
    """Read one project JSON file (project.json or an autosave). Never writes."""
    path = Path(path)
    source = source or str(path)
    try:
        raw = _read_regular_file(path)
    except FileNotFoundError:
        raise ProjectError(f"There is no project at {path}: choose a .shotline folder.") from None
    except OSError as exc:
        raise ProjectError(f"Could not read {path}: {exc.strerror or exc}.") from None
    except ValueError as exc:  # a NUL in the path
        raise ProjectError(f"Could not read {path}: {exc}.") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ProjectError(f"{source} nests deeper than {limits.MAX_JSON_DEPTH} levels; Shotline refuses it. "
                           "Open an autosave from the project's autosave folder, or a backup.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProjectError(
            f"{source} is not valid JSON (cut short or damaged at {getattr(exc, 'pos', '?')}). Open an autosave "
            "from the project's autosave folder, or a backup."
        ) from None
    except ValueError as exc:  # an int of more than 4300 digits, which Python refuses to read
        raise ProjectError(f"{source} holds a number too long to read ({str(exc).split(':')[0]}). Open an "
                           "autosave from the project's autosave folder, or a backup.") from None
    return project_from_dict(data, source=source)


def _read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file, refusing a FIFO, device, socket or folder without blocking on it."""
    _refuse_non_regular(path, os.stat(path).st_mode)
    # O_NONBLOCK: should a FIFO be swapped in after the stat, opening it still returns at once
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        _refuse_non_regular(path, st.st_mode)
        data = f.read(limits.MAX_PROJECT_FILE_BYTES + 1)
    if len(data) > limits.MAX_PROJECT_FILE_BYTES:
        raise ProjectError(f"{path} is over {limits.MAX_PROJECT_FILE_BYTES // 2**20} MB, far more than any "
                           "project holds; it is not a Shotline project file.")
    return data


def _refuse_non_regular(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "not a regular file")
    raise ProjectError(f"{path} is {kind}, not a project file; Shotline only reads a regular project.json.")


def load_project(folder: Path | str) -> Project:
    """Open a project folder (or its project.json). Missing media do not stop it: see check_media."""
    folder = project_folder(folder)
    try:
        is_dir = folder.is_dir()
        is_file = not is_dir and folder.exists()
    except (OSError, ValueError) as exc:  # a name too long, or holding a NUL
        raise ProjectError(f"Could not open {folder}: {getattr(exc, 'strerror', None) or exc}.") from None
    if is_file:
        raise ProjectError(f"{folder} is a file, not a project folder; choose a folder ending in {SUFFIX}.")
    if not is_dir:
        raise ProjectError(f"There is no project folder at {folder}.")
    return read_project_file(folder / PROJECT_FILE)


def open_document(folder: Path | str) -> Document:
    """Open a project folder as a document ready to edit (see check_media for missing files)."""
    folder = project_folder(folder)
    return Document(load_project(folder), folder)


def save_document(doc: Document, folder: Path | str | None = None) -> Path:
    """Save the document into `folder` (Save As) or its own folder, and mark it saved."""
    target = project_folder(folder) if folder is not None else doc.folder
    if target is None:
        raise ProjectError("Choose where to save the project first (Save As).")
    path = save_project(doc.project, target)
    doc.folder = target
    doc.mark_saved()
    return path
