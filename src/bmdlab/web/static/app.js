/* bmdlab serve — the browser page.
 *
 * Plain JavaScript, no build step. Talks only to the local bmdlab server (see the API contract):
 * scenarios, catalog, geography, and coverage / raid / compare / study run as jobs whose progress the
 * server pushes (server-sent events), with polling as the fallback.
 *
 * State model: `state.scenario` is the last scenario whose coverage was computed and drawn (the
 * "committed" scenario). An edit (drag, add, remove, threat toggle) makes a candidate scenario and
 * computes its coverage; only when that succeeds does the candidate become the committed one. If the
 * server refuses it (e.g. zero units, a land unit dragged into the sea) the error is shown and the page
 * goes back to the committed scenario.
 */
"use strict";

/* ------------------------------------------------------------------ constants */

const POLL_MS = 200;
const FINAL_STATES = new Set(["done", "failed", "cancelled"]);
const PINNED = "__pinned__";  // value of the compare select's option for the pinned architecture B
const JAPAN_BOUNDS = [[24, 122], [46, 146]];
const DEFAULT_RES = 10;

/* The maps' colours and unit marker shapes: GET /api/palette (bmdlab.palette, the one home of the
 * colours of every map, static and web), read at start-up. Until it arrives, a neutral stand-in. */
let PALETTE = {
  sea: "#e9eef2",
  land: "#f4f1ea",
  shot_classes: { "-1": { color: "#ccc", label: "Not threatened" } },
  unit_types: { other: { shape: "plus", color: "#1b1b1b", label: "other unit" } },
};
// bright fills with a dark ring: visible on every coverage colour and on the sea
const CITY_DEFENDED = "#3ddc63";
const CITY_UNDEFENDED = "#ff2a1a";
const CITY_RING = "#14202c";
const LAUNCH_COLOUR = "#b00020";
/* Nansei (Ryukyu) islands, south-west of Kyushu, Yonaguni to Amami: the inset map's extent [[S, W], [N, E]] (degrees). */
const NANSEI_BOUNDS = [[24.0, 122.7], [29.0, 130.3]];

/** Colour and label of a coverage class (shot_class -1..3) from the palette. */
function classStyle(k) {
  const c = PALETTE.shot_classes;
  return c[String(k)] || c["-1"];
}

/* Unit marker shapes: SVG paths in a 16x16 box, one per palette shape name. The same paths draw the map's
 * markers, the legend's swatches, the inset's markers and the exported PNG (Path2D), so they cannot differ. */
const SHAPE_PATHS = {
  "triangle": "M8 1.2 L15.2 14.2 L0.8 14.2 Z",
  "triangle-down": "M0.8 1.8 L15.2 1.8 L8 14.8 Z",
  "square": "M2.2 2.2 H13.8 V13.8 H2.2 Z",
  "diamond": "M8 0.6 L15.4 8 L8 15.4 L0.6 8 Z",
  "circle": "M8 1.8 A6.2 6.2 0 1 1 7.99 1.8 Z",
  "plus": "M5.6 1.2 H10.4 V5.6 H14.8 V10.4 H10.4 V14.8 H5.6 V10.4 H1.2 V5.6 H5.6 Z",
  "pentagon": "M8 1.2 L14.9 6.2 L12.3 14.4 L3.7 14.4 L1.1 6.2 Z",
  "cross": "M3.2 1.2 L8 6 L12.8 1.2 L14.8 3.2 L10 8 L14.8 12.8 L12.8 14.8 L8 10 L3.2 14.8 L1.2 12.8 L6 8 L1.2 3.2 Z",
};

/**
 * The marker type (a palette.unit_types key) of a catalog unit: the palette's own table when it has one
 * (`unit_keys`), else the rule of bmdlab.palette.unit_type, repeated here (a browser test checks
 * that the two agree for every catalog unit).
 */
function unitType(key, basing) {
  if (PALETTE.unit_keys && PALETTE.unit_keys[key]) return PALETTE.unit_keys[key];
  let t = "other";
  if (key.includes("thaad")) t = "thaad";
  else if (key.includes("pac-3") || key.includes("patriot")) t = "pac-3";
  else if (key.includes("aegis-ashore")) t = "aegis-ashore";
  else if (key === "asev" || key.startsWith("asev")) t = "asev";
  else if (basing === "sea" || key.includes("aegis") || key.includes("ddg")) t = "aegis-ship";
  return PALETTE.unit_types[t] ? t : "other";
}

/** The palette's {shape, color, label} of a marker type (falling back to "other", then to a plus). */
function unitStyle(type) {
  const u = PALETTE.unit_types;
  return u[type] || u.other || { shape: "plus", color: "#1b1b1b", label: type };
}

/** An SVG of a palette shape name, `size` px square, filled and edged (white unless the palette says). */
function shapeSvg(shape, fill, edge, size, cls, extra = "") {
  const d = SHAPE_PATHS[shape] || SHAPE_PATHS.plus;
  return `<svg class="${cls}" data-shape="${shape}" ${extra} viewBox="0 0 16 16" width="${size}" height="${size}" aria-hidden="true">`
    + `<path d="${d}" fill="${fill}" stroke="${edge || "#fff"}" stroke-width="1.6" stroke-linejoin="round"/></svg>`;
}

/** An SVG marker of a palette unit type, `size` px square (map markers and legend alike). */
function unitShapeSvg(type, size = 14) {
  const st = unitStyle(type);
  return shapeSvg(st.shape, st.color, st.edge, size, "u-shape", `data-type="${type}"`);
}

/** The palette's launch-area marker ({shape, color}), a red cross unless it says otherwise. */
const launchStyle = () => PALETTE.launch_area || { shape: "cross", color: LAUNCH_COLOUR };

/* ------------------------------------------------------------------ state */

const state = {
  catalog: null,            // GET /api/catalog
  builtins: [],             // [{name, description}]
  options: [],              // trade-off option names (also loadable by name)
  builtinCache: {},         // name -> Scenario JSON
  scenario: null,           // committed Scenario JSON (coverage drawn for it)
  baseName: null,           // built-in name while the scenario is unmodified, else null
  threatBase: null,         // the threat as loaded or extended by "add threat" (before the checkboxes)
  disabledMissiles: new Set(),
  disabledShapes: new Set(),
  committedThreatUI: null,  // the three above as they were when the committed scenario was drawn
  pending: null,            // candidate scenario whose coverage is being computed
  resolution: DEFAULT_RES,
  coverage: null,           // last coverage result drawn
  coverageVersion: 0,
  coverageSeq: 0,           // request counter: a newer request supersedes an older one
  coverageJob: null,        // id of the running coverage job
  cancelCoverage: false,    // the busy banner's Cancel was pressed for the running coverage
  raidJob: null,
  raidResult: null,         // {result, stem}: the last raid's JSON, for its download
  compareResult: null,      // {result, stem}: the last comparison's JSON
  pinned: null,             // {scenario, label}: the architecture pinned as B for Compare
  studyJob: null,
  cities: null,             // the drawn result's cities, largest first (for the place names)
  history: [],              // committed states before the current one, oldest first (Undo pops the last)
  committedRes: null,       // the resolution of the committed coverage
  loaded: null,             // what Reset returns to: {name} (a built-in) or {scenario} (a link or a file)
  raidRunning: false,
  compareRunning: false,
};

/* Leaflet objects */
let map;
let prefectureRings = [];   // Japan's land as [[lon, lat], ...] rings (for placing new units)
const layers = {};          // name -> L.Layer
const renderers = {};       // pane -> L.canvas renderer

/* ------------------------------------------------------------------ small helpers */

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

const clone = (x) => (x === undefined ? undefined : JSON.parse(JSON.stringify(x)));
const round4 = (x) => Math.round(x * 1e4) / 1e4;
const fmtInt = (x) => Math.round(x).toLocaleString("en-US");
const fmtNum = (x, digits = 1) => Number(x).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** x rounded to `digits` decimals as Python's round() does (bmdlab.numbers uses it): on the exact binary value,
 * ties (an exact ...5 after the last digit kept) to even. toFixed(n) is exact for n up to 100. */
function roundHalfEven(x, digits) {
  const long = Math.abs(x).toFixed(digits + 30);
  const tail = long.slice(long.length - 30);
  if (tail !== `5${"0".repeat(29)}`) return Number(x.toFixed(digits));
  const scaled = Math.trunc(Math.abs(x) * 10 ** digits);  // the digits kept (exact: x is a tie)
  return Math.sign(x) * (scaled % 2 === 0 ? scaled : scaled + 1) / 10 ** digits;
}

/**
 * A share (0 to 1) as a percent, by the project's rounding rule (bmdlab.numbers.percent): never rounded to
 * 100 % below one nor to 0 % above zero ("> 99.9 %", "< 0.1 %"); exactly 1 and 0 are shown as such.
 */
function fmtPct(frac, digits = 1) {
  if (frac === null || frac === undefined) return "–";
  const x = Number(frac);
  if (!Number.isFinite(x)) return "n/a";
  const step = 10 ** -digits;
  const shown = roundHalfEven(100 * x, digits);
  if (shown >= 100 && x < 1) return `> ${(100 - step).toFixed(digits)} %`;
  if (shown <= 0 && x > 0) return `< ${step.toFixed(digits)} %`;
  return `${(shown === 0 ? 0 : shown).toFixed(digits)} %`;
}

/** x (at least 0) to `decimals` decimals, halves rounded up on its shortest decimal form (Python's
 * Decimal(repr(x)).quantize(..., ROUND_HALF_UP), as bmdlab.numbers.money does), as a string with thousands commas. */
function roundHalfUpText(x, decimals) {
  let text = String(x);
  if (/e/i.test(text)) text = x.toFixed(20);
  const [whole, frac = ""] = text.split(".");
  const padded = (frac + "0".repeat(decimals + 1)).slice(0, decimals + 1);
  let digits = BigInt(whole + padded.slice(0, decimals));
  if (padded[decimals] >= "5") digits += 1n;
  const all = digits.toString().padStart(decimals + 1, "0");
  const int = all.slice(0, all.length - decimals) || "0";
  const withCommas = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return decimals ? `${withCommas}.${all.slice(all.length - decimals)}` : withCommas;
}

/** x in `unit` (bn, M or none) with at least three significant digits: 1,235 / 80.0 / 2.50 (bmdlab.numbers._amount). */
function moneyAmount(x, unit, symbol) {
  const decimals = x >= 99.95 || !unit ? 0 : x >= 9.995 ? 1 : 2;
  return `${symbol}${roundHalfUpText(x, decimals)}${unit ? ` ${unit}` : ""}`;
}

/** x in the largest of `units` ([size, name], largest first) that it reaches, else in whole units. */
function moneyScaled(x, symbol, units) {
  for (const [size, name] of units) if (x >= 0.9995 * size) return moneyAmount(x / size, name, symbol);
  return moneyAmount(x, "", symbol);
}

const isAmount = (x) => x !== null && x !== undefined && Number.isFinite(Number(x)) && Number(x) >= 0;

/**
 * Yen as bmdlab.numbers.money shows them: "¥51.3 bn", "¥650 M", "¥12,345", and the price year when given:
 * "¥51.3 bn (2017 prices)"; with dollars (`usd`, the same amount): "¥51.3 bn ($467 M, 2017 prices)".
 */
function fmtYen(jpy, priceYear, usd) {
  if (!isAmount(jpy)) return "n/a";
  const notes = [];
  if (isAmount(usd)) notes.push(moneyScaled(Number(usd), "$", [[1e6, "M"]]));
  if (priceYear) notes.push(`${priceYear} prices`);
  return moneyScaled(Number(jpy), "¥", [[1e9, "bn"], [1e6, "M"]]) + (notes.length ? ` (${notes.join(", ")})` : "");
}

/** US dollars in millions: "$467 M", "$14,520 M", with the price year when given: "$467 M (2017 prices)". */
function fmtUsd(usd, priceYear) {
  if (!isAmount(usd)) return "n/a";
  return moneyScaled(Number(usd), "$", [[1e6, "M"]]) + (priceYear ? ` (${priceYear} prices)` : "");
}

