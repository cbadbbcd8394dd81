"""Ranking Digital Rights' 2022 Big Tech Scorecard in the graph: shipped unchanged, mapped by
a declarative mapping that regenerates the shipped graph, read back through SPARQL as the
published values, its companies linked to the COP's five members and no others, RDR's own
statements about the Guiding Principles with their quotes, and the curators' mappings apart."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, SKOS, XSD

from cop_graph.rdf.namespaces import COP, OA, SDO
from cop_graph.sparql.evaluate import run_named, run_query
from cop_graph.sparql.library import load_library

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "data" / "sources" / "rdr-2022"
SHIPPED = ROOT / "data" / "imports" / "rdr-2022.ttl"
MAPPING = ROOT / "imports" / "rdr-2022" / "mapping.yml"
BASE = "https://w3id.org/b-tech-cop/"
RDR = BASE + "import/rdr-2022/"
MEMBERS = {"Apple": "apple", "Google": "google", "Meta": "meta", "Microsoft": "microsoft", "Twitter": "twitter"}
OTHERS = {"Alibaba", "Amazon", "Baidu", "Kakao", "Samsung", "Tencent", "VK", "Yahoo", "Yandex"}
QB = "http://purl.org/linked-data/cube#"
REF_PERIOD = URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refPeriod")


def _rows(name: str) -> list[dict[str, str]]:
    with open(SOURCES / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def ask(loaded, config):
    library = load_library(config.queries_dir)

    def run(name: str, **params: str) -> list[dict]:
        return [row.asdict() for row in run_named(loaded, library[name], params)]
    return run


# --- the source, shipped unchanged ------------------------------------------------------------

def test_the_source_files_are_rdrs_as_published_with_their_licence_and_provenance():
    licence = (SOURCES / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Copyright (c) 2023 Ranking Digital Rights" in licence
    readme = (SOURCES / "README.md").read_text(encoding="utf-8")
    assert "rankingdigitalrights/index2022" in readme and "3e61441c1af134c3294852ee0145eddd8a2f1e13" in readme
    # the shipped graph names each table it was made from with its digest: the files are those
    header = "".join(line for line in SHIPPED.read_text(encoding="utf-8").splitlines(keepends=True)
                     if line.startswith("#"))
    named = dict(re.findall(r"(\S+\.csv) \(sha256 ([0-9a-f]{64})\)", header))
    csvs = {p.name for p in SOURCES.glob("*.csv")} - {"2022-service-specs.csv", "2022-service-rankings.csv",
                                                       "2022-year-over-year.csv"}
    assert {Path(n).name for n in named} >= csvs
    for name, digest in named.items():
        assert hashlib.sha256((ROOT / name).read_bytes()).hexdigest() == digest, name


def test_the_import_regenerates_the_shipped_graph(cli, tmp_path):
    output = tmp_path / "rdr-2022.ttl"
    done = cli("import", str(MAPPING), "-o", str(output), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "conforms to" in done.stdout
    assert isomorphic(Graph().parse(output), Graph().parse(SHIPPED))


# --- the published values through SPARQL ------------------------------------------------------

def _value(loaded, query: str) -> set[str]:
    return {str(row[0]) for row in run_query(loaded, query)}


def test_every_total_is_rdrs_published_total(loaded):
    found = {(str(r["company"]).rsplit("/", 1)[-1], str(r["year"])): str(r["score"]) for r in run_query(loaded, f"""
        SELECT ?company ?year ?score WHERE {{
          ?o <{RDR}totalScore> ?score ; <{RDR}company> ?company ; <{REF_PERIOD}> ?year .
        }}""")}
    expected = {(r["Company"], r["Index"]): r["Score"] for r in _rows("2022-totals.csv")}
    assert found == expected and len(found) == 28  # 14 companies, 2020 and 2022


@pytest.mark.parametrize("indicator", ["G04", "G06"])
def test_g4_and_g6_are_rdrs_published_scores_for_every_company_and_year(loaded, indicator):
    rows = [r for r in _rows("2022-indicators.csv") if r["Indicator"] == indicator]
    assert len(rows) == 28
    code = rows[0]["labelShort"]
    found = {(str(r["company"]).rsplit("/", 1)[-1], str(r["year"])): str(r["score"]) for r in run_query(loaded, f"""
        SELECT ?company ?year ?score WHERE {{
          ?o <{RDR}indicator> <{RDR}indicator/{code}> ; <{RDR}score> ?score ;
             <{RDR}company> ?company ; <{REF_PERIOD}> ?year .
        }}""")}
    assert found == {(r["Company"], r["Index"]): r["Score"] for r in rows if r["Score"] != "NA"}


def test_not_applicable_is_no_observation_and_never_a_score_of_zero(loaded):
    na = [r for r in _rows("2022-indicators.csv") if r["Score"] == "NA"]
    assert na
    for row in na:
        observation = URIRef(f"{RDR}observation/{row['Index']}/{row['Company']}/{row['labelShort']}")
        assert (observation, None, None) not in loaded.dataset, observation
    scored = [r for r in _rows("2022-indicators.csv") if r["Score"] != "NA"]
    count = int(next(iter(_value(loaded, f"SELECT (COUNT(?o) AS ?n) WHERE {{ ?o <{RDR}score> ?s }}"))))
    assert count == len(scored)
    structure = URIRef(RDR + "structure/indicator-scores")
    assert "NA" in str(loaded.dataset.value(structure, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")))


def test_the_cube_has_its_structure_measures_and_ranks(loaded):
    graph = loaded.dataset
    datasets = set(graph.subjects(RDF.type, URIRef(QB + "DataSet")))
    assert datasets == {URIRef(RDR + f"dataset/{n}") for n in ("indicator-scores", "category-scores",
                                                                "total-scores", "ranks")}
    for dataset in datasets:
        assert (dataset, DCTERMS.isPartOf, URIRef(RDR + "scorecard")) in graph
    ranks = {(r["Company"]): r["Rank"] for r in _rows("2022-rankings.csv")}
    for company, rank in ranks.items():
        assert graph.value(URIRef(f"{RDR}observation/2022/{company}/rank/total"), URIRef(RDR + "rank")) == \
            Literal(rank, datatype=XSD.integer)


def test_the_scorecard_states_its_source_licence_and_making(loaded):
    graph, scorecard = loaded.dataset, URIRef(RDR + "scorecard")
    assert graph.value(scorecard, DCTERMS.license) == URIRef("http://spdx.org/licenses/MIT")
    assert "3e61441c1af134c3294852ee0145eddd8a2f1e13" in str(graph.value(scorecard, DCTERMS.source))
    derived = {str(o) for o in graph.objects(scorecard, PROV.wasDerivedFrom)}
    assert any(d.endswith("3e61441c1af134c3294852ee0145eddd8a2f1e13/csv/2022-indicators.csv") for d in derived)
    activity = graph.value(scorecard, PROV.wasGeneratedBy)
    assert (activity, PROV.used, URIRef(RDR + "mapping")) in graph


def test_indicators_are_a_skos_scheme_with_rdrs_notations_and_hierarchy(loaded):
    graph = loaded.dataset
    specs = _rows("2022-indicator-specs.csv")
    for row in specs:
        concept = URIRef(RDR + "indicator/" + row["labelShort"])
        assert graph.value(concept, SKOS.notation) == Literal(row["labelShort"])
        assert str(graph.value(concept, SKOS.prefLabel)) == row["labelLong"]
        broader = graph.value(concept, SKOS.broader)
        family = row["Category"] + row["indicatorNr"]
        assert broader == URIRef(RDR + "indicator/" + (family if row["indicatorSuffix"] != "NA" else row["Category"]))
    assert graph.value(URIRef(RDR + "indicator/G4"), SKOS.prefLabel) == Literal("Human rights due diligence",
                                                                                  lang="en")


# --- companies linked with evidence -------------------------------------------------------------

def test_the_five_cop_members_are_linked_and_no_other_company(loaded):
    links = {(str(s), str(o)) for s, o in loaded.dataset.subject_objects(SKOS.exactMatch)
             if str(s).startswith(RDR + "company/")}
    assert links == {(f"{RDR}company/{name}", f"{BASE}org/{org}") for name, org in MEMBERS.items()}
    for name in OTHERS:
        company = URIRef(f"{RDR}company/{name}")
        assert (company, RDF.type, SDO.Organization) in loaded.dataset
        assert not list(loaded.dataset.objects(company, SKOS.closeMatch))
        assert not list(loaded.dataset.subjects(URIRef("http://www.w3.org/ns/org#member"), company))


def test_the_review_report_lists_every_decision_with_its_evidence():
    with open(ROOT / "data" / "links" / "rdr-2022-review.csv", encoding="utf-8", newline="") as handle:
        rows = {row["external_label"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(MEMBERS) | OTHERS
    for name in MEMBERS:
        assert rows[name]["status"] == "linked" and rows[name]["method"] == "name" and rows[name]["evidence"]
    for name in OTHERS:
        assert rows[name]["status"] == "unmatched" and rows[name]["cop"] == ""


# --- RDR's statements, and the curators' mappings apart ------------------------------------------

@pytest.mark.parametrize(("code", "principle"), [("G1", 16), ("G6a", 31)])
def test_rdrs_own_citations_of_the_principles_carry_their_quote(loaded, code, principle):
    graph = loaded.dataset
    indicator, gp = URIRef(f"{RDR}indicator/{code}"), URIRef(f"{BASE}ungp/gp/{principle}")
    assert (indicator, DCTERMS.references, gp) in graph
    [axiom] = [a for a in graph.subjects(OWL.annotatedSource, indicator)
               if (a, OWL.annotatedTarget, gp) in graph]
    assert graph.value(axiom, PROV.wasAttributedTo) == URIRef("https://rankingdigitalrights.org/")
    passage = graph.value(axiom, PROV.wasDerivedFrom)
    assert (passage, RDF.type, COP.Passage) in graph
    quote = next(str(graph.value(s, OA.exact)) for s in graph.objects(passage, OA.hasSelector)
                 if graph.value(s, OA.exact) is not None)
    guidance = next(r["guidance"] for r in _rows("2022-indicator-specs.csv") if r["labelShort"] == code)
    assert quote in guidance and ("Principle 16" in quote if principle == 16 else "Principle 31" in quote)
    stated_in = {str(s.graph) for s in loaded.files if (indicator, DCTERMS.references, gp) in loaded.graph(s)}
    assert stated_in == {BASE + "graph/data/rdr-2022-statements"}


def test_curated_mappings_sit_in_the_mappings_graph_with_a_note_and_never_in_a_source(loaded):
    curated = URIRef(BASE + "graph/data/mappings/rdr-2022-indicators")
    pairs = {("topic/human-rights-due-diligence", "G4"), ("topic/stakeholder-engagement", "G5"),
             ("topic/remedy", "G6a")}
    for topic, code in pairs:
        statement = (URIRef(BASE + topic), SKOS.closeMatch, URIRef(RDR + "indicator/" + code))
        holders = {str(s.graph) for s in loaded.files if statement in loaded.graph(s)}
        assert holders == {str(curated)}, statement
        graph = loaded.dataset.graph(curated)
        [axiom] = [a for a in graph.subjects(OWL.annotatedSource, statement[0])
                   if (a, OWL.annotatedTarget, statement[2]) in graph]
        assert len(str(graph.value(axiom, SKOS.note))) > 60
        assert str(graph.value(axiom, URIRef("https://w3id.org/sssom/mapping_justification"))).endswith(
            "ManualMappingCuration")


# --- the questions, as named queries ------------------------------------------------------------

def test_a_companys_scores_by_index_year(ask):
    rows = ask("rdr-company-scores", company="org/microsoft")
    totals = {str(r["year"]): str(r["score"]) for r in rows if str(r["kind"]) == "total"}
    assert totals == {r["Index"]: r["Score"] for r in _rows("2022-totals.csv") if r["Company"] == "Microsoft"}
    categories = {(str(r["year"]), str(r["notation"])): str(r["score"]) for r in rows if str(r["kind"]) == "category"}
    assert categories == {(r["Index"], r["Category"]): r["Score"] for r in _rows("2022-categories.csv")
                          if r["Company"] == "Microsoft"}
    indicators = {(str(r["year"]), str(r["notation"])) for r in rows if str(r["kind"]) == "indicator"}
    expected = {(r["Index"], r["labelShort"]) for r in _rows("2022-indicators.csv") if r["Company"] == "Microsoft"
                and r["IndicatorFam"] in ("G04", "G05", "G06") and r["Score"] != "NA"}
    assert indicators == expected and ("2022", "G4e") not in indicators  # G4e: not applicable to Microsoft
    assert ask("rdr-company-scores", company="import/rdr-2022/company/Yahoo")  # an RDR company, not a member


def test_members_against_other_companies(ask):
    rows = ask("rdr-members-vs-others", year="2022")
    scores = {r["Company"]: r["Score"] for r in _rows("2022-indicators.csv") if r["Index"] == "2022"
              and r["Indicator"] == "G04"}
    companies = {str(r["name"]): r for r in rows if r.get("company")}
    assert {name for name, r in companies.items() if str(r["group"]) == "COP member"} == set(MEMBERS)
    assert {name for name, r in companies.items() if str(r["group"]) == "other company"} == OTHERS
    for name, row in companies.items():
        assert str(row["g4"]) == scores[name], name
    means = {str(r["group"]): float(r["g4"]) for r in rows if not r.get("company")}
    members = [float(scores[n]) for n in MEMBERS]
    others = [float(scores[n]) for n in OTHERS]
    assert means["COP member"] == pytest.approx(round(sum(members) / len(members), 1))
    assert means["other company"] == pytest.approx(round(sum(others) / len(others), 1))


def test_what_rdr_measures_of_the_topics_and_principles(ask):
    rows = ask("rdr-coverage")
    how = {(str(r["label"]), str(r.get("notation", ""))): str(r.get("how", "")) for r in rows}
    assert how[("Human Rights Due Diligence", "G4")] == "curated (closeMatch)"
    assert how[("Stating the policy commitment", "G1")] == "RDR states"
    assert how[("Criteria for effective non-judicial mechanisms", "G6a")] == "RDR states"
    assert ("End Use", "") in how  # no RDR indicator on end use
    assert len([r for r in rows if str(r["kind"]) == "Guiding Principle" and not r.get("indicator")]) > 20


def test_the_change_for_the_cop_members(ask):
    rows = ask("rdr-change")
    totals = {(r["Company"], r["Index"]): int(r["Score"]) for r in _rows("2022-totals.csv")}
    found = {str(r["name"]): r for r in rows if str(r["measure"]) == "Total score"}
    assert set(found) == set(MEMBERS)
    for name, row in found.items():
        assert int(row["change"]) == totals[(name, "2022")] - totals[(name, "2020")], name
    assert len(rows) == 5 * 4  # total, G4, G5, G6 for each member


def test_export_includes_the_rdr_graph(cli, tmp_path):
    target = tmp_path / "cop.trig"
    assert cli("export", "--format", "trig", "-o", str(target)).returncode == 0
    from rdflib import Dataset
    exported = Dataset()
    exported.parse(target, format="trig")
    graph = exported.graph(URIRef(BASE + "graph/data/imports/rdr-2022"))
    assert (URIRef(RDR + "observation/2022/Twitter/total"), URIRef(RDR + "totalScore"),
            Literal("56", datatype=XSD.decimal)) in graph
