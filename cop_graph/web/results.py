"""Turning an engine answer into an HTTP response (shared by /sparql and /queries).

A ``download=1`` parameter (the pages' download links carry it) makes the answer an
attachment with a file name (``<query name>.csv``, ``query.csv`` for /sparql); without it
the answer is inline, whatever ``format`` or ``Accept`` ask for, as SPARQL clients expect."""

from __future__ import annotations

import ipaddress
import re

from flask import Response, current_app, request

from cop_graph.errors import ParameterError
from cop_graph.rdf.formats import SYNTAXES
from cop_graph.sparql.engine import Answer, QueryRequest

# The file suffix of each SPARQL result format; graphs take their syntax's first suffix.
RESULT_SUFFIXES = {"json": ".json", "xml": ".xml", "csv": ".csv", "tsv": ".tsv", "table": ".txt"}
DOWNLOAD = "download"  # the parameter that asks for an attachment


def run(query: QueryRequest) -> Answer:
    """Every query from the web goes through the app's engine (worker pool or in-process),
    on behalf of the client's address, which the pool shares its workers by."""
    return current_app.extensions["cop_engine"].answer(query, client=client_of(request.remote_addr))


def client_of(address: str | None) -> str | None:
    """Who a request counts as for the share per client: its address; for IPv6 its /64, as
    one host is given a whole /64 and could otherwise take a fresh address per query."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def wants_download() -> bool:
    """Whether the URL asks for the answer as a file: ``download=1`` (or ``true``, ``yes``);
    ``0``, ``false``, ``no`` or nothing keep it inline; anything else is a 400."""
    values = request.args.getlist(DOWNLOAD)
    if not values:
        return False
    if len(values) > 1:
        raise ParameterError(f"parameter {DOWNLOAD!r} is given more than once")
    value = values[0].strip().lower()
    if value not in ("1", "true", "yes", "0", "false", "no", ""):
        raise ParameterError(f"parameter {DOWNLOAD!r} must be 1 or 0; got {values[0][:50]!r}")
    return value in ("1", "true", "yes")


def download_name(name: str, answer: Answer) -> str:
    """The file name of an answer: the query's name (letters, digits, ``.``, ``_``, ``-``
    only, so the header needs no quoting) and the format's suffix."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:100] or "query"
    if answer.form in ("SELECT", "ASK"):
        return name + RESULT_SUFFIXES.get(answer.format, ".txt")
    syntax = SYNTAXES.get(answer.format)
    return name + (syntax.suffixes[0] if syntax else ".txt")


def answer_response(query: QueryRequest, name: str = "query") -> Response:
    """The answer to ``query``; ``name`` is the file name a download is saved under."""
    download = wants_download()
    answer = run(query)
    response = Response(answer.body, content_type=f"{answer.media_type}; charset=utf-8")
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{download_name(name, answer)}"'
    response.headers["Vary"] = "Accept"
    response.headers["X-Result-Rows"] = str(answer.rows)
    if answer.truncated:
        response.headers["X-Result-Truncated"] = f"true; limit={current_app.config['COP'].max_rows}"
    return response
