"""`cop-graph link`: the linkset of an imported dataset as RDF, and the run that writes it
with its review report.

Each link is a ``skos:exactMatch`` (identifier or same normalised name) or ``skos:closeMatch``
(a lower score a reviewer or a lower threshold accepted) from the imported organisation to
the COP's, described by an ``sssom:Mapping`` (the statement by ``owl:annotatedSource``,
``owl:annotatedProperty``, ``owl:annotatedTarget`` as in SSSOM's RDF; ``sssom:confidence``,
``sssom:mapping_justification`` from SEMAPV, ``sssom:match_string``, labels) with the
evidence in ``skos:note``. It is not typed ``owl:Axiom``: the COP shapes give that type's
SKOS mappings to topic mappings (copsh:MappingShape). One ``void:Linkset`` per link property. The file is written
atomically, after it has read back and passed the COP shapes with the imported dataset.
"""

from __future__ import annotations

import datetime
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, QB, SKOS, VOID, XSD

from cop_graph.config import Config
from cop_graph.errors import InputError, OutputError
from cop_graph.files import write_together
from cop_graph.linking.reconcile import Outcome, load_sides, match_all
from cop_graph.linking.review import read_decisions, render_review, review_rows
from cop_graph.rdf.namespaces import COP, bind_prefixes
from cop_graph.rdf.parsing import parse_file
from cop_graph.store.dataset import CopDataset, load_dataset
from cop_graph.validation.validate import validate

ADMS = Namespace("http://www.w3.org/ns/adms#")
SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
# The whole dataset first (a catalogue's dataset), then a statistical one (a qb:DataSet that
# may be one of several parts).
_DATASET_TYPES = (URIRef("http://www.w3.org/ns/dcat#Dataset"), VOID.Dataset, URIRef("https://schema.org/Dataset"),
                  QB.DataSet)


@dataclass(frozen=True)
class LinkResult:
    name: str
    outcomes: list[Outcome]
    linkset: Path
    review_csv: Path
    review_html: Path
    to_review: int


def resolve_dataset(dataset: str, config: Config) -> Path:
    """An imported file, or the name of one under data/imports/."""
    path = Path(dataset)
    if path.is_file():
        return path
    named = config.data_dir / "imports" / f"{dataset}.ttl"
    if "/" not in dataset and named.is_file():
        return named
    raise InputError(dataset, "no such imported file, and no data/imports/<name>.ttl by that name")


def link_dataset(dataset: Path, config: Config, threshold: float = 0.9, floor: float = 0.6,
                 decisions: Path | None = None, output: Path | None = None) -> LinkResult:
    name = dataset.stem
    imported, external, cop = load_sides(dataset, config)
    reviewed = read_decisions(decisions, external, cop, config.base) if decisions else []
    outcomes = match_all(external, cop, threshold, floor, reviewed)
    output = output or config.data_dir / "links" / f"{name}-links.ttl"
    if not output.parent.exists() and output.parent == config.data_dir / "links":
        output.parent.mkdir()
    graph = build_linkset(name, imported, outcomes, config.base)
    text = f"# Linkset of {name} to the COP graph, written by `cop-graph link`; review: {name}-review.csv\n" + \
        graph.serialize(format="turtle")
    rows = review_rows(outcomes)
    csv_path, html_path = output.parent / f"{name}-review.csv", output.parent / f"{name}-review.html"
    review_csv, review_html = render_review(rows, f"Links of {name} to the COP graph: every decision, and what "
                                                  "to review")
    write_together([  # the linkset and its review report: all new, or all as they were
        (output, lambda p: p.write_text(text, encoding="utf-8"), lambda p: _check(p, dataset, graph, config)),
        (csv_path, lambda p: p.write_text(review_csv, encoding="utf-8"), None),
        (html_path, lambda p: p.write_text(review_html, encoding="utf-8"), None),
    ])
    return LinkResult(name, outcomes, output, csv_path, html_path,
                      len({r["external"] for r in rows if r["status"] != "linked"}))


def build_linkset(name: str, imported: CopDataset, outcomes: list[Outcome], base: str) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("sssom", SSSOM)
    graph.bind("semapv", SEMAPV)
    graph.bind("adms", ADMS)
    source = _dataset_node(imported, name, base)
    graph.add((source, RDF.type, DCTERMS.BibliographicResource))
    graph.add((source, RDFS.label, _dataset_label(imported, source, name)))
    agent = URIRef(base + "agent/cop-graph-link")
    graph.add((agent, RDF.type, PROV.SoftwareAgent))
    graph.add((agent, RDF.type, PROV.Agent))
    graph.add((agent, RDFS.label, Literal("cop-graph link", lang="en")))
    linked = [o for o in outcomes if o.link is not None]
    for predicate in sorted({o.predicate for o in linked}):
        links = [o for o in linked if o.predicate == predicate]
        linkset = _linkset(graph, name, predicate, len(links), source, agent, base)
        for outcome in links:
            _link(graph, name, outcome, SKOS[predicate], linkset, source, base)
    return graph


