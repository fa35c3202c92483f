"""Theme files shipped with fitplay (this folder is installed as fitplay.themes)."""
