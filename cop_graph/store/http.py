"""The one HTTP client for other SPARQL services: SERVICE calls and the remote store.

It names itself (public endpoints ask for a User-Agent), follows no redirect (a redirect
could lead anywhere), sends long queries as a form POST, and always has a time limit.
"""

from __future__ import annotations

import http.client
import importlib.metadata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from email.message import Message


def _version() -> str:
    try:
        return importlib.metadata.version("cop-graph")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)
USER_AGENT = f"cop-graph/{_version()} (+https://w3id.org/b-tech-cop/)"


def sparql_request(endpoint: str, query: str, accept: str, timeout: float,
                   params: Sequence[tuple[str, str]] = ()) -> bytes:
    """Send a query by the SPARQL 1.1 Protocol and return the answer's body.

    Raises urllib's errors (``HTTPError`` for an error status, ``URLError`` when the
    endpoint cannot be reached, ``TimeoutError``) for the caller to put in its own words."""
    return sparql_response(endpoint, query, accept, timeout, params)[0]


def sparql_response(endpoint: str, query: str, accept: str, timeout: float,
                    params: Sequence[tuple[str, str]] = ()) -> tuple[bytes, int, Message]:
    """:func:`sparql_request`, with the answer's status and headers: a store may say there
    that the answer is not whole (Virtuoso's ``X-SPARQL-MaxRows``, ``X-SQL-State``)."""
    form = urllib.parse.urlencode([("query", query), *params])
    headers = {"Accept": accept, "User-Agent": USER_AGENT}
    if len(form) < 2000:
        request = urllib.request.Request(f"{endpoint}{'&' if '?' in endpoint else '?'}{form}", headers=headers)
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(endpoint, form.encode("ascii"), headers)
    with _OPENER.open(request, timeout=timeout) as response:
        return response.read(), response.status, response.headers


def send(url: str, method: str, body: bytes | None, content_type: str | None, timeout: float) -> int:
    """One Graph Store Protocol request (PUT, DELETE); returns the status."""
    headers = {"User-Agent": USER_AGENT}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, body, headers, method=method)
    with _OPENER.open(request, timeout=timeout) as response:
        response.read()
        return response.status


def failure(exc: Exception) -> str:
    """What went wrong with a request, in words for the person who sent the query."""
    if isinstance(exc, urllib.error.HTTPError):
        if 300 <= exc.code < 400:
            return f"the endpoint answered {exc.code} {exc.reason}; redirects are not followed"
        try:
            detail = exc.read(300).decode("utf-8", "replace").strip().splitlines()
        except OSError:
            detail = []
        return f"the endpoint answered {exc.code} {exc.reason}" + (f": {detail[0]}" if detail else "")
    if isinstance(exc, urllib.error.URLError):
        return f"cannot reach the endpoint ({getattr(exc.reason, 'strerror', None) or exc.reason})"
    if isinstance(exc, TimeoutError):
        return "the endpoint did not answer in time"
    if isinstance(exc, OSError):
        return f"the connection failed ({exc.strerror or exc})"
    if isinstance(exc, http.client.HTTPException):
        return f"the answer is not well-formed HTTP ({type(exc).__name__})"
    return "the answer is not a SPARQL JSON result"
