"""The W3C RDF 1.1 syntax suites (Turtle, N-Triples, RDF/XML) through our loader.

Read from the manifests in tests/w3c: every positive syntax test loads, every
negative one is refused with our clean error naming the file, and every evaluation test gives a
graph isomorphic to the expected N-Triples. The exceptions are listed below with their reasons;
each runs and must still fail (strict xfail), so a fix upstream shows up here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace
from rdflib.compare import isomorphic

from cop_graph.errors import InputError
from cop_graph.rdf.parsing import parse_file

from ..conftest import W3C

pytestmark = pytest.mark.full

SUITES = W3C / "rdf" / "rdf11"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
FORMATS = {"rdf-turtle": "turtle", "rdf-n-triples": "nt", "rdf-xml": "xml"}

RDFLIB_N3 = "rdflib reads Turtle with its N3 reader, which accepts this N3 extension"
IRI_RESOLUTION = "rdflib resolves this relative IRI differently from RFC 3986 (section 5.4)"
NT_ESCAPE = "rdflib's N-Triples reader keeps an invalid escape as text instead of refusing it"
LONG_STRING = "rdflib reads a fourth closing quote into the long string (\"abc\\\"\") instead of refusing it"
EXCEPTIONS = {
    "rdf-turtle/IRI-resolution-01": IRI_RESOLUTION,
    "rdf-turtle/IRI-resolution-02": IRI_RESOLUTION,
    "rdf-turtle/IRI-resolution-07": IRI_RESOLUTION,
    "rdf-turtle/IRI-resolution-08": IRI_RESOLUTION,
    "rdf-turtle/turtle-syntax-bad-n3-extras-03": RDFLIB_N3 + " (paths with '.')",
    "rdf-turtle/turtle-syntax-bad-n3-extras-04": RDFLIB_N3 + " (paths with '^')",
    "rdf-turtle/turtle-syntax-bad-n3-extras-06": RDFLIB_N3 + " (paths with '.')",
    "rdf-turtle/turtle-syntax-bad-esc-02": "rdflib keeps an invalid \\u escape as text instead of refusing it",
    "rdf-turtle/turtle-syntax-bad-esc-03": "rdflib keeps an invalid \\u escape as text instead of refusing it",
    "rdf-turtle/turtle-syntax-bad-esc-04": "rdflib keeps an invalid \\U escape as text instead of refusing it",
    "rdf-turtle/turtle-syntax-bad-string-06": LONG_STRING,
    "rdf-turtle/turtle-syntax-bad-string-07": LONG_STRING,
    "rdf-turtle/turtle-syntax-bad-LITERAL2_with_langtag_and_datatype":
        "rdflib keeps the datatype and drops the language tag",
    "rdf-turtle/turtle-syntax-bad-ln-dash-start": "rdflib accepts a local name that starts with '-'",
    "rdf-n-triples/minimal_whitespace": "rdflib's N-Triples reader needs whitespace between the terms of a statement",
    "rdf-n-triples/nt-syntax-bad-bnode-01": "rdflib's N-Triples reader accepts a blank node label that starts with ':'",
    "rdf-n-triples/nt-syntax-bad-bnode-02": "rdflib's N-Triples reader accepts a blank node label that holds a ':'",
    "rdf-n-triples/nt-syntax-bad-esc-01": NT_ESCAPE,
    "rdf-n-triples/nt-syntax-bad-esc-02": NT_ESCAPE,
    "rdf-n-triples/nt-syntax-bad-esc-03": NT_ESCAPE,
}


def _cases() -> list:
    cases = []
    for suite, fmt in FORMATS.items():
        folder = SUITES / suite
        manifest = Graph().parse(folder / "manifest.ttl", format="turtle")
        base = str(manifest.value(None, MF.assumedTestBase) or f"https://w3c.github.io/rdf-tests/rdf/rdf11/{suite}/")
        manifest = Graph().parse(folder / "manifest.ttl", format="turtle", publicID=base + "manifest.ttl")
        for test, kind in sorted(manifest.subject_objects(RDF.type)):
            if kind == MF.Manifest:
                continue
            action = str(manifest.value(test, MF.action))
            result = manifest.value(test, MF.result)
            name = str(test).rsplit("#", 1)[-1]  # the test's IRI: one mf:name in the Turtle manifest is a copy
            case = (fmt, kind.split("#")[-1], folder / action[len(base):], action,
                    folder / str(result)[len(base):] if result else None)
            known = EXCEPTIONS.get(f"{suite}/{name}")
            marks = [pytest.mark.xfail(strict=True, reason=known)] if known else []
            cases.append(pytest.param(*case, id=f"{suite}/{name}", marks=marks))
    return cases


CASES = _cases()


@pytest.mark.parametrize(("fmt", "kind", "path", "base", "expected"), CASES)
def test_w3c_syntax_suite(fmt: str, kind: str, path: Path, base: str, expected: Path | None) -> None:
    if "Negative" in kind:
        with pytest.raises(InputError) as refused:
            parse_file(path, fmt, base=base)
        assert str(refused.value).startswith(str(path))
        return
    graph = parse_file(path, fmt, base=base)
    if "Eval" in kind:
        wanted = Graph().parse(expected, format="nt") if expected else Graph()
        # literals compared by value: the data keeps each lexical form as written, rdflib's
        # readers of bare numbers and of the expected files do not
        assert isomorphic(_by_value(graph), _by_value(wanted))


def _by_value(graph: Graph) -> Graph:
    same = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None:
            o = Literal(str(o), datatype=o.datatype, normalize=True)
        same.add((s, p, o))
    return same


def test_the_suites_are_all_there_and_every_exception_is_a_test_of_theirs() -> None:
    names = {case.id for case in CASES}
    assert len(CASES) > 500 and len(names) == len(CASES) and set(EXCEPTIONS) <= names
