// The tradewar page: a form over the JSON API (see /docs). Plain JavaScript, no framework.
"use strict";

const $ = (id) => document.getElementById(id);
const DEFAULT_SCENARIO = "london-2025";
const DEFAULT_WORLD = "wiod2011";
// With no world chosen, a day from RECENT_FROM on is solved on RECENT_WORLD (the server's rule too).
const RECENT_WORLD = "icio2022";
const RECENT_FROM = "2023-01-01";
const MAX_TOML_BYTES = 64 * 1024;
const COLUMNS = [
  ["welfare_pct", "Welfare %"], ["real_gdp_pct", "Real GDP %"], ["real_wage_pct", "Real wage %"], ["price_index_pct", "Prices %"],
  ["exports_pct", "Exports %"], ["imports_pct", "Imports %"], ["tariff_revenue_usd_mn", "Tariff revenue $mn"],
];
const CHARTS = ["map", "sectors", "bilateral", "third_countries", "welfare", "timeline"];
// The two directions of a pair keep their colours in every timeline (the report's use the same).
const DIRECTION_COLOURS = ["#1f77b4", "#ff7f0e"];
// Columns where a rise is bad news: coloured red when up, green when down.
const RISE_IS_BAD = new Set(["price_index_pct"]);

const state = {
  scenarios: [],
  labels: { countries: [], sectors: [], goods: [], groups: {} },
  worldLabels: null,
  labelsByWorld: {},
  running: false,
  runId: null,
  rows: [],
  sort: { field: "welfare_pct", descending: true },
};

// ------------------------------------------------------------------ helpers
async function api(path, options) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    throw new Error(`The server cannot be reached (${error.message}).`);
  }
  const type = response.headers.get("content-type") || "";
  const body = type.includes("application/json") ? await response.json() : null;
  if (!response.ok) {
    let message = body && body.detail ? body.detail : `${response.status} ${response.statusText}`;
    const retry = response.headers.get("retry-after");
    if (response.status === 429 && retry) message += ` (the server suggests waiting ${retry} s)`;
    const error = new Error(message);
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return body;
}

function element(tag, attributes = {}, text = null) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== null) node.textContent = text;
  return node;
}

