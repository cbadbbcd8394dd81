"""What pages aggregate over the whole graph (the home page's glance, the timeline, the
networks, search, the class listings) is computed once per version of the data, in the
background; a page waits for it within the query time limit, as the endpoint's queries
run within it, and otherwise answers 503 "still being prepared" with ``Retry-After``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import copy_current_request_context, current_app, has_request_context

from cop_graph.store.dataset import CopDataset

T = TypeVar("T")


def prepared(loaded: CopDataset, kind: str, *key: object, build: Callable[[], T], keep: int | None = None,
             wait: float | None = None) -> T:
    """The memo's value for a page, waited for at most the query time limit (or ``wait``
    seconds: 0 asks for it to be computed without waiting). The build runs
    with a copy of this request's context, so the links it makes are this app's. Outside a
    request (a script, a test) it is computed here and now."""
    if not has_request_context():
        return loaded.memo(kind, *key, build=build, keep=keep)
    return loaded.memo(kind, *key, build=copy_current_request_context(build), keep=keep,
                       wait=current_app.config["COP"].query_timeout if wait is None else wait)
