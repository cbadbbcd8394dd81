"""External identifiers (data/links/): Wikidata items and LEIs only where a named public
source shows them next to the entity's name, each link described with that source; what is
left out is listed in the review report, never guessed."""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, RDFS, SKOS, VOID

from cop_graph.rdf.namespaces import SDO

from .conftest import BASE, ROOT

LINKS = ROOT / "data" / "links"
REVIEW_CSV = LINKS / "identifiers-review.csv"
WIKIDATA = "http://www.wikidata.org/entity/"
QID = re.compile(r"http://www\.wikidata\.org/entity/Q[1-9][0-9]*")
LEI = re.compile(r"[A-Z0-9]{18}[0-9]{2}")

# The identifier compilation's table, by hand. Read next to the name in a named public source:
WIKIDATA_CONFIRMED = {
    "org/apple": "Q312", "org/cloudflare": "Q4778915", "org/google": "Q95", "org/meta": "Q380",
    "org/microsoft": "Q2283", "org/salesforce": "Q941127", "org/telefonica": "Q160229",
    "org/verizon": "Q467752", "org/vodafone": "Q122141", "org/icrc": "Q5987345",
}
LEI_CONFIRMED = {"org/apple": "HWUPKR0MPOU8FGXBT394", "org/ericsson": "549300W9JLPW15XIFM52",
                 "org/salesforce": "RCGZFPDMRW58VJ54VR07"}
# Seen only in material whose origin could not be named ("source not named; re-check"):
NEEDS_RECHECK = {
    ("org/cisco", "wikidata", "Q173395"), ("org/google", "wikidata", "Q20800404"),
    ("org/google", "lei", "7ZW8QJWVPR4P1J1KQY45"), ("org/meta", "lei", "BQ4BKCS1HXDV9HN80Z93"),
    ("org/microsoft", "lei", "INR2EJN1ERAN0W5ZP974"), ("org/telefonica", "lei", "549300EEJH4FEPDBBR25"),
    ("org/vodafone", "lei", "213800TB53ELEUKM7Q61"), ("person/elon-musk", "wikidata", "Q317521"),
}
# Candidates that disagree, or belong to another entity (Twitter's service item; Alphabet's LEI):
CONFLICTING = {("org/twitter", "wikidata", "Q918"), ("org/twitter", "wikidata", "Q1390577"),
               ("org/google", "lei", "5493006MHB84DD0ZWV18")}
# Nothing seen next to the name:
UNVERIFIED = {
    ("org/cisco", "lei"), ("org/cloudflare", "lei"), ("org/ericsson", "wikidata"),
    ("org/hewlett-packard-enterprise", "wikidata"), ("org/hewlett-packard-enterprise", "lei"),
    ("org/twitter", "lei"), ("org/verizon", "lei"),
    ("org/mazars", "wikidata"), ("org/mazars", "lei"), ("org/pluto-and-associates", "wikidata"),
    ("org/pluto-and-associates", "lei"), ("org/icrc", "lei"), ("org/gni", "wikidata"), ("org/gni", "lei"),
    ("org/ihrb", "wikidata"), ("org/ihrb", "lei"),
    ("org/un-human-rights", "wikidata"), ("org/un-human-rights", "lei"), ("org/b-tech-project", "wikidata"),
    ("person/michelle-bachelet", "wikidata"), ("person/volker-turk", "wikidata"),
}
# The files whose organisations and people the identifiers cover.
COVERED_FILES = ("members.ttl", "experts.ttl", "b-tech.ttl", "people.ttl")
ORGANISATIONS = (ORG.Organization, ORG.FormalOrganization, ORG.OrganizationalUnit, SDO.Corporation)
LEGAL_ENTITIES = (ORG.Organization, ORG.FormalOrganization)  # units and people hold no LEI


def lei_check_digits_hold(code: str) -> bool:
    """ISO 17442 (ISO 7064 MOD 97-10): with letters read as 10 (A) to 35 (Z), the whole code
    as one number leaves remainder 1 when divided by 97."""
    return int("".join(str(int(char, 36)) for char in code)) % 97 == 1


def _qid(node) -> str:
    return str(node).removeprefix(WIKIDATA)


@pytest.fixture(scope="module")
def links(loaded, config):
    """The identifiers graph on its own."""
    source = next(s for s in loaded.files if s.path == config.data_dir / "links" / "identifiers.ttl")
    return loaded.graph(source)