function fillSelect(select, options, keep) {
  // options: [value, text] pairs; keeps the current choice when it is still offered.
  const previous = keep === undefined ? select.value : keep;
  select.replaceChildren(...options.map(([value, text]) => element("option", { value }, text)));
  if (options.some(([value]) => value === previous)) select.value = previous;
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function mode() {
  return document.querySelector("input[name=mode]:checked").value;
}

function formatResidual(value) {
  // The solver's residual: null when it is not a finite number (a failed solve).
  return typeof value === "number" && Number.isFinite(value) ? value.toExponential(1) : "n/a";
}

function formatNumber(value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return "n/a";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function plot(div, figure) {
  if (!window.Plotly) {
    div.textContent = "Charts are unavailable: plotly.js did not load.";
    return;
  }
  const layout = Object.assign({}, figure.layout, { autosize: true });
  window.Plotly.react(div, figure.data, layout, { responsive: true, displaylogo: false });
}

// ------------------------------------------------------------------ labels of the chosen world
function countryOptions(withGroups, withAll) {
  const options = state.labels.countries.map((c) => [c, c]);
  if (withGroups) {
    for (const group of Object.keys(state.labels.groups || {})) options.push([group, `${group} (group)`]);
  }
  if (withAll) options.push(["*", "every other country"]);
  return options;
}

function sectorOptions() {
  return [["goods", "all goods"], ["all", "all sectors"], ...state.labels.sectors.map((s) => [s, s])];
}

function setLabels(labels) {
  state.labels = {
    countries: labels.countries || [],
    sectors: labels.sectors || [],
    goods: labels.goods || [],
    groups: labels.groups || (state.worldLabels ? state.worldLabels.groups : {}),
  };
  for (const row of document.querySelectorAll("#tariffs tbody tr")) refreshTariffRow(row);
  for (const row of document.querySelectorAll("#controls tbody tr")) refreshControlRow(row);
}

// ------------------------------------------------------------------ extra tariffs and export controls
function removeButton(row) {
  const button = element("button", { type: "button", "aria-label": "Remove" }, "✕");
  button.addEventListener("click", () => row.remove());
  return button;
}

function refreshTariffRow(row) {
  const [importer, exporter, , sectors] = row.querySelectorAll("select, input");
  fillSelect(importer, countryOptions(true, false));
  fillSelect(exporter, countryOptions(true, false));
  fillSelect(sectors, sectorOptions());
}

function addTariffRow(importer = "USA", exporter = "CHN", points = 10) {
  const row = element("tr");
  const cells = [
    element("select", { "aria-label": "Importer", class: "importer" }),
    element("select", { "aria-label": "Exporter", class: "exporter" }),
    element("input", { type: "number", step: "0.1", min: "-99", max: "1000", value: String(points),
                       "aria-label": "Percentage points", class: "points" }),
    element("select", { "aria-label": "Sectors", class: "sectors" }),
  ];
  for (const cell of cells) row.appendChild(element("td")).appendChild(cell);
  row.appendChild(element("td")).appendChild(removeButton(row));
  $("tariffs").tBodies[0].appendChild(row);
  refreshTariffRow(row);
  fillSelect(cells[0], countryOptions(true, false), importer);
  fillSelect(cells[1], countryOptions(true, false), exporter);
}

function refreshControlRow(row) {
  const [imposer, targets, sectors] = row.querySelectorAll("select");
  fillSelect(imposer, countryOptions(true, false));
  fillSelect(targets, countryOptions(true, true));
  fillSelect(sectors, sectorOptions());
}

function addControlRow(imposer = "CHN", target = "USA") {
  const row = element("tr");
  const kind = element("select", { "aria-label": "Kind", class: "kind" });
  fillSelect(kind, [["tax", "export tax"], ["ban", "ban"]]);
  const tax = element("input", { type: "number", step: "1", min: "0", max: "1000", value: "25",
                                 "aria-label": "Export tax %", class: "tax" });
  kind.addEventListener("change", () => { tax.disabled = kind.value === "ban"; });
  const cells = [
    element("select", { "aria-label": "Exporting country", class: "imposer" }),
    element("select", { "aria-label": "Destination", class: "targets" }),
    element("select", { "aria-label": "Sectors", class: "sectors" }),
    kind, tax,
  ];
  for (const cell of cells) row.appendChild(element("td")).appendChild(cell);
  row.appendChild(element("td")).appendChild(removeButton(row));
  $("controls").tBodies[0].appendChild(row);
  refreshControlRow(row);
  fillSelect(cells[0], countryOptions(true, false), imposer);
  fillSelect(cells[1], countryOptions(true, true), target);
}

function sectorsValue(value) {
  return value === "goods" || value === "all" ? value : [value];
}

function readChanges() {
  const tariffs = [];
  for (const row of document.querySelectorAll("#tariffs tbody tr")) {
    const points = parseFloat(row.querySelector(".points").value);
    if (!Number.isFinite(points)) throw new Error("Every extra tariff needs a number of percentage points.");
    tariffs.push({
      importer: row.querySelector(".importer").value,
      exporter: row.querySelector(".exporter").value,
      points,  // percentage points, as typed: the server's errors then speak in points
      sectors: sectorsValue(row.querySelector(".sectors").value),
    });
  }
  const controls = [];
  for (const row of document.querySelectorAll("#controls tbody tr")) {
    const control = {
      imposer: row.querySelector(".imposer").value,
      targets: [row.querySelector(".targets").value],
      sectors: sectorsValue(row.querySelector(".sectors").value),
    };
    if (row.querySelector(".kind").value === "ban") {
      control.ban = true;
    } else {
      const tax = parseFloat(row.querySelector(".tax").value);
      if (!Number.isFinite(tax)) throw new Error("Every export tax needs a rate in percent (or choose a ban).");
      control.tax_points = tax;  // percent, as typed: the server's errors then speak in percent
    }
    controls.push(control);
  }
  return { tariffs, export_controls: controls };
}

// ------------------------------------------------------------------ the starting point
async function chooseScenario(name) {
  const detail = await api(`/api/scenarios/${encodeURIComponent(name)}`);
  let text = detail.description || "";
  if (detail.date) text = `${detail.date}: ${text}`;
  if (detail.against) text += ` (measured against ${detail.against})`;
  $("scenario-description").textContent = text;
  if (mode() === "scenario") setLabels(detail);
  return detail;
}

function dateWorld() {
  // The world a run of the measures on a day is solved on: the one chosen, else by the day.
  return $("world").value || ($("date").value >= RECENT_FROM ? RECENT_WORLD : DEFAULT_WORLD);
}

async function worldLabels(name) {
  if (!state.labelsByWorld[name]) state.labelsByWorld[name] = await api(`/api/worlds/${encodeURIComponent(name)}`);
  return state.labelsByWorld[name];
}

async function onModeChange() {
  $("toml-box").hidden = mode() !== "toml";
  showError("");
  try {
    if (mode() === "scenario") await chooseScenario($("scenario").value);
    else if (mode() === "date") setLabels(await worldLabels(dateWorld()));
    else setLabels(state.worldLabels);
  } catch (error) {
    showError(error.message);
  }
}

function setMode(value) {
  document.querySelector(`input[name=mode][value="${value}"]`).checked = true;
  onModeChange();
}

async function copyScenario() {
  try {
    const detail = await api(`/api/scenarios/${encodeURIComponent($("scenario").value)}`);
    $("toml").value = detail.toml;
    $("toml-status").textContent = `Copied ${detail.name}; edit it and run.`;
  } catch (error) {
    showError(error.message);
  }
}

function readTomlFile(event) {
  const file = event.target.files[0];
  if (!file) return;
  if (file.size > MAX_TOML_BYTES) {
    showError(`${file.name} is ${(file.size / 1024).toFixed(1)} KB; a scenario may have at most 64 KB.`);
    return;
  }
  const reader = new FileReader();
  reader.onload = () => {
    $("toml").value = reader.result;
    $("toml-status").textContent = `Opened ${file.name}.`;
  };
  reader.onerror = () => showError(`${file.name} could not be read.`);
  reader.readAsText(file);
}

async function checkToml() {
  showError("");
  try {
    const info = await api("/api/scenarios/check", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ toml: $("toml").value }),
    });
    $("toml-status").textContent =
      `OK: ${info.name}${info.date ? ", " + info.date : ""}, world ${info.world}, ${info.measures} extra measure(s).`;
    setLabels(info);
  } catch (error) {
    $("toml-status").textContent = "";
    showError(error.message);
  }
}

