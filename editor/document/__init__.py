"""The project as plain Python: no Qt, no torch."""
