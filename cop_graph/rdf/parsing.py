"""Reading one RDF file into a scratch graph, with errors that name file, line and column.

Files are parsed into a fresh graph first, so a file that fails leaves nothing behind
in the dataset; the caller adds the graph only when the whole file has been read.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import warnings
import xml.sax
import xml.sax.handler
from collections.abc import Iterator
from pathlib import Path

import defusedxml
import defusedxml.sax
import rdflib
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import XSD
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from cop_graph.errors import InputError
from cop_graph.rdf.formats import PARSERS, SYNTAX_TABLE

FORMATS = PARSERS  # file suffix -> rdflib parser
QUAD_FORMATS = {s.rdflib for s in SYNTAX_TABLE if s.quads}
LINE_FORMATS = {"nt", "nquads"}
MAX_LINE = 1_000_000  # characters in one N-Triples or N-Quads line
_LINE_END = re.compile("[\r\n]")

# rdflib logs a traceback for every ill-typed literal; we report them ourselves.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)


def format_for(path: Path) -> str:
    """The rdflib parser name for a file, from its suffix."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise InputError(path, f"unknown RDF file type {path.suffix or '(no suffix)'!r}; "
                               f"known suffixes: {known}") from None


def parse_file(path: Path, fmt: str | None = None, base: str | None = None) -> Graph:
    """Parse one file into a new graph (all of a quad file's graphs merged into it).

    The syntax comes from the suffix unless ``fmt`` (an rdflib parser name) is given; relative
    IRIs resolve against ``base``, by default the file's own location.
    """
    fmt = fmt or format_for(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, "the file is not valid UTF-8", line) from None
    _refuse_fetching(path, data, text, fmt)
    if fmt in LINE_FORMATS:
        _refuse_long_lines(path, text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rdflib warns instead of failing on some bad literals
            graph = _parse_text(text, fmt, path, base)
    except InputError:
        raise
    except BadSyntax as exc:
        raise _bad_syntax(path, exc) from None
    except xml.sax.SAXParseException as exc:
        raise InputError(path, f"RDF/XML syntax error: {exc.getMessage()}",
                         exc.getLineNumber(), exc.getColumnNumber() + 1) from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"JSON syntax error: {exc.msg}", exc.lineno, exc.colno) from None
    except ParserError as exc:
        raise _parser_error(path, text, fmt, exc) from None
    except RecursionError:
        raise InputError(path, "the file nests too deeply to be read") from None
    except Exception as exc:  # rdflib's parsers raise many unrelated types
        raise InputError(path, f"cannot parse as {fmt}: {exc}") from None
    check_terms(graph, path, text)
    return graph


def _refuse_long_lines(path: Path, text: str) -> None:
    """rdflib's N-Triples reader takes time that grows with the square of a line's length (a
    line of 3 MB takes about half a minute), so longer lines are refused, not read for minutes."""
    position = 0
    while len(text) - position > MAX_LINE:
        found = _LINE_END.search(text, position, position + MAX_LINE + 1)  # N-Triples ends lines with CR or LF
        end = found.start() if found else -1
        if end < 0:
            raise InputError(path, f"the line is longer than {MAX_LINE:,} characters, the most cop-graph reads in "
                                   "N-Triples or N-Quads; write the file as Turtle, which has no such limit",
                             text.count("\n", 0, position) + 1)
        position = end + 1


def _refuse_fetching(path: Path, data: bytes, text: str, fmt: str) -> None:
    """Refuse, before rdflib reads them, what would make reading a file fetch or expand
    something else: XML entities (see :func:`refuse_xml_entities`) and JSON-LD contexts named
    by IRI (rdflib fetches them, from the web or from local paths). Contexts written inline in
    the file are read as usual."""
    if fmt == "xml":
        refuse_xml_entities(path, data)
    elif fmt == "json-ld":
        try:
            document = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            return  # reported where the file is read
        named = _named_context(document)
        if named is not None:
            raise InputError(path, f"the file names a JSON-LD context to fetch ({named}); cop-graph reads only "
                                   "contexts written in the file itself", _line_of(text, named))


