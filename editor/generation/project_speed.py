"""A project's own Speed setting (Project Settings ▸ Speed), put on the jobs it queues.

Settings ▸ Device ▸ Speed is the runner's default for every project; a project may choose its own
(`SetProjectSettings(speed=...)`, kept in the project's metadata), e.g. TaylorSeer for a project
of drafts and full quality for the final one. It travels as the plan's `options["speed"]`, which
the runner prefers over its default (`model.speed.Speed.from_options`), and the take's recipe
records what was asked and what ran (`parameters.speed`). A plan that names its own speed keeps it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from editor.document.project import Project


def project_speed(project: Project) -> dict | None:
    """The project's Speed ({"cache", "compile"}), None when it follows Settings."""
    speed = project.metadata.get("speed")
    return dict(speed) if isinstance(speed, dict) else None


def with_project_speed(plan: Any, project: Project) -> Any:
    """`plan` asking for the project's Speed, unless it asks for one itself or the project has none."""
    speed = project_speed(project)
    if speed is None or "speed" in plan.options:
        return plan
    return dataclasses.replace(plan, options={**plan.options, "speed": speed})
