"""Files that are broken or built to hurt, through the real console script on every store:
each gets our clean error naming the file (and line where there is one), exit status 2, no
traceback, nothing fetched or read besides the file, and the store as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cop_graph.errors import InputError
from cop_graph.rdf.parsing import MAX_LINE, parse_file

pytestmark = pytest.mark.every_store

RDF_XML = """<?xml version="1.0"?>
{doctype}
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/s"><ex:p>{value}</ex:p></rdf:Description>
{padding}</rdf:RDF>
"""
LAUGHS = "\n".join(['<!DOCTYPE rdf:RDF [', ' <!ENTITY a "' + "a" * 80 + '">',
                    *[f' <!ENTITY {n} "{("&" + p + ";") * 20}">' for p, n in zip("abcd", "bcde", strict=True)],
                    "]>"])
PADDING = '  <rdf:Description rdf:about="http://example.org/t"><ex:p>padding</ex:p></rdf:Description>\n'


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A local file nothing may read: a JSON-LD context, so a fetch of it would change the data."""
    path = tmp_path / "secret.json"
    path.write_text('{"@context": {"p": "http://example.org/TOP-SECRET-VALUE"}}', encoding="utf-8")
    return path


def refused(proc, *expected: str) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and all(text in proc.stderr for text in expected), proc.stderr
    return proc.stderr


@pytest.mark.parametrize("padding", [0, 60_000], ids=["small", "over 4 MB, read by the store's own parser"])
def test_xml_entity_expansion_is_refused_before_it_starts(cli, tmp_path, padding):
    """A 1 KB 'billion laughs' file expands to 3.2 GB; it is refused at the declaration."""
    path = tmp_path / "laughs.rdf"
    path.write_text(RDF_XML.format(doctype=LAUGHS, value="&e;", padding=PADDING * padding), encoding="utf-8")
    refused(cli("stats", "--data", str(path)), f"{path.name}:3:", "declares the XML entity 'a'")


@pytest.mark.parametrize("declaration", [
    '<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "file://{secret}"> ]>',
    '<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "{url}/entity"> ]>',
    '<!DOCTYPE rdf:RDF [ <!ENTITY % x SYSTEM "{url}/dtd"> %x; ]>',
    '<!DOCTYPE rdf:RDF SYSTEM "{url}/dtd">',
])
def test_external_xml_entities_read_nothing(cli, tmp_path, listener, secret, declaration):
    server, url = listener
    path = tmp_path / "external.rdf"
    value = "&x;" if "ENTITY x" in declaration else "plain"
    path.write_text(RDF_XML.format(doctype=declaration.format(secret=secret, url=url), value=value, padding=""),
                    encoding="utf-8")
    proc = cli("query", "-e", "SELECT ?o WHERE { <http://example.org/s> ?p ?o }", "--format", "json",
               "--data", str(path))
    assert server.requests == [] and "TOP-SECRET-VALUE" not in proc.stdout + proc.stderr
    if proc.returncode == 0:  # no entity declared: the DTD is left unread and the value is the text
        assert [b["o"]["value"] for b in json.loads(proc.stdout)["results"]["bindings"]] == ["plain"]
    else:
        refused(proc, path.name, "XML entit")


@pytest.mark.parametrize("context", [
    '"file://{secret}"',
    '"{url}/context.jsonld"',
    '[{{"ex": "http://example.org/"}}, "{url}/context.jsonld"]',
    '{{"ex": "http://example.org/", "p": {{"@id": "ex:p", "@context": {{"@import": "{url}/scoped"}}}}}}',
])
def test_json_ld_contexts_named_by_iri_are_refused_without_fetching(cli, tmp_path, listener, secret, context):
    server, url = listener
    path = tmp_path / "named.jsonld"
    path.write_text('{"@context": ' + context.format(secret=secret, url=url) +
                    ', "@id": "http://example.org/s", "ex:p": "x"}', encoding="utf-8")
    refused(cli("stats", "--data", str(path)), f"{path.name}:1:", "names a JSON-LD context to fetch",
            "reads only contexts written in the file itself")
    assert server.requests == []


