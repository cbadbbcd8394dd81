"""The COP-wide network and resource neighbourhoods: worked out by hand on a small graph,
then drawn by the explorer as SVG (parsed as XML) with a JSON twin, on the shipped data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from cop_graph.analysis import network
from cop_graph.config import load_config
from cop_graph.store.dataset import load_dataset
from cop_graph.web import create_app
from cop_graph.web.links import resource_url
from cop_graph.web.pages.network import drawing_of, neighbourhood_drawing

HERE = Path(__file__).parent / "network"
EX = "https://example.org/net/"
BASE = "https://w3id.org/b-tech-cop/"
SVG = "{http://www.w3.org/2000/svg}"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def small(config):
    return load_dataset([HERE / "small.ttl", HERE / "groups.ttl"], config=config, bundled=False)


def relations(graph) -> set[tuple[str, str, str]]:
    """A projection's edges as (end, end, relation), the ends in order, without the example prefix."""
    return {(*sorted((a.removeprefix(EX), b.removeprefix(EX))), d["relation"]) for a, b, d in graph.edges(data=True)}


def statements(graph) -> set[tuple[str, str, str]]:
    """A neighbourhood's links as (subject, object, property), without the example prefix."""
    return {(a.removeprefix(EX), b.removeprefix(EX), d["property"]) for a, b, d in graph.edges(data=True)}


def svg_of(body: str) -> ET.Element:
    """The network picture of a page, parsed as XML (the legend's swatches are other SVGs)."""
    match = re.search(r'<svg viewBox="[^"]*"[^>]*class="network-svg".*?</svg>', body, flags=re.DOTALL)
    assert match, "no network picture on the page"
    return ET.fromstring(match.group(0))


def nodes_of(picture: ET.Element) -> list[ET.Element]:
    return picture.findall(f"{SVG}a")


# The cop projection and neighbourhoods on the hand-made graph ---------------------------------------------------


def test_cop_projection_links_organisations_to_series_and_sessions_to_series_topics_and_groups(small):
    cop = network.projection(small, "cop")
    assert relations(cop) == {
        ("A", "y2021", "member"), ("B", "y2021", "member"),
        ("A", "y2022", "member"), ("B", "y2022", "member"), ("C", "y2022", "member"),
        ("X", "y2022", "outside expert"),
        ("s1", "y2022", "part of"), ("s2", "y2022", "part of"),
        ("T1", "s1", "theme"), ("T2", "s1", "theme"), ("T2", "s2", "theme"), ("T3", "s2", "theme"),
        ("G", "s2", "attended by"),
    }
    assert not any(cop.has_edge(EX + org, EX + s) for org in "ABCX" for s in ("s1", "s2"))  # no source says so
    assert cop.nodes[EX + "s2"]["type"] == "cop:RegularSession" and cop.nodes[EX + "X"]["label"] == "X"


def test_cop_projection_for_one_year_keeps_that_years_series_and_sessions(small):
    assert relations(network.projection(small, "cop", "2021")) == {("A", "y2021", "member"), ("B", "y2021", "member")}
    assert len(network.projection(small, "cop", "2022")) == 11  # A B C X y2022 s1 s2 T1 T2 T3 G


def test_a_neighbourhood_draws_memberships_with_their_other_ends(small):
    around = network.neighbourhood(small, EX + "A")
    assert {n.removeprefix(EX) for n in around} == {"A", "mA1", "mA2", "mP", "cop", "i2021", "i2022", "P", "iP"}
    assert statements(around) == {
        ("mA1", "A", "org:member"), ("mA1", "cop", "org:organization"), ("mA1", "i2021", "org:memberDuring"),
        ("mA2", "A", "org:member"), ("mA2", "cop", "org:organization"), ("mA2", "i2022", "org:memberDuring"),
        ("mP", "P", "org:member"), ("mP", "A", "org:organization"), ("mP", "iP", "org:memberDuring")}
    assert around.graph["centre"] == EX + "A" and around.nodes[EX + "A"]["label"] == "A"


def test_a_neighbourhood_leaves_out_passages_and_documents_but_counts_them(small):
    around = network.neighbourhood(small, EX + "G")
    assert statements(around) == {("s2", "G", "schema:attendee")}
    assert around.graph["left_out"] == {"cop:Passage": 1} and not around.graph["truncated"]
    further = network.neighbourhood(small, EX + "G", radius=2)
    assert {n.removeprefix(EX) for n in further} == {"G", "s2", "y2022", "T2", "T3"}


def test_the_neighbourhood_of_a_passage_keeps_its_document(small):
    assert {n.removeprefix(EX) for n in network.neighbourhood(small, EX + "p1")} == {"p1", "G", "D"}


