"""The dataset's VoID and DCAT description: what the data states about the dataset and its
linksets (``data/dataset.ttl``, ``data/links/*.ttl``) plus what is computed from the loaded
data — sizes, one subset per named graph, class and property partitions, the linksets' sizes,
example resources and, when served, the SPARQL endpoint.

Counts are of statements as loaded, graph by graph: a statement two files make counts in
both, as in ``cop-graph stats``, so the subsets' ``void:triples`` add up to the dataset's.
A linkset's size is the number of its link property's statements in the file that describes
it; a size the file states is kept.

The data states no licence, so the description states the project's own (MIT) for the
graph's statements, and in ``dcterms:rights`` that the source document's text is quoted
from it and stays under its publisher's copyright; a licence or rights the data states
replaces these. When served, the whole-dataset dumps are added (``void:dataDump`` and one
DCAT distribution each), as the endpoint is: their URLs depend on the server.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDFS, VOID
from rdflib.term import Node

from cop_graph.rdf.labels import LABEL_PROPERTIES, label
from cop_graph.rdf.namespaces import bind_prefixes
from cop_graph.sparql.evaluate import run_named
from cop_graph.sparql.library import named
from cop_graph.store.dataset import CopDataset, SourceFile

# The named graph, under the base, that an export writes the computed description to.
DESCRIPTION_GRAPH = "graph/void"
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
# The data's licence: the project's own (pyproject.toml), as the data states none.
LICENCE = URIRef("http://spdx.org/licenses/MIT")
LICENCE_LABEL = "MIT License"
# What the source document's text may be used for: only what is known of it (data/README.md).
RIGHTS = ("The MIT License covers this graph's own statements. The text of the B-Tech Company Community of "
          "Practice 2022 Year-End Review (a publication of the B-Tech Project of UN Human Rights, OHCHR), kept "
          "whole and quoted passage by passage, is reproduced as received for research and reference; its "
          "copyright remains with its publisher, and the MIT License does not cover it.")
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Linkset:
    """A ``void:Linkset`` described in the data, as the file describing it states it."""

    iri: URIRef
    graph: URIRef  # the named graph (file) that describes it and holds its links
    predicate: URIRef | None
    subjects_target: URIRef | None
    objects_target: URIRef | None
    target_label: str | None
    uri_space: str | None  # the void:uriSpace of the target dataset, if stated
    links: int  # its link property's statements in its file's graph
    stated_triples: Node | None = None


@dataclass
class _Counts:
    """What one pass over the named graphs finds."""

    graphs: dict[URIRef, tuple[int, int]] = field(default_factory=dict)  # graph -> (triples, IRI subjects)
    properties: Counter = field(default_factory=Counter)  # property -> statements
    subjects: set[Node] = field(default_factory=set)
    objects: set[Node] = field(default_factory=set)
    instances: dict[Node, set[Node]] = field(default_factory=dict)  # class -> instances


def dataset_iri(loaded: CopDataset) -> URIRef:
    """The dataset itself: ``BASE/dataset``, as ``data/dataset.ttl`` names it."""
    return URIRef(loaded.config.base + "dataset")


def description(loaded: CopDataset) -> Graph:
    """The whole description: the statements the data makes about the dataset, its linksets
    and the datasets they link (with the labels of what those point to), and the computed facts."""
    graph, sets = Graph(), linksets(loaded)
    bind_prefixes(graph)
    _stated(loaded, graph, sets)
    _computed(loaded, graph, sets)
    return graph


def computed_description(loaded: CopDataset, endpoint: str | None = None) -> Graph:
    """Only what the data does not already state: what an export adds beside the data."""
    full = description(loaded)
    if endpoint:
        add_endpoint(full, loaded, endpoint)
    graph = Graph()
    bind_prefixes(graph)
    for triple in full:
        if not _stated_anywhere(loaded, triple):
            graph.add(triple)
    return graph


def add_endpoint(graph: Graph, loaded: CopDataset, endpoint: str) -> None:
    """State the SPARQL endpoint the dataset is served at: ``void:sparqlEndpoint`` and a DCAT
    distribution accessed through it."""
    dataset, service, distribution = dataset_iri(loaded), URIRef(endpoint), _node_of(endpoint)
    for triple in ((dataset, VOID.sparqlEndpoint, service), (dataset, DCAT.distribution, distribution),
                   (distribution, RDF.type, DCAT.Distribution), (distribution, DCAT.accessURL, service),
                   (distribution, DCAT.accessService, service), (service, RDF.type, DCAT.DataService),
                   (service, DCAT.endpointURL, service), (service, DCTERMS.conformsTo, SPARQL_PROTOCOL),
                   (service, DCAT.servesDataset, dataset)):
        graph.add(triple)


@dataclass(frozen=True)
class Dump:
    """One file of the whole dataset as served: its URL, its RDF syntax's media type, gzipped or not."""

    url: str
    media_type: str
    label: str
    gzipped: bool = False


