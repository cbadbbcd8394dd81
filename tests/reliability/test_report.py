"""docs/reliability.md against the code: its limits are the settings' defaults, its list of
W3C exceptions is the one the syntax tests run, and every test file it names exists."""

from __future__ import annotations

import re

from cop_graph.config import SETTINGS
from cop_graph.rdf.parsing import MAX_LINE
from cop_graph.web.text import PAGE_VALUE_CHARS

from ..conftest import ROOT
from .test_w3c_syntax import EXCEPTIONS

PAGE = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")


def _table_after(marker: str) -> list[list[str]]:
    lines = PAGE[PAGE.index(marker):].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_limits_are_the_defaults_in_force():
    defaults = {s.env: s.default for s in SETTINGS}
    constants = {"N-Triples": MAX_LINE, "explorer page": PAGE_VALUE_CHARS}
    rows = _table_after("## Limits in force")
    for limit, value, where in rows:
        number = float(value.split()[0].strip("`"))
        env = re.search(r"COP_GRAPH_[A-Z_]+", where)
        expected = [float(defaults[env[0]])] if env else [v for k, v in constants.items() if k in limit]
        assert expected == [number], (value, where)
    assert len(rows) == 10


def test_the_w3c_exceptions_are_the_ones_the_tests_run():
    listed = set()
    for names, _ in _table_after("<!-- exceptions"):
        first, *more = [n.strip() for n in names.split(",")]
        suite, name = first.split("/")
        listed.add(first)
        for other in more:
            listed.add(f"{suite}/{name.rsplit('-', 1)[0]}{other}" if other.startswith("-") else f"{suite}/{other}")
    assert listed == set(EXCEPTIONS)


def test_every_test_file_named_exists_and_every_reliability_test_is_named():
    named = set(re.findall(r"`((?:tests/)?test_[a-z0-9_]+\.py)`", PAGE))
    for name in named:
        path = ROOT / name if name.startswith("tests/") else ROOT / "tests" / "reliability" / name
        assert path.is_file(), name
    battery = {p.name for p in (ROOT / "tests" / "reliability").glob("test_*.py")} - {"test_report.py"}
    assert battery <= named
