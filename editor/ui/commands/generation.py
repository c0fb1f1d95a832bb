"""Generate menu commands: queue a verb on the selection, cancel the running job, pause the queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog

from editor.document.plans import DEFAULT_RESTYLE_STRENGTH
from editor.generation import verbs
from editor.generation.verbs import Options, Verb
from editor.ui.project_parts import NO_FOLDER_NOTE

if TYPE_CHECKING:
    from editor.ui.main_window import MainWindow


def queue(window: MainWindow, verb: Verb) -> None:
    """Queue `verb` on the selection (asking what it needs: Restyle's strength); the Jobs panel
    shows when a job was queued."""
    controller = window.controller
    if controller is None:
        window.show_message(window.generation_note or NO_FOLDER_NOTE, error=True)
        return
    options = options_for(window, verb)
    if options is not None and controller.queue(verb, options):
        window.docks["jobs"].show()


def remake_stale(window: MainWindow) -> None:
    """Generate ▸ Make Stale Takes Again: each clip whose take's context changed gets the same
    recipe made again, against the context as it is now (a new take; the old one stays)."""
    from editor.document.context_fingerprint import content_tokens
    from editor.document.edits import EditRefused
    from editor.generation.recipes import can_regenerate, regenerate_plan
    from editor.ui.staleness import stale_in

    controller = window.controller
    if controller is None:
        window.show_message(window.generation_note or NO_FOLDER_NOTE, error=True)
        return
    doc = window.document
    plans, skipped = [], 0
    for clip_id in stale_in(doc):
        take = doc.project.find_clip(clip_id)[1].take
        try:
            if can_regenerate(take):
                raise EditRefused(can_regenerate(take))
            plans.append(regenerate_plan(doc.project, clip_id, take, files=content_tokens(doc.folder)))
        except EditRefused:
            skipped += 1  # made from the clip's own frames (extend, loop, restyle): run that again
    if not plans:
        window.show_message("No stale take can be made again here." if skipped else "No take is stale.")
        return
    if controller.queue_plans(plans):
        window.docks["jobs"].show()
        if skipped:
            window.show_message(f"{skipped} stale take(s) were made from their clip's own frames: "
                                "run Extend, Loop or Restyle on them again.")


def options_for(window: MainWindow, verb: Verb) -> Options | None:
    """What the user wants besides the selection; None when they cancelled the question."""
    if verb in (verbs.EXTEND_FORWARD, verbs.EXTEND_BACKWARD):
        return Options(seconds=window.settings.defaults().extend_seconds)
    if verb is verbs.RESTYLE:
        strength, ok = QInputDialog.getDouble(
            window, "Restyle", "How far the new look may depart from the clip (0 keeps it, 1 ignores it):",
            DEFAULT_RESTYLE_STRENGTH, 0.05, 1.0, 2)
        return Options(strength=strength) if ok else None
    return Options()


def cancel_job(window: MainWindow) -> None:
    controller = window.controller
    if controller is not None and controller.running_job is not None:
        controller.cancel(controller.running_job)


def pause_queue(window: MainWindow, paused: bool) -> None:
    controller = window.controller
    if controller is None:
        return
    if paused and not controller.paused:
        controller.pause_queue()
    elif not paused and controller.paused:
        controller.resume_queue()
