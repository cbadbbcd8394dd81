"""The SPARQL 1.1 Protocol endpoint at /sparql: query by GET, form POST or direct POST,
dataset parameters, content negotiation, a service description, read-only; and, for
browsers, the query page: an editor with examples grouped by task, results as a linked
table, errors inline, and the classes, properties and prefixes the editor completes from
(/sparql/terms.json)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from rdflib import URIRef
from werkzeug.datastructures import CombinedMultiDict

from cop_graph.errors import CopGraphError, QueryRefused, UnknownQueryError
from cop_graph.rdf.formats import SOURCES
from cop_graph.rdf.labels import choose_label, short
from cop_graph.rdf.namespaces import PREFIXES
from cop_graph.sparql.engine import Answer, QueryRequest
from cop_graph.sparql.evaluate import select
from cop_graph.sparql.library import NamedQuery, Parameter, named
from cop_graph.store.dataset import CopDataset
from cop_graph.web import errors
from cop_graph.web.errors import ProtocolError, html_answer
from cop_graph.web.links import SUFFIXES, reserved_segments
from cop_graph.web.negotiation import GRAPH_NAMES, GRAPH_TYPES, choose, negotiate, prefers_html
from cop_graph.web.params import flag
from cop_graph.web.prepared import prepared
from cop_graph.web.result_view import (
    PAGE_FORMATS,
    Download,
    ErrorView,
    ResultView,
    downloads,
    error_view,
    nul_error,
    result_view,
)
from cop_graph.web.results import answer_response, run
from cop_graph.web.service import service_description
from cop_graph.web.text import page_text

sparql = Blueprint("sparql", __name__, template_folder="templates")
errors.register(sparql)  # its own error answers, on any app it is mounted on

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class ProtocolRequest:
    query: str | None
    update: bool
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    sources: bool = False  # each row of a SELECT answer with what it rests on (sources=1)


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ProtocolError(400, f"the request gives {len(values)} '{name}' parameters; give exactly one")
    return values[0] if values else None


def _protocol_request() -> ProtocolRequest:
    """Read the operation from any of the protocol's three ways of sending it."""
    config = current_app.config["COP"]
    args = request.args
    if request.method in ("GET", "HEAD"):
        source = args
        if len(request.query_string) > config.max_query_bytes * 3:  # percent-encoding triples the size
            raise ProtocolError(414, f"the request URI is too long; the query limit is {config.max_query_bytes:,} "
                                     "bytes (send long queries by POST)")
        query = _single(source.getlist("query"), "query")
    else:
        mimetype = request.mimetype
        if mimetype == FORM:
            source = CombinedMultiDict([request.form, args])  # dataset parameters may sit in the URL
            query = _single(source.getlist("query"), "query")
        elif mimetype == DIRECT:
            source = args
            if "query" in args:
                raise ProtocolError(400, "a direct POST carries the query in its body; do not also give 'query'")
            charset = request.mimetype_params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise ProtocolError(415, f"the query must be sent as UTF-8, not {charset}")
            try:
                query = request.get_data(cache=False).decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(400, "the request body is not valid UTF-8") from None
        elif mimetype == UPDATE:
            return ProtocolRequest(None, True, (), ())
        else:
            raise ProtocolError(415, f"a POST must be {FORM} or {DIRECT}, not {mimetype or 'untyped'}")
    update = "update" in source or "update" in args
    return ProtocolRequest(query, update, tuple(source.getlist("default-graph-uri")),
                           tuple(source.getlist("named-graph-uri")), flag(SOURCES, source.getlist(SOURCES)))


@sparql.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response | str:
    if request.method in ("GET", "HEAD") and _browser():
        return _page()
    operation = _protocol_request()
    if operation.update:
        raise QueryRefused("SPARQL Update is not allowed: the graph is read-only")
    if operation.query is None:
        if request.method == "POST":
            raise ProtocolError(400, "the request has no 'query' parameter")
        return _describe_service()
    text = _checked_query(operation.query)
    formats = negotiate(request.accept_mimetypes, request.values.getlist("format"))
    query = QueryRequest(text, default_graphs=operation.default_graphs,
                         named_graphs=operation.named_graphs, negotiated=formats, sources=operation.sources)
    return answer_response(query)


def _checked_query(text: str) -> str:
    """The protocol's own checks on a query's text, before the engine sees it."""
    if not text.strip():
        raise ProtocolError(400, "the query is empty")
    return text  # its size is checked with the rest of the query, by the engine


def _browser() -> bool:
    """A person with a browser gets the editor page; any ``format`` asks for data instead."""
    return prefers_html(request.accept_mimetypes) and not request.args.get("format")


