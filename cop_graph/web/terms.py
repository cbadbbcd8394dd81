"""Classes, properties and datatypes named for people in every template (the ``term``
filter): "company" for ``schema:Corporation``, "start date" for ``schema:startDate``. The
prefixed names stay for linked-data users, in code elements and disclosures."""

from __future__ import annotations

from flask import current_app
from rdflib import URIRef

from cop_graph.rdf.labels import term_name
from cop_graph.rdf.namespaces import PREFIXES
from cop_graph.store.dataset import CopDataset


def term_label(term: str) -> str:
    """A term's name for people, given as a prefixed name (``org:Membership``), ``<IRI>``
    or a full IRI; text that names no term comes back as it is."""
    loaded: CopDataset = current_app.extensions["cop_dataset"]
    return loaded.memo("term name", term, build=lambda: _name(loaded, term), keep=1024)


def _name(loaded: CopDataset, term: str) -> str:
    iri = _expand(term, loaded.config.base)
    return term_name(loaded.dataset, URIRef(iri), loaded.config.base) if iri else term


def _expand(term: str, base: str) -> str | None:
    if term.startswith("<") and term.endswith(">"):
        inner = term[1:-1]
        return inner if ":" in inner else base + inner
    prefix, colon, local = term.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return str(PREFIXES[prefix]) + local
    if term.startswith(("http://", "https://", "urn:")):
        return term
    return None


def capitalised(text: str) -> str:
    """A heading made from a label: its first letter upper case ("company" → "Company")."""
    return text[:1].upper() + text[1:]
