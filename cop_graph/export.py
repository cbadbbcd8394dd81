"""The one exporter: the whole dataset in one RDF syntax, written atomically.

Files are written to a temporary file beside the target, read back to prove they parse
to the same graph, and only then moved into place, so a failure never leaves a
truncated or half-written file behind and never touches an existing one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from cop_graph.dataset import CopDataset
from cop_graph.errors import OutputError
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
    """Write the export to ``target`` atomically; returns the number of bytes written."""
    text = serialize(loaded, fmt)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{target}: the folder {folder} does not exist")
    fd, temp_name = _temp_file(folder, target)
    temp = Path(temp_name)
    try:
        os.chmod(temp, _mode_for(target))
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        _check_round_trip(loaded, fmt, temp)
        os.replace(temp, target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write the file: {exc.strerror or exc}") from None
    finally:
        temp.unlink(missing_ok=True)
    return len(text.encode("utf-8"))


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0666 less umask)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _temp_file(folder: Path, target: Path) -> tuple[int, str]:
    try:
        return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write in {folder}: {exc.strerror or exc}") from None


def _check_round_trip(loaded: CopDataset, fmt: str, written: Path) -> None:
    reread = parse_file(written, RDF_SYNTAXES[fmt][1])
    if not isomorphic(reread, loaded.union()):
        raise OutputError(f"the {fmt} export did not read back as the same graph; nothing was written")
