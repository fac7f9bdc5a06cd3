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

/* Colours of the coverage classes (shot_class): keep in step with style.css. */
const CLASS_STYLE = {
  "-1": { color: "#ebe3d3", label: "Not threatened" },
  "0": { color: "#e4572e", label: "Threatened, undefended" },
  "1": { color: "#a8dc8c", label: "Defended: 1 shot opportunity" },
  "2": { color: "#4fae57", label: "Defended: 2 shot opportunities" },
  "3": { color: "#17683a", label: "Defended: 3+ shot opportunities" },
};
// bright fills with a dark ring: visible on every coverage colour and on the sea
const CITY_DEFENDED = "#3ddc63";
const CITY_UNDEFENDED = "#ff2a1a";
const CITY_RING = "#14202c";

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
  raidJob: null,
  raidResult: null,         // {result, stem}: the last raid's JSON, for its download
  compareResult: null,      // {result, stem}: the last comparison's JSON
  pinned: null,             // {scenario, label}: the architecture pinned as B for Compare
  studyJob: null,
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

const clone = (x) => JSON.parse(JSON.stringify(x));
const round4 = (x) => Math.round(x * 1e4) / 1e4;
const fmtInt = (x) => Math.round(x).toLocaleString("en-US");
const fmtPct = (frac, digits = 1) => (frac === null || frac === undefined ? "–" : `${(100 * frac).toFixed(digits)} %`);
const fmtNum = (x, digits = 1) => Number(x).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** "¥51,322,701,990 (¥51.3 billion)" */
function fmtYen(jpy) {
  if (jpy === null || jpy === undefined) return "–";
  let short = "";
  if (Math.abs(jpy) >= 1e12) short = ` (¥${(jpy / 1e12).toFixed(2)} trillion)`;
  else if (Math.abs(jpy) >= 1e9) short = ` (¥${(jpy / 1e9).toFixed(1)} billion)`;
  else if (Math.abs(jpy) >= 1e6) short = ` (¥${(jpy / 1e6).toFixed(1)} million)`;
  return `¥${fmtInt(jpy)}${short}`;
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
  // fanned-out unit icons (markers above all).
  for (const [pane, z] of [["context", 300], ["coverage", 350], ["outlines", 380], ["cities", 450], ["fan", 460]]) {
    map.createPane(pane).style.zIndex = z;
    renderers[pane] = L.canvas({ pane, padding: 0.3 });
  }
  map.getPane("outlines").style.pointerEvents = "none";
  map.getPane("fan").style.pointerEvents = "none";
  map.fitBounds(JAPAN_BOUNDS);
  map.on("zoomend", layoutUnitFan);
  addLegend();
}

function addLegend() {
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => {
    // a <details>: open on a laptop, closed on a phone (where it would cover the map)
    const div = L.DomUtil.create("details", "legend");
    div.open = !window.matchMedia("(max-width: 760px)").matches;
    L.DomEvent.disableClickPropagation(div);
    const rows = ["3", "2", "1", "0", "-1"].map(
      (k) => `<div><span class="sw" style="background:${CLASS_STYLE[k].color}"></span>${CLASS_STYLE[k].label}</div>`);
    div.innerHTML = `<summary>Legend: Japan's land</summary>${rows.join("")}`
      + `<div><span class="sw" style="background:#d4d4d4"></span>Other countries</div>`
      + `<div><span class="dot" style="background:${CITY_DEFENDED}"></span>/<span class="dot" style="background:${CITY_UNDEFENDED}"></span> City defended / not</div>`
      + `<div><span class="tri"></span>Launch area · <span class="sq"></span>Unit (drag)</div>`;
    return div;
  };
  legend.addTo(map);
}

