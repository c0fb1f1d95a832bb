"""A clip's fit mode: how its pictures fill the project's frame when their shape differs.

`clip.metadata["fit"]` is read by the cut (preview and export, `editor.media.cut`) and recorded
in generation plans (`PinSource.fit`), so all three show a clip the same way: "letterbox" (the
whole picture, black bars; also what an unset fit means), "crop" (fills the frame, the edges cut
off) or "stretch" (fills the frame, distorted). `SetClipFit` sets it on one or more clips as one
undoable edit (the timeline's right-click ▸ Fit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from editor.document.edits import Edit, EditRefused

if TYPE_CHECKING:
    from editor.document.document import Transaction

# the names editor.media.fit.FitMode reads (tests/test_fps_change_followups checks they agree);
# the document does not import the media layer (it loads OpenCV)
FIT_MODES = ("letterbox", "crop", "stretch")
DEFAULT_FIT = "letterbox"


def fit_of(clip) -> str:
    """The fit mode a clip is shown with (letterbox when it sets none)."""
    fit = clip.metadata.get("fit")
    return fit if fit in FIT_MODES else DEFAULT_FIT


@dataclass(frozen=True, kw_only=True)
class SetClipFit(Edit):
    """Show clips `clip_ids` fitted by `fit` (one of FIT_MODES). Letterbox, the default, is
    stored as no key at all, so a project that never chose a fit keeps its project.json as it was."""

    clip_ids: tuple[str, ...]
    fit: str
    label: ClassVar[str] = "Set fit"

    @property
    def title(self) -> str:
        return f"Fit: {self.fit.capitalize()}" if self.fit in FIT_MODES else self.label

    def apply(self, tx: Transaction) -> None:
        if self.fit not in FIT_MODES:
            raise EditRefused(f"Unknown fit {self.fit!r}; use one of: {', '.join(FIT_MODES)}.")
        if not self.clip_ids:
            raise EditRefused("Select one or more clips on a video track first.")
        for clip_id in self.clip_ids:
            _, clip = tx.clip(clip_id)
            if self.fit == DEFAULT_FIT:
                clip.metadata.pop("fit", None)
            else:
                clip.metadata["fit"] = self.fit
