"""Every key of the playground, once: bindings with ids and descriptions (they feed the footer, the help
screen and the on-screen hints), and `keys.toml`, which remaps them by id (`optimize = "g"`)."""

from __future__ import annotations

from pathlib import Path

from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._keyboard_protocol import FUNCTIONAL_KEYS
from textual.binding import Binding
from textual.keys import REPLACED_KEYS, _character_to_key, key_to_character

from fitplay.errors import InputError, shortened
from fitplay.tui.config import config_dir, read_toml

# The hand keys: (id, keys, hand parameter index, sign, footer text, help text). Index 0 is the tilt (w for
# a line), 1 the shift (b); shift or the capital letter moves 10 steps.
HAND_KEYS = (
    ("raise", "up,k", 1, 1, "raise", "+ step on the 2nd hand parameter (b: up)"),
    ("lower", "down,j", 1, -1, "lower", "- step on the 2nd hand parameter (b: down)"),
    ("tilt_up", "right,l", 0, 1, "tilt", "+ step on the 1st hand parameter (w: tilt up)"),
    ("tilt_down", "left,h", 0, -1, "untilt", "- step on the 1st hand parameter (w: tilt down)"),
)
TEN_X = ", 10 x step"


def _hand_bindings() -> list[Binding]:
    out = []
    for binding_id, keys, index, sign, short, tooltip in HAND_KEYS:
        out.append(Binding(keys, f"nudge({index}, {sign})", short, tooltip=tooltip, id=binding_id,
                           show=binding_id in ("raise", "tilt_up")))
        shifted = ",".join(f"shift+{k}" if len(k) > 1 else k.upper() for k in keys.split(","))
        out.append(Binding(shifted, f"nudge({index}, {sign * 10})", f"{short} x10", tooltip=tooltip + TEN_X,
                           id=f"{binding_id}_10x", show=False))
    return out


BINDINGS: list[Binding] = [
    *_hand_bindings(),
    Binding("left_square_bracket", "step_size(0.1)", "step /10", show=False, id="step_smaller",
            tooltip="step size / 10"),
    Binding("right_square_bracket", "step_size(10)", "step x10", show=False, id="step_larger",
            tooltip="step size x 10"),
    Binding("o", "optimize", "optimize", tooltip="optimize: start / stop gradient descent", id="optimize"),
    Binding("space", "pause", "pause", show=False, tooltip="pause / resume the optimizer", id="pause"),
    Binding("full_stop", "step", "one step", show=False, tooltip="one optimizer step", id="step"),
    Binding("plus", "lr(2)", "lr x2", show=False, tooltip="learning rate x 2", id="lr_up"),
    Binding("minus", "lr(0.5)", "lr /2", show=False, tooltip="learning rate / 2", id="lr_down"),
    Binding("greater_than_sign", "speed(2)", "faster", show=False, tooltip="steps per frame x 2", id="faster"),
    Binding("less_than_sign", "speed(0.5)", "slower", show=False, tooltip="steps per frame / 2", id="slower"),
    Binding("r", "reset", "reset", tooltip="reset to the start parameters", id="reset"),
    Binding("n", "new_data", "new data", show=False, tooltip="new data: next seed", id="new_data"),
    Binding("m", "next_model", "model", show=False, tooltip="next model (linear, logistic, mlp, your own)",
            id="next_model"),
    Binding("p", "next_optimizer", "optimizer", show=False, tooltip="next optimizer (gd, momentum, adam)",
            id="next_optimizer"),
    Binding("v", "next_view", "view", show=False, tooltip="next view (fit, loss curve, loss landscape)",
            id="next_view"),
    Binding("z", "scale", "scale x", show=False, id="scale",
            tooltip="feature scaling on / off: train on standardised x (parameters stay in data units)"),
    Binding("t", "toggle('show_true')", "true line", show=False, tooltip="show / hide the true line",
            id="true_line"),
    Binding("e", "toggle('show_residuals')", "residuals", show=False, tooltip="show / hide residuals",
            id="residuals"),
    Binding("s", "save", "save", show=False, tooltip="save the session JSON and an SVG screenshot", id="save"),
    Binding("question_mark", "help", "help", tooltip="this help screen", id="help"),
    Binding("q,ctrl+q", "quit", "quit", tooltip="quit", key_display="q", id="quit"),
    Binding("ctrl+c", "quit", "quit", show=False, priority=True, tooltip="quit at once, even mid-run"),
]
# The lesson's own keys, on top of every key above.
LESSON_BINDINGS: list[Binding] = [
    Binding("pagedown", "lesson_step(1)", "next", tooltip="next lesson step", id="next_step"),
    Binding("pageup", "lesson_step(-1)", "back", tooltip="previous lesson step", id="prev_step"),
    Binding("d", "lesson_scroll(1)", "text down", show=False, tooltip="scroll the lesson text down", id="text_down"),
    Binding("u", "lesson_scroll(-1)", "text up", show=False, tooltip="scroll the lesson text up", id="text_up"),
    Binding("w", "truth(0, 0.5)", "true w +", show=False, tooltip="data: true w + 0.5", id="true_w_up"),
    Binding("W", "truth(0, -0.5)", "true w -", show=False, tooltip="data: true w - 0.5", id="true_w_down"),
    Binding("b", "truth(1, 1.0)", "true b +", show=False, tooltip="data: true b + 1", id="true_b_up"),
    Binding("B", "truth(1, -1.0)", "true b -", show=False, tooltip="data: true b - 1", id="true_b_down"),
    Binding("y", "noise(2)", "noise x2", show=False, tooltip="data: noise x 2", id="noise_up"),
    Binding("Y", "noise(0.5)", "noise /2", show=False, tooltip="data: noise / 2", id="noise_down"),
]
BINDING_IDS = tuple(b.id for b in BINDINGS + LESSON_BINDINGS if b.id)

