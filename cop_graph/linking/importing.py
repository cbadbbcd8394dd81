"""Importing an external table as RDF: a YARRRML or RML mapping run by linking/rml.py, the result
checked against the dataset's own SHACL shapes and written atomically as one Turtle file,
which the loader then reads as its own named graph.

Nothing is written unless the mapping runs, every value is well typed and the shapes find
no violation. Errors name the mapping or the table, with line and column where known.
"""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from cop_graph.config import Config
from cop_graph.errors import InputError, OutputError
from cop_graph.files import write_atomically
from cop_graph.linking import rml
from cop_graph.linking.mapping import Mapping, check_sources, find_cell, read_mapping
from cop_graph.rdf.namespaces import bind_prefixes
from cop_graph.rdf.parsing import ill_typed, parse_file
from cop_graph.store.dataset import load_dataset
from cop_graph.validation.validate import Report, validate

SHAPES_FILE = "shapes.ttl"
EXTRA_PREFIXES = {
    "qb": "http://purl.org/linked-data/cube#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "wd": "http://www.wikidata.org/entity/",
}


@dataclass(frozen=True)
class ImportResult:
    """What an import produced: where it went (or would have gone), its size and the report
    of the dataset's shapes. ``written`` is False when the shapes found violations."""

    name: str
    output: Path
    shapes: Path
    triples: int
    report: Report
    written: bool


def dataset_name(mapping: Path) -> str:
    """A dataset is named after the folder holding its mapping, sources and shapes."""
    return mapping.resolve().parent.name


def default_output(mapping: Path, config: Config) -> Path:
    return config.data_dir / "imports" / f"{dataset_name(mapping)}.ttl"


def import_table(mapping_path: Path, config: Config, output: Path | None = None,
                 shapes: Path | None = None) -> ImportResult:
    """Run the mapping, validate the graph with the dataset's shapes and write it."""
    shapes = shapes or mapping_path.parent / SHAPES_FILE
    if not shapes.is_file():
        raise InputError(shapes, f"no shapes file: a dataset's own SHACL shapes sit beside its mapping as "
                                 f"{SHAPES_FILE}, or are given with --shapes")
    output = output or default_output(mapping_path, config)
    mapping = read_mapping(mapping_path)
    check_sources(mapping)
    graph = materialise(mapping)
    check_literals(graph, mapping)
    text = _header(mapping, shapes) + _turtle(graph, mapping.prefixes)
    graph = Graph().parse(data=text, format="turtle")  # literals as written (40.0, not "40"^^xsd:decimal)
    report = _validate(text, output, shapes, config)
    result = ImportResult(dataset_name(mapping_path), output, shapes, len(graph), report, report.conforms)
    if not report.conforms:
        return result
    if not output.parent.exists() and output.parent == config.data_dir / "imports":
        output.parent.mkdir()
    write_atomically(output, lambda path: path.write_text(text, encoding="utf-8"),
                     lambda path: _check_round_trip(graph, path))
    return result


def materialise(mapping: Mapping) -> Graph:
    """Run the (source-anchored) RML mapping; what it cannot run is an InputError."""
    try:
        return rml.run(mapping.rml)
    except (rml.RmlError, OSError, ValueError, csv.Error) as exc:
        raise InputError(mapping.path, f"the mapping could not be run: {exc}") from None


def check_literals(graph: Graph, mapping: Mapping) -> None:
    """Refuse a value that is not of its declared datatype, naming the table, line and column."""
    for _, _, value in graph:
        if isinstance(value, Literal) and value.datatype is not None and ill_typed(value):
            datatype = graph.namespace_manager.normalizeUri(value.datatype)
            found = find_cell(mapping, str(value))
            if found is None:
                raise InputError(mapping.path, f"the mapping produces {str(value)!r}, which is not a valid {datatype}")
            source, line, column = found
            raise InputError(source.path, f"column {column!r}: {str(value)!r} is not a valid {datatype} "
                                          "(the mapping declares that datatype)", line)


def _turtle(graph: Graph, prefixes: dict[str, str]) -> str:
    out = Graph()
    bind_prefixes(out)
    for prefix, namespace in {**EXTRA_PREFIXES, **prefixes}.items():
        out.bind(prefix, namespace, override=True, replace=True)
    for triple in graph:
        out.add(triple)
    return out.serialize(format="turtle")


def _display(path: Path) -> str:
    try:
        return os.path.relpath(os.path.abspath(path), Path.cwd())
    except ValueError:
        return str(path)


def _header(mapping: Mapping, shapes: Path) -> str:
    lines = [f"# Imported by `cop-graph import` with the mapping {_display(mapping.path)} ",
             "# from the source tables:"]
    for source in mapping.sources:
        digest = hashlib.sha256(source.path.read_bytes()).hexdigest()
        lines.append(f"#   {_display(source.path)} (sha256 {digest})")
    lines.append(f"# and checked against the dataset's shapes {_display(shapes)}. Do not edit: import again.")
    return "\n".join(lines) + "\n"


def _validate(text: str, output: Path, shapes: Path, config: Config) -> Report:
    """The dataset's own shapes over the imported graph alone, read from a file named like the
    output so that the report points at it."""
    with tempfile.TemporaryDirectory(prefix="cop-graph-import-") as folder:
        candidate = Path(folder) / output.name
        candidate.write_text(text, encoding="utf-8")
        loaded = load_dataset([candidate], config=config, bundled=False)
        report = validate(loaded, shapes)
    where = _display(output)
    results = [replace(r, locations=[loc.replace(str(candidate), where) for loc in r.locations])
               for r in report.results]
    return replace(report, results=results)


def _check_round_trip(graph: Graph, written: Path) -> None:
    if not isomorphic(parse_file(written, "turtle"), graph):
        raise OutputError(f"{written}: the import did not read back as the same graph; nothing was written")
