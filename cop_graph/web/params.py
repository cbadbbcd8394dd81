"""Reading request parameters the same way on every page: a bad value is a 400 that
names the parameter and what it accepts."""

from __future__ import annotations

import re

from flask import request

from cop_graph.errors import ParameterError


def whole_number(name: str, default: int, low: int, high: int) -> int:
    """An integer parameter in [low, high]; ASCII digits only (``int`` would take "²" or a
    4,000-digit number and fail later)."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:
        raise ParameterError(f"parameter {name!r} must be a whole number from {low} to {high:,}; got {raw[:50]!r}")
    return int(raw)


FLAG_VALUES = {"1": True, "true": True, "0": False, "false": False}


def flag(name: str, values: list[str] | None = None) -> bool:
    """A yes/no parameter, ``1``/``true`` or ``0``/``false`` (any case), false when absent;
    anything else, or the parameter given twice, is a 400 naming it. ``values`` are the
    parameter's values where they are not the URL's (a form POST)."""
    given = request.args.getlist(name) if values is None else values
    if not given:
        return False
    if len(given) > 1:
        raise ParameterError(f"parameter {name!r} is given more than once")
    value = FLAG_VALUES.get(given[0].strip().lower())
    if value is None:
        raise ParameterError(f"parameter {name!r} must be 1 or 0 (true or false); got {given[0][:50]!r}")
    return value
