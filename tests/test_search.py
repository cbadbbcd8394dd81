"""Search over labels: case- and accent-insensitive, ranked, filterable by type, as a page and
its JSON twin, with suggestions for near misses; hostile input never gets past a 400."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from cop_graph.analysis.search import index_for, resolve_type, search, suggest
from cop_graph.config import load_config
from cop_graph.errors import ParameterError
from cop_graph.rdf.labels import normalise
from cop_graph.store.dataset import load_dataset

from .conftest import BASE

TELEFONICA = BASE + "org/telefonica"
EX = "http://example.org/"
RANKING_DATA = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
<http://example.org/substring> rdfs:label "Omegazeta" ; a org:Organization .
<http://example.org/word> rdfs:label "Project Zeta" ; a org:Project .
<http://example.org/prefix-b> rdfs:label "Zeta B" ; a org:Organization .
<http://example.org/prefix-a> rdfs:label "Zéta A" ; a org:Organization .
<http://example.org/alt> skos:prefLabel "Other"@en ; skos:altLabel "ZETA" ; a org:Organization .
<http://example.org/exact> rdfs:label "Zeta" ; a org:Organization .
<http://example.org/words> rdfs:label "Zeta Zebra Tamer" ; skos:hiddenLabel "Tamer of zebras, Zeta" .
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Only the resources above: a ranking known by hand."""
    path = tmp_path_factory.mktemp("search") / "ranking.ttl"
    path.write_text(RANKING_DATA, encoding="utf-8")
    return load_dataset([path], config=load_config(), bundled=False)


