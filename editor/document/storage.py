"""Project folders on disk: `Name.shotline/project.json` with a schema name and version, atomic saves.

Layout of a project folder:

    Name.shotline/
        project.json   {"schema": "shotline.project", "version": 1, ...}
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
- Older versions are upgraded in memory by `UPGRADES[v]` (v -> v+1) one step at a time; a file
  from a newer Shotline is refused rather than half-read.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path, PurePosixPath
from typing import Any

from editor.document.document import Document
from editor.document.edits import EditRefused
from editor.document.project import (
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
VERSION = 1
SUFFIX = ".shotline"
PROJECT_FILE = "project.json"
SUBFOLDERS = ("media", "cache", "autosave")
JOURNAL_FILE = "jobs.sqlite"


class ProjectError(Exception):
    """A project that can't be opened or saved; the message says why and what to do."""


# --- folders and paths ---------------------------------------------------------------------


def project_folder(path: Path | str) -> Path:
    """The project folder for a path to the folder itself or to its project.json."""
    p = Path(path)
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
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return folder


def journal_path(folder: Path | str) -> Path:
    """Where the project's job journal lives (model.journal owns the file)."""
    return project_folder(folder) / JOURNAL_FILE


def resolve_media(folder: Path | str | None, path: str) -> Path:
    """The file a stored media path names (relative paths are inside the project folder)."""
    p = Path(path)
    if p.is_absolute() or folder is None:
        return p
    return Path(folder) / PurePosixPath(path)


def path_escapes(path: str) -> bool:
    """True when a relative path climbs out of the folder it is relative to."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    depth = 0
    for part in parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in (".", ""):
            depth += 1
    return False


def is_absolute(path: str) -> bool:
    """An absolute path on any system (a file made on Windows is judged the same on Linux)."""
    return path.startswith(("/", "\\")) or (len(path) > 2 and path[1] == ":" and path[2] in "/\\")


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

    for m in project.media:
        out.append((m.path, "a file in the media bin", m.metadata, setter(m, "path")))
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
    return out


def check_media(project: Project, folder: Path | str | None) -> list[str]:
    """Stored paths of media files that are missing (each once, in project order)."""
    missing: list[str] = []
    for path, _, _, _ in media_items(project):
        if path not in missing and not resolve_media(folder, path).is_file():
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
    }


def project_to_dict(project: Project) -> dict[str, Any]:
    """The project as version-1 JSON data, paths exactly as held in memory."""
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
    )


def project_from_dict(data: Any, *, source: str = PROJECT_FILE) -> Project:
    """A project from JSON data of any known version; ProjectError when it can't be read."""
    r = _Reader(source)
    data = upgrade(data, source=source)
    try:
        fps = Fraction(r.get(data, "fps", str, ""))
    except (ValueError, ZeroDivisionError):
        raise r.fail("fps", f"is not a frame rate like \"24/1\" ({data.get('fps')!r})") from None
    if fps <= 0:
        raise r.fail("fps", "is not positive")
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
    )
    if "media" in data:
        project.media = [MediaItem(path=r.get(m, "path", str, f"media[{i}]"),
                                   metadata=r.get(m, "metadata", dict, f"media[{i}]", {}))
                         for i, m in enumerate(r.items(data, "media", ""))]
    else:
        # a project saved before the bin had its own list: the bin starts with what the cut uses
        project.media = derived_media(project)
    _check_loaded(project, r)
    return project


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


UPGRADES: dict[int, Callable[[dict], dict]] = {0: _upgrade_0_to_1}


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
        except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError) as exc:
            raise ProjectError(
                f"{source} is an old format (version {version}) that could not be upgraded: {exc!r} is "
                "missing or wrong."
            ) from None
        version = data["version"]
    return data


# --- disk ------------------------------------------------------------------------------------


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash at any moment leaves the old or the new file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
    try:
        return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ProjectError(f"The project holds a value that can't be saved as JSON ({exc}); this is a bug in "
                           "whatever put it there; please report it.") from None


def _media_refs(data: dict) -> list[tuple[dict, str]]:
    refs = [(m, "path") for m in data["media"]]
    refs += [(m, "image") for m in data["cast"]]
    for t in data["tracks"]:
        refs += [(k, "image") for k in t["keyframes"]]
        for c in t["clips"]:
            refs += [(tk, "media") for tk in c["takes"]]
            refs += [(k, "image") for k in c["keyframes"]]
    return refs


def save_project(project: Project, folder: Path | str) -> Path:
    """Save atomically into `folder` (made if needed, with its subfolders); returns project.json."""
    folder = create_folder(project_folder(folder))
    path = folder / PROJECT_FILE
    try:
        write_atomic(path, encode(project, folder))
    except OSError as exc:
        raise ProjectError(f"Could not save {path}: {exc.strerror or exc}. Check the disk has room and "
                           "the folder is writable.") from None
    _remove_stale_temps(folder, PROJECT_FILE)
    return path


def read_project_file(path: Path | str, *, source: str | None = None) -> Project:
    """Read one project JSON file (project.json or an autosave). Never writes."""
    path = Path(path)
    source = source or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProjectError(f"There is no project at {path}: choose a .shotline folder.") from None
    except OSError as exc:
        raise ProjectError(f"Could not read {path}: {exc.strerror or exc}.") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProjectError(
            f"{source} is not valid JSON (cut short or damaged at {getattr(exc, 'pos', '?')}). Open an autosave "
            "from the project's autosave folder, or a backup."
        ) from None
    return project_from_dict(data, source=source)


def load_project(folder: Path | str) -> Project:
    """Open a project folder (or its project.json). Missing media do not stop it: see check_media."""
    folder = project_folder(folder)
    if not folder.is_dir():
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
