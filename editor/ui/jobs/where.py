"""Where a project's jobs run: this computer (the default) or a Ray cluster (model.farm).

The project may choose (`project.metadata["where_jobs_run"]`: "" for this computer, or a
cluster's address); otherwise the Settings' choice holds. Without Ray installed a farm choice
falls back to this computer, and `farm_note` says how to add Ray.
"""

from __future__ import annotations

from typing import Any

from model.farm import MISSING_RAY, FarmError, check_address, ray_available

PROJECT_KEY = "where_jobs_run"


def where_jobs_run(settings: Any, project: Any = None) -> str:
    """"" (this computer) or the address of the Ray cluster the jobs go to."""
    if project is not None and isinstance(getattr(project, "metadata", None), dict):
        chosen = project.metadata.get(PROJECT_KEY)
        if isinstance(chosen, str):
            return chosen.strip()
    getter = getattr(settings, "farm_address", None)
    return getter() if getter is not None else ""


def farm_note(settings: Any, project: Any = None) -> str:
    """Why a farm choice is not followed (no Ray, a bad address), else ""."""
    address = where_jobs_run(settings, project)
    if not address:
        return ""
    try:
        check_address(address)
    except FarmError as exc:
        return f"{exc} Jobs run on this computer meanwhile."
    return "" if ray_available() else MISSING_RAY


def farm_runner(settings: Any, project: Any = None) -> Any:
    """A FarmRunner for the chosen cluster, or None to run on this computer."""
    address = where_jobs_run(settings, project)
    if not address or farm_note(settings, project):
        return None
    from model.farm.client import FarmRunner

    lanes = settings.farm_lanes() if hasattr(settings, "farm_lanes") else 4
    return FarmRunner(address, lanes=lanes)
