"""Playback menu commands: play, shuttle (J K L), step, jump and the in/out marks."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from editor.ui.main_window import MainWindow


def play_pause(window: MainWindow) -> None:
    window.playhead.toggle_play()


def shuttle_back(window: MainWindow) -> None:
    window.playhead.shuttle(-1)


def stop(window: MainWindow) -> None:
    window.playhead.pause()


def shuttle_forward(window: MainWindow) -> None:
    window.playhead.shuttle(1)


def step_back(window: MainWindow) -> None:
    window.playhead.step(-1)


def step_forward(window: MainWindow) -> None:
    window.playhead.step(1)


def go_to_start(window: MainWindow) -> None:
    window.playhead.pause()
    window.playhead.set_frame(0)


def go_to_end(window: MainWindow) -> None:
    window.playhead.pause()
    window.playhead.set_frame(max(0, window.document.project.duration - 1))


def mark_in(window: MainWindow) -> None:
    window.playhead.mark_in()


def mark_out(window: MainWindow) -> None:
    window.playhead.mark_out()


def clear_marks(window: MainWindow) -> None:
    window.playhead.clear_marks()
