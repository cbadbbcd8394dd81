"""Turning an engine answer into an HTTP response (shared by /sparql and /queries)."""

from __future__ import annotations

from flask import Response, current_app, request

from cop_graph.engine import Answer, QueryRequest


def run(query: QueryRequest) -> Answer:
    """Every query from the web goes through the app's engine (worker pool or in-process),
    on behalf of the client's address, which the pool shares its workers by."""
    return current_app.extensions["cop_engine"].answer(query, client=request.remote_addr)


def answer_response(query: QueryRequest) -> Response:
    answer = run(query)
    response = Response(answer.body, content_type=f"{answer.media_type}; charset=utf-8")
    response.headers["Vary"] = "Accept"
    response.headers["X-Result-Rows"] = str(answer.rows)
    if answer.truncated:
        response.headers["X-Result-Truncated"] = f"true; limit={current_app.config['COP'].max_rows}"
    return response
