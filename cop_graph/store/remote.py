"""A remote SPARQL 1.1 store: Oxigraph, Apache Jena Fuseki, GraphDB, Virtuoso, QLever …

Queries go to its query endpoint after our own checks (updates refused, SERVICE only to
the allowlist, size and time limits); every request names the dataset by the protocol's
``default-graph-uri`` and ``named-graph-uri``, so the store answers over our files' graphs
only, whatever else it holds and however it sets its own default graph. With a Graph
Store Protocol endpoint (``--store-data-url``) the files are written there, each as its
named graph, and only when their content changed since the last load (a manifest graph
in the store records the digests); without one, the store must already hold them.

Blank nodes cannot be named in a query, so they are written to the store skolemised (RDF
1.1, section 3.5: ``…/.well-known/genid/…`` IRIs, by rdflib) and turned back into blank
nodes in every answer: pages can still follow a selector or an interval.

An answer is taken only whole. A store may cut one at a row limit of its own or stop a
query at its own time limit and answer with what it found; where it says so (Virtuoso's
``X-SPARQL-MaxRows`` and ``X-SQL-State`` headers, a ``206``, QLever's ``result-size-total``),
the answer is refused unless the cut falls past the rows we show anyway. Virtuoso cuts
CONSTRUCT answers without a word, so a graph answer as large as the limit a SELECT answer has
shown is refused too, and a large statement read is counted.
"""

from __future__ import annotations

import http.client
import io
import json
import re
import urllib.error
import urllib.parse
from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.store import Store as RdflibStore
from rdflib.term import Node, RDFLibGenid

from cop_graph.config import Config
from cop_graph.errors import QueryError, QueryTimeout, StoreUnavailable
from cop_graph.rdf.namespaces import bind_prefixes
from cop_graph.store.base import Graphs, Loaded, PendingFile
from cop_graph.store.engine import syntax_error, to_result
from cop_graph.store.http import failure, send, sparql_response
from cop_graph.store.text import store_text

MANIFEST_GRAPH = URIRef("urn:x-cop-graph:store-manifest")
_MANIFEST_PROPERTY = URIRef("urn:x-cop-graph:manifest")
_JSON = "application/sparql-results+json"
# A statement pattern's answer this large, from a store that has shown no row limit, is counted
# to tell whether the store cut it.
_COUNTED = 100
_NTRIPLES = "application/n-triples"
# What a store's error says when its own time limit stopped the query: the SQL states of a
# timeout in Virtuoso ("S1T00 Error SR171: Transaction timed out"; S1TAT, "Anytime" queries).
_STOPPED = re.compile(r"\bS1T(?:00|AT)\b")
_TOTAL = re.compile(rb'"result-size-total"\s*:\s*(\d+)')
# A query Virtuoso cannot compile or run is a 500 whose SQL state says it is the query's fault
# (37000: "SPARQL compiler", "transitive start not given"; 22xxx: a value; 42xxx: an unknown
# function, a rule).
_QUERY_FAULT = re.compile(r"\bVirtuoso (?:37000|42\w{3}|22\w{3}) Error\b")


