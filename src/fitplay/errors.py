"""The one error type the CLI turns into a one-line message and exit status 2, and safe text for terminals."""


class InputError(ValueError):
    """Bad input from the user (data, session file, theme, option); the message is one line."""


def shortened(text: str, most: int) -> str:
    """text cut to at most `most` characters, the last one "…" when it was longer (a value quoted in a message)."""
    return text if len(text) <= most else text[:most - 1] + "…"


def printable(text: str) -> str:
    """text with control characters escaped (ESC as \\x1b, BEL as \\x07, newlines as \\n), so bytes from a
    file or a user can never drive the terminal, and a message stays one line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
