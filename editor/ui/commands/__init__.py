"""What the editor's commands do, one module per menu; `editor.ui.actions.ACTIONS` points at them.

Each command is a function of the window it acts on (`fn(window)`, or `fn(window, checked)` for
a checkable one): the action table injects the window, so the window holds no one-line method
per menu entry, and a command reads as what it does to the window's parts.
"""
