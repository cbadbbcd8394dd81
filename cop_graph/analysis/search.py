"""Search over the labels of every resource: normalisation, an index built once per dataset
version, ranking, a type filter, and "did you mean" suggestions for near misses.

No web framework here: the search page and the not-found page both call these functions.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from cop_graph.errors import ParameterError
from cop_graph.rdf.labels import ALTERNATIVE_LABELS, LABEL_PROPERTIES, choose_label, normalise, short
from cop_graph.rdf.namespaces import PREFIXES
from cop_graph.sparql.evaluate import select
from cop_graph.store.dataset import CopDataset

# Preferred labels in the order a display label is chosen (SKOS and RDFS first, as in labels.py).
PREFERRED = LABEL_PROPERTIES
ALTERNATIVE = ALTERNATIVE_LABELS
HIDDEN = (SKOS.hiddenLabel,)  # searched, never shown (SKOS: for misspellings and the like)
MATCH_KINDS = ("exact", "prefix", "word", "substring", "words")
MAX_QUERY_LENGTH = 200

@dataclass(frozen=True)
class Label:
    """One label of a resource, with its normalised forms."""

    text: str
    key: str
    compact: str  # the key without spaces, so that "btech" finds "B-Tech"
    preferred: bool
    hidden: bool

    @classmethod
    def of(cls, prop: URIRef, value: Literal) -> Label:
        key = normalise(str(value))
        return cls(str(value), key, key.replace(" ", ""), prop not in ALTERNATIVE and prop not in HIDDEN,
                   prop in HIDDEN)


@dataclass(frozen=True)
class Entry:
    """One resource in the index."""

    iri: str
    label: str
    labels: tuple[Label, ...]
    types: frozenset[str]
    short_types: tuple[str, ...]
    sort_key: str


@dataclass(frozen=True)
class Hit:
    """A search result. ``matched`` is the label that matched when it is not the display label
    (an alternative label, say); ``match`` is one of :data:`MATCH_KINDS` (or ``similar`` for
    a suggestion); ``rank`` counts from 1."""

    iri: str
    label: str
    matched: str | None
    types: tuple[str, ...]
    match: str
    rank: int = 0


@dataclass(frozen=True)
class SearchIndex:
    """Every labelled resource, and for suggestions each normalised label or IRI segment with
    the positions of the entries it names."""

    base: str
    entries: tuple[Entry, ...]
    keys: dict[str, list[int]]

    def type_counts(self) -> list[tuple[str, int]]:
        """Each type that occurs (short form) with how many indexed resources have it."""
        counts = Counter(t for entry in self.entries for t in entry.short_types)
        return sorted(counts.items())


def build_index(loaded: CopDataset) -> SearchIndex:
    """Read every resource's labels and types (queries/pages/search-labels.rq) into an index."""
    found: dict[str, tuple[set[tuple[URIRef, Literal]], set[URIRef]]] = {}
    for row in select(loaded, "search-labels"):
        labels, types = found.setdefault(str(row["resource"]), (set(), set()))
        labels.add((row["property"], row["label"]))
        if "type" in row:
            types.add(row["type"])
    base = loaded.config.base
    entries = tuple(_entry(iri, labels, types, base) for iri, (labels, types) in sorted(found.items()))
    return SearchIndex(base, entries, _suggestion_keys(entries))


def _suggestion_keys(entries: tuple[Entry, ...]) -> dict[str, list[int]]:
    """Each normalised label or IRI segment with the entries it names, strongest first."""
    named: dict[str, list[tuple[int, str, int]]] = {}
    for position, entry in enumerate(entries):
        for key, strength in _keys(entry).items():
            named.setdefault(key, []).append((strength, entry.sort_key, position))
    return {key: [position for *_, position in sorted(found)] for key, found in named.items()}


def _keys(entry: Entry) -> dict[str, int]:
    """What a suggestion can match an entry by: 0 a preferred label, 1 an alternative one,
    2 the last segment of its IRI (so ``telefonika`` suggests the company before its memberships)."""
    keys = {normalise(_last_segment(entry.iri)): 2}
    for label in entry.labels:
        keys[label.key] = min(keys.get(label.key, 2), 0 if label.preferred else 1)
    keys.pop("", None)
    return keys


def _entry(iri: str, labels: set[tuple[URIRef, Literal]], types: set[URIRef], base: str) -> Entry:
    display = display_label(labels) or short(URIRef(iri), base)
    # The display label first, so that when it matches as well as another, no "matched" is shown.
    searchable = tuple(sorted((Label.of(prop, value) for prop, value in labels),
                              key=lambda label: (label.text != display, not label.preferred, label.text)))
    shorts = tuple(sorted(short(t, base) for t in types))
    return Entry(iri, display, searchable, frozenset(str(t) for t in types), shorts, normalise(display))


