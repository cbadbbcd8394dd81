"""Turning an engine answer into an HTTP response (shared by /sparql and /queries)."""

from __future__ import annotations

import ipaddress

from flask import Response, current_app, request

from cop_graph.sparql.engine import Answer, QueryRequest


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


def answer_response(query: QueryRequest) -> Response:
    answer = run(query)
    response = Response(answer.body, content_type=f"{answer.media_type}; charset=utf-8")
    response.headers["Vary"] = "Accept"
    response.headers["X-Result-Rows"] = str(answer.rows)
    if answer.truncated:
        response.headers["X-Result-Truncated"] = f"true; limit={current_app.config['COP'].max_rows}"
    return response
