"""An Oxigraph store on disk that outlives the process.

The store folder holds one Oxigraph database per version of the data, named by a digest
of the files it came from (path, named graph, SHA-256 of the content) and the base. A
version is built by Oxigraph's bulk loader in a scratch folder and renamed into place
only when every file has loaded, so a broken file leaves nothing behind. While the files
are unchanged the version is reopened read-only and nothing is parsed, which is what
makes ``serve`` start at once on a large graph; switching back to an earlier selection of
files finds its version still there. Several processes (the server's query workers, a
CLI run) read a version at the same time; each holds a shared lock on it, and a build
removes only the versions nobody holds.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import itertools
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID as _DEFAULT_ID
from rdflib.namespace import XSD
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from cop_graph.config import Config, user_cache
from cop_graph.errors import ConfigError, InputError, OutputError, QueryError
from cop_graph.rdf.formats import SYNTAXES
from cop_graph.rdf.namespaces import bind_prefixes
from cop_graph.rdf.parsing import refuse_xml_entities
from cop_graph.store.base import Loaded, PendingFile
from cop_graph.store.text import store_text

MANIFEST = "cop-graph-store.json"
_KIND = "cop-graph oxigraph store"
_LAYOUT = 1
# Triple files Oxigraph's own parser reads; others (quads, JSON-LD, N3) go through rdflib's,
# which also merges a quad file's graphs into the file's one graph.
_NATIVE = {suffix: s.media_type for s in (SYNTAXES["turtle"], SYNTAXES["nt"], SYNTAXES["xml"]) for suffix in s.suffixes}
# Small files are read by rdflib, with its literal and IRI checks and their line numbers;
# Oxigraph's bulk parser takes the large ones, where rdflib would be 10-20 times slower.
NATIVE_FROM_BYTES = 4 * 1024 * 1024


def default_path() -> Path:
    return user_cache() / "oxigraph"


class OxigraphDiskStore:
    name = "oxigraph"

    def __init__(self, config: Config) -> None:
        self.config = config
        self.path = config.store_path or default_path()
        self.parsed = 0
        self._store: ox.Store | None = None
        self._hold: IO | None = None
        self.dataset = Dataset(store=_ReadingStore(store=ox.Store()), default_union=True)

    def load(self, files: list[PendingFile]) -> list[Loaded]:
        self._check_folder()
        version = self.path / _version(files, self.config.base)
        refused = _cannot_write(self.path)
        if refused:
            manifest = self._use_built(version, refused)
        else:
            with _locked(self.path / ".lock", fcntl.LOCK_EX):
                manifest = _manifest(version)
                if manifest is None:
                    manifest = self._build(files, version)
                self._hold = open(f"{version}.inuse", "a")  # noqa: SIM115 (held until the process ends)
                fcntl.flock(self._hold, fcntl.LOCK_SH)
                self._prune(keep=version)
        self._open(version)
        return [Loaded(Path(f["path"]), URIRef(f["graph"]), f["digest"], f["bundled"], f["triples"])
                for f in manifest["files"]]

    def _check_folder(self) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            foreign = [e.name for e in self.path.iterdir() if not _OURS.fullmatch(e.name)]
        except OSError as exc:
            raise ConfigError(f"cannot use {self.path} as the store folder: {exc.strerror or exc}") from None
        if foreign:
            raise ConfigError(f"{self.path} is not a cop-graph store folder (it holds {foreign[0]!r}); "
                              "give another --store-path, or an empty or new folder")

    def _use_built(self, version: Path, refused: str) -> dict:
        """A store folder this process may only read (another user's, a read-only mount):
        the version of these files is used if it is built; nothing is built or removed."""
        try:
            self._hold = open(f"{version}.inuse")  # noqa: SIM115 (held until the process ends)
            fcntl.flock(self._hold, fcntl.LOCK_SH)  # a writer does not remove it while it is read
        except OSError:
            self._hold = None  # no holder file (not built here, or by an older layout): read it unheld
        manifest = _manifest(version)
        if manifest is None:
            raise ConfigError(f"cannot build the Oxigraph store for these data files in {self.path}: {refused}; "
                              "give a --store-path this process may write, or build it there as its owner")
        return manifest

    def _build(self, files: list[PendingFile], version: Path) -> dict:
        """Build a version in a scratch folder and rename it into place. It starts from a
        copy of the closest version already built (an Oxigraph backup: hard links, no
        copying), so only the files that changed are loaded again. Each build has a scratch
        folder of its own: a build that failed may leave its store open in this process until
        its error is dropped (a traceback holds it), and Oxigraph locks a folder per process."""
        scratch = self.path / f"building-{os.getpid()}-{next(_BUILDS)}"
        shutil.rmtree(scratch, ignore_errors=True)
        store = None
        try:
            kept = self._start_from_closest(files, scratch)
            store = ox.Store(str(scratch))
            entries = []
            for pending in files:
                entry = kept.get((str(pending.graph), pending.digest))
                triples = entry["triples"] if entry else self._load_file(store, pending)
                if entry:
                    pending.done()
                entries.append({"path": str(pending.path), "graph": str(pending.graph), "digest": pending.digest,
                                "bundled": pending.bundled, "triples": triples})
            store.flush()
            store = None
            manifest = {"kind": _KIND, "layout": _LAYOUT, "base": self.config.base, "files": entries}
            (scratch / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            shutil.rmtree(version, ignore_errors=True)  # a version left without its manifest
            scratch.rename(version)
            return manifest
        except OSError as exc:  # a full disk, a file-size limit, a folder that became read-only
            raise OutputError(f"cannot build the Oxigraph store in {self.path}: {exc}; nothing was changed "
                              "there (the versions already built are kept)") from None
        finally:
            store = None  # closed here unless a traceback still holds it
            shutil.rmtree(scratch, ignore_errors=True)

    def _start_from_closest(self, files: list[PendingFile], scratch: Path) -> dict[tuple[str, str], dict]:
        """Copy the built version sharing the most statements with ``files`` into ``scratch``,
        drop its graphs that are not wanted as they are, and return the entries kept."""
        wanted = {(str(p.graph), p.digest) for p in files}
        best, best_shared, best_entries = None, 0, []
        for entry in self.path.iterdir():
            if not entry.is_dir() or not _VERSION.fullmatch(entry.name):
                continue
            try:
                manifest = _manifest(entry)
            except ConfigError:
                continue  # damaged: never a starting point
            if manifest is None or manifest.get("base") != self.config.base or manifest.get("layout") != _LAYOUT:
                continue
            shared = sum(f["triples"] for f in manifest["files"] if (f["graph"], f["digest"]) in wanted)
            if shared > best_shared:
                best, best_shared, best_entries = entry, shared, manifest["files"]
        if best is None:
            return {}
        try:
            ox.Store.read_only(str(best)).backup(str(scratch))
            store = ox.Store(str(scratch))
            kept = {}
            for entry in best_entries:
                key = (entry["graph"], entry["digest"])
                if key in wanted and key not in kept:
                    kept[key] = entry
                else:
                    store.remove_graph(ox.NamedNode(entry["graph"]))
            store.flush()
            del store
        except OSError:
            shutil.rmtree(scratch, ignore_errors=True)  # start empty instead
            return {}
        return kept

    def _prune(self, keep: Path) -> None:
        """Remove the other versions no process is reading."""
        for entry in self.path.iterdir():
            if entry == keep or not entry.is_dir() or not _VERSION.fullmatch(entry.name):
                continue
            with open(f"{entry}.inuse", "a") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # still read by a running process
                shutil.rmtree(entry, ignore_errors=True)
                Path(f"{entry}.inuse").unlink(missing_ok=True)

    def _load_file(self, store: ox.Store, pending: PendingFile) -> int:
        graph = ox.NamedNode(str(pending.graph))
        native = _NATIVE.get(pending.path.suffix.lower())
        self.parsed += 1
        if native and pending.verbatim and pending.path.stat().st_size >= NATIVE_FROM_BYTES:
            if native == "application/rdf+xml":
                refuse_xml_entities(pending.path)
            try:
                store.bulk_load(str(pending.path), native, base_iri=pending.path.as_uri(), to_graph=graph)
            except SyntaxError as exc:
                raise _input_error(pending.path, str(exc)) from None
            except (OSError, ValueError) as exc:
                raise InputError(pending.path, f"cannot load the file: {exc}") from None
            pending.done()
            return _count(store, graph)
        parsed = pending.read()
        store.bulk_extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), graph) for s, p, o in parsed)
        return len(parsed)

    def _open(self, version: Path) -> None:
        try:
            self._store = ox.Store.read_only(str(version))
        except OSError as exc:
            raise ConfigError(f"cannot open the Oxigraph store at {version}: {exc}; remove that folder and it "
                              "will be rebuilt from the data files") from None
        self.dataset = Dataset(store=_ReadingStore(store=self._store), default_union=True)
        bind_prefixes(self.dataset)

    def query(self, text: str, query: Query, bindings: dict[str, Node],
              graphs: tuple[list[URIRef], list[URIRef]] | None, rows: int | None = None) -> Result | None:
        if self._store is None:
            return None
        bound = store_text(text, bindings, exact_counts=True)
        if bound is None:
            return None
        options: dict = {"use_default_graph_as_union": graphs is None}
        if graphs is not None:
            options["default_graph"] = [ox.NamedNode(str(g)) for g in graphs[0]]
            options["named_graphs"] = [ox.NamedNode(str(g)) for g in graphs[1]]
        try:
            return to_result(self._store.query(bound, **options), rows)
        except SyntaxError as exc:
            raise QueryError(f"the store cannot read the query: {exc}") from None
        except (OSError, ValueError, TypeError) as exc:
            raise QueryError(f"the query failed while running: {exc}") from None

    def close(self) -> None:
        self._store = None
        if self._hold is not None:
            self._hold.close()
            self._hold = None


def to_result(answer: object, rows: int | None = None) -> Result:
    """An Oxigraph answer as an rdflib Result, with terms as rdflib's parsers make them.

    Given ``rows``, Oxigraph's lazy answer is read only to one row (or triple) past it:
    the caller cuts the answer there anyway, and the rest would cost memory and time."""
    if isinstance(answer, bool):
        result = Result("ASK")
        result.askAnswer = answer
        return result
    if isinstance(answer, ox.QuerySolutions):
        result = Result("SELECT")
        result.vars = [Variable(v.value) for v in answer.variables]
        terms = _Terms()
        wanted = answer if rows is None else itertools.islice(answer, rows + 1)
        result.bindings = [{var: terms[value] for var, value in zip(result.vars, row, strict=True)
                            if value is not None} for row in wanted]
        return result
    result = Result("CONSTRUCT")
    result.graph = Graph()
    bind_prefixes(result.graph)
    terms = _Terms()
    for triple in answer:
        result.graph.add((terms[triple.subject], terms[triple.predicate], terms[triple.object]))
        if rows is not None and len(result.graph) > rows:
            break
    return result


class _Terms(dict):
    """Each distinct Oxigraph term converted once: answers repeat the same few terms
    (series, years, types) across many rows, and conversion costs more than a lookup."""

    def __missing__(self, term: object) -> Node:
        node = self[term] = _from_ox(term)
        return node


def _from_ox(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value) if datatype == str(XSD.string) else Literal(term.value, datatype=URIRef(datatype))
    raise QueryError(f"the store answered with a term this tool cannot show: {term!r}")


def _to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise TypeError(f"not an RDF term: {term!r}")


class _ReadingStore(OxigraphStore):
    """oxrdflib's rdflib store, read-only and giving terms as rdflib's own parsers do."""

    def add_graph(self, graph: Graph) -> None:
        """Graphs exist by having statements; asking for one must not write (the store is read-only)."""

    def triples(self, triple_pattern: tuple, context: Graph | None = None) -> Iterator[tuple]:
        pattern = tuple(None if t is None else _to_ox_pattern(t) for t in triple_pattern)
        if any(p is _NOTHING for p in pattern) or isinstance(pattern[0], ox.Literal) \
                or isinstance(pattern[1], (ox.Literal, ox.BlankNode)):
            return  # no statement has a literal subject or a non-IRI predicate
        graph = None if context is None or context.identifier == _DEFAULT_ID else _to_ox_pattern(context.identifier)
        seen: set | None = set() if graph is None else None
        terms = _Terms()
        for quad in self._inner.quads_for_pattern(*pattern, graph):
            triple = (terms[quad.subject], terms[quad.predicate], terms[quad.object])
            if seen is not None:  # the union of the graphs holds each statement once
                if triple in seen:
                    continue
                seen.add(triple)
            yield triple, iter((None,))

    def __len__(self, context: Graph | None = None) -> int:
        graph = None if context is None or context.identifier == _DEFAULT_ID else _to_ox_pattern(context.identifier)
        if graph is None:  # Oxigraph's own count of the union, each statement once
            answer = self._inner.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
            return int(next(iter(answer))[0].value)
        return _count(self._inner, graph)


_NOTHING = object()


def _count(store: ox.Store, graph: ox.NamedNode) -> int:
    """Statements in one graph, counted by Oxigraph (a Python loop takes seconds at 10^6)."""
    answer = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    return int(next(iter(answer))[0].value)


def _to_ox_pattern(term: Node) -> object:
    try:
        return _to_ox(term)
    except (TypeError, ValueError):
        return _NOTHING  # e.g. a literal in the subject place: matches nothing


_VERSION = re.compile(r"[0-9a-f]{16}")
_OURS = re.compile(r"[0-9a-f]{16}(\.inuse)?|building-\d+(-\d+)?|\.lock")
_BUILDS = itertools.count(1)  # numbers the builds of this process


def _version(files: list[PendingFile], base: str) -> str:
    digest = hashlib.sha256(f"{_KIND} {_LAYOUT}\n{base}\n".encode())
    for pending in files:
        digest.update(f"{pending.path}\0{pending.graph}\0{pending.digest}\n".encode())
    return digest.hexdigest()[:16]


def _manifest(version: Path) -> dict | None:
    """The manifest of a complete version; None when it is not built yet."""
    try:
        data = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"the store at {version} is damaged ({MANIFEST}: {exc}); remove that folder and it "
                          "will be rebuilt from the data files") from None
    if not isinstance(data, dict) or data.get("kind") != _KIND or not isinstance(data.get("files"), list):
        raise ConfigError(f"the store at {version} is damaged ({MANIFEST} is not a cop-graph manifest); remove "
                          "that folder and it will be rebuilt from the data files")
    return data


_POSITION = re.compile(r"on line (\d+) at position (\d+)")


def _input_error(path: Path, message: str) -> InputError:
    found = _POSITION.search(message)
    if found:
        return InputError(path, f"syntax error: {message[:found.start()].strip()}", int(found[1]), int(found[2]) + 1)
    return InputError(path, f"syntax error: {message}")


def _cannot_write(folder: Path) -> str | None:
    """Why this process may not write in ``folder`` (its reason from the system), or None."""
    try:
        with open(folder / ".lock", "a"):
            return None
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return exc.strerror
        raise ConfigError(f"cannot use {folder} as the store folder: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _locked(path: Path, kind: int) -> Iterator[None]:
    """One process builds at a time; the others wait, then find the version built."""
    with open(path, "a") as handle:
        fcntl.flock(handle, kind)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
