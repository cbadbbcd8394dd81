"""``cop-graph generate``: the synthetic graph of ``synthetic.py`` written to a file.

The triples go to the file as they are generated, so memory stays flat at any size;
rdflib's Turtle serialiser would need the whole graph in memory and slows down faster than
the graph grows (44 s for 100,000 triples, 164 s for 200,000 on a 2-core machine). N-Triples
is one triple a line. Turtle declares our prefixes and the base, then writes one block per
run of triples about the same subject. Both parse back to the same graph.

The file is written atomically (``files.py``) and checked before it replaces anything: its
size is what was written, and its first and its last statements (about ``SAMPLE`` triples
each) parse back to exactly the triples generated there. That proves the file complete and
well-formed at both ends for the cost of parsing twice ``SAMPLE`` triples at any size; it is
not a full re-parse (``cop-graph validate --data FILE`` is).
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from cop_graph.config import CANONICAL_BASE
from cop_graph.errors import OutputError, ParameterError
from cop_graph.files import write_atomically
from cop_graph.publish import synthetic
from cop_graph.publish.synthetic import Triple
from cop_graph.rdf.namespaces import PREFIXES

FORMATS = ("turtle", "nt")
# Below 1,000 triples the graph cannot have its shape (40 topics, a collaboration of at least
# 12 companies over two years); 10^7 triples take about a minute and 1.5 GB on disk as
# N-Triples, and need about 11 GB of memory to load with rdflib (README, "generate").
LIMITS = (1_000, 10_000_000)
SAMPLE = 1_000  # triples checked at each end of the written file
PROGRESS_STEP = 10_000  # triples between two progress reports

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Generated:
    """What was written: triples, the graph's shape, and the file's size in bytes."""

    triples: int
    years: int
    collaborations: int
    companies: int
    size: int


def write_synthetic(target: int, output: Path, seed: int = 0, fmt: str = "turtle",
                    progress: Progress | None = None) -> Generated:
    """Write about ``target`` triples of synthetic COP data to ``output``, the same bytes for
    the same target, seed and format. ``progress`` is told how many triples were added."""
    if not LIMITS[0] <= target <= LIMITS[1]:
        raise ParameterError(f"the size must be between {LIMITS[0]:,} and {LIMITS[1]:,} triples, not {target:,}")
    if fmt not in FORMATS:
        raise ParameterError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if output.is_dir():
        raise OutputError(f"{output} is a folder; name the file to write")
    header = f"# Synthetic COP-shaped data, not real: cop-graph generate --triples {target} --seed {seed}\n"
    writer = _Writer(fmt, header + (_turtle_prologue() if fmt == "turtle" else ""), progress)
    size = write_atomically(output, lambda path: writer.write(path, synthetic.triples(target, seed)), writer.check)
    return Generated(writer.triples, *synthetic.shape(target), size)


class _Writer:
    """Writes the triples block by block (a block: consecutive triples about one subject) and
    keeps the first and the last ``SAMPLE`` of them, with where they lie, for the check."""

    def __init__(self, fmt: str, header: str, progress: Progress | None) -> None:
        self.fmt = fmt
        self.render = _turtle_block if fmt == "turtle" else _nt_block
        self.header = header.encode("utf-8")
        self.progress = progress or (lambda _: None)
        self.triples = self.size = 0
        self.head: list[Triple] = []
        self.head_end = 0
        self.tail: deque[tuple[int, list[Triple]]] = deque()  # (offset, block), the last ones
        self.tail_triples = 0

    def write(self, path: Path, triples: Iterable[Triple]) -> None:
        reported = 0
        with open(path, "wb", buffering=1 << 20) as out:
            out.write(self.header)
            self.size = len(self.header)
            for _, group in itertools.groupby(triples, key=lambda t: t[0]):
                block = list(group)
                data = self.render(block).encode("utf-8")
                out.write(data)
                self._remember(block, len(data))
                if self.triples - reported >= PROGRESS_STEP:
                    self.progress(self.triples - reported)
                    reported = self.triples
        self.progress(self.triples - reported)

    def _remember(self, block: list[Triple], length: int) -> None:
        if len(self.head) < SAMPLE:
            self.head.extend(block)
            self.head_end = self.size + length
        self.tail.append((self.size, block))
        self.tail_triples += len(block)
        while self.tail_triples - len(self.tail[0][1]) >= SAMPLE:
            self.tail_triples -= len(self.tail.popleft()[1])
        self.triples += len(block)
        self.size += length

    def check(self, path: Path) -> None:
        """Refuse the file unless its size and both ends are what was written."""
        if path.stat().st_size != self.size:
            raise OutputError(f"the file has {path.stat().st_size:,} bytes where {self.size:,} were written")
        with open(path, "rb") as handle:
            head = handle.read(self.head_end)
            handle.seek(self.tail[0][0])
            tail = self.header + handle.read()
        last = [triple for _, block in self.tail for triple in block]
        for text, expected, where in ((head, self.head, "first"), (tail, last, "last")):
            if _parsed(text, self.fmt) != set(expected):
                raise OutputError(f"the file's {where} statements do not read back as written")


def _parsed(text: bytes, fmt: str) -> set[Triple]:
    try:
        return set(Graph().parse(data=text.decode("utf-8"), format=fmt))
    except Exception as exc:  # any parser error means the file is not what was meant
        raise OutputError(f"the written file does not parse as {fmt}: {exc}") from None


def _nt_block(block: list[Triple]) -> str:
    return "".join(f"{s.n3()} {p.n3()} {_literal(o, _full) if isinstance(o, Literal) else o.n3()} .\n"
                   for s, p, o in block)


def _turtle_block(block: list[Triple]) -> str:
    subject = _turtle_term(block[0][0])
    pairs = " ;\n    ".join(f"{'a' if p == RDF.type else _short(p)} {_turtle_term(o)}" for _, p, o in block)
    return f"{subject} {pairs} .\n\n"


def _turtle_term(term: object) -> str:
    if isinstance(term, Literal):
        return _literal(term, _short)
    if isinstance(term, URIRef):
        return _short(term)
    return term.n3()  # a blank node


def _literal(literal: Literal, iri: Callable[[str], str]) -> str:
    """A literal in the syntax Turtle and N-Triples share: a JSON string's escapes (quote,
    backslash, newline, \\u and four hex digits) are theirs too, and unlike ``Literal.n3()``
    it never writes a string with line breaks in triple quotes, which N-Triples does not have."""
    text = json.dumps(str(literal), ensure_ascii=False)
    if literal.language:
        return f"{text}@{literal.language}"
    return f"{text}^^{iri(literal.datatype)}" if literal.datatype else text


def _full(iri: str) -> str:
    return URIRef(iri).n3()


_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_RELATIVE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\Z")  # no ':', no '.' segment
_NAMESPACES = sorted(((str(ns), prefix) for prefix, ns in PREFIXES.items()), key=lambda p: -len(p[0]))


@functools.lru_cache(maxsize=1 << 16)
def _short(iri: str) -> str:
    """An IRI as a prefixed name, else relative to the base, else in full."""
    for namespace, prefix in _NAMESPACES:
        if iri.startswith(namespace) and _LOCAL_NAME.match(iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    if iri.startswith(CANONICAL_BASE) and _RELATIVE.match(iri[len(CANONICAL_BASE):]):
        return f"<{iri[len(CANONICAL_BASE):]}>"
    return _full(iri)


def _turtle_prologue() -> str:
    width = len("@prefix : ") + max(len(prefix) for prefix in PREFIXES)
    lines = [f"{'@base':<{width}}<{CANONICAL_BASE}> ."]
    lines += [f"{f'@prefix {prefix}:':<{width}}<{ns}> ." for prefix, ns in PREFIXES.items()]
    return "\n".join(lines) + "\n\n"
