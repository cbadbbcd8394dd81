"""What every benchmark does with its results: print them, and keep them as markdown and JSON
under benchmarks/results/, with the command that made them."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def command_line(script: str) -> str:
    return f"python benchmarks/{script} " + " ".join(sys.argv[1:])


def publish(out: Path, name: str, command: str, text: str, results: list[dict]) -> None:
    print(text)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.md").write_text(text + "\n", encoding="utf-8")
    (out / f"{name}.json").write_text(json.dumps({"command": command, "results": results}, indent=1) + "\n",
                                      encoding="utf-8")
