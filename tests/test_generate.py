"""`cop-graph generate`: a synthetic COP-shaped dataset of about the size asked for, the same
bytes for the same seed, in Turtle or N-Triples, written atomically, valid against the
shapes, with a progress bar on a terminal only."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from cop_graph.errors import OutputError
from cop_graph.publish import generate

from .conftest import on_a_terminal

WROTE = re.compile(r"wrote (?P<file>\S+) \((?P<triples>[\d,]+) triples, (?P<collaborations>[\d,]+) "
                   r"collaborations? over (?P<years>\d+) years, (?P<bytes>[\d,]+) bytes\) in [\d.]+ s\n")


def _generate(cli, tmp_path, name: str, *args: str) -> tuple[bytes, int]:
    proc = cli("generate", "-o", name, *args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    wrote = WROTE.fullmatch(proc.stdout)
    assert wrote and wrote["file"] == name, proc.stdout
    content = (tmp_path / name).read_bytes()
    assert int(wrote["bytes"].replace(",", "")) == len(content)
    return content, int(wrote["triples"].replace(",", ""))


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_ones(cli, tmp_path):
    first, _ = _generate(cli, tmp_path, "a.ttl", "--triples", "3000", "--seed", "7")
    again, _ = _generate(cli, tmp_path, "b.ttl", "--triples", "3000", "--seed", "7")
    other, _ = _generate(cli, tmp_path, "c.ttl", "--triples", "3000", "--seed", "8")
    assert first == again
    assert first != other


@pytest.mark.parametrize("target", [1_000, 4_000, 25_000])
def test_the_file_holds_about_the_triples_asked_for_and_says_how_many(cli, tmp_path, target):
    _, reported = _generate(cli, tmp_path, "out.nt", "--triples", str(target), "--format", "nt")
    parsed = Graph().parse(tmp_path / "out.nt", format="nt")
    assert len(parsed) == reported
    assert abs(reported - target) / target < 0.1


def test_turtle_and_n_triples_of_one_seed_are_the_same_graph(cli, tmp_path):
    _generate(cli, tmp_path, "out.ttl", "--triples", "2000", "--seed", "3")
    _generate(cli, tmp_path, "out.nt", "--triples", "2000", "--seed", "3", "--format", "nt")
    turtle = Graph().parse(tmp_path / "out.ttl", format="turtle")
    assert isomorphic(turtle, Graph().parse(tmp_path / "out.nt", format="nt"))
    assert turtle.namespace_manager.expand_curie("cop:Passage")  # the prefixes are declared


@pytest.mark.parametrize("size", ["0", "-5", str(10**12), "999", "abc"])
def test_absurd_sizes_are_refused_with_the_limit(cli, tmp_path, size):
    proc = cli("generate", "--triples", size, "-o", "out.ttl", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--triples" in proc.stderr
    if size != "abc":
        assert "1000<=x<=10000000" in proc.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(("output", "expected"), [
    (".", "is a folder"),
    ("missing/out.ttl", "the folder missing does not exist"),
    ("a-file/out.ttl", "the folder a-file does not exist"),
])
def test_an_output_that_cannot_be_written_is_refused_and_nothing_is_left(cli, tmp_path, output, expected):
    (tmp_path / "a-file").write_text("x")
    proc = cli("generate", "--triples", "1000", "-o", output, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and expected in proc.stderr, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_folder_nobody_may_write_in_is_refused_and_nothing_is_left(cli):
    """/sys (sysfs) refuses new files to every user, root included, unlike a chmod-ed folder."""
    proc = cli("generate", "--triples", "1000", "-o", "/sys/cop-graph-out.ttl")
    assert proc.returncode == 2 and "cannot write in /sys" in proc.stderr, proc.stderr
    assert not Path("/sys/cop-graph-out.ttl").exists()


def test_a_file_that_does_not_read_back_as_written_is_not_moved_into_place(tmp_path, monkeypatch):
    wrong = generate._nt_block
    monkeypatch.setattr(generate, "_nt_block", lambda block: wrong(block).replace("Company", "Compagnie"))
    target = tmp_path / "out.nt"
    with pytest.raises(OutputError, match="do not read back as written"):
        generate.write_synthetic(1_000, target, fmt="nt")
    assert not any(tmp_path.iterdir())


def test_an_existing_file_is_replaced_whole(cli, tmp_path):
    (tmp_path / "out.ttl").write_text("old content\n")
    content, _ = _generate(cli, tmp_path, "out.ttl", "--triples", "1000")
    assert content.startswith(b"# Synthetic COP-shaped data, not real")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]


def test_a_pipe_gets_no_progress_bar(cli, tmp_path):
    proc = cli("generate", "--triples", "30000", "-o", "out.ttl", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert WROTE.fullmatch(proc.stdout)


def test_a_terminal_gets_a_progress_bar(cop_graph_bin, tmp_path):
    status, stdout, shown = on_a_terminal([cop_graph_bin, "generate", "--triples", "30000", "-o", "out.ttl"], tmp_path)
    assert status == 0
    assert "generating" in shown and "100%" in shown
    assert WROTE.fullmatch(stdout)


def test_the_generated_file_conforms_to_the_shapes_and_adds_no_warnings(cli, tmp_path):
    _generate(cli, tmp_path, "out.ttl", "--triples", "2000", "--seed", "5")
    proc = cli("validate", "--data", "out.ttl", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:]
    report = json.loads(proc.stdout)
    assert report["counts"]["violations"] == 0
    assert not [r for r in report["results"] if "synthetic" in r["focus"]]  # the warnings are the bundled data's
