"""Where the loaded statements live, chosen by the ``store`` setting (``--store``).

``memory``
    An Oxigraph store in memory: no set-up, every file parsed at every start.
``oxigraph``
    An Oxigraph store on disk, built once by the bulk loader and reopened read-only while
    the files it came from are unchanged.
``sparql``
    Any SPARQL 1.1 store over HTTP (Oxigraph, Fuseki, GraphDB, Virtuoso, QLever …): queries
    are sent there, after our own checks, with the dataset named in every request.

Each store gives the same two things to the rest of the package: an rdflib ``Dataset``
for statement-level reading (pages, labels, validation) and :meth:`Store.query`, which
answers every query (Oxigraph evaluates them, or the remote store). Everything else (the
query checks, limits and result writing) is shared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rdflib import Dataset, Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node

from cop_graph.config import Config

# The (default graphs, named graphs) a query is answered over.
Graphs = tuple[list[URIRef], list[URIRef]]


@dataclass(frozen=True)
class PendingFile:
    """A file to load: where it is, the graph it becomes, and how to read it with rdflib."""

    path: Path
    graph: URIRef
    digest: str
    bundled: bool
    read: Callable[[], Graph]  # parsed, checked and moved under the configured base
    verbatim: bool  # its IRIs need no change, so a store's own parser may read the file
    done: Callable[[], None] = lambda: None  # a store that loads the file without read() calls this


@dataclass(frozen=True)
class Loaded:
    """One file as it sits in the store."""

    path: Path
    graph: URIRef
    digest: str
    bundled: bool
    triples: int


@dataclass(frozen=True)
class Written:
    """A SELECT answer the store wrote in a result format itself, and its number of rows."""

    body: str
    rows: int


class Store(Protocol):
    name: str
    dataset: Dataset
    parsed: int  # files this process parsed to fill the store (0 when reopened as it was)

    def load(self, files: list[PendingFile]) -> list[Loaded]:
        """Put the files in the store, each as its own named graph; nothing half-loaded."""

    def query(self, text: str, bindings: dict[str, Node], graphs: Graphs | None, rows: int | None = None,
              form: str | None = None) -> Result:
        """Answer a checked query (``form`` as the text's scan found it, None if unknown).

        ``bindings`` give named queries' parameters; ``graphs`` is the (default, named)
        dataset the query or the protocol asked for, None for the union of the files as
        default graph; rows (or triples) past ``rows`` + 1 may be left out, since they would
        be cut."""

    def written(self, text: str, bindings: dict[str, Node], graphs: Graphs | None, fmt: str,
                rows: int) -> Written | None:
        """A checked SELECT query's answer written by the store's own writer in ``fmt`` (a
        name of the result format table), or None when the store cannot write it so: a
        format it lacks, or an answer longer than ``rows`` (the caller then asks
        :meth:`query`, which cuts it)."""

    def close(self) -> None:
        """Release files and connections."""


def open_store(config: Config) -> Store:
    """The configured store, empty or as left by an earlier start."""
    if config.store == "oxigraph":
        from cop_graph.store.oxigraph import OxigraphDiskStore

        return OxigraphDiskStore(config)
    if config.store == "sparql":
        from cop_graph.store.remote import RemoteStore

        return RemoteStore(config)
    from cop_graph.store.memory import MemoryStore

    return MemoryStore(config)
