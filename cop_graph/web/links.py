"""Where each resource's page lives: IRIs under the base at their own path, others at
``/resource?iri=…``. Every template and JSON twin links through here."""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app, url_for

# First path segments the app itself uses; an IRI under the base that starts with one of
# them is served at /resource?iri=… so it never shadows a page.
RESERVED = frozenset({"", "static", "sparql", "queries", "network", "search", "topics", "timeline", "classes",
                      "resource", "documents", "index.json", ".json", "-"})
# Suffixes that ask for a format (``/org/apple.ttl``); IRIs ending in one are served at /resource.
SUFFIXES = {".json": "json", ".ttl": "turtle", ".jsonld": "jsonld", ".nt": "nt", ".rdf": "xml"}


def local_path(iri: str, base: str) -> str | None:
    """The path (without the leading slash) an IRI is served at, or None if it needs /resource."""
    if not iri.startswith(base) or len(iri) == len(base):
        return None
    path = iri[len(base):]
    if any(ch in path for ch in "?#%\\") or path.split("/")[0] in RESERVED or path.endswith("/"):
        return None
    if "//" in path or any(part in (".", "..") for part in path.split("/")):
        return None
    if any(path.endswith(suffix) for suffix in SUFFIXES):
        return None
    return path


def resource_url(iri: str, suffix: str = "") -> str:
    """The URL of a resource's page (``suffix`` such as ``.ttl`` asks for one format)."""
    path = local_path(str(iri), current_app.config["COP"].base)
    if path is not None:
        return "/" + quote(path, safe="/:@!$&'()*+,;=-._~") + suffix
    return url_for("resources.outside", iri=str(iri), format=SUFFIXES.get(suffix) or None)
