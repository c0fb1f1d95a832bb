"""Shotline as an installed desktop application: the application-menu entry, icons, AppStream
metainfo and the project MIME type (freedesktop.org), written into the user's XDG folders."""