class RemoteStore:
    name = "sparql"

    def __init__(self, config: Config) -> None:
        self.config = config
        self.endpoint = config.store_url
        self.parsed = 0
        self.graphs: list[URIRef] = []
        self.row_limit: int | None = None  # the store's own row limit, once an answer has shown it
        self.dataset = Dataset(store=_ReadingStore(self), default_union=True)
        bind_prefixes(self.dataset)

    # -- talking to the store -------------------------------------------------------------

    def request(self, text: str, accept: str, graphs: tuple[list[URIRef], list[URIRef]] | None = None,
                timeout: float | None = None) -> tuple[bytes, bool]:
        """The store's answer, and whether it says it reached its own row limit."""
        default, named = graphs if graphs is not None else (self.graphs, self.graphs)
        params = [("default-graph-uri", str(g)) for g in default] + [("named-graph-uri", str(g)) for g in named]
        if graphs is not None and not default:  # an empty default graph, not the store's own
            params.append(("default-graph-uri", "urn:x-cop-graph:no-graph"))
        try:
            body, status, headers = sparql_response(self.endpoint, text, accept,
                                                    timeout or self.config.store_timeout, params)
        except urllib.error.HTTPError as exc:
            reason = failure(exc)
            if _STOPPED.search(reason):
                raise QueryTimeout(f"the store at {self.endpoint} stopped the query at its own time limit: "
                                   f"{reason}") from None
            if 400 <= exc.code < 500 or _QUERY_FAULT.search(reason):
                raise QueryError(f"the store at {self.endpoint} refused the query: {reason}") from None
            raise self._unavailable(reason) from None
        except (OSError, http.client.HTTPException) as exc:
            raise self._unavailable(failure(exc)) from None
        limit = headers.get("X-SPARQL-MaxRows", "").strip()
        if headers.get("X-SQL-State") or (status == 206 and not limit.isdigit()):
            said = headers.get("X-SQL-Message") or headers.get("X-SQL-State") or f"{status} Partial Content"
            raise QueryTimeout(f"the store at {self.endpoint} answered with part of the answer only, stopped at "
                               f"its own time limit ({said.strip()[:200]})")
        if limit.isdigit():
            self.row_limit = int(limit)
        return body, limit.isdigit()

    def _unavailable(self, reason: str) -> StoreUnavailable:
        return StoreUnavailable(f"the SPARQL store at {self.endpoint} is unavailable: {reason}")

    def whole(self, found: int, rows: int | None, cut: bool) -> None:
        """Refuse an answer the store cut at its own row limit, unless the cut falls past the
        ``rows`` we keep (the answer is then cut at ``rows`` all the same, and says so)."""
        if cut and not (rows is not None and found > rows):
            beyond = f", which is not above the {rows:,} rows an answer may have here" if rows is not None else ""
            raise QueryError(f"the store at {self.endpoint} cut the answer at {found:,} rows, its own row limit "
                             f"(Virtuoso's ResultSetMaxRows){beyond}: the store's limit must be raised, or the "
                             "query ask for fewer rows (LIMIT)")

    def select(self, text: str, graphs: tuple[list[URIRef], list[URIRef]] | None = None,
               timeout: float | None = None, rows: int | None = None) -> Result:
        body, cut = self.request(text, _JSON, graphs, timeout)
        try:
            result = Result.parse(io.BytesIO(body), format="json")
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreUnavailable(f"the SPARQL store at {self.endpoint} answered with no SPARQL JSON result "
                                   f"({exc})") from None
        if result.type == "SELECT":
            total = _TOTAL.search(body)  # QLever: the whole answer's size, where it sent fewer rows
            self.whole(len(result.bindings), rows, cut or bool(total and int(total[1]) > len(result.bindings)))
            result.bindings = [{var: _local(value) for var, value in row.items()} for row in result.bindings]
        return result

    def rows(self, text: str, graphs: tuple[list[URIRef], list[URIRef]] | None = None) -> list[dict]:
        return list(self.select(text, graphs).bindings)

    def statements(self, text: str, graphs: tuple[list[URIRef], list[URIRef]] | None = None,
                   timeout: float | None = None, rows: int | None = None, form: str = "CONSTRUCT") -> Result:
        """A graph answer, asked for as N-Triples and read by Oxigraph's parser (ten times
        rdflib's), only to one triple past ``rows``; blank nodes as our files hold them."""
        body, _ = self.request(text, _NTRIPLES, graphs, timeout)
        try:
            result = to_result(ox.parse(body, format=ox.RdfFormat.N_TRIPLES), rows, form)
        except SyntaxError as exc:
            raise StoreUnavailable(f"the SPARQL store at {self.endpoint} answered with no N-Triples ({exc})") from None
        if self.row_limit is not None:  # Virtuoso cuts graph answers silently: as large as its limit is cut
            self.whole(len(result.graph), rows, len(result.graph) >= self.row_limit)
        result.graph = result.graph.de_skolemize()
        bind_prefixes(result.graph)
        return result

    # -- the Store interface ----------------------------------------------------------------

    def load(self, files: list[PendingFile]) -> list[Loaded]:
        self.graphs = [p.graph for p in files]
        recorded = self._manifest()
        if self.config.store_data_url:
            for pending in files:
                if recorded.get(str(pending.graph), {}).get("digest") != pending.digest:
                    self._put(pending)
            self._write_manifest(files)
        counts = self._counts()
        missing = [p for p in files if counts.get(str(p.graph), 0) == 0]
        if missing and not self.config.store_data_url:
            raise StoreUnavailable(f"the SPARQL store at {self.endpoint} does not hold <{missing[0].graph}> "
                                   f"(from {missing[0].path.name}); give --store-data-url so the files can be "
                                   "loaded into it")
        return [Loaded(p.path, p.graph, p.digest, p.bundled, counts.get(str(p.graph), 0)) for p in files]

    def _manifest(self) -> dict:
        rows = self.rows(f"SELECT ?m WHERE {{ <{MANIFEST_GRAPH}> <{_MANIFEST_PROPERTY}> ?m }}",
                         ([MANIFEST_GRAPH], []))
        try:
            return {entry["graph"]: entry for entry in json.loads(str(rows[0][Variable("m")]))} if rows else {}
        except (ValueError, KeyError, TypeError):
            return {}

    def _put(self, pending: PendingFile) -> None:
        graph = pending.read().skolemize()
        self.parsed += 1
        body = graph.serialize(format="nt", encoding="utf-8")
        self._send(pending.graph, "PUT", body, "application/n-triples")

    def _write_manifest(self, files: list[PendingFile]) -> None:
        entries = [{"graph": str(p.graph), "path": str(p.path), "digest": p.digest} for p in files]
        manifest = Graph()
        manifest.add((MANIFEST_GRAPH, _MANIFEST_PROPERTY, Literal(json.dumps(entries))))
        self._send(MANIFEST_GRAPH, "PUT", manifest.serialize(format="nt", encoding="utf-8"), "application/n-triples")

    def _send(self, graph: URIRef, method: str, body: bytes | None, content_type: str | None) -> None:
        url = self.config.store_data_url
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode({"graph": str(graph)})
        try:
            send(url, method, body, content_type, max(self.config.store_timeout, 60.0))
        except (OSError, http.client.HTTPException) as exc:
            raise StoreUnavailable(f"cannot write <{graph}> to the store at {self.config.store_data_url}: "
                                   f"{failure(exc)}") from None

    def _counts(self) -> dict[str, int]:
        if not self.graphs:
            return {}
        rows = self.rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {str(row[Variable("g")]): int(row[Variable("n")]) for row in rows}

    def query(self, text: str, bindings: dict[str, Node], graphs: Graphs | None, rows: int | None = None,
              form: str | None = None) -> Result:
        # relative IRIs are read against our base, as the local stores read them
        remote_bindings = {name: _remote(term) for name, term in bindings.items()}
        bound = f"BASE <{self.config.base}> " + store_text(text, remote_bindings, declare=True, bind=True)
        timeout = self.config.query_timeout + 1
        try:
            if form in ("CONSTRUCT", "DESCRIBE"):
                return self.statements(bound, graphs, timeout, rows, form)
            answer = self.select(bound, graphs, timeout, rows)
            return _boolean(answer) if form == "ASK" else answer
        except QueryTimeout:
            raise
        except QueryError as exc:
            raise _located(exc, text, bound) from None

    def written(self, text: str, bindings: dict[str, Node], graphs: Graphs | None, fmt: str,
                rows: int) -> None:
        """Answers are read back (blank nodes restored, the row limit applied) before they are
        written, so the store's own writing is never passed on."""
        return None

    def close(self) -> None:
        """Nothing held open: every request is its own connection."""