def add_dumps(graph: Graph, loaded: CopDataset, dumps: Iterable[Dump]) -> None:
    """State where the whole dataset can be downloaded: ``void:dataDump`` for each file and a
    DCAT distribution with its download URL, media type (IANA IRIs), gzip as its
    ``dcat:compressFormat`` when gzipped, and the data's licence."""
    dataset = dataset_iri(loaded)
    licence = next(iter(loaded.dataset.objects(dataset, DCTERMS.license)), LICENCE)
    for dump in dumps:
        url, distribution = URIRef(dump.url), _node_of(dump.url)
        title = Literal(f"{dump.label} dump, gzipped" if dump.gzipped else f"{dump.label} dump", lang="en")
        for triple in ((dataset, VOID.dataDump, url), (dataset, DCAT.distribution, distribution),
                       (distribution, RDF.type, DCAT.Distribution), (distribution, DCTERMS.title, title),
                       (distribution, DCAT.downloadURL, url), (distribution, DCAT.accessURL, url),
                       (distribution, DCAT.mediaType, URIRef(MEDIA_TYPES + dump.media_type)),
                       (distribution, DCTERMS.license, licence)):
            graph.add(triple)
        if dump.gzipped:
            graph.add((distribution, DCAT.compressFormat, URIRef(MEDIA_TYPES + "application/gzip")))


def _node_of(url: str, kind: str = "distribution") -> BNode:
    """A blank node of the description named after what it is about: the same description
    is then written as the same bytes every time (rdflib orders blank nodes by name)."""
    return BNode(kind + hashlib.sha256(url.encode("utf-8")).hexdigest()[:16])


def linksets(loaded: CopDataset) -> list[Linkset]:
    """Every linkset described in the data, file by file."""
    found = []
    for source in loaded.files:
        graph = loaded.graph(source)
        for node in sorted(n for n in set(graph.subjects(RDF.type, VOID.Linkset)) if isinstance(n, URIRef)):
            found.append(_linkset(loaded, graph, source.graph, node))
    return found


def _linkset(loaded: CopDataset, graph: Graph, name: URIRef, node: URIRef) -> Linkset:
    predicate, target = graph.value(node, VOID.linkPredicate), graph.value(node, VOID.objectsTarget)
    space = loaded.dataset.value(target, VOID.uriSpace) if target is not None else None
    links = sum(1 for _ in graph.triples((None, predicate, None))) if predicate is not None else 0
    return Linkset(iri=node, graph=name, predicate=predicate, subjects_target=graph.value(node, VOID.subjectsTarget),
                   objects_target=target, target_label=label(loaded.dataset, target) if target is not None else None,
                   uri_space=str(space) if space is not None else None, links=links,
                   stated_triples=graph.value(node, VOID.triples))


def _stated(loaded: CopDataset, graph: Graph, sets: list[Linkset]) -> None:
    union = loaded.dataset
    nodes = {dataset_iri(loaded)}
    for linkset in sets:
        nodes |= {n for n in (linkset.iri, linkset.subjects_target, linkset.objects_target) if n is not None}
    for node in sorted(nodes):
        for prop, value in union.predicate_objects(node):
            graph.add((node, prop, value))
            if isinstance(value, URIRef) and value not in nodes:
                for name in LABEL_PROPERTIES:
                    for text in union.objects(value, name):
                        graph.add((value, name, text))


