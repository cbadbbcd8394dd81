"""Running an RML mapping (https://w3id.org/rml/core/spec) over CSV, TSV and JSON tables.

Each triples map reads the rows of its logical source; its subject map and each
predicate-object map make terms from constants, references (a column) and templates
(``{column}`` parts, IRI-safe in IRIs as R2RML says); a referencing object map joins with
another triples map's rows on its join conditions. A row whose referenced cell is empty
gives no term, and so no triple, as R2RML gives none for NULL; so does a cell holding one of
the source's null values (RML-IO's ``rml:null``, e.g. "NA", here read on the logical source).
The vocabularies of RML-Core, the older RML namespace and R2RML are all read.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

RML = Namespace("http://w3id.org/rml/")
RML_LEGACY = Namespace("http://semweb.mmlab.be/ns/rml#")
RR = Namespace("http://www.w3.org/ns/r2rml#")
QL = Namespace("http://semweb.mmlab.be/ns/ql#")
_TEMPLATE = re.compile(r"(?<!\\)\{([^{}]*)(?<!\\)\}")
_IUNRESERVED = re.compile(r"[A-Za-z0-9\-._~\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]")

Row = dict[str, Any]


class RmlError(ValueError):
    """A mapping this engine cannot run: the message names the rule."""


def run(rml: Graph) -> Graph:
    """Every triple the mapping's triples maps make, in a new graph."""
    engine = _Engine(rml)
    out = Graph()
    for triples_map in engine.triples_maps():
        for triple in engine.triples(triples_map):
            out.add(triple)
    return out


class _Engine:
    def __init__(self, rml: Graph) -> None:
        self.rml = rml
        self.rows_of: dict[Node, list[Row]] = {}

    def value(self, node: Node, name: str) -> Node | None:
        for namespace in (RML, RML_LEGACY, RR):
            found = self.rml.value(node, namespace[name])
            if found is not None:
                return found
        return None

    def values(self, node: Node, name: str) -> list[Node]:
        return [v for namespace in (RML, RML_LEGACY, RR) for v in self.rml.objects(node, namespace[name])]

    def triples_maps(self) -> list[Node]:
        found = {s for namespace in (RML, RML_LEGACY) for s in self.rml.subjects(namespace.logicalSource, None)}
        found |= set(self.rml.subjects(RR.logicalTable, None))
        return sorted(found, key=str)

    def rows(self, triples_map: Node) -> list[Row]:
        logical = self.value(triples_map, "logicalSource")
        if logical is None:
            raise RmlError(f"triples map {triples_map} has no logical source")
        if logical not in self.rows_of:
            nulls = {str(v) for v in self.values(logical, "null")}
            rows = _read(self, logical)
            self.rows_of[logical] = [{k: None if v in nulls else v for k, v in row.items()} for row in rows] \
                if nulls else list(rows)
        return self.rows_of[logical]

    def triples(self, triples_map: Node) -> Iterator[tuple[Node, Node, Node]]:
        subject_map = self.value(triples_map, "subjectMap")
        if subject_map is None:
            raise RmlError(f"triples map {triples_map} has no subject map")
        if self.values(subject_map, "graphMap") or self.values(subject_map, "graph"):
            raise RmlError(f"triples map {triples_map} names a graph: an import is one named graph, its file")
        classes = self.values(subject_map, "class")
        rules = self.values(triples_map, "predicateObjectMap")
        for row in self.rows(triples_map):
            subject = self.term(subject_map, row, "iri")
            if subject is None:
                continue
            for cls in classes:
                yield subject, RDF.type, cls
            for rule in rules:
                predicates = [self.term(m, row, "iri") for m in self.values(rule, "predicateMap")]
                predicates += self.values(rule, "predicate")
                objects: list[Node | None] = []
                for object_map in self.values(rule, "objectMap"):
                    parent = self.value(object_map, "parentTriplesMap")
                    objects += self.joined(object_map, parent, row) if parent else [self.term(object_map, row, None)]
                objects += self.values(rule, "object")
                for predicate in predicates:
                    for obj in objects:
                        if predicate is not None and obj is not None:
                            yield subject, predicate, obj

    def executed(self, term_map: Node, execution: Node, row: Row, default: str | None) -> Node | None:
        """A function-valued term map (RML-FNML): the function's inputs are term maps of
        their own; its result, as text, becomes the term (an IRI for a subject)."""
        function = self.value(execution, "function")
        run = FUNCTIONS.get(str(function))
        if run is None:
            raise RmlError(f"the function {function} is not one this engine runs ({', '.join(sorted(FUNCTIONS))})")
        given = {}
        for given_input in self.values(execution, "input"):
            parameter, value_map = self.value(given_input, "parameter"), self.value(given_input, "inputValueMap")
            if parameter is None or value_map is None:
                raise RmlError(f"an input of {function} needs rml:parameter and rml:inputValueMap")
            value = self.term(value_map, row, "literal")
            given[str(parameter)] = None if value is None else str(value)
        result = run(given)
        if result is None or result == "":
            return None
        kind = _kind(self.value(term_map, "termType"), default or "literal")
        return URIRef(result) if kind == "iri" else Literal(result)

    def joined(self, object_map: Node, parent: Node, row: Row) -> list[Node | None]:
        conditions = [(str(self.value(c, "child")), str(self.value(c, "parent")))
                      for c in self.values(object_map, "joinCondition")]
        parent_subject = self.value(parent, "subjectMap")
        found = []
        for other in self.rows(parent):
            if all(_cell(row, child) not in (None, "") and _cell(row, child) == _cell(other, parent_column)
                   for child, parent_column in conditions):
                found.append(self.term(parent_subject, other, "iri"))
        return found

    def term(self, term_map: Node, row: Row, default: str | None) -> Node | None:
        """The term a term map makes from a row, or None when a referenced cell is empty."""
        constant = self.value(term_map, "constant")
        if constant is not None:
            return constant
        execution = self.value(term_map, "functionExecution")
        if execution is not None:
            return self.executed(term_map, execution, row, default)
        term_type = self.value(term_map, "termType")
        reference, template = self.value(term_map, "reference"), self.value(term_map, "template")
        if reference is None:
            reference = self.value(term_map, "column")
        if reference is not None:
            text = _cell(row, str(reference))
            kind = _kind(term_type, default or "literal")
        elif template is not None:
            kind = _kind(term_type, default or "iri")
            text = _fill(str(template), row, _iri_safe if kind == "iri" else str)
        elif term_type is not None and _kind(term_type, "") == "blanknode":
            return BNode()
        else:
            raise RmlError(f"a term map ({term_map}) needs a constant, a reference or a template")
        if text is None or text == "":
            return None
        if kind == "iri":
            return URIRef(text)
        if kind == "blanknode":
            return BNode(re.sub(r"\W", "_", text))
        language, datatype = self.value(term_map, "language"), self.value(term_map, "datatype")
        if language is not None:
            return Literal(text, lang=str(language))
        return Literal(text, datatype=datatype if isinstance(datatype, URIRef) else None)


FUNCTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    # IDLab's functions a YARRRML condition becomes: the value when the test holds, else none
    "https://w3id.org/imec/idlab/function#trueCondition":
        lambda given: given.get("https://w3id.org/imec/idlab/function#str")
        if given.get("https://w3id.org/imec/idlab/function#strBoolean") == "true" else None,
    "https://w3id.org/imec/idlab/function#equal":
        lambda given: _test(given, lambda a, b: a == b),
    "https://w3id.org/imec/idlab/function#notEqual":
        lambda given: _test(given, lambda a, b: a != b),
}


def _test(given: dict[str, Any], holds: Callable[[Any, Any], bool]) -> str:
    first = given.get("http://users.ugent.be/~bjdmeest/function/grel.ttl#valueParameter")
    second = given.get("http://users.ugent.be/~bjdmeest/function/grel.ttl#valueParameter2")
    return "true" if holds(first, second) else "false"


def _kind(term_type: Node | None, default: str) -> str:
    if term_type is None:
        return default
    name = str(term_type).rsplit("#", 1)[-1].rsplit("/", 1)[-1].lower()
    return {"iri": "iri", "blanknode": "blanknode", "literal": "literal"}.get(name, default)


def _fill(template: str, row: Row, safe: Callable[[str], str]) -> str | None:
    missing = False

    def part(match: re.Match) -> str:
        nonlocal missing
        value = _cell(row, match.group(1).replace("\\{", "{").replace("\\}", "}"))
        if value is None or value == "":
            missing = True
            return ""
        return safe(str(value))

    text = _TEMPLATE.sub(part, template).replace("\\{", "{").replace("\\}", "}")
    return None if missing else text


def _iri_safe(value: str) -> str:
    """R2RML's IRI-safe form: every character outside iunreserved percent-encoded."""
    return "".join(ch if _IUNRESERVED.fullmatch(ch) else "".join(f"%{b:02X}" for b in ch.encode("utf-8"))
                   for ch in value)


def _cell(row: Row, reference: str) -> Any:
    if reference in row:
        return row[reference]
    value: Any = row
    for part in reference.removeprefix("$.").split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value if not isinstance(value, (dict, list)) else json.dumps(value)


def _read(engine: _Engine, logical: Node) -> Iterator[Row]:
    source = engine.value(logical, "source")
    if source is None:
        source = engine.value(logical, "tableName")
    if not isinstance(source, Literal):
        raise RmlError(f"a logical source ({logical}) must name a file (rml:source)")
    path = Path(str(source))
    formulation = str(engine.value(logical, "referenceFormulation") or "")
    if formulation.endswith(("JSONPath", "JSONPath/")) or path.suffix.lower() == ".json":
        yield from _json_rows(path, str(engine.value(logical, "iterator") or "$"))
        return
    separator = engine.value(logical, "separator")
    delimiter = str(separator) if separator is not None else ("\t" if path.suffix.lower() == ".tsv" else ",")
    with open(path, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter=delimiter)


def _json_rows(path: Path, iterator: str) -> Iterator[Row]:
    """The objects an iterator of the form ``$``, ``$.a.b``, ``$.a[*]`` or ``$[*]`` selects."""
    data: Any = json.loads(path.read_text(encoding="utf-8"))
    if not re.fullmatch(r"\$(\.[\w-]+|\[\*\])*", iterator):
        raise RmlError(f"{path}: the iterator {iterator!r} is not one this engine reads ($.a.b[*] and the like)")
    items = [data]
    for step in re.findall(r"\.[\w-]+|\[\*\]", iterator):
        if step == "[*]":
            items = [x for item in items if isinstance(item, list) for x in item]
        else:
            items = [item[step[1:]] for item in items if isinstance(item, dict) and step[1:] in item]
    for item in items:
        if isinstance(item, dict):
            yield item
