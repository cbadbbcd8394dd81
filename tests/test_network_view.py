"""The COP-wide network and resource neighbourhoods: worked out by hand on a small graph,
then drawn by the explorer as SVG (parsed as XML), as the data the interactive view draws and
as a JSON twin, on the shipped data; projections in which everyone is linked to everyone are
said in words instead. The interactive view itself is tested in tests/browser/test_network_view.py."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from markupsafe import escape

from cop_graph.analysis import network
from cop_graph.config import load_config
from cop_graph.store.dataset import load_dataset
from cop_graph.web import create_app
from cop_graph.web.links import resource_url
from cop_graph.web.pages import network as pages
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
    assert {k: summary[k] for k in ("nodes", "edges", "components")} == {"nodes": 38, "edges": 49, "components": 1}
    assert Counter(d["type"] for _, d in cop.nodes(data=True)) == {
        "org:FormalOrganization": 13, "org:Organization": 5, "schema:EventSeries": 2, "cop:RegularSession": 5,
        "cop:SpecialSession": 1, "skos:Concept": 10, "cop:ExpertGroup": 1, "cop:GuestGroup": 1}
    assert Counter(d["relation"] for _, _, d in cop.edges(data=True)) == {
        "member": 25, "outside expert": 5, "part of": 6, "theme": 11, "attended by": 2}
    assert dict(cop.degree())[BASE + "series/cop-2022"] == 24  # 13 members, 5 outside experts, 6 sessions
    in_2022 = network.summary(network.projection(loaded, "cop", "2022"))
    assert (in_2022["nodes"], in_2022["edges"]) == (37, 37)


# The explorer's network view -----------------------------------------------------------------------------------


def test_the_network_view_draws_the_whole_cop_by_default(client, loaded):
    response = client.get("/network", headers=HTML)
    assert response.status_code == 200 and response.content_type.startswith("text/html")
    body = response.get_data(as_text=True)
    picture = svg_of(body)
    drawn = nodes_of(picture)
    assert len(drawn) == 38 == len(network.projection(loaded, "cop"))
    assert len(picture.findall(f"{SVG}g/{SVG}line")) == 49
    assert all(a.find(f"{SVG}circle/{SVG}title") is not None for a in drawn)
    assert "no organisation is linked to a session directly" in body


@pytest.mark.parametrize("projection", ["cop", "topics", "people"])
def test_every_node_links_to_its_resource_page(app, client, projection):
    body = client.get(f"/network?projection={projection}", headers=HTML).get_data(as_text=True)
    data = client.get(f"/network.json?projection={projection}").get_json()
    hrefs = [a.get("href") for a in nodes_of(svg_of(body))]
    with app.test_request_context():
        assert sorted(hrefs) == sorted(resource_url(n["iri"]) for n in data["nodes"])
    for href in hrefs:
        assert client.get(href, headers=HTML).status_code == 200, href


def test_the_legend_names_every_kind_drawn_in_words(client):
    body = client.get("/network", headers=HTML).get_data(as_text=True)
    legend = re.search(r'<ul class="network-legend".*?</ul>', body, flags=re.DOTALL).group(0)
    named = {re.sub(r"\s*\(\d+\)$", "", item).strip() for item in re.findall(r"</svg>([^<]*)</li>", legend)}
    data = client.get("/network.json").get_json()
    assert named == {n["kind"] for n in data["nodes"]} == {item["kind"] for item in data["legend"]} == {
        "company", "outside expert", "series of events", "regular COP session", "special COP session", "topic",
        "guest group", "outside expert group"}  # the ontology's labels and the roles, never org:FormalOrganization
    colours = {item["kind"]: item["colour"] for item in data["legend"]}
    assert len(set(colours.values())) == len(colours)
    assert all(n["colour"] == colours[n["kind"]] for n in data["nodes"])
    kinds = {n["iri"].removeprefix(BASE): n["kind"] for n in data["nodes"]}
    assert (kinds["org/icrc"], kinds["org/telefonica"], kinds["topic/remedy"]) == ("outside expert", "company", "topic")
    boxes = re.search(r'<fieldset class="network-kinds">.*?</fieldset>', body, flags=re.DOTALL).group(0)
    assert sorted(re.findall(r'name="kind" value="([^"]+)"', boxes)) == sorted(named)  # a filter box per kind


def test_sessions_that_share_a_label_are_told_apart_by_their_date(client):
    data = client.get("/network.json").get_json()
    label = {n["iri"].removeprefix(BASE): n["label"] for n in data["nodes"]}
    assert label["session/2022-03-14"] == "COP Q2 Session 2 — 14 March 2022"
    assert label["session/2022-05-17"] == "COP Q2 Session 2 — 17 May 2022"
    assert label["session/2022-02-28"] == "COP Q1 Session 1"  # a label of its own needs nothing added
    body = client.get("/network", headers=HTML).get_data(as_text=True)
    assert ">COP Q2 Session 2 — 14 March 2022</text>" in body
    assert '<option value="COP Q2 Session 2 — 17 May 2022">' in body  # what the find box suggests


def drawn_boxes(data: dict) -> list[tuple[str, tuple[float, float, float, float]]]:
    """What each node of a JSON drawing covers on its canvas: circle and label, as measured for the SVG."""
    return [(n["iri"], pages._box(n)) for n in data["nodes"]]


@pytest.mark.parametrize("query", [{}, {"projection": "topics"}, {"projection": "full"}, {"projection": "people"},
                                   {"resource": BASE + "session/2022-05-17"}, {"resource": BASE + "org/telefonica"},
                                   {"resource": BASE + "series/cop-2022", "radius": "2"}])
def test_no_label_covers_another_or_is_cut_at_the_edge(client, query):
    """The layout is moved apart until no node's circle and label box meets another's, and the
    canvas is made to hold them all: the small pictures on resource pages used to be cut at
    480 x 320 with labels running off their right edge."""
    data = client.get("/network.json", query_string=query).get_json()
    boxes = drawn_boxes(data)
    for i, (a, (left, top, right, bottom)) in enumerate(boxes):
        assert left >= 0 and top >= 0 and right <= data["width"] and bottom <= data["height"], a
        for b, (left2, top2, right2, bottom2) in boxes[i + 1:]:
            assert not (min(right, right2) > max(left, left2) and min(bottom, bottom2) > max(top, top2)), (a, b)


def test_the_whole_cop_answers_the_issue_the_icrc_is_not_linked_to_remedy(client):
    data = client.get("/network.json").get_json()
    pairs = {frozenset((e["source"], e["target"])) for e in data["edges"]}
    assert frozenset((BASE + "org/icrc", BASE + "topic/remedy")) not in pairs
    assert {e["target"] if e["source"] == BASE + "org/icrc" else e["source"] for e in data["edges"]
            if BASE + "org/icrc" in (e["source"], e["target"])} == {BASE + "series/cop-2022"}


def test_organisations_of_2022_are_said_to_share_the_year_not_drawn_as_a_hairball(client):
    """Every organisation of 2022 is linked to every other (density 1, each of degree 17, the
    same PageRank): the review lists who took part in the year and its sessions, not who
    attended each. The page says so and lists them, instead of drawing 153 links."""
    data = client.get("/network.json?projection=orgs&year=2022").get_json()
    assert data["complete"] and data["nodes"] == [] and data["edges"] == []
    assert (data["summary"]["nodes"], data["summary"]["edges"], data["summary"]["density"]) == (18, 153, 1.0)
    assert data["statement"].startswith("All 18 organisations of 2022 share the same year")
    assert "13 members and 5 outside experts of COP 2022" in data["statement"]
    listed = {row["label"]: (row["kind"], row["took_part"]) for row in data["listing"]}
    assert len(listed) == 18
    assert listed["International Committee of the Red Cross"] == ("outside expert", "2022 (outside expert)")
    assert listed["Telefónica"] == ("company", "2022 (member)")
    body = client.get("/network?projection=orgs&year=2022", headers=HTML).get_data(as_text=True)
    assert 'class="network-svg"' not in body and "network-data" not in body and "cytoscape.min.js" not in body
    assert str(escape(data["statement"])) in body and body.count('<tr><td><a href="/org/') == 18
    over_both = client.get("/network.json?projection=orgs").get_json()
    assert over_both["complete"] and "(12 in 2021 and 2022; 6 in 2022 only)" in over_both["statement"]


def test_organisations_and_topics_say_why_no_organisation_is_linked_to_a_topic(client):
    """This projection used to link all 18 organisations of 2022 to all 11 topics, the ICRC to
    Remedy among them; the data ties no organisation to a session, so there is no link to draw."""
    response = client.get("/network.json?projection=org-topic&year=2022")
    data = response.get_json()
    assert response.status_code == 200 and data["nodes"] == [] and not data["complete"]
    assert data["statement"].startswith("No organisation is linked to a topic in 2022: the data ties no organisation")
    assert "(13 members and 5 outside experts) and the 6 sessions on 10 topics" in data["statement"]
    body = client.get("/network?projection=org-topic&year=2022", headers=HTML).get_data(as_text=True)
    assert "No organisation is linked to a topic in 2022" in body
    assert 'href="/network?projection=cop&amp;year=2022"' in body  # to where both sides are shown


def test_a_network_too_large_to_draw_is_drawn_in_part_and_says_so(app, loaded):
    graph = network.projection(loaded, "full")
    with app.test_request_context():
        picture = drawing_of(graph, "Network: every resource", loaded, limit=25, projection="full")
        assert len(picture.nodes) == 25 and picture.partial and picture.summary["nodes"] == len(graph)
        assert picture.as_json()["shown"] == {"nodes": 25, "edges": len(picture.edges)}
        drawn = {n["iri"] for n in picture.nodes}
        assert all(e["source"] in drawn and e["target"] in drawn for e in picture.edges)
        body = app.jinja_env.get_template("_network_svg.html").render(picture=picture)
    assert f"Showing 25 of {len(graph):,} nodes" in body


def test_the_page_carries_its_drawing_for_the_interactive_view_and_no_inline_code(client):
    """network.js draws the JSON in the data block with cytoscape.js, both from this server
    (the CSP allows no other script and no inline script or style); the data is the JSON twin's."""
    response = client.get("/network", headers=HTML)
    body = response.get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="network-data">(.*?)</script>', body, flags=re.DOTALL)
    assert block and json.loads(block.group(1)) == client.get("/network.json").get_json()
    scripts = re.findall(r"<script\b([^>]*)>", body)
    assert {re.search(r'src="([^"]+)"', s).group(1) for s in scripts if "src=" in s} == {
        "/static/vendor/cytoscape/cytoscape.min.js", "/static/network.js"}
    assert all("src=" in s or 'type="application/json"' in s for s in scripts)
    assert " style=" not in body and "<style" not in body
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    for asset in ("/static/network.js", "/static/network.css", "/static/vendor/cytoscape/cytoscape.min.js"):
        assert client.get(asset).status_code == 200, asset
    assert 'id="network-explorer"' in body and 'id="network-explorer" aria-labelledby' in body


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
    assert data["summary"]["nodes"] == len(data["nodes"]) == 10 and data["summary"]["edges"] == len(data["edges"]) == 8
    assert {"iri", "label", "type", "kind", "x", "y", "url"} <= set(data["nodes"][0])
    assert {"source", "target", "weight", "relation"} <= set(data["edges"][0])
    assert [item["kind"] for item in data["legend"]] == ["topic"] and data["statement"] is None
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
    assert label[BASE + "period/2022"].startswith("2022")  # the year is the membership's interval; no session named
    assert [n["iri"] for n in data["nodes"] if n["centre"]] == [iri]
    assert data["left_out"] == {"cop:Passage": 2}
    body = client.get("/network", query_string={"resource": iri}, headers=HTML).get_data(as_text=True)
    assert len(nodes_of(svg_of(body))) == 7 and "Telefónica" in body
    assert "Not drawn: 2 \u00d7 source passage" in body  # in words; the JSON keeps the class's short name


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
        block = re.search(r'id="network-data">(.*?)</script>', body, flags=re.DOTALL).group(1)
        assert "<" not in block and "alert('label')" in json.dumps(json.loads(block))  # escaped, and intact


def test_a_large_picture_stays_legible(app, client):
    body = client.get("/network?projection=full", headers=HTML).get_data(as_text=True)
    picture = svg_of(body)
    drawn = nodes_of(picture)
    assert len(drawn) > 100
    labelled = [a for a in drawn if a.find(f"{SVG}text") is not None]
    assert 0 < len(labelled) <= 40 and all(len(a.find(f"{SVG}text").text) <= 36 for a in labelled)
    assert int(picture.get("width")) >= 150 * 10  # about 150 px per square root of a node
    assert 'class="network network-large"' in body and body.count("<tr><td><a href=") == len(drawn)
    data = client.get("/network.json?projection=full").get_json()
    with app.test_request_context():
        assert sorted(a.get("href") for a in drawn) == sorted(resource_url(n["iri"]) for n in data["nodes"])