async function loadBaseLayers() {
  const [context, prefs] = await Promise.all([
    api("GET", "/api/geo/region-context"),
    api("GET", "/api/geo/prefectures"),
  ]);
  layers.context = L.geoJSON(context, {
    pane: "context",
    renderer: renderers.context,
    interactive: false,
    style: { color: "#b5b5b5", weight: 0.8, fillColor: "#d4d4d4", fillOpacity: 1 },
  }).addTo(map);
  prefectureRings = polygonRings(prefs);
  layers.prefectures = L.geoJSON(prefs, {
    pane: "outlines",
    renderer: renderers.outlines,
    interactive: false,
    style: { color: "#3d4650", weight: 0.6, opacity: 0.55, fill: false },
  }).addTo(map);
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

function drawCoverage(result) {
  const fc = result.layers && result.layers.coverage;
  replaceLayer("coverage", fc ? L.geoJSON(fc, {
    pane: "coverage",
    renderer: renderers.coverage,
    style: (f) => {
      const c = (CLASS_STYLE[String(shotClass(f.properties))] || CLASS_STYLE["-1"]).color;
      return { color: c, weight: 0.4, opacity: 1, fillColor: c, fillOpacity: 1 };
    },
    onEachFeature: (f, layer) => {
      const p = f.properties;
      const label = p.label || (typeof p.class === "string" ? p.class : CLASS_STYLE[String(shotClass(p))].label);
      layer.bindTooltip(`${label}: ${fmtInt(p.land_km2)} km², ${fmtInt(p.population)} people`, { sticky: true });
    },
  }) : null);
}

/** Short label and CSS class of a unit type (from its catalog key and basing). */
function unitBadge(key) {
  const info = (state.catalog.units || []).find((u) => u.key === key) || {};
  if (key.includes("thaad")) return { label: "THAAD", cls: "thaad", w: 42 };
  if (key.includes("pac-3") || key.includes("patriot")) return { label: "PAC-3", cls: "pac3", w: 38 };
  if (key.includes("aegis-ashore")) return { label: "AA", cls: "aegis-ashore", w: 24 };
  if (key === "asev") return { label: "ASEV", cls: "sea", w: 40 };
  if (info.basing === "sea") return { label: "DDG", cls: "sea", w: 30 };
  return { label: key.slice(0, 4).toUpperCase(), cls: "other", w: 34 };
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

function drawUnits(scenario, positions) {
  const group = L.layerGroup();
  scenario.architecture.units.forEach((u, i) => {
    const at = positions[i] || (typeof u.at === "object" ? [u.at.lat, u.at.lon] : null);
    if (!at) return;
    const b = unitBadge(u.unit);
    const marker = L.marker(at, {
      draggable: true,
      autoPan: true,
      keyboard: true,
      title: u.name || u.unit,
      icon: L.divIcon({ className: `unit-marker ${b.cls}`, html: b.label, iconSize: [b.w, 20], iconAnchor: [b.w / 2, 10] }),
    });
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
    marker.on("add", () => { marker.getElement().dataset.index = String(i); });
    group.addLayer(marker);
  });
  replaceLayer("units", group);
  layoutUnitFan();
}

/* --- crowded markers (Tokyo, northern Kyushu, Okinawa): icons that overlap on screen are fanned
 * out around their crowd's centre, each joined to its exact position by a thin line and a dot.
 * Only the icons move (their CSS margins); the markers' positions, and so the scenario, stay exact. */

const FAN_GAP = 3;   // px kept between icons
const FAN_MAX = 10;  // larger crowds (zoomed far out) are left as they are
const COMPACT_BELOW_ZOOM = 5;  // below this zoom (a phone's whole-Japan view) icons are small squares without a label
const COMPACT_SIZE = { w: 14, h: 14 };

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
  const sizes = markers.map((m) => (compact ? COMPACT_SIZE : m.badge));
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
    e.classList.toggle("compact", compact);
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
      icon: L.divIcon({ className: "launch-marker", html: "", iconSize: [16, 14], iconAnchor: [8, 10] }),
    });
    m.bindTooltip(`Launch area: ${f.properties.name || f.properties.key}`, { direction: "top" });
    group.addLayer(m);
  }
  replaceLayer("launchAreas", group);
}

