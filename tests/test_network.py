"""Network projections and measures on a small hand-made graph with answers worked out by
hand, exports that read back unchanged, and the shipped data's figures: the projections
link only what the sources link, and say when everyone is linked to everyone."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from cop_graph.analysis import network
from cop_graph.errors import CopGraphError
from cop_graph.store.dataset import load_dataset

pytestmark = pytest.mark.every_store

EX = "https://example.org/net/"
SMALL = Path(__file__).parent / "network" / "small.ttl"
ATTENDANCE = SMALL.parent / "attendance.ttl"
BASE = "https://w3id.org/b-tech-cop/"


@pytest.fixture(scope="module")
def small(config):
    return load_dataset([SMALL], config=config, bundled=False)


@pytest.fixture(scope="module")
def attended(config):
    """small.ttl with A at session s1 and X contributing to s2."""
    return load_dataset([SMALL, ATTENDANCE], config=config, bundled=False)


def edges(graph: nx.Graph) -> dict[frozenset, int]:
    return {frozenset((a.removeprefix(EX), b.removeprefix(EX))): d.get("weight", 1)
            for a, b, d in graph.edges(data=True)}


def test_organisations_are_linked_by_the_years_they_shared(small):
    assert edges(network.projection(small, "orgs")) == {
        frozenset("AB"): 2, frozenset("AC"): 1, frozenset("AX"): 1,
        frozenset("BC"): 1, frozenset("BX"): 1, frozenset("CX"): 1}
    assert edges(network.projection(small, "orgs", "2021")) == {frozenset("AB"): 1}


def test_topics_are_linked_by_sessions_that_share_them(small):
    topics = network.projection(small, "topics")
    assert edges(topics) == {frozenset(("T1", "T2")): 1, frozenset(("T2", "T3")): 1}
    values = network.measure(topics, network.MEASURES)
    assert values[EX + "T2"]["betweenness"] == 1.0 and values[EX + "T1"]["betweenness"] == 0.0
    assert values[EX + "T2"]["closeness"] == 1.0 and values[EX + "T1"]["closeness"] == pytest.approx(2 / 3, abs=1e-6)
    assert network.summary(topics) == {"nodes": 3, "edges": 2, "density": pytest.approx(2 / 3, abs=1e-6),
                                       "components": 1, "communities": network.summary(topics)["communities"]}


def test_organisation_topic_links_only_through_sessions_the_data_ties_them_to(small, attended):
    """This projection used to link every organisation of a year to every topic of the
    year's sessions (here 4 x 3 = 12 links), which says that X, an outside expert of 2022,
    was at sessions on T1, T2 and T3 — no statement says so. Now only a tie to a session
    links an organisation to that session's topics, weighted by such sessions."""
    with pytest.raises(network.EmptyProjection, match="ties no organisation to a particular session"):
        network.projection(small, "org-topic", "2022")
    tied = network.projection(attended, "org-topic", "2022")
    assert edges(tied) == {frozenset(("A", "T1")): 1, frozenset(("A", "T2")): 1,
                           frozenset(("X", "T2")): 1, frozenset(("X", "T3")): 1}
    assert not tied.has_node(EX + "B") and not tied.has_edge(EX + "X", EX + "T1")
    assert tied.nodes[EX + "A"]["role"] == "attendee" and tied[EX + "X"][EX + "T3"]["relation"] == "contributor"
    assert network.measure(tied, ["weighted_degree"])[EX + "A"]["weighted_degree"] == 2
    assert not network.complete_by_construction(tied)


def test_the_whole_cop_links_an_organisation_to_a_session_only_where_the_data_does(small, attended):
    assert not any(network.projection(small, "cop").has_edge(EX + o, EX + s) for o in "ABCX" for s in ("s1", "s2"))
    cop = network.projection(attended, "cop")
    assert cop[EX + "A"][EX + "s1"]["relation"] == "attendee" and cop[EX + "X"][EX + "s2"]["relation"] == "contributor"
    assert not cop.has_edge(EX + "B", EX + "s1") and cop.nodes[EX + "X"]["role"] == "contributor; outside expert"


def test_people_projection_follows_the_post_years(small):
    assert edges(network.projection(small, "people", "2021")) == {frozenset("PA"): 1}
    with pytest.raises(CopGraphError, match="empty"):
        network.projection(small, "people", "2022")


def test_measures_on_a_complete_graph(small):
    orgs = network.projection(small, "orgs", "2022")
    values = network.measure(orgs, network.MEASURES)
    for node in orgs:
        assert values[node]["degree"] == 3 and values[node]["closeness"] == 1.0
        assert values[node]["pagerank"] == pytest.approx(0.25, abs=1e-6)
        assert values[node]["component"] == 0
    assert network.summary(orgs)["density"] == 1.0
    assert network.complete_by_construction(orgs)  # everyone shares 2022: the links say nothing more


