"""The vocabulary: every own term labelled, defined and aligned to a standard term."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import OWL, RDFS, SKOS

from cop_graph.rdf.namespaces import COP


def _ontology(config) -> Graph:
    return Graph().parse(config.ontology_files[0])


def test_the_ontology_declares_a_version(config):
    graph = _ontology(config)
    ontology = URIRef("https://w3id.org/b-tech-cop/ontology")
    assert (ontology, RDF.type, OWL.Ontology) in graph
    assert graph.value(ontology, OWL.versionInfo) is not None
    assert graph.value(ontology, OWL.versionIRI) is not None


def test_every_own_term_has_a_label_a_definition_and_a_standard_parent(config):
    graph = _ontology(config)
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property}
    terms = {s for s in graph.subjects() if str(s).startswith(str(COP))
             and set(graph.objects(s, RDF.type)) & kinds}
    assert len(terms) >= 15
    for term in terms:
        assert graph.value(term, RDFS.label) is not None, term
        assert graph.value(term, SKOS.definition) is not None, term
        parents = set(graph.objects(term, RDFS.subClassOf)) | set(graph.objects(term, RDFS.subPropertyOf))
        assert parents, f"{term} is not aligned to any other term"
        # follow own parents up until a standard term is reached
        frontier, seen = set(parents), set()
        while frontier and all(str(p).startswith(str(COP)) for p in frontier):
            seen |= frontier
            frontier = {q for p in frontier for q in graph.objects(p, RDFS.subClassOf)} - seen
        assert frontier, f"{term} never reaches a standard term"


def test_the_link_statuses_are_a_small_concept_scheme(config):
    """The values of adms:status on links: two concepts, each labelled and defined."""
    graph = _ontology(config)
    statuses = set(graph.subjects(RDF.type, COP.LinkStatus))
    assert statuses == {COP.Confirmed, COP.ForReview}
    for status in statuses:
        assert graph.value(status, SKOS.inScheme) == COP.linkStatuses
        assert graph.value(status, SKOS.prefLabel) is not None and graph.value(status, SKOS.definition) is not None
    assert (COP.LinkStatus, RDFS.subClassOf, SKOS.Concept) in graph


def test_every_term_the_data_uses_from_our_namespace_is_declared(config, loaded):
    ontology = _ontology(config)
    declared = {s for s in ontology.subjects() if str(s).startswith(str(COP))}
    declared |= set(ontology.objects(None, OWL.versionIRI))
    used = {t for triple in loaded.dataset.triples((None, None, None)) for t in (triple[1], triple[2])
            if isinstance(t, URIRef) and str(t).startswith(str(COP))}
    assert used <= declared, used - declared


def test_every_class_used_in_the_data_is_targeted_by_a_shape(config, loaded):
    shapes = Graph().parse(config.shapes_file)
    ontology = _ontology(config)
    targeted = set(shapes.objects(None, URIRef("http://www.w3.org/ns/shacl#targetClass")))
    data_classes = {c for s in loaded.files if not s.path.is_relative_to(config.root / "ontology")
                    for c in loaded.graph(s).objects(None, RDF.type)}
    for cls in data_classes:
        ancestors = {cls} | set(ontology.transitive_objects(cls, RDFS.subClassOf))
        assert ancestors & targeted, f"no shape targets {cls}"


def test_the_closed_namespace_holds_exactly_the_terms_the_ontology_defines(config):
    graph = _ontology(config)
    defined = {str(s).removeprefix(str(COP)) for s in graph.subjects()
               if isinstance(s, URIRef) and str(s).startswith(str(COP)) and str(s) != str(COP)}
    assert set(COP.__annotations__) == defined
    assert COP.Passage == URIRef(str(COP) + "Passage")
    with pytest.raises(AttributeError, match="'Sesion' not in namespace"):
        COP.Sesion  # noqa: B018 (a typo must fail, not mint a term)
