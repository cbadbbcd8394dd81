"""The UN Guiding Principles as a concept scheme, the COP topics mapped to them, and the
competency questions they answer: which principles did a year's sessions cover, and which
pillar got no session?"""

from __future__ import annotations

import csv
import io

import pytest
from rdflib import RDF, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDFS, SKOS, XSD

from cop_graph.rdf.namespaces import COP, SDO
from cop_graph.sparql.evaluate import run_named
from cop_graph.sparql.library import find_query, load_library

from .conftest import BASE

SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")

UNGP = URIRef(BASE + "ungp")
TOPICS = URIRef(BASE + "topics")
TOPIC_IRIS = BASE + "topic/"
PRINCIPLES_GRAPH = URIRef(BASE + "graph/data/ungp-principles")
MAPPINGS_GRAPH = URIRef(BASE + "graph/data/mappings/topics-to-principles")
CURATORS = URIRef(BASE + "agent/cop-graph-curators")
MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.relatedMatch, SKOS.broadMatch, SKOS.narrowMatch)


def gp(number: int) -> URIRef:
    return URIRef(f"{BASE}ungp/gp/{number}")


def pillar(number: int) -> URIRef:
    return URIRef(f"{BASE}ungp/pillar/{number}")


def section(name: str) -> URIRef:
    return URIRef(f"{BASE}ungp/section/{name}")


def topic(name: str) -> URIRef:
    return URIRef(f"{BASE}topic/{name}")


def session(date: str) -> URIRef:
    return URIRef(f"{BASE}session/{date}")


@pytest.fixture(scope="module")
def graph(loaded):
    return loaded.dataset


@pytest.fixture(scope="module")
def principles(graph) -> dict[int, URIRef]:
    """Every concept of the scheme with a notation, by its number."""
    found: dict[int, URIRef] = {}
    for concept in graph.subjects(SKOS.inScheme, UNGP):
        for notation in graph.objects(concept, SKOS.notation):
            assert int(notation) not in found, f"notation {notation} given twice"
            found[int(notation)] = concept
    return found


# --- The scheme --------------------------------------------------------------------------

def test_the_scheme_has_exactly_31_principles_numbered_1_to_31(graph, principles):
    assert sorted(principles) == list(range(1, 32))
    assert all(principles[n] == gp(n) for n in principles)
    for n, principle in principles.items():
        notations = list(graph.objects(principle, SKOS.notation))
        assert notations == [Literal(n)] and notations[0].datatype == XSD.integer, principle
        assert (principle, RDF.type, SKOS.Concept) in graph


def test_the_three_pillars_are_the_top_concepts(graph):
    tops = set(graph.subjects(SKOS.topConceptOf, UNGP))
    assert tops == set(graph.objects(UNGP, SKOS.hasTopConcept)) == {pillar(1), pillar(2), pillar(3)}
    assert (UNGP, RDF.type, SKOS.ConceptScheme) in graph


PILLAR_RANGES = [(1, range(1, 11)), (2, range(11, 25)), (3, range(25, 32))]


@pytest.mark.parametrize(("number", "numbers"), PILLAR_RANGES, ids=["I: 1-10", "II: 11-24", "III: 25-31"])
def test_each_principle_sits_in_exactly_one_pillar_through_its_section(graph, principles, number, numbers):
    for n in numbers:
        sections = list(graph.objects(principles[n], SKOS.broader))
        assert len(sections) == 1, f"GP {n} is in {len(sections)} sections"
        pillars = list(graph.objects(sections[0], SKOS.broader))
        assert pillars == [pillar(number)], f"GP {n} is under {pillars}, not pillar {number}"
        assert (sections[0], SKOS.inScheme, UNGP) in graph


