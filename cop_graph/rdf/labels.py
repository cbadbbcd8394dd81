"""How any term is displayed and compared: one place decides label precedence, short forms
and the normalised form names are matched in (search, linking)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDFS, SDO, SKOS
from rdflib.term import Node

from cop_graph.rdf.namespaces import PREFIXES

# Label precedence, everywhere a resource is named (pages, search, networks, exports).
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, SDO.name, FOAF.name, DCTERMS.title)
ALTERNATIVE_LABELS = (SKOS.altLabel, SDO.alternateName)


def choose_label(labels: Iterable[tuple[Node, Node]], lang: str = "en",
                 properties: tuple[URIRef, ...] = LABEL_PROPERTIES) -> str | None:
    """From (property, value) pairs: by property precedence, the language asked for first,
    then untagged, then the first in order."""
    labels = [(p, v) for p, v in labels if isinstance(v, Literal)]
    for prop in properties:
        values = sorted(value for p, value in labels if p == prop)
        for wanted in (lang, None):
            for value in values:
                if value.language == wanted:
                    return str(value)
        if values:
            return str(values[0])
    return None


def label(graph: Graph, node: Node, lang: str = "en") -> str | None:
    """The node's preferred label (see :data:`LABEL_PROPERTIES`)."""
    return choose_label(((p, v) for p in LABEL_PROPERTIES for v in graph.objects(node, p)), lang)


def display_name(graph: Graph, node: Node, base: str | None = None, lang: str = "en") -> str:
    """What a person reads for a node: its label, else its short form."""
    return label(graph, node, lang) or short(node, base)


def primary_type(types: Iterable[Node], base: str | None = None) -> str:
    """The one type to show for a resource with several, short form: this ontology's own
    class first (``cop:RegularSession`` over ``schema:Event``), then the first by name; ""
    for none."""
    shown = sorted(short(t, base) for t in types)
    own = [t for t in shown if t.startswith("cop:")]
    return (own or shown or [""])[0]


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


# Letters that NFKD does not decompose but that readers treat as their base letters.
_FOLD = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "\u0131": "i", "æ": "ae", "œ": "oe", "þ": "th",
                       "ð": "d"})
_SEPARATORS = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """The form labels and queries are compared in: without accents (NFKD, combining marks
    dropped), case-folded, every run of punctuation or whitespace a single space. Folding and
    decomposing follow Unicode's compatibility caseless match (D146), so that a letter NFKD
    makes upper case (ℇ → Ɛ) is folded too and the form is the same when made again."""
    once = unicodedata.normalize("NFKD", unicodedata.normalize("NFD", text).casefold())
    decomposed = unicodedata.normalize("NFKD", once.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_FOLD)
    return " ".join(_SEPARATORS.sub(" ", bare).split())
