"""Oxigraph, the engine of the local stores: it answers every query, in memory or on disk,
and loads the files; rdflib reads single statements from it through oxrdflib.

Queries are answered over the union of the files (each file its own named graph) unless
the query or the protocol names the graphs. Terms come back as rdflib terms, each distinct
term converted once; a SELECT is read only to one row past the row cap.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore as OxrdflibStore
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID as _DEFAULT_ID
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Node

from cop_graph.config import Config
from cop_graph.errors import InputError, QueryError
from cop_graph.rdf.formats import SYNTAXES, Parts, Solutions
from cop_graph.rdf.namespaces import PREFIXES, bind_prefixes
from cop_graph.rdf.parsing import refuse_xml_entities
from cop_graph.store.base import Graphs, PendingFile, Written
from cop_graph.store.text import store_text

_PREFIXES = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
# An ill-typed boolean ("yes"^^xsd:boolean) is kept as written and reported by validate, with
# its file and line; rdflib's warning on each reading of it would only repeat that.
warnings.filterwarnings("ignore", message="Parsing weird boolean", category=UserWarning)
# Triple files Oxigraph's own parser reads; others (quads, JSON-LD, N3) go through rdflib's,
# which also merges a quad file's graphs into the file's one graph.
_NATIVE = {suffix: s.media_type for s in (SYNTAXES["turtle"], SYNTAXES["nt"], SYNTAXES["xml"]) for suffix in s.suffixes}
# Small files are read by rdflib, with its literal and IRI checks and their line numbers;
# Oxigraph's bulk parser takes the large ones, where rdflib would be 10-20 times slower.
NATIVE_FROM_BYTES = 4 * 1024 * 1024


class OxigraphEngine:
    """Queries, statement reading and file loading on one pyoxigraph store."""

    _store: ox.Store | None = None
    config: Config | None = None  # its base resolves a query's relative IRIs
    parsed = 0

    def reading(self, store: ox.Store) -> Dataset:
        """The rdflib view of ``store`` that pages and validation read statements from."""
        dataset = Dataset(store=_ReadingStore(store=store), default_union=True)
        bind_prefixes(dataset)
        return dataset

    def load_file(self, store: ox.Store, pending: PendingFile) -> int:
        graph = ox.NamedNode(str(pending.graph))
        native = _NATIVE.get(pending.path.suffix.lower())
        self.parsed += 1
        if native and pending.verbatim and pending.path.stat().st_size >= NATIVE_FROM_BYTES:
            if native == "application/rdf+xml":
                refuse_xml_entities(pending.path)
            try:
                store.bulk_load(path=str(pending.path), format=ox.RdfFormat.from_media_type(native),
                                base_iri=pending.path.as_uri(), to_graph=graph)
            except SyntaxError as exc:
                raise _input_error(pending.path, str(exc)) from None
            except (OSError, ValueError) as exc:
                raise InputError(pending.path, f"cannot load the file: {exc}") from None
            pending.done()
            return _count(store, graph)
        parsed = pending.read()
        store.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph) for s, p, o in parsed)
        return len(parsed)

    def query(self, text: str, bindings: dict[str, Node], graphs: Graphs | None, rows: int | None = None,
              form: str | None = None) -> Result:
        return to_result(self._evaluate(text, bindings, graphs), rows, form)

    def written(self, text: str, bindings: dict[str, Node], graphs: Graphs | None, fmt: str,
                rows: int) -> Written | None:
        """Oxigraph's own JSON or XML writer, in Rust: several times faster than reading the
        rows into Python. It stops, and gives None, once the answer has grown past what
        ``rows`` rows take at most in any likely answer; then :meth:`query` reads just the
        rows that are kept."""
        native = _NATIVE_RESULTS.get(fmt)
        if native is None:
            return None
        answer = self._evaluate(text, bindings, graphs)
        if not isinstance(answer, ox.QuerySolutions):
            return None
        out = _Bounded(max(1 << 20, rows * _ROW_BYTES))
        try:
            answer.serialize(out, format=native)
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            if out.full:
                return None
            raise QueryError(f"the query failed while running: {exc}") from None
        body = out.getvalue().decode("utf-8")
        count = len(json.loads(body)["results"]["bindings"]) if fmt == "json" else body.count("<result>")
        return Written(body, count) if count <= rows else None

    def _evaluate(self, text: str, bindings: dict[str, Node], graphs: Graphs | None) -> object:
        """Oxigraph's (lazy) answer to a checked query over ``graphs``."""
        if self._store is None:
            raise QueryError("the store is closed")
        text = store_text(text, bindings)
        options: dict = {"prefixes": _PREFIXES}
        if self.config is not None:  # relative IRIs in a query are read against the base, as in the data
            options["base_iri"] = self.config.base
        if graphs is None:
            options["use_default_graph_as_union"] = True
        else:
            options["default_graph"] = [ox.NamedNode(str(g)) for g in graphs[0]]
            options["named_graphs"] = [ox.NamedNode(str(g)) for g in graphs[1]]
        unknown: dict = {}
        for _ in range(_MAX_UNKNOWN_FUNCTIONS):
            try:
                return self._store.query(text, **options, custom_functions=unknown or None)
            except SyntaxError as exc:
                raise syntax_error(text, str(exc)) from None
            except (OSError, ValueError, TypeError, RuntimeError) as exc:
                named = _UNKNOWN_FUNCTION.search(str(exc))
                if named is None or ox.NamedNode(named[1]) in unknown:
                    raise QueryError(f"the query failed while running: {exc}") from None
                # SPARQL 1.1 (17.3): calling a function the engine does not know is an error of
                # the expression (no value), not of the query; Oxigraph refuses the query instead
                unknown[ox.NamedNode(named[1])] = _no_value
        raise QueryError(f"the query calls more than {_MAX_UNKNOWN_FUNCTIONS} functions this engine does not know")


