"""The library's exception types, one per kind of failure.

The CLI turns each into an exit code and the web layer into an HTTP status, in one
place each; library code never exits or prints.
"""

from __future__ import annotations

from pathlib import Path


class CopGraphError(Exception):
    """Base class: a failure the user can act on, with a message that says how."""

    exit_code = 2


class InputError(CopGraphError):
    """An input file that cannot be read, parsed or accepted."""

    def __init__(self, path: Path | str, message: str, line: int | None = None,
                 column: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.reason = message
        where = self.path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class QueryError(CopGraphError):
    """A query that cannot be parsed, is not allowed, or fails while running."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.line = line
        self.column = column
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(f"{where}{message}")


class QueryTooLarge(QueryError):
    """A query text over the configured size limit, refused before it is parsed."""


class QueryRefused(QueryError):
    """A well-formed request that the graph will not carry out: updates, SERVICE calls."""


class QueryTimeout(QueryError):
    """A query stopped at the time limit."""


class Preparing(QueryTimeout):
    """What a page shows is still being computed for this version of the data; it goes on
    in the background and the page can be asked for again shortly."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotAcceptable(CopGraphError):
    """No format the client accepts can carry this kind of result."""


class Busy(CopGraphError):
    """Every query worker is taken; the request may be retried shortly."""


class TooManyQueries(Busy):
    """This client already has as many queries running or waiting as one client may."""


class ParameterError(CopGraphError):
    """A named-query parameter that is missing, unknown or not of its declared type."""


class UnknownQueryError(CopGraphError):
    """A query name that is not in the library."""


class ConfigError(CopGraphError):
    """A setting with a value that cannot work."""


class OutputError(CopGraphError):
    """A result that cannot be written where or how it was asked for."""


class StoreUnavailable(CopGraphError):
    """The store cannot answer now: the remote store is down or slow, or no query worker
    is left to run the query (one that stopped is being replaced). Worth retrying."""


class NetworkError(CopGraphError):
    """A projection, measure or year that cannot give a network."""


class UnknownResource(NetworkError):
    """An IRI that is neither subject nor object of any statement in the graph."""
