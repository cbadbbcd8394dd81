"""The default store: Oxigraph in memory, with nothing to set up. Every file is read at
every start (rdflib's checked parser for small files, Oxigraph's own for large ones) and
becomes its named graph; Oxigraph answers the queries."""

from __future__ import annotations

import pyoxigraph as ox

from cop_graph.config import Config
from cop_graph.store.base import Loaded, PendingFile
from cop_graph.store.engine import OxigraphEngine


class MemoryStore(OxigraphEngine):
    name = "memory"

    def __init__(self, config: Config | None = None) -> None:
        self.config = config
        self.parsed = 0
        self._store = ox.Store()
        self.dataset = self.reading(self._store)

    def load(self, files: list[PendingFile]) -> list[Loaded]:
        """Each file is read completely before any of it joins the store, so a file that
        fails leaves nothing of itself behind; a failure leaves the store empty."""
        loaded = []
        try:
            for pending in files:
                triples = self.load_file(self._store, pending)
                loaded.append(Loaded(pending.path, pending.graph, pending.digest, pending.bundled, triples))
        except BaseException:
            self._store.clear()
            raise
        return loaded

    def close(self) -> None:
        """Memory is released with the store."""
