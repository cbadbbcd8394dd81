"""The named-query library and the one function that runs any query.

Every ``.rq`` file under ``queries/`` opens with a comment header::

    # title: Members in a year
    # description: The companies that were members of the COP in a given year.
    # param: year (xsd:gYear, default 2022) The year to list.

Parameters are checked against their declared type and bound through rdflib's
``initBindings``; they are never spliced into the query text.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph
import rdflib.plugins.sparql as rdflib_sparql
import rdflib.plugins.sparql.evaluate as rdflib_evaluate
from pyparsing import ParseException, ParseResults
from rdflib import Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql import parser as sparql_parser
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import ServiceGraphPattern, parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import FrozenBindings, Query, QueryContext
from rdflib.query import Result
from rdflib.term import Node

from cop_graph.dataset import CopDataset
from cop_graph.errors import CopGraphError, ParameterError, QueryError, QueryRefused, QueryTooLarge, UnknownQueryError
from cop_graph.grammar import PARSING
from cop_graph.namespaces import PREFIXES
from cop_graph.sparql_http import failure, sparql_request

# FROM and FROM NAMED must select among our own graphs, never fetch from the web or disk.
# rdflib keeps this switch module-wide; every query in the process runs through here.
rdflib_sparql.SPARQL_LOAD_GRAPHS = False

_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*)$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*\((?P<type>[\w:]+)"
                    r"(?:\s*,\s*default\s+(?P<default>[^)]*))?\)\s*(?P<help>.*)$")
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None
    description: str

    def bind(self, raw: str, base: str) -> Node:
        """The RDF term for a raw value, or a :class:`ParameterError` saying what is wrong."""
        check = _TYPES.get(self.type)
        if check is None:
            raise ParameterError(f"parameter {self.name!r} has an unknown type {self.type!r}")
        try:
            return check(raw.strip(), base)
        except ValueError as exc:
            raise ParameterError(f"parameter {self.name!r} must be {exc}; got {raw!r}") from None


def _gyear(raw: str, base: str) -> Literal:
    if not re.fullmatch(r"-?([1-9][0-9]{3,}|0[0-9]{3})", raw):
        raise ValueError("a year such as 2022 (xsd:gYear)")
    return Literal(raw, datatype=XSD.gYear)


def _integer(raw: str, base: str) -> Literal:
    if not re.fullmatch(r"[+-]?[0-9]{1,18}", raw):
        raise ValueError("a whole number (xsd:integer)")
    return Literal(int(raw))


def _date(raw: str, base: str) -> Literal:
    value = Literal(raw, datatype=XSD.date)
    if value.ill_typed or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        raise ValueError("a date such as 2022-05-17 (xsd:date)")
    return value


def _string(raw: str, base: str) -> Literal:
    if len(raw) > 1000:
        raise ValueError("a string of at most 1000 characters")
    return Literal(raw)


def _iri(raw: str, base: str) -> URIRef:
    if not raw or _IRI_FORBIDDEN.search(raw):
        raise ValueError("an IRI, absolute or relative to the base (e.g. org/apple), without spaces or <>\"{}|\\^`")
    iri = URIRef(raw) if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", raw) else URIRef(base + raw.lstrip("/"))
    try:
        pyoxigraph.NamedNode(iri)  # RFC 3987, as every store checks it: control characters, bad %-escapes …
    except ValueError as exc:
        raise ValueError(f"a valid IRI ({exc})") from None
    return iri


_TYPES = {"xsd:gYear": _gyear, "xsd:integer": _integer, "xsd:date": _date, "xsd:string": _string, "iri": _iri}


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str
    path: Path
    form: str = field(default="SELECT")

    def bindings(self, values: dict[str, str], base: str) -> dict[str, object]:
        """Check the given values against the declared parameters and fill in defaults."""
        known = {p.name for p in self.parameters}
        unknown = sorted(set(values) - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise ParameterError(f"query {self.name!r} has no parameter {unknown[0]!r}; its parameters: {allowed}")
        bound = {}
        for param in self.parameters:
            raw = values.get(param.name, param.default)
            if raw is None:
                raise ParameterError(f"query {self.name!r} needs parameter {param.name!r} ({param.type})")
            bound[param.name] = param.bind(raw, base)
        return bound


def parse_named_query(path: Path, require_header: bool = True) -> NamedQuery:
    """Read one ``.rq`` file with its header.

    The library's files must have a title and a description; a file given on the command
    line may be plain SPARQL (it is then named after the file).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read the query file: {getattr(exc, 'strerror', None) or exc}") from None
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": []}
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            last = match.group(1)
            fields[last].append(match.group(2).strip())
        elif last and line[1:].strip():
            fields[last][-1] += " " + line[1:].strip()
    if require_header and (not fields["title"] or not fields["description"]):
        raise QueryError(f"{path}: the header needs a '# title:' and a '# description:' line")
    params = []
    for spec in fields["param"]:
        match = _PARAM.match(spec)
        if not match or match.group("type") not in _TYPES:
            raise QueryError(f"{path}: cannot read parameter {spec!r}; write it as "
                             f"'name (type, default value) description' with type one of {', '.join(_TYPES)}")
        params.append(Parameter(match["name"], match["type"], match["default"], match["help"]))
    try:  # SERVICE endpoints meet the allowlist when the query runs; reading it needs only its form
        form = query_form(prepare(text, _service_iris(text)))
    except QueryError as exc:
        raise QueryError(f"{path}: {exc}") from None
    title = fields["title"][0] if fields["title"] else path.stem
    description = fields["description"][0] if fields["description"] else ""
    return NamedQuery(path.stem, title, description, tuple(params), text, path, form)


