"""The one exporter: the whole dataset in one RDF syntax, with its computed VoID/DCAT
description (``description.py``), written atomically.

The description is what the data does not already state (sizes, subsets, partitions,
example resources): in TriG and JSON-LD it is a named graph of its own,
``BASE/graph/void``; in the other syntaxes it is merged with the data. Files are written
atomically (``files.py``) and read back to prove they parse to the same graph before
they replace anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from cop_graph.errors import OutputError
from cop_graph.files import write_atomically
from cop_graph.publish.description import DESCRIPTION_GRAPH, computed_description
from cop_graph.rdf.formats import RDF_SYNTAXES, SYNTAXES
from cop_graph.rdf.namespaces import PREFIXES, bind_prefixes
from cop_graph.rdf.parsing import parse_file
from cop_graph.store.dataset import CopDataset
from cop_graph.store.engine import to_ox

EXPORT_FORMATS = tuple(SYNTAXES)


@dataclass(frozen=True)
class Written:
    """What an export wrote: its size in bytes, its statements (graph by graph) and graphs."""

    size: int
    triples: int
    graphs: int


def serialize(loaded: CopDataset, fmt: str, endpoint: str | None = None) -> str:
    """The dataset and its description as text: named graphs kept in TriG and JSON-LD,
    merged in the others. ``endpoint``, when given, is stated as the SPARQL endpoint."""
    return _write(_contents(loaded, fmt, computed_description(loaded, endpoint)), fmt)


def _contents(loaded: CopDataset, fmt: str, described: Graph) -> Graph | Dataset:
    if fmt not in EXPORT_FORMATS:
        raise OutputError(f"unknown export format {fmt!r}; choose one of: {', '.join(EXPORT_FORMATS)}")
    if not RDF_SYNTAXES[fmt][2]:
        return _merged(loaded, described)
    contents = _named_graphs(loaded)
    target = contents.graph(URIRef(loaded.config.base + DESCRIPTION_GRAPH))
    for triple in described:
        target.add(triple)
    return contents


def _merged(loaded: CopDataset, described: Graph) -> Graph:
    merged = loaded.union()
    merged += described
    return merged


# Syntaxes Oxigraph writes itself, far faster than rdflib (whose Turtle writer slows down with
# every namespace it has to invent a prefix for: minutes at 10^5 triples).
_NATIVE = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "trig": ox.RdfFormat.TRIG}
_DECLARED = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def _write(source: Graph | Dataset, fmt: str) -> str:
    native = _NATIVE.get(fmt)
    if native is not None:
        try:
            return _written_by_oxigraph(source, native)
        except (ValueError, TypeError, SyntaxError, UnicodeError):
            pass  # a term Oxigraph cannot hold (a lone surrogate): rdflib writes it, or says why not
    try:
        data = source.serialize(format=RDF_SYNTAXES[fmt][1])
    except Exception as exc:  # e.g. RDF/XML cannot write a predicate IRI it cannot split
        raise OutputError(f"the data cannot be written as {fmt}: {exc}") from None
    return data.decode("utf-8") if isinstance(data, bytes) else data


def _written_by_oxigraph(source: Graph | Dataset, fmt: ox.RdfFormat) -> str:
    if isinstance(source, Dataset):
        named = [g for g in source.graphs() if isinstance(g.identifier, URIRef)
                 and g.identifier != DATASET_DEFAULT_GRAPH_ID]
        quads = (ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g.identifier)) for g in named for s, p, o in g)
    else:
        quads = (ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in source)
    prefixes = None if fmt == ox.RdfFormat.N_TRIPLES else _DECLARED
    return ox.serialize(quads, format=fmt, prefixes=prefixes).decode("utf-8")


def _named_graphs(loaded: CopDataset) -> Dataset:
    """A copy holding only the named graphs, so the empty default graph is not written."""
    copy = Dataset()
    bind_prefixes(copy)
    for source in loaded.files:
        target = copy.graph(source.graph)
        for triple in loaded.graph(source):
            target.add(triple)
    return copy


def write_export(loaded: CopDataset, fmt: str, target: Path, endpoint: str | None = None) -> Written:
    """Write the export to ``target`` atomically, checked by reading it back."""
    described = computed_description(loaded, endpoint)
    text = _write(_contents(loaded, fmt, described), fmt)
    size = write_atomically(target, lambda path: path.write_text(text, encoding="utf-8"),
                            lambda path: _check_round_trip(_merged(loaded, described), fmt, path))
    return Written(size, len(loaded) + len(described), len(loaded.files) + 1)


def _check_round_trip(expected: Graph, fmt: str, written: Path) -> None:
    reread = parse_file(written, RDF_SYNTAXES[fmt][1])
    if not isomorphic(reread, expected):
        raise OutputError(f"the {fmt} export did not read back as the same graph; nothing was written")
