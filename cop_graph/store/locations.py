"""Where in which file a node is defined, so reports can point at file and line.

rdflib's parsers keep no positions, so the line is found in the file's text: the first
line where the node stands in subject position, written in any of the forms the file
could use (full IRI, relative to its @base, or a prefixed name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, URIRef
from rdflib.term import Node

from cop_graph.store.dataset import CopDataset, SourceFile

_BASE = re.compile(r"^\s*(?:@base|BASE)\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)
_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s*([\w.-]*):\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Location:
    file: str
    line: int | None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


def locate(loaded: CopDataset, node: Node) -> list[Location]:
    """Every file that describes ``node``, with the line where it does so first."""
    found = []
    for source in _describing(loaded, node):
        found.append(Location(source.display(loaded.config.root), _line(loaded, source, node)))
    return found


def locate_statement(loaded: CopDataset, subject: Node, predicate: Node, value: Node) -> list[Location]:
    """The files that state one particular triple (used to show conflicting values)."""
    found = []
    for source in loaded.files:
        if (subject, predicate, value) in loaded.graph(source):
            found.append(Location(source.display(loaded.config.root), _line(loaded, source, subject)))
    return found


def _describing(loaded: CopDataset, node: Node) -> list[SourceFile]:
    if isinstance(node, BNode):
        return [s for s in loaded.files if (node, None, None) in loaded.graph(s)
                or (None, None, node) in loaded.graph(s)]
    return loaded.sources_of(node)


def _line(loaded: CopDataset, source: SourceFile, node: Node) -> int | None:
    graph = loaded.graph(source)
    if isinstance(node, BNode):
        # A blank node is written inside its parent's description: point there.
        parent = next((s for s, _, _ in graph.triples((None, None, node)) if isinstance(s, URIRef)), None)
        return None if parent is None else _line(loaded, source, parent)
    if not isinstance(node, URIRef):
        return None
    return _find_subject_line(source.path, str(loaded.canonical(node)))


def _find_subject_line(path: Path, iri: str) -> int | None:
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    lines, forms = _file_forms(path, stamp)
    tokens = _tokens(iri, forms)
    first_mention = None
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip()
        for token in tokens:
            if stripped.startswith(token) and stripped[len(token):len(token) + 1] in ("", " ", "\t", ";"):
                return number
            if first_mention is None and token in line:
                first_mention = number
    return first_mention


@lru_cache(maxsize=256)
def _file_forms(path: Path, stamp: int) -> tuple[list[str], tuple[tuple[str, str], ...]]:
    """The file's lines and the (prefix, namespace) forms it declares, base as "<base>".

    Cached per modification time, so a long-running server sees edited files afresh."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return [], ()
    forms = [("<base>", m.group(1)) for m in _BASE.finditer(text)]
    forms += [(m.group(1), m.group(2)) for m in _PREFIX.finditer(text)]
    return text.splitlines(), tuple(forms)


def _tokens(iri: str, forms: tuple[tuple[str, str], ...]) -> list[str]:
    tokens = [f"<{iri}>"]
    for prefix, namespace in forms:
        if namespace and iri.startswith(namespace):
            local = iri[len(namespace):]
            tokens.append(f"<{local}>" if prefix == "<base>" else f"{prefix}:{local}")
    tokens.append(f'"{iri}"')  # JSON-LD "@id" values
    return tokens