SECTIONS = {
    "1-foundational": ("Pillar I foundational principles", [1, 2]),
    "1-regulatory-and-policy-functions": ("General State regulatory and policy functions", [3]),
    "1-state-business-nexus": ("The State\u2013business nexus", [4, 5, 6]),
    "1-conflict-affected-areas": ("Supporting business respect for human rights in conflict-affected areas", [7]),
    "1-policy-coherence": ("Ensuring policy coherence", [8, 9, 10]),
    "2-foundational": ("Pillar II foundational principles", [11, 12, 13, 14, 15]),
    "2-policy-commitment": ("Policy commitment", [16]),
    "2-human-rights-due-diligence": ("Human rights due diligence", [17, 18, 19, 20, 21]),
    "2-remediation": ("Remediation", [22]),
    "2-issues-of-context": ("Issues of context", [23, 24]),
    "3-foundational": ("Pillar III foundational principle", [25]),
    "3-state-based-judicial": ("State-based judicial mechanisms", [26]),
    "3-state-based-non-judicial": ("State-based non-judicial grievance mechanisms", [27]),
    "3-non-state-based": ("Non-State-based grievance mechanisms", [28, 29, 30]),
    "3-effectiveness-criteria": ("Effectiveness criteria for non-judicial grievance mechanisms", [31]),
}


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_each_section_holds_the_principles_of_the_final_2011_text(graph, principles, name):
    label, numbers = SECTIONS[name]
    assert str(graph.value(section(name), SKOS.prefLabel)) == label
    members = {n for n, principle in principles.items() if (principle, SKOS.broader, section(name)) in graph}
    assert sorted(members) == numbers


def test_there_are_no_other_sections(graph):
    under_pillars = {s for p in (1, 2, 3) for s in graph.subjects(SKOS.broader, pillar(p))}
    assert under_pillars == {section(name) for name in SECTIONS}


def test_the_2010_draft_numbering_is_not_used(graph, principles):
    """The draft's GP 26 is the final GP 28: in the final text, 26 is about courts and 28
    about grievance mechanisms outside the State."""
    assert (principles[26], SKOS.broader, section("3-state-based-judicial")) in graph
    assert (principles[28], SKOS.broader, section("3-non-state-based")) in graph
    assert (principles[17], SKOS.broader, section("2-human-rights-due-diligence")) in graph


def test_sections_are_either_foundational_or_operational(graph, principles):
    kinds = {kind: set(graph.objects(URIRef(f"{BASE}ungp/{kind}"), SKOS.member))
             for kind in ("foundational", "operational")}
    assert not kinds["foundational"] & kinds["operational"]
    assert kinds["foundational"] | kinds["operational"] == {section(name) for name in SECTIONS}
    foundational = {n for n, p in principles.items() if graph.value(p, SKOS.broader) in kinds["foundational"]}
    assert foundational == {1, 2, 11, 12, 13, 14, 15, 25}


def test_every_principle_has_one_short_english_label_and_a_definition(graph, principles):
    labels = []
    for n, principle in principles.items():
        pref = list(graph.objects(principle, SKOS.prefLabel))
        assert len(pref) == 1 and pref[0].language == "en", f"GP {n}"
        assert len(pref[0]) <= 60, f"GP {n}'s label is not short: {pref[0]}"
        definitions = list(graph.objects(principle, SKOS.definition))
        assert len(definitions) == 1 and definitions[0].language == "en" and len(definitions[0]) > 60, f"GP {n}"
        assert str(graph.value(principle, RDFS.label)).startswith(f"Guiding Principle {n}: ")
        labels.append(str(pref[0]))
    every_label = labels + [str(graph.value(c, SKOS.prefLabel)) for c in graph.subjects(SKOS.broader, None)
                            if (c, SKOS.inScheme, UNGP) in graph and c not in principles.values()]
    assert len(every_label) == len(set(every_label)), "two concepts of the scheme share a preferred label"


def test_the_scheme_cites_the_publication_it_follows_and_says_it_paraphrases(graph):
    document = graph.value(UNGP, PROV.hadPrimarySource)
    assert graph.value(document, DCTERMS.identifier) == Literal("HR/PUB/11/4")
    assert graph.value(document, DCTERMS.issued) == Literal("2011", datatype=XSD.gYear)
    assert (document, RDF.type, DCTERMS.BibliographicResource) in graph
    note = str(graph.value(UNGP, SKOS.editorialNote))
    assert "paraphrase" in note and "2011" in note
    assert graph.value(UNGP, PROV.wasAttributedTo) == CURATORS


def test_no_unverified_document_symbol_is_stated(graph):
    """The Human Rights Council document symbol of the principles is not verified: it is not given."""
    assert not [o for o in graph.objects() if isinstance(o, Literal) and "A/HRC/17/31" in str(o)]


def test_see_also_links_only_to_the_pages_that_were_checked(graph, principles):
    links = {n: {str(o) for o in graph.objects(p, RDFS.seeAlso)} for n, p in principles.items()}
    assert {n: found for n, found in links.items() if found} == {
        26: {"https://globalnaps.org/ungp/guiding-principle-26/"},
        28: {"https://globalnaps.org/ungp/guiding-principle-28/"},
    }