/** bmdlab's money JSON ({jpy, usd, price_year}) as "¥51.3 bn ($467 M, 2017 prices)". */
function fmtMoney(m) {
  if (!m) return "n/a";
  if (!isAmount(m.jpy)) return isAmount(m.usd) ? fmtUsd(m.usd, m.price_year) : "n/a";
  return fmtYen(m.jpy, m.price_year, m.usd);
}

/* ------------------------------------------------------------------ status and errors */

function setStatus(text) {
  $("#status").textContent = text;
}

/** Show one line in the error bar (never a stack trace: only the server's `detail` or a short message). */
function showError(message) {
  const line = String(message || "Something went wrong").replace(/\s+/g, " ").trim();
  const bar = $("#error");
  bar.textContent = line;
  bar.title = line;
  bar.hidden = false;
}

function clearError() {
  const bar = $("#error");
  bar.hidden = true;
  bar.textContent = "";
  bar.title = "";
}

/* ------------------------------------------------------------------ HTTP */

class ApiError extends Error {}

/** The server's one-line `detail` of an error response (FastAPI may also send a list of errors). */
async function errorDetail(resp) {
  let detail = `${resp.status} ${resp.statusText}`;
  try {
    const body = await resp.json();
    if (typeof body.detail === "string") detail = body.detail;
    else if (Array.isArray(body.detail) && body.detail.length) {
      const d = body.detail[0];
      detail = `${(d.loc || []).join(".")}: ${d.msg || JSON.stringify(d)}`;
    }
  } catch (_) { /* not JSON: keep the status line */ }
  return detail;
}

/* The server's token (its page carries it in <meta name="bmdlab-token">): every request that changes the
 * server's state sends it in X-Bmdlab-Token, with a JSON body, or the server refuses it (cross-site
 * requests are refused that way). */
const TOKEN = (document.querySelector('meta[name="bmdlab-token"]') || {}).content || "";
const CHANGES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Call the API. `body` is sent as JSON; a request that changes state (POST, DELETE) also carries the
 * server's token. Returns parsed JSON, or text when `opts.raw`. Throws ApiError(detail) on a 4xx/5xx.
 */
