"""Query answers and query errors as page data for browsers: cells that link to resource
pages, download links for every format of a result, errors placed at their line and column.

Shared by the SPARQL editor (/sparql) and the named-query pages (/queries/<name>), so a
result looks, links and downloads the same on both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql.results.jsonresults import JSONResult
from rdflib.term import Node

from cop_graph.errors import CopGraphError, QueryError
from cop_graph.rdf.formats import SOURCES, media_type_of
from cop_graph.rdf.labels import short
from cop_graph.sparql.engine import Answer, formats_for
from cop_graph.web.errors import ProtocolError, status_of
from cop_graph.web.links import resource_url
from cop_graph.web.text import visible

# What a browser page asks the engine for: SPARQL JSON for SELECT/ASK, N-Triples for
# graphs; both carry every term exactly, so the page can type and link each cell.
PAGE_FORMATS = ("json", "nt")
# Download links in this order, with these names (``xml`` names two formats, by query form).
RESULT_LABELS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV", "table": "Text table"}
GRAPH_LABELS = {"turtle": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "xml": "RDF/XML", "trig": "TriG"}
# The ``format`` parameter value that asks the endpoint for each format name.
FORMAT_PARAMS = {"table": "text"}


@dataclass(frozen=True)
class Cell:
    """One term as shown: ``text`` is its short label; IRIs carry the link to their page."""

    kind: str  # "iri", "bnode", "literal" or "empty"
    text: str = ""
    href: str | None = None
    title: str | None = None
    lang: str | None = None
    datatype: str | None = None


@dataclass(frozen=True)
class Cited:
    """One thing a row rests on, as shown: a quote linked to its passage's page here, a
    document cited as a whole (its page here, and its address on the web when it has one),
    or a curated mapping with its note."""

    kind: str  # "passage", "document" or "curated"
    source: str  # the IRI of the passage, document or mapping
    href: str  # its page here
    quote: str | None = None
    document_label: str | None = None
    document_href: str | None = None  # the document's page here
    web: str | None = None  # the document's address on the web
    note: str | None = None


@dataclass(frozen=True)
class ResultView:
    """A result for a page: a table for SELECT, a yes/no for ASK, subject/predicate/object
    rows for CONSTRUCT and DESCRIBE; ``count`` rows or triples, ``truncated`` at ``limit``;
    ``sources``, when asked for, what each row rests on."""

    form: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    boolean: bool | None
    count: int
    truncated: bool
    limit: int
    sources: tuple[tuple[Cited, ...], ...] | None = None

    @property
    def cited_rows(self) -> tuple[tuple[tuple[Cell, ...], tuple[Cited, ...] | None], ...]:
        """Each row with its sources (None when they were not asked for)."""
        if self.sources is None:
            return tuple((row, None) for row in self.rows)
        return tuple(zip(self.rows, self.sources, strict=True))

    @property
    def unit(self) -> str:
        noun = "triple" if self.form in ("CONSTRUCT", "DESCRIBE") else "row"
        return noun if self.count == 1 else noun + "s"


@dataclass(frozen=True)
class Download:
    label: str
    href: str
    media_type: str


class _Cells:
    """Builds cells, computing each term's label and link once per result."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.seen: dict[Node, Cell] = {}

    def __call__(self, term: Node | None) -> Cell:
        if term is None:
            return Cell("empty")
        if term not in self.seen:
            self.seen[term] = self._make(term)
        return self.seen[term]

    def _make(self, term: Node) -> Cell:
        if isinstance(term, URIRef):
            return Cell("iri", visible(short(term, self.base)), resource_url(term), visible(str(term)))
        if isinstance(term, BNode):
            return Cell("bnode", visible(f"_:{term}"))
        if isinstance(term, Literal):
            datatype = None
            if term.datatype is not None and term.datatype != XSD.string:
                datatype = visible(short(term.datatype, self.base))
            return Cell("literal", visible(str(term)), lang=term.language, datatype=datatype)
        return Cell("literal", visible(str(term)))