def test_complete_by_construction_is_density_one_or_every_node_of_a_side_with_the_same_neighbours(small):
    assert not network.complete_by_construction(network.projection(small, "topics"))  # T1 - T2 - T3
    assert not network.complete_by_construction(network.projection(small, "cop"))
    star = nx.Graph([("a", "t1"), ("a", "t2"), ("b", "t1"), ("b", "t2")])
    nx.set_node_attributes(star, {"a": 0, "b": 0, "t1": 1, "t2": 1}, "bipartite")
    assert network.complete_by_construction(star)  # both organisations linked to both topics
    star.add_edge("c", "t1")
    star.nodes["c"]["bipartite"] = 0
    assert not network.complete_by_construction(star)
    assert not network.complete_by_construction(nx.complete_graph(2))  # a pair says what it says


def test_the_drawn_part_of_a_large_network_is_connected_and_keeps_the_hubs():
    """Two hubs (topics) joined only through low-degree nodes (sessions): the best-connected
    nodes alone would be two unlinked dots; the part grown from the best keeps the join."""
    graph = nx.Graph()
    graph.add_edges_from(("hub1", f"s{i}") for i in range(50))
    graph.add_edges_from(("hub2", f"s{i}") for i in range(40, 90))
    graph.add_edges_from((f"s{i}", "series") for i in range(0, 90, 10))
    part = network.drawn_part(graph, 12)
    # s40 joins the hubs and the series (3 links): taken first, it brings them within reach
    assert part[:4] == ["hub1", "s40", "hub2", "series"] and len(part) == 12
    assert nx.is_connected(graph.subgraph(part))
    assert network.drawn_part(graph, 12) == part  # same data, same part
    assert sorted(network.drawn_part(graph, 1000)) == sorted(graph)


def test_the_full_graph_keeps_labels_types_and_properties(small):
    full = network.projection(small, "full")
    assert full.nodes[EX + "s1"]["label"] == "s1" and full.nodes[EX + "s1"]["type"] == "cop:RegularSession"
    assert {d["property"] for _, _, d in full.edges(EX + "s1", data=True)} >= {"cop:theme", "schema:superEvent"}


def test_the_full_graph_from_the_store_is_the_graph_read_statement_by_statement(small, loaded):
    """The full projection asks the store two named queries (links, then labels and types);
    from_rdf walks any rdflib graph. Blank nodes, language tags and label precedence included,
    both give the same nodes, attributes and edges."""
    for data in (small, loaded):
        full = network.projection(data, "full")
        walked = network.from_rdf(data.union(), data.config.base)
        assert dict(full.nodes(data=True)) == dict(walked.nodes(data=True))
        assert sorted(full.edges(keys=True, data=True)) == sorted(walked.edges(keys=True, data=True))


def test_the_summary_counts_the_communities_the_measures_found(attended):
    graph = network.projection(attended, "org-topic")
    values = network.measure(graph, ["community", "degree"])
    assert network.summary(graph, values) == network.summary(graph)
    assert network.summary(graph, values)["communities"] == len({v["community"] for v in values.values()})


@pytest.mark.parametrize("fmt", network.EXPORT_FORMATS)
def test_exports_read_back_isomorphic_with_their_attributes(attended, tmp_path, fmt):
    graph = network.projection(attended, "org-topic")
    target = tmp_path / f"net.{fmt}"
    network.export(graph, fmt, target)
    reread = network.read(target, fmt)
    assert nx.is_isomorphic(graph, reread, node_match=lambda a, b: (a["label"], a["type"], a["iri"]) == (
        b["label"], b["type"], b["iri"]), edge_match=lambda a, b: a["weight"] == b["weight"])
    assert set(reread.nodes) == set(graph.nodes)


def test_shipped_data_figures_are_stable(loaded):
    orgs = network.projection(loaded, "orgs", "2022")
    assert network.summary(orgs) == {"nodes": 18, "edges": 153, "density": 1.0, "components": 1, "communities": 1}
    topics = network.projection(loaded, "topics", "2022")
    first = network.measure(topics, network.MEASURES)
    assert first == network.measure(network.projection(loaded, "topics", "2022"), network.MEASURES)
    top = max(first, key=lambda n: first[n]["degree"])
    assert top.endswith("topic/human-rights-due-diligence")
    assert network.complete_by_construction(orgs)  # 13 members and 5 outside experts, all sharing 2022


def test_on_the_shipped_data_no_organisation_is_linked_to_a_topic_it_was_not_tied_to(loaded):
    """The review says the outside experts came to "other sessions", unnamed, and lists who
    took part in the year, not who attended each session: so the ICRC is linked to no topic
    (it used to be linked to all eleven, Remedy among them), and the org-topic projection is
    empty, saying why."""
    icrc, remedy = BASE + "org/icrc", BASE + "topic/remedy"
    with pytest.raises(network.EmptyProjection, match="ties no organisation to a particular session"):
        network.projection(loaded, "org-topic", "2022")
    for name in ("cop", "full"):
        graph = network.projection(loaded, name)
        assert not graph.has_edge(icrc, remedy) and not graph.has_edge(remedy, icrc)
    cop = network.projection(loaded, "cop", "2022")
    assert set(cop[icrc]) == {BASE + "series/cop-2022"} and cop.nodes[icrc]["role"] == "outside expert"


