"""Citations of the graph's passages, documents and resources in the formats reference
managers read: CSL-JSON, BibTeX and RIS. Pure functions from a plain dictionary of fields
(:class:`Fields`) to text, so each format is written from the same facts and can be tested
without a server; what the fields hold is decided by whoever gathers them from the data
(the explorer's resource URLs, ``cop_graph/web/pages/citation.py``)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

# The kinds of item a citation can be: a document as such, a document the data says is a
# report, and an entry of the dataset (an organisation, a session, a membership …).
KINDS = ("document", "report", "dataset")


class Fields(TypedDict, total=False):
    """What a citation says, as plain values. Only ``key``, ``kind`` and ``title`` are
    required; every other field is left out when the data does not say it."""

    key: str  # the BibTeX key and CSL id: ASCII, stable, from the resource's IRI (citation_key)
    kind: str  # one of KINDS
    title: str
    authors: list[str]  # names as the data gives them (organisations or people), never split
    publisher: str
    issued: str  # ISO 8601 at the data's own precision: "2011", "2022-11" or "2021-11-01"
    url: str  # where the cited text is read: a web address, or a page of the explorer
    accessed: str  # the day the citation was asked for, YYYY-MM-DD
    container: str  # what a dataset entry is part of: the dataset's title
    archive: str  # where the cited copy was read: the dataset's title (passages)
    version: str  # the dataset's version, a digest of its data files
    quote: str  # a passage's exact words
    passage: str  # a passage's own URL
    location: str  # where a passage sits in its document's text ("characters 718\u2013850", an en dash)
    citation: str  # the data's own bibliographic citation (dcterms:bibliographicCitation)
    iri: str  # the resource's IRI, where it differs from ``url``


@dataclass(frozen=True)
class CitationFormat:
    """A citation format: ``name`` is what ``?format=`` takes, ``label`` what a page shows."""

    name: str
    label: str
    media_type: str
    suffix: str  # of the file a browser saves
    write: Callable[[Fields], str]
    aliases: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # other media types taken to mean it


def citation_key(iri: str, base: str) -> str:
    """A key reference managers keep: ``cop-`` and the IRI's path under the base (or the
    whole IRI without its scheme), letters and digits only, runs of others as one hyphen."""
    rest = iri[len(base):] if iri.startswith(base) else re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*:/*", "", iri)
    ascii_text = unicodedata.normalize("NFKD", rest).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    return f"cop-{slug}" if slug else "cop"


def date_parts(iso: str) -> list[int]:
    """``"2022-11"`` → ``[2022, 11]``: a date's parts at its own precision, never padded."""
    match = re.fullmatch(r"(-?\d{4,})(?:-(\d{2})(?:-(\d{2}))?)?", iso)
    if match is None:
        raise ValueError(f"not an ISO 8601 year, year-month or date: {iso!r}")
    return [int(part) for part in match.groups() if part is not None]


def notes(fields: Fields) -> list[str]:
    """The facts no format has a field for, one sentence each: the quote, where the passage
    is, the data's own bibliographic citation, the IRI, and the dataset version it was read in."""
    said = []
    if "quote" in fields:
        said.append(f"Quote: \"{fields['quote']}\"")
    if "passage" in fields:
        where = f" ({fields['location']} of the text)" if "location" in fields else ""
        said.append(f"Passage: {fields['passage']}{where}.")
    if "citation" in fields:
        said.append(fields["citation"])
    if "iri" in fields:
        said.append(f"Identifier: {fields['iri']}.")
    if "version" in fields:
        where = fields.get("archive") or fields.get("container") or "the dataset"
        said.append(f"Read in {where}, dataset version {fields['version']} (a digest of its data files).")
    return said


# --- CSL-JSON ---------------------------------------------------------------------------------

_CSL_TYPES = {"document": "document", "report": "report", "dataset": "dataset"}


def csl_item(fields: Fields) -> dict:
    """One CSL-JSON item (CSL 1.0.2 variables; names as literals, dates as date-parts)."""
    item: dict = {"id": fields["key"], "type": _CSL_TYPES[fields["kind"]], "title": fields["title"]}
    if fields.get("authors"):
        item["author"] = [{"literal": name} for name in fields["authors"]]
    if "issued" in fields:
        item["issued"] = {"date-parts": [date_parts(fields["issued"])]}
    if "container" in fields:
        item["container-title"] = fields["container"]
    if "publisher" in fields:
        item["publisher"] = fields["publisher"]
    if "archive" in fields:
        item["archive"] = fields["archive"]
    if fields["kind"] == "dataset" and "version" in fields:
        item["version"] = fields["version"]
    if "url" in fields:
        item["URL"] = fields["url"]
    if "accessed" in fields:
        item["accessed"] = {"date-parts": [date_parts(fields["accessed"])]}
    said = notes(fields)
    if said:
        item["note"] = "\n".join(said)
    return item


def write_csl_json(fields: Fields) -> str:
    """A CSL-JSON document: an array holding the one item, non-ASCII kept as it is."""
    return json.dumps([csl_item(fields)], ensure_ascii=False, indent=2) + "\n"


