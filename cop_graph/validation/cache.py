"""Validation results kept on disk, keyed by the content they were computed from.

Each unit's findings (see :mod:`cop_graph.validation.shapes`) are stored under a key made of
the unit's definition and, for each predicate it reads, the digests of that predicate's
statements in every loaded file. An edit to one file changes the keys of only the units
that read what changed; every other unit's findings are reused as they are. Blank nodes
are named afresh at every parse, so findings about them are never reused.

Entries are JSON files written to a temporary name and renamed into place, so a reader
sees a whole entry or none, and two processes may share the folder. An entry read is
touched; entries no run has used for :data:`KEEP_DAYS` days are removed (at most once a
day), so the folder does not grow with every version of the data ever validated.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pyshacl
from rdflib import Graph, URIRef

from cop_graph import __version__

FORMAT = 1  # bump when what is stored changes meaning
KEEP_DAYS = 30
_DAY = 86_400.0
# What this cache writes: entries, and the temporary files they are written through.
_ENTRY = re.compile(r"(?:files|units|conflicts)/[0-9a-f]{2}/(?:(?P<entry>[0-9a-f]{64}\.json)|tmp[a-z0-9_]{8}\.tmp)")


class ValidationCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / f"{key}.json"

    def get(self, kind: str, key: str) -> object | None:
        path = self._path(kind, key)
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # absent, unreadable or damaged: computed again
        with contextlib.suppress(OSError):  # a cache shared read-only is still used
            os.utime(path)  # used: kept for another KEEP_DAYS
        return value

    def prune(self) -> int:
        """Remove the entries unused for KEEP_DAYS days (and temporary files a killed run
        left); at most once a day. Returns how many files were removed."""
        marker, now = self.folder / ".pruned", time.time()
        try:
            if now - marker.stat().st_mtime < _DAY:
                return 0
        except OSError:
            pass
        removed = 0
        for path in self.folder.glob("*/*/*"):
            kept = _ENTRY.fullmatch(path.relative_to(self.folder).as_posix())
            if kept is None:
                continue  # not ours: the folder may have been pointed at other files
            try:
                age = now - path.stat().st_mtime
                if age > (KEEP_DAYS * _DAY if kept["entry"] else _DAY):
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        with contextlib.suppress(OSError):
            marker.touch()
        return removed

    def put(self, kind: str, key: str, value: object) -> None:
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp",
                                             delete=False) as handle:
                json.dump(value, handle)
            os.replace(handle.name, path)
        except OSError:
            pass  # a cache that cannot be written only makes the next run slower


def predicate_digests(graph: Graph) -> dict[str, str]:
    """For each predicate of a file, a digest of its statements in that file."""
    lines: dict[str, list[str]] = defaultdict(list)
    for s, p, o in graph.triples((None, None, None)):
        lines[str(p)].append(f"{s.n3()} {o.n3()}")
    return {p: hashlib.sha256("\n".join(sorted(each)).encode()).hexdigest()[:20] for p, each in lines.items()}


def unit_key(unit_digest: str, reads: frozenset[URIRef] | None, files: list[tuple[str, dict[str, str]]],
             base: str) -> str:
    """The key of a unit's findings: its definition and the content of what it reads."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{pyshacl.__version__}\0{base}\0{unit_digest}".encode())
    for graph, predicates in files:
        digest.update(b"\0" + graph.encode())
        wanted = sorted(predicates) if reads is None else sorted(str(p) for p in reads if str(p) in predicates)
        for predicate in wanted:
            digest.update(f"\0{predicate}={predicates[predicate]}".encode())
    return digest.hexdigest()