async function api(method, path, body, opts = {}) {
  const init = { method, headers: {} };
  if (CHANGES.has(method)) {
    init.headers["Content-Type"] = "application/json";
    init.headers["X-Bmdlab-Token"] = TOKEN;
  }
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (_) {
    throw new ApiError("cannot reach the bmdlab server (is `bmdlab serve` still running?)");
  }
  if (!resp.ok) throw new ApiError(await errorDetail(resp));
  return opts.raw ? resp.text() : resp.json();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function staleError() {
  const e = new ApiError("superseded");
  e.stale = true;
  return e;
}

/**
 * Follow a job through its event stream (GET /api/jobs/{id}/events): one `status` event each time
 * the job's state, progress or message changes, the last one carrying the result or the error.
 * Resolves with that last status, or with null if the stream breaks before it (the caller then polls).
 * Rejects with a `stale` error when `isStale()` turns true (checked every POLL_MS).
 */
function followJobEvents(id, { onProgress, isStale }) {
  if (typeof EventSource === "undefined") return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const source = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events`);
    const timer = isStale ? setInterval(() => { if (isStale()) finish(null, staleError()); }, POLL_MS) : null;
    function finish(status, error) {
      source.close();  // also stops EventSource's automatic reconnection
      if (timer) clearInterval(timer);
      if (error) reject(error); else resolve(status);
    }
    source.addEventListener("status", (ev) => {
      let st;
      try {
        st = JSON.parse(ev.data);
      } catch (_) {
        return;  // an unreadable event: wait for the next one
      }
      if (onProgress) onProgress(st.progress || 0, st.message || "");
      if (FINAL_STATES.has(st.state)) finish(st);
    });
    source.onerror = () => finish(null);
  });
}

/** Poll GET /api/jobs/{id} every POLL_MS until the job ends; resolves with its last status. */
async function pollJob(id, { onProgress, isStale }) {
  for (;;) {
    await sleep(POLL_MS);
    if (isStale && isStale()) throw staleError();
    const st = await api("GET", `/api/jobs/${encodeURIComponent(id)}`);
    if (onProgress) onProgress(st.progress || 0, st.message || "");
    if (FINAL_STATES.has(st.state)) return st;
  }
}

/**
 * Run a job: POST /api/jobs/{kind}, then follow it by its event stream (polling if that fails).
 * `onStart(id)` gets the job id (to cancel it), `onProgress(fraction, message)` each change.
 * `isStale()` returning true stops following (a newer request superseded this one).
 * Resolves with the job's result; rejects with ApiError(error) on failure, or an error with
 * `.cancelled = true` when the job was cancelled (`.stale = true` when superseded).
 */
async function runJob(kind, body, hooks = {}) {
  const job = await api("POST", `/api/jobs/${kind}`, body);
  if (hooks.onStart) hooks.onStart(job.id);
  let st = (await followJobEvents(job.id, hooks)) || (await pollJob(job.id, hooks));
  // a "done" event may come without its result (it can race the job's end): ask for the job once more
  if (st.state === "done" && st.result === undefined) st = await api("GET", `/api/jobs/${encodeURIComponent(job.id)}`);
  if (st.state === "done") return st.result;
  if (st.state === "failed") throw new ApiError(st.error || st.message || `${kind} failed`);
  const e = new ApiError(`${kind} cancelled`);
  e.cancelled = true;
  throw e;
}

function cancelJob(id) {
  if (id) api("DELETE", `/api/jobs/${id}`).catch(() => {});
}

/* ------------------------------------------------------------------ URL state */

/** UTF-8 safe base64url of a string. */
function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(b64) {
  const std = b64.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(std + "=".repeat((4 - (std.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Write the view into the hash: `#scenario=NAME&res=R` while unmodified, else `#s=BASE64URL&res=R`. */
function writeHash() {
  if (!state.scenario) return;
  const res = `res=${state.resolution}`;
  const hash = state.baseName
    ? `#scenario=${encodeURIComponent(state.baseName)}&${res}`
    : `#s=${toBase64Url(JSON.stringify(state.scenario))}&${res}`;
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

function readHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const out = { res: null, name: null, scenario: null, error: null };
  const res = Number(params.get("res"));
  if ([5, 10, 20].includes(res)) out.res = res;
  if (params.get("scenario")) out.name = params.get("scenario");
  if (params.get("s")) {
    try {
      out.scenario = JSON.parse(fromBase64Url(params.get("s")));
    } catch (_) {
      out.error = "the scenario in the link (#s=...) is not readable";
    }
  }
  return out;
}

/* ------------------------------------------------------------------ the map */

function initMap() {
  map = L.map("map", {
    zoomSnap: 0.25,
    zoomDelta: 0.5,
    minZoom: 3,
    maxZoom: 12,
    attributionControl: false,
    worldCopyJump: false,
  });
  // Panes, bottom to top: neighbouring land, coverage, prefecture outlines, cities, the lines of
  // fanned-out unit icons, place names (markers above all).
  for (const [pane, z] of [["context", 300], ["coverage", 350], ["outlines", 380], ["cities", 450], ["fan", 460], ["labels", 470]]) {
    map.createPane(pane).style.zIndex = z;
    renderers[pane] = L.canvas({ pane, padding: 0.3 });
  }
  for (const pane of ["outlines", "fan", "labels"]) map.getPane(pane).style.pointerEvents = "none";
  map.fitBounds(JAPAN_BOUNDS);
  map.on("zoomend", () => { layoutUnitFan(); layoutCityLabels(); });
  L.control.scale({ position: "bottomleft", metric: true, imperial: false, maxWidth: 120 }).addTo(map);
  addLegend();
  initInset();
}

/* --- the legend: every swatch and shape drawn from the same palette data as the map */

function addLegend() {
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => {
    // a <details>: open on a laptop, closed on a phone (where it would cover the map)
    const div = L.DomUtil.create("details", "legend");
    div.open = !window.matchMedia("(max-width: 760px)").matches;
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  legend.addTo(map);
  renderLegend();
}

/** The marker types of the current scenario's units (palette.unit_types keys, in the palette's order). */
function scenarioUnitTypes() {
  const units = (state.scenario && state.scenario.architecture.units) || [];
  const info = Object.fromEntries(((state.catalog && state.catalog.units) || []).map((u) => [u.key, u]));
  const present = new Set(units.map((u) => unitType(u.unit, (info[u.unit] || {}).basing)));
  return Object.keys(PALETTE.unit_types).filter((t) => present.has(t));
}

/** Fill the legend from PALETTE: the coverage classes, other countries, cities, launch areas, unit shapes. */
function renderLegend() {
  const div = document.querySelector("#map .legend");
  if (!div) return;
  const sw = (colour) => `<span class="sw" style="background:${colour}"></span>`;
  const rows = ["3", "2", "1", "0", "-1"].filter((k) => PALETTE.shot_classes[k]).map(
    (k) => `<div class="lg-class" data-class="${k}">${sw(classStyle(k).color)}${classStyle(k).label}</div>`);
  const units = scenarioUnitTypes().map((t) => `<div class="lg-unit" data-type="${t}">${unitShapeSvg(t, 12)} ${unitStyle(t).label}</div>`);
  div.innerHTML = `<summary>Legend</summary>${rows.join("")}`
    + `<div class="lg-land">${sw(PALETTE.land)}Other countries</div>`
    + `<div><span class="dot" style="background:${CITY_DEFENDED}"></span>/<span class="dot" style="background:${CITY_UNDEFENDED}"></span> City defended / not</div>`
    + `<div class="lg-launch">${shapeSvg(launchStyle().shape, launchStyle().color, "#fff", 12, "l-shape")} Launch area</div>`
    + `<div class="lg-inset"><span class="frame"></span>Area of the Nansei inset</div>`
    + (units.length ? `<div class="lg-head">Units (drag to move)</div>${units.join("")}` : "");
}

/** Load the palette (GET /api/palette) and paint the sea with it. */
async function loadPalette() {
  PALETTE = await api("GET", "/api/palette");
  for (const m of [map, inset]) if (m) m.getContainer().style.background = PALETTE.sea;
  document.documentElement.style.setProperty("--sea", PALETTE.sea);
  renderLegend();
}

async function loadBaseLayers() {
  const [context, prefs] = await Promise.all([
    api("GET", "/api/geo/region-context"),
    api("GET", "/api/geo/prefectures"),
  ]);
  const contextStyle = { color: "#b5b5b5", weight: 0.8, fillColor: PALETTE.land, fillOpacity: 1 };
  const outlineStyle = { color: PALETTE.coast || "#3d4650", weight: 0.6, opacity: 0.55, fill: false };
  layers.context = L.geoJSON(context, { pane: "context", renderer: renderers.context, interactive: false, style: contextStyle }).addTo(map);
  prefectureRings = polygonRings(prefs);
  layers.prefectures = L.geoJSON(prefs, { pane: "outlines", renderer: renderers.outlines, interactive: false, style: outlineStyle }).addTo(map);
  if (inset) {
    L.geoJSON(context, { pane: "context", renderer: insetRenderer("context"), interactive: false, style: contextStyle }).addTo(inset);
    L.geoJSON(prefs, { pane: "outlines", renderer: insetRenderer("outlines"), interactive: false, style: outlineStyle }).addTo(inset);
  }
}

function replaceLayer(name, layer) {
  if (layers[name]) map.removeLayer(layers[name]);
  layers[name] = layer;
  if (layer) layer.addTo(map);
}

/** -1..3 of a coverage feature: `shot_class`, or an integer `class` (bmdlab.export.coverage_geojson). */
function shotClass(p) {
  if (Number.isInteger(p.shot_class)) return p.shot_class;
  if (Number.isInteger(p.class)) return p.class;
  return -1;
}

/** Leaflet style of a coverage feature: its class's palette colour. */
function coverageStyle(f) {
  const c = classStyle(shotClass(f.properties)).color;
  return { color: c, weight: 0.4, opacity: 1, fillColor: c, fillOpacity: 1 };
}

function drawCoverage(result) {
  const fc = result.layers && result.layers.coverage;
  replaceLayer("coverage", fc ? L.geoJSON(fc, {
    pane: "coverage",
    renderer: renderers.coverage,
    style: coverageStyle,
    onEachFeature: (f, layer) => {
      const p = f.properties;
      const label = p.label || (typeof p.class === "string" ? p.class : classStyle(shotClass(p)).label);
      layer.bindTooltip(`${label}: ${fmtInt(p.land_km2)} km², ${fmtInt(p.population)} people`, { sticky: true });
    },
  }) : null);
  drawInsetCoverage(fc);
}

/** Short label, marker type and badge width (px) of a catalog unit. */
function unitBadge(key) {
  const info = (state.catalog.units || []).find((u) => u.key === key) || {};
  const type = unitType(key, info.basing);
  const labels = { "thaad": "THAAD", "pac-3": "PAC-3", "aegis-ashore": "AA", "asev": "ASEV", "aegis-ship": "DDG" };
  const label = labels[type] || key.slice(0, 4).toUpperCase();
  // shape (14 px) + gap (2) + the label's width + padding (2 + 3) + border (2) + 1 px to spare
  return { label, type, w: Math.ceil(24 + textWidth(label, BADGE_FONT)) };
}

/** [lat, lon] of every unit of the drawn coverage, by index. */
function unitPositions(result) {
  const pos = [];
  const feats = (result.layers && result.layers.units && result.layers.units.features) || [];
  feats.forEach((f, i) => {
    const idx = f.properties && Number.isInteger(f.properties.index) ? f.properties.index : i;
    pos[idx] = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
  });
  (result.units || []).forEach((u, i) => { if (!pos[i] && u.lat !== undefined) pos[i] = [u.lat, u.lon]; });
  return pos;
}

/** A unit's icon: its palette shape (an SVG) and its short label (hidden when compact); the inset's icons are
 * the shape alone, of class `inset-unit` (`unit-marker` is the main map's draggable units only). */
function unitIcon(b, draggable) {
  return L.divIcon({
    className: draggable ? `unit-marker t-${b.type}` : `inset-unit t-${b.type}`,
    html: `${unitShapeSvg(b.type, 14)}<span class="u-label">${b.label}</span>`,
    iconSize: draggable ? [b.w, 20] : [14, 14],
    iconAnchor: draggable ? [b.w / 2, 10] : [7, 7],
  });
}

function drawUnits(scenario, positions) {
  const group = L.layerGroup();
  scenario.architecture.units.forEach((u, i) => {
    const at = positions[i] || (typeof u.at === "object" ? [u.at.lat, u.at.lon] : null);
    if (!at) return;
    const b = unitBadge(u.unit);
    const marker = L.marker(at, { draggable: true, autoPan: true, keyboard: true, title: u.name || u.unit, icon: unitIcon(b, true) });
    marker.badge = { w: b.w, h: 20 };
    marker.fanOffset = null;  // [dx, dy] px when the icon is fanned out of a crowd (see layoutUnitFan)
    marker.bindTooltip(`${u.name || u.unit} (${u.unit})`, { direction: "top", offset: [0, -10] });
    marker.on("dragstart", () => replaceLayer("unitFan", null));
    marker.on("dragend", () => {
      // the unit goes where its icon was dropped: the icon's centre, fan offset included
      let ll = marker.getLatLng();
      if (marker.fanOffset) ll = map.layerPointToLatLng(map.latLngToLayerPoint(ll).add(L.point(marker.fanOffset)));
      moveUnit(i, ll.lat, ll.lng);
    });
    marker.on("add", () => {
      const e = marker.getElement();
      e.dataset.index = String(i);
      e.dataset.type = b.type;
    });
    group.addLayer(marker);
  });
  replaceLayer("units", group);
  layoutUnitFan();
  drawInsetUnits(scenario, positions);
}

/* --- the Nansei (Ryukyu) inset: a second, fixed Leaflet map of the islands south-west of Kyushu, drawn
 * from the same layers (coverage, outlines, cities, units) as the main map. */

let inset = null;
const insetRenderers = {};
const insetLayers = {};

function insetRenderer(pane) {
  if (!insetRenderers[pane]) insetRenderers[pane] = L.canvas({ pane, padding: 0.1 });
  return insetRenderers[pane];
}

function initInset() {
  const box = document.getElementById("inset-map");
  if (!box) return;
  // it may be dragged and zoomed (by the wheel or a pinch) on its own; a double click puts it back
  inset = L.map(box, {
    zoomControl: false, attributionControl: false, boxZoom: false, keyboard: false, doubleClickZoom: false,
    zoomSnap: 0.25, minZoom: 3, maxZoom: 12,
  });
  for (const [pane, z] of [["context", 300], ["coverage", 350], ["outlines", 380], ["cities", 450]]) inset.createPane(pane).style.zIndex = z;
  inset.getPane("outlines").style.pointerEvents = "none";
  // what the inset shows, framed on the main map by a thin dashed line (kept in step when the inset moves)
  inset.on("moveend", () => replaceLayer("insetFrame", L.rectangle(inset.getBounds(), {
    pane: "outlines", renderer: renderers.outlines, interactive: false, color: "#4f5968", weight: 1, dashArray: "4 3", fill: false,
  })));
  fitInset();
  inset.on("dblclick", fitInset);
  map.on("resize", fitInset);
}

/** The inset's view: the islands' centre, at least one zoom step (twice the scale) closer than the main map. */
function fitInset() {
  if (!inset) return;
  inset.invalidateSize();
  const [[s, w], [n, e]] = NANSEI_BOUNDS;
  inset.setView([(s + n) / 2, (w + e) / 2], Math.max(inset.getBoundsZoom(NANSEI_BOUNDS), map.getZoom() + 1), { animate: false });
}

function replaceInsetLayer(name, layer) {
  if (!inset) return;
  if (insetLayers[name]) inset.removeLayer(insetLayers[name]);
  insetLayers[name] = layer;
  if (layer) layer.addTo(inset);
}

function drawInsetCoverage(fc) {
  replaceInsetLayer("coverage", fc ? L.geoJSON(fc, { pane: "coverage", renderer: insetRenderer("coverage"), interactive: false, style: coverageStyle }) : null);
}

function drawInsetUnits(scenario, positions) {
  const group = L.layerGroup();
  scenario.architecture.units.forEach((u, i) => {
    const at = positions[i] || (typeof u.at === "object" ? [u.at.lat, u.at.lon] : null);
    if (!at) return;
    const m = L.marker(at, { interactive: true, keyboard: false, icon: unitIcon(unitBadge(u.unit), false) });
    m.bindTooltip(`${u.name || u.unit} (${u.unit})`, { direction: "top", offset: [0, -7] });
    group.addLayer(m);
  });
  replaceInsetLayer("units", group);
}

/* --- crowded markers (Tokyo, northern Kyushu, Okinawa): icons that overlap on screen are fanned
 * out around their crowd's centre, each joined to its exact position by a thin line and a dot.
 * Only the icons move (their CSS margins); the markers' positions, and so the scenario, stay exact. */

const FAN_GAP = 3;   // px kept between icons
const FAN_MAX = 10;  // larger crowds (zoomed far out) are left as they are
const COMPACT_BELOW_ZOOM = 5;  // below this zoom (a phone's whole-Japan view) icons are their shape alone, without a label
const COMPACT_SIZE = { w: 16, h: 16 };

/** Do two icons, centred at a and b (px) with sizes {w, h}, overlap (with FAN_GAP to spare)? */
function iconsOverlap(a, sa, b, sb) {
  return Math.abs(a.x - b.x) < (sa.w + sb.w) / 2 + FAN_GAP && Math.abs(a.y - b.y) < (sa.h + sb.h) / 2 + FAN_GAP;
}

/**
 * The fans of the crowded markers: groups (indexes into `pts`) whose icons overlap, directly or
 * through others; a crowd whose fan would cover another icon is merged with that icon's crowd and
 * fanned again. Returns one list of targets (as fanTargets gives them) per fanned crowd.
 */
function crowdFans(pts, sizes) {
  const parent = pts.map((_, i) => i);
  const root = (i) => (parent[i] === i ? i : (parent[i] = root(parent[i])));
  const join = (i, j) => { parent[root(i)] = root(j); };
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) if (iconsOverlap(pts[i], sizes[i], pts[j], sizes[j])) join(i, j);
  }
  for (let round = 0; ; round++) {
    const groups = new Map();
    pts.forEach((_, i) => groups.set(root(i), [...(groups.get(root(i)) || []), i]));
    const fans = [...groups.values()].filter((g) => g.length > 1 && g.length <= FAN_MAX).map((g) => fanTargets(g, pts, sizes));
    // where every icon ends up: its fan target, else its own position
    const at = pts.map((p) => ({ x: p.x, y: p.y }));
    for (const fan of fans) for (const t of fan) at[t.k] = t;
    let merged = false;
    for (let i = 0; i < pts.length; i++) {
      for (let j = i + 1; j < pts.length; j++) {
        if (root(i) !== root(j) && iconsOverlap(at[i], sizes[i], at[j], sizes[j])) {
          join(i, j);
          merged = true;
        }
      }
    }
    if (!merged || round >= 5) return fans;
  }
}

/** Icon centres for a crowd: evenly round an ellipse (wider than tall, like the icons), as small as fits. */
function fanTargets(members, pts, sizes) {
  const c = members.reduce((acc, k) => ({ x: acc.x + pts[k].x / members.length, y: acc.y + pts[k].y / members.length }), { x: 0, y: 0 });
  // going round in the order they already lie around the centre keeps the lines from crossing
  const order = [...members].sort((a, b) => Math.atan2(pts[a].y - c.y, pts[a].x - c.x) - Math.atan2(pts[b].y - c.y, pts[b].x - c.x) || a - b);
  const n = order.length;
  for (let r = 12; ; r += 2) {
    const targets = order.map((k, j) => {
      const t = -Math.PI / 2 + (2 * Math.PI * j) / n;
      return { k, x: c.x + 1.8 * r * Math.cos(t), y: c.y + r * Math.sin(t) };
    });
    const clear = targets.every((p, j) => targets.every((q, m) => m <= j || !iconsOverlap(p, sizes[p.k], q, sizes[q.k])));
    if (clear || r > 150) return targets;
  }
}

/** Fan out the unit icons that overlap at the current zoom (called after drawing and on every zoom). */
function layoutUnitFan() {
  const markers = layers.units ? layers.units.getLayers() : [];
  const compact = map.getZoom() < COMPACT_BELOW_ZOOM;
  const pts = markers.map((m) => map.latLngToLayerPoint(m.getLatLng()));
  // a badge keeps its label where there is room; icons in a crowd (that would overlap) are their shape alone
  const badges = markers.map((m) => (compact ? COMPACT_SIZE : m.badge));
  const crowded = new Set(compact ? [] : crowdFans(pts, badges).flat().map((t) => t.k));
  const sizes = badges.map((b, k) => (crowded.has(k) ? COMPACT_SIZE : b));
  const fan = L.layerGroup();
  markers.forEach((m) => { m.fanOffset = null; });
  for (const targets of crowdFans(pts, sizes)) {
    for (const t of targets) {
      const m = markers[t.k];
      m.fanOffset = [t.x - pts[t.k].x, t.y - pts[t.k].y];
      const exact = m.getLatLng();
      const style = { pane: "fan", renderer: renderers.fan, interactive: false };
      fan.addLayer(L.polyline([exact, map.layerPointToLatLng(L.point(t.x, t.y))], { ...style, color: "#14202c", weight: 1.3, opacity: 0.9 }));
      fan.addLayer(L.circleMarker(exact, { ...style, radius: 2.5, color: "#fff", weight: 1, fillColor: "#14202c", fillOpacity: 1 }));
    }
  }
  // icons: size, and margins = -anchor + offset (Leaflet positions an icon by a transform, so margins shift it)
  markers.forEach((m, k) => {
    const e = m.getElement();
    if (!e) return;
    const [dx, dy] = m.fanOffset || [0, 0];
    e.style.width = `${sizes[k].w}px`;
    e.style.height = `${sizes[k].h}px`;
    e.style.marginLeft = `${-sizes[k].w / 2 + dx}px`;
    e.style.marginTop = `${-sizes[k].h / 2 + dy}px`;
    e.classList.toggle("fanned", !!m.fanOffset);
    e.classList.toggle("compact", compact || crowded.has(k));
  });
  replaceLayer("unitFan", fan.getLayers().length ? fan : null);
}

function drawLaunchAreas(result) {
  const feats = (result.layers && result.layers.launch_areas && result.layers.launch_areas.features) || [];
  const group = L.layerGroup();
  for (const f of feats) {
    const [lon, lat] = f.geometry.coordinates;
    const m = L.marker([lat, lon], {
      draggable: false,
      keyboard: false,
      icon: L.divIcon({ className: "launch-marker", html: shapeSvg(launchStyle().shape, launchStyle().color, "#fff", 14, "l-shape"), iconSize: [14, 14], iconAnchor: [7, 7] }),
    });
    m.bindTooltip(`Launch area: ${f.properties.name || f.properties.key}`, { direction: "top" });
    group.addLayer(m);
  }
  replaceLayer("launchAreas", group);
}

/** The cities of a coverage result: [{name, population, defended, shots, lat, lon}]. */
function resultCities(result) {
  const feats = result.layers && result.layers.cities && result.layers.cities.features;
  if (feats) return feats.map((f) => ({ ...f.properties, lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0] }));
  return result.cities || [];
}