def load_library(folder: Path) -> dict[str, NamedQuery]:
    """Every named query in a folder; parsed once per version of the folder's files."""
    files = tuple((p, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.rq")))
    return dict(_parse_library(files))


@lru_cache(maxsize=8)
def _parse_library(files: tuple[tuple[Path, int], ...]) -> tuple[tuple[str, NamedQuery], ...]:
    return tuple((q.name, q) for q in (parse_named_query(p) for p, _ in files))


def find_query(library: dict[str, NamedQuery], name: str) -> NamedQuery:
    try:
        return library[name]
    except KeyError:
        raise UnknownQueryError(f"no named query {name!r}; the library has: {', '.join(sorted(library))}") from None


# rdflib's grammar lets pyparsing expand tabs to spaces before parsing, which changes a tab
# inside a string literal (and the columns of syntax errors): the query is read as written.
sparql_parser.Query.parse_with_tabs()


def prepare(text: str, service_allowlist: tuple[str, ...] = (), max_bytes: int | None = None) -> Query:
    """Parse a query, refusing updates and SERVICE calls outside the allowlist, with the
    parser's line and column on a syntax error."""
    if max_bytes is not None and len(text.encode("utf-8")) > max_bytes:
        raise QueryTooLarge(f"the query is {len(text.encode('utf-8')):,} bytes; the limit is {max_bytes:,}")
    _check_service_text(text, service_allowlist)
    with PARSING:
        query = _parse(text)
    for endpoint in (clause.term for clause in _service_clauses(query.algebra)):
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
    _give_service_clauses_their_text(parsed, text)
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


def _service_iris(text: str) -> tuple[str, ...]:
    return tuple(m.group(1)[1:-1] for m in _SERVICE_TEXT.finditer(text) if m.group(1).startswith("<"))


def _give_service_clauses_their_text(parsed: ParseResults, text: str) -> None:
    """rdflib records the text of the query's first SERVICE clause for every clause, and
    that text is what the endpoint receives: give each clause its own."""
    clauses = _service_clauses(parsed)
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


def _service_clauses(node: object) -> list[CompValue]:
    """The SERVICE clauses of a parsed query or its algebra, in the order they are written."""
    found = []
    if getattr(node, "name", None) == "ServiceGraphPattern":
        found.append(node)
    if isinstance(node, dict):
        for value in node.values():
            found += _service_clauses(value)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            found += _service_clauses(value)
    return found


# rdflib's own SERVICE evaluation reads the endpoint back from the clause's text with a
# pattern that a GRAPH <…> { } inside the clause confuses, finds no rows at all for SERVICE
# SILENT, and follows redirects anywhere. Clauses are evaluated here instead (rdflib looks
# the function up by name, so like SPARQL_LOAD_GRAPHS above this holds process-wide): the
# endpoint is the parsed IRI that prepare checked against the allowlist, the pattern is the
# clause's own text, a redirect is a failure, and SILENT turns a failure into the one empty
# solution the SPARQL 1.1 Federated Query spec gives it. The query's time limit bounds the
# call; the socket timeout is a last resort where no time limit applies.
SERVICE_SOCKET_TIMEOUT = 60.0


def _evaluate_service(ctx: QueryContext, part: CompValue) -> Iterable[FrozenBindings]:
    endpoint = str(part.term)
    text = part["service_string"]
    service_query = rdflib_evaluate._buildQueryStringForServiceCall(ctx, text[text.index("{") + 1:text.rindex("}")])
    try:
        names, rows = _call_service(endpoint, service_query)
        return [bound for row in rows for bound in rdflib_evaluate._yieldBindingsFromServiceCallResult(ctx, row, names)]
    except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError, AttributeError) as exc:
        if "silent" in part:
            return [FrozenBindings(ctx, {})]
        raise QueryError(f"SERVICE <{endpoint}> failed: {failure(exc)}") from None


def _call_service(endpoint: str, query: str) -> tuple[list[str], list[dict]]:
    body = sparql_request(endpoint, query, "application/sparql-results+json", SERVICE_SOCKET_TIMEOUT)
    answer = json.loads(body)
    return answer["head"]["vars"], answer["results"]["bindings"]


rdflib_evaluate.evalServiceQuery = _evaluate_service


def evaluate(loaded: CopDataset, query: Query, bindings: dict[str, Node] | None = None,
             default_graphs: tuple[str, ...] = (), named_graphs: tuple[str, ...] = (),
             text: str | None = None, rows: int | None = None) -> Result:
    """Evaluate a prepared query over the loaded dataset.

    The default graph is the union of all files. Graphs named by the SPARQL Protocol's
    ``default-graph-uri`` / ``named-graph-uri`` replace the query's own FROM / FROM NAMED,
    and either way only graphs already loaded are used: nothing is fetched or read.
    Given the query's ``text``, a store that evaluates queries itself answers it; given
    ``rows``, it may stop after one row more than that (enough to tell that the answer is
    cut at ``rows``), so that a huge answer never reaches Python whole.
    """
    if default_graphs or named_graphs:
        query.algebra["datasetClause"] = (
            [CompValue("DatasetClause", default=URIRef(g)) for g in default_graphs]
            + [CompValue("DatasetClause", named=URIRef(g)) for g in named_graphs])
    init = {Variable(k): v for k, v in (bindings or {}).items()}
    try:
        result = None
        if loaded.store is not None and text is not None and not _service_clauses(query.algebra):
            # SERVICE calls stay with rdflib, where our checked client makes them
            result = loaded.store.query(text, query, dict(bindings or {}), _graphs(query), rows)
            if result is not None and result.type == "SELECT" and "PV" in query.algebra \
                    and set(result.vars or ()) == set(query.algebra.PV):
                result.vars = list(query.algebra.PV)  # SELECT * in the order rdflib gives (see _order_select_star)
        if result is None:
            result = loaded.dataset.query(query, initBindings=init)
        if result.type == "SELECT":
            result.bindings  # evaluate now, so errors surface here and not mid-output  # noqa: B018
        return result
    except RecursionError:
        raise QueryError("the query nests too deeply") from None
    except CopGraphError:  # ours, from the query checks or the store
        raise
    except Exception as exc:  # evaluation errors from rdflib (e.g. unsupported functions)
        raise QueryError(f"the query failed while running: {exc}") from None


def _graphs(query: Query) -> tuple[list[URIRef], list[URIRef]] | None:
    """The (default, named) graphs a query's FROM / FROM NAMED or the protocol chose; None
    for the whole dataset (the union of the files as default graph, each file named)."""
    clauses = query.algebra.get("datasetClause")
    if not clauses:
        return None
    return [c["default"] for c in clauses if "default" in c], [c["named"] for c in clauses if "named" in c]


def run_query(loaded: CopDataset, text: str, bindings: dict[str, Node] | None = None) -> Result:
    """Parse and evaluate in one step, without limits (for trusted, in-process use).

    Parsing costs more than evaluating a small query, so each text is parsed once; the
    prepared query is only read by evaluation (values come in as bindings)."""
    return evaluate(loaded, _prepared(text), bindings, text=text)


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepare(text)


def run_named(loaded: CopDataset, query: NamedQuery, values: dict[str, str]) -> Result:
    return run_query(loaded, query.text, query.bindings(values, loaded.config.base))


def page_queries(loaded: CopDataset) -> dict[str, NamedQuery]:
    return load_library(loaded.config.queries_dir / "pages")


def select(loaded: CopDataset, name: str, **values: str) -> list[dict[str, Node]]:
    """The rows of one of the app's own queries (``queries/pages/``: the explorer's pages,
    the search index) as dictionaries, unbound variables left out."""
    query = find_query(page_queries(loaded), name)
    return [{str(k): v for k, v in row.asdict().items()} for row in run_named(loaded, query, values)]
