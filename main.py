"""Shotline: the editor by default, sub-commands for headless work (scripts, render machines).

    python main.py [PROJECT]                 open the editor (the demo project when none is given)
    python main.py new|export|info ...       projects and export      (editor/cli/project_commands.py)
    python main.py generate|animate|extend|infill|upscale|models ...  generation (editor/cli/generate_commands.py)
    python main.py screenshot PROJECT -o OUT.png            render the window to a PNG
    python main.py verify FILE.mp4                          what its Content Credentials (C2PA) say
    python main.py farm status|stop [--farm ADDRESS]        the render farm (editor/cli/farm_commands.py)
    python main.py --install-desktop | --uninstall-desktop  add to / remove from the application menu
    python main.py --version

Each sub-command module registers its own parser; heavy modules load only for the command run.
"""

from __future__ import annotations

import sys

# sub-command -> module that implements it (imported only when that command runs)
COMMANDS = {
    "new": "editor.cli.project_commands",
    "export": "editor.cli.project_commands",
    "info": "editor.cli.project_commands",
    "generate": "editor.cli.generate_commands",
    "animate": "editor.cli.generate_commands",
    "extend": "editor.cli.generate_commands",
    "infill": "editor.cli.generate_commands",
    "models": "editor.cli.generate_commands",
    "upscale": "editor.cli.generate_commands",
    "screenshot": "editor.ui.app",
    "verify": "editor.cli.verify_command",
    "farm": "editor.cli.farm_commands",
}


def main(argv: list[str] | None = None) -> int:
    import importlib

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        module = importlib.import_module(COMMANDS[argv[0]])
        return int(module.run(argv[0], argv[1:]) or 0)
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip().replace("python main.py", "shotline" if _installed() else "python main.py"))
        return 0
    if argv and argv[0] == "--version":
        from editor import __version__

        print(f"shotline {__version__}")
        return 0
    if argv and argv[0] in ("--install-desktop", "--uninstall-desktop"):
        from editor.desktop import install

        return install.run(argv[0], argv[1:])
    from editor.ui.platform_check import missing_library_message

    problem = missing_library_message()  # Qt would abort with a core dump instead of saying this
    if problem:
        print(problem, file=sys.stderr)
        return 1
    from editor.ui import app

    return int(app.run("gui", argv) or 0)


def _installed() -> bool:
    """Started as the `shotline` command (a pip/pipx install or a frozen app), not main.py."""
    import os

    return os.path.basename(sys.argv[0]).lower().startswith("shotline")


def main_quietly_piped() -> int:
    """main(), ending quietly when the reader of our output goes away (`info | head -1`)."""
    import os

    from editor.resources_path import ResourcesMissing

    try:
        code = main()
        sys.stdout.flush()
        return code
    except ResourcesMissing as exc:  # a broken install: say so in one line, not a traceback
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # Ctrl+C before the editor's window takes the signals over (editor.ui.signal_quit) or in a
        # command that doesn't handle it: stop quietly with the status a shell expects, no traceback
        print("Shotline: stopped by Ctrl+C.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the standard recipe (Python's signal docs): point stdout at devnull so the interpreter's
        # own flush at exit doesn't fail again, and exit as a process killed by SIGPIPE would
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main_quietly_piped())
