"""The Textual app: a thin layer over `fitplay.core.session`."""
