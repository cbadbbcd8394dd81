"""The named-query library: the ``.rq`` files, their headers and typed parameters.

Every ``.rq`` file under ``queries/`` opens with a comment header::

    # title: Members in a year
    # description: The companies that were members of the COP in a given year.
    # param: year (xsd:gYear, default 2022) The year to list.

Parameters are checked against their declared type and bound as RDF terms; they are
never spliced into the query text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from cop_graph.errors import ParameterError, QueryError, UnknownQueryError
from cop_graph.sparql.prepare import prepare, query_form, service_iris
from cop_graph.store.dataset import CopDataset
from cop_graph.store.engine import check_syntax

_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*)$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*\((?P<type>[\w:]+)"
                    r"(?:\s*,\s*default\s+(?P<default>[^)]*))?\)\s*(?P<help>.*)$")
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None
    description: str

    def bind(self, raw: str, base: str) -> Node:
        """The RDF term for a raw value, or a :class:`ParameterError` saying what is wrong."""
        check = _TYPES.get(self.type)
        if check is None:
            raise ParameterError(f"parameter {self.name!r} has an unknown type {self.type!r}")
        try:
            return check(raw.strip(), base)
        except ValueError as exc:
            raise ParameterError(f"parameter {self.name!r} must be {exc}; got {raw!r}") from None


def _gyear(raw: str, base: str) -> Literal:
    if not re.fullmatch(r"-?([1-9][0-9]{3,}|0[0-9]{3})", raw):
        raise ValueError("a year such as 2022 (xsd:gYear)")
    return Literal(raw, datatype=XSD.gYear)


def _integer(raw: str, base: str) -> Literal:
    if not re.fullmatch(r"[+-]?[0-9]{1,18}", raw):
        raise ValueError("a whole number (xsd:integer)")
    return Literal(int(raw))


def _date(raw: str, base: str) -> Literal:
    value = Literal(raw, datatype=XSD.date)
    if value.ill_typed or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        raise ValueError("a date such as 2022-05-17 (xsd:date)")
    return value


def _string(raw: str, base: str) -> Literal:
    if len(raw) > 1000:
        raise ValueError("a string of at most 1000 characters")
    return Literal(raw)


def _iri(raw: str, base: str) -> URIRef:
    if not raw or _IRI_FORBIDDEN.search(raw):
        raise ValueError("an IRI, absolute or relative to the base (e.g. org/apple), without spaces or <>\"{}|\\^`")
    iri = URIRef(raw) if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", raw) else URIRef(base + raw.lstrip("/"))
    try:
        pyoxigraph.NamedNode(iri)  # RFC 3987, as every store checks it: control characters, bad %-escapes …
    except ValueError as exc:
        raise ValueError(f"a valid IRI ({exc})") from None
    return iri


_TYPES = {"xsd:gYear": _gyear, "xsd:integer": _integer, "xsd:date": _date, "xsd:string": _string, "iri": _iri}


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str
    path: Path
    form: str = field(default="SELECT")

    def bindings(self, values: dict[str, str], base: str) -> dict[str, object]:
        """Check the given values against the declared parameters and fill in defaults."""
        known = {p.name for p in self.parameters}
        unknown = sorted(set(values) - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise ParameterError(f"query {self.name!r} has no parameter {unknown[0]!r}; its parameters: {allowed}")
        bound = {}
        for param in self.parameters:
            raw = values.get(param.name, param.default)
            if raw is None:
                raise ParameterError(f"query {self.name!r} needs parameter {param.name!r} ({param.type})")
            bound[param.name] = param.bind(raw, base)
        return bound


def parse_named_query(path: Path, require_header: bool = True) -> NamedQuery:
    """Read one ``.rq`` file with its header.

    The library's files must have a title and a description; a file given on the command
    line may be plain SPARQL (it is then named after the file).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read the query file: {getattr(exc, 'strerror', None) or exc}") from None
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": []}
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            last = match.group(1)
            fields[last].append(match.group(2).strip())
        elif last and line[1:].strip():
            fields[last][-1] += " " + line[1:].strip()
    if require_header and (not fields["title"] or not fields["description"]):
        raise QueryError(f"{path}: the header needs a '# title:' and a '# description:' line")
    params = []
    for spec in fields["param"]:
        match = _PARAM.match(spec)
        if not match or match.group("type") not in _TYPES:
            raise QueryError(f"{path}: cannot read parameter {spec!r}; write it as "
                             f"'name (type, default value) description' with type one of {', '.join(_TYPES)}")
        params.append(Parameter(match["name"], match["type"], match["default"], match["help"]))
    try:  # SERVICE endpoints meet the allowlist when the query runs; reading it needs only its form
        form = query_form(prepare(text, service_iris(text)))
        if "SERVICE" not in text.upper():
            check_syntax(text)
    except QueryError as exc:
        raise QueryError(f"{path}: {exc}") from None
    title = fields["title"][0] if fields["title"] else path.stem
    description = fields["description"][0] if fields["description"] else ""
    return NamedQuery(path.stem, title, description, tuple(params), text, path, form)


def load_library(folder: Path) -> dict[str, NamedQuery]:
    """Every named query in a folder; parsed once per version of the folder's files."""
    files = tuple((p, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.rq")))
    return dict(_parse_library(files))


@lru_cache(maxsize=8)
def _parse_library(files: tuple[tuple[Path, int], ...]) -> tuple[tuple[str, NamedQuery], ...]:
    return tuple((q.name, q) for q in (parse_named_query(p) for p, _ in files))


def library(loaded: CopDataset, shelf: str = "") -> dict[str, NamedQuery]:
    """A shelf of the dataset's query library, read once per dataset: ``""`` the public
    queries (``queries/*.rq``: the endpoint's examples, the CLI's, the explorer's forms);
    ``pages``, ``description``, ``linking`` the app's own, in the folders of those names."""
    folder = loaded.config.queries_dir / shelf if shelf else loaded.config.queries_dir
    return loaded.memo("query library", shelf, build=lambda: load_library(folder))


def named(loaded: CopDataset, name: str, shelf: str = "") -> NamedQuery:
    """One query of a shelf, or :class:`UnknownQueryError` listing the shelf's queries."""
    return find_query(library(loaded, shelf), name)


def find_query(library: dict[str, NamedQuery], name: str) -> NamedQuery:
    try:
        return library[name]
    except KeyError:
        raise UnknownQueryError(f"no named query {name!r}; the library has: {', '.join(sorted(library))}") from None


