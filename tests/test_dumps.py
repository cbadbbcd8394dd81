"""Linked-data basics of the explorer: whole-dataset dumps at /dumps (each written once per
dataset version, gzipped copies as gzip files, named after the version), the data's licence
and the source's terms in the footer, the favicon, typed alternate links, and query results
downloaded as named files when the link asks for a download."""

from __future__ import annotations

import gzip
import urllib.parse

import pytest
from bs4 import BeautifulSoup
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import VOID

from cop_graph.publish.description import LICENCE
from cop_graph.rdf.formats import SYNTAXES
from cop_graph.web import dumps as dumps_module

from .conftest import BASE

HTML = "text/html,application/xhtml+xml,*/*;q=0.8"
DATASET = URIRef(BASE + "dataset")
DUMPS = {"cop-graph.ttl": ("turtle", "text/turtle"), "cop-graph.nt": ("nt", "application/n-triples"),
         "cop-graph.trig": ("trig", "application/trig")}


def soup_of(client, path: str) -> BeautifulSoup:
    response = client.get(path, headers={"Accept": HTML})
    assert response.status_code == 200, response.data[:300]
    return BeautifulSoup(response.data, "html.parser")


# --- the dumps --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(DUMPS))
def test_each_dump_is_its_rdf_syntax_as_an_attachment_named_after_the_version(client, loaded, name):
    fmt, media_type = DUMPS[name]
    response = client.get(f"/dumps/{name}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.content_type == f"{media_type}; charset=utf-8"
    suffix = SYNTAXES[fmt].suffixes[0]
    assert response.headers["Content-Disposition"] == f'attachment; filename="cop-graph-{loaded.version}{suffix}"'
    assert response.headers["ETag"].startswith(f'W/"{loaded.version}-')
    # the file as it is: the server does not gzip it again on the way
    assert "Content-Encoding" not in response.headers
    assert int(response.headers["Content-Length"]) == len(response.data)


@pytest.mark.parametrize("name", list(DUMPS))
def test_each_gzipped_dump_is_a_gzip_file_of_the_same_bytes(client, loaded, name):
    plain = client.get(f"/dumps/{name}").data
    response = client.get(f"/dumps/{name}.gz", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.content_type == "application/gzip"
    assert "Content-Encoding" not in response.headers  # a gzip file, not a gzipped answer
    assert response.headers["Content-Disposition"].endswith(f'{SYNTAXES[DUMPS[name][0]].suffixes[0]}.gz"')
    assert gzip.decompress(response.data) == plain
    assert len(response.data) < len(plain) / 3


def test_turtle_and_n_triples_hold_every_statement_merged_with_the_description(client, loaded):
    union = loaded.union()
    for name in ("cop-graph.ttl", "cop-graph.nt"):
        graph = Graph().parse(data=client.get(f"/dumps/{name}").data.decode("utf-8"), format=DUMPS[name][0])
        # every statement without a blank node (those are renamed on the way) is there as it is
        missing = [t for t in union if t not in graph and not any(isinstance(n, BNode) for n in t)]
        assert not missing, missing[:3]
        assert graph.value(DATASET, VOID.triples) == Literal(len(loaded))
        assert (DATASET, URIRef("http://purl.org/dc/terms/license"), LICENCE) in graph


def test_the_trig_dump_keeps_each_files_named_graph(client, loaded):
    dataset = Dataset()
    dataset.parse(data=client.get("/dumps/cop-graph.trig").data.decode("utf-8"), format="trig")
    names = {g.identifier for g in dataset.graphs() if len(g)}
    assert names == {s.graph for s in loaded.files} | {URIRef(BASE + "graph/void")}
    for source in loaded.files:
        assert len(dataset.graph(source.graph)) == source.triples, source.graph


def test_a_dump_is_written_once_per_dataset_version(client, monkeypatch):
    first = client.get("/dumps/cop-graph.nt").data
    assert client.get("/dumps.json").status_code == 200  # the index gives every dump's size: all are written

    def never(*args: object) -> str:
        raise AssertionError("a dump was written again")

    monkeypatch.setattr(dumps_module, "serialize", never)
    for _ in range(3):
        response = client.get("/dumps/cop-graph.nt")
        assert response.status_code == 200 and response.data == first
    assert client.get("/dumps.json").status_code == 200


def test_a_current_copy_is_revalidated_without_a_body(client):
    tag = client.get("/dumps/cop-graph.ttl.gz").headers["ETag"]
    response = client.get("/dumps/cop-graph.ttl.gz", headers={"If-None-Match": tag})
    assert response.status_code == 304 and response.data == b""


def test_head_gives_the_headers_without_the_file(client):
    response = client.head("/dumps/cop-graph.trig.gz")
    assert response.status_code == 200 and response.content_type == "application/gzip" and response.data == b""


@pytest.mark.parametrize("path", ["/dumps/cop-graph.xyz", "/dumps/cop-graph.ttl.zip", "/dumps/data/cop-graph.ttl",
                                  "/dumps/..%2Fcop-graph.ttl", "/dumps/cop-graph.jsonld", "/dumps/%00"])
def test_an_unknown_dump_is_a_404_that_lists_the_dumps(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.content_type == "text/plain; charset=utf-8"
    text = response.get_data(as_text=True)
    assert "/dumps/cop-graph.ttl.gz" in text and "/dumps/cop-graph.trig" in text and "ETag" not in response.headers


def test_the_index_lists_every_dump_with_its_size(client, loaded):
    for name in DUMPS:  # written (in the background, waited for) on their first download
        assert client.get(f"/dumps/{name}").status_code == 200
    listing = client.get("/dumps.json").get_json()
    assert listing["version"] == loaded.version and listing["triples"] == len(loaded)
    assert listing["licence"] == str(LICENCE) and "copyright" in listing["rights"]
    files = {f["name"]: f for f in listing["files"]}
    assert set(files) == set(DUMPS) | {name + ".gz" for name in DUMPS}
    for name, entry in files.items():
        response = client.get(urllib.parse.urlsplit(entry["url"]).path)
        assert entry["bytes"] == len(response.data), name
        assert entry["media_type"] == response.mimetype, name
        assert response.headers["Content-Disposition"] == f'attachment; filename="{entry["download_name"]}"'
    assert files["cop-graph.trig"]["named_graphs"] and not files["cop-graph.ttl"]["named_graphs"]


def test_the_index_page_links_every_dump_and_the_description(client):
    soup = soup_of(client, "/dumps")
    links = {urllib.parse.urlsplit(a["href"]).path for a in soup.select("main table a")}
    assert links == {f"/dumps/{name}" for name in DUMPS} | {f"/dumps/{name}.gz" for name in DUMPS}
    assert soup.select_one("main a[href$='/.well-known/void']") is not None
    assert soup.select_one(f"main a[href='{LICENCE}']") is not None


# --- footer, favicon, alternate links ------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/org/apple", "/sparql", "/dumps", "/queries"])
def test_every_page_has_the_footer_with_the_licence_and_the_downloads(client, path):
    footer = soup_of(client, path).select_one("body > footer")
    assert footer is not None
    assert footer.select_one(f"a[rel=license][href='{LICENCE}']") is not None
    assert {a["href"] for a in footer.select("a")} >= {"/.well-known/void", "/dumps"}
    assert "copyright" in footer.get_text() and "Year-End Review" in footer.get_text()


def test_the_favicon_is_linked_and_answers_at_favicon_ico(client):
    icon = soup_of(client, "/").select_one("head link[rel=icon]")
    assert icon["type"] == "image/svg+xml"
    linked = client.get(icon["href"])
    assert linked.status_code == 200 and linked.mimetype == "image/svg+xml"
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data == linked.data and response.data.lstrip().startswith(b"<svg")


def test_every_alternate_link_says_its_media_type(client):
    links = soup_of(client, "/org/apple").select("link[rel=alternate]")
    types = {link["href"]: link.get("type") for link in links}
    assert types == {"/org/apple.ttl": "text/turtle", "/org/apple.nt": "application/n-triples",
                     "/org/apple.jsonld": "application/ld+json", "/org/apple.rdf": "application/rdf+xml",
                     "/org/apple.json": "application/json"}
    for href, media_type in types.items():
        assert client.get(href).mimetype == media_type, href


def test_an_alternate_link_by_format_parameter_has_its_type_too(app):
    with app.test_request_context():
        alternate_type = app.jinja_env.globals["alternate_type"]
        assert alternate_type("/resource?iri=urn%3Ax&format=nt") == "application/n-triples"
        assert alternate_type("/resource?iri=urn%3Ax&format=json") == "application/json"
        assert alternate_type("/org/apple") == ""


# --- query results as files -----------------------------------------------------------------------

SELECT = "SELECT ?name WHERE { ?org a schema:Corporation ; rdfs:label ?name } ORDER BY ?name"
CONSTRUCT = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a schema:Corporation ; rdfs:label ?l }"


def sparql(query: str, **params: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query, **params})


@pytest.mark.parametrize(("url", "filename"), [
    ("/queries/members-in-year?year=2021&format=csv&download=1", "members-in-year.csv"),
    ("/queries/members-in-year?year=2021&format=json&download=1", "members-in-year.json"),
    ("/queries/members-in-year?year=2021&format=text&download=1", "members-in-year.txt"),
    (sparql(SELECT, format="tsv", download="1"), "query.tsv"),
    (sparql(SELECT, format="xml", download="true"), "query.xml"),
    (sparql(CONSTRUCT, format="turtle", download="1"), "query.ttl"),
    (sparql(CONSTRUCT, format="xml", download="1"), "query.rdf"),
])
def test_a_download_is_an_attachment_named_after_its_query(client, url, filename):
    response = client.get(url)
    assert response.status_code == 200, response.data
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'


@pytest.mark.parametrize(("url", "accept"), [
    ("/queries/members-in-year?year=2021", "text/csv"),
    ("/queries/members-in-year?year=2021&format=csv", None),
    ("/queries/members-in-year?year=2021&format=csv&download=0", None),
    (sparql(SELECT), "application/sparql-results+json"),
    (sparql(SELECT, format="json"), None),
])
def test_without_download_the_answer_is_inline(client, url, accept):
    response = client.get(url, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and "Content-Disposition" not in response.headers


@pytest.mark.parametrize("url", [
    "/queries/members-in-year?year=2021&format=csv&download=maybe",
    "/queries/members-in-year?year=2021&format=csv&download=1&download=1",
    sparql(SELECT, format="csv", download="yes please"),
])
def test_a_bad_download_parameter_is_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400 and b"download" in response.data


def test_the_pages_download_links_ask_for_files(client):
    for path in ("/queries/members-in-year?year=2021", sparql(SELECT)):
        links = soup_of(client, path).select("section.results .downloads a")
        assert links
        for link in links:
            assert urllib.parse.parse_qs(urllib.parse.urlsplit(link["href"]).query)["download"] == ["1"]
            assert client.get(link["href"], headers={"Accept": HTML}).headers["Content-Disposition"].startswith(
                "attachment; filename=")
