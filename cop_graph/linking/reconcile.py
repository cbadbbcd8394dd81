"""Reconciling an imported dataset with the COP graph: its organisations matched to the COP's
by identifier first (Wikidata item, LEI), then by normalised name and aliases, each match
with a score and its evidence; a reviewer's decisions override the matcher.

Names are compared in :func:`cop_graph.labels.normalise`'s form (case, accents and punctuation
folded) with legal-form words (Inc., Corp., plc, AB, S.A., Group, …) dropped from the end.
Nothing under the threshold is linked unless a reviewer accepted it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from cop_graph.config import Config
from cop_graph.errors import InputError, ParameterError
from cop_graph.rdf.labels import normalise
from cop_graph.sparql.evaluate import run_named
from cop_graph.sparql.library import named
from cop_graph.store.dataset import CopDataset, load_dataset

# Legal-form and grouping words, normalised, dropped from the end of a name (repeatedly).
LEGAL_SUFFIXES = tuple(tuple(s.split()) for s in (
    "inc", "incorporated", "corp", "corporation", "co", "company", "cos", "plc", "public limited company",
    "ab", "publ", "ab publ", "s a", "sa", "s a b de c v", "sab de cv", "s p a", "spa", "s l", "sl", "se",
    "ag", "gmbh", "kgaa", "n v", "nv", "b v", "bv", "llc", "l l c", "lp", "ltd", "limited", "pty", "oyj", "asa",
    "group", "holding", "holdings", "the",
))
SCORES = {"identifier": 1.0, "name": 0.95, "alias": 0.9, "partial name": 0.8}
SIMILAR_WEIGHT = 0.85  # a difflib ratio of 1.0 after suffix stripping would have been a "name" match
EXACT_METHODS = ("identifier", "name", "alias")
JUSTIFICATIONS = {"identifier": "DatabaseCrossReference", "name": "LexicalMatching", "alias": "LexicalMatching",
                  "partial name": "LexicalSimilarityThresholdMatching",
                  "similar name": "LexicalSimilarityThresholdMatching", "reviewed": "ManualMappingCuration"}
COP_TYPES = ("org#Organization", "org#FormalOrganization", "org#OrganizationalUnit",
             "org#OrganizationalCollaboration", "schema.org/Corporation")
_PREFERRED = ("rdf-schema#label", "core#prefLabel", "schema.org/name")
_ALIASES = ("core#altLabel", "schema.org/alternateName")
_WIKIDATA = re.compile(r"^https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/(Q[1-9][0-9]*)$")


def name_key(text: str) -> str:
    """A name in the form it is matched in: normalised, legal-form words dropped from the end."""
    words = normalise(text).split()
    changed = True
    while changed and len(words) > 1:
        changed = False
        for suffix in sorted(LEGAL_SUFFIXES, key=len, reverse=True):
            if len(words) > len(suffix) and tuple(words[-len(suffix):]) == suffix:
                words = words[:-len(suffix)]
                changed = True
                break
    return " ".join(words)


@dataclass(frozen=True)
class Entity:
    """An organisation on either side: its IRI, names, aliases and identifiers."""

    iri: str
    names: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    wikidata: frozenset[str] = frozenset()
    lei: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        return (self.names or self.aliases or (self.iri,))[0]


@dataclass(frozen=True)
class Candidate:
    """A possible match with its score, how it was found and the evidence for it."""

    external: Entity
    cop: Entity
    score: float | None
    method: str
    evidence: str
    match_string: str | None = None

    @property
    def exact(self) -> bool:
        return self.method in EXACT_METHODS

    @property
    def justification(self) -> str:
        return JUSTIFICATIONS[self.method]


@dataclass(frozen=True)
class Decision:
    """One reviewed pair from a decision file."""

    external: str
    cop: str
    accept: bool
    reviewer: str
    note: str
    line: int


@dataclass
class Outcome:
    """What became of one imported organisation: ``linked`` (``link`` set, ``predicate``
    exactMatch or closeMatch), or ``uncertain``, ``ambiguous``, ``rejected`` or ``unmatched``
    (for review, with the best ``candidates``)."""

    entity: Entity
    status: str
    candidates: list[Candidate] = field(default_factory=list)
    link: Candidate | None = None
    decision: Decision | None = None

    @property
    def predicate(self) -> str | None:
        if self.link is None:
            return None
        return "exactMatch" if self.link.exact else "closeMatch"


def organisations(loaded: CopDataset, cop_side: bool) -> dict[str, Entity]:
    """The organisations of a loaded graph (queries/linking/organisations.rq). On the COP side,
    only the COP's own kinds of organisation, and none defined only under data/imports/."""
    query = named(loaded, "organisations", "linking")
    found: dict[str, dict[str, set[str]]] = {}
    types: dict[str, set[str]] = {}
    for row in run_named(loaded, query, {}):
        iri, prop, value = str(row.resource), str(row.property), str(row.value)
        types.setdefault(iri, set()).add(str(row.type))
        slot = found.setdefault(iri, {"names": set(), "aliases": set(), "wikidata": set(), "lei": set()})
        _add_value(slot, prop, value)
    imports = loaded.config.data_dir / "imports"
    result = {}
    for iri, slot in found.items():
        if cop_side and (not any(t.endswith(COP_TYPES) for t in types[iri]) or _only_imported(loaded, iri, imports)):
            continue
        result[iri] = Entity(iri, tuple(sorted(slot["names"])), tuple(sorted(slot["aliases"] - slot["names"])),
                             frozenset(slot["wikidata"]), frozenset(slot["lei"]))
    return result


