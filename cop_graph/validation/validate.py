"""The one validator: pyshacl over the loaded graph, with a report grouped by severity
that names for each result the focus node, the shape, the message and the file and line.

Validation runs on a plain in-memory union graph with no inference: pyshacl is fastest
there, and the ontology's own rdfs:subClassOf statements (loaded with the data) are all
that SHACL's class targeting needs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result as QueryResult
from rdflib.term import Node
from rdflib.util import from_n3

from cop_graph.rdf.grammar import PARSING
from cop_graph.rdf.labels import label, short
from cop_graph.rdf.namespaces import COPSH, SH, bind_prefixes
from cop_graph.rdf.parsing import ill_typed, parse_file
from cop_graph.store.dataset import CopDataset
from cop_graph.store.locations import locate, locate_statement
from cop_graph.validation.cache import ValidationCache, predicate_digests, unit_key
from cop_graph.validation.shapes import unit_digest, unit_shapes, units

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class Result:
    """One validation result, ready to show to a person or serialise as JSON."""

    severity: str
    focus: str  # the full IRI, or _:id for a blank node
    focus_label: str | None
    shape: str
    component: str
    message: str
    path: str | None
    value: str | None
    locations: list[str]
    stated_in: list[str] = field(default_factory=list)


@dataclass
class Report:
    results: list[Result]
    triples: int
    graphs: int
    shapes: int
    base: str = ""
    reused: int = 0  # shapes (of those with targets) whose findings came from the cache
    units: int = 0

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def conforms(self) -> bool:
        """True when nothing is a violation; warnings are allowed."""
        return self.count("Violation") == 0

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    def to_dict(self) -> dict:
        return {
            "conforms": self.conforms,
            "triples": self.triples,
            "graphs": self.graphs,
            "shapes": self.shapes,
            "base": self.base,
            "counts": {s.lower() + "s": self.count(s) for s in SEVERITIES},
            "results": [asdict(r) for r in self.results],
        }

    def to_text(self) -> str:
        counts = ", ".join(_plural(self.count(s), s.lower()) for s in SEVERITIES)
        lines = [f"Validated {self.triples:,} triples in {self.graphs} graphs against "
                 f"{self.shapes} shapes: {counts}."]
        for severity in SEVERITIES:
            group = [r for r in self.results if r.severity == severity]
            if not group:
                continue
            lines += ["", f"{severity}s ({len(group)})"]
            for r in group:
                lines += _describe(r, self.base)
        return "\n".join(lines)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _describe(r: Result, base: str) -> list[str]:
    focus = f"<{r.focus}>" if not r.focus.startswith("_:") else r.focus
    head = f"  [{r.shape}] {focus}" + (f' "{r.focus_label}"' if r.focus_label else "")
    lines = [head, f"      {r.message}"]
    value = r.value
    if value and value.startswith("<") and value.endswith(">"):
        value = short(URIRef(value[1:-1]), base)
    if r.path:
        lines.append(f"      path: {r.path}" + (f"   value: {value}" if value else ""))
    elif value:
        lines.append(f"      value: {value}")
    if r.stated_in:
        lines.append("      values stated in: " + "; ".join(r.stated_in))
    lines.append("      defined at: " + (", ".join(r.locations) or "(no file: the node is only referenced)"))
    return lines


class _QueriesParsedOnce(Graph):
    """The data graph as pyshacl sees it. pyshacl sends a SHACL-SPARQL constraint's text once
    per focus node, and parsing that text costs far more than answering it (over 90 % of a
    validation); here each text is parsed once per process and the prepared query reused."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(store=graph.store, identifier=graph.identifier, namespace_manager=graph.namespace_manager)
        self._namespaces = tuple(sorted((prefix, str(iri)) for prefix, iri in self.namespaces()))

    def query(self, query_object, *args, **kwargs) -> QueryResult:
        if isinstance(query_object, str):
            query_object = _prepared(query_object, self._namespaces)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=1024)
def _prepared(text: str, namespaces: tuple[tuple[str, str], ...]) -> object:
    """A SHACL-SPARQL text parsed once for every validation that sends it (a prepared query is
    only read when it is evaluated); the shapes hold a few dozen texts."""
    with PARSING:
        return prepareQuery(text, initNs=dict(namespaces))


@lru_cache(maxsize=8)
def load_shapes(path: Path) -> Graph:
    shapes = parse_file(path)
    bind_prefixes(shapes)
    return shapes


