"""Every SHACL shape against small example graphs in tests/shapes/.

``<ShapeID>-valid.ttl`` must raise nothing at all; ``<ShapeID>-invalid-<reason>.ttl``
must raise the shape it is named after (or one of that node shape's property shapes)
on the focus node and with the severity its header names.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDF, URIRef
from rdflib.namespace import SH

from cop_graph.config import load_config
from cop_graph.rdf.namespaces import COPSH
from cop_graph.store.dataset import load_dataset
from cop_graph.validation.validate import Result, load_shapes, validate


def local(shape: object) -> str:
    return str(shape).removeprefix(str(COPSH))


CONFIG = load_config()
SHAPES_GRAPH = load_shapes(CONFIG.shapes_file.resolve())
SHAPES: dict[str, URIRef] = {
    local(shape): shape
    for kind in (SH.NodeShape, SH.PropertyShape)
    for shape in SHAPES_GRAPH.subjects(RDF.type, kind)
    if isinstance(shape, URIRef) and str(shape).startswith(str(COPSH))
}
EXAMPLES = sorted((Path(__file__).parent / "shapes").glob("*.ttl"))
VALID = [path for path in EXAMPLES if path.name.endswith("-valid.ttl")]
INVALID = [path for path in EXAMPLES if "-invalid-" in path.name]
HEADER = re.compile(r"# focus: <(?P<focus>[^>\s]+)>\n# severity: (?P<severity>Violation|Warning)\n")


def shape_id(path: Path) -> str:
    """The shape an example is for: its name before ``-valid.ttl`` or ``-invalid-``."""
    if path.name.endswith("-valid.ttl"):
        return path.name[: -len("-valid.ttl")]
    return path.name.partition("-invalid-")[0]


def results(path: Path) -> list[Result]:
    loaded = load_dataset([CONFIG.ontology_files[0], path], config=CONFIG, bundled=False)
    return validate(loaded).results


def describe(found: list[Result]) -> str:
    return "\n".join(f"  {r.severity} [{r.shape}] {r.focus} {r.path or ''}: {r.message}" for r in found) or "  (none)"


@pytest.mark.parametrize("path", VALID, ids=[path.name for path in VALID])
def test_valid_example_raises_nothing(path: Path) -> None:
    found = results(path)
    assert not found, f"{path.name} should raise nothing, but raised:\n{describe(found)}"


@pytest.mark.parametrize("path", INVALID, ids=[path.name for path in INVALID])
def test_invalid_example_raises_its_shape(path: Path) -> None:
    header = HEADER.match(path.read_text(encoding="utf-8"))
    assert header, f"{path.name} must start with '# focus: <IRI>' and '# severity: Violation|Warning'"
    sid = shape_id(path)
    assert sid in SHAPES, f"{path.name} names no shape in {CONFIG.shapes_file.name}"
    accepted = {sid} | {local(p) for p in SHAPES_GRAPH.objects(SHAPES[sid], SH.property)}
    found = results(path)
    assert any(r.shape in accepted and r.focus == header["focus"] and r.severity == header["severity"]
               for r in found), (
        f"{path.name}: expected a {header['severity']} from {sorted(accepted)} on <{header['focus']}>, "
        f"got:\n{describe(found)}")


def test_every_shape_has_valid_and_invalid_examples() -> None:
    valid = {shape_id(path) for path in VALID}
    invalid = {shape_id(path) for path in INVALID}
    missing = [f"{sid}: {kind}" for sid in sorted(SHAPES)
               for kind, covered in (("valid", valid), ("invalid", invalid)) if sid not in covered]
    assert not missing, "shapes without examples:\n" + "\n".join(missing)


def test_every_example_names_a_shape() -> None:
    orphans = [path.name for path in EXAMPLES if path not in VALID + INVALID or shape_id(path) not in SHAPES]
    assert not orphans, "examples that name no shape: " + ", ".join(orphans)


@pytest.mark.parametrize("sid", sorted(SHAPES))
def test_shape_has_message(sid: str) -> None:
    shape = SHAPES[sid]
    constraints = list(SHAPES_GRAPH.objects(shape, SH.sparql))
    on_constraints = bool(constraints) and all((c, SH.message, None) in SHAPES_GRAPH for c in constraints)
    assert (shape, SH.message, None) in SHAPES_GRAPH or on_constraints, f"{sid} has no sh:message"
