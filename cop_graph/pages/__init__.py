"""Page data for the explorer: one dataclass per page, built from the queries under
``queries/pages/`` and fed both to the HTML template and to the page's JSON twin.

These are the app's own trusted, bounded queries; they run in-process through the one
query function (:func:`cop_graph.queries.run_named`), while user queries go through the
engine with its limits.
"""

from __future__ import annotations

from rdflib.term import Node

from cop_graph.dataset import CopDataset
from cop_graph.queries import NamedQuery, find_query, load_library, run_named


def page_queries(loaded: CopDataset) -> dict[str, NamedQuery]:
    return load_library(loaded.config.queries_dir / "pages")


def select(loaded: CopDataset, name: str, **values: str) -> list[dict[str, Node]]:
    """The rows of one page query as dictionaries (unbound variables left out)."""
    query = find_query(page_queries(loaded), name)
    return [{str(k): v for k, v in row.asdict().items()} for row in run_named(loaded, query, values)]
