"""Long operations draw a progress bar on a terminal and keep pipes clean."""

from __future__ import annotations

import os
import subprocess

import pytest

from cop_graph.cli.common import PROGRESS_FROM_BYTES

from .conftest import on_a_terminal, store_settings


@pytest.fixture(scope="module")
def large_file(cop_graph_bin, tmp_path_factory):
    folder = tmp_path_factory.mktemp("large")
    path = folder / "large.nt"
    subprocess.run([cop_graph_bin, "generate", "--triples", "120000", "--format", "nt", "-o", str(path)],
                   check=True, capture_output=True)
    assert path.stat().st_size >= PROGRESS_FROM_BYTES
    return path


def _env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
    env.update(store_settings(), COP_GRAPH_VALIDATION_CACHE=str(tmp_path / "cache"))
    return env


@pytest.mark.full
def test_loading_a_large_file_shows_a_bar_on_a_terminal(cop_graph_bin, large_file, tmp_path):
    status, stdout, shown = on_a_terminal([cop_graph_bin, "stats", "--data", str(large_file)], tmp_path, _env(tmp_path))
    assert status == 0, shown
    assert "loading" in shown and "100%" in shown
    assert "Traceback" not in shown and stdout


def test_loading_small_files_shows_no_bar(cop_graph_bin, tmp_path):
    status, _, shown = on_a_terminal([cop_graph_bin, "stats"], tmp_path, _env(tmp_path))
    assert status == 0 and "loading" not in shown


def test_validation_shows_a_bar_on_a_terminal(cop_graph_bin, tmp_path):
    status, stdout, shown = on_a_terminal([cop_graph_bin, "validate"], tmp_path, _env(tmp_path))
    assert status == 0, shown
    assert "validating" in shown and "100%" in shown
    assert "0 violations" in stdout


@pytest.mark.full
def test_a_pipe_gets_no_bar(cli_process, large_file, tmp_path):
    proc = cli_process("stats", "--data", str(large_file), env={"COP_GRAPH_VALIDATION_CACHE": str(tmp_path / "cache")})
    assert proc.returncode == 0 and proc.stderr == ""
    proc = cli_process("validate", "--no-cache")
    assert proc.returncode == 0 and proc.stderr == ""
