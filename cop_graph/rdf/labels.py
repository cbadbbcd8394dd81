"""How any term is displayed and compared: one place decides label precedence, short forms
and the normalised form names are matched in (search, linking)."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SDO, SKOS, XSD
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


def term_name(graph: Graph, term: Node, base: str | None = None) -> str:
    """A class's, property's or datatype's name for people: its label (the ontology labels
    the standard terms it uses), else its local name in words ("eventAttendanceMode" →
    "event attendance mode")."""
    own = label(graph, term)
    if own:
        return own
    local = re.split(r"[/#]", str(term))[-1] if isinstance(term, URIRef) else ""
    if not local:
        return short(term, base)
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).replace("_", " ").lower()


# What tells apart resources that share a label, first found first: when they happened.
_WHEN = (SDO.startDate, DCTERMS.date, SDO.dateCreated, DCTERMS.issued)


def distinct_name(graph: Graph, node: Node, base: str | None = None, lang: str = "en") -> str:
    """:func:`display_name`, and where another resource bears the same label, what tells
    them apart: its date as people write it ("COP Q2 Session 2 — 14 March 2022"), else its
    kind ("2022 (period)"), else its short IRI. The labels stay as the source writes them;
    only the display adds to them. Only resources of the same dataset count: an imported
    dataset's "Apple" or "Remedy" (``BASE/import/<name>/…``) leaves the COP's own as they are."""
    name = display_name(graph, node, base, lang)
    if not isinstance(node, URIRef):
        return name
    home = _dataset_of(node, base)
    shared = any(other != node and _dataset_of(other, base) == home
                 for prop in LABEL_PROPERTIES for value in graph.objects(node, prop)
                 if isinstance(value, Literal) and str(value) == name
                 for other in graph.subjects(prop, value))
    if not shared:
        return name
    when = next((format_date(v) for p in _WHEN for v in graph.objects(node, p) if isinstance(v, Literal)), None)
    if when:
        return f"{name} — {when}"
    kinds = sorted({term_name(graph, t, base) for t in graph.objects(node, RDF.type)})
    return f"{name} ({', '.join(kinds)})" if kinds else f"{name} — {short(node, base)}"


def _dataset_of(node: Node, base: str | None) -> str:
    """The imported dataset a resource belongs to (``import/<name>/``), or "" for the COP's own."""
    if base is None or not isinstance(node, URIRef) or not str(node).startswith(base + "import/"):
        return ""
    return str(node)[len(base):].split("/", 2)[1]


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def format_date(value: Literal) -> str | None:
    """A date as people write it, at its own precision; None when the literal is not a date."""
    text = str(value)
    try:
        if value.datatype == XSD.date:
            day = datetime.date.fromisoformat(text[:10])
            return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        if value.datatype == XSD.gYearMonth:
            year, month = text[:7].split("-")
            return f"{MONTHS[int(month) - 1]} {year}"
        if value.datatype == XSD.gYear:
            return text[:4] if not text.startswith("-") else text
        if value.datatype == XSD.dateTime:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"
    except (ValueError, IndexError):
        return None
    return None



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
