/* The interactive network on /network, drawn with cytoscape.js (static/vendor/cytoscape):
   pan, zoom, drag, filter by kind, find a node, click a node to open its page.

   It draws the page's own drawing, the JSON in <script type="application/json"
   id="network-data"> (the same data as the SVG and /network.json), at the positions the server
   laid out so that no label covers another. Labels grow and shrink with the zoom, so none
   covers another at any zoom; those too small to read are left out until zoomed in, and a
   node's full name shows when pointed at. Without JavaScript, or when cytoscape does not
   load, the SVG and its table stay as they are; with it, the table stays under the view. */
(function () {
  "use strict";

  var FONT = 12; // the SVG's label size: the server measured label boxes at this size

  function elementsOf(data) {
    var nodes = data.nodes.map(function (n) {
      var classes = [n.show_label ? "labelled" : "", n.anchor === "end" ? "west" : "east", n.centre ? "centre" : ""];
      return {
        group: "nodes",
        data: { id: n.iri, label: n.label, text: n.text, kind: n.kind, colour: n.colour, url: n.url,
                size: 2 * n.r, degree: n.degree },
        position: { x: n.x, y: n.y },
        classes: classes.filter(Boolean).join(" ")
      };
    });
    var edges = data.edges.map(function (e, i) {
      return { group: "edges", data: { id: "link-" + i, source: e.source, target: e.target,
                                       says: e.says, width: 0.6 + 0.5 * Math.min(e.weight, 4) } };
    });
    return nodes.concat(edges);
  }

  var STYLE = [
    { selector: "node", style: { "background-color": "data(colour)", "width": "data(size)", "height": "data(size)",
                                 "label": "", "font-size": FONT, "color": "#1a1a1a", "text-valign": "center",
                                 "text-halign": "right", "text-margin-x": 3, "text-outline-color": "#ffffff",
                                 "text-outline-width": 2, "min-zoomed-font-size": 8 } },
    { selector: "node.labelled", style: { "label": "data(text)" } },
    { selector: "node.west", style: { "text-halign": "left", "text-margin-x": -3 } },
    { selector: "node.centre", style: { "border-width": 2.5, "border-color": "#111111" } },
    { selector: "node.pointed, node:selected", style: { "label": "data(label)", "z-index": 20, "min-zoomed-font-size": 0,
                                                        "border-width": 3, "border-color": "#000000",
                                                        "text-background-color": "#ffffff",
                                                        "text-background-opacity": 1, "text-background-padding": 2 } },
    { selector: "node.hidden-kind", style: { "display": "none" } },
    { selector: "edge", style: { "width": "data(width)", "line-color": "#8a8fa3", "opacity": 0.6,
                                 "curve-style": "haystack" } },
    { selector: "edge.pointed", style: { "line-color": "#333333", "opacity": 1 } }
  ];

  function normalised(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }

  function start() {
    var source = document.getElementById("network-data");
    var explorer = document.getElementById("network-explorer");
    var container = document.getElementById("network-canvas");
    if (!source || !explorer || !container || typeof window.cytoscape !== "function") {
      return; // the SVG stays
    }
    var data = JSON.parse(source.textContent);
    explorer.hidden = false; // cytoscape measures its container: it must be shown first
    var cy = window.cytoscape({
      container: container,
      elements: elementsOf(data),
      style: STYLE,
      layout: { name: "preset", fit: true, padding: 16 },
      minZoom: 0.05,
      maxZoom: 6,
      boxSelectionEnabled: false,
      selectionType: "single"
    });
    window.copNetwork = cy; // for the browser tests, and for anyone at the console

    // The SVG is replaced; its caption and table stay, for reading and for the keyboard.
    var figure = document.querySelector("main figure.network");
    if (figure) {
      figure.querySelectorAll(".network-picture, .network-legend").forEach(function (part) { part.hidden = true; });
    }

    cy.on("mouseover", "node", function (event) {
      var node = event.target;
      node.addClass("pointed");
      node.connectedEdges().addClass("pointed");
      container.title = node.data("label") + " (" + node.data("kind") + ", " + node.data("degree") + " link" +
        (node.data("degree") === 1 ? "" : "s") + ")";
    });
    cy.on("mouseout", "node", function (event) {
      event.target.removeClass("pointed");
      event.target.connectedEdges().removeClass("pointed");
      container.removeAttribute("title");
    });
    cy.on("mouseover", "edge", function (event) {
      var says = event.target.data("says");
      if (says) {
        container.title = says;
      }
    });
    cy.on("mouseout", "edge", function () { container.removeAttribute("title"); });
    cy.on("tap", "node", function (event) { // a tap is a click without a drag: dragging moves the node
      window.location.assign(event.target.data("url"));
    });

    explorer.querySelectorAll(".network-kinds input[type=checkbox]").forEach(function (box) {
      box.addEventListener("change", function () {
        cy.batch(function () {
          cy.nodes().filter(function (n) { return n.data("kind") === box.value; })
            .toggleClass("hidden-kind", !box.checked);
        });
      });
    });

    var zooms = {
      "in": function () { zoomBy(1.4); },
      "out": function () { zoomBy(1 / 1.4); },
      "fit": function () { cy.fit(cy.nodes(":visible"), 16); }
    };
    function zoomBy(factor) {
      cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    }
    explorer.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", zooms[button.getAttribute("data-zoom")]);
    });

    var form = document.getElementById("network-find");
    var input = document.getElementById("network-find-input");
    var found = document.getElementById("network-found");
    var last = { query: null, matches: [], index: 0 };
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = normalised(input.value);
      if (!query) {
        found.value = "";
        return;
      }
      if (query !== last.query) {
        var matches = cy.nodes(":visible").filter(function (n) {
          return normalised(n.data("label")).indexOf(query) >= 0;
        }).toArray();
        matches.sort(function (a, b) { // the exact name first, then the best connected
          var exact = (normalised(b.data("label")) === query) - (normalised(a.data("label")) === query);
          return exact || b.data("degree") - a.data("degree") || (a.data("label") < b.data("label") ? -1 : 1);
        });
        last = { query: query, matches: matches, index: 0 };
      } else if (last.matches.length) {
        last.index = (last.index + 1) % last.matches.length; // Find again: the next match
      }
      cy.nodes().unselect();
      if (!last.matches.length) {
        found.value = "No node shown is named like “" + input.value.trim() + "”.";
        return;
      }
      var node = last.matches[last.index];
      node.select();
      var zoom = Math.max(cy.zoom(), 1.5), at = node.position(); // the node itself in the middle, not its label
      cy.animate({ zoom: zoom, pan: { x: cy.width() / 2 - at.x * zoom, y: cy.height() / 2 - at.y * zoom } },
                 { duration: 250 });
      found.value = node.data("label") + " (" + node.data("kind") + ")" +
        (last.matches.length > 1 ? "; match " + (last.index + 1) + " of " + last.matches.length +
          ", Find again for the next" : "") + ". Click it to open its page.";
    });

    container.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
