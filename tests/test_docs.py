"""The README's examples run and print what it says they print.

Each ```console block holds ``$ command`` lines (cop-graph, or curl against the server
the README starts on 127.0.0.1:8000) followed by the expected output. A line ``...`` skips
any number of output lines; ``...`` inside a line matches any text. A ```python block
followed by a ```text block is run against the server and must print that text.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess

import pytest

from .conftest import ROOT, run_cli, running_server

README = ROOT / "README.md"
DOCUMENTS = [README, *sorted((ROOT / "docs").glob("*.md"))]


def _examples() -> list[tuple[str, list[str]]]:
    text = "\n".join(doc.read_text(encoding="utf-8") for doc in DOCUMENTS)
    blocks = re.findall(r"```console\n(.*?)```", text, flags=re.DOTALL)
    examples = []
    for block in blocks:
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, *expected = chunk.rstrip("\n").split("\n")
            examples.append((command, expected))
    return examples


def _matches(expected: list[str], actual: list[str]) -> bool:
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head == "...":
        return any(_matches(rest, actual[i:]) for i in range(len(actual) + 1))
    pattern = ".*".join(re.escape(part) for part in head.split("..."))
    return bool(actual) and re.fullmatch(pattern, actual[0]) is not None and _matches(rest, actual[1:])


README_SERVER = "http://127.0.0.1:8000"
# The documents show what the default store prints (the other stores write numbers in
# canonical form, "50" for "50.0"; docs/stores.md says so).
DEFAULT_STORE = {"COP_GRAPH_STORE": "memory"}


@pytest.fixture(scope="module")
def default_endpoint(cop_graph_bin):
    with running_server(cop_graph_bin, "--query-timeout", "3", env=DEFAULT_STORE) as url:
        yield url


@pytest.mark.parametrize(("command", "expected"), _examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_readme_example_prints_what_the_readme_says(tmp_path, default_endpoint, command, expected):
    (tmp_path / "tests").symlink_to(ROOT / "tests")
    (tmp_path / "docs").symlink_to(ROOT / "docs")  # the query files the docs run
    for folder in ("imports", "data"):  # the bundled imports: their mappings and the tables they read
        (tmp_path / folder).symlink_to(ROOT / folder)
    argv = shlex.split(command.replace(README_SERVER, default_endpoint))
    if argv[0] == "curl":
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    else:
        assert argv[0] == "cop-graph"
        proc = run_cli(*argv[1:], cwd=tmp_path, store_env=False)
    output = (proc.stdout + proc.stderr).replace("\r\n", "\n").splitlines()
    assert _matches(expected, output), "\n".join(output)


def _python_examples() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```\s*```text\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.parametrize(("code", "expected"), _python_examples())
def test_readme_python_examples_print_what_the_readme_says(default_endpoint, code, expected):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code.replace(README_SERVER, default_endpoint), {})  # the README's own example
    assert printed.getvalue() == expected


def test_the_readme_has_examples_of_every_command():
    commands = {shlex.split(c)[1] for c, _ in _examples() if c.startswith("cop-graph")}
    assert _python_examples()
    assert {"validate", "query", "export", "stats"} <= commands