def unit_count(shapes_path: Path) -> int:
    """How many shapes a validation checks one by one (the length of its progress)."""
    return len(units(load_shapes(shapes_path.resolve())))


@dataclass(frozen=True)
class Finding:
    """What pyshacl reported, before it is tied to labels and file lines: the part of a
    result that depends only on the statements a shape reads, and so can be kept."""

    severity: str
    focus: str  # N-Triples form
    shape: str
    component: str
    message: str
    path: str | None
    path_iri: str | None
    value: str | None


def validate(loaded: CopDataset, shapes_path: Path | None = None, cache: Path | None = None,
             progress: Callable[[int], None] | None = None) -> Report:
    """Validate the whole loaded graph against the shapes (the bundled ones by default).

    Given a ``cache`` folder, each shape's findings are kept there and reused while the
    statements it reads are unchanged; the report is the same as without one.
    """
    shapes = load_shapes((shapes_path or loaded.config.shapes_file).resolve())
    base = loaded.config.base
    with_cache = cache is not None and all(isinstance(unit, URIRef) for unit in units(shapes))
    advance = progress or (lambda _: None)
    reused = 0
    if with_cache:
        kept = ValidationCache(cache)
        findings, triples, reused = _findings_with_cache(loaded, shapes, kept, advance)
        kept.prune()
    else:
        data = loaded.union()
        # the statements of the files, as the cached path counts them (a statement two files make
        # is validated once, but counted for each, as the loader and `stats` count it)
        findings, triples = _check(data, shapes, base), len(loaded)
        advance(len(units(shapes)))
    results = [_result(loaded, finding) for finding in findings] + ill_typed_literals(loaded)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    results.sort(key=lambda r: (order.get(r.severity, 9), r.shape, r.focus, r.path or "", r.value or ""))
    shape_count = len(set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape)))
    return Report(results=results, triples=triples, graphs=len(loaded.files), shapes=shape_count, base=base,
                  reused=reused, units=len(units(shapes)))


def _check(data: Graph, shapes: Graph, base: str, unit: URIRef | None = None) -> list[Finding]:
    """Findings of all shapes, or of one unit alone."""
    # inplace: the data graph is a copy made for this run, so pyshacl need not make another.
    _, report, _ = shacl_validate(_QueriesParsedOnce(data), shacl_graph=unit_shapes(shapes, unit) if unit else shapes,
                                  inference="none", advanced=True, inplace=True, allow_warnings=True,
                                  abort_on_first=False)
    return [_finding(report, shapes, node, base) for node in report.subjects(RDF.type, SH.ValidationResult)]


def _findings_with_cache(loaded: CopDataset, shapes: Graph, cache: ValidationCache,
                         advance: Callable[[int], None]) -> tuple[list[Finding], int, int]:
    base = loaded.config.base
    files = []
    for source in loaded.files:
        file_key = hashlib.sha256(f"{source.digest}\0{base}\0{source.graph}".encode()).hexdigest()
        digests = cache.get("files", file_key)
        if not isinstance(digests, dict):
            digests = predicate_digests(loaded.graph(source))
            cache.put("files", file_key, digests)
        files.append((str(source.graph), digests))
    findings: list[Finding] = []
    missing: dict[URIRef, str] = {}
    for unit, reads in units(shapes).items():
        key = unit_key(unit_digest(shapes, unit), reads, files, base)
        kept = _kept_findings(cache.get("units", key))
        if kept is not None:
            findings += kept
            advance(1)
        else:
            missing[unit] = key
    if missing:
        needed = [units(shapes)[unit] for unit in missing]
        whole = any(reads is None for reads in needed)
        data = loaded.union() if whole else _restricted(loaded, frozenset().union(*needed))
        for unit, key in missing.items():
            found = _check(data, shapes, base, unit)
            findings += found
            if not any(f.focus.startswith("_:") or (f.value or "").startswith("_:") for f in found):
                cache.put("units", key, [asdict(f) for f in found])
            advance(1)
    return findings, len(loaded.dataset), len(units(shapes)) - len(missing)


def _kept_findings(entry: object) -> list[Finding] | None:
    """Findings as stored, or None for an entry that is not a list of findings."""
    if not isinstance(entry, list):
        return None
    try:
        return [Finding(**each) for each in entry]
    except TypeError:  # written by another version, or altered
        return None


