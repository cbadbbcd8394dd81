"""Reading a declarative mapping (YARRRML or RML) into an RML graph: its source tables,
the columns each source must have, and sources made absolute relative to the mapping file.

YARRRML is read into RML by :mod:`cop_graph.linking.yarrrml`, and RML is run by
:mod:`cop_graph.linking.rml`; this module finds the parts that a clear error message needs,
and anchors relative source paths at the mapping's folder.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from cop_graph.errors import InputError
from cop_graph.linking.yarrrml import YarrrmlError, to_rml
from cop_graph.rdf.parsing import parse_file

RML = Namespace("http://w3id.org/rml/")
RML_LEGACY = Namespace("http://semweb.mmlab.be/ns/rml#")
RR = Namespace("http://www.w3.org/ns/r2rml#")
YARRRML_SUFFIXES = (".yml", ".yaml", ".yarrrml")
RML_SUFFIXES = (".ttl", ".rml", ".r2rml", ".nt")
_TEMPLATE_PART = re.compile(r"(?<!\\)\{([^{}]+)\}")


@dataclass
class Source:
    """One table a mapping reads, and the column names its rules refer to."""

    written: str  # as the mapping names it
    path: Path
    columns: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        return self.path.suffix.lower().lstrip(".")


@dataclass
class Mapping:
    path: Path
    rml: Graph
    sources: list[Source]
    prefixes: dict[str, str] = field(default_factory=dict)


def read_mapping(path: Path) -> Mapping:
    """The mapping as RML with absolute source paths, or an :class:`InputError` naming the
    file (and line and column where the parser gives them)."""
    if not path.is_file():
        raise InputError(path, "no such mapping file")
    suffix = path.suffix.lower()
    if suffix in YARRRML_SUFFIXES:
        rml, prefixes = _from_yarrrml(path)
    elif suffix in RML_SUFFIXES:
        rml = parse_file(path, "nt" if suffix == ".nt" else "turtle")
        prefixes = {p: str(ns) for p, ns in rml.namespaces() if p}
    else:
        raise InputError(path, f"unknown mapping type {suffix or '(no suffix)'!r}: write the mapping in YARRRML "
                               f"({', '.join(YARRRML_SUFFIXES)}) or RML Turtle (.ttl)")
    sources = _anchor_sources(rml, path)
    if not sources:
        raise InputError(path, "the mapping names no source table (rml:source); nothing to import")
    return Mapping(path, rml, sources, prefixes)


def _from_yarrrml(path: Path) -> tuple[Graph, dict[str, str]]:
    """The RML graph of a YARRRML mapping, and the mapping's prefixes."""
    from ruamel.yaml import YAML, YAMLError
    from ruamel.yaml.error import MarkedYAMLError

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read the mapping: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        document = YAML(typ="safe", pure=True).load(text)
        if not isinstance(document, dict) or not isinstance(document.get("mappings"), dict):
            raise InputError(path, "not a YARRRML mapping: it needs a 'mappings:' section; see https://rml.io/yarrrml/spec/")
        return to_rml(document)
    except InputError:
        raise
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InputError(path, f"YAML syntax error: {exc.problem or exc.context}", line, column) from None
    except YAMLError as exc:
        raise InputError(path, f"YAML syntax error: {exc}") from None
    except (YarrrmlError, AttributeError, TypeError, IndexError) as exc:
        raise InputError(path, f"not a valid YARRRML mapping ({exc}); see https://rml.io/yarrrml/spec/") from None


def _anchor_sources(rml: Graph, mapping: Path) -> list[Source]:
    """Rewrite every relative rml:source to an absolute path beside the mapping; collect
    the columns each triples map refers to."""
    sources: dict[Path, Source] = {}
    for prop in (RML.source, RML_LEGACY.source):
        for logical, value in list(rml.subject_objects(prop)):
            if not isinstance(value, Literal):
                continue  # a database or web source: left as it is
            written = str(value)
            target = Path(written) if Path(written).is_absolute() else (mapping.parent / written)
            target = Path(os.path.abspath(target))
            rml.set((logical, prop, Literal(str(target))))
            source = sources.setdefault(target, Source(written, target))
            source.columns |= _columns_of(rml, logical)
    return list(sources.values())


