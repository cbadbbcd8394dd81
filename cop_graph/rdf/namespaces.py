"""Our namespaces and the prefix map used for display and serialisation."""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
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
    DefinedNamespace,
)


class COP(DefinedNamespace):
    """Our own terms (ontology/cop.ttl), closed: a term the ontology does not define raises
    AttributeError instead of minting an IRI nobody declared (tests/test_ontology.py keeps
    this list and the ontology equal)."""

    _NS = Namespace("https://w3id.org/b-tech-cop/ontology/")
    _fail = True

    Confirmed: URIRef
    Development: URIRef
    ExpertGroup: URIRef
    ForReview: URIRef
    GuestGroup: URIRef
    LinkStatus: URIRef
    ParticipantGroup: URIRef
    Passage: URIRef
    RegularSession: URIRef
    Session: URIRef
    SpecialSession: URIRef
    WorkingModality: URIRef
    achievement: URIRef
    affected: URIRef
    complements: URIRef
    convenedBy: URIRef
    drawnFrom: URIRef
    followsModality: URIRef
    linkStatuses: URIRef
    objective: URIRef
    outsideExpert: URIRef
    prompted: URIRef
    quarterLabel: URIRef
    theme: URIRef
    themeText: URIRef
    whenAsWritten: URIRef


COPSH = Namespace("https://w3id.org/b-tech-cop/shapes/")
OA = Namespace("http://www.w3.org/ns/oa#")

PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
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