/** Radius (px) of a city's dot: grows with the square root of its people, 3 to 8 px. */
const cityRadius = (c) => Math.max(3, Math.min(8, 2 + Math.sqrt(c.population / 1e5)));

function cityDot(c, pane, renderer) {
  const shots = c.shots ?? c.shot_opportunities;
  return L.circleMarker([c.lat, c.lon], {
    pane, renderer, radius: cityRadius(c), color: CITY_RING, weight: 1.3,
    fillColor: c.defended ? CITY_DEFENDED : CITY_UNDEFENDED, fillOpacity: 0.95,
  }).bindTooltip(`${c.name}: ${fmtInt(c.population)} people, ${c.defended ? "defended" : "not defended"}`
    + (shots !== undefined && shots !== null ? ` (${shots} shot opportunit${shots === 1 ? "y" : "ies"})` : ""));
}

function drawCities(result) {
  const cities = resultCities(result);
  state.cities = [...cities].sort((a, b) => b.population - a.population);
  replaceLayer("cities", L.layerGroup(cities.map((c) => cityDot(c, "cities", renderers.cities))));
  const [[s, w], [n, e]] = NANSEI_BOUNDS;
  const south = cities.filter((c) => c.lat >= s && c.lat <= n && c.lon >= w && c.lon <= e);
  replaceInsetLayer("cities", L.layerGroup(south.map((c) => cityDot(c, "cities", insetRenderer("cities")))));
}

/* --- place names: the largest cities' names, placed greedily (largest first) beside their dots where
 * they overlap no other name, no unit icon and no map control, over the sea where they can; a name that fits
 * nowhere is left out. */

const LABEL_FONT = "600 11px system-ui, Arial, sans-serif";
const BADGE_FONT = "700 10px system-ui, Arial, sans-serif";  // a unit badge's label (style.css .unit-marker)
const LABEL_H = 14;    // px: the label's box height
const LABEL_PAD = 2;   // px kept clear around each label
let measureCtx = null;

/** Width (px) of `text` in `font` (canvas metrics), plus 6 px of padding for place names. */
function textWidth(text, font = null) {
  if (!measureCtx) measureCtx = document.createElement("canvas").getContext("2d");
  measureCtx.font = font || LABEL_FONT;
  return Math.ceil(measureCtx.measureText(text).width) + (font ? 0 : 6);
}

/** Boxes {x0, y0, x1, y1} (container px) the names must not cover: unit icons (where drawn) and map controls. */
function labelObstacles() {
  const mapBox = map.getContainer().getBoundingClientRect();
  const elements = [...map.getContainer().querySelectorAll(".unit-marker, .leaflet-control"), document.getElementById("inset")];
  return elements.filter(Boolean).map((e) => {
    const r = e.getBoundingClientRect();
    return { x0: r.left - mapBox.left, y0: r.top - mapBox.top, x1: r.right - mapBox.left, y1: r.bottom - mapBox.top };
  }).filter((b) => b.x1 > b.x0 && b.y1 > b.y0);
}

const boxesOverlap = (a, b) => a.x0 < b.x1 + LABEL_PAD && b.x0 < a.x1 + LABEL_PAD && a.y0 < b.y1 + LABEL_PAD && b.y0 < a.y1 + LABEL_PAD;

/** How many names to try at this zoom: a dozen for the whole of Japan, all when zoomed in. */
const labelBudget = () => (map.getZoom() < 5.5 ? 12 : map.getZoom() < 7 ? 20 : 60);

/** How many of a label box's sample points (3 along its middle) lie on Japan's land (0 to 3). */
function landUnder(b) {
  const y = (b.y0 + b.y1) / 2;
  return [b.x0 + 2, (b.x0 + b.x1) / 2, b.x1 - 2].filter((x) => {
    const ll = map.containerPointToLatLng([x, y]);
    return onLand(ll.lat, ll.lng);
  }).length;
}

/** Where a city's name goes: of the four places beside its dot that are free, the one over the least land (so the
 * coverage stays visible; names of coastal cities go to the sea), else null. */
function labelPlace(c, size, taken, placed) {
  const p = map.latLngToContainerPoint([c.lat, c.lon]);
  const w = textWidth(c.name);
  const r = cityRadius(c) + 2;
  // right, left, above, below the dot, then the four corners
  const h = LABEL_H;
  const options = [[r, -h / 2], [-r - w, -h / 2], [-w / 2, -r - h], [-w / 2, r],
    [r * 0.7, -r * 0.7 - h], [r * 0.7, r * 0.7], [-r * 0.7 - w, -r * 0.7 - h], [-r * 0.7 - w, r * 0.7]];
  let best = null;
  for (const [dx, dy] of options) {
    const b = { x0: p.x + dx, y0: p.y + dy, x1: p.x + dx + w, y1: p.y + dy + LABEL_H, dx, dy, w };
    if (b.x0 < 0 || b.y0 < 0 || b.x1 > size.x || b.y1 > size.y) continue;
    if (taken.some((o) => o.city !== c && boxesOverlap(o, b)) || placed.some((o) => boxesOverlap(o, b))) continue;
    b.land = landUnder(b);
    if (!best || b.land < best.land) best = b;
    if (best.land === 0) break;
  }
  return best;
}

function layoutCityLabels() {
  if (!map || !state.cities) return;
  const size = map.getSize();
  const placed = [];
  // unit icons, map controls, the inset, and the dots of the cities that may be named: a name never covers them
  const named = state.cities.slice(0, labelBudget());
  const taken = labelObstacles().concat(named.map((c) => {
    const p = map.latLngToContainerPoint([c.lat, c.lon]);
    const r = cityRadius(c);
    return { x0: p.x - r, y0: p.y - r, x1: p.x + r, y1: p.y + r, city: c };
  }));
  const group = L.layerGroup();
  for (const c of named) {
    const b = labelPlace(c, size, taken, placed);
    if (!b) continue;
    placed.push(b);
    group.addLayer(L.marker([c.lat, c.lon], {
      pane: "labels", interactive: false, keyboard: false,
      icon: L.divIcon({ className: "city-label", html: c.name, iconSize: [b.w, LABEL_H], iconAnchor: [-b.dx, -b.dy] }),
    }));
  }
  replaceLayer("cityLabels", group);
}

/* ------------------------------------------------------------------ panel rendering */

function renderHeadline(result) {
  const land = result.land_fraction;
  const people = result.population_fraction;
  $("#land-defended").textContent = fmtPct(land);
  $("#people-defended").textContent = fmtPct(people);
  const cat = result.categories || result.breakdown || {};
  const d = cat.defended || {};
  $("#land-defended-detail").textContent = d.land_km2 !== undefined
    ? `of all Japan's land (${fmtInt(d.land_km2)} of ${fmtInt(result.land_area_km2)} km²)` : "of all Japan's land";
  $("#people-defended-detail").textContent = d.population !== undefined
    ? `of all Japan's people (${fmtInt(d.population)} of ${fmtInt(result.population_total)} people)` : "of all Japan's people";
}

function renderRegionTable(result) {
  const tbody = $("#region-table tbody");
  tbody.replaceChildren();
  for (const r of result.regions || []) {
    tbody.append(el("tr", {},
      el("td", { text: r.region }),
      el("td", { text: fmtInt(r.land_km2) }),
      el("td", { text: fmtInt(r.population) }),
      el("td", { text: fmtPct(r.defended.land_fraction) }),
      el("td", { text: fmtPct(r.defended.population_fraction) }),
      el("td", { text: fmtPct(r.threatened_not_defended.population_fraction) }),
      el("td", { text: fmtPct(r.not_threatened.land_fraction) }),
    ));
  }
}

/** The units list; `positions`: [lat, lon] of each unit from the last coverage (else the unit's own {lat, lon}).
 * Each row has the unit's latitude and longitude as number inputs: editing them moves the unit. */
function renderUnitsList(scenario, positions) {
  const list = $("#units-list");
  // keep the keyboard where it was (a re-render follows every recompute)
  const focused = list.contains(document.activeElement) ? document.activeElement : null;
  const refocus = focused && focused.closest("li") ? [focused.closest("li").dataset.index, focused.className] : null;
  list.replaceChildren();
  const units = scenario.architecture.units;
  $("#units-count").textContent = `(${units.length} unit${units.length === 1 ? "" : "s"})`;
  units.forEach((u, i) => {
    const p = positions[i] || (typeof u.at === "object" ? [u.at.lat, u.at.lon] : null);
    const name = u.name || u.unit;
    const place = typeof u.at === "string" ? ` (${u.at})` : "";
    list.append(el("li", { "data-index": i },
      el("span", { class: "u-name", text: name, title: name }),
      el("button", {
        type: "button", class: "remove-unit", text: "Remove",
        "aria-label": `Remove ${name}`, onclick: () => removeUnit(i),
      }),
      el("div", { class: "u-line2" },
        el("span", { class: "u-meta", text: `${u.unit}${place}`, title: `${u.unit}${place}` }),
        p ? positionInputs(i, name, p) : el("span", { class: "u-pos", text: String(u.at) }))));
  });
  if (refocus) {
    const again = list.querySelector(`li[data-index="${refocus[0]}"] [class="${refocus[1]}"]`);
    if (again) again.focus();
  }
}

/** Latitude and longitude inputs of unit i (degrees, 4 decimals: about 10 m). */
function positionInputs(i, name, [lat, lon]) {
  const box = el("span", { class: "u-pos", "data-lat": round4(lat), "data-lon": round4(lon) });
  const input = (cls, label, value, min, max, suffix) => el("label", { class: "u-coord" },
    el("span", { class: "u-coord-label", text: label, "aria-hidden": "true" }),
    el("input", {
      type: "number", class: cls, step: "0.0001", min, max, value: value.toFixed(4), inputmode: "decimal",
      "aria-label": `${label === "lat" ? "Latitude" : "Longitude"} of ${name} (degrees ${suffix === "° N" ? "north" : "east"})`,
    }),
    el("span", { class: "u-coord-unit", text: suffix, "aria-hidden": "true" }));
  box.append(input("unit-lat", "lat", lat, -90, 90, "° N"), input("unit-lon", "lon", lon, -180, 180, "° E"));
  // Commit on Enter, when focus leaves the pair, or on a change made in place (spin buttons, arrow
  // keys). Not when focus just moves from latitude to longitude: the first half of a move is often
  // a place in the sea, which the server would refuse.
  box.addEventListener("keydown", (e) => { if (e.key === "Enter") commitPosition(i, box); });
  box.addEventListener("focusout", (e) => { if (!box.contains(e.relatedTarget)) commitPosition(i, box); });
  box.addEventListener("change", (e) => { setTimeout(() => { if (document.activeElement === e.target) commitPosition(i, box); }, 0); });
  return box;
}

