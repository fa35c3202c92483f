"""Textual's footer with its keys in the first frame.

The stock Footer starts empty and recomposes on every bindings signal, three times while the app starts: the
first complete frame (panel, chart and keys) came 0.13 s after the first frame, measured through a terminal
with `fitplay bench`. This one composes its keys at once and recomposes only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A Footer that is ready when mounted and skips recomposing for a bindings signal that changes nothing."""

    # compact, the stock palette key keeps the other keys' one-cell margin at the right edge: nothing paints
    # that cell, so a letter of the keys scrolled under it showed there (44 to 58 columns); a padding cell does
    DEFAULT_CSS = """
    KeyFooter.-compact FooterKey.-command-palette {
        margin-right: 0;
        padding-right: 1;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.set_reactive(Footer._bindings_ready, True)
        self._shown: tuple | None = None

    def compose(self):
        self._shown = self._keys()
        for widget in super().compose():
            if isinstance(widget, FooterKey):  # a key mounted without it adds it, and restyles itself alone
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def _keys(self) -> tuple:
        """What the footer shows: every shown binding's key as shown, text and state."""
        return tuple((binding.key, self.app.get_key_display(binding), binding.description, enabled, tooltip)
                     for _node, binding, enabled, tooltip in self.screen.active_bindings.values() if binding.show)

    def bindings_changed(self, screen: Screen) -> None:
        if not self.is_attached or screen is not self.screen or self._keys() != self._shown:
            super().bindings_changed(screen)