def _dataset_node(imported: CopDataset, name: str, base: str) -> URIRef:
    for kind in _DATASET_TYPES:
        found = sorted(s for s in imported.dataset.subjects(RDF.type, kind) if isinstance(s, URIRef))
        whole = [s for s in found if (s, DCTERMS.isPartOf, None) not in imported.dataset]
        if whole or found:
            return (whole or found)[0]
    return URIRef(f"{base}import/{name}/dataset")


def _dataset_label(imported: CopDataset, node: URIRef, name: str) -> Literal:
    for prop in (RDFS.label, DCTERMS.title):
        value = imported.dataset.value(node, prop)
        if isinstance(value, Literal):
            return value
    return Literal(name)


def _linkset(graph: Graph, name: str, predicate: str, count: int, source: URIRef, agent: URIRef,
             base: str) -> URIRef:
    linkset = URIRef(f"{base}linkset/{name}/{predicate}")
    label = Literal(f"{name} to the COP graph: skos:{predicate}", lang="en")
    for p, o in ((RDF.type, VOID.Linkset), (RDFS.label, label),
                 (VOID.subjectsTarget, source), (VOID.objectsTarget, URIRef(base + "dataset")),
                 (VOID.linkPredicate, SKOS[predicate]), (VOID.triples, Literal(count)), (DCTERMS.source, source),
                 (DCTERMS.created, Literal(datetime.date.today().isoformat(), datatype=XSD.date)),
                 (PROV.wasAttributedTo, agent)):
        graph.add((linkset, p, o))
    return linkset


def _slug(iri: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]) or "x"


def _link(graph: Graph, name: str, outcome: Outcome, predicate: URIRef, linkset: URIRef, source: URIRef,
          base: str) -> None:
    link = outcome.link
    subject, target = URIRef(outcome.entity.iri), URIRef(link.cop.iri)
    graph.add((subject, predicate, target))
    axiom = URIRef(f"{base}link/{name}/{_slug(outcome.entity.iri)}/{_slug(link.cop.iri)}")
    statements = [
        (RDF.type, SSSOM.Mapping),
        (RDFS.label, Literal(f"{outcome.entity.label} matches {link.cop.label}", lang="en")),
        (OWL.annotatedSource, subject), (OWL.annotatedProperty, predicate), (OWL.annotatedTarget, target),
        (DCTERMS.isPartOf, linkset), (DCTERMS.source, source),
        (SSSOM.mapping_justification, SEMAPV[link.justification]),
        (SSSOM.subject_label, Literal(outcome.entity.label)), (SSSOM.object_label, Literal(link.cop.label)),
        (SKOS.note, Literal(link.evidence, lang="en")),
    ]
    if link.score is not None:
        statements.append((SSSOM.confidence, Literal(Decimal(f"{link.score:.2f}"))))
    if link.match_string:
        statements.append((SSSOM.match_string, Literal(link.match_string)))
    # a rule's match stays for review until a person accepts it in the decision file
    statements.append((ADMS.status, COP.Confirmed if outcome.decision is not None else COP.ForReview))
    if outcome.decision is not None:
        statements.append((SSSOM.mapping_justification, SEMAPV.ManualMappingCuration))
        if outcome.decision.reviewer:
            statements.append((SSSOM.reviewer_label, Literal(outcome.decision.reviewer)))
    for p, o in statements:
        graph.add((axiom, p, o))


def _check(written: Path, dataset: Path, graph: Graph, config: Config) -> None:
    """The file reads back as the same graph and, with the imported dataset and the ontology,
    passes the COP shapes (linksets and link descriptions)."""
    from rdflib.compare import isomorphic

    if not isomorphic(parse_file(written, "turtle"), graph):
        raise OutputError(f"{written}: the linkset did not read back as the same graph; nothing was written")
    with tempfile.TemporaryDirectory(prefix="cop-graph-link-") as folder:
        candidate = Path(folder) / "linkset.ttl"
        candidate.write_text(written.read_text(encoding="utf-8"), encoding="utf-8")
        loaded = load_dataset([*config.ontology_files, dataset, candidate], config=config, bundled=False)
        report = validate(loaded)
    if not report.conforms:
        raise OutputError("the linkset does not conform to the COP shapes; nothing was written\n" + report.to_text())
