"""The test suite needs nothing outside the repository: a copy of it alone, with no folder
beside it, collects every test of the full tier without an error."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from .conftest import ROOT

NOT_PART_OF_A_CLONE = shutil.ignore_patterns(".git", ".venv", "test-artifacts", "__pycache__", ".pytest_cache",
                                             ".hypothesis", ".ruff_cache", "*.egg-info", "build", "dist")


def test_a_copy_of_the_repository_alone_collects_the_full_tier(tmp_path):
    clone = tmp_path / "alone" / "cop-graph"
    shutil.copytree(ROOT, clone, ignore=NOT_PART_OF_A_CLONE, symlinks=True)
    assert sorted(p.name for p in clone.parent.iterdir()) == ["cop-graph"]  # nothing beside it
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("COP_GRAPH_", "PYTEST_"))}
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "--full", "-p", "no:cacheprovider"],
                          cwd=clone, env=environment, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    collected = re.search(r"^(\d+) tests collected", proc.stdout, flags=re.MULTILINE)
    assert collected and int(collected[1]) > 1000, proc.stdout[-2000:]
    assert "error" not in proc.stdout.lower().split("tests collected")[-1]


def test_no_test_names_a_path_outside_the_repository():
    tests = [p for p in (ROOT / "tests").rglob("*.py")] + [ROOT / "pyproject.toml", ROOT / ".ci" / "run"]
    outside = [f"{p.relative_to(ROOT)}:{n}" for p in tests
               for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
               if re.search(r"\.\./shared|ROOT\.parent\b|parent\.parent\.parent", line)]
    assert outside == []
