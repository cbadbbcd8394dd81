"""The dataset's VoID/DCAT description at /.well-known/void and in the export, read back and
checked against the loaded data; and the resource pages' links to other datasets."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from rdflib import RDF, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDFS, VOID

from cop_graph.config import load_config
from cop_graph.publish.description import description
from cop_graph.sparql.evaluate import run_named
from cop_graph.sparql.library import load_library
from cop_graph.store.dataset import load_dataset

from .conftest import BASE, ROOT

# Open namespaces: rdflib's closed DCAT and SDO warn when pytest probes the module's names.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SDO = Namespace("https://schema.org/")
DATASET = URIRef(BASE + "dataset")
SYNTAXES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
            "application/rdf+xml": "xml", "application/trig": "trig"}
LICENCES = (DCTERMS.license, DCTERMS.rights, DCTERMS.accessRights, URIRef("http://creativecommons.org/ns#license"),
            URIRef("https://schema.org/license"))
MIT = URIRef("http://spdx.org/licenses/MIT")
IANA = "https://www.iana.org/assignments/media-types/"
DUMPS = {"cop-graph.ttl": "text/turtle", "cop-graph.nt": "application/n-triples", "cop-graph.trig": "application/trig"}


def fetch(client, accept: str) -> Graph:
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 200, response.data
    assert response.content_type == f"{accept}; charset=utf-8"
    graph = Dataset() if SYNTAXES[accept] == "trig" else Graph()
    graph.parse(data=response.data.decode("utf-8"), format=SYNTAXES[accept])
    if isinstance(graph, Dataset):  # a single graph is written to TriG's default graph
        merged = Graph()
        for triple in graph.triples((None, None, None)):
            merged.add(triple)
        return merged
    return graph


@pytest.fixture(scope="module", params=list(SYNTAXES))
def described(request, client) -> Graph:
    return fetch(client, request.param)


def number(graph: Graph, node, prop) -> int:
    value = graph.value(node, prop)
    assert isinstance(value, Literal), (node, prop)
    return int(value)


# --- what /.well-known/void holds -----------------------------------------------------------

def test_every_rdf_syntax_reads_back_as_the_same_description(client):
    turtle = fetch(client, "text/turtle")
    for accept in SYNTAXES:
        assert isomorphic(fetch(client, accept), turtle), accept


def test_the_dataset_counts_every_loaded_statement_subject_class_and_property(described, loaded):
    union = loaded.union()
    assert (DATASET, RDF.type, VOID.Dataset) in described and (DATASET, RDF.type, DCAT.Dataset) in described
    assert number(described, DATASET, VOID.triples) == len(loaded) == 16143
    assert number(described, DATASET, VOID.entities) == len({s for s in union.subjects() if isinstance(s, URIRef)})
    assert number(described, DATASET, VOID.distinctSubjects) == len(set(union.subjects()))
    assert number(described, DATASET, VOID.distinctObjects) == len(set(union.objects()))
    assert number(described, DATASET, VOID.properties) == len(set(union.predicates()))
    assert number(described, DATASET, VOID.classes) == len(set(union.objects(None, RDF.type)))


def test_each_named_graph_is_a_subset_with_its_files_statements(described, loaded, config):
    for source in loaded.files:
        assert (DATASET, VOID.subset, source.graph) in described, source.graph
        assert number(described, source.graph, VOID.triples) == source.triples, source.graph
        subjects = {s for s in loaded.graph(source).subjects() if isinstance(s, URIRef)}
        assert number(described, source.graph, VOID.entities) == len(subjects), source.graph
        assert described.value(source.graph, DCTERMS.source) == Literal(source.display(config.root))
    assert sum(number(described, s.graph, VOID.triples) for s in loaded.files) == len(loaded)


def test_the_class_partitions_count_what_the_instances_per_class_query_counts(described, loaded, config):
    query = load_library(config.queries_dir)["instances-per-class"]
    expected = {row["class"]: int(row.instances) for row in run_named(loaded, query, {})}
    partitions = list(described.objects(DATASET, VOID.classPartition))
    found = {described.value(p, VOID["class"]): number(described, p, VOID.distinctSubjects) for p in partitions}
    assert found == expected and len(partitions) == len(expected)
    # void:entities counts the instances with an IRI: passage selectors are blank nodes
    entities = {described.value(p, VOID["class"]): number(described, p, VOID.entities) for p in partitions}
    assert entities[URIRef("http://www.w3.org/ns/oa#TextQuoteSelector")] == 0
    assert entities[SDO.Corporation] == found[SDO.Corporation] == 13


def test_the_property_partitions_add_up_to_the_dataset(described, loaded):
    partitions = list(described.objects(DATASET, VOID.propertyPartition))
    counts = {described.value(p, VOID.property): number(described, p, VOID.triples) for p in partitions}
    assert len(counts) == len(partitions) == number(described, DATASET, VOID.properties)
    assert sum(counts.values()) == len(loaded)
    assert counts[OWL.sameAs] == 10 and counts[SDO.leiCode] == 3


def test_each_linkset_counts_its_links_and_is_a_subset_of_the_dataset_and_of_its_file(described, loaded):
    linksets = set(described.subjects(RDF.type, VOID.Linkset))
    files = {URIRef(BASE + "linkset/wikidata"): "identifiers", URIRef(BASE + "linkset/lei"): "identifiers",
             URIRef(BASE + "linkset/rdr-2022/exactMatch"): "rdr-2022-links"}
    assert linksets == set(files)
    for linkset, name in files.items():
        held = URIRef(BASE + f"graph/data/links/{name}")
        predicate = described.value(linkset, VOID.linkPredicate)
        links = len(list(loaded.dataset.graph(held).triples((None, predicate, None))))
        assert number(described, linkset, VOID.triples) == links > 0, linkset
        assert (DATASET, VOID.subset, linkset) in described and (held, VOID.subset, linkset) in described
        assert described.value(described.value(linkset, VOID.objectsTarget), RDFS.label) is not None
    assert number(described, URIRef(BASE + "linkset/rdr-2022/exactMatch"), VOID.triples) == 5  # the 5 members


def test_an_imported_graph_carries_its_publishers_licence(described):
    rdr = URIRef(BASE + "graph/data/imports/rdr-2022")
    assert (DATASET, VOID.subset, rdr) in described
    assert described.value(rdr, DCTERMS.license) == MIT
    assert "Ranking Digital Rights" in str(described.value(rdr, DCTERMS.rights))
    assert described.value(rdr, DCTERMS.publisher) == URIRef("https://rankingdigitalrights.org/")


def test_the_hand_written_description_survives_whole(described, config):
    written = Graph().parse(config.data_dir / "dataset.ttl")
    assert written.value(DATASET, DCTERMS.title) is not None and written.value(DATASET, DCTERMS.description)
    for triple in written.triples((DATASET, None, None)):
        assert triple in described, triple
    assert len(list(described.objects(DATASET, DCTERMS.title))) == 1
    assert len(list(described.objects(DATASET, VOID.triples))) == 1


def test_the_licence_is_the_projects_and_the_rights_keep_the_sources_copyright(described, config):
    # the data states none, so the project's own (pyproject.toml) is stated, and nothing else is
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert not list(Graph().parse(config.data_dir / "dataset.ttl").triples((DATASET, DCTERMS.license, None)))
    assert list(described.objects(DATASET, DCTERMS.license)) == [MIT]
    assert (MIT, RDF.type, DCTERMS.LicenseDocument) in described
    [rights] = described.objects(DATASET, DCTERMS.rights)
    assert (rights, RDF.type, DCTERMS.RightsStatement) in described
    text = str(described.value(rights, RDFS.label))
    assert "2022 Year-End Review" in text and "copyright remains with its publisher" in text and "research" in text
    for prop in LICENCES[2:]:
        assert not list(described.triples((None, prop, None))), prop
    licensed = {o for p in (DCTERMS.license,) for o in described.objects(None, p)}
    assert licensed == {MIT}


def test_a_licence_the_data_states_replaces_the_projects(tmp_path):
    extra = tmp_path / "licence.ttl"
    extra.write_text(f"<{BASE}dataset> <http://purl.org/dc/terms/license> "
                     "<https://creativecommons.org/licenses/by/4.0/> .\n", encoding="utf-8")
    graph = description(load_dataset([extra], config=load_config(workers=0)))
    assert list(graph.objects(DATASET, DCTERMS.license)) == [URIRef("https://creativecommons.org/licenses/by/4.0/")]
    assert graph.value(DATASET, DCTERMS.rights) is not None


def test_the_endpoint_is_this_servers_sparql_endpoint(described):
    endpoint = URIRef("http://localhost/sparql")
    assert described.value(DATASET, VOID.sparqlEndpoint) == endpoint
    [distribution] = described.subjects(DCAT.accessService, endpoint)
    assert (DATASET, DCAT.distribution, distribution) in described
    assert described.value(endpoint, DCAT.endpointURL) == endpoint


def test_each_dump_is_a_data_dump_and_a_distribution_with_its_media_type(described, client):
    dumps = {URIRef(f"http://localhost/dumps/{name}{gz}"): (media_type, bool(gz))
             for name, media_type in DUMPS.items() for gz in ("", ".gz")}
    assert set(described.objects(DATASET, VOID.dataDump)) == set(dumps)
    for url, (media_type, gzipped) in dumps.items():
        [distribution] = described.subjects(DCAT.downloadURL, url)
        assert (DATASET, DCAT.distribution, distribution) in described
        assert described.value(distribution, DCAT.mediaType) == URIRef(IANA + media_type)
        assert described.value(distribution, DCTERMS.license) == MIT
        assert (described.value(distribution, DCAT.compressFormat) == URIRef(IANA + "application/gzip")) is gzipped
        response = client.get(url.removeprefix("http://localhost"))
        assert response.status_code == 200, url
        assert response.mimetype == ("application/gzip" if gzipped else media_type)


def test_the_dump_urls_follow_the_host_served(client):
    response = client.get("/.well-known/void", base_url="https://cop.example.org")
    graph = Graph().parse(data=response.data.decode("utf-8"), format="turtle")
    assert URIRef("https://cop.example.org/dumps/cop-graph.nt.gz") in set(graph.objects(DATASET, VOID.dataDump))


def test_the_example_resources_are_the_most_linked_of_their_kinds(described, loaded):
    examples = set(described.objects(DATASET, VOID.exampleResource))
    # Twitter: two memberships, the layoff and the letter about it; Pillar II: its sections and
    # the convening planned under it
    assert URIRef(BASE + "org/twitter") in examples and URIRef(BASE + "ungp/pillar/2") in examples
    assert len(examples) == 4
    for example in examples:
        assert (example, RDF.type, None) in loaded.dataset, example


def test_the_description_follows_the_base(tmp_path):
    other = "https://example.org/cop/"
    graph = description(load_dataset(config=load_config(base=other, workers=0)))
    dataset = URIRef(other + "dataset")
    assert graph.value(dataset, DCTERMS.title) is not None and number(graph, dataset, VOID.triples) == 16143
    assert all(str(e).startswith(other) for e in graph.objects(dataset, VOID.exampleResource))
    assert not list(graph.triples((URIRef(BASE + "dataset"), None, None)))


def test_a_linkset_without_a_stated_size_gets_its_size_computed(tmp_path):
    extra = tmp_path / "more-links.ttl"
    extra.write_text(f"""@base <{BASE}> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<linkset/more> a void:Linkset ; void:linkPredicate skos:exactMatch ;
    void:subjectsTarget <dataset> ; void:objectsTarget <linked-dataset/wikidata> .