def test_the_scheme_is_its_own_named_graph(loaded):
    scheme_graph = loaded.dataset.graph(PRINCIPLES_GRAPH)
    concepts = set(scheme_graph.subjects(SKOS.inScheme, UNGP))
    assert len(concepts) == 31 + 3 + len(SECTIONS)
    assert (UNGP, RDF.type, SKOS.ConceptScheme) in scheme_graph


# --- Topic to principle mappings -----------------------------------------------------------

CLOSE, RELATED = SKOS.closeMatch, SKOS.relatedMatch

MAPPINGS = {
    ("human-rights-due-diligence", 17, CLOSE), ("human-rights-due-diligence", 15, RELATED),
    *(("human-rights-due-diligence", n, RELATED) for n in (18, 19, 20, 21)),
    ("enterprise-risk-management-and-compliance", 17, RELATED),
    ("enterprise-risk-management-and-compliance", 23, RELATED),
    ("severity", 24, CLOSE), ("severity", 14, RELATED), ("severity", 19, RELATED), ("severity", 22, RELATED),
    ("stakeholder-engagement", 18, RELATED), ("stakeholder-engagement", 21, RELATED),
    ("end-use", 13, RELATED), ("end-use", 18, RELATED), ("end-use", 19, RELATED),
    ("remedy", 22, RELATED), *(("remedy", n, RELATED) for n in (25, 26, 27, 28, 29, 30, 31, 13, 19)),
    ("role-of-key-colleagues", 19, RELATED), ("role-of-key-colleagues", 16, RELATED),
    ("hrdd-in-conflict-settings", 7, RELATED), ("hrdd-in-conflict-settings", 23, RELATED),
    ("international-humanitarian-law", 12, RELATED),
}
# Human rights due diligence is also matched to its whole section (GP 17-21), remedy related
# to the whole of Pillar III (GP 25-31).
WHOLE = {("human-rights-due-diligence", section("2-human-rights-due-diligence"), CLOSE),
         ("remedy", pillar(3), RELATED)}
UNMAPPED = {"participant-priorities"}


def _statements(graph) -> set[tuple[URIRef, URIRef, URIRef]]:
    """The mapping statements from the COP's topics to the Guiding Principles (other links, such
    as a topic to an RDR indicator or an imported company to a COP organisation, are not these)."""
    return {(s, p, o) for p in MATCHES for s, o in graph.subject_objects(p)
            if str(s).startswith(TOPIC_IRIS) and str(o).startswith(BASE + "ungp/")}


def test_the_curated_mappings_are_exactly_these(loaded):
    mapped = _statements(loaded.dataset.graph(MAPPINGS_GRAPH))
    expected = {(topic(t), kind, gp(n)) for t, n, kind in MAPPINGS} | {(topic(t), kind, c) for t, c, kind in WHOLE}
    assert mapped == expected


def test_due_diligence_is_gp_17_to_21_and_remedy_reaches_pillar_iii(loaded):
    """The corrections a specialist asked for: HRDD is the whole section GP 17-21, remedy the
    whole third pillar (GP 25-31, with GP 30 for industry initiatives and GP 31's criteria for
    company mechanisms) and, for remedy on end use, GP 13(b) and 19."""
    mapped = _statements(loaded.dataset.graph(MAPPINGS_GRAPH))
    hrdd = {o for s, _, o in mapped if s == topic("human-rights-due-diligence")}
    assert {gp(n) for n in range(17, 22)} <= hrdd and section("2-human-rights-due-diligence") in hrdd
    assert all((gp(n), SKOS.broader, section("2-human-rights-due-diligence")) in loaded.dataset for n in range(17, 22))
    remedy = {o for s, _, o in mapped if s == topic("remedy")}
    assert {gp(n) for n in range(25, 32)} | {pillar(3), gp(13), gp(19), gp(22)} == remedy
    graph = loaded.dataset
    notes = {str(o): str(graph.value(a, SKOS.note)) for a in graph.subjects(OWL.annotatedSource, topic("remedy"))
             for o in graph.objects(a, OWL.annotatedTarget)}
    assert "13(b)" in notes[str(gp(13))] and "industry" in notes[str(gp(30))] and "company" in notes[str(gp(31))]


def test_the_combined_theme_is_mapped_twice_for_two_reasons(loaded):
    erm = topic("enterprise-risk-management-and-compliance")
    notes = {str(loaded.dataset.value(a, OWL.annotatedTarget)): str(loaded.dataset.value(a, SKOS.note))
             for a in loaded.dataset.subjects(OWL.annotatedSource, erm)}
    assert notes[str(gp(17))].startswith("For the enterprise risk management half")
    assert notes[str(gp(23))].startswith("For the compliance half")


