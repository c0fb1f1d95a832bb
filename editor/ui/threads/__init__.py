"""Helpers for the editor's own background threads (job worker, decode thread, proxy builder,
background pool), kept apart from any one of those users: `gc_guard` keeps Python's cyclic
garbage collection on the GUI thread while any of them runs."""
