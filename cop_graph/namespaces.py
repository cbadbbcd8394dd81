"""Our namespaces and the prefix map used for display and serialisation."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    TIME,
    VOID,
    XSD,
)

COP = Namespace("https://w3id.org/b-tech-cop/ontology/")
COPSH = Namespace("https://w3id.org/b-tech-cop/shapes/")
OA = Namespace("http://www.w3.org/ns/oa#")

PREFIXES: dict[str, Namespace] = {
    "cop": COP,
    "copsh": COPSH,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "oa": OA,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SDO,
    "sh": SH,
    "skos": SKOS,
    "time": TIME,
    "void": VOID,
    "xsd": XSD,
}


def bind_prefixes(graph: Graph) -> None:
    """Give a graph our prefixes, replacing rdflib's defaults where they clash."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
