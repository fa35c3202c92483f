"""The lesson's steps, shipped with fitplay (this folder is installed as fitplay.lessons)."""
