"""rdflib's in-memory store: the default, with nothing to set up."""

from __future__ import annotations

from rdflib import Dataset, URIRef
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from cop_graph.store.base import Loaded, PendingFile


class MemoryStore:
    name = "memory"

    def __init__(self) -> None:
        self.dataset = Dataset(default_union=True)
        self.parsed = 0

    def load(self, files: list[PendingFile]) -> list[Loaded]:
        loaded = []
        for pending in files:
            parsed = pending.read()  # a file that fails leaves nothing behind
            self.parsed += 1
            target = self.dataset.graph(pending.graph)
            target += parsed
            loaded.append(Loaded(pending.path, pending.graph, pending.digest, pending.bundled, len(target)))
        return loaded

    def query(self, text: str, query: Query, bindings: dict[str, Node],
              graphs: tuple[list[URIRef], list[URIRef]] | None, rows: int | None = None) -> Result | None:
        return None  # rdflib evaluates it over self.dataset

    def close(self) -> None:
        """Nothing to release."""
