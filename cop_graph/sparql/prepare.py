"""Reading a query and the checks every query meets before it runs: size, syntax, no
updates, SERVICE only to the allowlist."""

from __future__ import annotations

import re

import rdflib.plugins.sparql as rdflib_sparql
from pyparsing import ParseException, ParseResults
from rdflib import URIRef
from rdflib.plugins.sparql import parser as sparql_parser
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import ServiceGraphPattern, parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query

from cop_graph.errors import QueryError, QueryRefused, QueryTooLarge
from cop_graph.rdf.grammar import PARSING
from cop_graph.rdf.namespaces import PREFIXES

# FROM and FROM NAMED must select among our own graphs, never fetch from the web or disk.
# rdflib keeps this switch module-wide; every query in the process runs through here.
rdflib_sparql.SPARQL_LOAD_GRAPHS = False

# rdflib's grammar lets pyparsing expand tabs to spaces before parsing, which changes a tab
# inside a string literal (and the columns of syntax errors): the query is read as written.
sparql_parser.Query.parse_with_tabs()


def prepare(text: str, service_allowlist: tuple[str, ...] = (), max_bytes: int | None = None) -> Query:
    """Parse a query, refusing updates and SERVICE calls outside the allowlist, with the
    parser's line and column on a syntax error."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if max_bytes is not None and size > max_bytes:
        raise QueryTooLarge(f"the query is {size:,} bytes, over the size limit of {max_bytes:,} bytes")
    _check_service_text(text, service_allowlist)
    with PARSING:
        query = _parse(text)
    for endpoint in (clause.term for clause in service_clauses(query.algebra)):
        if not isinstance(endpoint, URIRef) or str(endpoint) not in service_allowlist:
            raise QueryRefused(f"SERVICE {endpoint.n3()} is not allowed: queries make no outbound requests "
                               "except to the configured allowlist")
    _order_select_star(query, text)
    return query


def _parse(text: str) -> Query:
    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        if _is_update(text):
            raise QueryRefused("SPARQL Update is not allowed: the graph is read-only") from None
        near = exc.line.strip()[:60]
        raise QueryError(f"syntax error near {near!r}: {exc.msg}", exc.lineno, exc.col) from None
    except RecursionError:
        raise QueryError("the query nests too deeply") from None
    _giveservice_clauses_their_text(parsed, text)
    try:
        return translateQuery(parsed, initNs=PREFIXES)
    except RecursionError:
        raise QueryError("the query nests too deeply") from None
    except Exception as exc:  # e.g. an undeclared prefix, reported by rdflib as a plain Exception
        raise QueryError(f"cannot read the query: {exc}") from None


# rdflib re-reads SERVICE clauses from the query text (literals included), so the text is
# checked as well as the parsed query: every SERVICE it names must be allowed.
_SERVICE_TEXT = re.compile(r"SERVICE\s+(?:SILENT\s+)?(<[^>]*>|[?$]\w+|\w*:\w*)", re.IGNORECASE)


def _check_service_text(text: str, allowlist: tuple[str, ...]) -> None:
    for match in _SERVICE_TEXT.finditer(text):
        target = match.group(1)
        iri = target[1:-1] if target.startswith("<") else ""
        if iri not in allowlist or not iri.startswith(("http://", "https://")):
            raise QueryRefused(f"SERVICE {target} is not allowed: queries make no outbound requests "
                               "except to the configured allowlist (written as full IRIs)")


def service_iris(text: str) -> tuple[str, ...]:
    return tuple(m.group(1)[1:-1] for m in _SERVICE_TEXT.finditer(text) if m.group(1).startswith("<"))


def _giveservice_clauses_their_text(parsed: ParseResults, text: str) -> None:
    """rdflib records the text of the query's first SERVICE clause for every clause, and
    that text is what the endpoint receives: give each clause its own."""
    clauses = service_clauses(parsed)
    if not clauses:
        return
    found = [(tokens[0], text[start:end]) for tokens, start, end in ServiceGraphPattern.scan_string(text)]
    if [clause["term"] for clause in clauses] != [tokens["term"] for tokens, _ in found]:
        raise QueryError("a SERVICE clause is also written inside a string or a comment, so the clauses "
                         "cannot be told apart: remove the one that is not meant to run")
    for clause, (_, clause_text) in zip(clauses, found, strict=True):
        clause["service_string"] = clause_text


def _order_select_star(query: Query, text: str) -> None:
    """SELECT * lists its variables in a hash order that differs between processes; put
    them in the order they first appear in the query, as the SPARQL result tests expect."""
    if query.algebra.name != "SelectQuery" or not re.search(r"SELECT\s+(DISTINCT\s+|REDUCED\s+)?\*", text, re.I):
        return
    first = {}
    for match in re.finditer(r"[?$]([A-Za-z_0-9\u00B7-\uFFFF]+)", text):
        first.setdefault(match.group(1), match.start())
    ordered = sorted(query.algebra.PV, key=lambda v: first.get(str(v), len(text)))
    query.algebra["PV"] = ordered
    if getattr(query.algebra.p, "name", None) == "Project":
        query.algebra.p["PV"] = ordered


def query_form(query: Query) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE."""
    return query.algebra.name.replace("Query", "").upper()


def _is_update(text: str) -> bool:
    try:
        return bool(parseUpdate(text).request)
    except Exception:
        return False


def service_clauses(node: object) -> list[CompValue]:
    """The SERVICE clauses of a parsed query or its algebra, in the order they are written."""
    found = []
    if getattr(node, "name", None) == "ServiceGraphPattern":
        found.append(node)
    if isinstance(node, dict):
        for value in node.values():
            found += service_clauses(value)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            found += service_clauses(value)
    return found


