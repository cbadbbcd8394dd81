"""Import and link: the rdr-sample table becomes its own named graph, its companies are linked
to the COP's by identifier, name and alias, the rest goes to review, a reviewer's decisions
change the next run, and broken inputs change nothing under data/."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, SKOS

from cop_graph.config import load_config
from cop_graph.linking.reconcile import name_key
from cop_graph.store.dataset import load_dataset

from .conftest import BASE, ROOT

EXAMPLE = ROOT / "tests" / "examples" / "rdr-sample"
COMPANY = BASE + "import/rdr-sample/company/"
SSSOM = "https://w3id.org/sssom/"
EXPECTED_LINKS = {  # imported company -> (COP organisation, link property)
    "iAP1": ("org/apple", SKOS.exactMatch),  # legal suffix: "Apple Inc."
    "iMS1": ("org/microsoft", SKOS.exactMatch),  # legal suffix: "Microsoft Corporation"
    "iFB1": ("org/meta", SKOS.exactMatch),  # alias: Meta's skos:altLabel "Facebook"
    "tTF1": ("org/telefonica", SKOS.exactMatch),  # accents, case and "S.A.": "TELEFONICA S.A."
    "tVF1": ("org/vodafone", SKOS.exactMatch),  # "Group" and "plc": "Vodafone Group Plc"
    "xVZ1": ("org/verizon", SKOS.exactMatch),  # the Wikidata item, not the name
}
# The COP's Wikidata item of Verizon, written into each test root so that the tests do not
# depend on what data/links/identifiers.ttl holds.
IDENTIFIERS = "<https://w3id.org/b-tech-cop/org/verizon> <http://www.w3.org/2002/07/owl#sameAs> " \
              "<http://www.wikidata.org/entity/Q467752> .\n"


@pytest.mark.parametrize(("name", "key"), [
    ("Apple Inc.", "apple"),
    ("Microsoft Corporation", "microsoft"),
    ("TELEFONICA S.A.", "telefonica"),
    ("Telefónica, SA", "telefonica"),
    ("Vodafone Group Plc", "vodafone"),
    ("Telefonaktiebolaget LM Ericsson (publ)", "telefonaktiebolaget lm ericsson"),
    ("Koninklijke Philips N.V.", "koninklijke philips"),
    ("SAP SE", "sap"),
    ("Group", "group"),  # a name is never reduced to nothing
])
def test_names_are_compared_without_case_accents_punctuation_or_legal_form(name, key):
    assert name_key(name) == key


@pytest.fixture
def root(tmp_path) -> Path:
    """A copy of ontology/, data/ and queries/ that commands may write into."""
    target = tmp_path / "root"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, target / folder)
    (target / "data" / "links").mkdir(exist_ok=True)
    (target / "data" / "links" / "identifiers.ttl").write_text(IDENTIFIERS, encoding="utf-8")
    return target


@pytest.fixture
def run(cli, root):
    def call(*args: str, cwd: Path | None = None):
        return cli(*args, cwd=cwd, env={"COP_GRAPH_ROOT": str(root)})
    return call


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _links(path: Path) -> dict[str, tuple[str, URIRef]]:
    graph = Graph().parse(path)
    found = {}
    for prop in (SKOS.exactMatch, SKOS.closeMatch):
        for s, o in graph.subject_objects(prop):
            found[str(s).removeprefix(COMPANY)] = (str(o).removeprefix(BASE), prop)
    return found


def _review(path: Path) -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.setdefault(row["external"].removeprefix(COMPANY), []).append(row)
    return rows


def test_import_writes_the_dataset_as_its_own_named_graph_that_passes_its_shapes(run, root):
    proc = run("import", str(EXAMPLE / "mapping.yml"))
    assert proc.returncode == 0, proc.stderr
    written = root / "data" / "imports" / "rdr-sample.ttl"
    assert "conforms to" in proc.stdout and written.is_file()
    assert written.read_text(encoding="utf-8").startswith("# Imported by `cop-graph import` with the mapping ")
    loaded = load_dataset(config=load_config(root=str(root)))
    graphs = {s.graph for s in loaded.files}
    assert URIRef(BASE + "graph/data/imports/rdr-sample") in graphs
    description = loaded.dataset.value(URIRef(BASE + "import/rdr-sample/dataset"), DCTERMS.description)
    assert str(description).startswith("Sample values, not RDR's scores")


def test_the_shipped_import_and_linkset_are_what_the_commands_write(run, root, tmp_path):
    assert run("import", str(EXAMPLE / "mapping.yml"), "-o", str(tmp_path / "rdr-sample.ttl")).returncode == 0
    assert isomorphic(Graph().parse(tmp_path / "rdr-sample.ttl"), Graph().parse(EXAMPLE / "rdr-sample.ttl"))
    proc = run("link", str(EXAMPLE / "rdr-sample.ttl"), "--decisions", str(EXAMPLE / "decisions.csv"),
               "-o", str(tmp_path / "links.ttl"))
    assert proc.returncode == 0, proc.stderr
    fresh, shipped = Graph().parse(tmp_path / "links.ttl"), Graph().parse(EXAMPLE / "rdr-sample-links.ttl")
    for graph in (fresh, shipped):
        graph.remove((None, DCTERMS.created, None))
    assert isomorphic(fresh, shipped)


def test_link_finds_exactly_the_expected_matches_and_leaves_the_rest_for_review(run, root):
    assert run("import", str(EXAMPLE / "mapping.yml")).returncode == 0
    proc = run("link", "rdr-sample")
    assert proc.returncode == 0, proc.stderr
    links = root / "data" / "links" / "rdr-sample-links.ttl"
    assert _links(links) == EXPECTED_LINKS
    graph = Graph().parse(links)
    axiom = next(graph.subjects(URIRef("http://www.w3.org/2002/07/owl#annotatedSource"), URIRef(COMPANY + "xVZ1")))
    assert str(graph.value(axiom, URIRef(SSSOM + "mapping_justification"))).endswith("DatabaseCrossReference")
    assert float(graph.value(axiom, URIRef(SSSOM + "confidence"))) == 1.0
    review = _review(root / "data" / "links" / "rdr-sample-review.csv")
    linked = {key for key, rows in review.items() if rows[0]["status"] == "linked"}
    assert set(review) - linked == {"xCS1", "iVM1"}  # left for review
    assert linked == set(EXPECTED_LINKS)  # every link made is listed with its evidence
    assert all(review[key][0]["evidence"] and review[key][0]["cop"] for key in linked)
    assert review["iVM1"][0]["status"] == "unmatched" and review["iVM1"][0]["cop"] == ""  # Yahoo
    assert review["xCS1"][0]["status"] == "uncertain" and review["xCS1"][0]["cop"] == BASE + "org/cisco"
    page = BeautifulSoup((root / "data" / "links" / "rdr-sample-review.html").read_text(encoding="utf-8"),
                         "html.parser")
    assert "Yahoo" in page.select_one("table").get_text() and page.select_one("h1")


def test_a_decision_file_accepts_and_rejects_candidates_on_the_next_run(run, root, tmp_path):
    assert run("import", str(EXAMPLE / "mapping.yml")).returncode == 0
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("external,cop,decision,reviewer,note\n"
                         f"{COMPANY}xCS1,org/cisco,accept,A. Reviewer,registered name\n"
                         f"{COMPANY}iFB1,{BASE}org/meta,reject,A. Reviewer,<b>not</b> sure\n", encoding="utf-8")
    proc = run("link", "rdr-sample", "--decisions", str(decisions))
    assert proc.returncode == 0, proc.stderr
    links = _links(root / "data" / "links" / "rdr-sample-links.ttl")
    assert links["xCS1"] == ("org/cisco", SKOS.closeMatch)
    assert "iFB1" not in links
    review = _review(root / "data" / "links" / "rdr-sample-review.csv")
    assert review["iFB1"][0]["status"] == "rejected"
    assert review["xCS1"][0]["status"] == "linked" and review["xCS1"][0]["decision"] == "accept"
    assert review["xCS1"][0]["reviewer"] == "A. Reviewer"
    html = (root / "data" / "links" / "rdr-sample-review.html").read_text(encoding="utf-8")
    assert "<b>" not in html


def test_the_query_joins_cop_membership_with_the_sample_scores(cli):
    proc = cli("query", str(EXAMPLE / "scores-of-cop-members.rq"), "--format", "csv",
               "--data", str(EXAMPLE / "rdr-sample.ttl"), "--data", str(EXAMPLE / "rdr-sample-links.ttl"))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(proc.stdout.splitlines()))
    assert {r["name"] for r in rows} == {"Apple", "Cisco", "Meta", "Microsoft", "Telefónica", "Verizon", "Vodafone"}
    # as decimals: rdflib keeps "60.0" as written, Oxigraph keeps the canonical "60"
    assert {float(r["score"]) for r in rows if r["name"] == "Telefónica"} == {60.0, 50.0}


def _broken_example(tmp_path: Path, change: str) -> Path:
    folder = tmp_path / "rdr-sample"
    shutil.copytree(EXAMPLE, folder)
    mapping, indicators = folder / "mapping.yml", folder / "indicators-SAMPLE.csv"
    if change == "yaml":
        mapping.write_text(mapping.read_text(encoding="utf-8").replace("  dataset:\n", "  dataset: [\n"),
                           encoding="utf-8")
    elif change == "missing-table":
        indicators.unlink()
    elif change == "missing-column":
        mapping.write_text(mapping.read_text(encoding="utf-8").replace("$(Score)", "$(Points)"), encoding="utf-8")
    elif change == "bad-number":
        indicators.write_text(indicators.read_text(encoding="utf-8").replace(",55,", ",n/a,", 1), encoding="utf-8")
    elif change == "encoding":
        text = indicators.read_text(encoding="utf-8").replace("Microsoft Corporation", "Mïcrosoft Corporation", 1)
        indicators.write_bytes(text.encode("latin-1"))
    elif change == "broken-row":
        lines = indicators.read_text(encoding="utf-8").splitlines()
        lines[3] += ",an extra cell"
        indicators.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif change == "duplicate-key":
        lines = indicators.read_text(encoding="utf-8").splitlines()
        lines.append(lines[1].replace(",40,", ",41,"))  # the same company, year and indicator again
        indicators.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif change == "shape-violation":
        indicators.write_text(indicators.read_text(encoding="utf-8").replace(",55,", ",155,", 1), encoding="utf-8")
    return folder / "mapping.yml"


@pytest.mark.parametrize(("change", "code", "message"), [
    ("yaml", 2, "mapping.yml:"),
    ("missing-table", 2, "source table 'indicators-SAMPLE.csv' not found"),
    ("missing-column", 2, "indicators-SAMPLE.csv:1: no column 'Points'"),
    ("bad-number", 2, "indicators-SAMPLE.csv:4: column 'Score': 'n/a' is not a valid xsd:decimal"),
    ("encoding", 2, "indicators-SAMPLE.csv:4: the table is not valid UTF-8"),
    ("broken-row", 2, "indicators-SAMPLE.csv:4: the row has 9 fields; the header has 8"),
    ("duplicate-key", 1, "nothing was written"),
    ("shape-violation", 1, "nothing was written"),
])
def test_broken_inputs_are_refused_clearly_and_leave_data_unchanged(run, root, tmp_path, change, code, message):
    before = _hashes(root / "data")
    proc = run("import", str(_broken_example(tmp_path, change)))
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert _hashes(root / "data") == before


@pytest.mark.parametrize(("decisions", "message"), [
    ("external,cop,decision\nhttps://example.org/x,org/apple,accept\n",
     "decisions.csv:2: 'https://example.org/x' is not"),
    (f"external,cop,decision\n{COMPANY}iVM1,org/nobody,accept\n", "decisions.csv:2: 'org/nobody' is not"),
    (f"external,cop,decision\n{COMPANY}iVM1,org/apple,maybe\n", "decisions.csv:2: decision must be accept or reject"),
    ("company,verdict\n", "decisions.csv:1: the decision file needs the columns"),
])
def test_a_broken_decision_file_is_refused_and_leaves_data_unchanged(run, root, tmp_path, decisions, message):
    assert run("import", str(EXAMPLE / "mapping.yml")).returncode == 0
    (tmp_path / "decisions.csv").write_text(decisions, encoding="utf-8")
    before = _hashes(root / "data")
    proc = run("link", "rdr-sample", "--decisions", str(tmp_path / "decisions.csv"))
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert _hashes(root / "data") == before


def test_a_mapping_condition_and_null_values_leave_rows_out(tmp_path):
    """A mapping's condition (RML-FNML, IDLab's trueCondition) skips the rows that fail it,
    whole; a source's null values (RML-IO) give no term; a whole-cell IRI is kept as written."""
    from ruamel.yaml import YAML

    from cop_graph.linking import rml
    from cop_graph.linking.yarrrml import to_rml

    table = tmp_path / "scores.csv"
    table.write_text("company,score,note,site\nAcme,40,NA,https://acme.example/a?b=1\nBeta,NA,fine,NA\n",
                     encoding="utf-8")
    document = {
        "prefixes": {"ex": "https://example.org/"},
        # as YAML reads `na: {access: …, referenceFormulation: csv, null: [NA]}`: the key is None
        "sources": {"plain": [f"{table}~csv"],
                    "na": YAML(typ="safe", pure=True).load(f"{{access: '{table}', referenceFormulation: csv, "
                                                           "null: [NA]}")},
        "mappings": {
            "scores": {"sources": "plain", "s": "ex:observation/$(company)",
                       "condition": {"function": "notEqual", "parameters": [["str1", "$(score)"], ["str2", "NA"]]},
                       "po": [["ex:score", "$(score)"], ["a", "ex:Observation"]]},
            "notes": {"sources": "na", "s": "ex:company/$(company)",
                      "po": [["ex:note", "$(note)"], ["ex:site", "$(site)~iri"]]},
        },
    }
    graph = rml.run(to_rml(document)[0])
    ex = "https://example.org/"
    assert set(graph.subjects(None, URIRef(ex + "Observation"))) == {URIRef(ex + "observation/Acme")}
    assert not list(graph.triples((URIRef(ex + "observation/Beta"), None, None)))  # the NA row, whole
    assert not list(graph.objects(URIRef(ex + "company/Acme"), URIRef(ex + "note")))  # NA: no note
    assert [str(o) for o in graph.objects(URIRef(ex + "company/Beta"), URIRef(ex + "note"))] == ["fine"]
    assert list(graph.objects(URIRef(ex + "company/Acme"), URIRef(ex + "site"))) == \
        [URIRef("https://acme.example/a?b=1")]  # as written: not percent-encoded as a template part would be
