"""Shotline's data files (style sheet, icons, export presets, the demo project, desktop files).

A package only so that the wheel, an editable install and a frozen app all carry it and
`editor.resources_path` can find it with importlib.resources; it holds no code.
"""