/** Move unit i to the position typed into its inputs (if it changed and is a position at all). */
function commitPosition(i, box) {
  const lat = parseFloat(box.querySelector(".unit-lat").value);
  const lon = parseFloat(box.querySelector(".unit-lon").value);
  const was = [Number(box.dataset.lat), Number(box.dataset.lon)];
  if (!(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180)) {
    showError(`architecture.units.${i}.at: latitude must be -90 to 90 and longitude -180 to 180 degrees; kept ${was[0]}, ${was[1]}`);
    box.querySelector(".unit-lat").value = was[0].toFixed(4);
    box.querySelector(".unit-lon").value = was[1].toFixed(4);
    return;
  }
  if (round4(lat) === was[0] && round4(lon) === was[1]) return;  // nothing moved
  box.dataset.lat = round4(lat);
  box.dataset.lon = round4(lon);
  moveUnit(i, lat, lon);
}

/* ------------------------------------------------------------------ threats */

/** The threat of a scenario as a list of groups (the flat form is one group). Shapes default to minimum-energy. */
function threatGroups(threat) {
  const groups = threat.groups ? threat.groups : [{
    missiles: threat.missiles || [],
    ...(threat.launch_areas ? { launch_areas: threat.launch_areas } : {}),
    shapes: threat.shapes,
  }];
  return groups.map((g) => ({ ...clone(g), shapes: clone(g.shapes && g.shapes.length ? g.shapes : [{ shape: "minimum-energy" }]) }));
}

const shapeKey = (s) => (s.apogee_km !== undefined && s.apogee_km !== null ? `${s.shape}@${s.apogee_km}` : s.shape);
const shapeLabel = (s) => (s.apogee_km !== undefined && s.apogee_km !== null ? `${s.shape} (apogee ${fmtNum(s.apogee_km, 0)} km)` : s.shape);

/** `groups` without the missiles and shape keys in the two sets; groups left empty are dropped. */
function filterGroups(groups, noMissiles, noShapes) {
  const out = [];
  for (const g of groups) {
    const missiles = g.missiles.filter((m) => !noMissiles.has(m));
    const shapes = g.shapes.filter((s) => !noShapes.has(shapeKey(s)));
    if (missiles.length && shapes.length) out.push({ ...g, missiles, shapes });
  }
  return out;
}

/** The threat after the checkboxes: unchecked missiles and shapes removed from every group; empty groups dropped. */
function effectiveThreat() {
  const groups = filterGroups(threatGroups(state.threatBase), state.disabledMissiles, state.disabledShapes);
  return groups.length ? { groups } : null;
}

/** JSON with object keys sorted: equal for equal values whatever the key order. */
function canonical(x) {
  if (Array.isArray(x)) return `[${x.map(canonical).join(",")}]`;
  if (x && typeof x === "object") return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canonical(x[k])}`).join(",")}}`;
  return JSON.stringify(x);
}

/**
 * The threat checkboxes of a scenario saved after edits (a #s= link, an uploaded file): if it was
 * edited from a built-in scenario (its name is that name plus "-edited"), the built-in's missiles and
 * shapes, those the saved threat lacks unchecked, and the saved threat's own extra groups (added
 * threats) after them. Used only if that gives back exactly the saved threat; else the saved threat
 * is the only option. Resolves with {base, missiles, shapes} (state.threatBase and the two sets).
 */
async function threatOptionsFor(scenario) {
  const plain = { base: clone(scenario.threat), missiles: new Set(), shapes: new Set() };
  const name = String(scenario.name || "").replace(/(-edited)+$/, "");
  if (!scenario.threat || !knownName(name)) return plain;
  let builtin;
  try {
    builtin = await fetchBuiltin(name);
  } catch (_) {
    return plain;
  }
  const saved = threatGroups(scenario.threat);
  const base = threatGroups(builtin.threat);
  const savedMissiles = new Set(saved.flatMap((g) => g.missiles));
  const savedShapes = new Set(saved.flatMap((g) => g.shapes.map(shapeKey)));
  const missiles = new Set(base.flatMap((g) => g.missiles).filter((m) => !savedMissiles.has(m)));
  const shapes = new Set(base.flatMap((g) => g.shapes.map(shapeKey)).filter((k) => !savedShapes.has(k)));
  const kept = new Set(filterGroups(base, missiles, shapes).map(canonical));
  const extra = saved.filter((g) => !kept.has(canonical(g)));
  const groups = [...base, ...extra];
  if (canonical(filterGroups(groups, missiles, shapes)) !== canonical(saved)) return plain;
  return { base: { groups }, missiles, shapes };
}

function renderThreats() {
  const missiles = [];
  const shapes = new Map();
  for (const g of threatGroups(state.threatBase)) {
    for (const m of g.missiles) if (!missiles.includes(m)) missiles.push(m);
    for (const s of g.shapes) shapes.set(shapeKey(s), s);
  }
  const info = Object.fromEntries((state.catalog.missiles || []).map((m) => [m.key, m]));
  const box = (id, label, title, checked, onchange, extra = null) => el("label", { title },
    el("input", { type: "checkbox", id, checked, onchange }), ` ${label}`, extra);
  $("#threat-missiles").replaceChildren(...missiles.map((m, i) => {
    const fc = info[m] && info[m].flight_class;
    return box(`threat-missile-${i}`, (info[m] && info[m].name) || m,
      `catalog key: ${m}`, !state.disabledMissiles.has(m),
      (e) => toggleThreat(state.disabledMissiles, m, e.target),
      fc ? el("span", { class: "flight-class", text: ` ${fc}` }) : null);
  }));
  $("#threat-shapes").replaceChildren(...[...shapes.entries()].map(([k, s], i) => box(
    `threat-shape-${i}`, shapeLabel(s), shapeLabel(s), !state.disabledShapes.has(k),
    (e) => toggleThreat(state.disabledShapes, k, e.target))));
}

function toggleThreat(set, key, checkbox) {
  if (checkbox.checked) set.delete(key); else set.add(key);
  const threat = effectiveThreat();
  if (!threat) {
    // refuse to leave no threat at all
    set.delete(key);
    checkbox.checked = true;
    showError("threat: at least one missile and one shape must stay checked (there would be no threat left)");
    return;
  }
  const s = workingScenario();
  s.threat = threat;
  editScenario(s);
}

function addThreat() {
  const missile = $("#add-threat-missile").value;
  const area = $("#add-threat-area").value;
  const shape = $("#add-threat-shape").value;
  const apogee = parseFloat($("#add-threat-apogee").value);
  const spec = { shape };
  if (shape !== "minimum-energy") {
    if (!(apogee > 0)) {
      showError(`threat: a ${shape} trajectory needs an apogee in km (a positive number)`);
      return;
    }
    spec.apogee_km = apogee;
  }
  const groups = threatGroups(state.threatBase);
  groups.push({ missiles: [missile], launch_areas: [area], shapes: [spec], note: "added in bmdlab serve" });
  state.threatBase = { groups };
  state.disabledMissiles.delete(missile);
  state.disabledShapes.delete(shapeKey(spec));
  const s = workingScenario();
  s.threat = effectiveThreat();
  editScenario(s);
}

/* ------------------------------------------------------------------ coverage */

/** The scenario edits build on: the one being computed, else the committed one (a deep copy). */
function workingScenario() {
  return clone(state.pending || state.scenario);
}

/**
 * Compute and draw the coverage of `scenario`. On success it becomes the committed scenario.
 * `meta.baseName`: the built-in name if it is unmodified. `meta.onFail`: called after a refusal.
 */
async function computeCoverage(scenario, meta = {}) {
  const seq = ++state.coverageSeq;
  cancelJob(state.coverageJob);
  state.pending = scenario;
  state.cancelCoverage = false;
  refreshControls();
  const started = performance.now();
  setStatus(`Computing coverage at ${state.resolution} km…`);
  const body = { scenario: meta.baseName || scenario, resolution_km: state.resolution };
  let result;
  try {
    result = await runJob("coverage", body, {
      onStart: (id) => {
        state.coverageJob = id;
        if (state.cancelCoverage) cancelJob(id);  // Cancel was pressed before the server named the job
      },
      onProgress: (p) => setStatus(`Computing coverage at ${state.resolution} km… ${Math.round(100 * p)} %`),
      isStale: () => seq !== state.coverageSeq,
    });
  } catch (e) {
    if (e.stale) return false;
    if (seq === state.coverageSeq) {
      state.pending = null;
      state.coverageJob = null;
      refreshControls();
      if (!e.cancelled) showError(e.message);
      setStatus(e.cancelled ? "Coverage cancelled; kept the previous state" : "Coverage refused; kept the previous state");
      revertToCommitted();
      if (meta.onFail) meta.onFail(e);
    }
    return false;
  }
  if (seq !== state.coverageSeq) return false;  // a newer request is running
  state.pending = null;
  state.coverageJob = null;
  pushHistory();
  state.scenario = scenario;
  state.baseName = meta.baseName || null;
  state.coverage = result;
  state.committedRes = state.resolution;
  state.committedThreatUI = {
    base: clone(state.threatBase), missiles: new Set(state.disabledMissiles), shapes: new Set(state.disabledShapes),
  };
  clearError();
  drawAll(result);
  writeHash();
  refreshControls();
  const secs = result.timing_s !== undefined ? result.timing_s : (performance.now() - started) / 1000;
  setStatus(`Coverage of ${scenario.name} at ${state.resolution} km: ${fmtNum(secs, 1)} s`);
  return true;
}

function drawAll(result) {
  const positions = unitPositions(result);
  drawCoverage(result);
  drawCities(result);
  drawLaunchAreas(result);
  drawUnits(state.scenario, positions);
  renderHeadline(result);
  renderRegionTable(result);
  renderUnitsList(state.scenario, positions);
  renderThreats();
  renderLegend();
  layoutCityLabels();  // after the unit icons: names keep clear of them
  const desc = $("#scenario-description");
  desc.textContent = state.scenario.description || "";
  desc.title = "Click to show all / less";
  // signal to tests (and anyone watching) that a coverage result is on screen
  state.coverageVersion += 1;
  $("#coverage-version").textContent = String(state.coverageVersion);
  $("#map").setAttribute("data-ready", "1");
  document.body.setAttribute("data-ready", "1");
  // the extra views (panels.js) redraw from this event
  document.dispatchEvent(new CustomEvent("bmdlab:coverage", { detail: { result, scenario: state.scenario } }));
}

/** After a refused edit: markers, list, checkboxes and scenario select back to the committed scenario. */
function revertToCommitted() {
  if (!state.scenario || !state.coverage) return;
  const ui = state.committedThreatUI;
  state.threatBase = clone(ui.base);
  state.disabledMissiles = new Set(ui.missiles);
  state.disabledShapes = new Set(ui.shapes);
  $("#scenario-select").value = state.baseName || "";
  // a refused or cancelled change of grid cell: back to the committed one
  if (state.committedRes) {
    state.resolution = state.committedRes;
    $("#resolution").value = String(state.committedRes);
  }
  const positions = unitPositions(state.coverage);
  drawUnits(state.scenario, positions);
  renderUnitsList(state.scenario, positions);
  renderThreats();
}

/** An edit by the analyst: the scenario is no longer a built-in one. */
function editScenario(scenario) {
  if (state.baseName && !scenario.name.endsWith("-edited")) scenario.name = `${scenario.name}-edited`;
  $("#scenario-select").value = "";
  return computeCoverage(scenario, {});
}

function moveUnit(i, lat, lon) {
  const s = workingScenario();
  s.architecture.units[i].at = { lat: round4(lat), lon: round4(lon) };
  editScenario(s);
}

function removeUnit(i) {
  const s = workingScenario();
  s.architecture.units.splice(i, 1);
  editScenario(s);  // the server refuses zero units (422): the error shows and the unit comes back
}

function addUnit() {
  const key = $("#add-unit-type").value;
  const info = state.catalog.units.find((u) => u.key === key) || { name: key };
  const s = workingScenario();
  const same = s.architecture.units.filter((u) => u.unit === key).length;
  const c = map.getCenter();
  const [lat, lon] = nearestPlaceFor(info.basing, c.lat, c.lng);
  s.architecture.units.push({ unit: key, at: { lat: round4(lat), lon: round4(lon) }, name: `${info.name} (added ${same + 1})` });
  editScenario(s);
}