@pytest.mark.parametrize(("args", "expected"), [
    (["network", "--projection", "friends"], "'friends' is not one of 'orgs', 'topics'"),
    (["network", "--measure", "fame"], "'fame' is not one of 'degree'"),
    (["network", "--year", "2019"], "no data for year 2019; years with data: 2021, 2022"),
    (["network", "export", "--format", "pdf", "-o", "x.pdf"], "'pdf' is not one of 'graphml', 'gexf', 'json'"),
])
def test_bad_network_requests_exit_2_listing_the_choices(cli, args, expected):
    proc = cli(*args)
    assert proc.returncode == 2 and expected in proc.stderr and "Traceback" not in proc.stderr


def test_network_cli_outputs(cli, tmp_path):
    proc = cli("network", "--projection", "topics", "--year", "2022", "--measure", "degree", "--format", "json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["summary"]["nodes"] == 10 and data["nodes"][0]["label"] == "Human Rights Due Diligence"
    table = cli("network", "--year", "2022")
    assert table.returncode == 0 and "orgs network in 2022: 18 nodes, 153 edges, density 1" in table.stdout
    empty = cli("network", "--projection", "org-topic", "--year", "2022")
    assert empty.returncode == 2 and "ties no organisation to a particular session" in empty.stderr
    target = tmp_path / "orgs.graphml"
    proc = cli("network", "export", "--format", "graphml", "-o", str(target))
    assert proc.returncode == 0 and nx.read_graphml(target).number_of_nodes() == 18


def test_memberships_of_several_years_months_or_no_end_count_in_every_year_they_cover(config):
    loaded = load_dataset([SMALL, SMALL.parent / "intervals.ttl"], config=config, bundled=False)
    in_2021 = set(network.projection(loaded, "orgs", "2021").nodes)
    in_2022 = set(network.projection(loaded, "orgs", "2022").nodes)
    assert {n.removeprefix(EX) for n in in_2021} == {"A", "B", "D"}
    assert {n.removeprefix(EX) for n in in_2022} == {"A", "B", "C", "X", "D", "E", "F"}


def test_the_full_graph_for_a_year_keeps_only_what_covers_that_year(small):
    in_2021 = {n.removeprefix(EX) for n in network.projection(small, "full", "2021")}
    in_2022 = {n.removeprefix(EX) for n in network.projection(small, "full", "2022")}
    assert {"mA1", "mB1", "y2021", "mP"} <= in_2021 and not {"mA2", "s1", "s2", "y2022"} & in_2021
    assert {"mA2", "mC2", "s1", "s2", "y2022"} <= in_2022 and not {"mA1", "y2021", "mP"} & in_2022
    assert {"A", "T1", "cop"} <= in_2021 & in_2022  # undated resources stay


def test_the_full_graph_defaults_to_the_linear_time_measures(cli):
    full = cli("network", "--projection", "full", "--format", "csv")
    assert full.returncode == 0 and full.stdout.splitlines()[0] == "iri,label,type,degree,pagerank,component"
    orgs = cli("network", "--projection", "orgs", "--format", "csv")
    assert orgs.stdout.splitlines()[0] == "iri,label,type," + ",".join(network.DEFAULT_MEASURES)
    asked = cli("network", "--projection", "full", "--measure", "betweenness", "--format", "csv")
    assert asked.returncode == 0 and asked.stdout.splitlines()[0] == "iri,label,type,betweenness"


THEMES = Path(__file__).parent / "examples" / "themes.rq"  # also the example in docs/network.md


def test_a_construct_query_gives_a_network_named_from_the_loaded_graph(cli, tmp_path):
    query = THEMES
    proc = cli("network", "--construct", str(query), "--measure", "degree", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    # six 2022 sessions and the eleven topics they covered, twelve themes in all (docs/network.md)
    assert data["query"] == "themes" and data["summary"]["nodes"] == 16 and data["summary"]["edges"] == 11
    first = data["nodes"][0]  # the CONSTRUCT copies no label or type: both come from the loaded graph
    assert (first["label"], first["type"], first["degree"]) == ("COP Q2 Session 2", "cop:RegularSession", 4)
    target = tmp_path / "themes.graphml"
    proc = cli("network", "export", "--construct", str(query), "--format", "graphml", "-o", str(target))
    reread = nx.read_graphml(target)
    assert proc.returncode == 0 and reread.number_of_nodes() == 16
    assert reread.nodes["https://w3id.org/b-tech-cop/topic/remedy"]["label"] == "Remedy"


@pytest.mark.parametrize(("args", "expected"), [
    (["--construct", "sessions-in-year"], "'sessions-in-year' is a SELECT query"),
    (["--construct", "no-such-query"], "no-such-query"),
    (["--construct", "THEMES", "--year", "2022"], "give it or --projection/--year, not both"),
    (["--construct", "THEMES", "--projection", "orgs"], "give it or --projection/--year, not both"),
    (["--param", "year=2022"], "--param applies to a --construct query"),
])
def test_bad_construct_requests_exit_2(cli, args, expected):
    proc = cli("network", *[str(THEMES) if a == "THEMES" else a for a in args])
    assert proc.returncode == 2 and expected in proc.stderr and "Traceback" not in proc.stderr
