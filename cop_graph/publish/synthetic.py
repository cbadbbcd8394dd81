"""A synthetic COP-shaped graph of a chosen size, deterministic for a seed.

It has the shape of the real data — collaborations convened by B-Tech with yearly series,
companies with yearly memberships on shared OWL-Time year intervals, sessions with dates,
kinds, quarter labels and themes from a topic hierarchy, and a quoted passage behind every
fact — grown the way the toolkit is expected to grow: more years, and more collaborations
(Peer Learning Platform cohorts and the like) of a few dozen companies each, most of them
staying from one year to the next. So scale measurements (network, queries, validation)
mean something for the real graph: a company shares a year with the members of its own
collaborations, not with every company there is.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, PROV, RDF, RDFS, SDO, SKOS, TIME, XSD

from cop_graph.config import CANONICAL_BASE
from cop_graph.rdf.namespaces import COP, OA, bind_prefixes

Triple = tuple[URIRef, URIRef, object]
TOPICS = 40
FIRST_YEAR = 2021
MEMBERS = (12, 40)  # members of one collaboration in one year
SESSIONS = (4, 8)  # sessions of one collaboration in one year
STAY = 0.85  # share of a collaboration's members who stay for the next year
TRIPLES_PER_COLLABORATION_YEAR = 450  # members x 13 + sessions x 17 + the series, on average
TRIPLES_PER_MEMBER = 13
TRIPLES_PER_YEAR_BESIDE_MEMBERS = 112  # the series (12) and 4 to 8 sessions of about 17
COMMON_TRIPLES = 400  # source, convener, topics, years and the fewest companies
FITTED_COLLABORATIONS = 3  # the last ones, sized to bring the graph to its target


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


def shape(target: int) -> tuple[int, int, int]:
    """Years, collaborations and companies for about ``target`` triples."""
    years = max(1, min(10, target // 100_000 + 2))
    collaborations = max(1, round((target - COMMON_TRIPLES) / (years * TRIPLES_PER_COLLABORATION_YEAR)))
    companies = max(MEMBERS[1], collaborations * sum(MEMBERS) // 2 * 2 // 3)  # most in one or two
    return years, collaborations, companies


def triples(target: int, seed: int = 0) -> Iterator[Triple]:
    """About ``target`` triples (within a few per cent from 1,000 up), the same ones for the
    same target and seed, each yielded once."""
    rng = random.Random(seed)
    years, collaborations, companies = shape(target)
    emitted = 0
    for triple in _common(years, companies):
        emitted += 1
        yield triple
    document, convener = _iri("document/synthetic"), _iri("org/synthetic-convener")
    topic_iris = [_iri(f"topic/synthetic-{index}") for index in range(TOPICS)]
    for k in range(collaborations):
        # The last few collaborations share what is left of the target, so that small
        # graphs, made of a few collaborations of very different sizes, come close to it too.
        left = collaborations - k
        budget = (target - emitted) // left if left <= FITTED_COLLABORATIONS else None
        block = list(_collaboration(rng, k, years, companies, convener, document, topic_iris, budget))
        emitted += len(block)
        yield from block


def _common(years: int, companies: int) -> Iterator[Triple]:
    """The source, the convener, the topics, the companies and the years."""
    document = _iri("document/synthetic")
    convener = _iri("org/synthetic-convener")
    yield document, RDF.type, URIRef("http://purl.org/dc/terms/BibliographicResource")
    yield document, RDFS.label, Literal("Synthetic source", lang="en")
    yield from _passage("source", document, "the community")
    yield convener, RDF.type, ORG.OrganizationalUnit
    yield convener, RDFS.label, Literal("Synthetic convener")
    yield convener, PROV.wasDerivedFrom, _iri("passage/synthetic/source")
    parent = _iri("org/synthetic-parent")
    yield convener, ORG.unitOf, parent
    yield parent, RDF.type, ORG.FormalOrganization
    yield parent, RDFS.label, Literal("Synthetic parent organisation")
    yield parent, PROV.wasDerivedFrom, _iri("passage/synthetic/source")
    yield from _topics()
    for c in range(companies):
        company = _iri(f"org/synthetic-{c}")
        yield company, RDF.type, ORG.FormalOrganization
        yield company, RDFS.label, Literal(f"Company {c}")
        yield company, PROV.wasDerivedFrom, _iri("passage/synthetic/source")
    for y in range(years):
        yield from _period(FIRST_YEAR + y, document)


def _topics() -> Iterator[Triple]:
    scheme = _iri("topics/synthetic")
    yield scheme, RDF.type, SKOS.ConceptScheme
    yield scheme, RDFS.label, Literal("Synthetic topics", lang="en")
    yield scheme, SKOS.prefLabel, Literal("Synthetic topics", lang="en")
    for index in range(TOPICS):
        topic = _iri(f"topic/synthetic-{index}")
        yield topic, RDF.type, SKOS.Concept
        yield topic, RDFS.label, Literal(f"Topic {index}", lang="en")
        yield topic, SKOS.prefLabel, Literal(f"Topic {index}", lang="en")
        yield topic, SKOS.inScheme, scheme
        yield topic, PROV.wasDerivedFrom, _iri("passage/synthetic/source")
        if index >= 5:
            yield topic, SKOS.broader, _iri(f"topic/synthetic-{index % 5}")


def _period(year: int, document: URIRef) -> Iterator[Triple]:
    period = _iri(f"period/synthetic-{year}")
    yield period, RDF.type, TIME.ProperInterval
    yield period, RDFS.label, Literal(str(year), lang="en")
    for end in ("beginning", "end"):
        instant = _iri(f"period/synthetic-{year}/{end}")
        yield period, TIME.hasBeginning if end == "beginning" else TIME.hasEnd, instant
        yield instant, RDF.type, TIME.Instant
        yield instant, RDFS.label, Literal(f"{end} of {year}", lang="en")
        yield instant, TIME.inXSDgYear, Literal(str(year), datatype=XSD.gYear)


def _collaboration(rng: random.Random, k: int, years: int, companies: int, convener: URIRef, document: URIRef,
                   topics: list[URIRef], budget: int | None = None) -> Iterator[Triple]:
    """One collaboration over the years; with a ``budget`` of triples, its yearly size is
    chosen to spend it (within MEMBERS) instead of drawn at random."""
    collaboration = _iri(f"org/synthetic-cop-{k}")
    header = [(collaboration, RDF.type, ORG.OrganizationalCollaboration),
              (collaboration, RDFS.label, Literal(f"Synthetic Community of Practice {k}")),
              (collaboration, COP.convenedBy, convener),
              (collaboration, PROV.wasDerivedFrom, _iri("passage/synthetic/source"))]
    yield from header
    left = None if budget is None else budget - len(header)
    members: list[int] = []
    for y in range(years):
        # most stay; newcomers bring the collaboration back to a size in MEMBERS
        stay = [m for m in members if rng.random() < STAY]
        if left is None:
            members = stay + rng.sample(range(companies), max(0, rng.randint(*MEMBERS) - len(stay)))
        else:
            size = _fitted(left // (years - y))
            stay = stay[:size]
            members = stay + rng.sample(sorted(set(range(companies)) - set(stay)), size - len(stay))
        block = list(_year(rng, k, FIRST_YEAR + y, collaboration, document, sorted(set(members)), topics))
        if left is not None:
            left -= len(block)
        yield from block


def _fitted(triples_in_year: int) -> int:
    """Members of a collaboration's year that come closest to ``triples_in_year``."""
    wanted = round((triples_in_year - TRIPLES_PER_YEAR_BESIDE_MEMBERS) / TRIPLES_PER_MEMBER)
    return max(MEMBERS[0], min(MEMBERS[1], wanted))


