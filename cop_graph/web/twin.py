"""Every explorer page has a JSON twin built from the same page data as its HTML
(``Accept: application/json``, a ``.json`` suffix or ``?format=json``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Response, jsonify, render_template, request

from cop_graph.errors import NotAcceptable, ParameterError
from cop_graph.web.negotiation import PAGE_NAMES, PAGE_TYPES, choose


def wants_json() -> bool:
    """JSON for a ``.json`` path, ``?format=json`` or an Accept header that prefers it; an
    unknown ``format`` is a 400 and an Accept header with neither HTML nor JSON a 406."""
    if request.path.endswith(".json"):
        return True
    formats = request.args.getlist("format")
    unknown = [f for f in formats if f.strip().lower() not in PAGE_NAMES]
    if unknown:
        raise ParameterError(f"parameter 'format' must be one of: {', '.join(sorted(set(PAGE_NAMES)))}; "
                             f"got {unknown[0][:50]!r}")
    chosen = choose(request.accept_mimetypes, PAGE_TYPES, PAGE_NAMES, formats)
    if chosen is None:
        raise NotAcceptable(f"this page is available as: {', '.join(PAGE_TYPES)}")
    return chosen == "json"


def as_json(page: Any) -> Any:
    """A page's data as JSON: its own ``as_json`` if it has one, else its dataclass fields."""
    if hasattr(page, "as_json"):
        return page.as_json()
    return dataclasses.asdict(page)


def respond(page: Any, template: str, status: int = 200, json: bool | None = None, **extra: Any) -> Response:
    """HTML from ``template`` with ``page`` (and ``extra`` display helpers), or the JSON twin
    (when ``json`` is None, the request decides)."""
    if wants_json() if json is None else json:
        response = jsonify(as_json(page))
    else:
        response = Response(render_template(template, page=page, **extra), content_type="text/html; charset=utf-8")
    response.status_code = status
    response.headers["Vary"] = "Accept"
    return response
