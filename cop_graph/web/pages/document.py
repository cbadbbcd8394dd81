"""A source document's text as a reader sees it: its paragraphs, lists and headings with
their emphasis and link texts rendered (the text is stored with the light Markdown of its
source), each quoted passage marked where it sits, linkable, and followed by the resources
it supports; and a contents list of the passages named by their own words.

Passages are character ranges of the stored text (``oa:TextPositionSelector``), so the text
is cut by offsets in the stored text, never re-parsed from the rendered form."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from cop_graph.rdf.labels import distinct_name
from cop_graph.sparql.evaluate import select
from cop_graph.store.dataset import CopDataset
from cop_graph.web.pages.values import Link

_BLOCKS = re.compile(r"\n[ \t]*\n")
_ITEM = re.compile(r"^[ \t]*[-*][ \t]+", re.M)
_INLINE = re.compile(r"\*\*(?P<strong>.+?)\*\*|\*(?P<em>[^*\n]+?)\*|\[(?P<link>[^\]\n]+)\]\([^)\n]*\)")
NAME_WORDS = 9  # words of a passage's own text that name it in the contents


@dataclass(frozen=True)
class Piece:
    """A run of text with one style; inside a passage, its anchor (on the passage's first
    piece only, ``first``), and after its last piece the resources it supports."""

    text: str
    style: str = ""  # "", "em", "strong" or "link" (a link text whose target the source does not give)
    passage: str | None = None
    anchor: str | None = None
    first: bool = False
    last: bool = False
    url: str | None = None
    supports: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph" or "list"
    pieces: list[Piece] = field(default_factory=list)
    items: list[list[Piece]] = field(default_factory=list)  # a list's items


@dataclass(frozen=True)
class Entry:
    """One passage in the contents: named by its first words, linked to its mark."""

    anchor: str
    name: str
    supports: list[dict]


@dataclass(frozen=True)
class DocumentText:
    blocks: list[Block]
    contents: list[Entry]
    raw: str  # the text as stored, shown behind a disclosure


def anchor(passage_iri: str) -> str:
    """The HTML id of a passage within its document's page."""
    return "passage-" + re.sub(r"[^A-Za-z0-9_-]+", "-", passage_iri.rsplit("/", 1)[-1]).strip("-")


def document_text(loaded: CopDataset, iri: str, link: Link) -> DocumentText | None:
    """The document's text, or None for a document whose text the graph does not hold."""
    rows = select(loaded, "document-passages", document=iri)
    text = next((str(r["text"]) for r in rows if "text" in r), None)
    if text is None:
        return None
    spans: dict[str, dict] = {}
    for row in rows:
        if "passage" not in row:
            continue
        span = spans.setdefault(str(row["passage"]), {"passage": str(row["passage"]), "start": int(row["start"]),
                                                      "end": int(row["end"]), "supports": []})
        if "resource" in row and str(row["resource"]) != iri:
            span["supports"].append({"iri": str(row["resource"]), "url": link(str(row["resource"])),
                                     "label": distinct_name(loaded.dataset, row["resource"], loaded.config.base)})
    marked, at = [], 0
    for span in sorted(spans.values(), key=lambda s: (s["start"], -s["end"])):
        if span["start"] < at or span["end"] > len(text):  # overlapping passages: the earlier one is marked
            continue
        span["supports"].sort(key=lambda s: s["label"].casefold())
        span["url"] = link(span["passage"])
        marked.append(span)
        at = span["end"]
    contents = [Entry(anchor(s["passage"]), _name(text[s["start"]:s["end"]]), s["supports"]) for s in marked]
    return DocumentText(_ends_marked(_blocks(text, marked)), contents, text)


def _name(quote: str) -> str:
    words = _INLINE.sub(lambda m: m.group("strong") or m.group("em") or m.group("link"), quote).split()
    return " ".join(words[:NAME_WORDS]) + (" …" if len(words) > NAME_WORDS else "")


def _blocks(text: str, spans: list[dict]) -> list[Block]:
    blocks, start = [], 0
    for separator in [*_BLOCKS.finditer(text), None]:
        end = separator.start() if separator else len(text)
        block = _block(text, start, end, spans)
        if block is not None:
            blocks.append(block)
        start = separator.end() if separator else end
    return blocks


def _block(text: str, start: int, end: int, spans: list[dict]) -> Block | None:
    chunk = text[start:end]
    if not chunk.strip():
        return None
    items = list(_ITEM.finditer(chunk))
    if items and items[0].start() == 0:
        ends = [start + m.start() for m in items[1:]] + [end]
        return Block("list", items=[_pieces(text, start + m.end(), _trimmed(text, start + m.end(), e), spans)
                                    for m, e in zip(items, ends, strict=True)])
    if "\n" not in chunk.strip() and chunk.strip().isupper() and len(chunk.strip()) < 80:
        return Block("heading", _pieces(text, start, end, spans))
    return Block("paragraph", _pieces(text, start, end, spans))


def _trimmed(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in "\n \t":
        end -= 1
    return end


def _pieces(text: str, start: int, end: int, spans: list[dict]) -> list[Piece]:
    """The styled runs of ``text[start:end]`` (markup characters left out), cut where
    passages begin and end."""
    runs, at = [], start
    for match in _INLINE.finditer(text, start, end):
        if match.start() > at:
            runs.append((at, match.start(), ""))
        style = next(name for name in ("strong", "em", "link") if match.group(name) is not None)
        runs.append((match.start(style), match.end(style), style))
        at = match.end()
    if at < end:
        runs.append((at, end, ""))
    pieces = []
    for run_start, run_end, style in runs:
        cuts = sorted({run_start, run_end, *(p for s in spans for p in (s["start"], s["end"])
                                             if run_start < p < run_end)})
        for a, b in itertools.pairwise(cuts):
            span = next((s for s in spans if s["start"] <= a and b <= s["end"]), None)
            if span is None:
                pieces.append(Piece(text[a:b], style))
            else:
                pieces.append(Piece(text[a:b], style, span["passage"], anchor(span["passage"]), url=span["url"],
                                    supports=span["supports"]))
    return pieces


def _ends_marked(blocks: list[Block]) -> list[Block]:
    """Each passage's first piece carries its anchor, its last the links after it."""
    every = [piece for b in blocks for pieces in ([b.pieces, *b.items]) for piece in pieces]
    first = {p.passage: id(p) for p in reversed(every) if p.passage}
    last = {p.passage: id(p) for p in every if p.passage}

    def marked(pieces: list[Piece]) -> list[Piece]:
        return [replace(p, first=id(p) == first.get(p.passage), last=id(p) == last.get(p.passage))
                if p.passage else p for p in pieces]

    return [Block(b.kind, marked(b.pieces), [marked(i) for i in b.items]) for b in blocks]