/* --- where a new unit may stand: land units on Japan's land, ships at sea (as the server checks) */

/** Every outer and inner ring of a GeoJSON FeatureCollection of (Multi)Polygons. */
function polygonRings(fc) {
  const rings = [];
  for (const f of fc.features || []) {
    const g = f.geometry;
    if (!g) continue;
    const polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    for (const poly of polys) for (const ring of poly) rings.push(ring);
  }
  return rings;
}

/** Even-odd rule over all rings: true on Japan's land (holes and overlaps cancel as they should). */
function onLand(lat, lon) {
  let inside = false;
  for (const ring of prefectureRings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/**
 * The point nearest (lat, lon) where a unit of this basing may stand: the point itself if it fits,
 * else the first fitting point on growing rings around it (steps of 0.05 deg, up to about 5 deg),
 * with a margin of 0.05 deg of the same kind around it so that the server's coastline agrees.
 */
function nearestPlaceFor(basing, lat, lon) {
  if (!prefectureRings.length || (basing !== "land" && basing !== "sea")) return [lat, lon];
  const wantLand = basing === "land";
  const d = 0.05;
  const fits = (y, x) => [[0, 0], [d, 0], [-d, 0], [0, d], [0, -d]].every(([dy, dx]) => onLand(y + dy, x + dx) === wantLand);
  if (fits(lat, lon)) return [lat, lon];
  for (let r = 1; r <= 100; r++) {
    let best = null;
    for (let k = 0; k < 8 * r; k++) {
      const a = (2 * Math.PI * k) / (8 * r);
      const y = lat + r * d * Math.sin(a);
      const x = lon + (r * d * Math.cos(a)) / Math.cos((lat * Math.PI) / 180);
      if (fits(y, x)) { best = [y, x]; break; }
    }
    if (best) return best;
  }
  return [lat, lon];  // nothing near: let the server say why
}

/* ------------------------------------------------------------------ loading scenarios */

async function fetchBuiltin(name) {
  if (!state.builtinCache[name]) state.builtinCache[name] = (await api("GET", `/api/scenarios/${encodeURIComponent(name)}`)).scenario;
  return clone(state.builtinCache[name]);
}

/** Make `scenario` the page's scenario (resetting the threat checkboxes) and compute its coverage.
 * If it is refused, revertToCommitted() puts the previous one back. */
async function setScenario(scenario, baseName) {
  const t = baseName ? { base: clone(scenario.threat), missiles: new Set(), shapes: new Set() } : await threatOptionsFor(scenario);
  state.threatBase = t.base;
  state.disabledMissiles = t.missiles;
  state.disabledShapes = t.shapes;
  $("#scenario-select").value = baseName || "";
  return computeCoverage(scenario, { baseName });
}

async function loadBuiltin(name) {
  try {
    const ok = await setScenario(await fetchBuiltin(name), name);
    if (ok) markLoaded({ name });
    return ok;
  } catch (e) {
    showError(e.message);
    return false;
  }
}

async function uploadFile(file) {
  let text;
  try {
    text = await file.text();
  } catch (_) {
    showError(`${file.name}: cannot read the file`);
    return;
  }
  try {
    const r = await api("POST", "/api/scenario", { yaml: text });
    clearError();
    if (await setScenario(r.scenario, null)) markLoaded({ scenario: clone(r.scenario) });
  } catch (e) {
    showError(e.message);
  } finally {
    $("#upload").value = "";  // choosing the same file again fires `change` again
  }
}

/* ------------------------------------------------------------------ raid and compare */

function raidOptions() {
  const opts = {};
  const missiles = $("#raid-missiles").value.trim();
  if (missiles !== "") opts.missiles = parseInt(missiles, 10);
  const trials = $("#raid-trials").value.trim();
  if (trials !== "") opts.trials = parseInt(trials, 10);
  opts.doctrine = $("#raid-doctrine").value;
  const seed = $("#raid-seed").value.trim();
  if (seed !== "") opts.seed = parseInt(seed, 10);
  // correlation of one interceptor type's shots (common-mode failure); empty: the scenario's
  const rho = $("#raid-common-mode").value.trim();
  if (rho !== "") opts.common_mode = Number(rho);
  // probability that every unit is on station; empty: the scenario's, else the catalog's
  const avail = $("#raid-availability").value.trim();
  if (avail !== "") opts.availability = Number(avail);
  opts.capacity = $("#raid-capacity").checked;
  return opts;
}

/** Interceptors expended (mean over trials), whichever form the raid JSON gives. */
function interceptorsMean(r) {
  if (typeof r.interceptors_expended_total === "number") return r.interceptors_expended_total;
  const ie = r.interceptors_expended;
  if (ie && typeof ie.mean === "number") return ie.mean;
  if (ie && typeof ie === "object") return Object.values(ie).reduce((a, b) => a + (typeof b === "number" ? b : 0), 0);
  return null;
}

const ci = (pair, digits = 1) => (Array.isArray(pair) ? `95 % CI ${fmtNum(pair[0], digits)} – ${fmtNum(pair[1], digits)}` : "");

function dl(rows) {
  return el("dl", {}, ...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
}

/** The raid's model in words: channels, units on station, correlation (from the raid JSON). */
function raidModel(r) {
  const units = Array.isArray(r.units) ? r.units : [];
  const onStation = units.reduce((a, u) => a + (typeof u.on_station_fraction === "number" ? u.on_station_fraction : 1), 0);
  const rho = r.common_mode ? Object.values(r.common_mode).filter((x) => x > 0) : [];
  return [r.capacity === false ? "no fire-channel or C2 limit" : "fire channels and C2 queue",
          units.length ? `${fmtNum(onStation, 1)} of ${units.length} units on station (mean)` : "",
          rho.length ? `shots correlated (${rho.map((x) => fmtNum(x, 2)).join(", ")})` : "independent shots"]
    .filter(Boolean).join("; ");
}

function renderRaid(r) {
  const out = $("#raid-result");
  const per = r.interceptors_expended && typeof r.interceptors_expended === "object" && r.interceptors_expended.mean === undefined
    ? Object.entries(r.interceptors_expended).map(([k, v]) => `${k} ${fmtNum(v, 1)}`).join(", ") : "";
  const cost = r.interceptor_cost_expended || {};
  out.replaceChildren(dl([
    ["Raid", `${fmtInt(r.missiles)} missiles, ${fmtInt(r.trials)} trials, ${r.doctrine}, seed ${r.seed}`],
    ["Expected leakers", `${fmtNum(r.expected_leakers, 1)} missiles (${ci(r.expected_leakers_ci95)})`],
    ["P(zero leakers)", `${fmtPct(r.p_zero_leakers)}${Array.isArray(r.p_zero_leakers_ci95) ? ` (95 % CI ${fmtPct(r.p_zero_leakers_ci95[0])} – ${fmtPct(r.p_zero_leakers_ci95[1])})` : ""}`],
    ["Interceptors expended", `${fmtNum(interceptorsMean(r), 1)} interceptors (mean)${per ? `: ${per}` : ""}`],
    ["Cost of interceptors expended", fmtMoney(cost)],
    ["Model", raidModel(r)],
  ]));
  out.querySelector("dd:nth-of-type(2)").id = "raid-expected-leakers";
  out.querySelector("dd:nth-of-type(6)").id = "raid-model";
  out.dataset.expectedLeakers = String(r.expected_leakers);
  out.dataset.missiles = String(r.missiles);
}

async function runRaid() {
  const out = $("#raid-result");
  const bar = $("#raid-progress");
  out.dataset.state = "running";
  out.textContent = "Running…";
  bar.value = 0;
  state.raidRunning = true;
  refreshControls();
  $("#raid-cancel").disabled = false;
  setResultDownload("raid", null);
  try {
    const body = { scenario: state.scenario, ...raidOptions() };
    const stem = fileStem();
    const r = await runJob("raid", body, {
      onStart: (id) => { state.raidJob = id; },
      onProgress: (p, msg) => { bar.value = p; out.textContent = `Running… ${Math.round(100 * p)} % ${msg}`; },
    });
    bar.value = 1;
    renderRaid(r);
    out.dataset.state = "done";
    setResultDownload("raid", { result: r, stem });
  } catch (e) {
    if (e.cancelled) {
      out.textContent = "Raid cancelled.";
      out.dataset.state = "cancelled";
    } else {
      out.textContent = `Raid failed: ${e.message}`;
      out.dataset.state = "failed";
      showError(e.message);
    }
  } finally {
    state.raidJob = null;
    state.raidRunning = false;
    refreshControls();
    $("#raid-cancel").disabled = true;
  }
}

function cancelRaid() {
  cancelJob(state.raidJob);
  $("#raid-result").textContent = "Cancelling…";
}

function renderCompare(r, aName, bLabel) {
  const out = $("#compare-result");
  const a = r.a || {};
  const b = r.b || {};
  const d = r.difference || {};
  out.replaceChildren(
    dl([
      ["Raid", `${fmtInt(r.missiles ?? a.missiles)} missiles, ${fmtInt(r.trials ?? a.trials)} trials, seed ${r.seed ?? a.seed}`],
      [`A: ${aName}`, `${fmtNum(a.expected_leakers, 1)} expected leakers (${ci(a.expected_leakers_ci95)})`],
      [`B: ${bLabel}`, `${fmtNum(b.expected_leakers, 1)} expected leakers (${ci(b.expected_leakers_ci95)})`],
      ["Difference B − A", `${d.expected_leakers >= 0 ? "+" : ""}${fmtNum(d.expected_leakers, 1)} leakers (${ci(d.ci95)})`],
    ]),
    el("p", { class: "verdict", id: "compare-verdict", text: r.verdict || "" }),
    r.note ? el("p", { class: "note", text: r.note }) : null);
}

/** B of a comparison: the pinned architecture (a scenario object) or a built-in scenario's name. */
function compareB() {
  const value = $("#compare-select").value;
  if (value === PINNED && state.pinned) return { b: clone(state.pinned.scenario), label: state.pinned.label };
  return { b: value, label: value };
}

async function runCompare() {
  const out = $("#compare-result");
  const { b, label } = compareB();
  const aName = state.scenario.name;
  const stem = fileStem();
  out.dataset.state = "running";
  out.textContent = "Running…";
  state.compareRunning = true;
  refreshControls();
  setResultDownload("compare", null);
  try {
    // the server puts B's units into A's scenario (same threat and raid)
    const r = await runJob("compare", { a: state.scenario, b, ...raidOptions() }, {
      onProgress: (p) => { out.textContent = `Running… ${Math.round(100 * p)} %`; },
    });
    renderCompare(r, aName, label);
    out.dataset.state = "done";
    setResultDownload("compare", { result: r, stem });
  } catch (e) {
    out.textContent = `Compare ${e.cancelled ? "cancelled" : "failed"}: ${e.message}`;
    out.dataset.state = e.cancelled ? "cancelled" : "failed";
    if (!e.cancelled) showError(e.message);
  } finally {
    state.compareRunning = false;
    refreshControls();
  }
}

/** "Use current as B": pin the current (possibly edited) architecture as B and select it. */
function pinCompareB() {
  if (!state.scenario) return;
  const name = state.scenario.name.replace(/(-edited)+$/, "");
  const label = `pinned: ${name}${state.baseName ? "" : " (edited)"}`;
  const scenario = clone(state.scenario);
  // the server's verdict names A and B: an edited B must not share A's "...-edited" name
  if (!state.baseName) scenario.name = `${name}-pinned`;
  state.pinned = { scenario, label };
  const select = $("#compare-select");
  let option = select.querySelector(`option[value="${PINNED}"]`);
  if (!option) {
    option = el("option", { value: PINNED });
    select.prepend(option);
  }
  option.textContent = label;
  select.value = PINNED;
  setStatus(`Pinned the current architecture (${state.scenario.architecture.units.length} units) as B`);
}

/* ------------------------------------------------------------------ the Japan 2017 study */

function renderStudy(r) {
  const rows = (r.claims || []).map((c) => el("tr", {},
    el("td", { class: "claim-quote", text: c.quote || c.id || "" }),
    el("td", { class: `claim-verdict v-${String(c.verdict || "").replace(/\W+/g, "-")}`, text: c.verdict || "–" }),
    el("td", { class: "claim-figure", text: c.figure ?? "–" })));
  const link = (href, text) => el("a", { href, text, target: "_blank", rel: "noopener" });
  $("#study-result").replaceChildren(
    el("div", { class: "table-wrap" }, el("table", { id: "study-claims" },
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", text: "Claim (2017 debate)" }),
        el("th", { scope: "col", text: "Verdict" }),
        el("th", { scope: "col", text: "bmdlab's figure" }))),
      el("tbody", {}, ...rows))),
    el("p", { class: "links" },
      link(r.report_url, "Open the report"), " · ", link(r.results_url, "results.json"),
      ` (${fmtNum(r.resolution_km, 0)} km grid)`));
}

async function runStudy() {
  const out = $("#study-result");
  const bar = $("#study-progress");
  const line = $("#study-message");
  const resolution = Number($("#study-resolution").value);
  out.dataset.state = "running";
  out.replaceChildren();
  bar.value = 0;
  line.textContent = "Starting the study…";
  $("#study-run").disabled = true;
  $("#study-cancel").disabled = false;
  try {
    const r = await runJob("study", { resolution_km: resolution }, {
      onStart: (id) => { state.studyJob = id; },
      onProgress: (p, msg) => {
        bar.value = p;
        line.textContent = `${Math.round(100 * p)} %${msg ? ` · ${msg}` : ""}`;
      },
    });
    bar.value = 1;
    const n = (r.claims || []).length;
    line.textContent = `Done: ${n} claim${n === 1 ? "" : "s"} checked on a ${fmtNum(r.resolution_km, 0)} km grid.`;
    renderStudy(r);
    out.dataset.state = "done";
  } catch (e) {
    line.textContent = e.cancelled ? "Study cancelled." : `Study failed: ${e.message}`;
    out.dataset.state = e.cancelled ? "cancelled" : "failed";
    if (!e.cancelled) showError(e.message);
  } finally {
    state.studyJob = null;
    $("#study-run").disabled = false;
    $("#study-cancel").disabled = true;
  }
}

function cancelStudy() {
  cancelJob(state.studyJob);
  $("#study-message").textContent = "Cancelling… (the study stops at its next step)";
}

/* ------------------------------------------------------------------ undo, reset, busy state */

const HISTORY_MAX = 30;  // committed states kept for Undo (each with its coverage, so Undo needs no server)

/** The committed state as Undo will restore it. */
function committedSnapshot() {
  return {
    scenario: state.scenario, baseName: state.baseName, coverage: state.coverage,
    threatUI: state.committedThreatUI, res: state.committedRes,
  };
}

/** Before a new coverage is committed: keep the current one for Undo. */
function pushHistory() {
  if (!state.scenario || !state.coverage) return;
  state.history.push(committedSnapshot());
  if (state.history.length > HISTORY_MAX) state.history.shift();
}

/** Undo: back to the previous committed scenario, its resolution, threat checkboxes and coverage. */
function undo() {
  if (state.pending || !state.history.length) return;
  const h = state.history.pop();
  state.scenario = h.scenario;
  state.baseName = h.baseName;
  state.coverage = h.coverage;
  state.committedThreatUI = h.threatUI;
  state.committedRes = h.res;
  state.resolution = h.res;
  $("#resolution").value = String(h.res);
  state.threatBase = clone(h.threatUI.base);
  state.disabledMissiles = new Set(h.threatUI.missiles);
  state.disabledShapes = new Set(h.threatUI.shapes);
  $("#scenario-select").value = h.baseName || "";
  clearError();
  drawAll(h.coverage);
  writeHash();
  setStatus(`Undone: ${h.scenario.name} at ${h.res} km`);
  refreshControls();
}

/** Is the committed state what Reset would load? */
function atLoaded() {
  const t = state.loaded;
  if (!t || !state.scenario) return true;
  if (state.committedRes !== t.res) return false;
  return t.name ? state.baseName === t.name : canonical(state.scenario) === canonical(t.scenario);
}

/** Reset: back to the scenario as it was loaded (a built-in, a link or a file) at its resolution; Undo undoes it. */
async function resetScenario() {
  const t = state.loaded;
  if (!t || state.pending) return;
  state.resolution = t.res;
  $("#resolution").value = String(t.res);
  if (t.name) await loadBuiltin(t.name);
  else await setScenario(clone(t.scenario), null);
}

/** Enable or disable the controls that depend on a committed coverage or would start a conflicting job. */
function refreshControls() {
  const busy = !!state.pending;
  const none = !state.coverage;
  const set = (sel, disabled) => { const b = $(sel); if (b) b.disabled = disabled; };
  set("#undo", busy || !state.history.length);
  set("#reset", busy || none || atLoaded());
  set("#raid-run", busy || none || state.raidRunning);
  set("#compare-run", busy || none || state.compareRunning);
  set("#compare-pin", busy || none);
  for (const id of ["#copy-link", "#export-png", "#download-yaml", "#download-geojson", "#download-csv", "#download-json"]) set(id, busy || none);
  for (const sel of ["#map", "#headline", "#region-table", "#inset"]) {
    const e = $(sel);
    if (e) e.setAttribute("aria-busy", busy ? "true" : "false");
  }
  const overlay = $("#busy");
  if (overlay) {
    overlay.hidden = !busy;
    $("#busy-text").textContent = busy ? `Computing coverage at ${state.resolution} km…` : "";
  }
}

/** Cancel the running coverage job (the busy banner's Cancel): the page stays at the committed scenario. */
function cancelCoverage() {
  state.cancelCoverage = true;
  if (state.coverageJob) cancelJob(state.coverageJob);
  $("#busy-text").textContent = "Cancelling…";
}

/* ------------------------------------------------------------------ shareable link */

/** "Copy link": the page's URL (the hash holds the scenario with every edit, and the resolution). */
async function copyLink() {
  writeHash();
  const url = location.href;
  const box = $("#share-url");
  box.value = url;
  box.hidden = false;
  try {
    await navigator.clipboard.writeText(url);
    setStatus("Link copied: it reopens this scenario, its edits and its grid cell");
  } catch (_) {
    // no clipboard (an insecure origin or no permission): the link is selected in the box to copy by hand
    box.focus();
    box.select();
    setStatus("Copy the selected link (Ctrl+C)");
  }
}

/* ------------------------------------------------------------------ map export (PNG, drawn in the browser) */

/** Box of element `e` relative to `origin` (a DOMRect), in CSS px. */
function boxIn(e, origin) {
  const r = e.getBoundingClientRect();
  return { x: r.left - origin.left, y: r.top - origin.top, w: r.width, h: r.height };
}

/** Draw every canvas layer of a Leaflet container, bottom pane first. */
function drawCanvasLayers(ctx, container, origin) {
  const z = (c) => Number((c.parentElement && c.parentElement.style.zIndex) || 0);
  const canvases = [...container.querySelectorAll("canvas")].sort((a, b) => z(a) - z(b));
  for (const c of canvases) {
    const b = boxIn(c, origin);
    if (b.w > 0 && b.h > 0) ctx.drawImage(c, b.x, b.y, b.w, b.h);
  }
}

/** A unit's palette shape, `size` px, centred at (cx, cy): the same path as its SVG marker. */
function drawUnitShape(ctx, type, cx, cy, size) {
  drawShape(ctx, unitStyle(type), cx, cy, size);
}

/** A palette shape ({shape, color, edge}), `size` px, centred at (cx, cy). */
function drawShape(ctx, st, cx, cy, size) {
  ctx.save();
  ctx.translate(cx - size / 2, cy - size / 2);
  ctx.scale(size / 16, size / 16);
  const path = new Path2D(SHAPE_PATHS[st.shape] || SHAPE_PATHS.plus);
  ctx.lineWidth = 1.6;
  ctx.lineJoin = "round";
  ctx.strokeStyle = st.edge || "#fff";
  ctx.fillStyle = st.color;
  ctx.fill(path);
  ctx.stroke(path);
  ctx.restore();
}

/** Text with a white halo (place names, labels). */
function haloText(ctx, text, x, y, font, colour = "#1d2430") {
  ctx.font = font;
  ctx.textBaseline = "middle";
  ctx.lineWidth = 3;
  ctx.strokeStyle = "rgba(255,255,255,0.95)";
  ctx.strokeText(text, x, y);
  ctx.fillStyle = colour;
  ctx.fillText(text, x, y);
}

/** The markers of a container as drawn on screen: launch areas, unit icons (badge or shape), place names. */
function drawMarkers(ctx, container, origin) {
  for (const e of container.querySelectorAll(".launch-marker")) {
    const b = boxIn(e, origin);
    drawShape(ctx, launchStyle(), b.x + b.w / 2, b.y + b.h / 2, Math.min(b.w, b.h));
  }
  for (const e of container.querySelectorAll(".unit-marker, .inset-unit")) {
    const b = boxIn(e, origin);
    const type = e.dataset.type || (e.querySelector("svg") || { dataset: {} }).dataset.type || "other";
    const label = e.querySelector(".u-label");
    if (e.classList.contains("compact") || e.classList.contains("inset-unit") || !label) {
      drawUnitShape(ctx, type, b.x + b.w / 2, b.y + b.h / 2, Math.min(b.w, b.h));
      continue;
    }
    ctx.fillStyle = "rgba(255,255,255,0.95)";
    ctx.strokeStyle = "#1b1b1b";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.roundRect(b.x + 0.5, b.y + 0.5, b.w - 1, b.h - 1, b.h / 2);
    ctx.fill();
    ctx.stroke();
    drawUnitShape(ctx, type, b.x + 10, b.y + b.h / 2, 14);
    ctx.font = BADGE_FONT;
    ctx.textBaseline = "middle";
    ctx.fillStyle = "#1b1b1b";
    ctx.fillText(label.textContent, b.x + 19, b.y + b.h / 2 + 0.5);
  }
  for (const e of container.querySelectorAll(".city-label")) {
    const b = boxIn(e, origin);
    haloText(ctx, e.textContent, b.x + 3, b.y + b.h / 2, LABEL_FONT);
  }
}

/** The PNG's legend (bottom right): the palette's classes and the scenario's unit shapes. */
function drawExportLegend(ctx, w, h) {
  const rows = ["3", "2", "1", "0", "-1"].filter((k) => PALETTE.shot_classes[k]).map((k) => ({ colour: classStyle(k).color, text: classStyle(k).label }));
  rows.push({ colour: PALETTE.land, text: "Other countries" });
  const units = scenarioUnitTypes().map((t) => ({ type: t, text: unitStyle(t).label }));
  const all = [...rows, ...units];
  const row = w < 600 ? 13 : 16;  // a phone's narrow map: a smaller legend
  ctx.font = `${row - 4}px system-ui, Arial, sans-serif`;
  const lw = 30 + Math.max(...all.map((r) => ctx.measureText(r.text).width));
  const lh = 8 + row * all.length;
  const x = w - lw - 8;
  const y = h - lh - 8;
  ctx.fillStyle = "rgba(255,255,255,0.93)";
  ctx.fillRect(x, y, lw, lh);
  all.forEach((r, i) => {
    const cy = y + 4 + row / 2 + row * i;
    if (r.type) drawUnitShape(ctx, r.type, x + 13, cy, row - 4);
    else {
      ctx.fillStyle = r.colour;
      ctx.fillRect(x + 6, cy - (row - 6) / 2, 14, row - 5);
    }
    ctx.fillStyle = "#1d2430";
    ctx.textBaseline = "middle";
    ctx.fillText(r.text, x + 25, cy);
  });
}

const TITLE_H = 24;  // px: the PNG's title band above the map

/** The PNG's title band (scenario, grid cell, headline) and scale bar (as on screen). */
function drawExportFrame(ctx, origin) {
  const title = `${state.scenario.name} · ${state.committedRes} km grid · land defended ${$("#land-defended").textContent}`
    + ` · people defended ${$("#people-defended").textContent} (worst case)`;
  ctx.fillStyle = "#17324d";
  ctx.fillRect(0, -TITLE_H, origin.width, TITLE_H);
  ctx.font = `600 ${origin.width < 600 ? 10 : 13}px system-ui, Arial, sans-serif`;
  ctx.fillStyle = "#fff";
  ctx.textBaseline = "middle";
  ctx.fillText(title, 8, -TITLE_H / 2, origin.width - 16);
  const scale = map.getContainer().querySelector(".leaflet-control-scale-line");
  if (scale) {
    const b = boxIn(scale, origin);
    ctx.fillStyle = "rgba(255,255,255,0.8)";
    ctx.fillRect(b.x, b.y, b.w, b.h);
    ctx.strokeStyle = "#333";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(b.x + 1, b.y);
    ctx.lineTo(b.x + 1, b.y + b.h - 1);
    ctx.lineTo(b.x + b.w - 1, b.y + b.h - 1);
    ctx.lineTo(b.x + b.w - 1, b.y);
    ctx.stroke();
    haloText(ctx, scale.textContent, b.x + 4, b.y + b.h / 2, "11px system-ui, Arial, sans-serif", "#333");
  }
}

/** The map as it is on screen (with the inset, a legend and a title) as a PNG canvas. */
function mapCanvas() {
  const wrap = $("#map-wrap") || map.getContainer();
  const origin = map.getContainer().getBoundingClientRect();
  const scale = window.devicePixelRatio || 1;
  const cv = document.createElement("canvas");
  cv.width = Math.round(origin.width * scale);
  cv.height = Math.round((origin.height + TITLE_H) * scale);
  const ctx = cv.getContext("2d");
  ctx.scale(scale, scale);
  ctx.translate(0, TITLE_H);  // a title band above the map
  ctx.fillStyle = PALETTE.sea;
  ctx.fillRect(0, 0, origin.width, origin.height);
  drawCanvasLayers(ctx, map.getContainer(), origin);
  drawMarkers(ctx, map.getContainer(), origin);
  const box = wrap.querySelector("#inset");
  if (inset && box && box.offsetParent !== null) {
    const b = boxIn(box, origin);
    ctx.fillStyle = PALETTE.sea;
    ctx.fillRect(b.x, b.y, b.w, b.h);
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.x, b.y, b.w, b.h);
    ctx.clip();
    drawCanvasLayers(ctx, inset.getContainer(), origin);
    drawMarkers(ctx, inset.getContainer(), origin);
    const t = box.querySelector(".inset-title");
    if (t) haloText(ctx, t.textContent, b.x + 5, b.y + 9, "600 11px system-ui, Arial, sans-serif");
    ctx.restore();
    ctx.strokeStyle = "#4f5968";
    ctx.lineWidth = 1;
    ctx.strokeRect(b.x + 0.5, b.y + 0.5, b.w - 1, b.h - 1);
  }
  drawExportLegend(ctx, origin.width, origin.height);
  drawExportFrame(ctx, origin);
  return cv;
}

