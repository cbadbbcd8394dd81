"""The checks every query meets before Oxigraph reads it: size, nesting, read-only, SERVICE
only to the allowlist. They look at the text (:mod:`cop_graph.sparql.scan`), so a query is
parsed once, by the engine that answers it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cop_graph.errors import QueryError, QueryRefused, QueryTooLarge
from cop_graph.sparql.scan import Scanned, scan


@dataclass(frozen=True)
class Prepared:
    """A checked query: its text and what the scan found in it."""

    text: str
    scanned: Scanned

    @property
    def form(self) -> str | None:
        return self.scanned.form


def prepare(text: str, service_allowlist: tuple[str, ...] = (), max_bytes: int | None = None) -> Prepared:
    """Check a query's text, or raise: :class:`QueryTooLarge`, :class:`QueryRefused` for an
    update or a SERVICE off the allowlist, :class:`QueryError` for a query nested too deeply."""
    if max_bytes is not None:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise QueryTooLarge(f"the query is {size:,} bytes, over the size limit of {max_bytes:,} bytes")
    scanned = scan(text)
    if scanned.update:
        raise QueryRefused("SPARQL Update is not allowed: the graph is read-only")
    if scanned.services or scanned.in_text:
        _check_services(text, scanned, service_allowlist)
    return Prepared(text, scanned)


# Every SERVICE the text names anywhere, strings and comments included, must be allowed:
# a query may not even carry the address of another endpoint.
_SERVICE_TEXT = re.compile(r"SERVICE\s+(?:SILENT\s+)?(<[^>]*>|[?$]\w+|[\w.-]*:[\w.-]*)", re.IGNORECASE)


def _check_services(text: str, scanned: Scanned, allowlist: tuple[str, ...]) -> None:
    for match in _SERVICE_TEXT.finditer(text):
        _allowed(match.group(1), match.group(1)[1:-1] if match.group(1).startswith("<") else None, allowlist)
    for service in scanned.services:
        _allowed(service.target, service.iri, allowlist)
    if scanned.in_text and scanned.services:
        raise QueryError("a SERVICE clause is also written inside a string or a comment, so the clauses "
                         "cannot be told apart: remove the one that is not meant to run")


def _allowed(target: str, iri: str | None, allowlist: tuple[str, ...]) -> None:
    if iri is None or iri not in allowlist or not iri.startswith(("http://", "https://")):
        raise QueryRefused(f"SERVICE {target} is not allowed: queries make no outbound requests "
                           "except to the configured allowlist (written as full IRIs)")


def service_iris(text: str) -> tuple[str, ...]:
    """The SERVICE endpoints a query names, as full IRIs (a named query's own allowlist
    while it is read; its endpoints meet the real allowlist when it runs)."""
    return tuple(s.iri for s in scan(text).services if s.iri)


def query_form(prepared: Prepared) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE."""
    if prepared.form is None:
        raise QueryError("a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE (after its PREFIX and BASE lines)")
    return prepared.form
