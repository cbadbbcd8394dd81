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
import gc
import hashlib
import itertools
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import URIRef

from cop_graph.config import Config, user_cache
from cop_graph.errors import ConfigError, OutputError
from cop_graph.store.base import Loaded, PendingFile
from cop_graph.store.engine import OxigraphEngine

MANIFEST = "cop-graph-store.json"
_KIND = "cop-graph oxigraph store"
_LAYOUT = 1


def default_path() -> Path:
    return user_cache() / "oxigraph"


class OxigraphDiskStore(OxigraphEngine):
    name = "oxigraph"

    def __init__(self, config: Config) -> None:
        self.config = config
        self.path = config.store_path or default_path()
        self.parsed = 0
        self._store: ox.Store | None = None
        self._hold: IO | None = None
        self.dataset = self.reading(ox.Store())

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
        failure: BaseException | None = None
        try:
            return self._build_in(files, version, scratch)
        except OSError as exc:  # a full disk, a file-size limit, a folder that became read-only
            failure = OutputError(f"cannot build the Oxigraph store in {self.path}: {exc}; nothing was changed "
                                  "there (the versions already built are kept)")
        except BaseException as exc:
            # Raised again without its frames: they hold the scratch store open, and Oxigraph
            # keeps writing to an open store's folder while it is removed.
            failure = exc.with_traceback(None)
        finally:
            gc.collect()
            _remove(scratch)
        raise failure

    def _build_in(self, files: list[PendingFile], version: Path, scratch: Path) -> dict:
        kept = self._start_from_closest(files, scratch)
        store = ox.Store(str(scratch))
        entries = []
        for pending in files:
            entry = kept.get((str(pending.graph), pending.digest))
            triples = entry["triples"] if entry else self.load_file(store, pending)
            if entry:
                pending.done()
            entries.append({"path": str(pending.path), "graph": str(pending.graph), "digest": pending.digest,
                            "bundled": pending.bundled, "triples": triples})
        store.flush()
        del store
        manifest = {"kind": _KIND, "layout": _LAYOUT, "base": self.config.base, "files": entries}
        (scratch / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        shutil.rmtree(version, ignore_errors=True)  # a version left without its manifest
        scratch.rename(version)
        return manifest

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

    def _open(self, version: Path) -> None:
        try:
            self._store = ox.Store.read_only(str(version))
        except OSError as exc:
            raise ConfigError(f"cannot open the Oxigraph store at {version}: {exc}; remove that folder and it "
                              "will be rebuilt from the data files") from None
        self.dataset = self.reading(self._store)

    def close(self) -> None:
        self._store = None
        if self._hold is not None:
            self._hold.close()
            self._hold = None


















_VERSION = re.compile(r"[0-9a-f]{16}")
def _remove(folder: Path, attempts: int = 50) -> None:
    """Remove a scratch store's folder. A store dropped a moment ago may still have its
    background threads writing a file or two into it, so a removal that leaves something
    behind is tried again (for up to five seconds) rather than leaving the folder there."""
    for _ in range(attempts):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.1)


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
