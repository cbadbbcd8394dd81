"""The Python API, for notebooks and scripts: load the graph, ask it, validate it, measure it.

It uses the loader, the query checks and limits, the validator and the network code the
command line and the server use, so an answer here is the answer there; bad input raises the
same typed errors (:mod:`cop_graph.errors`) the command line turns into exit codes.

    >>> import cop_graph
    >>> ds = cop_graph.load()
    >>> [row["name"] for row in ds.query("joined-in-year", year=2022)]
    ['Telefónica']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Graph
from rdflib.query import Result as RdflibResult
from rdflib.term import Node

from cop_graph.analysis import network
from cop_graph.config import SETTINGS, Config, load_config
from cop_graph.errors import ConfigError, ParameterError
from cop_graph.rdf.formats import SOURCES, write_result
from cop_graph.sparql.engine import Asked, QueryRequest, answer_sources, ask, refuse_sources, within
from cop_graph.sparql.evaluate import run_named
from cop_graph.sparql.library import NamedQuery, find_query, parse_named_query
from cop_graph.sparql.library import library as query_library
from cop_graph.store.dataset import CopDataset, load_dataset
from cop_graph.validation.validate import Report, validate

__all__ = ["Dataset", "Result", "load", "plain"]


def load(data: Iterable[str | Path] = (), store: str = "memory", **settings: Any) -> Dataset:
    """The bundled ontology and data plus ``data`` (files or folders), as ``cop-graph`` loads
    them; ``settings`` are the ones the command line takes (``query_timeout``, ``max_rows``,
    ``store_path``, ``store_url``, ``base`` …), by their Python names."""
    known = {s.name for s in SETTINGS}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r}; the settings are: {', '.join(sorted(known))}")
    if isinstance(data, (str, Path)):
        data = [data]
    config = load_config(store=store, **settings)
    return Dataset(load_dataset(tuple(data), config=config))


class Dataset:
    """The loaded graph: every file is a named graph and the default graph is their union."""

    def __init__(self, loaded: CopDataset) -> None:
        self.loaded = loaded

    @property
    def config(self) -> Config:
        return self.loaded.config

    @property
    def version(self) -> str:
        """Changes whenever a loaded file does; answers are those of this version."""
        return self.loaded.version

    def __len__(self) -> int:
        return len(self.loaded)

    def __repr__(self) -> str:
        return f"<cop_graph.Dataset {len(self):,} triples in {len(self.loaded.files)} graphs, version {self.version}>"

    @property
    def library(self) -> dict[str, NamedQuery]:
        """The named queries (``queries/*.rq``) by name."""
        return query_library(self.loaded)

    def query(self, name_or_sparql: str, *, sources: bool = False, **params: Any) -> Result | Graph:
        """A named query (or a ``.rq`` file) with its parameters bound, or SPARQL text.

        SELECT and ASK give a :class:`Result`; CONSTRUCT and DESCRIBE an rdflib ``Graph``.
        The checks and limits are the endpoint's: read-only, the SERVICE allowlist, the size
        and time limits, the row cap (``max_rows``; the result says when it was cut).
        ``sources=True`` (SELECT only; keyword-only, never a query parameter) gives each row
        a ``"sources"`` key: what its statements rest on, as ``cop-graph query --sources``."""
        text, bindings = self._request(name_or_sparql, params)
        config = self.config

        def work() -> tuple[Asked, list[list[dict[str, str]]] | None]:
            refuse = refuse_sources if sources else None
            asked = ask(self.loaded, QueryRequest(text, bindings, sources=sources), config, on_form=refuse)
            return asked, answer_sources(self.loaded, asked) if sources else None

        asked, supports = within(config.query_timeout, work)
        if asked.form in ("CONSTRUCT", "DESCRIBE"):
            return asked.result.graph
        return Result(asked.result, config.base, asked.truncated, supports)

    def _request(self, name_or_sparql: str, params: dict[str, Any]) -> tuple[str, dict[str, Node]]:
        text = name_or_sparql.strip()
        named = self.library.get(text)
        if named is None and text.endswith(".rq") and "\n" not in text:
            path = Path(text)
            if not path.is_file():
                raise ParameterError(f"{text}: no such query file")
            named = parse_named_query(path, require_header=False)
        if named is None and _looks_like_a_name(text):
            named = find_query(self.library, text)  # raises: no such named query
        if named is not None:
            values = {name: str(value) for name, value in params.items()}
            return named.text, named.bindings(values, self.config.base)
        if params:
            raise ParameterError("parameters apply to named queries and .rq files, not to SPARQL text")
        return name_or_sparql, {}

    def validate(self) -> Report:
        """The SHACL report ``cop-graph validate`` prints (``report.to_text()``) or writes as
        JSON (``report.to_dict()``); findings are reused from the validation cache."""
        return validate(self.loaded, cache=self.config.validation_cache)

    def network(self, projection: str, year: int | str | None = None) -> nx.Graph:
        """One of the network projections (``orgs``, ``topics``, ``org-topic``, ``people``,
        ``cop``, ``full``), for one year or all of them, as a networkx graph."""
        return network.projection(self.loaded, projection, None if year is None else str(year))

    def stats(self) -> dict[str, Any]:
        """Triples per named graph (with the file it was read from) and instances per class,
        as ``cop-graph stats --format json`` gives them. These are the app's own queries over
        the whole graph, so they run without the row cap and time limit user queries get."""
        files = {str(s.graph): s.display(self.config.root) for s in self.loaded.files}
        graphs = run_named(self.loaded, self.library["triples-per-graph"], {})
        classes = run_named(self.loaded, self.library["instances-per-class"], {})
        return {
            "version": self.version,
            "triples": len(self),
            "graphs": [{"graph": str(row["graph"]), "file": files.get(str(row["graph"])),
                        "triples": int(row["triples"])} for row in graphs],
            "classes": [{"class": str(row["class"]), "instances": int(row["instances"])} for row in classes],
        }


def _looks_like_a_name(text: str) -> bool:
    return bool(text) and all(c.isalnum() or c in "-_" for c in text)


class Result:
    """The answer to a SELECT or ASK query. Iterating a SELECT result gives one dict per row,
    variable to plain Python value: ``str`` for IRIs and text, ``int``, ``float``,
    ``Decimal``, ``bool``, ``datetime.date`` or ``datetime`` where the datatype says so, the
    lexical form where Python has no type for it (``xsd:gYear``), ``None`` when unbound.
    Asked with ``sources=True``, each row also has ``"sources"``: a list of dicts, one per
    passage, document or curated mapping its statements rest on (not in ``variables``)."""

    def __init__(self, result: RdflibResult, base: str, truncated: bool = False,
                 sources: list[list[dict[str, str]]] | None = None) -> None:
        self._result = result
        self._base = base
        self._sources = sources
        self.form: str = result.type
        self.truncated = truncated
        self.variables: list[str] = [str(v) for v in result.vars or ()]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self.form == "ASK":
            raise TypeError("an ASK result is one boolean: use bool(result)")
        for index, row in enumerate(self._result.bindings):
            values = {str(name): plain(row.get(name)) for name in self._result.vars}
            if self._sources is not None:
                values[SOURCES] = self._sources[index]
            yield values

    def __len__(self) -> int:
        return 1 if self.form == "ASK" else len(self._result.bindings)

    def __bool__(self) -> bool:
        return bool(self._result.askAnswer) if self.form == "ASK" else bool(self._result.bindings)

    def __repr__(self) -> str:
        if self.form == "ASK":
            return f"<cop_graph.Result ASK {bool(self)}>"
        return f"<cop_graph.Result SELECT {len(self)} rows: {', '.join(self.variables)}>"

    def to_csv(self) -> str:
        """SPARQL 1.1 CSV, as the endpoint writes it (with sources, their last column)."""
        return write_result(self._result, "csv", self._base, self._sources)

    def to_tsv(self) -> str:
        return write_result(self._result, "tsv", self._base, self._sources)

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON, as the endpoint writes it (with sources, a
        ``sources`` member in each binding)."""
        return write_result(self._result, "json", self._base, self._sources)


def plain(term: Node | None) -> Any:
    """A term as a plain Python value (see :class:`Result`)."""
    if term is None:
        return None
    value = term.toPython()
    return str(term) if isinstance(value, Node) else value