def test_every_topic_is_mapped_unless_no_principle_fits(graph):
    topics = set(graph.subjects(SKOS.inScheme, TOPICS))
    mapped = {s for s, _, _ in _statements(graph) if s in topics}
    assert topics - mapped == {topic(name) for name in UNMAPPED}


def test_every_mapping_goes_from_a_cop_topic_to_a_principle(graph, principles):
    statements = _statements(graph)
    assert statements
    for source, _, target in statements:
        assert (source, SKOS.inScheme, TOPICS) in graph, source
        assert target in principles.values() or target in {c for _, c, _ in WHOLE}, target


def test_every_mapping_has_its_note_and_sits_in_the_curated_graph(loaded):
    curated = loaded.dataset.graph(MAPPINGS_GRAPH)
    for source, prop, target in _statements(loaded.dataset):
        assert (source, prop, target) in curated, "mapping stated outside the curated graph"
        axioms = [a for a in curated.subjects(OWL.annotatedSource, source)
                  if (a, OWL.annotatedProperty, prop) in curated and (a, OWL.annotatedTarget, target) in curated]
        assert len(axioms) == 1, (source, prop, target)
        axiom = axioms[0]
        assert (axiom, RDF.type, OWL.Axiom) in curated
        notes = list(curated.objects(axiom, SKOS.note))
        assert len(notes) == 1 and notes[0].language == "en" and len(notes[0]) > 40, axiom
        assert (axiom, SSSOM.mapping_justification, SEMAPV.ManualMappingCuration) in curated


def test_every_axiom_of_the_curated_graph_describes_a_stated_mapping(loaded):
    curated = loaded.dataset.graph(MAPPINGS_GRAPH)
    axioms = set(curated.subjects(RDF.type, OWL.Axiom))
    assert len(axioms) == len(MAPPINGS) + len(WHOLE)
    for axiom in axioms:
        parts = (OWL.annotatedSource, OWL.annotatedProperty, OWL.annotatedTarget)
        statement = tuple(curated.value(axiom, p) for p in parts)
        assert statement in curated, axiom


def test_the_curated_graph_says_it_is_curated_and_by_whom(loaded):
    curated = loaded.dataset.graph(MAPPINGS_GRAPH)
    assert curated.value(MAPPINGS_GRAPH, PROV.wasAttributedTo) == CURATORS
    assert "not a statement of the year-end review" in str(curated.value(MAPPINGS_GRAPH, DCTERMS.description))


def test_the_review_facts_stay_free_of_mappings(loaded, config):
    """No graph but the curated one links topics to principles: topics.ttl says what the review says."""
    for source in loaded.files:
        if source.graph != MAPPINGS_GRAPH:
            assert not _statements(loaded.graph(source)), source.path


# --- Competency questions ----------------------------------------------------------------

# Worked out by hand from the sessions' themes (sessions-2022.ttl) and MAPPINGS above.
COVERED_2022 = {
    (7, "2022-06-21", "hrdd-in-conflict-settings", RELATED),
    (12, "2022-06-21", "international-humanitarian-law", RELATED),
    (13, "2022-05-17", "end-use", RELATED),
    (13, "2022-05-17", "remedy", RELATED),
    (14, "2022-03-14", "severity", RELATED),
    (15, "2022-02-28", "human-rights-due-diligence", RELATED),
    (15, "2022-05-17", "human-rights-due-diligence", RELATED),
    (16, "2022-05-17", "role-of-key-colleagues", RELATED),
    (17, "2022-02-28", "enterprise-risk-management-and-compliance", RELATED),
    (17, "2022-02-28", "human-rights-due-diligence", CLOSE),
    (17, "2022-05-17", "human-rights-due-diligence", CLOSE),
    (18, "2022-02-28", "human-rights-due-diligence", RELATED),
    (18, "2022-05-17", "human-rights-due-diligence", RELATED),
    (18, "2022-05-03", "stakeholder-engagement", RELATED),
    (18, "2022-05-17", "end-use", RELATED),
    (19, "2022-02-28", "human-rights-due-diligence", RELATED),
    (19, "2022-05-17", "human-rights-due-diligence", RELATED),
    (19, "2022-03-14", "severity", RELATED),
    (19, "2022-05-17", "end-use", RELATED),
    (19, "2022-05-17", "remedy", RELATED),
    (19, "2022-05-17", "role-of-key-colleagues", RELATED),
    (20, "2022-02-28", "human-rights-due-diligence", RELATED),
    (20, "2022-05-17", "human-rights-due-diligence", RELATED),
    (21, "2022-02-28", "human-rights-due-diligence", RELATED),
    (21, "2022-05-17", "human-rights-due-diligence", RELATED),
    (21, "2022-05-03", "stakeholder-engagement", RELATED),
    (22, "2022-03-14", "severity", RELATED),
    (22, "2022-05-17", "remedy", RELATED),
    (23, "2022-02-28", "enterprise-risk-management-and-compliance", RELATED),
    (23, "2022-06-21", "hrdd-in-conflict-settings", RELATED),
    (24, "2022-03-14", "severity", CLOSE),
    *((n, "2022-05-17", "remedy", RELATED) for n in (25, 26, 27, 28, 29, 30, 31)),
}


