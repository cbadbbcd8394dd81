"""The load test (benchmarks/load_bench.py, locust headless) in its bounded form: light traffic
at rising concurrency through the production server, then a soak with runaway queries mixed
in. It asserts what must hold whatever the machine's speed: no light request fails, every
runaway query is refused as it should be, another client's new query is answered while one
client floods, the server answers after; the latencies are
reported, never asserted (docs/reliability.md has the figures of the longer run)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ..conftest import ROOT

LIGHT = {"page", "search", "named query", "light query"}


pytestmark = pytest.mark.full


@pytest.mark.parametrize("kind", ["memory", "oxigraph"])
def test_light_traffic_has_no_errors_at_rising_concurrency_and_beside_runaway_queries(tmp_path, kind):
    argv = [sys.executable, str(ROOT / "benchmarks" / "load_bench.py"), "--levels", "2", "4", "8", "--seconds", "4",
            "--soak-seconds", "20", "--hostile", "4", "--query-timeout", "2", "--store", kind, "--out", str(tmp_path)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, cwd=ROOT / "benchmarks")
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads((tmp_path / "load.json").read_text(encoding="utf-8"))["results"][0]
    assert [step["users"] for step in results["ramp"]] == [2, 4, 8]
    for step in results["ramp"]:
        assert set(step["kinds"]) == LIGHT, step
        failed = {name: k.get("failures") for name, k in step["kinds"].items() if k["errors"]}
        assert all(k["requests"] > 0 for k in step["kinds"].values()) and not failed, (step["users"], failed)
    soak = results["soak"]["kinds"]
    assert set(soak) == LIGHT | {"hostile query"}
    assert all(soak[k]["errors"] == 0 for k in LIGHT), {k: soak[k].get("failures") for k in LIGHT}
    assert soak["hostile query"]["requests"] > 0 and soak["hostile query"]["errors"] == 0, soak
    assert results["soak"]["fresh_probe"]["answered"] > 0  # another client's new query found a worker
    assert results["after"] == 200
    report = (tmp_path / "load.md").read_text(encoding="utf-8")
    assert "| requests of | count | errors | p50 ms | p99 ms | per s |" in report
    assert "Light traffic in the soak against the ramp" in report