@pytest.fixture(scope="module")
def wikidata_links(loaded) -> list[tuple[URIRef, URIRef]]:
    """Every owl:sameAs into Wikidata in the whole graph, whichever file states it."""
    return [(s, o) for s, o in loaded.dataset.subject_objects(OWL.sameAs) if "wikidata.org" in str(o).lower()]


@pytest.fixture(scope="module")
def lei_links(loaded) -> list[tuple[URIRef, Literal]]:
    return list(loaded.dataset.subject_objects(SDO.leiCode))


@pytest.fixture(scope="module")
def review() -> list[dict[str, str]]:
    with REVIEW_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def covered(loaded, config) -> dict[URIRef, set[URIRef]]:
    """The organisations and people of the files the identifiers cover, with their types."""
    found: dict[URIRef, set[URIRef]] = {}
    for source in loaded.files:
        if source.path.parent == config.data_dir and source.path.name in COVERED_FILES:
            for node, kind in loaded.graph(source).subject_objects(RDF.type):
                if kind in (*ORGANISATIONS, SDO.Person):
                    found.setdefault(node, set()).add(kind)
    return found


@pytest.mark.parametrize(("code", "holds"), [
    ("HWUPKR0MPOU8FGXBT394", True),
    ("HWUPKR0MPOU8FGXBT395", False),  # a wrong check digit
    ("HWUPKR0MPOU8FGXBT349", False),  # check digits swapped
    ("HWUPKR0MPOU8FGXBU394", False),  # a letter mistyped
    ("549300W9JLPW15XIFM52", True),
])
def test_the_lei_check_digit_rule_catches_mistyped_codes(code, holds):
    assert lei_check_digits_hold(code) is holds


def test_every_wikidata_link_is_an_entity_iri(wikidata_links):
    assert wikidata_links
    malformed = [str(o) for _, o in wikidata_links if not (isinstance(o, URIRef) and QID.fullmatch(str(o)))]
    assert malformed == []


def test_no_organisation_or_person_has_two_wikidata_items(wikidata_links):
    twice = [str(s) for s, n in Counter(s for s, _ in wikidata_links).items() if n > 1]
    assert twice == []


def test_no_wikidata_item_is_given_to_two_resources(wikidata_links):
    shared = [str(o) for o, n in Counter(o for _, o in wikidata_links).items() if n > 1]
    assert shared == []


def test_every_lei_is_well_formed_holds_its_check_digits_and_is_unique(lei_links):
    assert lei_links
    for subject, code in lei_links:
        assert isinstance(code, Literal) and code.datatype is None and code.language is None, (subject, code)
        assert LEI.fullmatch(str(code)), (subject, code)
        assert lei_check_digits_hold(str(code)), (subject, code)
    assert max(Counter(s for s, _ in lei_links).values()) == 1
    assert max(Counter(str(c) for _, c in lei_links).values()) == 1


def test_the_links_are_exactly_the_confirmed_identifiers(wikidata_links, lei_links):
    assert {str(s).removeprefix(BASE): _qid(o) for s, o in wikidata_links} == WIKIDATA_CONFIRMED
    assert {str(s).removeprefix(BASE): str(c) for s, c in lei_links} == LEI_CONFIRMED


def test_nothing_unconfirmed_is_linked(loaded, wikidata_links, lei_links):
    """A candidate seen without a named source, or conflicting, is nowhere in the graph as a link."""
    linked = {("wikidata", _qid(o)) for _, o in wikidata_links} | {("lei", str(c)) for _, c in lei_links}
    for entity, scheme, candidate in NEEDS_RECHECK | CONFLICTING:
        assert (scheme, candidate) not in linked, (entity, candidate)
    for entity, scheme in UNVERIFIED:
        node = URIRef(BASE + entity)
        if scheme == "wikidata":
            assert all(s != node for s, _ in wikidata_links), entity
        else:
            assert loaded.dataset.value(node, SDO.leiCode) is None, entity


def test_every_link_starts_from_an_organisation_or_person_the_cop_graph_describes(
        links, covered, wikidata_links, lei_links):
    """The subject is typed in members, experts, b-tech or people, not only in the links file:
    a mistyped IRI would otherwise make up a new resource."""
    assert {s for s, _ in links.subject_objects(OWL.sameAs)} | {s for s, _ in links.subject_objects(SDO.leiCode)}
    for subject, _ in [*wikidata_links, *lei_links]:
        assert subject in covered, subject
    for subject, _ in lei_links:
        assert covered[subject] & set(LEGAL_ENTITIES), f"{subject} is no legal entity"