def test_an_inline_json_ld_context_is_read(cli, tmp_path):
    path = tmp_path / "inline.jsonld"
    path.write_text('{"@context": {"ex": "http://example.org/"}, "@id": "ex:s", "ex:p": "inline"}', encoding="utf-8")
    proc = cli("query", "-e", "SELECT ?o WHERE { <http://example.org/s> ?p ?o }", "--format", "csv",
               "--data", str(path))
    assert proc.returncode == 0 and proc.stdout.splitlines() == ["o", "inline"]


def test_an_n_triples_line_over_the_limit_is_refused_with_its_number(cli, tmp_path):
    path = tmp_path / "long.nt"
    short = '<http://example.org/s> <http://example.org/p> "short" .\n'
    path.write_text(short + '<http://example.org/s> <http://example.org/p> "' + "x" * (MAX_LINE + 100) + '" .\n',
                    encoding="utf-8")
    refused(cli("stats", "--data", str(path)), f"{path.name}:2:", f"longer than {MAX_LINE:,} characters")


@pytest.mark.full
def test_an_n_triples_line_at_the_limit_loads(tmp_path):
    path = tmp_path / "long.nt"
    prefix = '<http://example.org/s> <http://example.org/p> "'
    path.write_text(prefix + "x" * (MAX_LINE - len(prefix) - 3) + '" .\n', encoding="utf-8")
    assert len(parse_file(path)) == 1


def test_n_triples_lines_ended_by_carriage_returns_are_lines(tmp_path):
    path = tmp_path / "cr.nt"
    lines = [f'<http://example.org/s{n}> <http://example.org/p> "{"x" * 1000}" .' for n in range(1200)]
    path.write_bytes("\r".join(lines).encode("utf-8") + b"\r")  # over the limit in all, not in any line
    assert len(parse_file(path)) == 1200


@pytest.mark.parametrize(("name", "text"), [
    ("brackets.ttl", "@prefix : <http://example.org/> .\n:s :p " + "[ :p " * 50_000 + ":o" + " ]" * 50_000 + " .\n"),
    ("list.ttl", "@prefix : <http://example.org/> .\n:s :p " + "( " * 50_000 + ":o" + " )" * 50_000 + " .\n"),
    ("objects.jsonld", '{"@context": {"p": "http://example.org/p"}, "@id": "http://example.org/s", "p": '
                       + '{"p": ' * 50_000 + '"x"' + "}" * 50_000 + "}"),
])
def test_deep_nesting_is_a_clean_error(cli, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    refused(cli("stats", "--data", str(path)), path.name, "nests too deeply")


@pytest.mark.parametrize(("name", "text", "where"), [
    ("bad.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b ex:c ex:d .\n", "bad.ttl:3:"),
    ("bad.nt", "<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
               "<http://example.org/a> <http://example.org/b> .\n", "bad.nt:2"),
    ("bad.jsonld", '{\n  "@id": "http://example.org/a",\n  "http://example.org/b": [1,\n}\n', "bad.jsonld:4:"),
    ("bad.rdf", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                '<rdf:Description rdf:about="http://example.org/a">\n</rdf:RDF>\n', "bad.rdf:3:"),
])
def test_malformed_files_are_refused_with_file_and_line_and_the_store_is_unchanged(cli, tmp_path, name, text, where):
    good = tmp_path / "good.ttl"
    good.write_text("".join(f"<http://example.org/s{i}> <http://example.org/p> {i} .\n" for i in range(1000)),
                    encoding="utf-8")
    before = cli("stats", "--format", "json", "--data", str(good))
    assert before.returncode == 0
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    refused(cli("stats", "--data", str(good), "--data", str(bad)), where)
    refused(cli("stats", "--data", str(good), "--data", str(bad)), where)  # a rerun: the same answer
    after = cli("stats", "--format", "json", "--data", str(good))
    assert after.returncode == 0 and json.loads(after.stdout) == json.loads(before.stdout)


def test_a_turtle_error_after_a_thousand_good_lines_leaves_nothing_behind(tmp_path):
    path = tmp_path / "late.ttl"
    path.write_text("".join(f"<http://example.org/s{i}> <http://example.org/p> {i} .\n" for i in range(1000))
                    + "<http://example.org/s> <http://example.org/p> .\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        parse_file(path)
    assert error.value.line == 1001
