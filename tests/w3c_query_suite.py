"""The W3C SPARQL 1.0 and 1.1 query test suites (tests/w3c/sparql), run against a SPARQL
endpoint by the SPARQL 1.1 Protocol: what tests/reliability/test_w3c_query.py runs through
/sparql, and what benchmarks/conformance_bench.py runs through ours and `oxigraph serve` side
by side.

Every evaluation test's data file is loaded as its own named graph, named by its file IRI
(as cop-graph names an extra file, and as the tests name their graphs); a test selects its
default graph and named graphs with ``default-graph-uri`` / ``named-graph-uri``. The query is
sent with a ``BASE`` of its own file IRI, which the tests assume. Federation and entailment
are not in these manifests; update, protocol and result-format tests are skipped.
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.query import Result

SUITES = Path(__file__).parent / "w3c" / "sparql"
MANIFESTS = (SUITES / "sparql10" / "manifest-evaluation.ttl", SUITES / "sparql10" / "manifest-syntax.ttl",
             SUITES / "sparql11" / "manifest-sparql11-query.ttl")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
EVALUATION = {MF.QueryEvaluationTest}
POSITIVE = {MF.PositiveSyntaxTest, MF.PositiveSyntaxTest11}
NEGATIVE = {MF.NegativeSyntaxTest, MF.NegativeSyntaxTest11}
NO_GRAPH = "urn:x-w3c-suite:no-graph"
_NUMERIC = {"integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
            "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong"}


@dataclass(frozen=True)
class Case:
    name: str  # suite folder / test name
    kind: str  # evaluation, positive syntax, negative syntax
    query: Path
    data: tuple[Path, ...] = ()
    graph_data: tuple[Path, ...] = ()
    result: Path | None = None


@dataclass
class Outcome:
    case: Case
    passed: bool
    reason: str = ""


def cases() -> list[Case]:
    found: dict[str, Case] = {}
    for manifest in MANIFESTS:
        for case in _read(manifest, set()):
            found.setdefault(case.name, case)
    return sorted(found.values(), key=lambda c: c.name)


def _read(manifest: Path, seen: set[Path]) -> list[Case]:
    if manifest in seen or not manifest.is_file():
        return []
    seen.add(manifest)
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    found = []
    for node in graph.subjects(RDF.type, MF.Manifest):
        for included in _items(graph, graph.value(node, MF.include)):
            found += _read(_path(included), seen)
        for entry in _items(graph, graph.value(node, MF.entries)):
            case = _case(graph, entry, manifest)
            if case is not None:
                found.append(case)
    return found


def _case(graph: Graph, entry: URIRef, manifest: Path) -> Case | None:
    kind = graph.value(entry, RDF.type)
    if graph.value(entry, DAWGT.approval) in (DAWGT.Withdrawn, DAWGT.Rejected):
        return None
    name = f"{manifest.parent.name}/{str(entry).rsplit('#', 1)[-1].rsplit('/', 1)[-1]}"
    action = graph.value(entry, MF.action)
    if kind in POSITIVE | NEGATIVE:
        return Case(name, "positive syntax" if kind in POSITIVE else "negative syntax", _path(action))
    if kind not in EVALUATION or action is None or graph.value(action, QT.query) is None:
        return None
    if graph.value(action, QT.serviceData) is not None:
        return None  # federation
    result = graph.value(entry, MF.result)
    return Case(name, "evaluation", _path(graph.value(action, QT.query)),
                tuple(_path(d) for d in graph.objects(action, QT.data)),
                tuple(_path(d) for d in graph.objects(action, QT.graphData)),
                _path(result) if result is not None else None)


def _items(graph: Graph, head: object) -> list:
    items = []
    while head is not None and head != RDF.nil:
        items.append(graph.value(head, RDF.first))
        head = graph.value(head, RDF.rest)
    return items


def _path(iri: object) -> Path:
    return Path(urllib.parse.unquote(urllib.parse.urlparse(str(iri)).path))


def data_files(all_cases: list[Case]) -> list[Path]:
    return sorted({p for c in all_cases for p in (*c.data, *c.graph_data)})


# -- running one case ---------------------------------------------------------------------

def run(endpoint: str, case: Case, graph_of: dict[Path, str], refused: dict[Path, str]) -> Outcome:
    """Ask the endpoint one test's query and compare its answer with the expected one.
    ``graph_of`` names each loaded data file's graph; ``refused`` gives the reason for the
    data files the endpoint could not load."""
    text = f"BASE <{case.query.as_uri()}>\n" + case.query.read_text(encoding="utf-8")
    if case.kind != "evaluation":
        status, body, _ = ask(endpoint, text, [NO_GRAPH], [], "application/sparql-results+json, application/n-triples")
        parses = status != 400
        wanted = case.kind == "positive syntax"
        reason = "" if parses == wanted else f"{'refused' if wanted else 'accepted'} ({status}: {_first(body)})"
        return Outcome(case, parses == wanted, reason)
    for path in (*case.data, *case.graph_data):
        if path in refused:
            return Outcome(case, False, f"its data is not loaded: {refused[path]}")
    expected_graph = case.result is not None and case.result.suffix in (".ttl", ".rdf", ".nt") \
        and not _is_result_set(case.result)
    accept = "application/n-triples" if expected_graph else "application/sparql-results+json"
    default = [graph_of[p] for p in case.data] or [NO_GRAPH]
    named = [graph_of[p] for p in case.graph_data]
    status, body, _ = ask(endpoint, text, default, named, accept)
    if status != 200:
        return Outcome(case, False, f"answered {status}: {_first(body)}")
    if case.result is None:
        return Outcome(case, True)
    try:
        if expected_graph:
            got = Graph().parse(data=body, format="nt")
            wanted = Graph().parse(case.result, publicID=case.result.as_uri(),
                                   format="turtle" if case.result.suffix != ".rdf" else "xml")
            same = isomorphic(got, wanted)
            return Outcome(case, same, "" if same else "the graph differs from the expected one")
        got_result = Result.parse(io.BytesIO(body.encode("utf-8")), format="json")
        return _compare(case, got_result, _expected(case.result))
    except Exception as exc:  # a malformed answer is a failure of the endpoint, named as such
        return Outcome(case, False, f"the answer could not be read: {type(exc).__name__}: {_first(str(exc))}")


def ask(endpoint: str, text: str, default: list[str], named: list[str], accept: str) -> tuple[int, str, str]:
    params = [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]
    body = urllib.parse.urlencode([("query", text), *params]).encode()
    request = urllib.request.Request(endpoint, data=body, method="POST",
                                     headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace"), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace"), ""
    except (OSError, ValueError) as exc:
        return 0, str(exc), ""


def _first(text: str) -> str:
    line = " ".join(text.split())
    return line[:160]


def _is_result_set(path: Path) -> bool:
    if path.suffix not in (".ttl", ".rdf"):
        return False
    return "result-set#" in path.read_text(encoding="utf-8", errors="replace")


def _expected(path: Path) -> Result:
    if path.suffix == ".srx":
        return Result.parse(path.open("rb"), format="xml")
    if path.suffix == ".srj":
        return Result.parse(path.open("rb"), format="json")
    graph = Graph().parse(path, publicID=path.as_uri(), format="turtle" if path.suffix != ".rdf" else "xml")
    result_set = next(graph.subjects(RDF.type, RS.ResultSet))
    boolean = graph.value(result_set, RS.boolean)
    if boolean is not None:
        result = Result("ASK")
        result.askAnswer = boolean.toPython() is True
        return result
    result = Result("SELECT")
    from rdflib import Variable

    result.vars = [Variable(str(v)) for v in graph.objects(result_set, RS.resultVariable)]
    rows = []
    for solution in graph.objects(result_set, RS.solution):
        rows.append({Variable(str(graph.value(b, RS.variable))): graph.value(b, RS.value)
                     for b in graph.objects(solution, RS.binding)})
    result.bindings = rows
    return result


def _compare(case: Case, got: Result, wanted: Result) -> Outcome:
    if wanted.type == "ASK" or got.type == "ASK":
        same = got.type == wanted.type and bool(got.askAnswer) == bool(wanted.askAnswer)
        return Outcome(case, same, "" if same else f"ASK answered {got.askAnswer}, expected {wanted.askAnswer}")
    if {str(v) for v in got.vars or []} != {str(v) for v in wanted.vars or []} and wanted.vars:
        return Outcome(case, False, f"variables {sorted(map(str, got.vars or []))}, "
                                    f"expected {sorted(map(str, wanted.vars or []))}")
    names = sorted({str(v) for v in wanted.vars or []} | {str(v) for row in wanted.bindings for v in row})
    mine = sorted(_row(row, names) for row in got.bindings)
    theirs = sorted(_row(row, names) for row in wanted.bindings)
    if mine == theirs:
        return Outcome(case, True)
    return Outcome(case, False, f"{len(mine)} rows, expected {len(theirs)}" if len(mine) != len(theirs)
                   else "the rows differ from the expected ones")


def _row(row: dict, names: list[str]) -> tuple:
    values = {str(k): v for k, v in row.items()}
    return tuple(_term(values.get(name)) for name in names)


def _term(term: object) -> tuple:
    if term is None:
        return ("unbound",)
    if isinstance(term, BNode):
        return ("blank",)  # blank nodes are compared as blank, not by label
    if isinstance(term, URIRef):
        return ("iri", str(term))
    if isinstance(term, Literal):
        datatype = str(term.datatype or "")
        local = datatype.rsplit("#", 1)[-1]
        if local in _NUMERIC and datatype.startswith("http://www.w3.org/2001/XMLSchema#"):
            try:
                return ("number", local if local in ("double", "float") else "exact", Decimal(str(term)))
            except InvalidOperation:
                pass
        return ("literal", str(term), (term.language or "").lower(), datatype)
    return ("other", str(term))


@dataclass
class Tally:
    outcomes: list[Outcome] = field(default_factory=list)

    def passed(self, kind: str | None = None) -> int:
        return sum(o.passed for o in self.outcomes if kind is None or o.case.kind.endswith(kind))

    def total(self, kind: str | None = None) -> int:
        return sum(1 for o in self.outcomes if kind is None or o.case.kind.endswith(kind))

    def failures(self) -> dict[str, str]:
        return {o.case.name: o.reason for o in self.outcomes if not o.passed}


def to_json(tally: Tally) -> str:
    return json.dumps(tally.failures(), indent=1, sort_keys=True)