def test_a_neighbourhood_stops_at_its_limit_and_says_so(small):
    around = network.neighbourhood(small, EX + "y2022", limit=3)
    assert {n.removeprefix(EX) for n in around} == {"y2022", "X", "cop"}  # neighbours in IRI order
    assert around.graph["truncated"]


def test_an_unknown_resource_has_no_neighbourhood(small):
    with pytest.raises(network.UnknownResource, match=re.escape(f"no resource {EX}nothing in the graph")):
        network.neighbourhood(small, EX + "nothing")


# The cop projection on the shipped data -------------------------------------------------------------------------


def test_cop_projection_figures_on_the_shipped_data(loaded):
    cop = network.projection(loaded, "cop")
    summary = network.summary(cop)
    assert {k: summary[k] for k in ("nodes", "edges", "components")} == {"nodes": 39, "edges": 50, "components": 1}
    assert Counter(d["type"] for _, d in cop.nodes(data=True)) == {
        "org:FormalOrganization": 13, "org:Organization": 5, "schema:EventSeries": 2, "cop:RegularSession": 5,
        "cop:SpecialSession": 1, "skos:Concept": 11, "cop:ExpertGroup": 1, "cop:GuestGroup": 1}
    assert Counter(d["relation"] for _, _, d in cop.edges(data=True)) == {
        "member": 25, "outside expert": 5, "part of": 6, "theme": 12, "attended by": 2}
    assert dict(cop.degree())[BASE + "series/cop-2022"] == 24  # 13 members, 5 outside experts, 6 sessions
    in_2022 = network.summary(network.projection(loaded, "cop", "2022"))
    assert (in_2022["nodes"], in_2022["edges"]) == (38, 38)


# The explorer's network view -----------------------------------------------------------------------------------


def test_the_network_view_draws_the_whole_cop_by_default(client, loaded):
    response = client.get("/network", headers=HTML)
    assert response.status_code == 200 and response.content_type.startswith("text/html")
    body = response.get_data(as_text=True)
    picture = svg_of(body)
    drawn = nodes_of(picture)
    assert len(drawn) == 39 == len(network.projection(loaded, "cop"))
    assert len(picture.findall(f"{SVG}g/{SVG}line")) == 50
    assert all(a.find(f"{SVG}circle/{SVG}title") is not None for a in drawn)
    assert "no organisation is linked to a session directly" in body


@pytest.mark.parametrize("projection", ["cop", "topics", "orgs", "people"])
def test_every_node_links_to_its_resource_page(app, client, projection):
    body = client.get(f"/network?projection={projection}", headers=HTML).get_data(as_text=True)
    data = client.get(f"/network.json?projection={projection}").get_json()
    hrefs = [a.get("href") for a in nodes_of(svg_of(body))]
    with app.test_request_context():
        assert sorted(hrefs) == sorted(resource_url(n["iri"]) for n in data["nodes"])
    for href in hrefs:
        assert client.get(href, headers=HTML).status_code == 200, href


def test_the_legend_lists_every_type_drawn(client):
    body = client.get("/network", headers=HTML).get_data(as_text=True)
    legend = re.search(r'<ul class="network-legend".*?</ul>', body, flags=re.DOTALL).group(0)
    named = {re.sub(r"\s*\(\d+\)$", "", item).strip() for item in re.findall(r"</svg>([^<]*)</li>", legend)}
    data = client.get("/network.json").get_json()
    assert named == {n["type"] for n in data["nodes"]} == {item["type"] for item in data["legend"]}
    colours = {item["type"]: item["colour"] for item in data["legend"]}
    assert len(set(colours.values())) == len(colours)
    assert all(n["colour"] == colours[n["type"]] for n in data["nodes"])


