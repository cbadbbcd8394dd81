"""cop-graph: a knowledge graph of the UN B-Tech Project's Company Community of Practice.

The Python API (docs/python.md): ``cop_graph.load()`` gives a :class:`~cop_graph.api.Dataset`
to query, validate and measure. It is imported on first use, so the command line and the
server start without it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Dataset", "Result", "load"]

if TYPE_CHECKING:
    from cop_graph.api import Dataset, Result, load


def __getattr__(name: str) -> Any:
    if name in __all__:
        from cop_graph import api

        return getattr(api, name)
    raise AttributeError(f"module 'cop_graph' has no attribute {name!r}")
