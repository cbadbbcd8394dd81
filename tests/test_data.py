"""The shipped data: it conforms, its warnings are documented, and it says what the source says."""

from __future__ import annotations

import hashlib
import re

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, OWL, PROV, RDFS, SKOS, VOID

from cop_graph.rdf.namespaces import COP, OA, SDO

from .conftest import BASE, ROOT, SOURCE_SHA256, SOURCE_TEXT

REVIEW = URIRef(BASE + "document/review-2022")


@pytest.fixture(scope="module")
def source_text() -> str:
    return SOURCE_TEXT.read_text(encoding="utf-8")


def test_the_shipped_source_is_the_review_as_received():
    assert hashlib.sha256(SOURCE_TEXT.read_bytes()).hexdigest() == SOURCE_SHA256


def test_shipped_data_has_no_violations(report):
    violations = [r for r in report.results if r.severity == "Violation"]
    assert violations == []


def _documented_warnings() -> set[tuple[str, str]]:
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\w+) \| `([^`]+)` \|", text, flags=re.MULTILINE)
    return {(shape, BASE + focus) for shape, focus in rows}


def test_every_warning_is_documented_in_data_readme_and_every_documented_one_still_fires(report):
    raised = {(r.shape, r.focus) for r in report.results if r.severity == "Warning"}
    assert raised == _documented_warnings()


def test_the_review_text_is_carried_exactly(loaded, source_text):
    assert str(loaded.dataset.value(REVIEW, SDO.text)) == source_text


def test_every_passage_quotes_its_document_verbatim_at_its_offsets(loaded, source_text):
    """The review's passages against the review as received (data/sources/), others (a sentence
    of an RDR indicator's guidance) against their document's text."""
    passages = set(loaded.dataset.subjects(RDF.type, COP.Passage))
    assert len(passages) >= 30
    for passage in passages:
        exact = start = end = None
        for selector in loaded.dataset.objects(passage, OA.hasSelector):
            exact = loaded.dataset.value(selector, OA.exact) or exact
            start = loaded.dataset.value(selector, OA.start) or start
            end = loaded.dataset.value(selector, OA.end) or end
        document = loaded.dataset.value(passage, OA.hasSource)
        text = source_text if document == URIRef(BASE + "document/review-2022") \
            else str(loaded.dataset.value(document, SDO.text))
        assert exact is not None and str(exact) in text, passage
        assert text[int(start):int(end)] == str(exact), passage


def test_session_labels_are_exactly_as_written_and_iris_do_not_come_from_labels(loaded, source_text):
    kinds = (COP.RegularSession, COP.SpecialSession)
    graph = loaded.dataset
    sessions = {s: str(graph.value(s, RDFS.label)) for k in kinds for s in graph.subjects(RDF.type, k)}
    assert len(sessions) == 6
    for session, label in sessions.items():
        assert f"{label}: " in source_text, label
        assert re.fullmatch(BASE + r"session/2022-\d\d-\d\d", str(session)), session
    q2_session_2 = sorted(str(s) for s, label in sessions.items() if label == "COP Q2 Session 2")
    assert q2_session_2 == [BASE + "session/2022-03-14", BASE + "session/2022-05-17"]


def test_company_names_are_those_of_the_participants_table(loaded, source_text):
    table = source_text.split("PARTICIPANTS", 1)[1].split("Most COP companies", 1)[0]
    listed = {name.strip() for name in re.split(r"[\t\n]", table.split(":", 1)[1]) if name.strip()}
    companies = {str(loaded.dataset.value(c, RDFS.label)) for c in loaded.dataset.subjects(RDF.type, SDO.Corporation)}
    assert companies == listed
    assert len(companies) == 13


# Passages, selectors and documents are the sources themselves; the dataset description
# (dataset.ttl) is about this graph, not a fact taken from a source.
STRUCTURAL = {COP.Passage, OA.TextQuoteSelector, OA.TextPositionSelector, DCTERMS.BibliographicResource,
              DCAT.Dataset, VOID.Dataset}
# The links to Wikidata and GLEIF each cite the public source they were read in, not a
# passage of the review (tests/test_identifiers.py checks them).
IDENTIFIER_LINKS = "links/identifiers.ttl"
# The Guiding Principles and the COP topics' mappings to them are curated reference data, not
# facts of the review: the scheme cites the publication it follows and each mapping carries
# its note why (tests/test_principles.py checks both).
CURATED = ("ungp-principles.ttl", "mappings/topics-to-principles.ttl", "mappings/rdr-2022-indicators.ttl",
           "mappings/topic-groupings.ttl")


def test_every_resource_cites_a_verbatim_passage(loaded, config):
    """Everything the data describes, apart from passages, selectors and documents themselves,
    and apart from other datasets imported as published (data/imports/: their source is
    stated for the whole dataset, down to the file and commit) and the links to them, cites a
    passage, or else the public document it is from (the 2021 memberships, which no passage
    of the review states: each says so in a note)."""
    data_graphs = [s for s in loaded.files if s.path.is_relative_to(config.data_dir)
                   and s.path != config.data_dir / IDENTIFIER_LINKS
                   and not s.path.is_relative_to(config.data_dir / "imports")
                   and not s.path.name.endswith("-links.ttl")]
    curated = {config.data_dir / name for name in CURATED}
    assert all(path.is_file() for path in curated)
    data_graphs = [s for s in data_graphs if s.path not in curated]
    nodes = {(s, c) for g in data_graphs for s, c in loaded.graph(g).subject_objects(RDF.type)
             if c not in STRUCTURAL}
    assert len({s for s, _ in nodes}) > 100
    for node, cls in nodes:
        quoted = [p for p in loaded.dataset.objects(node, PROV.wasDerivedFrom)
                  if (p, RDF.type, COP.Passage) in loaded.dataset and loaded.dataset.value(p, OA.hasSelector)]
        documents = [d for d in loaded.dataset.objects(node, PROV.hadPrimarySource)
                     if (d, RDF.type, DCTERMS.BibliographicResource) in loaded.dataset]
        assert quoted or documents, f"{node} ({cls}) cites no passage and no document"
        if not quoted:
            assert loaded.dataset.value(node, SKOS.editorialNote) or cls != ORG.Membership, node


def test_dates_keep_the_precision_the_source_gives(loaded):
    dates = {str(d): d.datatype for d in loaded.dataset.objects(None, SDO.startDate) if isinstance(d, Literal)}
    assert dates["2022-11"].endswith("gYearMonth")  # "in November"
    assert dates["2022-02-28"].endswith("#date")
    departure = URIRef(BASE + "development/departure-of-key-team-member")
    assert str(loaded.dataset.value(departure, COP.whenAsWritten)) == "in the second half of 2022"
    assert str(loaded.dataset.value(departure, SDO.startDate)) == "2022"


def test_outside_experts_are_not_attached_to_any_particular_session(loaded):
    experts = set(loaded.dataset.objects(None, COP.outsideExpert))
    assert len(experts) == 5
    sessions = {s for k in (COP.RegularSession, COP.SpecialSession) for s in loaded.dataset.subjects(RDF.type, k)}
    assert len(sessions) == 6
    described = set(loaded.dataset.subjects(RDF.type, OWL.Axiom))  # descriptions of links, not attachments
    for expert in experts:
        assert set(loaded.dataset.subjects(None, expert)) - described <= set(
            loaded.dataset.subjects(RDF.type, SDO.EventSeries))