def result_view(answer: Answer, base: str, limit: int, with_sources: bool = False) -> ResultView:
    """Read back an answer written in one of :data:`PAGE_FORMATS` as rows of cells;
    ``with_sources``: the answer was asked with its sources, each binding's ``sources``."""
    cells = _Cells(base)
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        graph = Graph().parse(data=answer.body, format="nt")
        triples = sorted(graph, key=lambda t: tuple((type(n).__name__, str(n)) for n in t))
        rows = tuple(tuple(cells(n) for n in triple) for triple in triples)
        return ResultView(answer.form, ("subject", "predicate", "object"), rows, None, answer.rows,
                          answer.truncated, limit)
    payload = json.loads(answer.body)
    bindings = payload.get("results", {}).get("bindings", [])
    supports = [binding.pop(SOURCES, []) for binding in bindings] if with_sources else []
    result = JSONResult(payload)
    if answer.form == "ASK":
        return ResultView("ASK", (), (), bool(result.askAnswer), 1, False, limit)
    columns = tuple(str(v) for v in result.vars or [])
    rows = tuple(tuple(cells(row[i]) for i in range(len(columns))) for row in result)
    sources = tuple(tuple(cited(s) for s in row) for row in supports) if with_sources else None
    return ResultView("SELECT", columns, rows, None, answer.rows, answer.truncated, limit, sources)


def cited(support: dict[str, str]) -> Cited:
    """A support as the JSON answer carries it (sources.Support.as_dict), linked to the
    pages of this server; the web address of a document only when it is http(s)."""
    link, document = support.get("link"), support.get("document")
    web = link if support.get("kind") == "document" and link and link.startswith(("https://", "http://")) \
        and link != document else None
    text = {key: visible(support[key]) if support.get(key) is not None else None
            for key in ("quote", "documentLabel", "note")}
    return Cited(support.get("kind", ""), support["source"], resource_url(support["source"]), text["quote"],
                 text["documentLabel"] or (visible(document) if document else None),
                 resource_url(document) if document else None, web, text["note"])


def downloads(form: str, url_for_format: Callable[[str], str]) -> tuple[Download, ...]:
    """A link for every format a result of this form can be written in, asking for a file
    (``download=1``: web/results.py names it)."""
    labels = RESULT_LABELS if form in ("SELECT", "ASK") else GRAPH_LABELS
    return tuple(Download(label, url_for_format(FORMAT_PARAMS.get(name, name)) + "&download=1",
                          media_type_of(name, form))
                 for name, label in labels.items() if name in formats_for(form))


@dataclass(frozen=True)
class ContextLine:
    number: int
    text: str
    marked: bool
    caret: str = ""


@dataclass(frozen=True)
class ErrorView:
    """An error as shown above the editor: the status the endpoint gives it and, for errors
    at a place in the query, the line and column with the lines around it."""

    status: int
    reason: str
    message: str
    line: int | None = None
    column: int | None = None
    context: tuple[ContextLine, ...] = ()
    offset: int | None = None  # where the editor's cursor goes, in characters from the start


def error_view(exc: CopGraphError | ProtocolError, text: str = "") -> ErrorView:
    status = exc.status if isinstance(exc, ProtocolError) else status_of(exc)
    reason = HTTPStatus(status).phrase
    line, column = (exc.line, exc.column) if isinstance(exc, QueryError) else (None, None)
    if line is None or column is None or not text:
        return ErrorView(status, reason, visible(str(exc)))
    context, offset = _context(text, line, column)
    return ErrorView(status, reason, visible(str(exc)), line, column, context, offset)


def _context(text: str, line: int, column: int, around: int = 2) -> tuple[tuple[ContextLine, ...], int | None]:
    """The lines around an error, the error's line marked with a caret under its column.

    The parser counts a tab as one column; the shown lines expand tabs, and the caret
    stands under the same character."""
    lines = [raw.rstrip("\r") for raw in text.split("\n")]
    if not 1 <= line <= len(lines):
        return (), None
    shown = []
    for number in range(max(1, line - around), min(len(lines), line + around) + 1):
        raw = lines[number - 1]
        caret = " " * len(raw[:column - 1].expandtabs()) + "^" if number == line else ""
        shown.append(ContextLine(number, visible(raw.expandtabs()), number == line, caret))
    before = sum(len(raw) + 1 for raw in lines[:line - 1])
    return tuple(shown), before + min(column, len(lines[line - 1]) + 1) - 1


def nul_error(text: str) -> QueryError | None:
    """A query with a NUL character, refused with its place: no SPARQL text holds one,
    and a page cannot show it."""
    index = text.find("\x00")
    if index < 0:
        return None
    start = text.rfind("\n", 0, index) + 1
    line = text.count("\n", 0, index) + 1
    column = index - start + 1  # counted as the parser counts them: a tab is one column
    return QueryError("the query contains a NUL character (U+0000), which SPARQL text cannot hold", line, column)
