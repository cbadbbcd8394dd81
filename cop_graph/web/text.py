"""Text that HTML pages can carry: the one place that decides what happens to NUL, other
control characters and lone surrogates, whatever page shows them."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# The most characters of one value a page shows; longer values (a hostile 50 MB literal) are
# cut, saying how much was left out. The bundled data's longest value has 6,660.
PAGE_VALUE_CHARS = 10_000
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


def clip(text: str) -> str:
    """At most :data:`PAGE_VALUE_CHARS` characters, and how many more there are."""
    if len(text) <= PAGE_VALUE_CHARS:
        return text
    return f"{text[:PAGE_VALUE_CHARS]}… [{len(text) - PAGE_VALUE_CHARS:,} more characters not shown]"


def whole(text: object) -> Markup:
    """A template filter for text a page must carry uncut: a form's values, a query's text."""
    return escape(page_text(str(text)))


def finalize(value: object) -> object:
    """Jinja's finalize hook: strings are cut to size and made page text before escaping.
    Markup passes as it is: a macro's output was made of values that passed through here
    already, and what a page must carry whole (links, form values, the query being edited)
    goes through the ``whole`` filter."""
    return page_text(clip(value)) if isinstance(value, str) and not isinstance(value, Markup) else value
