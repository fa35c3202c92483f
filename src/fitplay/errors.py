"""The one error type the CLI turns into a one-line message and exit status 2."""


class InputError(ValueError):
    """Bad input from the user (data, session file, theme, option); the message is one line."""
