"""Every explorer page has a JSON twin built from the same page data as its HTML
(``Accept: application/json``, a ``.json`` suffix or ``?format=json``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Response, jsonify, render_template, request


def wants_json() -> bool:
    if request.path.endswith(".json") or request.args.get("format") == "json":
        return True
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


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
