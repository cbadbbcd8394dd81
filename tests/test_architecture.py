"""The package's tree shows its design: layers as subpackages, imports only downwards, every
module named in docs/architecture.md, and the one format table read by every surface."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import cop_graph

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cop_graph"

# Bottom to top. A module may import its own layer and those below it; the layers of one
# rank (analysis, linking, publish) do not import each other.
LAYERS = {
    "errors": 0, "config": 1, "files": 1,
    "rdf": 2, "store": 3, "sparql": 4, "validation": 5,
    "analysis": 6, "linking": 6, "publish": 6,
    "api": 7, "web": 8, "cli": 9,
}


def modules() -> list[str]:
    found = [cop_graph.__name__]
    found += [m.name for m in pkgutil.walk_packages(cop_graph.__path__, "cop_graph.")]
    return sorted(found)


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def imports_of(module: str) -> list[tuple[str, int]]:
    """(imported cop_graph module, line) for every import in a module, lazy ones included."""
    path = Path(importlib.util.find_spec(module).origin)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cop_graph") and not node.level:
            if node.module == "cop_graph":
                found += [(f"cop_graph.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.startswith("cop_graph")]
    return found


def test_the_top_level_has_at_most_eight_modules_and_the_layers_as_subpackages():
    top = sorted(p.name for p in PACKAGE.iterdir() if p.suffix == ".py")
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert len(top) <= 8, top
    assert packages == sorted(name for name in LAYERS if (PACKAGE / name).is_dir())
    assert {"rdf", "store", "sparql", "validation", "analysis", "linking", "publish", "web", "cli"} <= set(packages)


@pytest.mark.parametrize("package", sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()))
def test_each_layer_says_what_it_owns_and_what_it_may_import(package):
    doc = importlib.import_module(f"cop_graph.{package}").__doc__ or ""
    assert len(doc.split()) >= 12, f"cop_graph/{package}/__init__.py needs a paragraph saying what it owns"


def violations(module: str, imports: list[tuple[str, int]]) -> list[str]:
    mine = layer_of(module)
    if mine is None:
        return []
    assert mine in LAYERS, f"{module}: a layer the architecture does not name; add it to LAYERS and the docs"
    wrong = []
    for target, line in imports:
        theirs = layer_of(target)
        if theirs in (None, "__version__", mine):
            continue
        if LAYERS[theirs] >= LAYERS[mine]:
            wrong.append(f"{module}:{line} imports {target} ({mine} may not import {theirs})")
    return wrong


def test_imports_only_go_down_the_layers():
    wrong = [v for module in modules() for v in violations(module, imports_of(module))]
    assert not wrong, "\n".join(wrong)


def test_the_rule_catches_an_upward_or_sideways_import():
    assert violations("cop_graph.store.dataset", [("cop_graph.web", 3)])
    assert violations("cop_graph.analysis.network", [("cop_graph.linking.reconcile", 5)])
    assert violations("cop_graph.rdf.labels", [("cop_graph.config", 1)]) == []
    assert violations("cop_graph.web.sparql", [("cop_graph.web.errors", 1), ("cop_graph.api", 2)]) == []


def test_every_module_is_listed_in_the_architecture_document():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`(cop_graph(?:/[a-z_]+)*\.py|cop_graph(?:/[a-z_]+)+/)`", text))
    missing = []
    for module in modules():
        path = Path(importlib.util.find_spec(module).origin).relative_to(ROOT).as_posix()
        if path not in listed and path.removesuffix("__init__.py") not in listed:
            missing.append(path)
    assert not missing, f"docs/architecture.md does not list: {', '.join(missing)}"
    assert "```mermaid" in text


def test_every_module_imports_on_its_own():
    for module in modules():
        importlib.import_module(module)


def test_one_format_table_feeds_negotiation_suffixes_and_the_loader():
    from cop_graph.rdf import formats
    from cop_graph.rdf.parsing import format_for
    from cop_graph.web.links import SUFFIXES
    from cop_graph.web.negotiation import GRAPH_NAMES, GRAPH_TYPES, RESULT_TYPES
    from cop_graph.web.service import RESULT_FORMATS

    for syntax in formats.SYNTAXES.values():
        assert GRAPH_TYPES[syntax.media_type] == syntax.name
        assert all(GRAPH_NAMES[alias] == syntax.name for alias in syntax.aliases)
        assert all(format_for(Path("x" + suffix)) == syntax.rdflib for suffix in syntax.suffixes)
        assert syntax.w3c in RESULT_FORMATS
    for syntax in formats.RESOURCE_SYNTAXES:
        assert SUFFIXES[syntax.suffixes[0]] == syntax.name
    for result in formats.TABULAR.values():
        assert RESULT_TYPES[result.media_type] == result.name
    assert next(iter(GRAPH_TYPES)) == "text/turtle" and next(iter(RESULT_TYPES)) == "application/sparql-results+json"
