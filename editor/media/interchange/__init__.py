"""The cut to and from other editors, through OpenTimelineIO (F24).

`formats` says which file suffix is which format (no OTIO import: the Export dialog reads it at
start); `to_otio` turns a project into an OTIO timeline and `write` puts it in a file; `from_otio`
reads a cut made elsewhere and turns it into a project, and `create` makes a project folder of
it. OpenTimelineIO is imported inside those modules' functions only, so opening the editor never
pays for it.
"""
