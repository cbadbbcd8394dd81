"""Blueprint ``/rdr``: the COP's members beside the other companies of Ranking Digital Rights'
2022 Big Tech Scorecard on the indicators closest to the COP's topics (G4 human rights due
diligence, G5 stakeholder engagement, G6 remedy), for one index year (``?year=``), as HTML
with bars or as its JSON twin (``/rdr.json``)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for

from cop_graph.errors import ParameterError
from cop_graph.store.dataset import CopDataset
from cop_graph.web import twin
from cop_graph.web.links import resource_url
from cop_graph.web.pages.rdr import comparison_page, index_years

rdr_view = Blueprint("rdr_view", __name__)


def _dataset() -> CopDataset:
    return current_app.extensions["cop_dataset"]


@rdr_view.get("/rdr.json")
@rdr_view.get("/rdr")  # registered first, so url_for gives "/rdr"
def comparison() -> Response:
    loaded = _dataset()
    years = index_years(loaded)
    year = _year(years)
    page = comparison_page(loaded, year, years, resource_url, lambda y: url_for("rdr_view.comparison", year=y))
    return twin.respond(page, "rdr.html")


def _year(years: list[str]) -> str | None:
    """The index year asked for, else the latest; a year RDR's scorecard does not cover is a
    400 naming the parameter and the years it covers."""
    raw = request.args.get("year", "").strip()
    if not raw:
        return years[-1] if years else None
    if raw not in years:
        allowed = " or ".join(years) if years else "none: the scorecard is not in the loaded data"
        raise ParameterError(f"parameter 'year' must be an index year of RDR's scorecard ({allowed}); "
                             f"got {raw[:50]!r}")
    return raw
