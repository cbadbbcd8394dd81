// The query editor on /sparql: the page's textarea becomes a SPARQL editor (Yasqe, from the
// vendored Yasgui bundle) that completes this dataset's prefixes, classes and properties from
// /sparql/terms.json, and queries go to this server's own endpoint, their answers shown below
// as a table, a chart, a graph of nodes and links (CONSTRUCT and DESCRIBE) or the response as
// sent (Turtle for CONSTRUCT and DESCRIBE). Without JavaScript, or if the bundle is missing, the
// form sends the textarea as it always did.
"use strict";

(() => {
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  if (!form || !textarea) return;
  if (typeof Yasgui === "undefined" || !Yasgui.Yasqe || !Yasgui.Yasr) {
    plainEditor(form, textarea);
    return;
  }
  const { Yasqe, Yasr } = Yasgui;
  const terms = dataset(form.dataset.terms);
  registerCompleters(Yasqe, terms);
  Yasr.registerPlugin("table", resultTable(terms));
  Yasr.registerPlugin("chart", resultChart(terms));
  Yasr.registerPlugin("graph", resultGraph(terms, form.dataset.cytoscape));
  const yasqe = makeEditor(Yasqe, form, textarea);
  const yasr = makeResults(Yasr);
  connect(form, textarea, yasqe, yasr);
})();

// --- the dataset's terms ------------------------------------------------------------------

/** The prefixes, classes and properties of the loaded data, fetched once from this server;
 * ``cached`` holds them once they are here (suggestions are written synchronously). */
function dataset(url) {
  let loading = null;
  const terms = () => {
    loading = loading || fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(response.statusText))))
      .then((found) => {
        const all = [...found.classes, ...found.properties];
        terms.cached = { ...found, byIri: new Map(all.map((t) => [t.iri, t])) };
        return terms.cached;
      });
    return loading;
  };
  terms.cached = null;
  return terms;
}

/** Yasqe's own completers ask prefix.cc and Linked Open Vocabularies; these ask this server. */
function registerCompleters(Yasqe, terms) {
  Yasqe.forkAutocompleter("prefixes", {
    name: "dataset-prefixes",
    persistenceId: null,
    get: () => terms().then((t) => Object.entries(t.prefixes).map(([prefix, iri]) => `${prefix}: <${iri}>`).sort()),
  }, false);
  Yasqe.forkAutocompleter("class", termCompleter("dataset-classes", "classes", terms), false);
  Yasqe.forkAutocompleter("property", termCompleter("dataset-properties", "properties", terms), false);
  Yasqe.defaults.autocompleters = ["variables", "dataset-prefixes", "dataset-properties", "dataset-classes"];
}

function termCompleter(name, kind, terms) {
  const written = new Map(); // the text a suggestion is written as -> its term, for its label
  return {
    name,
    autoShow: true,
    persistenceId: null,
    get: (yasqe, token) => terms().then((t) => matching(t[kind], token).map((term) => term.iri)),
    postProcessSuggestion: (yasqe, token, iri) => {
      const term = terms.cached && terms.cached.byIri.get(iri);
      let text = `<${iri}>`;
      if (token.tokenPrefix && token.tokenPrefixUri && iri.startsWith(token.tokenPrefixUri)) {
        text = token.tokenPrefix + iri.slice(token.tokenPrefixUri.length);
      } else if (term && !term.curie.startsWith("<")) {
        text = term.curie; // every prefix of ours is predeclared; Yasqe adds its PREFIX line too
      }
      if (term) written.set(text, term);
      return text;
    },
    postprocessHints: (yasqe, hints) => hints.map((hint) => ({ ...hint, render: (el) => renderHint(el, hint, written.get(hint.text)) })),
  };
}

/** The terms whose IRI or prefixed name starts with what was typed, most used first. */
function matching(list, token) {
  const typed = (token && (token.autocompletionString || token.string) || "").trim().replace(/^</, "").toLowerCase();
  return list.filter((t) => t.iri.toLowerCase().startsWith(typed) || t.curie.toLowerCase().startsWith(typed)).slice(0, 60);
}

function renderHint(el, hint, term) {
  el.appendChild(document.createTextNode(hint.text));
  if (term && term.label) {
    const label = document.createElement("span");
    label.className = "hint-label";
    label.textContent = ` ${term.label}`;
    el.appendChild(label);
  }
}

// --- the editor and the results ------------------------------------------------------------