def display_label(labels: Iterable[tuple[URIRef, Literal]]) -> str | None:
    """The label to show: preferred labels first, then alternative ones (never hidden)."""
    return choose_label(labels, properties=(*PREFERRED, *ALTERNATIVE))


def index_for(loaded: CopDataset) -> SearchIndex:
    """The index of a dataset, built on first use and kept per dataset version (the data does
    not change while an app runs; a new version builds a new index)."""
    return loaded.memo("search index", build=lambda: build_index(loaded))


def resolve_type(value: str, base: str) -> str:
    """The IRI of a type given as an IRI, ``<IRI>`` (absolute or relative to the base) or a
    prefixed name such as ``org:FormalOrganization``."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
        return text if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", text) else base + text.lstrip("/")
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return str(PREFIXES[prefix]) + local
    if re.fullmatch(r"(https?://|urn:)[^\s<>\"{}|\\^`]+", text):
        return text
    raise ParameterError(f"parameter 'type' must be a type IRI or a prefixed name such as org:FormalOrganization "
                         f"(prefixes: {', '.join(PREFIXES)}); got {value[:100]!r}")


def matches(index: SearchIndex, text: str, types: Iterable[str] = ()) -> list[Hit]:
    """Every resource with a label that matches ``text``, best first; ``types`` (resolved IRIs)
    keeps only resources with one of them. An empty query matches nothing."""
    query = normalise(text)
    if not query:
        return []
    wanted = frozenset(types)
    scored = []
    for entry in index.entries:
        if wanted and not wanted & entry.types:
            continue
        best = _best_label(entry, query)
        if best is not None:
            tier, label = best
            scored.append(((tier, not label.preferred, entry.sort_key, entry.iri), entry, label))
    scored.sort(key=lambda item: item[0])
    return [_hit(entry, label, MATCH_KINDS[key[0]], rank) for rank, (key, entry, label) in enumerate(scored, 1)]


def _best_label(entry: Entry, query: str) -> tuple[int, Label] | None:
    """The entry's best-matching label with its tier: lowest tier, then preferred before alternative."""
    best = None
    for label in entry.labels:
        tier = _tier(label, query)
        if tier is not None and (best is None or (tier, not label.preferred) < (best[0], not best[1].preferred)):
            best = (tier, label)
    return best


def _tier(label: Label, query: str) -> int | None:
    """How well a label matches, 0 best (an index into :data:`MATCH_KINDS`), None if not at all."""
    key, compact = label.key, query.replace(" ", "")  # spaces dropped too: "b tech" = "btech"
    if key == query or label.compact == compact:
        return 0
    if key.startswith(query) or label.compact.startswith(compact):
        return 1
    if f" {query}" in f" {key}":
        return 2
    if query in key or compact in label.compact:
        return 3
    words = key.split()
    if all(any(word.startswith(part) for word in words) for part in query.split()):
        return 4
    return None


def _hit(entry: Entry, label: Label, match: str, rank: int) -> Hit:
    matched = None if label.hidden or label.text == entry.label else label.text
    return Hit(entry.iri, entry.label, matched, entry.short_types, match, rank)


def search(loaded: CopDataset, text: str, types: Iterable[str] = (), limit: int = 50) -> list[Hit]:
    """The best ``limit`` matches for ``text``; ``types`` as IRIs or prefixed names."""
    index = index_for(loaded)
    resolved = [resolve_type(t, index.base) for t in types]
    return matches(index, text, resolved)[:limit]


def suggest(loaded: CopDataset, text: str, limit: int = 5) -> list[Hit]:
    """Resources a reader may have meant by ``text`` — a label, a misspelt name, or a path or
    IRI (its last segment is used): real matches first, then near misses by similarity of
    their labels or of the last segment of their IRI."""
    index = index_for(loaded)
    wanted = normalise(_last_segment(text))[:MAX_QUERY_LENGTH]
    if not wanted or limit < 1:
        return []
    hits = matches(index, wanted)[:limit]
    seen = {hit.iri for hit in hits}
    for key in difflib.get_close_matches(wanted, list(index.keys), n=limit * 4, cutoff=0.6):
        for position in index.keys[key]:
            entry = index.entries[position]
            if entry.iri not in seen and len(hits) < limit:
                seen.add(entry.iri)
                label = next((lab for lab in entry.labels if lab.key == key), entry.labels[0])
                hits.append(_hit(entry, label, "similar", len(hits) + 1))
    return hits


def _last_segment(text: str) -> str:
    """``org/telefonica`` or a whole IRI → ``telefonica``; plain text is returned as it is."""
    stripped = text.strip().rstrip("/#")
    if "/" not in stripped and "#" not in stripped:
        return stripped
    return re.split(r"[/#]", stripped)[-1]
