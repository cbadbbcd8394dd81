// The query editor on /sparql: the page's textarea becomes a SPARQL editor (Yasqe, from the
// vendored Yasgui bundle) that completes this dataset's prefixes, classes and properties from
// /sparql/terms.json, and queries go to this server's own endpoint, their answers shown below
// as a table, a chart or the response as sent (Turtle for CONSTRUCT and DESCRIBE). Without
// JavaScript, or if the bundle is missing, the form sends the textarea as it always did.
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
    pluginOrder: ["table", "chart", "response"],
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
  yasqe.on("queryResponse", (instance, response, duration) => {
    yasr.statusEl.textContent = "";
    yasr.setResponse(response, duration);
    markError(yasqe, response);
  });
  document.addEventListener("click", (event) => loadExample(event, yasqe));
  showServerError(textarea, yasqe);
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
