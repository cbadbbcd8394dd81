"""Library errors to HTTP statuses, in one place; every error answer is plain text a
person can act on, never a traceback."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from cop_graph import errors
from cop_graph.web.negotiation import prefers_html

STATUS: tuple[tuple[type[Exception], int], ...] = (
    (errors.QueryTooLarge, 413),
    (errors.QueryRefused, 403),
    (errors.QueryTimeout, 503),
    (errors.TooManyQueries, 429),
    (errors.Busy, 503),
    (errors.StoreUnavailable, 503),
    (errors.NotAcceptable, 406),
    (errors.UnknownQueryError, 404),
    (errors.UnknownResource, 404),
    (errors.ParameterError, 400),
    (errors.QueryError, 400),
    (errors.OutputError, 406),
    (errors.CopGraphError, 400),
)


class ProtocolError(Exception):
    """A request that breaks the protocol itself (missing or repeated query, wrong media type)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# Errors worth retrying shortly (every worker busy, the remote store down): their answers,
# pages included, say when to come back.
RETRYABLE: tuple[type[Exception], ...] = (errors.Busy, errors.StoreUnavailable)
RETRY_AFTER = "5"  # seconds


def retry_headers(exc: Exception | None) -> dict[str, str]:
    return {"Retry-After": RETRY_AFTER} if isinstance(exc, RETRYABLE) else {}


def html_answer(body: str, status: int = 200, error: Exception | None = None) -> Response:
    """A page of a URL that also answers data (so ``Vary: Accept``), with ``Retry-After``
    when the error it shows is worth retrying."""
    response = Response(body, status=status, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    response.headers.update(retry_headers(error))
    return response


def text_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(message.rstrip("\n") + "\n", status=status, content_type="text/plain; charset=utf-8")
    response.headers.update(headers or {})
    return response


def status_of(exc: Exception) -> int:
    return next(code for cls, code in STATUS if isinstance(exc, cls))


def register(app: Flask | Blueprint) -> None:
    """Answer every error raised in ``app`` (an app, or a blueprint mounted on any app)."""
    @app.errorhandler(errors.CopGraphError)
    def library_error(exc: errors.CopGraphError) -> Response:
        status = status_of(exc)
        headers = retry_headers(exc) | ({"Vary": "Accept"} if status == 406 else {})
        return text_error(status, f"{status} {_reason(status)}: {exc}", headers)

    @app.errorhandler(errors.Preparing)
    def preparing(exc: errors.Preparing) -> Response:
        """503 with ``Retry-After``; a browser gets a page that reloads by itself."""
        headers = {"Retry-After": str(exc.retry_after), "Vary": "Accept", "Cache-Control": "no-store"}
        if prefers_html(request.accept_mimetypes) and not request.path.endswith(".json"):
            response = html_answer(render_template("preparing.html", retry_after=exc.retry_after, message=str(exc)),
                                   503)
            response.headers.update(headers)
            return response
        return text_error(503, f"503 Service Unavailable: {exc}", headers)

    @app.errorhandler(ProtocolError)
    def protocol_error(exc: ProtocolError) -> Response:
        return text_error(exc.status, f"{exc.status} {_reason(exc.status)}: {exc}")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        response = text_error(exc.code or 500, f"{exc.code} {exc.name}: {exc.description}")
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        current_app.logger.exception("unexpected error")
        return text_error(500, "500 Internal Server Error: the request failed unexpectedly; it has been logged")


def _reason(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase
