"""What every benchmark does with its results: print them, and keep them as markdown and JSON
under benchmarks/results/, with the command that made them."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def command_line(script: str) -> str:
    return f"python benchmarks/{script} " + " ".join(sys.argv[1:])


def publish(out: Path, name: str, command: str, text: str, results: list[dict]) -> None:
    print(text)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.md").write_text(text + "\n", encoding="utf-8")
    (out / f"{name}.json").write_text(json.dumps({"command": command, "results": results}, indent=1) + "\n",
                                      encoding="utf-8")


def per_size(sizes: list[int], measure: Callable[[int, Path], dict]) -> list[dict]:
    """``measure(triples, work folder)`` for each size, in one temporary folder removed after."""
    results = []
    with tempfile.TemporaryDirectory(prefix="cop-graph-bench-") as work:
        for triples in sizes:
            print(f"{triples:,} triples …", file=sys.stderr, flush=True)
            results.append(measure(triples, Path(work)))
    return results


def child(argv: list[str], env: dict, timeout: float, finished: tuple[int, ...] = (0,)) -> tuple[float | None, str]:
    """Run a command: (wall seconds, stdout), or (None, "") when it outlasts ``timeout``.
    An exit status outside ``finished`` stops the benchmark with the command's error."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(argv, capture_output=True, env=env, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  no result in {timeout:.0f} s: {' '.join(argv)[:120]}", file=sys.stderr)
        return None, ""
    if proc.returncode not in finished:
        sys.exit(f"{' '.join(argv)[:200]} failed: {proc.stderr[-500:]}")
    return time.perf_counter() - started, proc.stdout