def _year(rng: random.Random, k: int, year: int, collaboration: URIRef, document: URIRef, members: list[int],
          topics: list[URIRef]) -> Iterator[Triple]:
    series = _iri(f"series/synthetic-{k}-{year}")
    yield collaboration, SDO.event, series
    yield series, RDF.type, SDO.EventSeries
    yield series, RDFS.label, Literal(f"COP {k} {year}", lang="en")
    yield series, SDO.startDate, Literal(str(year), datatype=XSD.gYear)
    yield series, SDO.organizer, _iri("org/synthetic-convener")
    yield from _passage(f"{k}-{year}", document, f"the year {year}")
    yield series, PROV.wasDerivedFrom, _iri(f"passage/synthetic/{k}-{year}")
    for c in members:
        membership = _iri(f"membership/synthetic-{k}-{year}/{c}")
        yield membership, RDF.type, ORG.Membership
        yield membership, RDFS.label, Literal(f"Company {c} in COP {k}, {year}", lang="en")
        yield membership, ORG.member, _iri(f"org/synthetic-{c}")
        yield membership, ORG.organization, collaboration
        yield membership, ORG.memberDuring, _iri(f"period/synthetic-{year}")
        yield from _passage(f"{k}-{year}-{c}", document, f"Company {c} took part in {year}")
        yield membership, PROV.wasDerivedFrom, _iri(f"passage/synthetic/{k}-{year}-{c}")
    for s in range(rng.randint(*SESSIONS)):
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        session = _iri(f"session/synthetic-{k}-{year}-{s}")
        special = rng.random() < 0.1
        yield session, RDF.type, COP.SpecialSession if special else COP.RegularSession
        yield session, RDFS.label, Literal(f"COP Q{(month - 1) // 3 + 1} Session {s}", lang="en")
        if not special:
            yield session, COP.quarterLabel, Literal(f"Q{(month - 1) // 3 + 1}")
        yield session, SDO.startDate, Literal(f"{year}-{month:02d}-{day:02d}", datatype=XSD.date)
        yield session, SDO.superEvent, series
        for topic in rng.sample(topics, rng.randint(1, 3)):
            yield session, COP.theme, topic
        yield from _passage(f"{k}-{year}-s{s}", document, f"Session {s} of {year}")
        yield session, PROV.wasDerivedFrom, _iri(f"passage/synthetic/{k}-{year}-s{s}")


def graph(target: int, seed: int = 0) -> Graph:
    generated = Graph()
    bind_prefixes(generated)
    for triple in triples(target, seed):
        generated.add(triple)
    return generated
