"""Seed, Steps and Guidance fields for the Inspector's pages that run a model (gap, clip end).

The shot page had them; the gap page (Infill) and the clip-end page (Extend) did not, so an
infill ran the project's default of 30 steps: twelve minutes on a CPU with a tiny model.

`SamplingFields` are the same three fields the shot page has, with the same special values
(-1 seed: "random", 0 steps or guidance: "project default"), added as rows of a page's form.
The clip-end page commits them to its clip's shot settings, as the shot page does. A gap has
no shot of its own: what is asked of it is kept with the project (editor.document.gap_sampling)
and `GapSettings` holds what is being typed until it commits; the Infill takes both (`Options`,
then the plan; the take's recipe records them).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QSpinBox

from editor.document.project import GenerationDefaults
from editor.generation.verbs import Options

SEED_TIP = "The same seed, prompt and settings make the same take again; random picks one per take"
STEPS_TIP = "Sampling steps: fewer is faster and rougher (a CPU wants a few; models are tuned for 20-50)"
GUIDANCE_TIP = "How closely the model follows the prompt; the project's default suits most shots"


class SamplingFields(QObject):
    """The Seed, Steps and Guidance spin boxes, as rows of `form`; `edited` says which changed.

    Values read as the shot page's: None is "random" for the seed and "project default" for
    steps and guidance. `edited` comes when editing finishes (focus leaves, or Enter)."""

    edited = Signal(str, object)  # "seed" | "steps" | "guidance", its value (None: random / default)

    def __init__(self, form: QFormLayout, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.seed = QSpinBox()
        self.seed.setObjectName(f"{name}_seed")
        self.seed.setRange(-1, 2**31 - 1)
        self.seed.setSpecialValueText("random")
        self.seed.setToolTip(SEED_TIP)
        self.steps = QSpinBox()
        self.steps.setObjectName(f"{name}_steps")
        self.steps.setRange(0, 500)
        self.steps.setSpecialValueText("project default")
        self.steps.setToolTip(STEPS_TIP)
        self.guidance = QDoubleSpinBox()
        self.guidance.setObjectName(f"{name}_guidance")
        self.guidance.setRange(0.0, 30.0)
        self.guidance.setSingleStep(0.5)
        self.guidance.setSpecialValueText("project default")
        self.guidance.setToolTip(GUIDANCE_TIP)
        for label, field in (("Seed", "seed"), ("Steps", "steps"), ("Guidance", "guidance")):
            box = getattr(self, field)
            form.addRow(label, box)
            box.editingFinished.connect(self._finished(field))

    def _finished(self, field: str) -> Callable[[], None]:
        return lambda: self.edited.emit(field, self.value(field))

    def value(self, field: str) -> int | float | None:
        """What the field holds: None for "random" / "project default"."""
        if field == "seed":
            return None if self.seed.value() < 0 else self.seed.value()
        return getattr(self, field).value() or None

    def load(self, seed: int | None, steps: int | None, guidance: float | None) -> None:
        self.seed.setValue(-1 if seed is None else min(seed, 2**31 - 1))
        self.steps.setValue(steps or 0)
        self.guidance.setValue(guidance or 0.0)

    def set_enabled(self, enabled: bool, tip: str = "") -> None:
        """Greyed out, with `tip` saying why, when the engine uses none of them."""
        for box, own in ((self.seed, SEED_TIP), (self.steps, STEPS_TIP), (self.guidance, GUIDANCE_TIP)):
            box.setEnabled(enabled)
            box.setToolTip(own if enabled else tip)


GapKey = tuple[str, int, int]  # track id, first frame, length: a gap, while the cut around it stays


class GapSettings:
    """What is typed on the gap page and not committed yet, per gap.

    A field commits (one undoable `SetGapSampling`, kept in project.json: see
    editor.document.gap_sampling) when editing finishes; until then what is typed counts for the
    Infill's estimate and reason, as a prompt being typed does for Generate. Fields not asked
    about are left to the plan, which takes them from the clip beside the gap, else the project's
    defaults; a field set back to "random" / "project default" asks for that."""

    def __init__(self) -> None:
        self._asked: dict[GapKey, dict[str, int | float | None]] = {}

    def set(self, gap: GapKey, field: str, value: int | float | None) -> None:
        self._asked.setdefault(gap, {})[field] = value

    def get(self, gap: GapKey) -> dict[str, int | float | None]:
        return dict(self._asked.get(gap, {}))

    def take(self, gap: GapKey, field: str) -> tuple[bool, int | float | None]:
        """Whether `field` was typed for `gap` and not committed, and its value; it is forgotten
        here (the caller commits it)."""
        asked = self._asked.get(gap, {})
        if field not in asked:
            return False, None
        value = asked.pop(field)
        if not asked:
            self._asked.pop(gap, None)
        return True, value

    def gaps(self) -> list[GapKey]:
        return list(self._asked)

    def clear(self) -> None:
        self._asked.clear()

    @staticmethod
    def options(asked: dict[str, int | float | None], defaults: GenerationDefaults) -> Options:
        """The Infill's Options for what was `asked` of its gap (stored, then typed): "project
        default" as the project's value and "random" as a new seed (the plan records the one used)."""
        settings: dict[str, int | float] = {}
        if "seed" in asked:
            seed = asked["seed"]
            settings["seed"] = seed if seed is not None else random.SystemRandom().randrange(2**31)
        if "steps" in asked:
            settings["steps"] = asked["steps"] or defaults.steps
        if "guidance" in asked:
            settings["guidance"] = asked["guidance"] or defaults.guidance
        return Options(**settings)
