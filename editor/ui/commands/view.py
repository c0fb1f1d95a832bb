"""View menu commands: timeline zoom, snapping and which panel shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from editor.ui.main_window import MainWindow


def zoom_in(window: MainWindow) -> None:
    window.timeline.zoom_in()


def zoom_out(window: MainWindow) -> None:
    window.timeline.zoom_out()


def zoom_to_fit(window: MainWindow) -> None:
    window.timeline.zoom_to_fit()


def set_snapping(window: MainWindow, on: bool) -> None:
    if window.timeline.snapping != bool(on):
        window.show_message("Snapping on" if on else "Snapping off")
    window.timeline.snapping = bool(on)


def show_storyboard(window: MainWindow) -> None:
    window.docks["storyboard"].show()
    window.docks["storyboard"].raise_()


def show_timeline(window: MainWindow) -> None:
    window.docks["timeline"].show()
    window.docks["timeline"].raise_()
    window.timeline.setFocus()


def reset_layout(window: MainWindow) -> None:
    window.reset_layout()