@pytest.fixture(scope="module")
def ask(loaded, config):
    library = load_library(config.queries_dir)

    def run(name: str, **params: str) -> list[dict]:
        return [row.asdict() for row in run_named(loaded, find_query(library, name), params)]
    return run


def test_the_principles_covered_in_2022(ask):
    rows = ask("principles-covered-in-year", year="2022")
    assert {(int(r["notation"]), str(r["date"]), str(r["topic"]).removeprefix(BASE + "topic/"), r["match"])
            for r in rows} == COVERED_2022
    assert len(rows) == len(COVERED_2022)
    assert all(r["principle"] == gp(int(r["notation"])) and r["session"] == session(str(r["date"])) for r in rows)
    assert sorted({int(r["notation"]) for r in rows}) == [7, *range(12, 32)]
    assert {int(r["notation"]): r["pillar"] for r in rows}[7] == pillar(1)
    assert {int(r["notation"]): r["pillar"] for r in rows}[29] == pillar(3)


def test_the_september_session_covers_no_principle(ask):
    dates = {str(r["date"]) for r in ask("principles-covered-in-year", year="2022")}
    assert dates == {"2022-02-28", "2022-03-14", "2022-05-03", "2022-05-17", "2022-06-21"}


def test_the_query_agrees_with_the_sessions_themes_and_the_mappings(graph, ask):
    """The same answer worked out from the graph without SPARQL."""
    expected = set()
    for event, date in graph.subject_objects(SDO.startDate):
        if not str(date).startswith("2022"):
            continue
        for theme in graph.objects(event, COP.theme):
            for prop in MATCHES:
                expected |= {(str(target), str(date), str(theme), str(prop)) for target in graph.objects(theme, prop)
                             if str(target).startswith(BASE + "ungp/gp/")}  # principles: not RDR's, not pillars
    rows = ask("principles-covered-in-year", year="2022")
    assert {(str(r["principle"]), str(r["date"]), str(r["topic"]), str(r["match"])) for r in rows} == expected


@pytest.mark.parametrize(("year", "pillars"), [("2022", []), ("2021", [1, 2, 3]), ("2023", [1, 2, 3])])
def test_the_pillars_without_a_session(ask, year, pillars):
    """In 2022 every pillar had a mapped session: Pillar I only through the curated link GP 7
    (the June special session on conflict settings), Pillar III through remedy (May 17). No
    sessions are recorded for 2021 or 2023."""
    rows = ask("pillars-without-session", year=year)
    assert [r["pillar"] for r in rows] == [pillar(n) for n in pillars]


def test_the_principles_query_lists_the_scheme(ask):
    rows = ask("principles")
    assert [int(r["notation"]) for r in rows] == list(range(1, 32))
    by_number = {int(r["notation"]): r for r in rows}
    assert str(by_number[17]["section"]) == "Human rights due diligence"
    assert str(by_number[17]["kind"]) == "Operational principles" and str(by_number[17]["pillar"]) == "Pillar II"
    assert str(by_number[25]["kind"]) == "Foundational principles" and str(by_number[25]["pillar"]) == "Pillar III"


def test_the_cli_answers_which_principles_2022_covered(cli):
    proc = cli("query", "principles-covered-in-year", "--param", "year=2022", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert len(rows) == len(COVERED_2022)
    assert sorted({int(r["notation"]) for r in rows}) == sorted({n for n, *_ in COVERED_2022})
    table = cli("query", "principles-covered-in-year", "--param", "year=2022")
    assert table.returncode == 0 and f"({len(COVERED_2022)} rows)" in table.stdout and "skos:closeMatch" in table.stdout