function drawCities(result) {
  let cities = [];
  const feats = result.layers && result.layers.cities && result.layers.cities.features;
  if (feats) cities = feats.map((f) => ({ ...f.properties, lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0] }));
  else cities = result.cities || [];
  const group = L.layerGroup();
  for (const c of cities) {
    const r = Math.max(3, Math.min(8, 2 + Math.sqrt(c.population / 1e5)));
    const color = c.defended ? CITY_DEFENDED : CITY_UNDEFENDED;
    const shots = c.shots ?? c.shot_opportunities;
    L.circleMarker([c.lat, c.lon], {
      pane: "cities",
      renderer: renderers.cities,
      radius: r,
      color: CITY_RING,
      weight: 1.3,
      fillColor: color,
      fillOpacity: 0.95,
    }).bindTooltip(`${c.name}: ${fmtInt(c.population)} people, ${c.defended ? "defended" : "not defended"}`
      + (shots !== undefined && shots !== null ? ` (${shots} shot opportunit${shots === 1 ? "y" : "ies"})` : ""))
      .addTo(group);
  }
  replaceLayer("cities", group);
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
  const started = performance.now();
  setStatus(`Computing coverage at ${state.resolution} km…`);
  const body = { scenario: meta.baseName || scenario, resolution_km: state.resolution };
  let result;
  try {
    result = await runJob("coverage", body, {
      onStart: (id) => { state.coverageJob = id; },
      onProgress: (p) => setStatus(`Computing coverage at ${state.resolution} km… ${Math.round(100 * p)} %`),
      isStale: () => seq !== state.coverageSeq,
    });
  } catch (e) {
    if (e.stale) return false;
    if (seq === state.coverageSeq) {
      state.pending = null;
      state.coverageJob = null;
      if (!e.cancelled) showError(e.message);
      setStatus(e.cancelled ? "Coverage cancelled" : "Coverage refused; kept the previous state");
      revertToCommitted();
      if (meta.onFail) meta.onFail(e);
    }
    return false;
  }
  if (seq !== state.coverageSeq) return false;  // a newer request is running
  state.pending = null;
  state.coverageJob = null;
  state.scenario = scenario;
  state.baseName = meta.baseName || null;
  state.coverage = result;
  state.committedThreatUI = {
    base: clone(state.threatBase), missiles: new Set(state.disabledMissiles), shapes: new Set(state.disabledShapes),
  };
  clearError();
  drawAll(result);
  writeHash();
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
  const desc = $("#scenario-description");
  desc.textContent = state.scenario.description || "";
  desc.title = "Click to show all / less";
  // signal to tests (and anyone watching) that a coverage result is on screen
  state.coverageVersion += 1;
  $("#coverage-version").textContent = String(state.coverageVersion);
  $("#map").setAttribute("data-ready", "1");
  document.body.setAttribute("data-ready", "1");
}

/** After a refused edit: markers, list, checkboxes and scenario select back to the committed scenario. */
function revertToCommitted() {
  if (!state.scenario || !state.coverage) return;
  const ui = state.committedThreatUI;
  state.threatBase = clone(ui.base);
  state.disabledMissiles = new Set(ui.missiles);
  state.disabledShapes = new Set(ui.shapes);
  $("#scenario-select").value = state.baseName || "";
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
    return await setScenario(await fetchBuiltin(name), name);
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
    await setScenario(r.scenario, null);
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
    ["Cost of interceptors expended", `${fmtYen(cost.jpy)}${cost.price_year ? ` (${cost.price_year} yen)` : ""}`],
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
  $("#raid-run").disabled = true;
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
    $("#raid-run").disabled = false;
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
  $("#compare-run").disabled = true;
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
    $("#compare-run").disabled = false;
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
    if (await setScenario(h.scenario, null)) return;
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
    const [catalog, scen] = await Promise.all([api("GET", "/api/catalog"), api("GET", "/api/scenarios")]);
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

document.addEventListener("DOMContentLoaded", main);
