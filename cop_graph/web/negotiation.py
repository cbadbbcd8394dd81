"""Content negotiation: the tables from media types to our format names, and the choice.

Accept parsing (q-values, wildcards, q=0 exclusions) is werkzeug's; this module only
says which media types each kind of result can be written in.
"""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

from cop_graph.rdf.formats import RESULT_ALIASES, SYNTAXES, TABULAR

# Media type -> format name, read from the one format table. The first entry of each table
# is the default for "*/*" or no Accept header; the text table is for people who ask for it.
_RESULTS = [TABULAR[name] for name in ("json", "xml", "csv", "tsv")]
RESULT_TYPES: dict[str, str] = {
    **{f.media_type: f.name for f in _RESULTS},
    **{also: f.name for f in _RESULTS for also in f.also},
    TABULAR["table"].media_type: "table",
}
GRAPH_TYPES: dict[str, str] = {
    **{s.media_type: s.name for s in SYNTAXES.values()},
    **{also: s.name for s in SYNTAXES.values() for also in s.also},
}
# Explorer pages: HTML, or their JSON twin.
PAGE_TYPES: dict[str, str] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/json": "json",
}
PAGE_NAMES = {"html": "html", "json": "json"}
# Format parameter values (as in ?format=json) for each kind of result.
RESULT_NAMES = {**{name: name for name in TABULAR}, **RESULT_ALIASES}
GRAPH_NAMES = {**{s.name: s.name for s in SYNTAXES.values()},
               **{alias: s.name for s in SYNTAXES.values() for alias in s.aliases}}


def choose(accept: MIMEAccept, table: dict[str, str], names: dict[str, str],
           format_params: list[str] | None = None) -> str | None:
    """The format to write: the first ``format`` parameter (a name or media type) that fits,
    else the Accept header; None when nothing acceptable can be produced."""
    for param in format_params or ():
        wanted = param.strip().lower()
        fits = names.get(wanted) or table.get(wanted.split(";")[0].strip())
        if fits:
            return fits
    accept = _without_parameters(accept)
    if not accept:
        return next(iter(table.values()))
    best = accept.best_match(list(table))
    return table[best] if best else None


def _without_parameters(accept: MIMEAccept) -> MIMEAccept:
    """Accept entries with media-type parameters (charset, profile) match their bare type."""
    return MIMEAccept([(value.split(";")[0].strip(), quality) for value, quality in accept])


def negotiate(accept: MIMEAccept, format_params: list[str] | None = None) -> tuple[str | None, str | None]:
    """The formats for a SELECT/ASK result and for a CONSTRUCT/DESCRIBE graph."""
    return (choose(accept, RESULT_TYPES, RESULT_NAMES, format_params),
            choose(accept, GRAPH_TYPES, GRAPH_NAMES, format_params))


def prefers_html(accept: MIMEAccept) -> bool:
    """A browser: text/html asked for more than any RDF syntax (ties go to RDF, so
    ``*/*`` gets data, not a page)."""
    accept = _without_parameters(accept)
    return bool(accept) and accept.best_match([*GRAPH_TYPES, *RESULT_TYPES, "text/html"]) == "text/html"
