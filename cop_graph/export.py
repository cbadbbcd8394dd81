"""The one exporter: the whole dataset in one RDF syntax, written atomically.

Files are written atomically (``files.py``) and read back to prove they parse to the
same graph before they replace anything.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from cop_graph.dataset import CopDataset
from cop_graph.errors import OutputError
from cop_graph.files import write_atomically
from cop_graph.formats import RDF_SYNTAXES
from cop_graph.namespaces import bind_prefixes
from cop_graph.parsing import parse_file

EXPORT_FORMATS = ("turtle", "nt", "jsonld", "trig", "xml")


def serialize(loaded: CopDataset, fmt: str) -> str:
    """The dataset as text: named graphs kept in TriG and JSON-LD, merged in the others."""
    if fmt not in EXPORT_FORMATS:
        raise OutputError(f"unknown export format {fmt!r}; choose one of: {', '.join(EXPORT_FORMATS)}")
    _, rdflib_name, keeps_graphs = RDF_SYNTAXES[fmt]
    source: Graph | Dataset = _named_graphs(loaded) if keeps_graphs else loaded.union()
    try:
        data = source.serialize(format=rdflib_name)
    except Exception as exc:  # e.g. RDF/XML cannot write a predicate IRI it cannot split
        raise OutputError(f"the data cannot be written as {fmt}: {exc}") from None
    return data.decode("utf-8") if isinstance(data, bytes) else data


def _named_graphs(loaded: CopDataset) -> Dataset:
    """A copy holding only the named graphs, so the empty default graph is not written."""
    copy = Dataset()
    bind_prefixes(copy)
    for source in loaded.files:
        target = copy.graph(source.graph)
        for triple in loaded.graph(source):
            target.add(triple)
    return copy


def write_export(loaded: CopDataset, fmt: str, target: Path) -> int:
    """Write the export to ``target`` atomically, checked by reading it back; returns its size."""
    text = serialize(loaded, fmt)
    return write_atomically(target, lambda path: path.write_text(text, encoding="utf-8"),
                            lambda path: _check_round_trip(loaded, fmt, path))


def _check_round_trip(loaded: CopDataset, fmt: str, written: Path) -> None:
    reread = parse_file(written, RDF_SYNTAXES[fmt][1])
    if not isomorphic(reread, loaded.union()):
        raise OutputError(f"the {fmt} export did not read back as the same graph; nothing was written")