def _restricted(loaded: CopDataset, predicates: frozenset[URIRef]) -> Graph:
    """The statements with these predicates: all that the shapes being re-run read."""
    graph = Graph()
    bind_prefixes(graph)
    for predicate in predicates:
        for triple in loaded.dataset.triples((None, predicate, None)):
            graph.add(triple)
    return graph


def _finding(report: Graph, shapes: Graph, node: Node, base: str) -> Finding:
    focus = report.value(node, SH.focusNode)
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    severity = report.value(node, SH.resultSeverity)
    message = report.value(node, SH.resultMessage)
    return Finding(
        severity=short(severity).split(":")[-1] if severity else "Violation",
        focus=focus.n3(),
        shape=_shape_id(shapes, report.value(node, SH.sourceShape)),
        component=short(report.value(node, SH.sourceConstraintComponent)).split(":")[-1],
        message=str(message) if message else "",
        path=_path_text(report, path, base) if path is not None else None,
        path_iri=str(path) if isinstance(path, URIRef) else None,
        value=_term(value, None) if value is not None else None,
    )


# The typed literals of the graph, each once: few, even in a large graph (dates, years, numbers).
_TYPED = """SELECT DISTINCT ?value WHERE { ?s ?p ?value FILTER(isLiteral(?value)
  && STRSTARTS(STR(DATATYPE(?value)), "http://www.w3.org/2001/XMLSchema#") && DATATYPE(?value) != xsd:string) }"""


def ill_typed_literals(loaded: CopDataset) -> list[Result]:
    """A violation for each statement whose literal its datatype does not allow ("abc"^^xsd:integer):
    the data loads as written, and the report says where it is wrong."""
    bad = [row[0] for row in loaded.store.query(_TYPED, {}, None) if ill_typed(row[0])]
    results = []
    for value in bad:
        datatype = short(value.datatype, loaded.config.base)
        for subject, predicate in loaded.dataset.subject_predicates(value):
            results.append(Result(
                severity="Violation", focus=f"_:{subject}" if isinstance(subject, BNode) else str(subject),
                focus_label=label(loaded.dataset, subject), shape="cop-graph:well-typed-literals",
                component="sh:DatatypeConstraintComponent",
                message=f'"{value}" is not a valid {datatype} value', path=short(predicate, loaded.config.base),
                value=value.n3(), locations=[str(loc) for loc in locate_statement(loaded, subject, predicate, value)]
                or [str(loc) for loc in locate(loaded, subject)]))
    return results


def _result(loaded: CopDataset, finding: Finding) -> Result:
    base = loaded.config.base
    data = loaded.dataset
    focus = from_n3(finding.focus)
    stated_in = []
    if finding.path_iri and isinstance(focus, (URIRef, BNode)):
        path = URIRef(finding.path_iri)
        statements = [(v, loc) for v in data.objects(focus, path) for loc in locate_statement(loaded, focus, path, v)]
        if len({loc.file for _, loc in statements}) > 1:
            stated_in = [f"{loc} ({_term(v, base)})" for v, loc in statements]
    return Result(
        severity=finding.severity,
        focus=f"_:{focus}" if isinstance(focus, BNode) else str(focus),
        focus_label=label(data, focus) if not isinstance(focus, Literal) else None,
        shape=finding.shape,
        component=finding.component,
        message=finding.message,
        path=finding.path,
        value=finding.value,
        locations=[str(loc) for loc in locate(loaded, focus)],
        stated_in=stated_in,
    )


def _shape_id(shapes: Graph, shape: Node | None) -> str:
    """The stable ID of a shape: its local name, or its parent's for an anonymous one."""
    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        shape = next(shapes.subjects(None, shape), shape)
    text = str(shape)
    return text[len(str(COPSH)):] if text.startswith(str(COPSH)) else short(shape)


def _path_text(graph: Graph, path: Node, base: str | None) -> str:
    if isinstance(path, BNode) and (path, RDF.first, None) in graph:
        return "/".join(_path_text(graph, step, base) for step in Collection(graph, path))
    if isinstance(path, BNode):
        inverse = graph.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + _path_text(graph, inverse, base)
    return _term(path, base)


_NAMES = Graph()
bind_prefixes(_NAMES)


def _term(node: Node | None, base: str | None) -> str:
    if isinstance(node, Literal):
        return node.n3(_NAMES.namespace_manager)
    return short(node, base)