def _computed(loaded: CopDataset, graph: Graph, sets: list[Linkset]) -> None:
    dataset, counts = dataset_iri(loaded), _count(loaded)
    for kind in (VOID.Dataset, DCAT.Dataset):
        graph.add((dataset, RDF.type, kind))
    _add_counts(graph, dataset, {
        VOID.triples: len(loaded), VOID.entities: sum(1 for s in counts.subjects if isinstance(s, URIRef)),
        VOID.classes: len(counts.instances), VOID.properties: len(counts.properties),
        VOID.distinctSubjects: len(counts.subjects), VOID.distinctObjects: len(counts.objects)})
    graph.add((dataset, VOID.uriSpace, Literal(loaded.config.base)))
    for source in loaded.files:
        triples, entities = counts.graphs[source.graph]
        graph.add((dataset, VOID.subset, source.graph))
        _add_counts(graph, source.graph, {VOID.triples: triples, VOID.entities: entities})
        graph.add((source.graph, DCTERMS.source, Literal(source.display(loaded.config.root))))
        _imported_terms(loaded, graph, source)
    _partitions(graph, dataset, counts)
    for linkset in sets:
        graph.add((dataset, VOID.subset, linkset.iri))
        graph.add((linkset.graph, VOID.subset, linkset.iri))
        if linkset.stated_triples is None:
            graph.add((linkset.iri, VOID.triples, Literal(linkset.links)))
    for resource in example_resources(loaded):
        graph.add((dataset, VOID.exampleResource, resource))
    _terms(loaded, graph, dataset)


def _imported_terms(loaded: CopDataset, graph: Graph, source: SourceFile) -> None:
    """A graph that holds another publisher's dataset (an import) carries that dataset's
    licence and rights, and names it, so a reader of the description sees whose terms apply."""
    held, subset = loaded.graph(source), source.graph
    for dataset in held.subjects(RDF.type, DCAT.Dataset):
        for prop in (DCTERMS.license, DCTERMS.rights, DCTERMS.publisher):
            for value in held.objects(dataset, prop):
                graph.add((subset, prop, value))
        graph.add((subset, RDFS.seeAlso, dataset))


def _terms(loaded: CopDataset, graph: Graph, dataset: URIRef) -> None:
    """The licence and the source's terms, unless the data states its own."""
    if (dataset, DCTERMS.license, None) not in loaded.dataset:
        for triple in ((dataset, DCTERMS.license, LICENCE), (LICENCE, RDF.type, DCTERMS.LicenseDocument),
                       (LICENCE, RDFS.label, Literal(LICENCE_LABEL, lang="en"))):
            graph.add(triple)
    if (dataset, DCTERMS.rights, None) not in loaded.dataset:
        rights = _node_of(str(dataset), "rights")
        for triple in ((dataset, DCTERMS.rights, rights), (rights, RDF.type, DCTERMS.RightsStatement),
                       (rights, RDFS.label, Literal(RIGHTS, lang="en"))):
            graph.add(triple)


def _count(loaded: CopDataset) -> _Counts:
    counts = _Counts()
    for source in loaded.files:
        subjects: set[Node] = set()
        triples = 0
        for s, p, o in loaded.graph(source):
            triples += 1
            subjects.add(s)
            counts.properties[p] += 1
            counts.objects.add(o)
            if p == RDF.type:
                counts.instances.setdefault(o, set()).add(s)
        counts.subjects |= subjects
        counts.graphs[source.graph] = (triples, sum(1 for s in subjects if isinstance(s, URIRef)))
    return counts


def _partitions(graph: Graph, dataset: URIRef, counts: _Counts) -> None:
    """One class partition per class used (its IRI instances as ``void:entities``, all its
    instances, blank nodes included, as ``void:distinctSubjects``) and one property partition
    per property (its statements)."""
    for kind in sorted(counts.instances):
        partition, instances = BNode(), counts.instances[kind]
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], kind))
        _add_counts(graph, partition, {VOID.entities: sum(1 for i in instances if isinstance(i, URIRef)),
                                       VOID.distinctSubjects: len(instances)})
    for prop in sorted(counts.properties):
        partition = BNode()
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, prop))
        graph.add((partition, VOID.triples, Literal(counts.properties[prop])))


def example_resources(loaded: CopDataset) -> list[URIRef]:
    """For each kind the ``example-resources`` query lists, its most linked instance."""
    query = named(loaded, "example-resources", "description")
    chosen: dict[Node, URIRef] = {}
    for row in run_named(loaded, query, {}):
        chosen.setdefault(row.kind, row.resource)
    return [chosen[kind] for kind in sorted(chosen)]


def _add_counts(graph: Graph, node: Node, counts: dict[URIRef, int]) -> None:
    for prop, value in counts.items():
        graph.add((node, prop, Literal(value)))


def _stated_anywhere(loaded: CopDataset, triple: tuple[Node, Node, Node]) -> bool:
    return any(True for _ in loaded.dataset.triples(triple))