def refuse_xml_entities(path: Path, data: bytes | None = None) -> None:
    """Refuse XML that declares entities or refers to external ones, whichever parser reads it
    next: an entity expanding into entities takes minutes from a 1 KB file, and an external
    one reads local files or the network. Without ``data`` the file is read as a stream
    (a large file read by Oxigraph's own parser is never held in memory)."""
    try:
        if data is None:
            defusedxml.sax.parse(str(path), xml.sax.handler.ContentHandler(), forbid_entities=True,
                                 forbid_external=True)
        else:
            defusedxml.sax.parseString(data, xml.sax.handler.ContentHandler(), forbid_entities=True,
                                       forbid_external=True)
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as exc:
        named = f" {exc.name!r}" if getattr(exc, "name", None) else ""
        line = _entity_line(path, data)
        raise InputError(path, f"the file declares the XML entity{named}; cop-graph does not read XML entities, "
                               "which can expand without bound or read other files", line) from None
    except xml.sax.SAXParseException:
        pass  # a syntax error: the RDF/XML reader reports it with its position


def _entity_line(path: Path, data: bytes | None) -> int | None:
    """The line of the first entity declaration, in ``data`` or else in the file."""
    if data is not None:
        found = data.find(b"<!ENTITY")
        return data.count(b"\n", 0, found) + 1 if found >= 0 else None
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, 1):
            if b"<!ENTITY" in line:
                return number
    return None


def _named_context(document: object) -> str | None:
    """The first context (``@context`` or ``@import``) given by reference rather than inline."""
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key in ("@context", "@import"):
                value = item.get(key)
                for reference in value if isinstance(value, list) else [value]:
                    if isinstance(reference, str):
                        return reference
            stack.extend(item.values())
    return None


@contextlib.contextmanager
def _as_written() -> Iterator[None]:
    """Literals keep the lexical form their file gives them: rdflib would rewrite it from the
    value ("2006-08-23Z"^^xsd:date read as "2006-08-23", losing the time zone; "yes"^^xsd:boolean
    as "false"), and the graph would no longer say what its files say."""
    with _NORMALIZING:
        before, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
        try:
            yield
        finally:
            rdflib.NORMALIZE_LITERALS = before


_NORMALIZING = threading.Lock()  # rdflib's switch is global: one parse at a time changes it


def _parse_text(text: str, fmt: str, path: Path, base: str | None = None) -> Graph:
    if fmt == "xml":  # RDF/XML's parseType="Literal" is defined as canonical XML, which rdflib writes
        return _parse_as_written(text, fmt, path, base)
    with _as_written():
        return _parse_as_written(text, fmt, path, base)


def _parse_as_written(text: str, fmt: str, path: Path, base: str | None = None) -> Graph:
    base = base or path.resolve().as_uri()
    if fmt in QUAD_FORMATS:
        scratch = Dataset()
        scratch.parse(data=text, format=fmt, publicID=base)
        graph = Graph()
        for s, p, o, _ in scratch.quads((None, None, None, None)):
            graph.add((s, p, o))
        for prefix, namespace in scratch.namespaces():
            graph.bind(prefix, namespace, override=False)
        return graph
    graph = Graph()
    graph.parse(data=text, format=fmt, publicID=base)
    return graph


def _bad_syntax(path: Path, exc: BadSyntax) -> InputError:
    source = exc._str.decode("utf-8", "replace") if isinstance(exc._str, bytes) else exc._str
    index = min(exc._i, len(source))
    line = source.count("\n", 0, index) + 1
    column = index - (source.rfind("\n", 0, index) + 1) + 1
    return InputError(path, f"Turtle syntax error: {exc._why}", line, column)


_POSITIONED = re.compile(r"^\S*:(\d+):(\d+): (.*)$", re.DOTALL)


def _parser_error(path: Path, text: str, fmt: str, exc: ParserError) -> InputError:
    """rdflib's ParserError carries a position only in its text, if at all."""
    message = str(exc.msg).strip()
    positioned = _POSITIONED.match(message)
    if positioned:
        return InputError(path, f"syntax error: {positioned[3]}", int(positioned[1]), int(positioned[2]) + 1)
    line = _first_bad_line(text, fmt) if fmt in ("nt", "nquads") else None
    if not message or message.endswith(":"):
        message += " the line is not a complete statement (is the final '.' missing?)"
    return InputError(path, f"syntax error: {message.strip()}", line)


