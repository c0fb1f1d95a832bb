"""Headless sub-commands of main.py."""