_NAMES = {"up": "↑", "down": "↓", "left": "←", "right": "→", "left_square_bracket": "[",
          "right_square_bracket": "]", "full_stop": ".", "plus": "+", "minus": "-", "greater_than_sign": ">",
          "less_than_sign": "<", "question_mark": "?", "space": "space", "tab": "tab", "escape": "escape",
          "pageup": "pgup", "pagedown": "pgdn", "slash": "/"}


class KeymapError(InputError):
    """A keys.toml that cannot be used; the message names the file."""


def keymap_path() -> Path:
    return config_dir() / "keys.toml"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """The user's remapped keys by binding id, and what was wrong with the file (skipped as a whole)."""
    path = path or keymap_path()
    if not path.exists():
        return {}, []
    try:
        doc = read_toml(path, KeymapError)
        for binding_id, keys in doc.items():
            if binding_id not in BINDING_IDS:
                raise KeymapError(f"{path}: unknown key id {binding_id!r} (ids: {', '.join(BINDING_IDS)})")
            _check_keys(binding_id, keys, path)
        keymap = {k: v.strip() for k, v in doc.items()}
        _check_unique(keymap, path)
    except KeymapError as exc:
        return {}, [f"skipped keys: {exc}"]
    return keymap, []


# Every key name Textual's terminal parser gives an escape sequence or a control character: up, pageup, f5,
# ctrl+g, shift+tab, space...
SEQUENCE_KEYS = frozenset(key.value for keys in ANSI_SEQUENCES_KEYS.values() if isinstance(keys, tuple)
                          for key in keys if not key.value.startswith("<"))
# The keys that are not characters (up, f5, escape, space; with the kitty keyboard protocol of kitty, WezTerm and
# Ghostty also the keypad's and media keys): a terminal sends them with any of the modifiers, which Textual writes
# in alphabetical order (ctrl+shift+up).
NAMED_KEYS = frozenset(key for key in SEQUENCE_KEYS | set(FUNCTIONAL_KEYS.values()) if "+" not in key and len(key) > 1)
MODIFIERS = frozenset({"alt", "ctrl", "hyper", "meta", "shift", "super"})  # hyper, meta, super: the kitty protocol
KEYPAD_CHARACTERS = frozenset(key for key in FUNCTIONAL_KEYS.values() if len(key) == 1)  # its digits: shift+0 too
EXAMPLES = '"g", "O", "question_mark", "pageup", "f5" or "ctrl+g"'


def _check_keys(binding_id: str, keys: object, path: Path) -> None:
    """Raise KeymapError naming the first of a value's keys that Textual never sends under that name."""
    if not isinstance(keys, str):
        raise KeymapError(f"{path}: {binding_id} cannot take {shortened(repr(keys), 40)}: key names are a string "
                          f"such as \"g\" or \"ctrl+g,f5\"")
    for key in keys.strip().split(","):
        if not is_key(key):
            meant = _meant(key)
            why = f"Textual names that key {meant!r}" if meant else f"it is not a key name (such as {EXAMPLES})"
            raise KeymapError(f"{path}: {binding_id} cannot take {shortened(key, 40)!r}: {why}")


