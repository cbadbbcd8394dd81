"""The review side of linking: the report of uncertain, ambiguous, rejected and unmatched
organisations (CSV and HTML), and the decision file a reviewer answers it with.

The review CSV has the decision file's columns (external, cop, decision, reviewer, note), so
a reviewer can fill in ``decision`` (accept or reject) and pass the file back with
``--decisions``; rows left without a decision are ignored.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from cop_graph.errors import InputError
from cop_graph.linking.reconcile import Decision, Entity, Outcome

COLUMNS = ("external", "external_label", "status", "cop", "cop_label", "score", "method", "evidence",
           "decision", "reviewer", "note")
REQUIRED = ("external", "cop", "decision")
REVIEW_STATUSES = ("uncertain", "ambiguous", "rejected", "unmatched")


def review_rows(outcomes: list[Outcome], per_entity: int = 3) -> list[dict[str, str]]:
    """Every decision, so a reviewer sees what was linked as well as what was not: one row
    per link made (with its evidence, and the reviewer's decision if there was one), then one
    row per candidate (at most ``per_entity``) of every organisation left for review, and one
    row without a candidate for an organisation with none."""
    rows = []
    for outcome in outcomes:
        base = {"external": outcome.entity.iri, "external_label": outcome.entity.label, "status": outcome.status}
        if outcome.link is not None:
            link, decided = outcome.link, outcome.decision
            rows.append({**base, "cop": link.cop.iri, "cop_label": link.cop.label, "score": _score(link.score),
                         "method": link.method, "evidence": link.evidence,
                         **({"decision": "accept", "reviewer": decided.reviewer, "note": decided.note}
                            if decided is not None else {})})
            continue
        if outcome.status not in REVIEW_STATUSES:
            continue
        shown = outcome.candidates[:per_entity]
        for c in shown:
            rows.append({**base, "cop": c.cop.iri, "cop_label": c.cop.label, "score": _score(c.score),
                         "method": c.method, "evidence": c.evidence})
        if not shown:
            rows.append({**base, "evidence": "no COP organisation has a similar name or a shared identifier"})
    return [{k: row.get(k) or "" for k in COLUMNS} for row in rows]


def _score(score: float | None) -> str:
    return "" if score is None else f"{score:.2f}"


def render_review(rows: list[dict[str, str]], title: str) -> tuple[str, str]:
    """The review report as CSV (for a spreadsheet or a decision file) and as an HTML page."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    html = _environment().get_template("review.html").render(title=title, rows=rows, columns=COLUMNS)
    return buffer.getvalue(), html


def _environment() -> Environment:
    loader = PackageLoader("cop_graph.linking", "templates")
    return Environment(loader=loader, autoescape=select_autoescape(default=True))


def read_decisions(path: Path, external: dict[str, Entity], cop: dict[str, Entity], base: str) -> list[Decision]:
    """The reviewed pairs of a decision file, each checked: a known imported organisation, a
    COP organisation (full IRI or relative to the base, e.g. org/apple), accept or reject."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read the decision file: {getattr(exc, 'strerror', None) or exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(path, f"the decision file needs the columns {', '.join(REQUIRED)} (and may have reviewer, "
                               f"note); missing: {', '.join(missing)}", 1)
    decisions: list[Decision] = []
    for row in reader:
        line = reader.line_num
        decision = (row.get("decision") or "").strip().lower()
        if not decision:
            continue
        decisions.append(_decision(path, line, row, decision, external, cop, base))
    _check_conflicts(path, decisions)
    return decisions


def _decision(path: Path, line: int, row: dict, decision: str, external: dict[str, Entity],
              cop: dict[str, Entity], base: str) -> Decision:
    if decision not in ("accept", "reject"):
        raise InputError(path, f"decision must be accept or reject, got {row['decision']!r}", line)
    ext = (row.get("external") or "").strip()
    if ext not in external:
        raise InputError(path, f"{ext!r} is not an organisation of the imported dataset", line)
    target = (row.get("cop") or "").strip()
    if target and ":" not in target:
        target = base + target.lstrip("/")
    if target not in cop:
        raise InputError(path, f"{row.get('cop')!r} is not an organisation of the COP graph", line)
    return Decision(ext, target, decision == "accept", (row.get("reviewer") or "").strip(),
                    (row.get("note") or "").strip(), line)


def _check_conflicts(path: Path, decisions: list[Decision]) -> None:
    seen: dict[tuple[str, str], Decision] = {}
    accepted: dict[str, Decision] = {}
    for d in decisions:
        earlier = seen.setdefault((d.external, d.cop), d)
        if earlier is not d:
            raise InputError(path, f"this pair was already decided on line {earlier.line}", d.line)
        if d.accept:
            other = accepted.setdefault(d.external, d)
            if other is not d:
                raise InputError(path, f"{d.external} is already accepted as {other.cop} on line {other.line}; "
                                       "accept one COP organisation per imported one", d.line)