def found(client, query: str = "", **params) -> dict:
    response = client.get("/search.json", query_string={"q": query, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


class Elements(HTMLParser):
    """Every element as (tag, attributes, text inside it), enough to check a page by selectors."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict, list[str]]] = []
        self.open: list[tuple[str, dict, list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = (tag, dict(attrs), [])
        self.elements.append(element)
        if tag not in {"input", "meta", "link", "br", "img"}:
            self.open.append(element)

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        for _, _, text in self.open:
            text.append(data)

    def select(self, tag: str, cls: str | None = None) -> list[tuple[dict, str]]:
        return [(attrs, " ".join("".join(text).split())) for name, attrs, text in self.elements
                if name == tag and (cls is None or cls in (attrs.get("class") or "").split())]


def page(client, query_string: dict | str) -> Elements:
    response = client.get("/search", query_string=query_string, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/html")
    return Elements(response.get_data(as_text=True))


@pytest.mark.parametrize(("text", "expected"), [
    ("Telefónica", "telefonica"),
    ("TELEFÓNICA", "telefonica"),
    ("TELEFO\u0301NICA", "telefonica"),  # decomposed accent
    ("  B-Tech   Project! ", "b tech project"),
    ("Straße", "strasse"),
    ("ﬁnance", "finance"),
    ("Ørsted, Łódź", "orsted lodz"),
    ("snake_case/and.dots", "snake case and dots"),
    ("<script>alert(1)</script>", "script alert 1 script"),
    ("a\x00b", "a b"),
    ("!!! ...", ""),
])
def test_normalise_drops_accents_case_and_punctuation(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("query", ["telefonica", "TELEFÓNICA", "Telefonica", "telefónica", "  telefonica  "])
def test_telefonica_is_found_first_whatever_the_case_and_accents(client, query):
    hit = found(client, query)["hits"][0]
    assert hit["iri"] == TELEFONICA and hit["label"] == "Telefónica"
    assert hit["match"] == "exact" and hit["matched"] is None and hit["rank"] == 1
    assert hit["types"] == ["org:FormalOrganization", "schema:Corporation"]
    assert hit["url"] == "/org/telefonica"


def test_an_alternative_label_finds_its_resource_and_says_which_label_matched(client):
    hit = found(client, "facebook")["hits"][0]
    assert (hit["iri"], hit["label"], hit["matched"]) == (BASE + "org/meta", "Meta", "Facebook")
    results = page(client, {"q": "Facebook"}).select("li")
    assert any("Meta" in text and "matched “Facebook”" in text for _, text in results)


def test_ranking_exact_then_prefix_then_word_then_substring_preferred_before_alternative_ties_by_label(small):
    hits = search(small, "zeta")
    assert [h.iri[len(EX):] for h in hits] == ["exact", "alt", "prefix-a", "prefix-b", "words", "word", "substring"]
    assert [h.match for h in hits] == ["exact", "exact", "prefix", "prefix", "prefix", "word", "substring"]
    assert [h.rank for h in hits] == list(range(1, 8))
    assert hits[1].label == "Other" and hits[1].matched == "ZETA"


def test_every_word_of_the_query_may_start_a_word_of_the_label_in_any_order(small):
    hits = search(small, "tamer zeta")
    assert [(h.iri, h.match) for h in hits] == [(EX + "words", "words")]


def test_a_hidden_label_is_searched_but_never_shown(small):
    hits = search(small, "zebras")
    assert [(h.iri, h.label, h.matched) for h in hits] == [(EX + "words", "Zeta Zebra Tamer", None)]


def test_ranking_in_the_bundled_data_acronym_before_longer_names(client):
    hits = found(client, "hrdd")["hits"]
    assert [(h["iri"], h["matched"], h["match"]) for h in hits][:2] == [
        (BASE + "topic/human-rights-due-diligence", "HRDD", "exact"),
        (BASE + "topic/hrdd-in-conflict-settings", None, "prefix"),
    ]


def test_prefix_matches_are_ordered_by_label(client):
    hits = found(client, "b-tech")["hits"]
    assert hits[0]["iri"] == BASE + "org/b-tech-project" and hits[0]["matched"] == "B-Tech"
    prefixed = [h["label"] for h in hits if h["match"] == "prefix"]
    assert len(prefixed) >= 5 and prefixed == sorted(prefixed, key=normalise)


@pytest.mark.parametrize(("types", "expected"), [
    (["org:FormalOrganization"], [TELEFONICA]),
    (["http://www.w3.org/ns/org#FormalOrganization"], [TELEFONICA]),
    (["<http://www.w3.org/ns/org#FormalOrganization>"], [TELEFONICA]),
    (["org:Membership"], [BASE + "membership/2022/telefonica"]),
    (["org:Membership", "schema:Corporation"], [TELEFONICA, BASE + "membership/2022/telefonica"]),
    (["skos:Concept"], []),
])
def test_the_type_filter_keeps_resources_of_any_of_the_given_types(client, types, expected):
    data = found(client, "telefonica", type=types)
    assert [h["iri"] for h in data["hits"]] == expected
    assert data["count"] == len(expected)


def test_the_type_filter_is_echoed_in_short_form(client):
    assert found(client, "x", type="http://www.w3.org/ns/org#Membership")["type"] == ["org:Membership"]


@pytest.mark.parametrize("value", ["foo:bar", "not a type", "javascript:alert(1)"])
def test_a_type_that_is_no_iri_or_known_prefix_is_a_400(client, value):
    response = client.get("/search", query_string={"q": "x", "type": value})
    assert response.status_code == 400 and "parameter 'type'" in response.get_data(as_text=True)
    with pytest.raises(ParameterError):
        resolve_type(value, BASE)


@pytest.mark.parametrize(("path", "headers"), [
    ("/search?q=telefonica", {"Accept": "application/json"}),
    ("/search.json?q=telefonica", {}),
    ("/search?q=telefonica&format=json", {}),
])
def test_the_json_twin_by_accept_suffix_or_format(client, path, headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200 and response.content_type == "application/json"
    data = response.get_json()
    assert {"query", "type", "hits", "count"} <= set(data)
    assert data["query"] == "telefonica" and data["type"] == [] and data["count"] == len(data["hits"]) == 2
    assert set(data["hits"][0]) >= {"iri", "label", "matched", "types", "url"}
    assert "Accept" in response.headers["Vary"]


def test_a_browser_gets_the_page_with_linked_results(client):
    html = page(client, {"q": "telefonica"})
    links = [(attrs["href"], text) for attrs, text in html.select("a") if attrs.get("href", "").startswith("/org/")]
    assert links == [("/org/telefonica", "Telefónica")]
    results = html.select("ol", "search-results")[0][1]
    assert "formal organisation, company" in results and "Telefónica in the COP, 2022" in results


def test_the_form_has_a_labelled_search_box_and_a_type_select_listing_the_types_in_the_data(client):
    html = page(client, {"q": "telefonica", "type": "org:Membership"})
    box = next(a for a, _ in html.select("input") if a.get("type") == "search" and a.get("id") == "search-q")
    assert box["name"] == "q" and box["value"] == "telefonica"
    assert any(a.get("for") == "search-q" for a, _ in html.select("label"))
    options = {a["value"]: ("selected" in a) for a, _ in html.select("option")}
    assert options["org:Membership"] is True and options["org:FormalOrganization"] is False
    assert {"", "skos:Concept", "cop:RegularSession"} <= set(options)


def test_an_empty_query_shows_only_the_form_and_gives_no_hits(client):
    html = page(client, {})
    assert html.select("form", "search-form") and not html.select("ol", "search-results")
    assert not html.select("p", "search-none")
    assert found(client, "")["hits"] == [] and found(client, "   ")["count"] == 0


def test_no_results_says_so_clearly_and_suggests_near_misses(client):
    html = page(client, {"q": "telefonika"})
    assert html.select("p", "search-none")[0][1] == "No results for telefonika."
    suggestions = html.select("p", "search-suggestions")[0]
    assert suggestions[1].startswith("Did you mean: Telefónica")
    assert found(client, "telefonika")["suggestions"][0]["url"] == "/org/telefonica"


@pytest.mark.parametrize("text", ["telefonika", "Telefonicca", "org/telefonika", BASE + "org/telefonika"])
def test_suggest_offers_the_resource_a_misspelling_or_a_wrong_path_meant(loaded, text):
    hits = suggest(loaded, text, limit=3)
    assert hits[0].iri == TELEFONICA and len(hits) <= 3


def test_suggest_puts_real_matches_first_and_offers_nothing_for_nonsense(loaded):
    assert suggest(loaded, "vodafon")[0].match == "prefix"
    assert suggest(loaded, "facebok")[0].matched == "Facebook"
    assert suggest(loaded, "xyzzy qwerty") == [] and suggest(loaded, "") == []


def test_the_index_is_built_once_per_dataset_version(loaded):
    assert index_for(loaded) is index_for(loaded)


def test_markup_in_the_query_is_shown_escaped(client):
    response = client.get("/search", query_string={"q": "<script>alert(1)</script>", "type": "<script>"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize(("query", "fragment"), [
    ("q=a%00b", "parameter 'q' must not contain control characters"),
    ("q=" + "a" * 201, "parameter 'q' must be at most 200 characters"),
    ("q=x&limit=abc", "parameter 'limit' must be a whole number from 1 to 500"),
    ("q=x&limit=0", "parameter 'limit'"),
    ("q=x&limit=501", "parameter 'limit'"),
    ("q=x&limit=-1", "parameter 'limit'"),
    ("q=x&limit=1e3", "parameter 'limit'"),
    ("q=x&limit=99999999999999999999", "parameter 'limit'"),
])
def test_bad_parameters_are_a_400_naming_the_parameter_never_a_500(client, query, fragment):
    for path in ("/search", "/search.json"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400 and fragment in response.get_data(as_text=True)


def test_the_limit_caps_the_hits_and_the_total_counts_them_all(client):
    data = found(client, "b-tech", limit="2")
    assert data["count"] == len(data["hits"]) == 2 and data["total"] > 2 and data["limit"] == 2
    assert found(client, "b-tech", limit="500")["count"] == data["total"]
