"""The one loader: ontology + data (+ extra files) into a Dataset, one named graph per file.

The default graph is the union of all named graphs, so queries see everything while
``GRAPH`` still tells which file a statement came from.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.term import Node

from cop_graph.config import CANONICAL_BASE, Config, load_config
from cop_graph.errors import ConfigError, InputError
from cop_graph.rdf.namespaces import COP, COPSH, bind_prefixes
from cop_graph.rdf.parsing import FORMATS, parse_file
from cop_graph.store.base import PendingFile, Store, open_store
from cop_graph.store.memo import Memo

T = TypeVar("T")


@dataclass(frozen=True)
class SourceFile:
    """One loaded file and the named graph it became."""

    path: Path
    graph: URIRef
    triples: int
    digest: str
    bundled: bool

    def display(self, root: Path) -> str:
        """The path as users should see it: relative to the project or the working folder."""
        for anchor in (root, Path.cwd()):
            try:
                return str(self.path.relative_to(anchor))
            except ValueError:
                continue
        return str(self.path)


@dataclass
class CopDataset:
    """The loaded graph with the files it came from and the store that holds it."""

    config: Config
    dataset: Dataset
    files: list[SourceFile] = field(default_factory=list)
    store: Store | None = None
    # What is derived from the loaded graph: the one memo (see Memo).
    derived: Memo = field(default_factory=lambda: Memo(), repr=False, compare=False)

    def memo(self, kind: str, *key: object, build: Callable[[], T], keep: int | None = None,
             wait: float | None = None) -> T:
        """The value ``build`` computes for this data, computed once (see :class:`Memo`);
        with ``wait``, computed in the background and waited for that many seconds at most."""
        return self.derived.get(kind, key, build, keep, wait)

    @property
    def version(self) -> str:
        """A digest of every loaded file's content: equal data, equal version."""
        return data_version((source.graph, source.digest) for source in self.files)

    def __len__(self) -> int:
        return sum(source.triples for source in self.files)

    def graph(self, source: SourceFile) -> Graph:
        return self.dataset.graph(source.graph)

    def union(self) -> Graph:
        """All statements in one plain in-memory graph (what SHACL validation walks)."""
        union = Graph()
        bind_prefixes(union)
        for triple in self.dataset.triples((None, None, None)):
            union.add(triple)
        return union

    def canonical(self, node: Node) -> Node:
        """The IRI as written in the bundled files, for finding it there."""
        if isinstance(node, URIRef) and self.config.base != CANONICAL_BASE and str(node).startswith(self.config.base):
            return URIRef(CANONICAL_BASE + str(node)[len(self.config.base):])
        return node

    def sources_of(self, node: Node) -> list[SourceFile]:
        """The files in which a node is the subject of a statement."""
        return [s for s in self.files if (node, None, None) in self.dataset.graph(s.graph)]


def data_version(files: Iterable[tuple[URIRef, str]]) -> str:
    """The version of the data made of these (named graph, content digest) pairs."""
    digest = hashlib.sha256()
    for graph, content in files:
        digest.update(graph.encode() + b"\0" + content.encode())
    return digest.hexdigest()[:16]


def load_dataset(extra: tuple[str | Path, ...] | list[str | Path] = (), config: Config | None = None,
                 bundled: bool = True, progress: Callable[[int, int], None] | None = None,
                 expect_version: str | None = None) -> CopDataset:
    """Load the bundled ontology and data plus any extra files or folders.

    Every file is parsed completely before it joins the dataset, so a broken file
    raises :class:`InputError` and leaves nothing half-loaded. ``progress`` is told the
    bytes of the files loaded so far and of all of them. With ``expect_version`` (a
    server's query workers, which must answer from the data the server loaded) files
    that changed since are refused before anything is built from them.
    """
    config = config or load_config()
    paths: list[tuple[Path, bool]] = []
    if bundled:
        paths += [(p, True) for p in config.ontology_files]
        paths += [(p, True) for p in _rdf_files(config.data_dir)]
    for item in extra:
        paths += [(p, False) for p in _expand(Path(item))]
    pending: list[PendingFile] = []
    seen: set[Path] = set()
    for path, is_bundled in paths:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        pending.append(_pending(path, is_bundled, config))
    if expect_version is not None and data_version((p.graph, p.digest) for p in pending) != expect_version:
        raise ConfigError("the data files changed after the server loaded them; restart the server to serve "
                          "the new data")
    if progress is not None:
        pending = _counted(pending, progress)
    store = open_store(config)
    try:
        stored = store.load(pending)
    except BaseException:
        store.close()
        raise
    bind_prefixes(store.dataset)
    files = [SourceFile(path=s.path, graph=s.graph, triples=s.triples, digest=s.digest, bundled=s.bundled)
             for s in stored]
    return CopDataset(config=config, dataset=store.dataset, files=files, store=store)


def _pending(path: Path, is_bundled: bool, config: Config) -> PendingFile:
    given = path  # errors name the path as the user gave it
    resolved = path.resolve()
    try:
        digest = _digest(resolved)
    except OSError as exc:
        raise InputError(given, f"cannot read the file: {exc.strerror or exc}") from None
    name = _graph_name(resolved, config) if is_bundled else URIRef(resolved.as_uri())
    return PendingFile(path=resolved, graph=name, digest=digest, bundled=is_bundled,
                       read=functools.partial(_read, given, config.base), verbatim=config.base == CANONICAL_BASE)


def _counted(files: list[PendingFile], progress: Callable[[int, int], None]) -> list[PendingFile]:
    """The files, each telling ``progress`` when it has been read or loaded."""
    sizes = [f.path.stat().st_size for f in files]
    total = sum(sizes)
    done = 0
    counted = []

    def finished(size: int) -> None:
        nonlocal done
        done += size
        progress(done, total)

    def reading(read: Callable[[], Graph], size: int) -> Graph:
        graph = read()
        finished(size)
        return graph

    for pending, size in zip(files, sizes, strict=True):
        counted.append(dataclasses.replace(pending, read=functools.partial(reading, pending.read, size),
                                           done=functools.partial(finished, size)))
    return counted


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read(path: Path, base: str) -> Graph:
    parsed = parse_file(path)
    if base == CANONICAL_BASE:
        return parsed
    moved = Graph()
    for s, p, o in parsed:
        moved.add((_rebase(s, base), _rebase(p, base), _rebase(o, base)))
    return moved


def _graph_name(path: Path, config: Config) -> URIRef:
    relative = path.relative_to(config.root).with_suffix("")
    return URIRef(f"{config.base}graph/{relative.as_posix()}")


def _rdf_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS)


def _expand(path: Path) -> list[Path]:
    if path.is_dir():
        files = _rdf_files(path)
        if not files:
            raise InputError(path, f"the folder holds no RDF files (known suffixes: {', '.join(sorted(FORMATS))})")
        return files
    if path.is_file():
        return [path]
    raise InputError(path, "no such file or folder")


# The vocabulary and the shapes keep their IRIs under any base: queries name them.
_VOCABULARIES = (str(COP).rstrip("/"), str(COPSH).rstrip("/"))


def _rebase(node: Node, base: str) -> Node:
    if base == CANONICAL_BASE or isinstance(node, BNode) or not isinstance(node, URIRef):
        return node
    text = str(node)
    if text.startswith(CANONICAL_BASE) and not text.startswith(_VOCABULARIES):
        return URIRef(base + text[len(CANONICAL_BASE):])
    return node
