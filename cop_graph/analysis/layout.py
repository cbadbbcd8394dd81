"""Where to draw each node of a network: networkx's force-directed layout per connected
component, the components packed in rows. Pure networkx, so every picture of the same data
is the same picture."""

from __future__ import annotations

import networkx as nx

ASPECT = 1.5  # width / height of each component's box


GAP = 1.0  # between component boxes, in the units of a box's side (square root of its node count)


def layout(simple: nx.Graph) -> tuple[dict[str, tuple[float, float]], float]:
    """Positions in [0, 1]² and the picture's width/height ratio. Each connected component
    gets networkx's force-directed layout (seeded: same data, same picture) in a box sized by
    its node count, and the boxes are packed in rows, biggest first, so that a few small
    islands do not squeeze the main component into a corner."""
    if len(simple) == 0:
        return {}, ASPECT
    parts = sorted((sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c))
    boxes = [(_unit(simple.subgraph(part)), ASPECT * len(part) ** 0.5, len(part) ** 0.5) for part in parts]
    row_limit = max(boxes[0][1], (ASPECT * sum((w + GAP) * (h + GAP) for _, w, h in boxes)) ** 0.5)
    placed, x, y, row_height = [], 0.0, 0.0, 0.0
    for positions, w, h in boxes:
        if x > 0 and x + w > row_limit:
            x, y, row_height = 0.0, y + row_height + GAP, 0.0
        placed.append((positions, x, y, w, h))
        x, row_height = x + w + GAP, max(row_height, h)
    total_w = max(px + w for _, px, _, w, _ in placed) or 1.0
    total_h = max(py + h for _, _, py, _, h in placed) or 1.0
    layout = {n: ((px + fx * w) / total_w, (py + fy * h) / total_h)
              for positions, px, py, w, h in placed for n, (fx, fy) in positions.items()}
    return layout, total_w / total_h


def _unit(component: nx.Graph) -> dict[str, tuple[float, float]]:
    """One connected component laid out in [0, 1]²."""
    if len(component) == 1:
        return {n: (0.5, 0.5) for n in component}
    raw = nx.spring_layout(component, seed=0, k=2.2 / len(component) ** 0.5, iterations=200)
    xs, ys = [p[0] for p in raw.values()], [p[1] for p in raw.values()]
    dx, dy = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    return {n: (float((p[0] - min(xs)) / dx), float((p[1] - min(ys)) / dy)) for n, p in raw.items()}

