"""Where each statement says so, and the sources behind an answer's rows.

The rule (docs/provenance.md): a statement described by its own ``owl:Axiom`` rests on that
description's passages and documents, or is a curated mapping; any other statement rests on
its subject's passages and documents. One query (``queries/statement-sources.rq``) reads
both levels; this module applies the rule, for the resource page and for ``--sources``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib.query import ResultRow
from rdflib.term import Literal, Node, URIRef

from cop_graph.sparql.evaluate import run_named
from cop_graph.sparql.library import named
from cop_graph.store.dataset import CopDataset


@dataclass(frozen=True)
class Support:
    """One thing a statement rests on: a quoted passage, a document cited as a whole, or a
    curated mapping (no quote: its note says why)."""

    kind: str  # "passage", "document" or "curated"
    source: str  # the passage, the document, or the mapping's description
    quote: str | None = None
    document: str | None = None
    document_label: str | None = None
    note: str | None = None  # a curated mapping's note, or an editorial note on the statement
    link: str | None = None  # where to read it: the passage's IRI, or the document's web address

    def as_dict(self) -> dict[str, str]:
        """The plain form answers carry (JSON, CSV): empty fields left out."""
        fields = {"kind": self.kind, "source": self.source, "quote": self.quote,
                  "document": self.document, "documentLabel": self.document_label,
                  "link": self.link, "note": self.note}
        return {key: value for key, value in fields.items() if value is not None}


@dataclass(frozen=True)
class Statement:
    """A statement about a resource with what supports it; ``level`` says whether its own
    description (``statement``) or its resource's sources (``resource``) are used."""

    property: URIRef
    value: Node
    level: str
    supports: tuple[Support, ...]


KEPT = 1024  # resources whose statements' sources are kept per version of the data


def statement_sources(loaded: CopDataset, iri: str) -> list[Statement]:
    """Every statement about ``iri`` (types, the provenance links themselves and editorial
    notes left out) with its supports, the statement's own description taking precedence.
    Kept per version of the data: resource pages and answers' rows ask for the same ones."""
    return loaded.memo("statement sources", iri, build=lambda: _statement_sources(loaded, iri), keep=KEPT)


def _statement_sources(loaded: CopDataset, iri: str) -> list[Statement]:
    query = named(loaded, "statement-sources")
    found: dict[tuple[Node, Node], dict[str, list[Support]]] = {}
    for row in run_named(loaded, query, {"resource": iri}):
        levels = found.setdefault((row.property, row.value), {})
        note = row.note if row.note is not None else row.editorial
        support = Support(str(row.kind), str(row.source),
                          quote=_text(row.quote), document=_text(row.document),
                          document_label=_text(row.documentLabel), note=_text(note),
                          link=_text(_link(row)))
        kept = levels.setdefault(str(row.level), [])
        if support not in kept:
            kept.append(support)
    statements = []
    for (prop, value), levels in found.items():
        level = "statement" if "statement" in levels else "resource"
        statements.append(Statement(prop, value, level, tuple(levels[level])))
    return statements


def row_sources(loaded: CopDataset, row: dict[str, Node]) -> list[dict[str, str]]:
    """What supports one answer row: the supports of every statement that joins two of the
    row's values (its subject an IRI of the row, its value another of the row's values);
    an IRI of the row that no such statement reaches contributes its own resource-level
    sources."""
    values = [value for value in row.values() if value is not None]
    iris = [value for value in values if isinstance(value, URIRef)]
    reached: set[Node] = set()
    supports: list[Support] = []
    statements = {iri: statement_sources(loaded, str(iri)) for iri in dict.fromkeys(iris)}
    for iri, about in statements.items():
        for statement in about:
            if statement.value != iri and _among(statement.value, values):
                reached.update((iri, statement.value))
                supports.extend(s for s in statement.supports if s not in supports)
    for iri, about in statements.items():
        if iri in reached:
            continue
        for statement in about:
            if statement.level == "resource":
                supports.extend(s for s in statement.supports if s not in supports)
    return [support.as_dict() for support in supports]


def _among(value: Node, values: list[Node]) -> bool:
    """A statement's value is one of the row's: literals compare by their text, as a row's
    literal may come back with or without its language tag or datatype."""
    if isinstance(value, Literal):
        return any(isinstance(v, Literal) and str(v) == str(value) for v in values)
    return value in values


def _link(row: ResultRow) -> Node:
    """Where to read a support: a document's web address when it has one, else its IRI."""
    return row.documentUrl if str(row.kind) == "document" and row.documentUrl is not None else row.source


def _text(node: Node | None) -> str | None:
    return None if node is None else str(node)
