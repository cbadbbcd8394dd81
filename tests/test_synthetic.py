"""The synthetic graph used by the benchmarks: deterministic, of the size asked for, with
the shape of the real data, and valid against the same shapes."""

from __future__ import annotations

import networkx as nx
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import ORG

from cop_graph.analysis import network
from cop_graph.publish import synthetic
from cop_graph.store.base import PendingFile
from cop_graph.store.dataset import CopDataset, SourceFile
from cop_graph.store.memory import MemoryStore
from cop_graph.validation.validate import validate


def test_the_same_seed_gives_the_same_graph_and_another_seed_another():
    assert isomorphic(synthetic.graph(5000, seed=1), synthetic.graph(5000, seed=1))
    assert not isomorphic(synthetic.graph(5000, seed=1), synthetic.graph(5000, seed=2))


@pytest.mark.full
def test_the_size_is_close_to_the_target():
    for target in (10_000, 50_000):
        assert abs(len(synthetic.graph(target)) - target) / target < 0.1


def _loaded(config, target: int) -> CopDataset:
    """The synthetic graph alone, in the default store, as the loader would hold one file."""
    name = URIRef(config.base + "graph/synthetic")
    graph = Graph()
    for triple in synthetic.triples(target):
        graph.add(triple)
    store = MemoryStore(config)
    pending = PendingFile(config.root / "synthetic.ttl", name, "", False, lambda: graph, verbatim=False)
    stored = store.load([pending])[0]
    loaded = CopDataset(config=config, dataset=store.dataset, store=store)
    loaded.files.append(SourceFile(stored.path, name, stored.triples, "", False))
    return loaded


def test_the_synthetic_graph_conforms_to_the_shapes(config):
    report = validate(_loaded(config, 3_000))  # pyshacl time grows fast with size; the shape is the same
    assert report.conforms, report.to_text()


def test_companies_share_years_with_their_own_collaborations_not_with_everyone(config):
    loaded = _loaded(config, 10_000)
    orgs = network.projection(loaded, "orgs")
    companies = {str(m) for m in loaded.dataset.objects(None, ORG.member)}
    assert set(orgs.nodes) == companies
    assert nx.density(orgs) < 0.5  # a complete graph would say every company meets every other
    assert max(d for _, d in orgs.degree()) < len(companies) - 1
