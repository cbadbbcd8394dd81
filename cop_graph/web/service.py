"""The SPARQL 1.1 Service Description of the endpoint, built from the loaded dataset."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID

from cop_graph.config import Config
from cop_graph.rdf.formats import SYNTAXES, TABULAR
from cop_graph.rdf.namespaces import bind_prefixes
from cop_graph.store.dataset import CopDataset

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
RESULT_FORMATS = tuple(f.w3c for f in (*TABULAR.values(), *SYNTAXES.values()) if f.w3c)


def service_description(loaded: CopDataset, endpoint: str, config: Config) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if config.service_allowlist:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    for name in RESULT_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS[name]))
    dataset = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(len(loaded))))
    for source in loaded.files:
        named, described = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, source.graph))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(source.triples)))
    return graph
