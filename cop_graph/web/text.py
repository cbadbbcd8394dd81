"""Text that HTML pages can carry: the one place that decides what happens to NUL, other
control characters and lone surrogates, whatever page shows them."""

from __future__ import annotations

import re

from markupsafe import Markup

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATE = re.compile("[\ud800-\udfff]")


def page_text(text: str) -> str:
    """Exactly the text, except what HTML cannot carry: NUL and lone surrogates become
    U+FFFD, as a browser would make them. Every template value passes through here."""
    return SURROGATE.sub("\ufffd", text.replace("\x00", "\ufffd"))


def visible(text: str) -> str:
    """Text readable in a result table: control characters as their Unicode pictures (NUL
    as ␀), lone surrogates as U+FFFD."""
    text = SURROGATE.sub("\ufffd", text)
    return CONTROL.sub(lambda m: "\u2421" if m.group() == "\x7f" else chr(0x2400 + ord(m.group())), text)


def finalize(value: object) -> object:
    """Jinja's finalize hook: strings are made page text before escaping (markup, such as a
    macro's output, was made of values that passed through here already)."""
    return page_text(value) if isinstance(value, str) and not isinstance(value, Markup) else value