def _describe_service() -> Response:
    loaded = current_app.extensions["cop_dataset"]
    fmt = choose(request.accept_mimetypes, GRAPH_TYPES, GRAPH_NAMES, request.args.getlist("format"))
    if fmt is None:
        raise ProtocolError(406, f"the service description is available as: {', '.join(GRAPH_TYPES)}")
    from cop_graph.rdf.formats import RDF_SYNTAXES, serialize_graph

    graph = service_description(loaded, request.base_url, current_app.config["COP"])
    return Response(serialize_graph(graph, fmt), content_type=f"{RDF_SYNTAXES[fmt][0]}; charset=utf-8",
                    headers={"Vary": "Accept"})


# --- the query page for browsers -----------------------------------------------------

DEFAULT_QUERY = "sparql-default"  # queries/pages/: the query the page opens with

# The examples by task, in this order; a named query listed in none comes last, under "More".
EXAMPLE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Members and organisations", ("members-in-year", "joined-in-year", "left-in-year", "members-over-time",
                                   "high-commissioners", "outside-experts-in-year", "identifiers")),
    ("Sessions and topics", ("sessions-in-year", "sessions-per-year", "sessions-on-topic", "session-themes",
                             "sessions-with-guests", "topic-hierarchy", "developments-in-year")),
    ("The Guiding Principles and the documents", ("principles", "principles-covered-in-year",
                                                  "pillars-without-session", "passages-of-document", "provenance")),
    ("The data itself", ("instances-per-class", "triples-per-graph", "most-connected", "labels-missing-in-language",
                         "several-values")),
)
OTHER_EXAMPLES = "More"
# Named queries that other pages run for themselves (the network view's): in the library and
# loadable by name, not listed among the examples.
INTERNAL_PREFIXES = ("network-",)


@dataclass(frozen=True)
class Example:
    """A named query offered as an example: ``sparql`` runs as it is in the editor."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    sparql: str
    load_url: str
    form_url: str


@dataclass(frozen=True)
class ExampleGroup:
    """The examples for one kind of task, under one heading."""

    title: str
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class QueryPage:
    """Everything the editor page shows: the query, then its result or its error."""

    text: str
    examples: tuple[Example, ...]
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    result: ResultView | None = None
    downloads: tuple[Download, ...] = ()
    error: ErrorView | None = None
    example: Example | None = None

    @property
    def groups(self) -> tuple[ExampleGroup, ...]:
        return example_groups(self.examples)


def _page() -> Response:
    """The editor; with a query, its answer below the editor or its error above it, with
    the status the protocol gives that error."""
    examples = _examples()
    text = request.args.get("query", request.args.get("update"))
    if text is None:
        return _page_without_query(examples)
    page = QueryPage(page_text(text) if text.strip() else _default_text(), examples,
                     tuple(request.args.getlist("default-graph-uri")),
                     tuple(request.args.getlist("named-graph-uri")))
    try:
        operation, answer = _run_for_page()
    except (CopGraphError, ProtocolError) as exc:
        return _render(replace(page, error=error_view(exc, text)), exc)
    config = current_app.config["COP"]
    cited = {SOURCES: "1"} if operation.sources else {}
    links = downloads(answer.form, lambda fmt: url_for(
        "sparql.endpoint", query=operation.query, format=fmt, **cited,
        **{"default-graph-uri": list(operation.default_graphs), "named-graph-uri": list(operation.named_graphs)}))
    view = result_view(answer, config.base, config.max_rows, with_sources=operation.sources)
    return _render(replace(page, result=view, downloads=links))


def _run_for_page() -> tuple[ProtocolRequest, Answer]:
    """The protocol's checks in the protocol's order, then the query through the engine."""
    operation = _protocol_request()
    if operation.update or operation.query is None:
        raise QueryRefused("SPARQL Update is not allowed: the graph is read-only")
    text = _checked_query(operation.query)
    nul = nul_error(text)
    if nul is not None:
        raise nul
    query = QueryRequest(text, default_graphs=operation.default_graphs, named_graphs=operation.named_graphs,
                         negotiated=PAGE_FORMATS, sources=operation.sources)
    return operation, run(query)


def _page_without_query(examples: tuple[Example, ...]) -> Response:
    """The editor with the default query, or with the example named by ``?example=``."""
    name = request.args.get("example")
    if name is None:
        return _render(QueryPage(_default_text(), examples))
    chosen = next((e for e in examples if e.name == name), None)
    if chosen is None:
        error = error_view(UnknownQueryError(f"no named query {name!r}; the examples are listed below"))
        return _render(QueryPage(_default_text(), examples, error=error))
    return _render(QueryPage(chosen.sparql, examples, example=chosen))


def _render(page: QueryPage, error: Exception | None = None) -> Response:
    return html_answer(render_template("sparql.html", page=page), page.error.status if page.error else 200, error)


def example_groups(examples: tuple[Example, ...]) -> tuple[ExampleGroup, ...]:
    """The examples people are offered, by task; internal queries left out, none lost."""
    shown = {e.name: e for e in examples if not e.name.startswith(INTERNAL_PREFIXES)}
    groups = [ExampleGroup(title, tuple(shown.pop(name) for name in names if name in shown))
              for title, names in EXAMPLE_GROUPS]
    groups.append(ExampleGroup(OTHER_EXAMPLES, tuple(shown.values())))
    return tuple(group for group in groups if group.examples)


def _examples() -> tuple[Example, ...]:
    base = current_app.config["COP"].base
    library: dict[str, NamedQuery] = current_app.extensions["cop_queries"]
    return tuple(Example(q.name, q.title, q.description, q.parameters, example_text(q, base),
                         url_for("sparql.endpoint", example=q.name), url_for("library.named_query", name=q.name))
                 for q in library.values())


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def example_text(query: NamedQuery, base: str) -> str:
    """A named query's text that runs as it is in the editor.

    The library binds parameters from its form wherever the query uses them; here each
    WHERE group that uses one (sub-queries included) opens with a VALUES block setting it
    to its default, and a comment after the header says so and where the form is."""
    if not query.parameters:
        return query.text
    defaults = {p.name: p.bind(p.default, base) for p in query.parameters if p.default is not None}
    text = query.text
    for start, used in reversed(_where_groups(text)):
        blocks = [f"VALUES ?{name} {{ {term.n3()} }}" for name, term in defaults.items()
                  if re.search(rf"[?$]{name}\b", used)]
        if blocks:
            text = f"{text[:start]} {' '.join(blocks)}{text[start:]}"
    settings = ", ".join(f"?{p.name} = {p.default}" if p.default is not None else f"?{p.name} (no default: set it)"
                         for p in query.parameters)
    note = f"# Parameters: {settings}; change the VALUES blocks below, or use the form at /queries/{query.name}\n"
    lines = text.splitlines(keepends=True)
    header = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "".join([*lines[:header], note, *lines[header:]])


def _where_groups(text: str) -> list[tuple[int, str]]:
    """Each WHERE group of a query: where its body starts, and its own text without the
    groups of the sub-queries nested in it (braces matched; the library's queries hold
    no braces in strings or comments)."""
    spans = []
    for match in _WHERE.finditer(text):
        depth, end = 1, match.end()
        while end < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        spans.append((match.end(), end))
    groups = []
    for start, end in spans:
        own, cursor = [], start
        for inner_start, inner_end in spans:
            if start < inner_start and inner_end <= end and inner_start >= cursor:
                own.append(text[cursor:inner_start])
                cursor = inner_end
        own.append(text[cursor:end])
        groups.append((start, "".join(own)))
    return groups


def _default_text() -> str:
    """The query the page opens with, as its file writes it, without the file's header."""
    query = named(current_app.extensions["cop_dataset"], DEFAULT_QUERY, "pages")
    lines = query.text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "".join(lines[start:]).strip("\n")