// ------------------------------------------------------------------ the timeline
async function loadTimeline() {
  const a = $("pair-a").value || "USA";
  const b = $("pair-b").value || "CHN";
  if (a === b) {
    showError("Choose two different countries for the timeline.");
    return;
  }
  try {
    const document_ = await api(`/api/timeline?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
    const traces = [[a, b], [b, a]].map(([importer, exporter]) => {
      const rows = document_.series.filter((r) => r.importer === importer && r.exporter === exporter);
      return { x: rows.map((r) => r.date), y: rows.map((r) => r.average_tariff_pct), mode: "lines",
               line: { shape: "hv" }, name: `${importer} on ${exporter}` };
    });
    traces.forEach((trace, k) => { trace.line.color = DIRECTION_COLOURS[k]; });
    plot($("timeline-chart"), { data: traces, layout: {
      title: { text: "Average tariff on goods, trade-weighted (%); click a day to simulate it" },
      xaxis: { title: { text: "day" } }, yaxis: { title: { text: "average tariff (%)" } },
      height: 340, margin: { t: 50, b: 50 }, hovermode: "x unified" } });
    const body = $("steps").tBodies[0];
    body.replaceChildren(...document_.steps.map((step) => {
      const row = element("tr");
      const link = element("a", { href: "#", title: "Simulate this day" }, step.date);
      link.addEventListener("click", (event) => { event.preventDefault(); pickDate(step.date); });
      row.appendChild(element("td")).appendChild(link);
      row.appendChild(element("td", {}, step.event));
      row.appendChild(element("td", {}, `${step.measure_id}: ${step.description}`));
      return row;
    }));
  } catch (error) {
    showError(`Timeline: ${error.message}`);
  }
}

function pickDate(day) {
  $("date").value = day.slice(0, 10);
  setMode("date");
}

// ------------------------------------------------------------------ running
function checkedDay(input, what) {
  // A date box's day, within the days the measures cover (its min and max come from /api/dates).
  const day = input.value;
  if (!day) throw new Error(`${what} is missing or not a valid date.`);
  if ((input.min && day < input.min) || (input.max && day > input.max)) {
    throw new Error(`${what} ${day} is outside the days the measures cover (${input.min} to ${input.max}).`);
  }
  return day;
}

function runRequest() {
  const body = readChanges();
  if (mode() === "scenario") body.scenario = $("scenario").value;
  else if (mode() === "date") {
    body.date = checkedDay($("date"), "The day");
    if ($("world").value) body.world = $("world").value;
  } else {
    const text = $("toml").value;
    if (!text.trim()) throw new Error("Open or write a scenario file first.");
    if (new Blob([text]).size > MAX_TOML_BYTES) throw new Error("The scenario text is over 64 KB.");
    body.toml = text;
  }
  const kind = $("against-kind").value;
  if (kind === "date") body.against = checkedDay($("against-date"), "The starting day");
  if (kind === "scenario") body.against = $("against-scenario").value;
  for (const id of ["elasticities", "horizon", "revenue", "deficits"]) {
    if ($(id).value) body[id] = $(id).value;
  }
  return body;
}

// The closure that produced the numbers, in words.
function revenueText(closure) {
  return closure.revenue === "deficit-reduction" ? "lowers the trade deficit" : "rebated to households";
}

function showProgress(status) {
  const progress = status.progress;
  $("progress").value = progress.fraction;
  let text = `${status.status}`;
  if (progress.stage === "solving") {
    text = `solving: sweep ${progress.iterations}, residual ${formatResidual(progress.residual)}`;
  } else if (progress.stage === "loading") {
    text = "loading the world and the measures";
  } else if (progress.stage === "writing") {
    text = "writing the results and charts";
  } else if (progress.stage === "cancelling") {
    text = "cancelling";
  }
  $("run-status").textContent = `${text} (${status.elapsed_s.toFixed(1)} s)`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function run() {
  if (state.running) return;
  showError("");
  let body;
  try {
    body = runRequest();
  } catch (error) {
    showError(error.message);
    return;
  }
  state.running = true;
  $("run").disabled = true;
  $("progress").hidden = false;
  $("progress").value = 0;
  $("run-status").textContent = "submitting";
  try {
    let status = await api("/api/runs", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    showProgress(status);
    let wait = 50;
    while (status.status === "queued" || status.status === "running") {
      await sleep(wait);
      wait = Math.min(wait * 1.5, 1000);
      status = await api(`/api/runs/${status.id}`);
      showProgress(status);
    }
    if (status.status !== "done") {
      throw new Error(`The run ${status.status === "failed" ? "failed" : "was " + status.status}: ` +
                      `${status.error || "no reason given"}`);
    }
    $("run-status").textContent = "fetching results";
    const [result, charts] = await Promise.all([
      api(`/api/runs/${status.id}/result`), api(`/api/runs/${status.id}/charts`),
    ]);
    showResults(status, result, charts);
    state.resultRequest = JSON.stringify(body);
    $("run-status").textContent = `done in ${status.elapsed_s.toFixed(2)} s`;
  } catch (error) {
    showError(error.message);
    $("run-status").textContent = "";
  } finally {
    state.running = false;
    $("run").disabled = false;
    $("progress").hidden = true;
  }
}

// ------------------------------------------------------------------ results
function showResults(status, result, charts) {
  state.runId = status.id;
  $("results").hidden = false;
  $("results").dataset.runId = status.id;
  markStale(false);
  const solver = result.solver;
  $("summary").textContent =
    `${result.label}. ${result.description || ""} World ${result.world}; measures in force on ` +
    `${result.date || "n/a"}; effects measured against ${result.against}. Elasticities ${result.elasticities} ` +
    `(${result.horizon} run); tariff revenue ${revenueText(result.closure)}, deficits ${result.closure.deficits}. ` +
    `Solver: ${solver.iterations} sweeps, ` +
    `residual ${formatResidual(solver.residual)}, ${solver.seconds.toFixed(2)} s.`;
  const base = `/api/runs/${status.id}`;
  const name = (result.scenario || "run").replace(/[^A-Za-z0-9._-]+/g, "-");
  $("dl-json").href = `${base}/result`;
  $("dl-json").setAttribute("download", `tradewar-${name}.json`);
  for (const level of ["country", "sector", "bilateral"]) $(`dl-${level}`).href = `${base}/csv/${level}`;
  for (const chart of CHARTS) {
    const div = $(`chart-${chart}`);
    if (charts[chart]) {
      div.hidden = false;
      plot(div, charts[chart]);
    } else {
      if (window.Plotly) window.Plotly.purge(div);
      div.hidden = true;
    }
  }
  state.rows = (result.country_order || Object.keys(result.countries)).map((country) =>
    Object.assign({ country }, result.countries[country]));
  renderTable();
  $("results").scrollIntoView({ behavior: "smooth", block: "start" });
}

function renderTable() {
  const table = $("results-table");
  const head = element("tr");
  for (const [field, title] of [["country", "Country"], ...COLUMNS]) {
    const arrow = state.sort.field === field ? (state.sort.descending ? " ▼" : " ▲") : "";
    const th = element("th", { scope: "col", "data-field": field }, title + arrow);
    th.addEventListener("click", () => {
      state.sort = { field, descending: state.sort.field === field ? !state.sort.descending : field !== "country" };
      renderTable();
    });
    head.appendChild(th);
  }
  table.tHead.replaceChildren(head);
  const { field, descending } = state.sort;
  const rows = [...state.rows].sort((x, y) => {
    const order = field === "country" ? x.country.localeCompare(y.country) : (x[field] ?? -Infinity) - (y[field] ?? -Infinity);
    return descending ? -order : order;
  });
  table.tBodies[0].replaceChildren(...rows.map((row) => {
    const tr = element("tr", { "data-country": row.country });
    tr.appendChild(element("td", {}, row.country));
    for (const [column] of COLUMNS) {
      const value = row[column];
      const digits = column === "tariff_revenue_usd_mn" ? 0 : 3;
      const td = element("td", { "data-field": column }, formatNumber(value, digits));
      // Green for good news, red for bad: a rise in prices is bad news.
      const sign = RISE_IS_BAD.has(column) ? -1 : 1;
      if (column.endsWith("_pct") && sign * value > 0.0005) td.className = "up";
      if (column.endsWith("_pct") && sign * value < -0.0005) td.className = "down";
      tr.appendChild(td);
    }
    return tr;
  }));
}

// ------------------------------------------------------------------ stale results
function markStale(stale) {
  // Results shown for an earlier form are marked, so they are not read as the form's.
  $("results").classList.toggle("stale", stale);
  $("stale-note").hidden = !stale;
}

function onFormChange() {
  if ($("results").hidden || !state.resultRequest) return;
  let now = null;
  try {
    now = JSON.stringify(runRequest());
  } catch (error) {
    now = null;
  }
  markStale(now !== state.resultRequest);
}

async function limitDates() {
  const dates = await api("/api/dates");
  for (const id of ["date", "against-date"]) {
    $(id).min = dates.first;
    $(id).max = dates.last;
  }
}

// ------------------------------------------------------------------ start
async function start() {
  try {
    const [scenarios, world, worlds] = await Promise.all([api("/api/scenarios"), worldLabels(DEFAULT_WORLD),
                                                          api("/api/worlds"), limitDates()]);
    state.scenarios = scenarios;
    state.worldLabels = world;
    fillSelect($("world"), [["", `by the day (${RECENT_WORLD} from ${RECENT_FROM}, else ${DEFAULT_WORLD})`],
                            ...worlds.filter((w) => w.embedded).map((w) => [w.name, w.name])], "");
    const byDate = [...scenarios].sort((x, y) => (x.date || "").localeCompare(y.date || "") || x.name.localeCompare(y.name));
    const options = byDate.map((s) => [s.name, s.date ? `${s.name} (${s.date})` : s.name]);
    fillSelect($("scenario"), options, DEFAULT_SCENARIO);
    fillSelect($("against-scenario"), options, "pre-2025");
    const countries = world.countries.map((c) => [c, c]);
    fillSelect($("pair-a"), countries, "USA");
    fillSelect($("pair-b"), countries, "CHN");
    setLabels(world);
    await chooseScenario($("scenario").value);
  } catch (error) {
    showError(`The page could not load the scenarios: ${error.message}`);
    return;
  }
  for (const radio of document.querySelectorAll("input[name=mode]")) radio.addEventListener("change", onModeChange);
  $("scenario").addEventListener("change", () => setMode("scenario"));
  $("date").addEventListener("change", () => setMode("date"));
  $("world").addEventListener("change", () => setMode("date"));
  $("toml-file").addEventListener("change", readTomlFile);
  $("toml-copy").addEventListener("click", copyScenario);
  $("toml-check").addEventListener("click", checkToml);
  $("against-kind").addEventListener("change", () => {
    $("against-date").hidden = $("against-kind").value !== "date";
    $("against-scenario").hidden = $("against-kind").value !== "scenario";
  });
  $("add-tariff").addEventListener("click", () => addTariffRow());
  $("add-control").addEventListener("click", () => addControlRow());
  $("pair-a").addEventListener("change", loadTimeline);
  $("pair-b").addEventListener("change", loadTimeline);
  $("run").addEventListener("click", run);
  $("setup").addEventListener("input", onFormChange);
  $("setup").addEventListener("change", onFormChange);
  $("setup").addEventListener("click", (event) => { if (event.target.closest("button")) setTimeout(onFormChange, 0); });
  $("run").disabled = false;
  document.body.dataset.ready = "true";
  await loadTimeline();
  const chart = $("timeline-chart");
  if (chart.on) chart.on("plotly_click", (event) => { if (event.points.length) pickDate(String(event.points[0].x)); });
}

document.addEventListener("DOMContentLoaded", start);
