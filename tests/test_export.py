"""Export: every format reads back as the same graph — the data and its computed VoID
description —, and a failed export writes nothing."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from cop_graph.publish.description import computed_description

from .conftest import BASE

pytestmark = pytest.mark.every_store

SUFFIX = {"turtle": "ttl", "nt": "nt", "jsonld": "jsonld", "trig": "trig", "xml": "rdf"}
PARSER = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "xml": "xml"}


DESCRIPTION = URIRef(BASE + "graph/void")


@pytest.fixture(scope="module")
def described(loaded) -> Graph:
    """What an export adds to the data: the description's statements the data does not make."""
    return computed_description(loaded)


@pytest.mark.parametrize("fmt", ["turtle", "nt", "xml"])
def test_triple_formats_read_back_isomorphic_to_the_union_with_the_description(cli, loaded, described, tmp_path,
                                                                               fmt):
    target = tmp_path / f"cop.{SUFFIX[fmt]}"
    proc = cli("export", "--format", fmt, "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {target}" in proc.stderr
    assert f"{len(loaded) + len(described):,} triples in {len(loaded.files) + 1} graphs" in proc.stderr
    assert isomorphic(Graph().parse(target, format=PARSER[fmt]), loaded.union() + described)


@pytest.mark.parametrize("fmt", ["trig", "jsonld"])
def test_dataset_formats_keep_every_named_graph_and_the_description_in_its_own(cli, loaded, described, tmp_path,
                                                                               fmt):
    target = tmp_path / f"cop.{SUFFIX[fmt]}"
    assert cli("export", "--format", fmt, "-o", str(target)).returncode == 0
    reread = Dataset()
    reread.parse(target, format=PARSER[fmt])
    names = {g.identifier for g in reread.graphs() if len(g)}
    assert names == {s.graph for s in loaded.files} | {DESCRIPTION}
    for source in loaded.files:
        assert isomorphic(reread.graph(source.graph), loaded.graph(source)), source.graph
    assert isomorphic(reread.graph(DESCRIPTION), described)


def test_export_to_stdout_defaults_to_turtle_with_ontology_data_and_description(cli, loaded, described):
    proc = cli("export")
    assert proc.returncode == 0
    graph = Graph().parse(data=proc.stdout, format="turtle")
    assert (URIRef("https://w3id.org/b-tech-cop/ontology"), None, None) in graph
    assert (URIRef(BASE + "org/telefonica"), None, None) in graph
    # merged: a statement two files both make (a linkset names the dataset it links) is written once
    distinct = {t for source in loaded.files for t in loaded.graph(source)}
    assert len(graph) == len(distinct | set(described))


def test_broken_input_writes_nothing_and_keeps_the_previous_file(cli, tmp_path):
    target = tmp_path / "cop.ttl"
    target.write_text("previous export\n", encoding="utf-8")
    broken = tmp_path / "broken.ttl"
    broken.write_text("<urn:x:a> <urn:x:b> .\n", encoding="utf-8")
    proc = cli("export", "-o", str(target), "--data", str(broken))
    assert proc.returncode == 2 and "broken.ttl:1" in proc.stderr
    assert target.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.ttl", "cop.ttl"]


def test_data_with_violations_is_not_exported(cli, tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://w3id.org/b-tech-cop/session/2099-01-01> a "
                     "<https://w3id.org/b-tech-cop/ontology/SpecialSession> .\n", encoding="utf-8")
    target = tmp_path / "out.ttl"
    proc = cli("export", "-o", str(target), "--data", str(extra))
    assert proc.returncode == 1
    assert "nothing was written" in proc.stderr and not target.exists()
    assert cli("export", "-o", str(target), "--data", str(extra), "--no-validate").returncode == 0
    assert target.exists()


def test_export_into_a_missing_folder_is_refused(cli, tmp_path):
    proc = cli("export", "-o", str(tmp_path / "missing" / "cop.ttl"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr


def test_an_export_keeps_the_permissions_of_the_file_it_replaces(cli, tmp_path):
    target = tmp_path / "cop.ttl"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    assert cli("export", "-o", str(target)).returncode == 0
    assert target.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "fresh.ttl"
    assert cli("export", "-o", str(fresh)).returncode == 0
    assert fresh.stat().st_mode & 0o044  # readable by others under the usual umask, not 0600
