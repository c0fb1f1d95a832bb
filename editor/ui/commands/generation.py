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
    window.inspector.finish_editing()  # steps typed and not yet committed count for this job
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
    plans, skipped = [], []
    for clip_id in stale_in(doc):
        take = doc.project.find_clip(clip_id)[1].take
        try:
            if can_regenerate(take):
                raise EditRefused(can_regenerate(take))
            plans.append(regenerate_plan(doc.project, clip_id, take, files=content_tokens(doc.folder)))
        except EditRefused as exc:
            skipped.append(str(exc))  # its source is gone, or an older version made it: say why
    if not plans:
        window.show_message(skipped[0] if skipped else "No take is stale.", error=bool(skipped))
        return
    if controller.queue_plans(plans):
        window.docks["jobs"].show()
        if skipped:
            window.show_message(f"{len(skipped)} stale take(s) can't be made again: {skipped[0]}")


def wire_enhance_box(window: MainWindow) -> None:
    """The Inspector's Enhance box reads the enhancer and device from Settings and queues through here."""
    box = window.inspector.enhance_box
    settings = window.settings
    from editor.generation.enhance_image import first_image

    box.configure(text_model=settings.enhancer,
                  device=lambda: None if settings.device() == "auto" else settings.device(),
                  image=lambda clip_id: first_image(window.document.project, clip_id, window.document.folder),
                  runner=lambda: getattr(window.controller, "runner", None))
    box.queue_requested.connect(lambda clip_id, prompt, record: queue_enhanced(window, clip_id, prompt, record))


def queue_enhanced(window: MainWindow, clip_id: str, prompt: str, record: dict) -> None:
    """Queue a take of the shot `clip_id` made from an enhanced prompt (the Inspector's Enhance box);
    the plan keeps both prompts (`options["enhance"]`)."""
    controller = window.controller
    if controller is None:
        window.show_message(window.generation_note or NO_FOLDER_NOTE, error=True)
        return
    if window.selection.clip != clip_id:
        window.show_message("Select the shot the prompt was enhanced for, then generate with it.", error=True)
        return
    if controller.queue(verbs.GENERATE, Options(prompt=prompt, plan_options={"enhance": record})):
        window.inspector.enhance_box.sent(clip_id)  # used: the box closes, the recipe keeps it
        window.docks["jobs"].show()


def wire_gap_settings(window: MainWindow) -> None:
    """What is typed on the Inspector's gap page (Seed/Steps/Guidance) goes with the Infill, and the
    Infill's reason and time estimate follow it as it is typed."""
    window.inspector.gap_asked.connect(lambda: window.controller is not None and window.controller.options_changed())
    # likewise a prompt being typed: Generate is enabled as soon as the box holds one
    window.inspector.prompt_typed.connect(lambda: window.controller is not None and window.controller.options_changed())


def preset_options(window: MainWindow, verb: Verb) -> Options:
    """What the user asked for besides the selection without being asked now: Settings' extend
    length, the gap page's fields (the controller estimates with these too)."""
    if verb in (verbs.EXTEND_FORWARD, verbs.EXTEND_BACKWARD):
        return Options(seconds=window.settings.defaults().extend_seconds)
    if verb is verbs.INFILL:
        return window.inspector.infill_options()  # the gap page's Seed/Steps/Guidance
    if verb in (verbs.GENERATE, verbs.DRAFT):
        # the prompt being typed (committed by `queue` before the job is planned) decides
        # whether Generate can run now, not only once its box is left
        return Options(prompt=window.inspector.typed_prompt())
    return Options()


def options_for(window: MainWindow, verb: Verb) -> Options | None:
    """What the user wants besides the selection; None when they cancelled the question."""
    if verb is verbs.RESTYLE:
        strength, ok = QInputDialog.getDouble(
            window, "Restyle", "How far the new look may depart from the clip (0 keeps it, 1 ignores it):",
            DEFAULT_RESTYLE_STRENGTH, 0.05, 1.0, 2)
        return Options(strength=strength) if ok else None
    return preset_options(window, verb)


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