/** "Map (PNG)": download the map as drawn, named after the scenario and grid cell. */
function exportMapPng() {
  if (!needCoverage()) return;
  const name = `${fileStem()}-map-${state.committedRes}km.png`;
  mapCanvas().toBlob((blob) => {
    if (!blob) {
      showError("map export: the browser could not make the PNG");
      return;
    }
    saveBlob(blob, name, "image/png");
  }, "image/png");
}

/* ------------------------------------------------------------------ downloads */

function saveBlob(text, filename, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** The scenario's name as a file name (the server's rule for the YAML download). */
const fileStem = () => ((state.scenario && state.scenario.name) || "scenario").replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 80);

async function downloadYaml() {
  try {
    const text = await api("POST", "/api/scenario/yaml", { scenario: state.scenario }, { raw: true });
    saveBlob(text, `${fileStem()}.yaml`, "application/x-yaml");
  } catch (e) {
    showError(e.message);
  }
}

function needCoverage() {
  if (!state.coverage) showError("no coverage computed yet");
  return !!state.coverage;
}

function downloadGeojson() {
  if (!needCoverage()) return;
  saveBlob(JSON.stringify(state.coverage.layers.coverage), `${fileStem()}-coverage.geojson`, "application/geo+json");
}

function csvCell(v) {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function downloadCsv() {
  if (!needCoverage()) return;
  const header = ["region", "land_km2", "population", "defended_land_fraction", "defended_population_fraction",
    "threatened_undefended_population_fraction", "not_threatened_land_fraction"];
  const rows = state.coverage.regions.map((r) => [r.region, r.land_km2, r.population, r.defended.land_fraction,
    r.defended.population_fraction, r.threatened_not_defended.population_fraction, r.not_threatened.land_fraction]);
  const text = [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\n") + "\n";
  saveBlob(text, `${fileStem()}-regions.csv`, "text/csv");
}

function downloadJson() {
  if (!needCoverage()) return;
  saveBlob(JSON.stringify(state.coverage, null, 1), `${fileStem()}-coverage.json`, "application/json");
}

/** Keep (or forget, with null) the last raid / compare result and enable its download button. */
function setResultDownload(kind, saved) {
  state[`${kind}Result`] = saved;
  const button = $(`#download-${kind}-json`);
  button.disabled = !saved;
  button.title = saved ? `The ${kind} result as the server gave it` : `Run a ${kind === "raid" ? "raid" : "comparison"} first`;
}

/** The server's raid or compare JSON as `<scenario name>-raid.json` / `-compare.json`. */
function downloadResult(kind) {
  const saved = state[`${kind}Result`];
  if (saved) saveBlob(JSON.stringify(saved.result, null, 1), `${saved.stem}-${kind}.json`, "application/json");
}

/* ------------------------------------------------------------------ start-up */

function fillSelect(select, items, selected) {
  select.replaceChildren(...items.map(([value, label]) => el("option", { value, text: label, selected: value === selected })));
}

/** Built-in scenarios, then the trade-off options in their own group. */
function fillScenarioSelect(select, first) {
  fillSelect(select, [...(first ? [first] : []), ...state.builtins.map((s) => [s.name, s.name])]);
  if (state.options.length) {
    select.append(el("optgroup", { label: "Trade-off options" },
      ...state.options.map((n) => el("option", { value: n, text: n }))));
  }
}

const knownName = (name) => state.builtins.some((s) => s.name === name) || state.options.includes(name);

function initControls() {
  const cat = state.catalog;
  fillScenarioSelect($("#scenario-select"), ["", "(edited / uploaded)"]);
  $("#scenario-select").options[0].disabled = true;
  fillScenarioSelect($("#compare-select"));
  fillSelect($("#add-unit-type"), cat.units.map((u) => [u.key, `${u.name} (${u.basing})`]));
  fillSelect($("#add-threat-missile"), cat.missiles.map((m) => {
    const low = m.range_low_km && m.range_low_km < m.range_km ? `${fmtInt(m.range_low_km)}–` : "";
    const details = [m.range_km ? `${low}${fmtInt(m.range_km)} km` : "", m.flight_class || ""].filter(Boolean).join(", ");
    return [m.key, `${m.name}${details ? ` (${details})` : ""}`];
  }));
  fillSelect($("#add-threat-area"), cat.launch_areas.map((a) => [a.key, a.name || a.key]));
  fillSelect($("#add-threat-shape"), (cat.shapes || ["minimum-energy", "lofted", "depressed"]).map((s) => [s, s]));
  if (cat.doctrines) fillSelect($("#raid-doctrine"), cat.doctrines.map((d) => [d, d]));
  if (cat.resolutions_km) {
    fillSelect($("#resolution"), cat.resolutions_km.map((r) => [String(r), `${r} km${r >= 20 ? " (fast)" : r <= 5 ? " (slow)" : ""}`]));
  }
  $("#resolution").value = String(state.resolution);

  $("#scenario-select").addEventListener("change", (e) => { if (e.target.value) loadBuiltin(e.target.value); });
  $("#upload").addEventListener("change", (e) => { if (e.target.files.length) uploadFile(e.target.files[0]); });
  $("#resolution").addEventListener("change", (e) => {
    state.resolution = Number(e.target.value);
    if (state.scenario) computeCoverage(state.scenario, { baseName: state.baseName });
  });
  $("#scenario-description").addEventListener("click", (e) => e.target.classList.toggle("expanded"));
  $("#add-unit").addEventListener("click", addUnit);
  $("#add-threat-button").addEventListener("click", addThreat);
  $("#raid-run").addEventListener("click", runRaid);
  $("#raid-cancel").addEventListener("click", cancelRaid);
  $("#compare-run").addEventListener("click", runCompare);
  $("#compare-pin").addEventListener("click", pinCompareB);
  $("#study-run").addEventListener("click", runStudy);
  $("#study-cancel").addEventListener("click", cancelStudy);
  $("#download-raid-json").addEventListener("click", () => downloadResult("raid"));
  $("#download-compare-json").addEventListener("click", () => downloadResult("compare"));
  $("#download-yaml").addEventListener("click", downloadYaml);
  $("#download-geojson").addEventListener("click", downloadGeojson);
  $("#download-csv").addEventListener("click", downloadCsv);
  $("#download-json").addEventListener("click", downloadJson);
  $("#undo").addEventListener("click", undo);
  $("#reset").addEventListener("click", resetScenario);
  $("#copy-link").addEventListener("click", copyLink);
  $("#export-png").addEventListener("click", exportMapPng);
  $("#busy-cancel").addEventListener("click", cancelCoverage);
  // Ctrl+Z (Cmd+Z) undoes the last change of the map, except while typing in a field (its own undo)
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === "z" && !e.target.closest("input, select, textarea")) {
      e.preventDefault();
      undo();
    }
  });
  refreshControls();
}

