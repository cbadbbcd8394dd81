"""Shared fixtures: the loaded bundled data, its validation report, and the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cop_graph.config import load_config
from cop_graph.dataset import CopDataset, load_dataset
from cop_graph.validation import Report, validate

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SOURCE_TEXT = SHARED / "sources" / "b-tech-cop-2022-year-end-review.txt"
BASE = "https://w3id.org/b-tech-cop/"


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture(scope="session")
def loaded(config) -> CopDataset:
    return load_dataset(config=config)


@pytest.fixture(scope="session")
def report(loaded) -> Report:
    return validate(loaded)


def _console_script() -> str:
    beside = Path(sys.executable).parent / "cop-graph"
    found = str(beside) if beside.exists() else shutil.which("cop-graph")
    if not found:
        raise RuntimeError("the cop-graph console script is not installed: run pip install -e '.[test]'")
    return found


@pytest.fixture(scope="session")
def cop_graph_bin() -> str:
    return _console_script()


@pytest.fixture
def cli(cop_graph_bin, tmp_path):
    """Run the real console script in a subprocess; returns the CompletedProcess."""
    def run(*args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
        environment.update(env or {})
        return subprocess.run([cop_graph_bin, *args], cwd=cwd or tmp_path, env=environment, input=input,
                              capture_output=True, text=True, timeout=120)
    return run
