"""Which statements each shape can look at, so a validation result can be reused until
one of them changes.

A *unit* is a shape with a target: validating the data is validating every unit, and
pyshacl can validate one unit alone. What a unit reads is over-estimated from the shapes
graph: every IRI reachable from the shape (paths, classes, nested and referenced shapes)
and every IRI in its SPARQL, plus ``rdf:type`` and ``rdfs:subClassOf`` (targets and
``sh:class``). A unit whose SPARQL has a variable or negated predicate, or that is closed,
reads everything (``None``). Over-estimating only costs a re-run, never a wrong report.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef, Variable
from rdflib.paths import NegatedPath, Path
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from cop_graph.rdf.grammar import PARSING
from cop_graph.rdf.namespaces import SH

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
ALWAYS_READ = frozenset({RDF.type, RDFS.subClassOf})


class _ReadsEverything(Exception):
    pass


@lru_cache(maxsize=8)
def units(shapes: Graph) -> dict[URIRef | BNode, frozenset[URIRef] | None]:
    """Every shape with a target, with the predicates it reads (None: all of them)."""
    prefixes = _declared_prefixes(shapes)
    found: dict[URIRef | BNode, frozenset[URIRef] | None] = {}
    for shape in sorted({s for p in TARGETS for s in shapes.subjects(p, None)}, key=str):
        try:
            found[shape] = frozenset(_reads(shapes, shape, prefixes)) | ALWAYS_READ
        except _ReadsEverything:
            found[shape] = None
    return found


def unit_digest(shapes: Graph, shape: URIRef | BNode) -> str:
    """A digest of everything that defines a unit, so an edited shape is a new unit."""
    lines = sorted(f"{p.n3()} {o.n3() if not isinstance(o, BNode) else '[]'}"
                   for _, p, o in _closure(shapes, shape))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


@lru_cache(maxsize=256)
def unit_shapes(shapes: Graph, unit: URIRef) -> Graph:
    """A shapes graph that validates one unit alone: its description, the shapes it uses
    (without their own targets, which are units of their own) and the prefix declarations.
    pyshacl's ``use_shapes`` cannot stand in: it leaves out shapes referenced by IRI."""
    graph = Graph()
    for subject, predicate, obj in _closure(shapes, unit):
        if subject != unit and predicate in TARGETS:
            continue
        graph.add((subject, predicate, obj))
    for declaration in shapes.objects(None, SH.declare):
        graph.add((next(shapes.subjects(SH.declare, declaration)), SH.declare, declaration))
        for triple in shapes.triples((declaration, None, None)):
            graph.add(triple)
    return graph


def _closure(shapes: Graph, start: URIRef | BNode) -> list[tuple]:
    """The triples describing a shape: through blank nodes, lists and referenced shapes."""
    seen: set = set()
    todo = [start]
    triples = []
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in shapes.triples((node, None, None)):
            triples.append(triple)
            _, predicate, obj = triple
            if predicate == SH.prefixes:
                continue  # prefix declarations, read separately
            if isinstance(obj, BNode) or (isinstance(obj, URIRef) and (obj, None, None) in shapes
                                          and predicate != RDF.type):
                todo.append(obj)
    return triples


def _reads(shapes: Graph, shape: URIRef | BNode, prefixes: dict[str, str]) -> set[URIRef]:
    reads: set[URIRef] = set()
    for _, predicate, obj in _closure(shapes, shape):
        if predicate == SH.closed and obj == Literal(True):
            raise _ReadsEverything
        if predicate in (SH.select, SH.ask):
            reads |= _sparql_reads(str(obj), prefixes)
        elif isinstance(obj, URIRef):
            reads.add(obj)
    return reads


def _sparql_reads(text: str, prefixes: dict[str, str]) -> set[URIRef]:
    # $this and the other pre-bound names are plain variables to the parser
    with PARSING:
        query = prepareQuery(text, initNs=prefixes)
    reads: set[URIRef] = set()
    _walk(query.algebra, reads)
    return reads


def _walk(node: object, reads: set[URIRef]) -> None:
    if isinstance(node, CompValue):
        for key, value in node.items():
            if key == "triples" and isinstance(value, list):
                _check_predicates(value)
            _walk(value, reads)
    elif isinstance(node, NegatedPath):
        raise _ReadsEverything
    elif isinstance(node, Path):
        for part in vars(node).values():
            _walk(part, reads)
    elif isinstance(node, (list, tuple, set)):
        for part in node:
            _walk(part, reads)
    elif isinstance(node, dict):
        for part in node.values():
            _walk(part, reads)
    elif isinstance(node, URIRef):
        reads.add(node)


def _check_predicates(triples: list) -> None:
    """Triples come as tuples after translation, and as flat lists of terms inside
    EXISTS, which rdflib leaves untranslated."""
    for group in triples:
        terms = list(group) if isinstance(group, (list, tuple)) else []
        if any(isinstance(p, Variable) for p in terms[1::3]):
            raise _ReadsEverything


def _declared_prefixes(shapes: Graph) -> dict[str, str]:
    return {str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
            for d in shapes.objects(None, SH.declare)}