/** What Reset returns to: the scenario just loaded (a built-in's name, or a link's or file's scenario), at this resolution. */
function markLoaded(what) {
  state.loaded = { ...what, res: state.resolution };
  refreshControls();
}

/** Load whatever the URL hash names (or the first built-in). */
async function loadFromHash() {
  const h = readHash();
  if (h.res) {
    state.resolution = h.res;
    $("#resolution").value = String(h.res);
  }
  const hadScenario = !!state.scenario;
  let problem = h.error;
  if (h.scenario) {
    if (await setScenario(h.scenario, null)) {
      markLoaded({ scenario: clone(h.scenario) });
      return;
    }
    problem = `the scenario in the link was refused (${$("#error").textContent})`;
  } else if (h.name && knownName(h.name)) {
    if (await loadBuiltin(h.name)) return;
  } else if (h.name) {
    problem = `scenario '${h.name}' in the link is not a built-in scenario`;
  }
  if (!state.scenario) await loadBuiltin(state.builtins[0].name);
  // after the default loaded (a success clears the bar)
  if (problem) showError(`${problem}; ${hadScenario ? "kept the current scenario" : "loaded the default scenario"}`);
}

async function main() {
  initMap();
  try {
    const [catalog, scen] = await Promise.all([api("GET", "/api/catalog"), api("GET", "/api/scenarios"), loadPalette()]);
    state.catalog = catalog;
    state.builtins = scen.scenarios;
    state.options = scen.options || [];
    initControls();
  } catch (e) {
    showError(e.message);
    setStatus("Could not start");
    return;
  }
  loadBaseLayers().catch((e) => showError(`map outlines: ${e.message}`));
  await loadFromHash();
  // someone pasted a link into this tab: follow it (replaceState does not fire this event)
  window.addEventListener("hashchange", () => loadFromHash());
}

/* The page's shared pieces for the extra views in panels.js (one writer per file: panels.js reads these, never
   redefines them). */
window.bmdlabPage = {
  state, api, runJob, cancelJob, el, fmtPct, fmtNum, fmtInt, fmtYen, showError, clearError, setStatus,
  getMap: () => map,
  // added for issue #26 (webmap): the palette, its marker shapes, money, redraw, undo/reset, the map as PNG
  getPalette: () => PALETTE, classStyle, unitType, unitShapeSvg, fmtUsd, fmtMoney,
  redraw: () => { if (state.coverage) drawAll(state.coverage); },
  undo, reset: resetScenario, getInset: () => inset, mapCanvas,
};

document.addEventListener("DOMContentLoaded", main);