# The result formats Oxigraph writes itself (by our names for them), and a generous size of a
# row: an answer larger than the row limit times this is surely cut, so it is not written whole.
_NATIVE_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}
_ROW_BYTES = 400


class _Bounded(io.BytesIO):
    """Oxigraph's writer's output, refusing to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.full = False

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.tell() + len(data) > self.limit:
            self.full = True
            raise OSError("the answer outgrew the row limit")
        return super().write(data)


_UNKNOWN_FUNCTION = re.compile(r"custom function <([^>]*)> is not supported")
_MAX_UNKNOWN_FUNCTIONS = 8


def _no_value(*arguments: object) -> None:
    """An unknown function: every call is an error, so the expression has no value."""
    return None


def check_syntax(text: str) -> None:
    """Raise the syntax error Oxigraph finds in a query (read on an empty store: nothing runs)."""
    try:
        ox.Store().query(text, prefixes=_PREFIXES)
    except SyntaxError as exc:
        raise syntax_error(text, str(exc)) from None


_AT = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)
_PREFIXED = re.compile(r"([A-Za-z][\w.-]*)?:[\w.:%-]*$")


def syntax_error(text: str, message: str) -> QueryError:
    """Oxigraph's syntax error with its line and column, the text there, and what it expected
    (the first few of its alternatives); an undeclared prefix is named."""
    found = _AT.search(message)
    if not found:
        return QueryError(f"syntax error: {message[:300]}")
    line, column = int(found[1]), int(found[2])
    lines = text.splitlines() or [""]
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if "Prefix not found" in found[3]:
        prefixed = _PREFIXED.search(here[:max(column - 1, 0)].rstrip())
        prefix = prefixed.group(1) or "" if prefixed else ""
        return QueryError(f"Unknown namespace prefix {prefix!r}: declare it with PREFIX {prefix}: <…>", line, column)
    expected = " ".join(found[3].split())
    if len(expected) > 120:
        expected = expected[:117].rsplit(",", 1)[0] + ", …"
    return QueryError(f"syntax error near {here.strip()[:60]!r}: {expected}", line, column)


def to_result(answer: object, rows: int | None = None, form: str | None = None) -> Result:
    """An Oxigraph answer as an rdflib Result, with terms as rdflib's parsers make them
    (a SELECT's only when read: :class:`Solutions`).

    Given ``rows``, Oxigraph's lazy answer is read only to one row (or triple) past it:
    the caller cuts the answer there anyway, and the rest would cost memory and time."""
    if isinstance(answer, ox.QueryBoolean):
        result = Result("ASK")
        result.askAnswer = bool(answer)
        return result
    if isinstance(answer, ox.QuerySolutions):
        wanted = answer if rows is None else itertools.islice(answer, rows + 1)
        return Solutions([v.value for v in answer.variables], [tuple(row) for row in wanted],
                         _Terms().__getitem__, ox_parts)
    result = Result(form if form in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT")
    result.graph = Graph()
    bind_prefixes(result.graph)
    terms = _Terms()
    for triple in answer:
        result.graph.add((terms[triple.subject], terms[triple.predicate], terms[triple.object]))
        if rows is not None and len(result.graph) > rows:
            break
    return result


class _Terms(dict):
    """Each distinct Oxigraph term converted once: answers repeat the same few terms
    (series, years, types) across many rows, and conversion costs more than a lookup."""

    def __missing__(self, term: object) -> Node:
        node = self[term] = _from_ox(term)
        return node


_STRING = str(XSD.string)


def ox_parts(term: object) -> Parts:
    """An Oxigraph term as the result writers read it (no rdflib term made)."""
    if isinstance(term, ox.NamedNode):
        return "uri", term.value, None, None
    if isinstance(term, ox.BlankNode):
        return "bnode", term.value, None, None
    if isinstance(term, ox.Literal):
        if term.language:
            return "literal", term.value, None, term.language
        datatype = term.datatype.value
        return "literal", term.value, None if datatype == _STRING else datatype, None
    raise QueryError(f"the store answered with a term this tool cannot show: {term!r}")


def _from_ox(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        # as the store holds it: rdflib would rewrite an ill-typed or unusual lexical form
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise QueryError(f"the store answered with a term this tool cannot show: {term!r}")


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as Oxigraph's."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise TypeError(f"not an RDF term: {term!r}")


class _ReadingStore(OxrdflibStore):
    """oxrdflib's rdflib store, read-only and giving terms as rdflib's own parsers do."""

    def add_graph(self, graph: Graph) -> None:
        """Graphs exist by having statements; asking for one must not write (the store is read-only)."""

    def triples(self, triple_pattern: tuple, context: Graph | None = None) -> Iterator[tuple]:
        pattern = tuple(None if t is None else _to_ox_pattern(t) for t in triple_pattern)
        if any(p is _NOTHING for p in pattern) or isinstance(pattern[0], ox.Literal) \
                or isinstance(pattern[1], (ox.Literal, ox.BlankNode)):
            return  # no statement has a literal subject or a non-IRI predicate
        graph = None if context is None or context.identifier == _DEFAULT_ID else _to_ox_pattern(context.identifier)
        seen: set | None = set() if graph is None else None
        terms = _Terms()
        for quad in self._inner.quads_for_pattern(*pattern, graph):
            triple = (terms[quad.subject], terms[quad.predicate], terms[quad.object])
            if seen is not None:  # the union of the graphs holds each statement once
                if triple in seen:
                    continue
                seen.add(triple)
            yield triple, iter((None,))

    def __len__(self, context: Graph | None = None) -> int:
        graph = None if context is None or context.identifier == _DEFAULT_ID else _to_ox_pattern(context.identifier)
        if graph is None:  # Oxigraph's own count of the union, each statement once
            answer = self._inner.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
            return int(next(iter(answer))[0].value)
        return _count(self._inner, graph)


_NOTHING = object()


def _count(store: ox.Store, graph: ox.NamedNode) -> int:
    """Statements in one graph, counted by Oxigraph (a Python loop takes seconds at 10^6)."""
    answer = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    return int(next(iter(answer))[0].value)


def _to_ox_pattern(term: Node) -> object:
    try:
        return to_ox(term)
    except (TypeError, ValueError):
        return _NOTHING  # e.g. a literal in the subject place: matches nothing


_POSITION = re.compile(r"on line (\d+) at position (\d+)")


def _input_error(path: Path, message: str) -> InputError:
    found = _POSITION.search(message)
    if found:
        return InputError(path, f"syntax error: {message[:found.start()].strip()}", int(found[1]), int(found[2]) + 1)
    return InputError(path, f"syntax error: {message}")
