"""The competency questions, answered from the sources, and the named-query library's rules."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rdflib import URIRef

from cop_graph.errors import ParameterError, QueryError, UnknownQueryError
from cop_graph.sparql.evaluate import run_named, run_query
from cop_graph.sparql.library import find_query, load_library
from cop_graph.store.dataset import load_dataset

from .conftest import BASE, VIRTUOSO_WRONG_ANSWERS

pytestmark = pytest.mark.every_store

COP_2022 = {"Apple", "Cisco", "Cloudflare", "Ericsson", "Google", "Hewlett Packard Enterprise", "Meta",
            "Microsoft", "Salesforce", "Telefónica", "Twitter", "Verizon", "Vodafone"}


@pytest.fixture(scope="module")
def library(config):
    return load_library(config.queries_dir)


@pytest.fixture(scope="module")
def ask(loaded, library):
    def run(name: str, **params: str) -> list[dict[str, str]]:
        result = run_named(loaded, find_query(library, name), params)
        return [{str(k): str(v) for k, v in row.asdict().items()} for row in result]
    return run


def test_the_library_has_a_header_on_every_query_and_each_runs_with_its_defaults(library, loaded, store):
    assert len(library) >= 15
    empty_by_default = {"left-in-year", "labels-missing-in-language",  # each tested below
                        "pillars-without-session"}  # tested in test_principles.py
    wrong = []
    for query in library.values():
        assert query.title and query.description, query.name
        rows = list(run_named(loaded, query, {}))
        if bool(rows) != (query.name not in empty_by_default):
            wrong.append(query.name)
    if store == "virtuoso" and wrong and set(wrong) <= set(VIRTUOSO_WRONG_ANSWERS):
        pytest.xfail("; ".join(VIRTUOSO_WRONG_ANSWERS[name] for name in wrong))
    assert not wrong


def test_nobody_left_in_2022_and_no_year_without_memberships_counts_as_leaving(ask):
    assert ask("left-in-year", year="2022") == []
    assert ask("left-in-year", year="2023") == []


def test_labels_missing_in_a_language_lists_the_tagged_labels_without_it(ask):
    assert ask("labels-missing-in-language", lang="en") == []
    missing = {row["resource"] for row in ask("labels-missing-in-language", lang="fr")}
    assert BASE + "topic/remedy" in missing and BASE + "org/telefonica" not in missing


def test_members_in_2022_are_the_thirteen_the_review_lists(ask):
    assert {row["name"] for row in ask("members-in-year", year="2022")} == COP_2022


def test_members_in_2021_are_the_twelve_of_the_2021_dialogue(ask):
    assert {row["name"] for row in ask("members-in-year", year="2021")} == COP_2022 - {"Telefónica"}


def test_no_members_are_recorded_for_a_year_without_data(ask):
    assert ask("members-in-year", year="2019") == []


def test_telefonica_joined_in_2022_and_everyone_else_in_2021(ask):
    assert [row["name"] for row in ask("joined-in-year", year="2022")] == ["Telefónica"]
    assert len(ask("joined-in-year", year="2021")) == 12


def test_sessions_of_2022_in_date_order_with_labels_kinds_and_themes(ask):
    rows = ask("sessions-in-year", year="2022")
    assert [(r["date"], r["label"], r["kind"], r.get("quarter")) for r in rows] == [
        ("2022-02-28", "COP Q1 Session 1", "regular COP session", "Q1"),
        ("2022-03-14", "COP Q2 Session 2", "regular COP session", "Q2"),
        ("2022-05-03", "COP Q2 Session 1", "regular COP session", "Q2"),
        ("2022-05-17", "COP Q2 Session 2", "regular COP session", "Q2"),
        ("2022-06-21", "COP Special Session", "special COP session", None),
        ("2022-09-12", "COP Q3 Session", "regular COP session", "Q3"),
    ]
    assert rows[3]["theme"] == "HRDD and Remedy on End Use; the Role of Key Colleagues"


def test_sessions_on_hrdd_include_its_narrower_topics(ask):
    """HRDD's narrower topics are the curated grouping's (mappings/topic-groupings.ttl):
    stakeholder engagement (May 3), the role of key colleagues (May 17) and conflict settings
    (June 21); severity (March 14) is not filed under it."""
    dates = [row["date"] for row in ask("sessions-on-topic", topic="topic/human-rights-due-diligence")]
    assert dates == ["2022-02-28", "2022-05-03", "2022-05-17", "2022-06-21"]
    assert [r["date"] for r in ask("sessions-on-topic", topic=BASE + "topic/remedy")] == ["2022-05-17"]


def test_outside_expert_organisations_of_2022(ask):
    assert {row["name"] for row in ask("outside-experts-in-year", year="2022")} == {
        "Mazars", "Pluto & Associates", "International Committee of the Red Cross",
        "Global Network Initiative", "Institute for Human Rights and Business"}
    assert ask("outside-experts-in-year", year="2021") == []


def test_the_may_17_session_had_guests_from_member_companies(ask):
    rows = ask("sessions-with-guests")
    assert [(r["date"], r["description"]) for r in rows] == [("2022-05-17", "numerous “guests” from COP companies")]


def test_developments_of_2022_at_the_precision_the_source_gives(ask):
    rows = {r["label"]: (r["date"], r["precision"]) for r in ask("developments-in-year", year="2022")}
    assert rows["Twitter's entire human rights team laid off"] == ("2022-11", "month")
    assert rows["The High Commissioner transition"] == ("2022", "year")
    # undated by the review: placed in the year they affected the COP, never given a start
    assert rows["The full-scale invasion of Ukraine"] == ("2022", "during")
    assert rows["B-Tech's limited resources"] == ("2022", "during")
    assert rows["Layoffs and hiring freezes at large tech companies"] == ("2022", "during")
    assert len(rows) == 6


def test_provenance_gives_the_sentence_that_says_so(ask):
    quotes = {r["quote"] for r in ask("provenance", resource="org/telefonica")}
    assert ("The core group of the COP remained largely the same from 2021, with the addition of the "
            "Spain-based telecommunications provider Telefónica:") in quotes
    sources = {r["source"] for r in ask("provenance", resource="membership/2021/meta")}
    assert BASE + "document/bhrrc-2021-special-rapporteurs-dialogue" in sources


def test_high_commissioners_terms_stop_where_the_sources_stop(ask):
    rows = ask("high-commissioners")
    assert [(r["name"], r.get("begin"), r.get("end")) for r in rows] == [
        ("Michelle Bachelet", "2018-09", "2022-08"), ("Volker Türk", "2022", None)]


@pytest.mark.parametrize(("params", "fragment"), [
    ({"year": "twenty"}, "a year such as 2022"),
    ({"year": '2022") } #'}, "a year such as 2022"),
    ({"colour": "red"}, "has no parameter 'colour'"),
])
def test_parameters_are_checked_against_their_declared_type(loaded, library, params, fragment):
    with pytest.raises(ParameterError, match=fragment):
        run_named(loaded, find_query(library, "members-in-year"), params)


def test_an_iri_parameter_cannot_break_out_of_its_term(loaded, library):
    with pytest.raises(ParameterError):
        run_named(loaded, find_query(library, "provenance"), {"resource": "org/apple> ?p ?o . ?s"})


def test_a_string_parameter_is_bound_as_a_value_never_spliced(loaded, tmp_path):
    query = tmp_path / "label.rq"
    query.write_text("# title: By label\n# description: Resources with a label.\n"
                     "# param: name (xsd:string, default Apple) The label.\n"
                     "SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
                     "FILTER(STR(?l) = ?name) }\n", encoding="utf-8")
    from cop_graph.sparql.library import parse_named_query
    named = parse_named_query(query)
    # the COP's Apple, and RDR's (data/imports/rdr-2022.ttl)
    assert {str(r.s) for r in run_named(loaded, named, {"name": "Apple"})} == {
        BASE + "org/apple", BASE + "import/rdr-2022/company/Apple"}
    hostile = 'x") || true || ("'
    assert list(run_named(loaded, named, {"name": hostile})) == []


def test_unknown_query_names_list_the_library(library):
    with pytest.raises(UnknownQueryError, match="members-in-year"):
        find_query(library, "members")


@pytest.mark.parametrize(("text", "fragment"), [
    ("SELECT * WHERE { ?s ?p }", "line 1"),
    ("INSERT DATA { <a:b> <a:c> <a:d> }", "read-only"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
     "SERVICE <http://127.0.0.1:9/sparql> is not allowed"),
])
def test_bad_queries_are_refused_with_a_reason(loaded, text, fragment):
    with pytest.raises(QueryError, match=fragment):
        run_query(loaded, text)


def test_from_selects_our_own_graphs_and_never_loads_anything(loaded, tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:secret> <urn:is> <urn:leaked> .\n", encoding="utf-8")
    leaked = run_query(loaded, f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}")
    assert list(leaked) == []
    ours = run_query(loaded, f"SELECT (COUNT(*) AS ?n) FROM <{BASE}graph/data/experts> WHERE {{ ?s ?p ?o }}")
    assert int(next(iter(ours))[0]) > 0
    assert (URIRef("urn:secret"), None, None) not in loaded.dataset


def test_relative_iris_in_a_query_are_read_against_the_base(loaded):
    rows = list(run_query(loaded, "SELECT ?name WHERE { <org/apple> rdfs:label ?name }"))
    assert [str(row.name) for row in rows] == ["Apple"]


def test_a_function_the_engine_does_not_know_has_no_value_instead_of_failing_the_query(config):
    """SPARQL 1.1, 17.3: an unknown function is an error of its expression, not of the query
    (on Oxigraph, which answers on the local stores; a remote store answers as it answers)."""
    loaded = load_dataset(config=replace(config, store="memory"))
    text = "PREFIX ex: <http://example.org/> SELECT ?x WHERE { VALUES ?x { 1 2 } FILTER(ex:f(?x) || ?x = 2) }"
    assert [int(row.x) for row in run_query(loaded, text)] == [2]
    bound = "PREFIX ex: <http://example.org/> SELECT ?x ?y WHERE { VALUES ?x { 1 } BIND(ex:f(?x) AS ?y) }"
    assert [(int(row.x), row.y) for row in run_query(loaded, bound)] == [(1, None)]
