"""The one table of formats: every RDF syntax and SPARQL result format the package reads or
writes, with its media types, the names and file suffixes that ask for it, the rdflib plugin
that reads and writes it, and its W3C format IRI. The CLI's choices, content negotiation,
resource URL suffixes, the loader, the exports and the service description all read it.

SELECT and ASK results go to the SPARQL result formats (JSON, XML, CSV, TSV) or a text
table; CONSTRUCT and DESCRIBE graphs go to RDF syntaxes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.query import Result, ResultRow
from rdflib.term import Node

from cop_graph.errors import NotAcceptable, OutputError
from cop_graph.rdf.labels import short


@dataclass(frozen=True)
class Format:
    """A SPARQL result format (SELECT and ASK)."""

    name: str
    media_type: str
    write: Callable[..., str]
    also: tuple[str, ...] = ()  # other media types taken to mean it
    w3c: str = ""  # its name under http://www.w3.org/ns/formats/


# A term as the result formats see it: its kind ("uri", "bnode", "literal"), its text, and
# for a literal its datatype IRI (None for a plain string or a language-tagged one) and language.
Parts = tuple[str, str, str | None, str | None]
_PLAIN = {str(XSD.string), str(RDF.langString)}


def rdflib_parts(term: Node) -> Parts:
    if isinstance(term, URIRef):
        return "uri", str(term), None, None
    if isinstance(term, BNode):
        return "bnode", str(term), None, None
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype is not None and str(term.datatype) not in _PLAIN else None
        return "literal", str(term), datatype, term.language
    raise OutputError(f"the result holds a term no result format can carry: {term!r}")


class Solutions(Result):
    """A SELECT answer as its engine gave it: ``rows`` of the engine's own terms, in the
    order of ``columns``. Its rdflib bindings are made only when something reads them
    (pages, the API); the JSON, CSV and TSV writers read the engine's terms through
    ``parts``, which is most of the cost of a large answer saved."""

    def __init__(self, columns: Sequence[str], rows: list[tuple], convert: Callable[[object], Node],
                 parts: Callable[[object], Parts]) -> None:
        super().__init__("SELECT")
        self.columns = list(columns)
        self.vars = [Variable(c) for c in self.columns]
        self.rows = rows
        self.convert = convert
        self.parts = parts
        self._made: list[dict] | None = None

    @property
    def bindings(self) -> list[dict]:  # type: ignore[override]
        if self._made is None:
            convert, names = self.convert, [Variable(c) for c in self.columns]
            self._made = [{name: convert(term) for name, term in zip(names, row, strict=True) if term is not None}
                          for row in self.rows]
        return self._made

    @bindings.setter
    def bindings(self, rows: list[dict]) -> None:
        """Bindings set from outside replace the engine's rows (rdflib's Result allows it)."""
        names = [Variable(c) for c in self.columns]
        self._made = list(rows)
        self.rows = [tuple(row.get(name) for name in names) for row in self._made]
        self.convert, self.parts = _same, rdflib_parts

    def __iter__(self) -> Iterator[ResultRow]:  # type: ignore[override]
        vars = self.vars or []
        return (ResultRow(row, vars) for row in self.bindings)

    def head(self, limit: int) -> Solutions:
        """The first ``limit`` rows, as an answer of their own."""
        cut = Solutions(self.columns, self.rows[:limit], self.convert, self.parts)
        cut.vars = self.vars
        return cut


def _same(term: Node) -> Node:
    return term


def table_of(result: Result) -> tuple[list[str], Sequence[tuple], Callable[[object], Parts]]:
    """A SELECT result's variable names, its rows as tuples of terms in that order, and how
    to read a term: the engine's terms as they are, or rdflib's."""
    names = [str(v) for v in result.vars or []]
    if isinstance(result, Solutions):
        if names == result.columns:
            return names, result.rows, result.parts
        where = [result.columns.index(n) for n in names]
        return names, [tuple(row[i] for i in where) for row in result.rows], result.parts
    return names, [tuple(row.get(Variable(n)) for n in names) for row in result.bindings], rdflib_parts


class _Written(dict):
    """Each distinct term written once: answers repeat the same terms across rows."""

    def __init__(self, write: Callable[[Parts], str], parts: Callable[[object], Parts]) -> None:
        super().__init__()
        self.write, self.parts = write, parts

    def __missing__(self, term: object) -> str:
        text = self[term] = self.write(self.parts(term))
        return text


# An answer's sources (``--sources``): for each row, the supports of the statements it was
# built from, as dicts (kind, source, quote, document, documentLabel, link, note).
Supports = Sequence[Mapping[str, str]]
SOURCES = "sources"  # the JSON member, and the extra last column of the other formats


_quoted = json.encoder.encode_basestring  # a JSON string, non-ASCII kept as it is


def _json_term(parts: Parts) -> str:
    kind, value, datatype, language = parts
    extra = f',"xml:lang":{_quoted(language)}' if language else f',"datatype":{_quoted(datatype)}' if datatype else ""
    return f'{{"type":"{kind}","value":{_quoted(value)}{extra}}}'


def write_json(result: Result, base: str | None = None, sources: Sequence[Supports] | None = None) -> str:
    """SPARQL 1.1 Query Results JSON; with ``sources``, each binding object also carries a
    ``"sources"`` member, the list of its row's supports (an extension: ``head.vars`` is
    unchanged, and readers that do not know it can drop it)."""
    if result.type == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.askAnswer)}) + "\n"
    names, rows, parts = table_of(result)
    keys = [_quoted(n) + ":" for n in names]
    written = _Written(_json_term, parts)
    objects = [[key + written[term] for key, term in zip(keys, row, strict=True) if term is not None]
               for row in rows]
    if sources is not None:
        for members, supports in zip(objects, sources, strict=True):
            listed = json.dumps(list(supports), ensure_ascii=False, separators=(",", ":"))
            members.append(f"{_quoted(SOURCES)}:{listed}")
    bindings = ",".join("{" + ",".join(members) + "}" for members in objects)
    return f'{{"head":{{"vars":{json.dumps(names, ensure_ascii=False)}}},"results":{{"bindings":[{bindings}]}}}}\n'


def sources_text(supports: Supports) -> str:
    """A row's supports as one text cell, for the formats whose cells are text (CSV, TSV,
    XML, the table): a passage ``“quote” — documentLabel <link>``, a document cited as a
    whole ``documentLabel <link>``, a curated mapping ``curated: note``; `` | `` between
    them. JSON carries the same supports field by field."""
    texts = []
    for support in supports:
        label = support.get("documentLabel") or support.get("document") or support.get("source", "")
        link = support.get("link") or support.get("source", "")
        if support.get("kind") == "curated":
            note = support.get("note")
            texts.append(f"curated: {note}" if note else f"curated <{support.get('source', '')}>")
        elif support.get("quote") is not None:
            texts.append(f"\u201c{support['quote']}\u201d \u2014 {label} <{link}>")
        else:
            texts.append(f"{label} <{link}>")
    return " | ".join(texts)


def with_sources(result: Result, sources: Sequence[Supports]) -> Result:
    """A SELECT result with one more, last column, ``sources``, holding each row's supports
    as text (unbound where a row has none), for the writers of text cells."""
    extended = Result("SELECT")
    extended.vars = [*(result.vars or []), Variable(SOURCES)]
    extended.bindings = [{**row, Variable(SOURCES): Literal(sources_text(supports))} if supports else dict(row)
                         for row, supports in zip(result.bindings, sources, strict=True)]
    return extended


def _rdflib_results(fmt: str) -> Callable[[Result, str | None], str]:
    def write(result: Result, base: str | None = None) -> str:
        text = result.serialize(format=fmt).decode("utf-8")
        return text if text.endswith("\n") else text + "\n"
    return write


def _ask_text(result: Result, header: str = "") -> str:
    """SPARQL defines no CSV or TSV form of a yes/no answer: it is written as one variable,
    ``_askResult``, named as each format names its variables (TSV with its "?")."""
    value = "true" if result.askAnswer else "false"
    return f"{header}\n{value}\n" if header else f"{value}\n"


def write_table(result: Result, base: str | None = None) -> str:
    """A plain text table for people: IRIs shortened, literals as their text."""
    if result.type == "ASK":
        return _ask_text(result)
    names = [str(v) for v in result.vars or []]
    rows = [[cell_text(row[i], base) for i in range(len(names))] for row in result]
    return render_table(names, rows)


def render_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()  # noqa: E731
    out = [line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def cell_text(term: Node | None, base: str | None) -> str:
    """A result cell for people: IRIs shortened, literals as their text on one line."""
    if term is None:
        return ""
    if isinstance(term, Literal):
        return str(term).replace("\t", " ").replace("\n", " ")
    return short(term, base)


# Turtle's abbreviated forms; a literal is written bare only when its text is one of them.
_BARE = {
    str(XSD.integer): re.compile(r"[+-]?[0-9]+"),
    str(XSD.decimal): re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    str(XSD.double): re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
    str(XSD.boolean): re.compile(r"true|false"),
}


def tsv_term(term: Node | None) -> str:
    """A term as SPARQL 1.1 TSV writes it: Turtle syntax, numbers and booleans bare."""
    return "" if term is None else _tsv_term(rdflib_parts(term))


def _tsv_term(parts: Parts) -> str:
    kind, value, datatype, language = parts
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    bare = _BARE.get(datatype or "")
    if bare is not None and bare.fullmatch(value):
        return value
    text = value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    if language:
        return f'"{text}"@{language}'
    if datatype:
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


def write_tsv(result: Result, base: str | None = None) -> str:
    """SPARQL 1.1 Query Results TSV."""
    if result.type == "ASK":
        return _ask_text(result, header="?_askResult")
    names, rows, parts = table_of(result)
    written = _Written(_tsv_term, parts)
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join("" if term is None else written[term] for term in row) for row in rows]
    return "\n".join(lines) + "\n"


def _csv_term(parts: Parts) -> str:
    kind, value = parts[0], parts[1]
    return f"_:{value}" if kind == "bnode" else value


def write_csv(result: Result, base: str | None = None) -> str:
    """SPARQL 1.1 Query Results CSV: each term's text (blank nodes as ``_:label``), lines
    ending CRLF as RFC 4180 has them."""
    if result.type == "ASK":
        return _ask_text(result, header="_askResult")
    names, rows, parts = table_of(result)
    written = _Written(_csv_term, parts)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows(["" if term is None else written[term] for term in row] for row in rows)
    return out.getvalue()


TABULAR: dict[str, Format] = {
    "table": Format("table", "text/plain", write_table),
    "csv": Format("csv", "text/csv", write_csv, (), "SPARQL_Results_CSV"),
    "tsv": Format("tsv", "text/tab-separated-values", write_tsv, (), "SPARQL_Results_TSV"),
    "json": Format("json", "application/sparql-results+json", write_json, ("application/json",),
                   "SPARQL_Results_JSON"),
    "xml": Format("xml", "application/sparql-results+xml", _rdflib_results("xml"), ("application/xml", "text/xml"),
                  "SPARQL_Results_XML"),
}
# ?format= values for a SELECT/ASK result beyond the format names themselves
RESULT_ALIASES = {"text": "table"}


@dataclass(frozen=True)
class Syntax:
    """An RDF syntax: ``name`` is ours (``--format``, ``?format=``)."""

    name: str
    label: str
    media_type: str
    rdflib: str  # the rdflib parser and serializer
    quads: bool  # carries named graphs
    suffixes: tuple[str, ...]  # file suffixes; the first is the one we write
    aliases: tuple[str, ...] = ()  # other ?format= names for it
    also: tuple[str, ...] = ()  # other media types taken to mean it
    w3c: str = ""  # its name under http://www.w3.org/ns/formats/
    written: bool = True  # False: read from files only
    resource: bool = True  # a resource's description is offered in it (/org/apple.ttl)


SYNTAX_TABLE = (
    Syntax("turtle", "Turtle", "text/turtle", "turtle", False, (".ttl", ".turtle"), ("ttl", "n3"),
           ("application/x-turtle", "text/n3", "text/rdf+n3"), "Turtle"),
    Syntax("nt", "N-Triples", "application/n-triples", "nt", False, (".nt",), ("ntriples", "n-triples"),
           ("text/plain",), "N-Triples"),
    Syntax("jsonld", "JSON-LD", "application/ld+json", "json-ld", True, (".jsonld", ".json"), ("json-ld", "json"),
           ("application/json",), "JSON-LD"),
    Syntax("xml", "RDF/XML", "application/rdf+xml", "xml", False, (".rdf", ".owl", ".xml"),
           ("rdfxml", "rdf+xml", "rdf"), (), "RDF_XML"),
    Syntax("trig", "TriG", "application/trig", "trig", True, (".trig",), (), (), "TriG", resource=False),
    Syntax("n3", "Notation3", "text/n3", "n3", False, (".n3",), written=False),
    Syntax("nquads", "N-Quads", "application/n-quads", "nquads", True, (".nq",), written=False),
)
SYNTAXES: dict[str, Syntax] = {s.name: s for s in SYNTAX_TABLE if s.written}
RESOURCE_SYNTAXES = tuple(s for s in SYNTAXES.values() if s.resource)

# RDF syntaxes written: format name -> (media type, rdflib serializer name, carries named graphs)
RDF_SYNTAXES: dict[str, tuple[str, str, bool]] = {s.name: (s.media_type, s.rdflib, s.quads) for s in SYNTAXES.values()}

# The syntaxes a CONSTRUCT or DESCRIBE result (one graph) can be written in.
GRAPH_RESULT_FORMATS = tuple(SYNTAXES)

# File suffix -> the rdflib parser that reads it.
PARSERS: dict[str, str] = {suffix: s.rdflib for s in SYNTAX_TABLE for suffix in s.suffixes}


def syntax_of_suffix(suffix: str) -> Syntax | None:
    """The syntax a file suffix names (``.ttl`` → Turtle), or None."""
    return next((s for s in SYNTAX_TABLE if suffix.lower() in s.suffixes), None)


def media_type_of(name: str, form: str) -> str:
    """The media type of a format name for a query form (``xml`` differs by form)."""
    if form in ("SELECT", "ASK"):
        return TABULAR[name].media_type
    return RDF_SYNTAXES[name][0]


def serialize_graph(graph: Graph, name: str) -> str:
    _, rdflib_name, keeps_graphs = RDF_SYNTAXES[name]
    if keeps_graphs and not isinstance(graph, Dataset):
        # A single graph goes in the default graph, not in a graph named by a blank node.
        dataset = Dataset()
        dataset.namespace_manager = graph.namespace_manager
        for triple in graph:
            dataset.default_graph.add(triple)
        graph = dataset
    data = graph.serialize(format=rdflib_name)
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if name == "xml":
        refuse_xml_forbidden(text)
    return text


# Characters XML 1.0 cannot carry at all (not even escaped); rdflib writes them anyway.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def refuse_xml_forbidden(text: str) -> None:
    """An XML document with such a character is malformed: refuse it (406) rather than send it."""
    if _XML_FORBIDDEN.search(text):
        raise NotAcceptable("the result holds characters that XML 1.0 cannot carry; ask for JSON, CSV, "
                            "TSV, Turtle or N-Triples instead")


def write_result(result: Result, name: str, base: str | None = None,
                 sources: Sequence[Supports] | None = None) -> str:
    """Write any query result in the named format, or say which formats fit it. ``sources``
    (one list of supports per row of a SELECT result) go in a ``sources`` member of each
    JSON binding, or in a last ``sources`` column of text (:func:`sources_text`)."""
    if sources is not None and (result.type != "SELECT" or SOURCES in [str(v) for v in result.vars or []]):
        raise OutputError(f"sources go with the rows of a SELECT result that has no column {SOURCES!r}")
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        if name not in GRAPH_RESULT_FORMATS:
            raise OutputError(f"format {name!r} is for SELECT and ASK results; a {result.type} "
                              f"result can be written as: {', '.join(GRAPH_RESULT_FORMATS)}")
        return serialize_graph(result.graph, name)
    if name not in TABULAR:
        raise OutputError(f"format {name!r} is for CONSTRUCT and DESCRIBE results; a {result.type} "
                          f"result can be written as: {', '.join(TABULAR)}")
    if sources is None:
        text = TABULAR[name].write(result, base)
    elif name == "json":
        text = write_json(result, base, sources)
    else:
        text = TABULAR[name].write(with_sources(result, sources), base)
    if name == "xml":
        refuse_xml_forbidden(text)
    return text