@pytest.mark.parametrize(("url", "headers"), [
    ("/network.json?projection=topics&year=2022", {}),
    ("/network?projection=topics&year=2022&format=json", {}),
    ("/network?projection=topics&year=2022", {"Accept": "application/json"}),
])
def test_the_json_twin_carries_the_drawing(client, url, headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.content_type == "application/json"
    data = response.get_json()
    assert (data["projection"], data["year"]) == ("topics", "2022")
    assert data["summary"]["nodes"] == len(data["nodes"]) == 11 and data["summary"]["edges"] == len(data["edges"]) == 9
    assert {"iri", "label", "type", "x", "y", "url"} <= set(data["nodes"][0])
    assert {"source", "target", "weight", "relation"} <= set(data["edges"][0])
    assert {item["type"] for item in data["legend"]} == {"skos:Concept"}
    html = client.get("/network?projection=topics&year=2022", headers=HTML).get_data(as_text=True)
    drawn = {(a.get("href"), a.find(f"{SVG}circle").get("cx")) for a in nodes_of(svg_of(html))}
    assert drawn == {(n["url"], str(n["x"])) for n in data["nodes"]}  # one page data, two renderings


def test_the_neighbourhood_of_telefonica_shows_its_membership_as_the_data_says(client):
    iri = BASE + "org/telefonica"
    data = client.get("/network.json", query_string={"resource": iri}).get_json()
    label = {n["iri"]: n["label"] for n in data["nodes"]}
    wikidata, link = "http://www.wikidata.org/entity/Q160229", BASE + "link/wikidata/telefonica"
    assert set(label) == {BASE + p for p in ("org/telefonica", "membership/2022/telefonica", "org/cop",
                                             "period/2022", "role/participant")} | {wikidata, link}
    membership = BASE + "membership/2022/telefonica"
    assert {(e["source"], e["target"], e["relation"]) for e in data["edges"]} == {
        (membership, iri, "org:member"), (membership, BASE + "org/cop", "org:organization"),
        (membership, BASE + "period/2022", "org:memberDuring"), (membership, BASE + "role/participant", "org:role"),
        (wikidata, iri, "owl:sameAs"), (link, iri, "owl:annotatedSource"), (wikidata, link, "owl:annotatedTarget")}
    assert label[BASE + "period/2022"] == "2022"  # the year is the membership's interval; no session is named
    assert [n["iri"] for n in data["nodes"] if n["centre"]] == [iri]
    assert data["left_out"] == {"cop:Passage": 2}
    body = client.get("/network", query_string={"resource": iri}, headers=HTML).get_data(as_text=True)
    assert len(nodes_of(svg_of(body))) == 7 and "Telefónica" in body


def test_the_resource_page_can_draw_a_neighbourhood(app, loaded, small):
    with app.test_request_context():
        picture = neighbourhood_drawing(loaded, BASE + "org/telefonica")
        assert picture is not None and len(picture.nodes) == 7  # with its Wikidata link and its description
        assert neighbourhood_drawing(loaded, BASE + "org/nobody") is None
        assert drawing_of(network.projection(small, "topics")).summary["nodes"] == 3


@pytest.mark.parametrize(("query", "status", "message"), [
    ({"resource": BASE + "org/nobody"}, 404, f"no resource {BASE}org/nobody in the graph"),
    ({"projection": "friends"}, 400, "unknown projection 'friends'; choose one of: orgs, topics"),
    ({"year": "1999"}, 400, "no data for year 1999; years with data: 2021, 2022"),
    ({"resource": BASE + "org/apple", "radius": "9"}, 400, "parameter 'radius' must be 1, 2 or 3"),
])
def test_bad_network_requests_are_refused_with_the_reason(client, query, status, message):
    for url in ("/network", "/network.json"):
        response = client.get(url, query_string=query, headers=HTML)
        assert response.status_code == status and message in response.get_data(as_text=True)


def test_hostile_labels_and_iris_come_out_escaped():
    hostile = create_app(load_config(workers=0), data=[HERE / "hostile.ttl"]).test_client()
    for query in ({"year": "2022"}, {"resource": BASE + "org/hostile"}):
        body = hostile.get("/network", query_string=query, headers=HTML).get_data(as_text=True)
        assert "<script>" not in body and "&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;" in body
        hrefs = [a.get("href") for a in nodes_of(svg_of(body))]  # parses: nothing broke out of the SVG
        assert hrefs and not any(h.lower().startswith("javascript:") for h in hrefs)
        assert not re.search(r'href="javascript:', body, flags=re.IGNORECASE)


def test_a_large_picture_stays_legible(app, client):
    body = client.get("/network?projection=full", headers=HTML).get_data(as_text=True)
    picture = svg_of(body)
    drawn = nodes_of(picture)
    assert len(drawn) > 100
    labelled = [a for a in drawn if a.find(f"{SVG}text") is not None]
    assert 0 < len(labelled) <= 40 and all(len(a.find(f"{SVG}text").text) <= 28 for a in labelled)
    assert int(picture.get("width")) >= 150 * 10  # about 150 px per square root of a node
    assert 'class="network network-large"' in body and body.count("<tr><td><a href=") == len(drawn)
    data = client.get("/network.json?projection=full").get_json()
    with app.test_request_context():
        assert sorted(a.get("href") for a in drawn) == sorted(resource_url(n["iri"]) for n in data["nodes"])
