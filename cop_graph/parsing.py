"""Reading one RDF file into a scratch graph, with errors that name file, line and column.

Files are parsed into a fresh graph first, so a file that fails leaves nothing behind
in the dataset; the caller adds the graph only when the whole file has been read.
"""

from __future__ import annotations

import json
import logging
import xml.sax
from pathlib import Path

from rdflib import Dataset, Graph, Literal
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from cop_graph.errors import InputError

FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".n3": "n3",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
QUAD_FORMATS = {"nquads", "trig", "json-ld"}

# rdflib logs a traceback for every ill-typed literal; we report them ourselves.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)


def format_for(path: Path) -> str:
    """The rdflib parser name for a file, from its suffix."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise InputError(path, f"unknown RDF file type {path.suffix or '(no suffix)'!r}; "
                               f"known suffixes: {known}") from None


def parse_file(path: Path, fmt: str | None = None) -> Graph:
    """Parse one file into a new graph (all of a quad file's graphs merged into it).

    The syntax comes from the suffix unless ``fmt`` (an rdflib parser name) is given.
    """
    fmt = fmt or format_for(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, "the file is not valid UTF-8", line) from None
    try:
        graph = _parse_text(text, fmt, path)
    except InputError:
        raise
    except BadSyntax as exc:
        raise _bad_syntax(path, exc) from None
    except xml.sax.SAXParseException as exc:
        raise InputError(path, f"RDF/XML syntax error: {exc.getMessage()}",
                         exc.getLineNumber(), exc.getColumnNumber() + 1) from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"JSON syntax error: {exc.msg}", exc.lineno, exc.colno) from None
    except ParserError as exc:
        line = _first_bad_line(text, fmt) if fmt in ("nt", "nquads") else None
        raise InputError(path, f"syntax error: {exc.msg}", line) from None
    except RecursionError:
        raise InputError(path, "the file nests too deeply to be read") from None
    except Exception as exc:  # rdflib's parsers raise many unrelated types
        raise InputError(path, f"cannot parse as {fmt}: {exc}") from None
    check_literals(graph, path, text)
    return graph


def _parse_text(text: str, fmt: str, path: Path) -> Graph:
    base = path.resolve().as_uri()
    if fmt in QUAD_FORMATS:
        scratch = Dataset()
        scratch.parse(data=text, format=fmt, publicID=base)
        graph = Graph()
        for s, p, o, _ in scratch.quads((None, None, None, None)):
            graph.add((s, p, o))
        for prefix, namespace in scratch.namespaces():
            graph.bind(prefix, namespace, override=False)
        return graph
    graph = Graph()
    graph.parse(data=text, format=fmt, publicID=base)
    return graph


def _bad_syntax(path: Path, exc: BadSyntax) -> InputError:
    source = exc._str.decode("utf-8", "replace") if isinstance(exc._str, bytes) else exc._str
    index = min(exc._i, len(source))
    line = source.count("\n", 0, index) + 1
    column = index - (source.rfind("\n", 0, index) + 1) + 1
    return InputError(path, f"Turtle syntax error: {exc._why}", line, column)


def _first_bad_line(text: str, fmt: str) -> int | None:
    """N-Triples errors carry no position: find the first line that fails alone."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            _parse_text(line + "\n", fmt, Path("line"))
        except Exception:
            return number
    return None


def check_literals(graph: Graph, path: Path, text: str) -> None:
    """Refuse ill-typed literals such as "2022-02-30"^^xsd:date, which rdflib accepts."""
    for _, _, obj in graph:
        if isinstance(obj, Literal) and obj.ill_typed:
            line = _line_of(text, f'"{obj}"') or _line_of(text, str(obj))
            datatype = graph.namespace_manager.normalizeUri(obj.datatype)
            raise InputError(path, f'invalid literal "{obj}"^^{datatype}: '
                                   f"not a valid {datatype} value", line)


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return None if index < 0 else text.count("\n", 0, index) + 1

