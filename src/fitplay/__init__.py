"""fitplay: a terminal playground for model + loss + optimizer."""

__version__ = "0.1.0"
