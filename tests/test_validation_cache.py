"""Validation with the per-shape cache gives the report a full validation gives, and reuses
only what an edit could not have changed."""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter

from rdflib import RDF, Graph, URIRef

from cop_graph.config import load_config
from cop_graph.rdf.namespaces import COPSH
from cop_graph.store.dataset import load_dataset
from cop_graph.validation.shapes import unit_digest, units
from cop_graph.validation.validate import _check, load_shapes

PREFIXES = ("@prefix schema: <https://schema.org/> .\n@prefix org: <http://www.w3.org/ns/org#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")
ORG = "<https://w3id.org/b-tech-cop/org/{}>"
BASE_ORG = "https://w3id.org/b-tech-cop/org/"


def _reused(stderr: str) -> tuple[int, int]:
    match = re.search(r"(\d+) of (\d+) shapes' findings reused", stderr)
    assert match, stderr
    return int(match[1]), int(match[2])


def _validate(cli, extra, cache, *more: str):
    proc = cli("validate", "--format", "json", "--data", str(extra), *more,
               env={"COP_GRAPH_VALIDATION_CACHE": str(cache)})
    assert "Traceback" not in proc.stderr
    return proc


def test_a_second_run_reuses_every_shape_and_reports_the_same(cli, tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(PREFIXES + ORG.format("newcomer") + " a schema:Corporation .\n", encoding="utf-8")
    cache = tmp_path / "cache"
    first = _validate(cli, extra, cache)
    second = _validate(cli, extra, cache)
    fresh = _validate(cli, extra, cache, "--no-cache")
    assert first.returncode == second.returncode == fresh.returncode == 1  # no label, no source
    assert first.stdout == second.stdout == fresh.stdout
    reused, total = _reused(second.stderr)
    assert reused == total and total == len(units(load_shapes(load_config().shapes_file.resolve())))
    assert _reused(first.stderr)[0] < total
    assert "reused" not in fresh.stderr
    shapes = {r["shape"] for r in json.loads(second.stdout)["results"] if r["focus"] == BASE_ORG + "newcomer"}
    assert {"Label", "Provenance"} <= shapes



def test_after_an_edit_only_the_shapes_that_read_it_run_again(cli, tmp_path):
    extra = tmp_path / "extra.ttl"
    cache = tmp_path / "cache"
    extra.write_text(PREFIXES + ORG.format("newcomer") + " a schema:Corporation .\n", encoding="utf-8")
    _validate(cli, extra, cache)
    # the edit adds a label: shapes that read rdfs:label run again, the others are reused
    extra.write_text(PREFIXES + ORG.format("newcomer") + ' a schema:Corporation ; rdfs:label "Newcomer" .\n',
                     encoding="utf-8")
    edited = _validate(cli, extra, cache)
    reused, total = _reused(edited.stderr)
    assert 0 < reused < total
    fresh = _validate(cli, extra, cache, "--no-cache")
    assert edited.stdout == fresh.stdout
    focus = [r for r in json.loads(edited.stdout)["results"] if r["focus"] == BASE_ORG + "newcomer"]
    assert [r["shape"] for r in focus] == ["Provenance"]  # the label is there now


def test_a_damaged_or_unwritable_cache_changes_nothing_but_speed(cli, tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(PREFIXES + ORG.format("newcomer") + ' a schema:Corporation ; rdfs:label "N" .\n',
                     encoding="utf-8")
    cache = tmp_path / "cache"
    expected = _validate(cli, extra, cache, "--no-cache").stdout
    _validate(cli, extra, cache)
    entries = list(cache.rglob("*.json"))
    assert entries
    for number, entry in enumerate(entries):
        entry.write_text("{not json" if number % 2 else '[{"focus": 1}]', encoding="utf-8")
    damaged = _validate(cli, extra, cache)
    assert damaged.stdout == expected and _reused(damaged.stderr)[0] == 0
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    unwritable = _validate(cli, extra, blocked)
    assert unwritable.stdout == expected and _reused(unwritable.stderr)[0] == 0


def test_findings_about_blank_nodes_are_never_reused(cli, tmp_path):
    # blank nodes get new names at every parse, so such findings cannot be matched up again
    extra = tmp_path / "extra.ttl"
    extra.write_text(PREFIXES + "[] a schema:Corporation .\n", encoding="utf-8")
    cache = tmp_path / "cache"
    first = _validate(cli, extra, cache)
    second = _validate(cli, extra, cache)
    assert first.returncode == second.returncode == 1
    reused, total = _reused(second.stderr)
    assert reused < total
    blank = [r for r in json.loads(second.stdout)["results"] if r["focus"].startswith("_:")]
    assert {r["shape"] for r in blank} >= {"Label", "Provenance"}


def test_the_shapes_one_at_a_time_find_what_all_at_once_find(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text(PREFIXES + ORG.format("nameless") + " a schema:Corporation .\n"
                      "<https://w3id.org/b-tech-cop/session/2099-01-01> a "
                      "<https://w3id.org/b-tech-cop/ontology/RegularSession> .\n", encoding="utf-8")
    loaded = load_dataset([broken], config=load_config(store="memory"))
    shapes = load_shapes(loaded.config.shapes_file.resolve())
    data = loaded.union()
    together = Counter(_check(data, shapes, loaded.config.base))
    apart: Counter = Counter()
    for unit in units(shapes):
        apart.update(_check(data, shapes, loaded.config.base, unit))
    assert together == apart
    assert any(f.severity == "Violation" for f in together) and any(f.severity == "Warning" for f in together)


def test_what_a_shape_reads(tmp_path):
    shapes = load_shapes(load_config().shapes_file.resolve())
    reads = units(shapes)
    sessions = reads[COPSH.MembershipSessionsShape]
    assert {URIRef("https://schema.org/startDate"), URIRef("https://schema.org/superEvent"), RDF.type} <= sessions
    assert reads[COPSH.AxiomShape] is None  # ?subject ?property ?object: any statement at all
    edited = Graph()
    for triple in shapes:
        edited.add(triple)
    edited.add((COPSH.MembershipSessionsShape, URIRef("http://www.w3.org/ns/shacl#deactivated"),
                URIRef("http://www.w3.org/2001/XMLSchema#true")))
    assert unit_digest(edited, COPSH.MembershipSessionsShape) != unit_digest(shapes, COPSH.MembershipSessionsShape)
    assert unit_digest(edited, COPSH.PersonShape) == unit_digest(shapes, COPSH.PersonShape)


def test_entries_unused_for_a_month_are_removed_and_used_ones_kept(cli, tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(PREFIXES + ORG.format("newcomer") + " a schema:Corporation .\n", encoding="utf-8")
    cache = tmp_path / "cache"
    assert _validate(cli, extra, cache).returncode == 1
    entries = sorted(cache.glob("*/*/*.json"))
    old = time.time() - 40 * 86_400
    for path in entries:
        os.utime(path, (old, old))
    stale = cache / "units" / "00" / ("0" * 64 + ".json")  # an entry of data no longer loaded
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("[]", encoding="utf-8")
    foreign = cache / "units" / "00" / "notes.json"  # not an entry: never removed
    foreign.write_text("{}", encoding="utf-8")
    for path in (stale, foreign):
        os.utime(path, (old, old))
    (cache / ".pruned").unlink()  # the last pruning was more than a day ago
    second = _validate(cli, extra, cache)
    assert _reused(second.stderr)[0] == _reused(second.stderr)[1]  # every entry still there was used
    assert not stale.exists() and foreign.exists()
    assert sorted(cache.glob("*/*/*.json")) == sorted([*entries, foreign])  # the used ones were touched