function makeEditor(Yasqe, form, textarea) {
  const host = document.createElement("div");
  host.className = "query-editor";
  textarea.after(host);
  textarea.hidden = true;
  const yasqe = new Yasqe(host, {
    value: textarea.value,
    persistenceId: null,
    consumeShareLink: null,
    createShareableLink: null,
    showQueryButton: false,
    editorHeight: "20rem",
    screenReaderLabel: "SPARQL query",
    autocompleters: Yasqe.defaults.autocompleters.slice(),
    hintConfig: { container: host },
    requestConfig: {
      endpoint: new URL(form.getAttribute("action"), window.location.href).href,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
      acceptHeaderUpdate: "text/plain",
      args: datasetArgs(form),
    },
  });
  const input = yasqe.getInputField();
  input.id = "query-editor-input";
  document.querySelector("label[for='query']").htmlFor = input.id;
  yasqe.on("change", () => { textarea.value = yasqe.getValue(); });
  const help = form.querySelector(".editor-help");
  if (help) help.hidden = false;
  return yasqe;
}

function datasetArgs(form) {
  return [...form.querySelectorAll("input[type=hidden][name$='-graph-uri']")].map((i) => ({ name: i.name, value: i.value }));
}

function makeResults(Yasr) {
  const section = document.getElementById("live-results");
  const status = document.createElement("p");
  status.className = "query-status";
  status.setAttribute("role", "status");
  section.appendChild(status);
  const yasr = new Yasr(section, {
    persistenceId: null,
    pluginOrder: ["table", "graph", "chart", "response"],
    defaultPlugin: "table",
    errorRenderers: [renderError],
  });
  yasr.statusEl = status;
  yasr.on("drawn", (instance, plugin) => {
    if (plugin.cm) plugin.cm.getInputField().setAttribute("aria-label", "The response as the server sent it");
  });
  return yasr;
}

/** An error answer as the page shows errors: the server's message, with its line and column. */
function renderError(error) {
  const box = document.createElement("div");
  box.className = "query-error";
  const message = document.createElement("p");
  message.className = "message";
  message.textContent = (error && error.text) || "The query could not be answered.";
  box.appendChild(message);
  return box;
}

function connect(form, textarea, yasqe, yasr) {
  const section = document.getElementById("live-results");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    yasqe.query().catch(() => {}); // a failed query is shown by its answer, below
  });
  yasqe.on("query", () => {
    section.hidden = false;
    yasr.statusEl.textContent = "Running the query…";
    document.querySelectorAll("main > section.results, main > .query-error").forEach((el) => el.remove());
    rememberQuery(form, yasqe.getValue());
  });
  // Yasr keeps one chosen view for every answer; here each kind of answer opens in the view last
  // chosen for that kind, a graph (CONSTRUCT, DESCRIBE) first as a graph, bindings as a table.
  const views = { graph: "graph", bindings: "table" };
  yasr.on("change", () => {
    const chosen = yasr.selectedPlugin;
    if (yasr.results && chosen && yasr.plugins[chosen] && yasr.plugins[chosen].canHandleResults()) {
      views[yasr.results.getType() === "ttl" ? "graph" : "bindings"] = chosen;
    }
  });
  yasqe.on("queryResponse", (instance, response, duration) => {
    yasr.statusEl.textContent = "";
    yasr.selectedPlugin = views[isGraphResponse(response) ? "graph" : "bindings"];
    yasr.setResponse(response, duration);
    markError(yasqe, response);
  });
  document.addEventListener("click", (event) => loadExample(event, yasqe));
  showServerError(textarea, yasqe);
}

/** Whether an answer is a graph (CONSTRUCT, DESCRIBE), from its media type, before Yasr reads it. */
function isGraphResponse(response) {
  const type = response && response.headers && response.headers.get ? response.headers.get("Content-Type") : null;
  return typeof type === "string" && /turtle|n-triples|trig|n-quads/.test(type);
}

/** The page's URL says which query it shows, so it can be reloaded or shared (without
 * JavaScript too); a query too long for a URL is left out of it. */
function rememberQuery(form, text) {
  const url = new URL(form.getAttribute("action"), window.location.href);
  for (const input of form.querySelectorAll("input[type=hidden]")) url.searchParams.append(input.name, input.value);
  url.searchParams.set("query", text);
  const shown = url.href.length < 8000 ? url.pathname + url.search : url.pathname;
  window.history.replaceState(null, "", shown);
}

/** The cursor goes where the server says the error is (``line 3, column 10``). */
function markError(yasqe, response) {
  const found = response instanceof Error && /line (\d+), column (\d+)/.exec(response.message);
  if (!found) return;
  const line = Number(found[1]) - 1;
  const ch = Math.max(0, Number(found[2]) - 1);
  yasqe.focus();
  yasqe.getDoc().setSelection({ line, ch }, { line, ch: ch + 1 });
}

function loadExample(event, yasqe) {
  const link = event.target.closest ? event.target.closest("a.example[data-sparql]") : null;
  if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
    return; // modified clicks open the link in a new tab or window as usual
  }
  event.preventDefault();
  yasqe.setValue(link.dataset.sparql);
  yasqe.focus();
  yasqe.getDoc().setCursor({ line: 0, ch: 0 });
  yasqe.getWrapperElement().scrollIntoView({ block: "nearest" });
}