def _descriptions(graph, subject, prop, target) -> list:
    return [a for a in graph.subjects(OWL.annotatedSource, subject)
            if (a, OWL.annotatedProperty, prop) in graph and (a, OWL.annotatedTarget, target) in graph
            and (a, RDF.type, OWL.Axiom) in graph]


def test_every_link_is_described_with_its_source_how_it_was_verified_and_its_linkset(links):
    linksets = {links.value(ls, VOID.linkPredicate): ls for ls in links.subjects(RDF.type, VOID.Linkset)}
    stated = [(s, p, o) for p in (OWL.sameAs, SDO.leiCode) for s, o in links.subject_objects(p)]
    assert len(stated) == len(WIKIDATA_CONFIRMED) + len(LEI_CONFIRMED)
    for s, p, o in stated:
        [axiom] = _descriptions(links, s, p, o)
        sources = list(links.objects(axiom, DCTERMS.source))
        assert sources, axiom
        for source in sources:
            assert (source, RDF.type, DCTERMS.BibliographicResource) in links, source
            assert links.value(source, SDO.url) is not None and links.value(source, RDFS.label) is not None, source
        notes = [str(n) for n in links.objects(axiom, SKOS.note)]
        assert len(notes) == 1 and notes[0].startswith("Seen next to the name"), axiom
        assert links.value(axiom, DCTERMS.isPartOf) == linksets[p], axiom


def test_every_description_describes_a_link_the_graph_states(links):
    for axiom in links.subjects(RDF.type, OWL.Axiom):
        s, p, o = (links.value(axiom, q) for q in (OWL.annotatedSource, OWL.annotatedProperty, OWL.annotatedTarget))
        assert (s, p, o) in links, axiom


def test_the_linksets_count_their_links_and_name_their_links_sources(links):
    assert len(set(links.subjects(RDF.type, VOID.Linkset))) == 2
    for linkset in links.subjects(RDF.type, VOID.Linkset):
        predicate = links.value(linkset, VOID.linkPredicate)
        members = set(links.subjects(DCTERMS.isPartOf, linkset))
        assert int(links.value(linkset, VOID.triples)) == len(list(links.subject_objects(predicate))) == len(members)
        assert links.value(linkset, VOID.subjectsTarget) == URIRef(BASE + "dataset")
        assert set(links.objects(linkset, DCTERMS.source)) == {src for m in members
                                                               for src in links.objects(m, DCTERMS.source)}
    wikidata = links.value(URIRef(BASE + "linkset/wikidata"), VOID.objectsTarget)
    assert str(links.value(wikidata, VOID.uriSpace)) == WIKIDATA


def test_the_review_report_lists_every_identifier_left_out_and_nothing_else(review):
    assert list(review[0]) == ["entity", "name", "scheme", "candidate", "status", "seen", "where"]
    rows = {(r["entity"].removeprefix(BASE), r["scheme"], r["candidate"], r["status"]) for r in review}
    assert len(rows) == len(review)
    expected = ({(e, s, c, "needs re-check") for e, s, c in NEEDS_RECHECK}
                | {(e, s, c, "conflicting") for e, s, c in CONFLICTING}
                | {(e, s, "", "unverified") for e, s in UNVERIFIED})
    assert rows == expected
    for row in review:
        assert row["seen"], row
        assert bool(row["where"]) == (row["status"] != "unverified"), row


def test_the_review_report_names_each_entity_as_the_graph_labels_it(review, loaded):
    for row in review:
        node = URIRef(row["entity"])
        assert str(loaded.dataset.value(node, RDFS.label)) == row["name"], row["entity"]


def test_every_organisation_and_person_is_either_linked_or_reviewed(covered, wikidata_links, lei_links, review):
    """Each of the 13 companies, the expert organisations, UN Human Rights, the B-Tech Project
    and the people: a Wikidata item or a review row; each legal entity also an LEI or a row."""
    reviewed = {(URIRef(r["entity"]), r["scheme"]) for r in review}
    with_item = {s for s, _ in wikidata_links}
    with_lei = {s for s, _ in lei_links}
    assert len(covered) >= 13 + 5 + 2 + 3
    for node, kinds in covered.items():
        assert node in with_item or (node, "wikidata") in reviewed, node
        if kinds & set(LEGAL_ENTITIES):
            assert node in with_lei or (node, "lei") in reviewed, node
