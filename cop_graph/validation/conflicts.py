"""Cross-file conflicts: one resource given different single values by two files.

Which properties take a single value is read from the shapes (``sh:maxCount 1``, or
``sh:uniqueLang`` for one value per language), so the rule lives in one place. The
validator reports these as violations; commands that only read (query, stats, serve)
warn about them, since their answers may then count a resource twice.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from cop_graph.rdf.labels import short
from cop_graph.sparql.evaluate import run_named
from cop_graph.sparql.library import named
from cop_graph.store.dataset import CopDataset
from cop_graph.store.locations import locate_statement
from cop_graph.validation.cache import ValidationCache
from cop_graph.validation.validate import load_shapes


@dataclass(frozen=True)
class Conflict:
    subject: Node
    predicate: URIRef
    values: tuple[tuple[Node, str], ...]  # (value, "file:line")

    def describe(self, base: str) -> str:
        stated = "; ".join(f"{_text(v)} ({where})" for v, where in self.values)
        return f"<{self.subject}> has conflicting values for {short(self.predicate, base)}: {stated}"


def _text(value: Node) -> str:
    return value.n3() if isinstance(value, Literal) else f"<{value}>"


def single_valued(shapes: Graph) -> tuple[set[URIRef], set[URIRef]]:
    """(properties with one value, properties with one value per language) per the shapes."""
    one = {p for s in shapes.subjects(SH.maxCount, Literal(1)) if isinstance(p := shapes.value(s, SH.path), URIRef)}
    per_language = {p for s in shapes.subjects(SH.uniqueLang, Literal(True))
                    if isinstance(p := shapes.value(s, SH.path), URIRef)}
    return one, per_language - one


def conflict_warnings(loaded: CopDataset) -> list[str]:
    """The conflicts described for people, found once per dataset version: the search reads
    every single-valued statement (seconds at 10^6 triples), and a restart on the same data
    should not wait for it again."""
    config = loaded.config
    shapes = config.shapes_file.resolve()
    key = hashlib.sha256(f"{loaded.version}\0{config.base}\0{hashlib.sha256(shapes.read_bytes()).hexdigest()}"
                         .encode()).hexdigest()
    cache = ValidationCache(config.validation_cache) if config.validation_cache else None
    kept = cache.get("conflicts", key) if cache else None
    if isinstance(kept, list) and all(isinstance(line, str) for line in kept):
        return kept
    lines = [conflict.describe(config.base) for conflict in find_conflicts(loaded)]
    if cache:
        cache.put("conflicts", key, lines)
    return lines


def find_conflicts(loaded: CopDataset, shapes_path: Path | None = None) -> list[Conflict]:
    one, per_language = single_valued(load_shapes((shapes_path or loaded.config.shapes_file).resolve()))
    found = []
    several = named(loaded, "several-values")
    # A store that answers queries itself finds the few resources with several values far
    # faster than reading every statement through rdflib; in rdflib's own memory it is the
    # other way round.
    native = loaded.store is not None and loaded.store.name != "memory"
    for predicate in sorted(one | per_language):
        groups: dict[tuple[Node, str | None], set[Node]] = defaultdict(set)
        subjects = [row.resource for row in run_named(loaded, several, {"property": str(predicate)})] \
            if native else [None]
        for subject in subjects:
            for s, _, o in loaded.dataset.triples((subject, predicate, None)):
                language = o.language if isinstance(o, Literal) and predicate in per_language else None
                groups[(s, language)].add(o)
        for (subject, _), values in sorted(groups.items(), key=lambda item: str(item[0][0])):
            if len(values) < 2:
                continue
            stated = tuple((v, str(loc)) for v in sorted(values)
                           for loc in locate_statement(loaded, subject, predicate, v))
            if len({where.split(":")[0] for _, where in stated}) > 1:
                found.append(Conflict(subject, predicate, stated))
    return found
