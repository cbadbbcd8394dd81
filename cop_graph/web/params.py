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