def _columns_of(rml: Graph, logical: Node) -> set[str]:
    """Column names referred to by the triples maps that read this logical source."""
    columns: set[str] = set()
    for prop in (RML.logicalSource, RML_LEGACY.logicalSource):
        for triples_map in rml.subjects(prop, logical):
            columns |= _references(rml, triples_map, {triples_map})
    return columns


def _references(rml: Graph, node: Node, seen: set[Node]) -> set[str]:
    found: set[str] = set()
    for prop, value in rml.predicate_objects(node):
        if prop in (RML.logicalSource, RML_LEGACY.logicalSource, RML.parentTriplesMap, RR.parentTriplesMap,
                    RML.parent, RR.parent):
            continue  # another table's columns
        if prop in (RML.reference, RML_LEGACY.reference, RML.child, RR.child, RR.column):
            found.add(str(value))
        elif prop in (RML.template, RR.template):
            found |= set(_TEMPLATE_PART.findall(str(value)))
        elif not isinstance(value, (Literal, URIRef)) and value not in seen:
            seen.add(value)
            found |= _references(rml, value, seen)
    return found


def check_sources(mapping: Mapping) -> None:
    """Every source exists; every column a rule names is in its CSV file's header."""
    for source in mapping.sources:
        if not source.path.is_file():
            raise InputError(mapping.path, f"source table {source.written!r} not found (looked for {source.path})")
        if source.kind in ("csv", "tsv"):
            _check_rows(source)
            _check_header(source)


def read_header(path: Path, delimiter: str = ",") -> list[str]:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return next(csv.reader(handle, delimiter=delimiter), [])
    except UnicodeDecodeError:
        raise InputError(path, "the table is not valid UTF-8") from None
    except (OSError, csv.Error) as exc:
        raise InputError(path, f"cannot read the table: {getattr(exc, 'strerror', None) or exc}") from None


def _check_header(source: Source) -> None:
    header = read_header(source.path, "\t" if source.kind == "tsv" else ",")
    missing = sorted(source.columns - set(header))
    if missing:
        raise InputError(source.path, f"no column {missing[0]!r}, which the mapping refers to; the table's "
                                      f"columns are: {', '.join(header) or '(none)'}", 1)


def _check_rows(source: Source) -> None:
    """Every row has as many fields as the header, and the file is UTF-8 throughout: a
    broken row is named by its line instead of being mapped with shifted or missing cells."""
    delimiter = "\t" if source.kind == "tsv" else ","
    try:
        raw = source.path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(source.path, "the table is not valid UTF-8 (save it as UTF-8)", line) from None
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    try:
        header = next(reader, [])
        if len(set(header)) != len(header):
            twice = next(name for name in header if header.count(name) > 1)
            raise InputError(source.path, f"the header names column {twice!r} twice", 1)
        for row in reader:
            if row and len(row) != len(header):
                raise InputError(source.path, f"the row has {len(row)} fields; the header has {len(header)}",
                                 reader.line_num)
    except csv.Error as exc:
        raise InputError(source.path, f"cannot read the table: {exc}", reader.line_num) from None


def find_cell(mapping: Mapping, value: str) -> tuple[Source, int, str] | None:
    """The first CSV cell holding ``value``: its source, line number and column name."""
    for source in mapping.sources:
        if source.kind not in ("csv", "tsv") or not source.path.is_file():
            continue
        with open(source.path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t" if source.kind == "tsv" else ",")
            header = next(reader, [])
            for row in reader:
                for name, cell in zip(header, row, strict=False):
                    if name in source.columns and cell.strip() == value:
                        return source, reader.line_num, name
    return None