# --- BibTeX -----------------------------------------------------------------------------------

_LATEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "$": r"\$",
          "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_SPECIAL = re.compile(r"[\\&%#_$~^{}]")


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def bibtex_escape(text: str) -> str:
    """Text as a BibTeX value reads it back: LaTeX's special characters escaped, non-ASCII
    kept as UTF-8. BibTeX counts braces even after a backslash, so ``{`` and ``}`` are
    written ``\\{`` and ``\\}`` only when they pair up; a lone one as ``$\\lbrace$``."""
    braces = {"{": r"\{", "}": r"\}"} if _balanced(text) else {"{": r"$\lbrace$", "}": r"$\rbrace$"}
    return _SPECIAL.sub(lambda m: braces.get(m.group()) or _LATEX[m.group()], text)


def _bibtex_url(url: str) -> str:
    """A URL as biblatex's verbatim ``url`` field takes it: as it is, but for the characters
    that would end the value (braces) or start a command, percent-encoded."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def write_bibtex(fields: Fields) -> str:
    """One ``@misc`` entry (BibTeX's type for what fits no other; biblatex reads its
    ``url``, ``urldate``, ``version`` and ``date``)."""
    values: list[tuple[str, str]] = [("title", bibtex_escape(fields["title"]))]
    if fields.get("authors"):
        values.append(("author", " and ".join("{" + bibtex_escape(name) + "}" for name in fields["authors"])))
    if "container" in fields:
        values.append(("howpublished", bibtex_escape(fields["container"])))
    if "publisher" in fields:
        values.append(("publisher", bibtex_escape(fields["publisher"])))
    if "issued" in fields:
        parts = date_parts(fields["issued"])
        values.append(("year", str(parts[0])))
        if len(parts) > 1:
            values += [("month", str(parts[1])), ("date", fields["issued"])]
    if fields["kind"] == "dataset" and "version" in fields:
        values.append(("version", bibtex_escape(fields["version"])))
    if "url" in fields:
        values.append(("url", _bibtex_url(fields["url"])))
    if "accessed" in fields:
        values.append(("urldate", fields["accessed"]))
    said = notes(fields)
    if said:
        values.append(("note", bibtex_escape(" ".join(said))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in values)
    return f"@misc{{{fields['key']},\n{body}\n}}\n"


# --- RIS --------------------------------------------------------------------------------------

_RIS_TYPES = {"document": "GEN", "report": "RPRT", "dataset": "DATA"}
RIS_NEWLINE = "\r\n"  # RIS lines end CRLF, the last one too


def _ris_date(iso: str) -> str:
    """RIS's ``YYYY/MM/DD/`` at the date's own precision: ``2022/11//``, never a made-up day."""
    parts = [f"{p:02d}" if i else str(p) for i, p in enumerate(date_parts(iso))]
    return "/".join(parts + [""] * (3 - len(parts))) + "/"


def _ris_line(tag: str, value: str) -> str:
    """A tagged line; RIS has no way to carry a line break inside a value, so each becomes a space."""
    return f"{tag}  - {' '.join(value.splitlines())}"


def write_ris(fields: Fields) -> str:
    """One RIS record: ``TY`` first, ``ER`` last, a note (``N1``) per sentence of :func:`notes`."""
    lines = [_ris_line("TY", _RIS_TYPES[fields["kind"]]), _ris_line("ID", fields["key"]),
             _ris_line("TI", fields["title"])]
    lines += [_ris_line("AU", name) for name in fields.get("authors", [])]
    if "container" in fields:
        lines.append(_ris_line("T2", fields["container"]))
    if "archive" in fields:
        lines.append(_ris_line("DB", fields["archive"]))
    if "publisher" in fields:
        lines.append(_ris_line("PB", fields["publisher"]))
    if "issued" in fields:
        lines.append(_ris_line("PY", str(date_parts(fields["issued"])[0])))
        if len(date_parts(fields["issued"])) > 1:
            lines.append(_ris_line("DA", _ris_date(fields["issued"])))
    if fields["kind"] == "dataset" and "version" in fields:
        lines.append(_ris_line("ET", fields["version"]))
    if "url" in fields:
        lines.append(_ris_line("UR", fields["url"]))
    if "accessed" in fields:
        lines.append(_ris_line("Y2", _ris_date(fields["accessed"])))
    lines += [_ris_line("N1", sentence) for sentence in notes(fields)]
    lines.append("ER  - ")
    return RIS_NEWLINE.join(lines) + RIS_NEWLINE


CITATIONS = (
    CitationFormat("csl-json", "CSL-JSON", "application/vnd.citationstyles.csl+json", ".json", write_csl_json,
                   ("csl",)),
    CitationFormat("bibtex", "BibTeX", "application/x-bibtex", ".bib", write_bibtex, ("bib",), ("text/x-bibtex",)),
    CitationFormat("ris", "RIS", "application/x-research-info-systems", ".ris", write_ris),
)
CITATION_FORMATS: dict[str, CitationFormat] = {c.name: c for c in CITATIONS}
