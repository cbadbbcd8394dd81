"""Where each resource's page lives: IRIs under the base at their own path, others at
``/resource?iri=…``. Every template and JSON twin links through here."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Flask, current_app, url_for

from cop_graph.errors import ParameterError
from cop_graph.rdf.formats import RESOURCE_SYNTAXES
from cop_graph.rdf.parsing import BAD_IRI

# Suffixes that ask for a format (``/org/apple.ttl``); IRIs ending in one are served at /resource.
SUFFIXES = {".json": "json", **{s.suffixes[0]: s.name for s in RESOURCE_SYNTAXES}}


def reserved_segments(app: Flask) -> frozenset[str]:
    """The first path segments the app's own routes use (``sparql``, ``search``, ``index``…),
    read from its URL map once: an IRI under the base starting with one of them is served at
    /resource?iri=… so it never shadows a page."""
    found = app.extensions.get("cop_reserved_segments")
    if found is None:
        segments = {""}
        for rule in app.url_map.iter_rules():
            first = rule.rule.lstrip("/").split("/")[0].split("<")[0]
            if first:
                segments |= {first, first.removesuffix(".json")}
        found = app.extensions["cop_reserved_segments"] = frozenset(segments)
    return found


def local_path(iri: str, base: str, reserved: frozenset[str]) -> str | None:
    """The path (without the leading slash) an IRI is served at, or None if it needs /resource."""
    if not iri.startswith(base) or len(iri) == len(base):
        return None
    path = iri[len(base):]
    first = path.split("/")[0]
    if any(ch in path for ch in "?#%\\") or first in reserved or first.split(".")[0] in reserved \
            or path.endswith("/"):
        return None
    if "//" in path or any(part in (".", "..") for part in path.split("/")):
        return None
    if any(path.endswith(suffix) for suffix in SUFFIXES):
        return None
    return path


def resource_url(iri: str, suffix: str = "") -> str:
    """The URL of a resource's page (``suffix`` such as ``.ttl`` asks for one format)."""
    path = local_path(str(iri), current_app.config["COP"].base, reserved_segments(current_app))
    if path is not None:
        return "/" + quote(path, safe="/:@!$&'()*+,;=-._~") + suffix
    return url_for("resources.outside", iri=str(iri), format=SUFFIXES.get(suffix) or None)


def checked_iri(value: str, name: str) -> str:
    """A request parameter that must be an absolute IRI, or a 400 naming the parameter."""
    if not value:
        raise ParameterError(f"give parameter {name!r} as an absolute IRI, e.g. https://w3id.org/b-tech-cop/org/apple")
    if BAD_IRI.search(value) or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise ParameterError(f"parameter {name!r} must be an absolute IRI without spaces, control characters "
                             f"or <>\"{{}}|\\^`; got {value[:100]!r}")
    return value
