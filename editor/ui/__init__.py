"""Qt widgets and views of the editor (the only package that imports Qt).

PySide6 6.12.0 is excluded in pyproject.toml: under CPython 3.11 its void calls drop a reference
to None and the interpreter aborts after a few seconds of painting; tests/test_qt_binding.py
keeps that from coming back.
"""
