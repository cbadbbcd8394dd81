"""How any term is displayed: one place decides label precedence and short forms."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from cop_graph.namespaces import PREFIXES

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label)


def label(graph: Graph, node: Node, lang: str = "en") -> str | None:
    """The node's preferred label: skos:prefLabel, then rdfs:label; the language asked
    for first, then untagged, then any."""
    for prop in LABEL_PROPERTIES:
        values = [v for v in graph.objects(node, prop) if isinstance(v, Literal)]
        for wanted in (lang, None):
            for value in values:
                if value.language == wanted:
                    return str(value)
        if values:
            return str(sorted(values)[0])
    return None


def short(node: Node | None, base: str | None = None) -> str:
    """A compact form: a prefixed name, a base-relative IRI, or the term in N-Triples form."""
    if isinstance(node, URIRef):
        text = str(node)
        for prefix, namespace in PREFIXES.items():
            namespace = str(namespace)
            if text.startswith(namespace) and _is_local(text[len(namespace):]):
                return f"{prefix}:{text[len(namespace):]}"
        if base and text.startswith(base):
            return f"<{text[len(base):]}>"
        return f"<{text}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        return str(node)
    return "" if node is None else str(node)


def _is_local(name: str) -> bool:
    return bool(name) and all(ch.isalnum() or ch in "_-." for ch in name)