function showServerError(textarea, yasqe) {
  const offset = Number.parseInt(textarea.dataset.errorOffset, 10);
  if (!Number.isInteger(offset)) return;
  const doc = yasqe.getDoc();
  yasqe.focus();
  doc.setSelection(doc.posFromIndex(offset), doc.posFromIndex(offset + 1));
}

// --- result views ----------------------------------------------------------------------------

const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "short", "byte",
  "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
  "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"].map((name) => XSD + name));

function svgElement(name, attributes = {}) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
  return el;
}

function element(name, className, text) {
  const el = document.createElement(name);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function icon(path) {
  const svg = svgElement("svg", { viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true" });
  svg.appendChild(svgElement("path", { d: path }));
  return svg;
}

function bindingsOf(yasr) {
  const results = yasr.results;
  if (!results || results.getError()) return null;
  const bindings = results.getBindings();
  return Array.isArray(bindings) ? { vars: results.getVariables() || [], rows: bindings } : null;
}

/** How a term is written: a prefixed name, a path under the base, or the IRI. */
function shortForm(iri, known) {
  if (known) {
    for (const [prefix, namespace] of Object.entries(known.prefixes)) {
      const local = iri.startsWith(namespace) ? iri.slice(namespace.length) : null;
      if (local && /^[\w.-]+$/.test(local)) return `${prefix}:${local}`;
    }
    if (iri.startsWith(known.base) && iri.length > known.base.length) return `<${iri.slice(known.base.length)}>`;
  }
  return `<${iri}>`;
}

function resultTable(terms) {
  return class ResultTable {
    constructor(yasr) {
      this.yasr = yasr;
      this.label = "Table";
      this.priority = 10;
    }

    canHandleResults() {
      const found = bindingsOf(this.yasr);
      return Boolean(found && found.vars.length);
    }

    getIcon() {
      return icon("M1 2h14v12H1zM2 3v3h5V3zm6 0v3h6V3zM2 7v3h5V7zm6 0v3h6V7zm-6 4v2h5v-2zm6 0v2h6v-2z");
    }

    async draw() {
      const known = await terms().catch(() => null);
      const { vars, rows } = bindingsOf(this.yasr);
      const graph = this.yasr.results.getType() === "ttl";
      const unit = graph ? (rows.length === 1 ? "triple" : "triples") : (rows.length === 1 ? "row" : "rows");
      const box = element("div", "results live");
      const count = element("p", "result-count");
      count.append(element("span", "rows", rows.length.toLocaleString("en")), ` ${unit}.`);
      box.appendChild(count);
      const headers = this.yasr.results.res && this.yasr.results.res.headers;
      if (headers && headers.get("X-Result-Truncated")) {
        box.appendChild(element("p", "truncated", "The result was cut at the row limit: add LIMIT and OFFSET "
          + "to the query to go through the rest."));
      }
      const wrap = element("div", "table-wrap");
      const table = element("table", "results-table");
      const head = table.createTHead().insertRow();
      for (const name of vars) {
        const th = element("th", null, name);
        th.scope = "col";
        head.appendChild(th);
      }
      const body = table.createTBody();
      for (const row of rows) {
        const tr = body.insertRow();
        for (const name of vars) tr.insertCell().appendChild(cell(row[name], known));
      }
      wrap.appendChild(table);
      box.appendChild(wrap);
      this.yasr.resultsEl.appendChild(box);
    }

    download() {
      const results = this.yasr.results;
      if (!results || !results.asCsv) return undefined;
      return { getData: () => results.asCsv(), contentType: "text/csv", filename: "results.csv", title: "Download as CSV" };
    }
  };
}

/** Where an IRI's page is: its own path for a plain one under the base (as web/links.py
 * serves it), /resource?iri=… for any other, which serves every IRI. */
function pageOf(iri, known) {
  const path = known && iri.startsWith(known.base) ? iri.slice(known.base.length) : "";
  const first = path.split("/")[0];
  const plain = /^[A-Za-z0-9_.~-]+(\/[A-Za-z0-9_.~-]+)*$/.test(path)
    && !path.split("/").some((part) => part === "." || part === "..")
    && !known.links.reserved.includes(first) && !known.links.reserved.includes(first.split(".")[0])
    && !known.links.suffixes.some((suffix) => path.endsWith(suffix));
  return plain ? `/${path}` : `/resource?iri=${encodeURIComponent(iri)}`;
}

/** One value as the server's tables show it: IRIs link to their page here. */
function cell(term, known) {
  const fragment = document.createDocumentFragment();
  if (!term) return fragment;
  if (term.type === "uri") {
    const link = element("a", "iri", shortForm(term.value, known));
    link.href = pageOf(term.value, known);
    link.title = term.value;
    fragment.appendChild(link);
  } else if (term.type === "bnode") {
    fragment.appendChild(element("span", "bnode", `_:${term.value}`));
  } else {
    fragment.appendChild(element("span", "literal", term.value));
    if (term["xml:lang"]) fragment.append(" ", element("small", "lang", `@${term["xml:lang"]}`));
    const datatype = term.datatype;
    if (datatype && datatype !== `${XSD}string` && !term["xml:lang"]) {
      fragment.append(" ", element("small", "datatype", shortForm(datatype, known).replace(/^<(.*)>$/, "$1")));
    }
  }
  return fragment;
}

// A chart of the numbers in a result: bars, or a line when the rows are years or dates.
const CHART_ROWS = 60;

function chartData(found, known) {
  if (!found || !found.rows.length) return null;
  const numeric = (name) => {
    const bound = found.rows.map((row) => row[name]).filter(Boolean);
    return bound.length > 0 && bound.every((t) => t.type.endsWith("literal") && NUMERIC.has(t.datatype));
  };
  const series = found.vars.filter(numeric);
  if (!series.length) return null;
  const others = found.vars.filter((name) => !series.includes(name));
  const literals = others.filter((name) => found.rows.some((row) => row[name] && row[name].type !== "uri"));
  const candidates = literals.length ? literals : others;
  // a column with one value for every row names none of them apart: it goes to the caption
  const varying = candidates.filter((name) => new Set(found.rows.map((row) => written(row[name], known))).size > 1);
  const naming = varying.length ? varying : candidates;
  const shared = candidates.filter((name) => !naming.includes(name))
    .map((name) => `${name} ${written(found.rows[0][name], known)}`);
  const rows = found.rows.slice(0, CHART_ROWS).map((row, i) => ({
    label: naming.map((name) => written(row[name], known)).filter(Boolean).join(" · ") || String(i + 1),
    values: series.map((name) => (row[name] ? Number(row[name].value) : 0)),
  }));
  const dated = rows.every((row) => /^\d{4}(-\d{2}){0,2}$/.test(row.label));
  return { series, rows, shared, total: found.rows.length, kind: dated && rows.length > 1 ? "line" : "bar" };
}

function written(term, known) {
  if (!term) return "";
  return term.type === "uri" ? shortForm(term.value, known) : term.value;
}

function resultChart(terms) {
  return class ResultChart {
    constructor(yasr) {
      this.yasr = yasr;
      this.label = "Chart";
      this.priority = 5;
    }

    canHandleResults() {
      return chartData(bindingsOf(this.yasr), terms.cached) !== null;
    }

    getIcon() {
      return icon("M1 14h14v1H1zM2 8h3v5H2zm4-5h3v10H6zm4 3h3v7h-3z");
    }

    draw() {
      const data = chartData(bindingsOf(this.yasr), terms.cached);
      const figure = element("figure", "result-chart");
      const width = Math.max(300, Math.min(900, this.yasr.resultsEl.clientWidth || 600));
      const title = `${data.kind === "line" ? "Line" : "Bar"} chart of ${data.series.join(", ")}`
        + (data.shared.length ? ` (${data.shared.join(", ")})` : "");
      figure.appendChild(data.kind === "line" ? lineChart(data, width, title) : barChart(data, width, title));
      if (data.series.length > 1) figure.appendChild(legend(data.series));
      const caption = data.total > data.rows.length
        ? `${title}: the first ${data.rows.length} of ${data.total} rows.` : `${title}.`;
      figure.appendChild(element("figcaption", null, caption));
      this.yasr.resultsEl.appendChild(figure);
    }
  };
}

function chartSvg(width, height, title) {
  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "chart" });
  svg.appendChild(svgElement("title")).textContent = title;
  return svg;
}

function fitted(text, characters) {
  return text.length > characters ? `${text.slice(0, Math.max(1, characters - 1))}…` : text;
}

function barChart(data, width, title) {
  const band = 8 + 14 * data.series.length;
  const labelWidth = Math.min(220, Math.round(width * 0.38));
  const plot = width - labelWidth - 56;
  const height = data.rows.length * band + 8;
  const top = Math.max(...data.rows.flatMap((row) => row.values), 0) || 1;
  const svg = chartSvg(width, height, title);
  data.rows.forEach((row, i) => {
    const y = 4 + i * band;
    const label = svgElement("text", { x: labelWidth - 6, y: y + band / 2, "text-anchor": "end", "dominant-baseline": "middle", class: "chart-label" });
    label.textContent = fitted(row.label, Math.floor(labelWidth / 7.5));
    label.appendChild(svgElement("title")).textContent = row.label;
    svg.appendChild(label);
    row.values.forEach((value, s) => {
      const barY = y + 4 + s * 14;
      const length = Math.max(1, Math.round((Math.max(value, 0) / top) * plot));
      const bar = svgElement("rect", { x: labelWidth, y: barY, width: length, height: 12, class: `chart-bar chart-series-${s % 4}` });
      bar.appendChild(svgElement("title")).textContent = `${row.label}, ${data.series[s]}: ${value}`;
      svg.appendChild(bar);
      const shown = svgElement("text", { x: labelWidth + length + 4, y: barY + 6, "dominant-baseline": "middle", class: "chart-value" });
      shown.textContent = String(value);
      svg.appendChild(shown);
    });
  });
  svg.appendChild(svgElement("line", { x1: labelWidth, y1: 0, x2: labelWidth, y2: height, class: "chart-axis" }));
  return svg;
}

function lineChart(data, width, title) {
  const height = 260;
  const left = 44;
  const bottom = 28;
  const plotWidth = width - left - 16;
  const plotHeight = height - bottom - 12;
  const highest = Math.max(...data.rows.flatMap((row) => row.values), 0) || 1;
  const whole = data.rows.every((row) => row.values.every(Number.isInteger));
  const step = whole ? Math.max(1, Math.ceil(highest / 4)) : highest / 4; // counts get whole ticks
  const top = step * 4;
  const x = (i) => left + (data.rows.length === 1 ? plotWidth / 2 : (i * plotWidth) / (data.rows.length - 1));
  const y = (value) => 12 + plotHeight - (Math.max(value, 0) / top) * plotHeight;
  const svg = chartSvg(width, height, title);
  for (let tick = 0; tick <= 4; tick += 1) {
    const value = step * tick;
    svg.appendChild(svgElement("line", { x1: left, y1: y(value), x2: width - 16, y2: y(value), class: "chart-grid" }));
    const label = svgElement("text", { x: left - 6, y: y(value), "text-anchor": "end", "dominant-baseline": "middle", class: "chart-value" });
    label.textContent = Number.isInteger(value) ? String(value) : value.toFixed(1);
    svg.appendChild(label);
  }
  const every = Math.max(1, Math.ceil((data.rows.length * 48) / plotWidth));
  data.rows.forEach((row, i) => {
    if (i % every) return;
    const label = svgElement("text", { x: x(i), y: height - 8, "text-anchor": "middle", class: "chart-label" });
    label.textContent = row.label;
    svg.appendChild(label);
  });
  data.series.forEach((name, s) => {
    const points = data.rows.map((row, i) => `${x(i)},${y(row.values[s])}`).join(" ");
    svg.appendChild(svgElement("polyline", { points, class: `chart-line chart-series-${s % 4}` }));
    data.rows.forEach((row, i) => {
      const dot = svgElement("circle", { cx: x(i), cy: y(row.values[s]), r: 3.5, class: `chart-dot chart-series-${s % 4}` });
      dot.appendChild(svgElement("title")).textContent = `${row.label}, ${name}: ${row.values[s]}`;
      svg.appendChild(dot);
    });
  });
  return svg;
}

function legend(series) {
  const list = element("ul", "legend chart-legend");
  series.forEach((name, s) => {
    const item = element("li");
    const swatch = svgElement("svg", { width: 12, height: 12, "aria-hidden": "true" });
    swatch.appendChild(svgElement("rect", { width: 12, height: 12, class: `chart-bar chart-series-${s % 4}` }));
    item.append(swatch, ` ${name}`);
    list.appendChild(item);
  });
  return list;
}

// --- the graph view: a CONSTRUCT or DESCRIBE answer as nodes and links, drawn with cytoscape.js ---

// More triples than this take long to lay out and are too dense to read; the table has them all.
const GRAPH_TRIPLES = 500;
// The literals that name a resource, in the order the server's pages choose them (rdf/labels.py).
const NAMES = ["http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
  "https://schema.org/name", "http://xmlns.com/foaf/0.1/name", "http://purl.org/dc/terms/title"];
const TOOLTIP_VALUES = 12; // a node's tooltip lists this many of its values, then how many more

/** The triples of a graph answer (Yasr reads Turtle into subject, predicate, object rows). */
function triplesOf(yasr) {
  const found = bindingsOf(yasr);
  return found && yasr.results.getType() === "ttl" ? found.rows : null;
}

/** cytoscape.js is loaded the first time a graph is drawn, from this server, unless it already is. */
function cytoscapeFrom(url) {
  if (typeof window.cytoscape === "function") return Promise.resolve(window.cytoscape);
  if (!url) return Promise.reject(new Error("no address for cytoscape.js"));
  cytoscapeFrom.loading = cytoscapeFrom.loading || new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.addEventListener("load", () => (typeof window.cytoscape === "function"
      ? resolve(window.cytoscape) : reject(new Error("cytoscape.js did not start"))));
    script.addEventListener("error", () => reject(new Error("cytoscape.js could not be loaded")));
    document.head.appendChild(script);
  }).catch((error) => {
    cytoscapeFrom.loading = null; // the next graph tries again
    throw error;
  });
  return cytoscapeFrom.loading;
}