# --- what the editor completes ---------------------------------------------------------

@sparql.get("/sparql/terms.json")
def terms() -> Response:
    """The prefixes, classes and properties of this dataset, with labels, for the editor's
    completion (the editor asks this server only, never a vocabulary service elsewhere), and
    what its result table needs to link an IRI to its page here the way web/links.py does."""
    links = {"reserved": sorted(reserved_segments(current_app)), "suffixes": sorted(SUFFIXES)}
    return jsonify({**editor_terms(current_app.extensions["cop_dataset"]), "links": links})


def editor_terms(loaded: CopDataset) -> dict:
    """Built once per dataset from queries/pages/sparql-terms.rq and sparql-term-labels.rq:
    every class and property the data uses or declares, most used first."""
    return prepared(loaded, "editor terms", build=lambda: _editor_terms(loaded))


def _editor_terms(loaded: CopDataset) -> dict:
    labels: dict[str, list] = {}
    for row in select(loaded, "sparql-term-labels"):
        labels.setdefault(str(row["term"]), []).append((row["property"], row["label"]))
    kinds: dict[str, list[dict]] = {"class": [], "property": []}
    for row in select(loaded, "sparql-terms"):
        iri = str(row["term"])
        kinds[str(row["kind"])].append({"iri": iri, "curie": short(URIRef(iri)),
                                        "label": choose_label(labels.get(iri, ())), "uses": int(row["uses"])})
    return {"base": loaded.config.base, "prefixes": {prefix: str(iri) for prefix, iri in PREFIXES.items()},
            "classes": sorted(kinds["class"], key=_most_used), "properties": sorted(kinds["property"], key=_most_used)}


def _most_used(term: dict) -> tuple[int, str]:
    return -term["uses"], term["curie"]
