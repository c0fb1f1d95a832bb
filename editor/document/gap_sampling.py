"""What the user asked of a gap's Infill (Seed / Steps / Guidance), kept with the project.

The Inspector's gap page has these fields; a gap has no shot of its own to keep them on, and
keeping them only in the window lost them when the project was closed. They are stored as data
in project.json, on the clip AFTER the gap: `clip.metadata["infill_before"] = {"steps": 4, ...}`.

Why that clip: every gap has one (a gap is the empty frames before a clip; a gap at the start of
a track has no clip before it), and a gap is "the room before this shot" to the user, so what
was asked moves with the shot when the cut around it is moved or rippled, where a key by frame
position would be left behind (or land on another gap) at the first move. When that clip is
deleted the gap it bordered merges with the next one and the request goes with the clip (undo
brings both back).

A field present is asked for, None meaning "random" (seed) or "project default" (steps,
guidance); a field missing is not asked, so the Infill takes it from the clip beside the gap.
Older files have no key at all: nothing asked, as before. `SetGapSampling` changes one field as
one undoable edit, as the Inspector's other fields do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from editor.document.edits import Edit, EditRefused

if TYPE_CHECKING:
    from editor.document.document import Transaction
    from editor.document.project import Gap, Project

KEY = "infill_before"
FIELDS = ("seed", "steps", "guidance")


def _gap_at(project: Project, track_id: str, frame: int) -> Gap | None:
    try:
        gaps = project.gaps(track_id)
    except KeyError:
        return None
    return next((g for g in gaps if g.start <= frame < g.end), None)


def asked_of_gap(project: Project, track_id: str, frame: int) -> dict[str, int | float | None]:
    """The fields asked of the gap holding `frame` on the track ({} for none, or no gap)."""
    gap = _gap_at(project, track_id, frame)
    if gap is None or gap.after is None:
        return {}
    clip = project.find_clip(gap.after)[1]
    stored = clip.metadata.get(KEY)
    if not isinstance(stored, dict):
        return {}  # hand-edited into something else: nothing asked rather than a crash
    return {f: stored[f] for f in FIELDS if f in stored}


@dataclass(frozen=True, kw_only=True)
class SetGapSampling(Edit):
    """Ask the Infill of the gap holding `frame` on `track_id` for `value` as its `field` (one
    of FIELDS; None: random seed / project default)."""

    track_id: str
    frame: int
    field: str
    value: int | float | None
    label: ClassVar[str] = "Change gap settings"

    @property
    def title(self) -> str:
        return f"Gap {self.field.capitalize()}" if self.field in FIELDS else self.label

    def apply(self, tx: Transaction) -> None:
        from editor.document.ops import _check_shot_values

        if self.field not in FIELDS:
            raise EditRefused(f"Unknown gap setting {self.field!r}; use one of: {', '.join(FIELDS)}.")
        _check_shot_values(model=None, **{f: self.value if f == self.field else None for f in FIELDS})
        gap = _gap_at(tx.project, self.track_id, self.frame)
        if gap is None or gap.after is None:
            raise EditRefused(f"There is no gap at frame {self.frame}: select the empty frames between two clips.")
        _, clip = tx.clip(gap.after)
        stored = clip.metadata.get(KEY)
        clip.metadata[KEY] = {**(stored if isinstance(stored, dict) else {}), self.field: self.value}