def _add_value(slot: dict[str, set[str]], prop: str, value: str) -> None:
    if prop.endswith(_PREFERRED):
        slot["names"].add(value)
    elif prop.endswith(_ALIASES):
        slot["aliases"].add(value)
    elif prop.endswith("leiCode"):
        slot["lei"].add(value.strip().upper())
    elif (match := _WIKIDATA.match(value)) is not None:
        slot["wikidata"].add(match.group(1))


def _only_imported(loaded: CopDataset, iri: str, imports: Path) -> bool:
    from rdflib import URIRef

    sources = loaded.sources_of(URIRef(iri))
    return bool(sources) and all(imports in s.path.parents for s in sources)


def candidates(external: Entity, cop: dict[str, Entity], floor: float) -> list[Candidate]:
    """Identifier matches when there are any; otherwise name matches at or above the floor,
    best first, one per COP organisation."""
    by_id = [_identifier_match(external, c) for c in cop.values()]
    found = [c for c in by_id if c is not None]
    if not found:
        found = [c for c in (_name_match(external, e) for e in cop.values()) if c and c.score >= floor]
    return sorted(found, key=lambda c: (-(c.score or 0), c.cop.iri))


def _identifier_match(external: Entity, cop: Entity) -> Candidate | None:
    shared = sorted(external.wikidata & cop.wikidata)
    if shared:
        return Candidate(external, cop, SCORES["identifier"], "identifier",
                         f"both are Wikidata item {shared[0]}", shared[0])
    shared = sorted(external.lei & cop.lei)
    if shared:
        return Candidate(external, cop, SCORES["identifier"], "identifier", f"both have LEI {shared[0]}", shared[0])
    return None


def _name_match(external: Entity, cop: Entity) -> Candidate | None:
    best: Candidate | None = None
    for ext_name, ext_alias in [(n, False) for n in external.names] + [(a, True) for a in external.aliases]:
        for cop_name, cop_alias in [(n, False) for n in cop.names] + [(a, True) for a in cop.aliases]:
            found = _compare(external, cop, ext_name, cop_name, ext_alias or cop_alias)
            if found and (best is None or (found.score or 0) > (best.score or 0)):
                best = found
    return best


def _compare(external: Entity, cop: Entity, ext_name: str, cop_name: str, alias: bool) -> Candidate | None:
    a, b = name_key(ext_name), name_key(cop_name)
    if not a or not b:
        return None
    which = "alternative label" if alias else "label"
    if a == b:
        method = "alias" if alias else "name"
        return Candidate(external, cop, SCORES[method], method,
                         f'"{ext_name}" and {which} "{cop_name}" both read "{a}"', a)
    short, long_ = sorted((a.split(), b.split()), key=len)
    if len(" ".join(short)) >= 3 and long_[:len(short)] == short:
        return Candidate(external, cop, SCORES["partial name"], "partial name",
                         f'"{ext_name}" and {which} "{cop_name}" share the leading words "{" ".join(short)}"', None)
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    return Candidate(external, cop, round(SIMILAR_WEIGHT * ratio, 2), "similar name",
                     f'"{ext_name}" and {which} "{cop_name}" are {ratio:.0%} similar (difflib on "{a}", "{b}")', None)


def decide(external: Entity, found: list[Candidate], threshold: float, decisions: list[Decision],
           cop: dict[str, Entity]) -> Outcome:
    """Link the best candidate if it clears the threshold alone; a reviewer's accept or reject wins."""
    mine = [d for d in decisions if d.external == external.iri]
    rejected = {d.cop for d in mine if not d.accept}
    accepted = next((d for d in mine if d.accept), None)
    if accepted is not None:
        automatic = next((c for c in found if c.cop.iri == accepted.cop), None)
        note = f"reviewed by {accepted.reviewer or 'an unnamed reviewer'}"
        note += f": {accepted.note}" if accepted.note else ""
        evidence = note + (f"; matcher: {automatic.evidence}" if automatic else "; the matcher found no evidence")
        method = automatic.method if automatic and automatic.exact else "reviewed"
        link = Candidate(external, cop[accepted.cop], automatic.score if automatic else None, method, evidence,
                         automatic.match_string if automatic else None)
        return Outcome(external, "linked", found, link, accepted)
    open_ = [c for c in found if c.cop.iri not in rejected]
    if not open_:
        return Outcome(external, "rejected" if found else "unmatched", found)
    top = open_[0]
    if len(open_) > 1 and open_[1].score == top.score:
        return Outcome(external, "ambiguous", open_)
    if (top.score or 0) >= threshold:
        return Outcome(external, "linked", open_, top)
    return Outcome(external, "uncertain", open_)


def match_all(external: dict[str, Entity], cop: dict[str, Entity], threshold: float, floor: float,
              decisions: list[Decision]) -> list[Outcome]:
    if not 0 < threshold <= 1 or not 0 <= floor <= threshold:
        raise ParameterError(f"need 0 < threshold <= 1 and 0 <= floor <= threshold; got threshold {threshold}, "
                             f"floor {floor}")
    return [decide(e, candidates(e, cop, floor), threshold, decisions, cop)
            for e in sorted(external.values(), key=lambda e: (name_key(e.label), e.iri))]


def load_sides(dataset: Path, config: Config) -> tuple[CopDataset, dict[str, Entity], dict[str, Entity]]:
    """The imported dataset alone and its organisations; the COP graph's organisations."""
    imported = load_dataset([dataset], config=config, bundled=False)
    external = organisations(imported, cop_side=False)
    if not external:
        raise InputError(dataset, "the dataset holds no organisation to link (a resource typed schema:Organization, "
                                  "org:Organization or schema:Corporation, with a label)")
    cop = organisations(load_dataset((), config=config), cop_side=True)
    return imported, external, cop