/** A property's or class's name for people: its label in the dataset's terms, else its local
 * name in words ("memberDuring" → "member during"), else its short form. */
function termName(iri, known) {
  const term = known && known.byIri.get(iri);
  if (term && term.label) return term.label;
  const local = iri.split(/[/#]/).pop();
  if (local && /^[A-Za-z][\w-]*$/.test(local)) {
    return local.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/_/g, " ").toLowerCase();
  }
  return shortForm(iri, known);
}

/** The name a resource is drawn with: a naming literal of the answer (English, then untagged,
 * then any), else the term list's label for a class or property, else its short form. */
function nodeName(node, known) {
  for (const property of NAMES) {
    const values = node.literals.filter((v) => v.property === property).map((v) => v.term);
    const chosen = values.find((t) => (t["xml:lang"] || "").toLowerCase().startsWith("en"))
      || values.find((t) => !t["xml:lang"]) || values[0];
    if (chosen) return chosen.value;
  }
  if (node.term.type === "bnode") return `_:${node.term.value}`;
  const term = known && known.byIri.get(node.term.value);
  return term && term.label ? term.label : shortForm(node.term.value, known);
}

function literalText(term, known) {
  let text = fitted(term.value.replace(/\s+/g, " "), 80);
  if (term["xml:lang"]) text += ` @${term["xml:lang"]}`;
  else if (term.datatype && term.datatype !== `${XSD}string`) text += ` (${termName(term.datatype, known)})`;
  return text;
}

/** The drawing of the first GRAPH_TRIPLES triples: IRIs and blank nodes are nodes, a triple
 * between two of them a link named by its property; a literal is a value of its subject, told
 * when the node is pointed at, and a naming one names it. */
function graphData(rows, known) {
  const drawn = rows.slice(0, GRAPH_TRIPLES);
  const nodes = new Map();
  const node = (term) => {
    const id = term.type === "bnode" ? `_:${term.value}` : term.value;
    if (!nodes.has(id)) nodes.set(id, { id, term, literals: [] });
    return nodes.get(id);
  };
  const links = [];
  let values = 0;
  for (const { subject, predicate, object } of drawn) {
    const from = node(subject);
    if (object.type === "uri" || object.type === "bnode") {
      links.push({ source: from.id, target: node(object).id, property: predicate.value });
    } else {
      from.literals.push({ property: predicate.value, term: object });
      values += 1;
    }
  }
  const names = new Map();
  const elements = [...nodes.values()].map((n) => {
    const name = nodeName(n, known);
    names.set(n.id, name);
    const iri = n.term.type === "uri" ? n.term.value : null;
    const ours = Boolean(iri && known && iri.startsWith(known.base) && iri.length > known.base.length);
    const said = n.literals.slice(0, TOOLTIP_VALUES)
      .map((v) => `${termName(v.property, known)}: ${literalText(v.term, known)}`);
    if (n.literals.length > TOOLTIP_VALUES) said.push(`and ${n.literals.length - TOOLTIP_VALUES} more values`);
    return {
      group: "nodes",
      data: {
        id: n.id,
        name,
        // a zero-width space after each / and # lets cytoscape wrap a long IRI there, as it wraps words
        text: fitted(name, 48).replace(/([/#])/g, "$1\u200b"),
        url: ours ? pageOf(iri, known) : null,
        page: iri ? pageOf(iri, known) : null, // what this server says about any IRI
        about: [iri ? `${name} (${shortForm(iri, known)})` : name, ...said].join("\n"),
      },
      classes: ours ? "ours" : (iri ? "elsewhere" : "blank"),
    };
  });
  links.forEach((link, i) => {
    const property = termName(link.property, known);
    elements.push({ group: "edges", data: {
      id: `link-${i}`, source: link.source, target: link.target, text: property,
      about: `${names.get(link.source)} → ${property} → ${names.get(link.target)}`,
    } });
  });
  return { elements, nodes: nodes.size, links: links.length, values, drawn: drawn.length, total: rows.length };
}

const GRAPH_STYLE = [
  { selector: "node", style: { "label": "data(text)", "width": 14, "height": 14, "font-size": 11, "color": "#1b1b1b",
    "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "wrap", "text-max-width": 140,
    "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 1,
    "min-zoomed-font-size": 6 } },
  { selector: "node.ours", style: { "background-color": "#0b3d63" } },
  { selector: "node.elsewhere", style: { "background-color": "#c05a00", "shape": "round-rectangle" } },
  { selector: "node.blank", style: { "background-color": "#ffffff", "border-width": 2, "border-color": "#5c6470",
    "width": 10, "height": 10 } },
  { selector: "node.pointed, node:selected", style: { "border-width": 3, "border-color": "#000000", "z-index": 20 } },
  { selector: "edge", style: { "width": 1.2, "line-color": "#8a94a6", "target-arrow-color": "#8a94a6",
    "target-arrow-shape": "triangle", "arrow-scale": 0.8, "curve-style": "bezier", "label": "data(text)",
    "font-size": 9, "color": "#333333", "text-rotation": "autorotate", "text-background-color": "#ffffff",
    "text-background-opacity": 0.85, "text-background-padding": 1, "min-zoomed-font-size": 7 } },
  { selector: "edge.pointed", style: { "line-color": "#1b1b1b", "target-arrow-color": "#1b1b1b", "z-index": 20 } },
];

function graphSummary(data) {
  const count = (n, one, many) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
  const drawn = `${count(data.nodes, "resource", "resources")} and ${count(data.links, "link", "links")}`;
  const values = data.values
    ? `; point at a node for its values (${count(data.values, "literal", "literals")} in all)` : "";
  if (data.total > data.drawn) {
    return `The answer has ${count(data.total, "triple", "triples")}: only the first ${data.drawn.toLocaleString("en")} `
      + `are drawn, ${drawn}${values}. The Table view lists them all.`;
  }
  return `${drawn}, from ${count(data.total, "triple", "triples")}${values}. The Table view lists every triple.`;
}

function resultGraph(terms, cytoscapeUrl) {
  return class ResultGraph {
    constructor(yasr) {
      this.yasr = yasr;
      this.label = "Graph";
      this.priority = 20; // the view for a graph answer, over the table, when none was chosen
      this.cy = null;
    }

    canHandleResults() {
      return triplesOf(this.yasr) !== null;
    }

    getIcon() {
      return icon("M3 2a2 2 0 1 1 0 4 2 2 0 0 1 0-4zm10 1a2 2 0 1 1 0 4 2 2 0 0 1 0-4zM7 10a2 2 0 1 1 0 4 2 2 0 0 1 0-4z"
        + "M4.6 4.4l6.5-.6.1 1-6.5.6zM4.3 5.3l3.4 4.9-.8.6-3.4-4.9zm7.9 1.3l-3 3.8-.8-.6 3-3.8z");
    }

    async draw() {
      this.destroy();
      const results = this.yasr.results;
      const known = await terms().catch(() => null);
      if (this.yasr.results !== results) return; // another answer came meanwhile: its own drawing follows
      const data = graphData(triplesOf(this.yasr), known);
      const box = element("div", "result-graph");
      this.yasr.resultsEl.appendChild(box);
      if (!data.total) {
        box.appendChild(element("p", "graph-summary", "The answer holds no triples."));
        return;
      }
      const status = element("p", "graph-summary", "Drawing the graph…");
      box.appendChild(status);
      let cytoscape;
      try {
        cytoscape = await cytoscapeFrom(cytoscapeUrl);
      } catch (error) {
        status.textContent = "The graph could not be drawn here (its drawing library did not load); "
          + "the Table view lists every triple.";
        return;
      }
      if (this.yasr.results !== results || !box.isConnected) return; // another answer came meanwhile
      status.textContent = graphSummary(data);
      const headers = results.res && results.res.headers;
      if (headers && headers.get && headers.get("X-Result-Truncated")) {
        status.textContent += " The server cut the answer at its row limit.";
      }
      const tools = element("div", "graph-tools");
      const zoom = element("div", "graph-zoom");
      zoom.setAttribute("role", "group");
      zoom.setAttribute("aria-label", "Zoom");
      for (const [how, text] of [["in", "Zoom in"], ["out", "Zoom out"], ["fit", "Fit"]]) {
        const button = element("button", null, text);
        button.type = "button";
        button.dataset.zoom = how;
        zoom.appendChild(button);
      }
      const about = element("output", "graph-about");
      about.setAttribute("aria-live", "polite");
      tools.append(zoom, about);
      const canvas = element("div", "graph-canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `Graph of the answer: ${status.textContent}`);
      const help = element("p", "graph-help", "Drag the background to move the picture, scroll or pinch to zoom, "
        + "drag a node to move it; point at a node for its values. A click on a dark blue node (a resource of this "
        + "dataset) opens its page; on an orange one (another IRI: a class, a term, a thing elsewhere) or a white one "
        + "(a blank node), it is told about beside the zoom buttons.");
      box.append(tools, canvas, help);
      const cy = cytoscape({
        container: canvas,
        elements: data.elements,
        style: GRAPH_STYLE,
        // cose keeps nodes apart by their labels' boxes too, so that no label covers another
        layout: { name: "cose", animate: false, nodeDimensionsIncludeLabels: true, padding: 16,
          nodeRepulsion: () => 12000, idealEdgeLength: () => 100 },
        minZoom: 0.05,
        maxZoom: 4,
        boxSelectionEnabled: false,
        selectionType: "single",
      });
      this.cy = cy;
      window.copResultGraph = cy; // for the browser tests, and for anyone at the console
      separate(cy);
      fitAll(cy);
      listen(cy, canvas, about);
      const zoomBy = (factor) => cy.zoom({ level: cy.zoom() * factor,
        renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      const zooms = { in: () => zoomBy(1.4), out: () => zoomBy(1 / 1.4), fit: () => fitAll(cy) };
      zoom.addEventListener("click", (event) => {
        const button = event.target.closest("button[data-zoom]");
        if (button) zooms[button.dataset.zoom]();
      });
      canvas.dataset.ready = "true";
    }

    download() {
      const results = this.yasr.results;
      if (!results) return undefined;
      return { getData: () => results.getOriginalResponseAsString(), contentType: "text/turtle",
        filename: "results.ttl", title: "Download as Turtle" };
    }

    destroy() {
      if (!this.cy) return;
      if (window.copResultGraph === this.cy) window.copResultGraph = null;
      this.cy.destroy();
      this.cy = null;
    }
  };
}

/** cose keeps nodes apart, but two labels can still meet: any two nodes whose boxes, labels
 * included, overlap are pushed apart along the axis where they overlap least, until none do. */
function separate(cy, gap = 4) {
  const nodes = cy.nodes().toArray();
  const boxes = nodes.map((n) => n.boundingBox({ includeLabels: true, includeOverlays: false }));
  const shift = (i, dx, dy) => {
    const box = boxes[i];
    boxes[i] = { x1: box.x1 + dx, x2: box.x2 + dx, y1: box.y1 + dy, y2: box.y2 + dy };
  };
  for (let round = 0; round < 100; round += 1) {
    let moved = false;
    for (let i = 0; i < boxes.length; i += 1) {
      for (let j = i + 1; j < boxes.length; j += 1) {
        const a = boxes[i];
        const b = boxes[j];
        const across = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1) + gap;
        const down = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1) + gap;
        if (across <= 0 || down <= 0) continue;
        moved = true;
        if (across < down) {
          const way = (a.x1 + a.x2 <= b.x1 + b.x2 ? -1 : 1) * (across / 2);
          shift(i, way, 0);
          shift(j, -way, 0);
        } else {
          const way = (a.y1 + a.y2 <= b.y1 + b.y2 ? -1 : 1) * (down / 2);
          shift(i, 0, way);
          shift(j, 0, -way);
        }
      }
    }
    if (!moved) break;
  }
  cy.batch(() => nodes.forEach((n, i) => {
    const box = n.boundingBox({ includeLabels: true, includeOverlays: false });
    n.shift({ x: boxes[i].x1 - box.x1, y: boxes[i].y1 - box.y1 });
  }));
}

/** The whole drawing in view; a small one is not blown up past a readable size. */
function fitAll(cy) {
  cy.fit(undefined, 16);
  if (cy.zoom() > 1.5) {
    cy.zoom(1.5);
    cy.center();
  }
}

/** Pointing at a node or link tells what it is and its values; a click opens a resource of
 * this dataset at its page, as the network page does, and tells about any other node, with a
 * link to what this dataset says about it. */
function listen(cy, canvas, about) {
  cy.on("mouseover", "node, edge", (event) => {
    const target = event.target;
    target.addClass("pointed");
    if (target.isNode()) target.connectedEdges().addClass("pointed");
    canvas.title = target.data("about");
  });
  cy.on("mouseout", "node, edge", (event) => {
    const target = event.target;
    target.removeClass("pointed");
    if (target.isNode()) target.connectedEdges().removeClass("pointed");
    canvas.removeAttribute("title");
  });
  cy.on("tap", "node", (event) => { // a tap is a click without a drag: dragging moves the node
    const data = event.target.data();
    if (data.url) {
      window.location.assign(data.url);
      return;
    }
    about.textContent = `${data.about.replace(/\n/g, "; ")}. `;
    if (data.page) {
      const link = element("a", null, "What this dataset says about it");
      link.href = data.page;
      about.appendChild(link);
    }
  });
}

// --- without the editor bundle: the textarea as it is ------------------------------------------

function plainEditor(form, textarea) {
  textarea.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest("a.example[data-sparql]") : null;
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    textarea.value = link.dataset.sparql;
    textarea.focus();
    textarea.setSelectionRange(0, 0);
    textarea.scrollTop = 0;
    textarea.scrollIntoView({ block: "nearest" });
  });
  const offset = Number.parseInt(textarea.dataset.errorOffset, 10);
  if (Number.isInteger(offset)) {
    textarea.focus();
    textarea.setSelectionRange(offset, offset + 1);
  }
}
