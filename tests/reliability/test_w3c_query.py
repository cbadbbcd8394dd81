"""The W3C SPARQL 1.0 and 1.1 query-evaluation and syntax suites through a real `cop-graph
serve` on the default store, by the SPARQL 1.1 Protocol (tests/w3c_query_suite.py): every
data file a named graph, selected with default-graph-uri / named-graph-uri. Exactly the tests
listed in docs/reliability.md fail, each with its reason there; a test that starts passing,
or a new failure, fails this test."""

from __future__ import annotations

import re

import pytest

from cop_graph.config import load_config
from cop_graph.errors import CopGraphError
from cop_graph.store.dataset import load_dataset

from .. import w3c_query_suite as suite
from ..conftest import ROOT, running_server

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("w3c-query")]

KNOWN = {
    'aggregates/agg-empty-group-count-graph',
    'aggregates/agg-groupconcat-04',
    'aggregates/agg-groupconcat-06',
    'bindings/graph',
    'construct/constructwhere04',
    'dataset/dawg-dataset-01',
    'dataset/dawg-dataset-03',
    'dataset/dawg-dataset-05',
    'dataset/dawg-dataset-06',
    'dataset/dawg-dataset-07',
    'dataset/dawg-dataset-08',
    'dataset/dawg-dataset-11',
    'dataset/dawg-dataset-12b',
    'distinct/distinct-1',
    'distinct/distinct-9',
    'distinct/no-distinct-2',
    'distinct/no-distinct-9',
    'expr-builtin/case-insensitive-booleans',
    'expr-builtin/dawg-str-1',
    'expr-builtin/dawg-str-2',
    'expr-builtin/sameTerm-eq',
    'expr-builtin/sameTerm-not-eq',
    'expr-builtin/sameTerm-simple',
    'expr-equals/eq-graph-1',
    'expr-equals/eq-graph-2',
    'graph/graph-optional',
    'graph/graph-variable-scope',
    'negation/graph-minus',
    'open-world/date-2',
    'open-world/open-eq-01',
    'open-world/open-eq-07',
    'open-world/open-eq-08',
    'open-world/open-eq-10',
    'open-world/open-eq-11',
    'open-world/open-eq-12',
    'property-path/zero_or_more_set_end',
    'property-path/zero_or_more_set_start',
    'property-path/zero_or_one_set_end',
    'property-path/zero_or_one_set_start',
    'reduced/reduced-1',
    'reduced/reduced-2',
    'sort/dawg-sort-10',
    'sort/dawg-sort-9',
    'syntax-sparql3/syn-bad-26',
}


def test_the_query_suites_pass_through_the_endpoint_but_for_the_known_failures(cop_graph_bin):
    cases = suite.cases()
    assert len(cases) == 808
    refused: dict = {}
    for path in suite.data_files(cases):
        try:
            load_dataset([path], config=load_config(), bundled=False).store.close()
        except CopGraphError as exc:
            refused[path] = str(exc)
    data = [arg for path in suite.data_files(cases) if path not in refused for arg in ("--data", str(path))]
    with running_server(cop_graph_bin, "--query-timeout", "20", *data) as url:
        graph_of = {path: path.as_uri() for path in suite.data_files(cases)}
        outcomes = [suite.run(f"{url}/sparql", case, graph_of, refused) for case in cases]
    failed = {o.case.name: o.reason for o in outcomes if not o.passed}
    assert set(failed) - KNOWN == set(), {n: failed[n] for n in sorted(set(failed) - KNOWN)}
    passing = sorted(KNOWN - set(failed))
    assert passing == [], f"these pass now; take them off KNOWN and the docs: {passing}"


def test_the_known_failures_are_the_ones_the_docs_list():
    text = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    table = text.split("<!-- w3c-query-failures", 1)[1].split("\n\n", 1)[0]
    assert set(re.findall(r"^\| `([^`]+)` \|", table, re.M)) == KNOWN