<org/apple> skos:exactMatch <http://www.wikidata.org/entity/Q312> .
<org/google> skos:exactMatch <http://www.wikidata.org/entity/Q95> .
""", encoding="utf-8")
    graph = description(load_dataset([extra], config=load_config(workers=0)))
    linkset = URIRef(BASE + "linkset/more")
    assert number(graph, linkset, VOID.triples) == 2
    assert (DATASET, VOID.subset, linkset) in graph and (URIRef(extra.as_uri()), VOID.subset, linkset) in graph


# --- the protocol -----------------------------------------------------------------------------

@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "image/png"])
def test_the_answer_varies_by_accept(client, accept):
    assert "Accept" in client.get("/.well-known/void", headers={"Accept": accept}).vary


def test_an_unacceptable_format_is_406(client):
    response = client.get("/.well-known/void", headers={"Accept": "image/png"})
    assert response.status_code == 406 and b"text/turtle" in response.data


def test_a_browser_gets_the_turtle_as_plain_text(client):
    response = client.get("/.well-known/void", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.content_type == "text/plain; charset=utf-8"
    graph = Graph().parse(data=response.data.decode("utf-8"), format="turtle")
    assert number(graph, DATASET, VOID.triples) == 16143


def test_no_accept_header_gets_turtle(client):
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.content_type == "text/turtle; charset=utf-8"


# --- the export ---------------------------------------------------------------------------------

def test_the_trig_export_holds_the_description_in_its_own_graph(cli, loaded, tmp_path):
    target = tmp_path / "cop.trig"
    proc = cli("export", "--format", "trig", "-o", str(target), "--sparql-endpoint", "https://example.org/sparql")
    assert proc.returncode == 0, proc.stderr
    reread = Dataset()
    reread.parse(target, format="trig")
    graph = reread.graph(URIRef(BASE + "graph/void"))
    assert number(graph, DATASET, VOID.triples) == len(loaded)
    assert graph.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://example.org/sparql")
    assert {s.graph for s in loaded.files} <= set(graph.objects(DATASET, VOID.subset))
    # what the data states is not repeated there
    assert graph.value(DATASET, DCTERMS.title) is None
    assert graph.value(URIRef(BASE + "linkset/wikidata"), VOID.triples) is None


def test_an_export_without_an_endpoint_states_none(cli):
    proc = cli("export", "--format", "nt")
    assert proc.returncode == 0, proc.stderr
    graph = Graph().parse(data=proc.stdout, format="nt")
    assert number(graph, DATASET, VOID.triples) == 16143
    assert graph.value(DATASET, VOID.sparqlEndpoint) is None and graph.value(DATASET, DCAT.distribution) is None
    assert graph.value(DATASET, VOID.dataDump) is None  # the dumps' URLs are a server's
    assert graph.value(DATASET, DCTERMS.license) == MIT  # the licence goes with the data


# --- links to other datasets on resource pages -------------------------------------------------

def elsewhere(client, path: str) -> list[BeautifulSoup]:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    return BeautifulSoup(response.data, "html.parser").select("#identifiers ~ ul > li")


def test_a_wikidata_link_is_shown_as_wikidata_and_its_id_with_its_source(client):
    [item] = elsewhere(client, "/org/telefonica")
    link = item.select_one("a.external")
    assert link.get_text() == "Wikidata: Q160229" and link["href"] == "http://www.wikidata.org/entity/Q160229"
    assert [a["href"] for a in item.select("small a")] == ["/document/nsi-operators-telecom-exchange"]
    assert "operator:wikidata Q160229" in item.select_one("p.note").get_text()


def test_the_json_twin_carries_the_same_links(client):
    [identifier] = client.get("/org/telefonica.json").get_json()["identifiers"]
    assert identifier["text"] == "Wikidata: Q160229" and identifier["url"] == "http://www.wikidata.org/entity/Q160229"
    assert identifier["property"] == "owl:sameAs" and identifier["dataset"] == "Wikidata"
    assert identifier["linkset"] == BASE + "linkset/wikidata"
    assert [s["iri"] for s in identifier["sources"]] == [BASE + "document/nsi-operators-telecom-exchange"]


def test_an_lei_is_shown_and_links_to_its_gleif_record(client):
    items = elsewhere(client, "/org/apple")
    texts = {item.select_one("a.external").get_text(): item.select_one("a.external")["href"] for item in items}
    assert texts == {"Wikidata: Q312": "http://www.wikidata.org/entity/Q312",
                     "LEI: HWUPKR0MPOU8FGXBT394": "https://search.gleif.org/#/record/HWUPKR0MPOU8FGXBT394"}
    lei = client.get("/org/apple.json").get_json()["identifiers"][1]
    assert lei["dataset"] == "Global LEI Index (GLEIF)" and lei["linkset"] == BASE + "linkset/lei"


def test_links_inside_the_graph_are_not_elsewhere(client):
    # topics map to the Guiding Principles with SKOS matches; the principles are in this graph
    assert elsewhere(client, "/topic/remedy") == []
    assert client.get("/topic/remedy.json").get_json()["identifiers"] == []


def test_the_readme_and_docs_name_the_well_known_url():
    assert "/.well-known/void" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "/.well-known/void" in (ROOT / "docs" / "explorer.md").read_text(encoding="utf-8")