def _boolean(result: Result) -> Result:
    """An ASK answer as the protocol gives it. Virtuoso 7.2 answers ASK as a result set of one
    variable, ``__ASK_RETVAL``: one row (``1``) for true, none for false."""
    if result.type == "ASK":
        return result
    answer = Result("ASK")
    answer.askAnswer = bool(result.bindings)
    return answer


_AT = re.compile(r"error at (\d+):(\d+):?\s*(.*)", re.S)


def _located(exc: QueryError, text: str, sent: str) -> QueryError:
    """A store's syntax error at the line and column of the query as written, where the store
    says where (Oxigraph does); our prefixes and bound values moved the first line's columns."""
    found = _AT.search(str(exc))
    if not found or not sent.endswith(text):
        return exc
    line, column = int(found[1]), int(found[2])
    if line == 1:
        column -= len(sent) - len(text)
    return syntax_error(text, f"error at {line}:{max(column, 1)}: {found[3]}")


class _ReadingStore(RdflibStore):
    """Statement-level reading for pages and validation: each pattern is one query."""

    context_aware = True
    graph_aware = True

    def __init__(self, remote: RemoteStore) -> None:
        super().__init__()
        self.remote = remote

    def triples(self, pattern: tuple, context: Graph | None = None) -> Iterator[tuple]:
        s, p, o = pattern
        if isinstance(s, Literal) or (p is not None and not isinstance(p, URIRef)):
            return
        bound = {k: _remote(v) for k, v in {"s": s, "p": p, "o": o}.items() if v is not None}
        # a graph answer: the N-Triples of a large one come many times faster than its JSON rows
        # (from Virtuoso 7.2: 3 s against 25 s for 10^5 statements)
        text = store_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", bound)
        graphs = self._graphs(context)
        found = self.remote.statements(text, graphs).graph
        if len(found) >= _COUNTED and self.remote.row_limit is None:
            # a store may cut a graph answer without a word (Virtuoso does): a large one is counted
            count = store_text("SELECT (COUNT(*) AS ?n) WHERE { { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } }",
                               bound)
            rows = self.remote.rows(count, graphs)
            if rows and int(rows[0][Variable("n")]) > len(found):
                self.remote.row_limit = len(found)
                self.remote.whole(len(found), None, True)
        for triple in found:
            yield triple, iter((None,))

    def __len__(self, context: Graph | None = None) -> int:
        rows = self.remote.rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", self._graphs(context))
        return int(rows[0][Variable("n")]) if rows else 0

    def _graphs(self, context: Graph | None) -> tuple[list[URIRef], list[URIRef]]:
        """The default graph a statement pattern is read from: the context's graph, or the
        union of ours; no named graphs, which a pattern without GRAPH never reads (each one
        named costs Virtuoso time to compile the query)."""
        if context is None or context.identifier == DATASET_DEFAULT_GRAPH_ID:
            return self.remote.graphs, []
        return [URIRef(context.identifier)], []

    def contexts(self, triple: tuple | None = None) -> Iterator[Graph]:
        return (Graph(store=self, identifier=g) for g in self.remote.graphs)

    def add_graph(self, graph: Graph) -> None:
        """Graphs exist by having statements."""




def _remote(term: Node) -> Node:
    """A term as the store holds it: blank nodes by their skolem IRI."""
    return term.skolemize() if isinstance(term, BNode) else term


def _local(term: Node) -> Node:
    """A term from the store as our files hold it: skolem IRIs back to blank nodes."""
    if isinstance(term, URIRef) and RDFLibGenid._is_rdflib_skolem(term):
        return RDFLibGenid(term).de_skolemize()
    return term
