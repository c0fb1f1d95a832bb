"""The Monitor's step axis: sampling steps are whole numbers, so its ticks are too.

pyqtgraph picks tick spacings for any real range: a job of one step was drawn around x = 1 with
ticks at 0.6, 0.8, 1.0, 1.2, 1.4, as if there were fractions of a step. `StepAxis` keeps only
whole spacings (1, 2, 5, 10, ...), and `step_range` gives the plot 0..the last step (at least 1).

Imported only where the plots are built: pyqtgraph is slow to import (see `monitor.py`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyqtgraph as pg


def step_range(steps: Iterable[int]) -> tuple[int, int]:
    """The x range that shows `steps`: from 0 to the last step, and never narrower than one step."""
    return 0, max([*steps, 1])


class StepAxis(pg.AxisItem):
    """An axis whose ticks fall on whole numbers only (a count: sampling steps)."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:  # noqa: N802, N803
        # pyqtgraph's levels, less those finer than one; offsets put the ticks on multiples
        levels = [(spacing, 0.0) for spacing, _offset in super().tickSpacing(minVal, maxVal, size)
                  if spacing >= 1 and float(spacing).is_integer()]
        return levels or [(1.0, 0.0)]
