"""The rdr projection: Ranking Digital Rights' 2022 Big Tech Scorecard as companies and the
governance indicators G4, G5 and G6, each link weighted by the company's score, checked
against RDR's own table (data/sources/rdr-2022/2022-indicators.csv); COP members marked;
through the library, the CLI and the explorer."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cop_graph.analysis import network
from cop_graph.errors import NetworkError

RDR = "https://w3id.org/b-tech-cop/import/rdr-2022/"
TABLE = Path(__file__).parent.parent / "data" / "sources" / "rdr-2022" / "2022-indicators.csv"
INDICATORS = {"G04": "G4", "G05": "G5", "G06": "G6"}
MEMBERS = {"Apple", "Google", "Meta", "Microsoft", "Twitter"}
HTML = {"Accept": "text/html"}


def scores(index: str) -> dict[tuple[str, str], float]:
    """(company IRI, indicator IRI) -> score, from RDR's table: not applicable and 0 are no link."""
    with TABLE.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Indicator"] in INDICATORS and r["Index"] == index]
    return {(f"{RDR}company/{r['Company']}", f"{RDR}indicator/{INDICATORS[r['Indicator']]}"): float(r["Score"])
            for r in rows if r["Score"] not in ("NA", "0")}


@pytest.fixture(scope="module")
def rdr(loaded):
    return network.projection(loaded, "rdr")


def test_rdr_is_a_projection():
    assert "rdr" in network.PROJECTIONS


def test_the_companies_and_indicators_are_the_nodes(rdr):
    expected = scores("2022")
    companies = {n for n, d in rdr.nodes(data=True) if d["bipartite"] == 0}
    indicators = {n for n, d in rdr.nodes(data=True) if d["bipartite"] == 1}
    assert companies == {c for c, _ in expected} and len(companies) == 14  # each scores above 0 somewhere
    assert indicators == {f"{RDR}indicator/{i}" for i in ("G4", "G5", "G6")}
    assert {rdr.nodes[n]["label"] for n in indicators} == {"Human rights due diligence", "Remedy and appeals",
                                                           "Stakeholder engagement and accountability"}


@pytest.mark.parametrize("index", ["2022", "2020"])
def test_every_link_is_a_score_above_zero_in_rdrs_table(loaded, index):
    graph = network.projection(loaded, "rdr", None if index == "2022" else index)
    found = {(a, b) if a.startswith(f"{RDR}company/") else (b, a): d["weight"] for a, b, d in graph.edges(data=True)}
    assert found == scores(index)
    assert graph.graph["index_year"] == index


def test_the_figures_for_2022(rdr):
    assert (rdr.number_of_nodes(), rdr.number_of_edges()) == (17, 33)
    assert rdr.degree(f"{RDR}indicator/G6") == 14 and rdr.degree(f"{RDR}indicator/G5") == 8
    assert rdr.degree(f"{RDR}indicator/G4") == 11
    assert rdr.edges[f"{RDR}company/Yahoo", f"{RDR}indicator/G4"]["relation"] == "score 49"


def test_the_cop_members_are_marked(rdr):
    companies = {rdr.nodes[n]["label"]: d for n, d in rdr.nodes(data=True) if d["bipartite"] == 0}
    assert {name for name, d in companies.items() if d["member"] is True} == MEMBERS
    assert all(d["member"] is False and d["role"] == "other company" for name, d in companies.items()
               if name not in MEMBERS)
    assert all(companies[name]["role"] == "COP member" for name in MEMBERS)


def test_a_year_that_is_no_index_year_is_refused(loaded):
    with pytest.raises(NetworkError, match=r"no RDR scores for year 2021.*2020, 2022"):
        network.projection(loaded, "rdr", "2021")


def test_the_cli_measures_it(cli):
    proc = cli("network", "--projection", "rdr", "--measure", "degree", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert len(rows) == 17 and rows[0]["iri"] == f"{RDR}indicator/G6" and rows[0]["degree"] == "14"
    as_json = json.loads(cli("network", "--projection", "rdr", "--format", "json").stdout)
    assert as_json["summary"]["nodes"] == 17 and as_json["summary"]["edges"] == 33
    refused = cli("network", "--projection", "rdr", "--year", "2021")
    assert refused.returncode == 2 and "no RDR scores for year 2021" in refused.stderr


def test_the_explorer_draws_it_with_members_apart(client):
    page = client.get("/network", query_string={"projection": "rdr"}, headers=HTML)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "RDR scores: companies and indicators" in body and "MIT licence" in body
    assert '<option value="rdr" selected>' in body
    drawing = client.get("/network.json", query_string={"projection": "rdr"}).get_json()
    assert drawing["summary"]["nodes"] == 17 and drawing["summary"]["edges"] == 33
    kinds = {item["kind"]: item for item in drawing["legend"]}
    assert {k: v["count"] for k, v in kinds.items()} == {"COP member company": 5, "other company": 9,
                                                         "RDR indicator": 3}
    assert len({v["colour"] for v in kinds.values()}) == 3
    members = {n["label"] for n in drawing["nodes"] if n["kind"] == "COP member company"}
    assert members == MEMBERS