def _first_bad_line(text: str, fmt: str) -> int | None:
    """N-Triples errors carry no position: find the first line that fails alone."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            _parse_text(line + "\n", fmt, Path("line"))
        except Exception:
            return number
    return None


# Lexical forms rdflib does not check itself (XML Schema 1.1, part 2).
_TIMEZONE = r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
LEXICAL_FORMS = {
    XSD.gYear: re.compile(_YEAR + _TIMEZONE),
    XSD.gYearMonth: re.compile(_YEAR + r"-(0[1-9]|1[0-2])" + _TIMEZONE),
    XSD.gMonth: re.compile(r"--(0[1-9]|1[0-2])" + _TIMEZONE),
    XSD.gMonthDay: re.compile(r"--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])" + _TIMEZONE),
    XSD.gDay: re.compile(r"---(0[1-9]|[12][0-9]|3[01])" + _TIMEZONE),
    XSD.boolean: re.compile(r"true|false|1|0"),
}
# Characters RDF 1.1 forbids in an IRI; rdflib's parsers let some of them through.
# Characters an IRI cannot hold (RFC 3987), whatever a parser let through.
BAD_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')


def check_terms(graph: Graph, path: Path, text: str) -> None:
    """Refuse what is not RDF, which rdflib's parsers accept: IRIs with forbidden characters,
    literals as subjects, lone surrogates. An ill-typed literal ("2022-02-30"^^xsd:date) is
    RDF and is loaded as written (``cop-graph validate`` reports it)."""
    for triple in graph:
        subject, predicate, _ = triple
        if isinstance(subject, Literal) or not isinstance(predicate, URIRef):
            raise _misplaced(path, text, subject, predicate)
        for term in triple:
            if isinstance(term, Literal) and _SURROGATE.search(term):
                raise InputError(path, "a literal holds a lone surrogate code point (such as \\uD800), which is not "
                                       "Unicode text", _line_of_surrogate(text))
            if isinstance(term, URIRef) and _SURROGATE.search(term):
                raise InputError(path, "an IRI holds a lone surrogate code point (such as \\uD800), which is not "
                                       "Unicode text", _line_of_surrogate(text))
            if isinstance(term, URIRef) and BAD_IRI.search(term):
                line = _line_of(text, str(term)) or _line_of(text, str(term).rsplit("/", 1)[-1])
                raise InputError(path, f"invalid IRI <{term}>: IRIs cannot contain spaces or <>\"{{}}|\\^`", line)


def _misplaced(path: Path, text: str, subject: Node, predicate: Node) -> InputError:
    """rdflib's Turtle reader is an N3 reader and lets literals be subjects and blank nodes or
    literals be predicates; RDF allows neither."""
    if isinstance(subject, Literal):
        return InputError(path, f"a literal ({subject.n3()}) cannot be the subject of a statement",
                          _line_of(text, f'"{subject}') or _line_of(text, str(subject)))
    return InputError(path, f"the predicate {predicate.n3()} is not an IRI; a predicate must be one")


def _bad_literal(graph: Graph, path: Path, text: str, term: Literal) -> InputError:
    datatype = graph.namespace_manager.normalizeUri(term.datatype)
    if term.datatype == XSD.boolean:  # rdflib has already replaced the bad lexical form
        return InputError(path, f"invalid {datatype} literal: it must be true, false, 1 or 0")
    line = _line_of(text, f'"{term}"') or _line_of(text, str(term))
    return InputError(path, f'invalid literal "{term}"^^{datatype}: not a valid {datatype} value', line)


def ill_typed(term: Literal) -> bool:
    """A literal whose lexical form its datatype does not allow: rdflib's check, and ours
    (:data:`LEXICAL_FORMS`) for the types rdflib takes as written (gYear, gYearMonth, …)."""
    form = LEXICAL_FORMS.get(term.datatype)
    return bool(term.ill_typed) or (form is not None and not form.fullmatch(str(term)))


_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F][0-9a-fA-F]{2}")


def _line_of_surrogate(text: str) -> int | None:
    """Where the file writes a surrogate, as an escape (the usual way) or raw."""
    match = _ESCAPED_SURROGATE.search(text) or _SURROGATE.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return None if index < 0 else text.count("\n", 0, index) + 1

