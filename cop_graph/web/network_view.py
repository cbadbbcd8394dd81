"""The network view: the whole COP (or another projection) and the neighbourhood of any
resource. The page carries its drawing twice: as SVG whose nodes link to the resources'
pages (read without JavaScript), and as JSON in a data block that ``static/network.js`` draws
with cytoscape.js to pan, zoom, filter and search. A projection that would mislead as a
picture (everyone linked to everyone) is said in words instead.

URLs: ``/network?projection=&year=`` (default projection ``cop``) and
``/network?resource=<IRI>&radius=1`` for a neighbourhood; ``/network.json``,
``?format=json`` or ``Accept: application/json`` give the same drawing as JSON.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request, url_for

from cop_graph.analysis import network
from cop_graph.errors import ParameterError, UnknownResource
from cop_graph.web import twin
from cop_graph.web.links import checked_iri
from cop_graph.web.pages.network import NOTES, TITLES, neighbourhood, projection_drawing, years

network_view = Blueprint("network_view", __name__)


def _radius() -> int:
    text = request.args.get("radius", "1")
    if text not in ("1", "2", "3"):
        raise ParameterError(f"parameter 'radius' must be 1, 2 or 3 (links away from the resource); got {text!r}")
    return int(text)


@network_view.get("/network")
def view() -> Response:
    """A projection (``?projection=&year=``) or a neighbourhood (``?resource=&radius=``), as HTML or JSON."""
    loaded = current_app.extensions["cop_dataset"]
    iri = request.args.get("resource", "")
    if "resource" in request.args:
        checked_iri(iri, "resource")
        try:
            picture = neighbourhood(loaded, iri, _radius())
        except UnknownResource as exc:
            abort(404, description=str(exc))
    else:
        projection = request.args.get("projection") or "cop"
        if projection not in network.PROJECTIONS:
            raise ParameterError(f"unknown projection {projection!r}; choose one of: {', '.join(network.PROJECTIONS)}")
        picture = projection_drawing(loaded, projection, request.args.get("year") or None)
    return twin.respond(picture, "network.html", projections=network.PROJECTIONS, titles=TITLES,
                        years=years(loaded), note=NOTES.get(picture.projection or ""),
                        data=picture.as_json() if picture.nodes else None,
                        json_url=url_for("network_view.view_json", **request.args.to_dict()))


network_view.add_url_rule("/network.json", "view_json", view)
