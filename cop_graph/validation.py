"""The one validator: pyshacl over the loaded graph, with a report grouped by severity
that names for each result the focus node, the shape, the message and the file and line.

Validation runs on a plain in-memory union graph with no inference: pyshacl is fastest
there, and the ontology's own rdfs:subClassOf statements (loaded with the data) are all
that SHACL's class targeting needs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from cop_graph.dataset import CopDataset
from cop_graph.labels import label, short
from cop_graph.locations import locate, locate_statement
from cop_graph.namespaces import COPSH, SH, bind_prefixes
from cop_graph.parsing import parse_file

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

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def conforms(self) -> bool:
        """True when nothing is a violation; warnings are allowed."""
        return self.count("Violation") == 0

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


@lru_cache(maxsize=8)
def load_shapes(path: Path) -> Graph:
    shapes = parse_file(path)
    bind_prefixes(shapes)
    return shapes


def validate(loaded: CopDataset, shapes_path: Path | None = None) -> Report:
    """Validate the whole loaded graph against the shapes (the bundled ones by default)."""
    shapes = load_shapes((shapes_path or loaded.config.shapes_file).resolve())
    data = loaded.union()
    _, results_graph, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                         allow_warnings=True, abort_on_first=False)
    results = [_result(loaded, data, shapes, results_graph, node)
               for node in results_graph.subjects(RDF.type, SH.ValidationResult)]
    order = {s: i for i, s in enumerate(SEVERITIES)}
    results.sort(key=lambda r: (order.get(r.severity, 9), r.shape, r.focus, r.path or "", r.value or ""))
    shape_count = len(set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape)))
    return Report(results=results, triples=len(data), graphs=len(loaded.files), shapes=shape_count,
                  base=loaded.config.base)


def _result(loaded: CopDataset, data: Graph, shapes: Graph, report: Graph, node: Node) -> Result:
    base = loaded.config.base
    focus = report.value(node, SH.focusNode)
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    severity = report.value(node, SH.resultSeverity)
    message = report.value(node, SH.resultMessage)
    stated_in = []
    if isinstance(path, URIRef) and isinstance(focus, (URIRef, BNode)):
        statements = [(v, loc) for v in data.objects(focus, path) for loc in locate_statement(loaded, focus, path, v)]
        if len({loc.file for _, loc in statements}) > 1:
            stated_in = [f"{loc} ({_term(v, base)})" for v, loc in statements]
    return Result(
        severity=short(severity).split(":")[-1] if severity else "Violation",
        focus=f"_:{focus}" if isinstance(focus, BNode) else str(focus),
        focus_label=label(data, focus) if not isinstance(focus, Literal) else None,
        shape=_shape_id(shapes, report.value(node, SH.sourceShape)),
        component=short(report.value(node, SH.sourceConstraintComponent)).split(":")[-1],
        message=str(message) if message else "",
        path=_path_text(report, path, base) if path is not None else None,
        value=_term(value, None) if value is not None else None,
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

