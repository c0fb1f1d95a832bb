"""Shotline's editor: documents, media, generation jobs, the command line and the window."""

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it from here)
