"""The installed `cop-graph` console script as a real process: what click's in-process runner
cannot show — the exit status the shell sees, stdout and stderr as separate streams, the script
found on PATH and run from any folder. (Signals, terminals, kernel limits and the time limit's
own exit are tested where they belong: reliability/test_server_lifecycle.py, test_progress.py,
reliability/test_write_faults.py, reliability/test_cli_limits.py.)"""

from __future__ import annotations

import csv
import io
import subprocess
from importlib.metadata import version

import pytest

from .conftest import BASE


def test_the_script_answers_from_any_folder_with_the_bundled_data(cli_process, tmp_path):
    proc = cli_process("query", "members-in-year", "--param", "year=2022", "--format", "csv", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == ""
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert len(rows) == 13 and f"{BASE}org/telefonica" in {r["member"] for r in rows}


def test_the_version_is_the_installed_package(cop_graph_bin):
    proc = subprocess.run([cop_graph_bin, "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and version("cop-graph") in proc.stdout


@pytest.mark.parametrize(("args", "status"), [
    (["validate"], 0),
    (["validate", "--data", "{violation}"], 1),
    (["validate", "--data", "{broken}"], 2),
    (["query", "no-such-query"], 2),
    (["query", "members-in-year", "--format", "nope"], 2),
])
def test_the_exit_status_says_how_it_went(cli_process, tmp_path, args, status):
    violation = tmp_path / "violation.ttl"
    violation.write_text("<https://w3id.org/b-tech-cop/session/2099-01-01> a "
                         "<https://w3id.org/b-tech-cop/ontology/RegularSession> .\n", encoding="utf-8")
    broken = tmp_path / "broken.ttl"
    broken.write_text('<urn:x:a> <urn:x:b> "open .\n', encoding="utf-8")
    proc = cli_process(*[a.format(violation=violation, broken=broken) for a in args])
    assert proc.returncode == status, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr


def test_answers_go_to_stdout_and_errors_to_stderr_alone(cli_process, tmp_path):
    answered = cli_process("query", "joined-in-year", "--param", "year=2022", "--format", "tsv")
    assert answered.returncode == 0 and answered.stderr == ""
    assert answered.stdout.splitlines()[0] == "?member\t?name\t?membership"
    broken = tmp_path / "broken.ttl"
    broken.write_text('<urn:x:a> <urn:x:b> "open .\n', encoding="utf-8")
    refused = cli_process("query", "joined-in-year", "--data", str(broken))
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith("error: ") and refused.stderr.count("\n") == 1
