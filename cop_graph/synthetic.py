"""A synthetic COP-shaped graph of a chosen size, deterministic for a seed.

It has the shape of the real data — yearly series, companies with yearly memberships on
OWL-Time intervals, sessions with dates, kinds, quarter labels and themes from a topic
hierarchy, outside experts, and a quoted passage behind every fact — so that scale
measurements (network, queries, validation) mean something for the real graph.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, PROV, RDF, RDFS, SDO, SKOS, TIME, XSD

from cop_graph.config import CANONICAL_BASE
from cop_graph.namespaces import COP, OA, bind_prefixes

Triple = tuple[URIRef, URIRef, object]
TOPICS = 40
TRIPLES_PER_COMPANY_YEAR = 15  # a membership, its passage, a share of the sessions and labels
FIRST_YEAR = 2000


def _iri(path: str) -> URIRef:
    return URIRef(CANONICAL_BASE + path)


def _passage(name: str, document: URIRef, text: str) -> Iterator[Triple]:
    passage = _iri(f"passage/synthetic/{name}")
    yield passage, RDF.type, COP.Passage
    yield passage, RDFS.label, Literal(f"Passage {name}", lang="en")
    yield passage, OA.hasSource, document
    selector = _iri(f"passage/synthetic/{name}/quote")
    yield passage, OA.hasSelector, selector
    yield selector, RDF.type, OA.TextQuoteSelector
    yield selector, OA.exact, Literal(text)


def triples(target: int, seed: int = 0) -> Iterator[Triple]:
    """About ``target`` triples, the same ones for the same target and seed."""
    rng = random.Random(seed)
    years = max(1, min(25, target // 20000 + 1))
    companies = max(3, target // (years * TRIPLES_PER_COMPANY_YEAR))
    sessions_per_year = max(2, companies // 4)
    collaboration = _iri("org/synthetic-cop")
    document = _iri("document/synthetic")
    yield document, RDF.type, URIRef("http://purl.org/dc/terms/BibliographicResource")
    yield document, RDFS.label, Literal("Synthetic source", lang="en")
    yield collaboration, RDF.type, ORG.OrganizationalCollaboration
    yield collaboration, RDFS.label, Literal("Synthetic Community of Practice")
    yield collaboration, COP.convenedBy, _iri("org/synthetic-convener")
    yield from _passage("cop", document, "the community")
    yield collaboration, PROV.wasDerivedFrom, _iri("passage/synthetic/cop")
    scheme = _iri("topics/synthetic")
    yield scheme, RDF.type, SKOS.ConceptScheme
    yield scheme, RDFS.label, Literal("Synthetic topics", lang="en")
    yield scheme, SKOS.prefLabel, Literal("Synthetic topics", lang="en")
    topics = [_iri(f"topic/synthetic-{t}") for t in range(TOPICS)]
    for index, topic in enumerate(topics):
        yield topic, RDF.type, SKOS.Concept
        yield topic, RDFS.label, Literal(f"Topic {index}", lang="en")
        yield topic, SKOS.prefLabel, Literal(f"Topic {index}", lang="en")
        yield topic, SKOS.inScheme, scheme
        if index >= 5:
            yield topic, SKOS.broader, topics[index % 5]
        yield topic, PROV.wasDerivedFrom, _iri("passage/synthetic/cop")
    for c in range(companies):
        company = _iri(f"org/synthetic-{c}")
        yield company, RDF.type, ORG.FormalOrganization
        yield company, RDFS.label, Literal(f"Company {c}")
        yield company, PROV.wasDerivedFrom, _iri("passage/synthetic/cop")
    for y in range(years):
        yield from _year(rng, FIRST_YEAR + y, collaboration, document, companies, sessions_per_year, topics)


def _year(rng: random.Random, year: int, collaboration: URIRef, document: URIRef, companies: int,
          sessions: int, topics: list[URIRef]) -> Iterator[Triple]:
    series = _iri(f"series/synthetic-{year}")
    period = _iri(f"period/synthetic-{year}")
    yield collaboration, SDO.event, series
    yield series, RDF.type, SDO.EventSeries
    yield series, RDFS.label, Literal(f"COP {year}", lang="en")
    yield series, SDO.startDate, Literal(str(year), datatype=XSD.gYear)
    yield series, SDO.organizer, _iri("org/synthetic-convener")
    yield from _passage(f"{year}", document, f"the year {year}")
    yield series, PROV.wasDerivedFrom, _iri(f"passage/synthetic/{year}")
    yield period, RDF.type, TIME.ProperInterval
    yield period, RDFS.label, Literal(str(year), lang="en")
    for end in ("beginning", "end"):
        instant = _iri(f"period/synthetic-{year}/{end}")
        yield period, TIME.hasBeginning if end == "beginning" else TIME.hasEnd, instant
        yield instant, RDF.type, TIME.Instant
        yield instant, RDFS.label, Literal(f"{end} of {year}", lang="en")
        yield instant, TIME.inXSDgYear, Literal(str(year), datatype=XSD.gYear)
    for c in range(companies):
        if rng.random() < 0.1:  # some companies skip a year
            continue
        membership = _iri(f"membership/synthetic-{year}/{c}")
        yield membership, RDF.type, ORG.Membership
        yield membership, RDFS.label, Literal(f"Company {c} in {year}", lang="en")
        yield membership, ORG.member, _iri(f"org/synthetic-{c}")
        yield membership, ORG.organization, collaboration
        yield membership, ORG.memberDuring, period
        yield from _passage(f"{year}-{c}", document, f"Company {c} took part in {year}")
        yield membership, PROV.wasDerivedFrom, _iri(f"passage/synthetic/{year}-{c}")
    for s in range(sessions):
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        session = _iri(f"session/synthetic-{year}-{s}")
        special = rng.random() < 0.1
        yield session, RDF.type, COP.SpecialSession if special else COP.RegularSession
        yield session, RDFS.label, Literal(f"COP Q{(month - 1) // 3 + 1} Session {s}", lang="en")
        if not special:
            yield session, COP.quarterLabel, Literal(f"Q{(month - 1) // 3 + 1}")
        yield session, SDO.startDate, Literal(f"{year}-{month:02d}-{day:02d}", datatype=XSD.date)
        yield session, SDO.superEvent, series
        for topic in rng.sample(topics, rng.randint(1, 3)):
            yield session, COP.theme, topic
        yield from _passage(f"{year}-s{s}", document, f"Session {s} of {year}")
        yield session, PROV.wasDerivedFrom, _iri(f"passage/synthetic/{year}-s{s}")


def graph(target: int, seed: int = 0) -> Graph:
    generated = Graph()
    bind_prefixes(generated)
    for triple in triples(target, seed):
        generated.add(triple)
    return generated