def _character(name: str) -> str | None:
    """The printable character a key is named after ("?" for question_mark), when Textual names it so."""
    character = key_to_character(REPLACED_KEYS.get(name, name))
    if character and len(character) == 1 and character.isprintable() and _character_to_key(character) == name:
        return character
    return None


def is_key(key: str) -> bool:
    """Whether Textual can receive a key under this name: a key such as up or f5, with any modifiers, or a
    character such as g, O or question_mark, alone or with modifiers (alt+shift+g for alt and G; shift and a
    character alone is the shifted character, O, not shift+o, but for the keypad's digits: shift+0)."""
    if key in SEQUENCE_KEYS:
        return True
    *modifiers, base = key.split("+")
    if modifiers != sorted(set(modifiers)) or not set(modifiers) <= MODIFIERS:
        return False
    if base in NAMED_KEYS:
        return True
    character = _character(base)
    shift_alone = modifiers == ["shift"] and base not in KEYPAD_CHARACTERS
    return character is not None and (not modifiers or (not shift_alone and not character.isupper()))


def _meant(key: str) -> str | None:
    """The name Textual gives the key likely meant, when it differs from what was written: up for Up, O for
    shift+o, alt+shift+o for alt+O, ctrl+g for ctrl+G (a terminal sends one byte for both), question_mark for
    ?, plus for +, ctrl+shift+up for shift+ctrl+up."""
    head, _, base = key.rpartition("+")
    if not base and key.endswith("+"):  # "+" itself, or ctrl++
        head, base = head.removesuffix("+"), "+"
    modifiers = {modifier.lower() for modifier in head.split("+") if modifier}
    if len(base) == 1 and base.isalpha() and modifiers == {"shift"}:
        modifiers, base = set(), base.upper()
    elif len(base) == 1 and base.isupper() and modifiers == {"ctrl"}:
        base = base.lower()
    elif len(base) == 1 and base.isupper() and modifiers:
        modifiers, base = modifiers | {"shift"}, base.lower()
    name = "+".join([*sorted(modifiers), _character_to_key(base) if len(base) == 1 else base.lower()])
    return name if name != key and is_key(name) else None


# Keys the app itself needs, which no binding may take.
RESERVED = {"ctrl+p": "the command palette", "tab": "moving the focus", "shift+tab": "moving the focus",
            "escape": "cancelling", "enter": "applying a typed value"}


def _check_unique(keymap: dict[str, str], path: Path) -> None:
    """One key, one action: a remapped key that another binding (or its own other one) or the app holds is
    refused."""
    for binding_id, keys in keymap.items():
        for key in keys.split(","):
            if key in RESERVED:
                raise KeymapError(f"{path}: {binding_id} cannot take {key!r}: it is for {RESERVED[key]}")
    holder: dict[str, str] = {}
    for binding in in_force(keymap, BINDINGS + LESSON_BINDINGS):
        for key in binding.key.split(","):
            name = binding.id or binding.action
            if key in holder and holder[key] != name:
                raise KeymapError(f"{path}: the key {key!r} is bound twice, to {holder[key]} and to {name}")
            holder[key] = name


def in_force(keymap: dict[str, str], bindings: list[Binding] = BINDINGS) -> list[Binding]:
    """The bindings with the user's keys in place of the defaults."""
    return [b.with_key(keymap[b.id], key_display=None) if b.id in keymap else b for b in bindings]


def key_name(key: str) -> str:
    """How a key is written on screen: ↑ for up, [ for left_square_bracket."""
    key = key.strip()
    if key.startswith("shift+"):
        return "shift+" + _NAMES.get(key[6:], key[6:])
    return _NAMES.get(key, key)


def first_key(bindings: list[Binding], binding_id: str) -> str:
    """The first key of a binding, as Textual names it (`question_mark`)."""
    for b in bindings:
        if b.id == binding_id:
            return b.key.split(",")[0]
    raise KeyError(binding_id)


def keys_of(bindings: list[Binding], binding_id: str) -> str:
    """The first key of a binding, as shown on screen (for hints such as "press o to optimize")."""
    return key_name(first_key(bindings, binding_id))
