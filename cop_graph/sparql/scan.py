"""What a query's text says before any engine reads it: its form, whether it is an update,
the graphs its FROM clauses name, its SERVICE clauses and how deeply it nests.

Oxigraph parses and evaluates the query; these facts come from a lexical scan (comments,
strings and IRIs told apart from the rest, nothing more), which costs microseconds on the
queries people write. The scan of the whole text runs only when a cheap test says it may
matter: a FROM, a SERVICE, or enough brackets to nest too deeply.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

from cop_graph.errors import QueryError

MAX_NESTING = 200  # brackets inside brackets: far beyond any real query, well inside the parser's stack
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

_PROLOGUE = re.compile(r"""(?:\s+|\#[^\n\r]*|BASE\s*<[^>\s]*>|PREFIX\s+[^\s:]*:\s*<[^>\s]*>)*""", re.I)
_FIRST_WORD = re.compile(r"[A-Za-z]+")
_TOKEN = re.compile(r'''
    (?P<comment>\#[^\n\r]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<var>[?$][\w\u00B7-\uFFFF]+)
  | (?P<open>[({\[])
  | (?P<close>[)}\]])
  | (?P<word>[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*(?::[\w.\-:%\\\u00B7-\uFFFF]*)?|:[\w.\-:%\\\u00B7-\uFFFF]*)
''', re.X)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_HAS_FROM = re.compile(r"\bFROM\b", re.I)
_HAS_SERVICE = re.compile(r"\bSERVICE\b", re.I)
_SERVICE_CLAUSE = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?(?:<|[?$]|[\w.-]*:)", re.I)  # one written out in a string

# The graphs a query chose: (FROM IRIs, FROM NAMED IRIs).
Chosen = tuple[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Service:
    """One SERVICE clause: its target as written, the IRI it names (None for a variable
    or a name that cannot be resolved), SILENT, and where the clause and its group sit."""

    target: str
    iri: str | None
    silent: bool
    start: int  # the SERVICE keyword
    group: tuple[int, int]  # the braces of its pattern, both included


@dataclass(frozen=True)
class Scanned:
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE; None when the text starts otherwise
    update: bool
    dataset: Chosen | None  # (FROM, FROM NAMED) IRIs, or None: no FROM
    services: tuple[Service, ...] = ()
    prologue: str = ""  # the BASE and PREFIX declarations, for sending a part of the query elsewhere
    in_text: tuple[str, ...] = field(default=())  # SERVICE written inside a string or comment


def scan(text: str) -> Scanned:
    """The facts above, or a :class:`QueryError` for a query nested too deeply to read."""
    head = _PROLOGUE.match(text)
    word = _FIRST_WORD.match(text, head.end())
    first = word.group().upper() if word else ""
    form = first if first in FORMS else None
    update = first in UPDATES
    has_from, has_service = bool(_HAS_FROM.search(text)), bool(_HAS_SERVICE.search(text))
    if not has_from and not has_service and _brackets(text) <= MAX_NESTING:
        return Scanned(form, update, None, prologue=text[:head.end()])
    tokens = list(_tokens(text))
    _check_nesting(tokens)
    prefixes, base = _declarations(tokens)
    dataset = _dataset(tokens, prefixes, base) if has_from else None
    services, in_text = _services(tokens, prefixes, base) if has_service else ((), ())
    return Scanned(form, update, dataset, services, text[:head.end()], in_text)


def _brackets(text: str) -> int:
    return text.count("(") + text.count("{") + text.count("[")


def _tokens(text: str) -> Iterator[Token]:
    for match in _TOKEN.finditer(text):
        yield Token(match.lastgroup or "", match.group(), match.start(), match.end())


def _check_nesting(tokens: list[Token]) -> None:
    depth = 0
    for token in tokens:
        if token.kind == "open":
            depth += 1
            if depth > MAX_NESTING:
                raise QueryError(f"the query nests too deeply (more than {MAX_NESTING} brackets inside each other)")
        elif token.kind == "close":
            depth -= 1


def _declarations(tokens: list[Token]) -> tuple[dict[str, str], str]:
    prefixes: dict[str, str] = {}
    base = ""
    for index, token in enumerate(tokens[:-1]):
        word = token.text.upper() if token.kind == "word" else ""
        if word == "PREFIX" and index + 2 < len(tokens) and tokens[index + 2].kind == "iri":
            prefixes[tokens[index + 1].text.rstrip(":")] = _resolve(tokens[index + 2].text[1:-1], base)
        elif word == "BASE" and tokens[index + 1].kind == "iri":
            base = _resolve(tokens[index + 1].text[1:-1], base)
    return prefixes, base


def _term_iri(token: Token, prefixes: dict[str, str], base: str) -> str | None:
    """The IRI an IRI or prefixed-name token stands for; None for anything else."""
    if token.kind == "iri":
        return _resolve(token.text[1:-1], base)
    if token.kind == "word" and ":" in token.text:
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + _unescape(local.replace("\\", ""))
    return None


def _dataset(tokens: list[Token], prefixes: dict[str, str], base: str) -> Chosen | None:
    default: list[str] = []
    named: list[str] = []
    found = False
    for index, token in enumerate(tokens):
        if token.kind != "word" or token.text.upper() != "FROM":
            continue
        found = True
        rest = tokens[index + 1:index + 3]
        is_named = bool(rest) and rest[0].kind == "word" and rest[0].text.upper() == "NAMED"
        target = rest[1] if is_named and len(rest) > 1 else (rest[0] if rest else None)
        iri = _term_iri(target, prefixes, base) if target is not None else None
        if iri is not None:
            (named if is_named else default).append(iri)
    return (tuple(default), tuple(named)) if found else None


def _services(tokens: list[Token], prefixes: dict[str, str], base: str) -> tuple[tuple[Service, ...], tuple[str, ...]]:
    services = []
    for index, token in enumerate(tokens):
        if token.kind != "word" or token.text.upper() != "SERVICE":
            continue
        at = index + 1
        silent = at < len(tokens) and tokens[at].kind == "word" and tokens[at].text.upper() == "SILENT"
        at += silent
        if at >= len(tokens):
            continue
        target = tokens[at]
        services.append(Service(target.text, _term_iri(target, prefixes, base), silent, token.start,
                                _group(tokens, at + 1)))
    in_text = tuple(t.text for t in tokens if t.kind in ("string", "comment") and _SERVICE_CLAUSE.search(t.text))
    return tuple(services), in_text


def _group(tokens: list[Token], at: int) -> tuple[int, int]:
    """Where the group starting at token ``at`` opens and closes (-1, -1 if it does not)."""
    if at >= len(tokens) or tokens[at].text != "{":
        return -1, -1
    depth = 0
    for token in tokens[at:]:
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            depth -= 1
            if depth == 0:
                return tokens[at].start, token.end
    return -1, -1


def _resolve(iri: str, base: str) -> str:
    iri = _unescape(iri)
    return urljoin(base, iri) if base and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri) else iri


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text) if "\\" in text else text
