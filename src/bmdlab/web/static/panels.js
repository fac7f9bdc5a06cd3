/* bmdlab: the page's extra views (issue #26), each a collapsible <details> inside #more-views:
 *
 *   #view-availability  units on station: each unit's probability, shares of people and land defended over it
 *   #view-campaign      waves of a raid with magazines carried: leakers and interceptors left per wave
 *   #view-costs         the architecture's life-cycle cost, per unit type, and yen per point of people defended
 *   #view-ab-maps       A and B of the comparison on two synchronised small maps with their headline shares
 *   #view-raid-targets  where the scenario's raid is aimed: a layer on the main map and a list
 *
 * Each view has its own busy state (aria-busy on the <details>) and its own one-line error
 * (#view-NAME-error). Uses window.bmdlabPage from app.js (shared helpers, read only) and the server's API:
 * POST /api/availability, /api/campaign, /api/raid-targets (routers/views.py), POST /api/cost and the coverage
 * job. Wrapped in a function: app.js's top-level names stay its own.
 */
"use strict";

(function () {
  const page = window.bmdlabPage;
  if (!page) return;
  const { state, api, runJob, el, fmtPct, fmtNum, fmtInt } = page;
  const PINNED = "__pinned__";  // app.js: the compare select's value of the pinned architecture B
  const JAPAN = [[24, 122], [46, 146]];
  const FALLBACK_CLASSES = {
    "-1": { color: "#ebe3d3" }, "0": { color: "#e4572e" }, "1": { color: "#a8dc8c" },
    "2": { color: "#4fae57" }, "3": { color: "#17683a" },
  };
  const views = {};  // name -> {box, body, error, result, stale, run}

  /* ---------------------------------------------------------------- shared pieces */

  /** The scenario of requests: the built-in's name while it is unmodified, else the scenario as JSON. */
  const currentScenario = () => state.baseName || state.scenario;

  /* money and colours: the page's own rules when app.js has them (one rule for the whole page), else these */
  const yenBn = (jpy) => (page.fmtYen && page.fmtUsd ? page.fmtYen(jpy)
    : `¥${Number(jpy / 1e9).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 })} bn`);
  const usdM = (usd) => (page.fmtUsd ? page.fmtUsd(usd) : `$${fmtInt(usd / 1e6)} M`);
  const palette = () => (page.getPalette ? page.getPalette() : { sea: "#bfe0f5", land: "#d4d4d4" });

  function classColour(k) {
    if (page.classStyle) return page.classStyle(k).color;
    return (FALLBACK_CLASSES[String(k)] || FALLBACK_CLASSES["-1"]).color;
  }

  /** One view: a <details id="view-NAME"> with a summary, a body, a one-line error and a result area. */
  function makeView(name, title, intro, run) {
    const error = el("p", { class: "view-error", id: `view-${name}-error`, role: "alert", hidden: true });
    const result = el("div", { class: "view-result", id: `view-${name}-result`, "aria-live": "polite" });
    const body = el("div", { class: "view-body" }, el("p", { class: "note", text: intro }));
    const box = el("details", { class: "view", id: `view-${name}`, "aria-busy": "false" },
      el("summary", {}, el("h2", { text: title })), body, error, result);
    const v = { name, box, body, error, result, stale: true, run };
    box.addEventListener("toggle", () => { if (box.open && v.stale && v.auto && state.scenario) refresh(v); });
    views[name] = v;
    return v;
  }

  function setError(v, message) {
    if (!message) {
      v.error.hidden = true;
      v.error.textContent = "";
      return;
    }
    const line = String(message).replace(/\s+/g, " ").trim();
    v.error.textContent = line;
    v.error.title = line;
    v.error.hidden = false;
  }

  /** Show `text` in a view's result area until its computation ends (cleared if it fails). */
  function pending(v, text) {
    v.result.textContent = text;
    v.result.dataset.pending = "1";
  }

  /** Run a view's computation with its busy state and its one-line error. */
  async function refresh(v) {
    if (!state.scenario) return;
    const seq = (v.seq = (v.seq || 0) + 1);
    v.box.setAttribute("aria-busy", "true");
    v.box.classList.add("busy");
    setError(v, null);
    try {
      await v.run(v, () => seq !== v.seq);
      if (seq === v.seq) v.stale = false;
    } catch (e) {
      if (seq === v.seq && !e.stale) setError(v, e.message);
      if (seq === v.seq && v.result.dataset.pending) v.result.textContent = "";
    } finally {
      if (seq === v.seq) {
        delete v.result.dataset.pending;
        v.box.setAttribute("aria-busy", "false");
        v.box.classList.remove("busy");
      }
    }
  }

  function numberInput(id, label, value, attrs = {}) {
    const input = el("input", { id, type: "number", value: String(value), ...attrs });
    return { input, row: el("div", { class: "row" }, el("label", { for: id, text: label }), input) };
  }

  /** The number typed in `input`, or null when it is empty (a text that is not a number is sent as typed). */
  function typed(input) {
    const t = input.value.trim();
    if (t === "") return null;
    const n = Number(t);
    return Number.isFinite(n) ? n : t;
  }

  /** A table in a box that scrolls sideways when it is wider than the panel (a phone). */
  function table(head, rows, attrs = {}) {
    return el("div", { class: "view-table-wrap" }, el("table", { class: "view-table", ...attrs },
      el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { text: h })))),
      el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c, i) => el(i ? "td" : "th", { text: c, scope: i ? null : "row" })))))));
  }

  function dl(pairs) {
    const d = el("dl", { class: "view-dl" });
    for (const [k, v, id] of pairs) d.append(el("dt", { text: k }), el("dd", { text: v, id }));
    return d;
  }

  /* ---------------------------------------------------------------- 1. units on station */

  function availabilityView() {
    const samples = numberInput("availability-samples", "Random draws", 500, { min: 1, max: 20000, step: 1 });
    const button = el("button", { id: "availability-run", type: "button", text: "Compute" });
    const v = makeView("availability", "Units on station",
      "Ships rotate through their stations and other units are sometimes down: the share of people and land "
      + "still defended when units are off station, drawn at random with each unit's probability of being on station.",
      runAvailability);
    v.auto = true;
    v.samples = samples.input;
    v.body.append(samples.row, el("div", { class: "row buttons" }, button));
    button.addEventListener("click", () => refresh(v));
    return v;
  }

  async function runAvailability(v, isStale) {
    pending(v, "Computing…");
    const r = await api("POST", "/api/availability", {
      scenario: currentScenario(), resolution_km: state.resolution, samples: typed(v.samples),
    });
    if (isStale()) return;
    const a = r.availability;
    const people = a.population_fraction;
    const land = a.land_fraction;
    const added = Object.fromEntries((r.units || []).map((u) => [u.name, u.population_fraction_added]));
    const rows = Object.entries(a.availability).map(([name, p]) => [
      name, fmtPct(p, 1), added[name] === undefined ? "–" : fmtPct(added[name], 1)]);
    const fleets = (a.posture.fleets || []).map((f) => el("p", { class: "note",
      text: `${f.hulls} ${unitName(f.unit)} hulls rotate through their stations: ${fmtPct(f.share_on_station, 1)} of the time on station, `
        + `${fmtNum(f.expected_on_station, 1)} on station on average, ${f.stations_always_manned} station(s) always manned.` }));
    v.result.replaceChildren(
      dl([
        ["People defended, all units on station", fmtPct(people.all_on_station), "availability-people-all"],
        ["People defended, expected", fmtPct(people.expected), "availability-people-expected"],
        ["95 % interval of the expected", `${fmtPct(people.expected_ci95[0])} – ${fmtPct(people.expected_ci95[1])}`, "availability-people-ci"],
        ["People defended, worst 1 in 20 draws", fmtPct(people.p05), "availability-people-p05"],
        ["Land defended: all on, expected, worst 1 in 20", `${fmtPct(land.all_on_station)} · ${fmtPct(land.expected)} · ${fmtPct(land.p05)}`, "availability-land"],
        ["Units on station, expected", `${fmtNum(a.expected_units_on_station, 1)} of ${rows.length}`, "availability-units"],
      ]),
      ...fleets,
      table(["Unit", "On station", "People it adds (all on)"], rows, { id: "availability-table" }),
      el("p", { class: "note", text: `${fmtInt(a.samples)} random draws (seed ${a.seed}), ${r.resolution_km} km grid. ${a.definition}.` }));
  }

  /* ---------------------------------------------------------------- 2. campaign */

  function campaignView() {
    const waves = numberInput("campaign-waves", "Salvos (waves)", 3, { min: 1, max: 200, step: 1 });
    const missiles = numberInput("campaign-missiles", "Missiles per salvo", 50, { min: 1, max: 5000, step: 1 });
    const every = numberInput("campaign-every", "Hours between salvos", 6, { min: 0.5, max: 720, step: "any" });
    const trials = numberInput("campaign-trials", "Trials", 1000, { min: 2, max: 200000, step: 1 });
    const button = el("button", { id: "campaign-run", type: "button", text: "Run campaign" });
    const v = makeView("campaign", "Campaign (salvos over time)",
      "Several salvos of the scenario's raid, hours apart: magazines are carried from one salvo to the next "
      + "(ships leave station to reload). Interceptors left and missiles not intercepted (leakers) per salvo.",
      runCampaign);
    v.inputs = { waves: waves.input, missiles: missiles.input, every_h: every.input, trials: trials.input };
    v.body.append(waves.row, missiles.row, every.row, trials.row, el("div", { class: "row buttons" }, button));
    button.addEventListener("click", () => refresh(v));
    return v;
  }

  async function runCampaign(v, isStale) {
    pending(v, "Running…");
    const body = { scenario: currentScenario() };
    for (const [k, input] of Object.entries(v.inputs)) body[k] = typed(input);
    if (body.trials === null) delete body.trials;
    const r = await api("POST", "/api/campaign", body);
    if (isStale()) return;
    const waves = r.waves.map((w) => ({ ...w, left: w.rounds_left_mean + Object.values(w.reserve_left_mean || {}).reduce((s, x) => s + x, 0) }));
    const rows = waves.map((w) => [
      String(w.wave), fmtNum(w.at_h, 1), fmtInt(w.missiles),
      `${fmtNum(w.expected_leakers, 1)} ± ${fmtNum((w.expected_leakers_ci95[1] - w.expected_leakers_ci95[0]) / 2, 1)}`,
      fmtNum(w.interceptors_expended, 1), fmtNum(w.left, 1)]);
    const runOut = Object.entries(r.run_out_h || {}).map(([k, o]) => `${k}: ${o.median_h === null ? "not run out in most trials" : `runs out after ${fmtNum(o.median_h, 1)} h (median)`}`);
    v.result.replaceChildren(
      dl([
        ["Leakers over the campaign", `${fmtNum(r.total_expected_leakers, 1)} of ${fmtInt(r.total_missiles)} missiles`, "campaign-total"],
        ["95 % interval", `${fmtNum(r.total_expected_leakers_ci95[0], 1)} – ${fmtNum(r.total_expected_leakers_ci95[1], 1)}`, "campaign-total-ci"],
      ]),
      table(["Salvo", "At [h]", "Missiles", "Leakers ± 95 % CI", "Fired", "Interceptors left"], rows, { id: "campaign-table" }),
      barChart(`Leakers per salvo (bar: share of its ${fmtInt(Math.max(...waves.map((w) => w.missiles), 1))} missiles)`, waves.map((w) => w.expected_leakers), Math.max(...waves.map((w) => w.missiles), 1), "leak", "campaign-chart-leakers"),
      barChart("Interceptors left after each salvo (on station and in depots)", waves.map((w) => w.left),
        Math.max(...waves.map((w) => w.rounds_ready_at_start_mean + Object.values(w.reserve_left_mean || {}).reduce((s, x) => s + x, 0)), 1), "left", "campaign-chart-left"),
      el("p", { class: "note", text: `${fmtInt(r.trials)} trials, seed ${r.seed}, doctrine ${r.doctrine}. ${runOut.join("; ")}.` }));
  }

  /** A small inline SVG bar chart: one bar per salvo, its value written above it; `top` is the axis's top. */
  function barChart(title, values, top, kind, id) {
    const NS = "http://www.w3.org/2000/svg";
    const W = 320, H = 120, pad = { l: 8, r: 8, t: 18, b: 18 };
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("class", `bar-chart ${kind}`);
    svg.setAttribute("id", id);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", `${title}: ${values.map((x) => fmtNum(x, 1)).join(", ")}`);
    const add = (tag, attrs, text) => {
      const n = document.createElementNS(NS, tag);
      for (const [k, val] of Object.entries(attrs)) n.setAttribute(k, String(val));
      if (text !== undefined) n.textContent = text;
      svg.append(n);
      return n;
    };
    const slot = (W - pad.l - pad.r) / Math.max(values.length, 1);
    const plotH = H - pad.t - pad.b;
    add("line", { x1: pad.l, x2: W - pad.r, y1: H - pad.b, y2: H - pad.b, class: "axis" });
    values.forEach((x, i) => {
      const h = Math.max(0, Math.min(1, x / top)) * plotH;
      const bx = pad.l + i * slot + slot * 0.15;
      add("rect", { x: bx, y: H - pad.b - h, width: slot * 0.7, height: h, class: "bar" });
      add("text", { x: bx + slot * 0.35, y: H - pad.b - h - 4, "text-anchor": "middle", class: "value" }, fmtNum(x, x < 100 ? 1 : 0));
      add("text", { x: bx + slot * 0.35, y: H - 5, "text-anchor": "middle", class: "tick" }, String(i + 1));
    });
    return el("figure", { class: "chart" }, el("figcaption", { text: title }), svg);
  }

  /* ---------------------------------------------------------------- 3. costs */

  function costView() {
    const v = makeView("costs", "Cost over the years",
      "Life-cycle cost of the current architecture: acquisition, interceptors and operation over the scenario's "
      + "years, in yen of the price year (dollars at that year's rate), and yen per point of Japan's people defended.",
      runCost);
    v.auto = true;
    const button = el("button", { id: "costs-run", type: "button", text: "Recompute" });
    v.body.append(el("div", { class: "row buttons" }, button));
    button.addEventListener("click", () => refresh(v));
    return v;
  }

  function unitName(key) {
    const u = ((state.catalog && state.catalog.units) || []).find((x) => x.key === key);
    return u && u.name ? u.name : key;
  }

  async function runCost(v, isStale) {
    pending(v, "Computing…");
    const r = await api("POST", "/api/cost", { scenario: currentScenario() });
    if (isStale()) return;
    const money = (m) => (r.jpy_per_usd ? `${yenBn(m.jpy)} (${usdM(m.usd)})` : yenBn(m.jpy));
    // no acquisition column when every unit is already in service (the panel is narrow on a phone)
    const buys = r.lines.some((ln) => ln.acquisition.jpy !== 0);
    const cols = [...(buys ? ["acquisition"] : []), "interceptors", "operation", "total"];
    const rows = r.lines.map((ln) => [`${unitName(ln.unit)} ×${ln.count}`, ...cols.map((c) => yenBn(ln[c].jpy))]);
    rows.push(["All", ...cols.map((c) => yenBn(r[c].jpy))]);
    const head = ["Unit type", ...cols.map((c) => c[0].toUpperCase() + c.slice(1))];
    const cov = state.coverage;
    const people = cov ? cov.population_fraction : null;
    const perPoint = people ? r.total.jpy / (100 * people) : null;
    v.result.replaceChildren(
      dl([
        [`Total over ${r.years} years`, money(r.total), "costs-total"],
        ["Acquisition", money(r.acquisition), "costs-acquisition"],
        ["Interceptors", money(r.interceptors), "costs-interceptors"],
        ["Operation", money(r.operation), "costs-operation"],
        [`Per point of people defended (${fmtPct(people)})`, perPoint === null ? "–" : yenBn(perPoint), "costs-per-point"],
      ]),
      table(head, rows, { id: "costs-table" }),
      el("p", { class: "note", id: "costs-price-year",
        text: `Yen of ${r.price_year}${r.jpy_per_usd ? `; $1 = ¥${fmtNum(r.jpy_per_usd, 2)}` : ""}; ${r.reloads} reload(s) of interceptors bought. `
          + (r.sunk_acquisition && r.sunk_acquisition.jpy ? `Units already in service (${yenBn(r.sunk_acquisition.jpy)} already spent) cost no acquisition.` : "") }));
  }

  /* ---------------------------------------------------------------- 4. A and B side by side */

  function abView() {
    const button = el("button", { id: "ab-run", type: "button", text: "Show A and B" });
    const v = makeView("ab-maps", "A and B side by side",
      "The current architecture (A) and the comparison's B (the Compare section's choice, or the pinned one) against "
      + "A's threat, on two maps that move together.",
      runAB);
    v.body.append(el("div", { class: "row buttons" }, button));
    const pane = (k) => el("div", { class: "ab-pane" },
      el("p", { class: "ab-title", id: `ab-title-${k}`, text: k.toUpperCase() }),
      el("div", { class: "ab-map", id: `ab-map-${k}`, "aria-label": `Map of architecture ${k.toUpperCase()}` }),
      el("p", { class: "ab-share", id: `ab-share-${k}`, text: "–" }));
    v.grid = el("div", { class: "ab-grid", hidden: true }, pane("a"), pane("b"));
    v.legend = el("p", { class: "ab-legend", id: "ab-legend" });
    v.result.append(v.grid, v.legend);
    button.addEventListener("click", () => refresh(v));
    return v;
  }

  /** B as the comparison takes it: B's units in A's scenario (the same threat and raid). */
  async function scenarioB() {
    const select = document.getElementById("compare-select");
    const value = select ? select.value : "";
    let b;
    if (value === PINNED && state.pinned) b = state.pinned.scenario;
    else if (value) b = (await api("GET", `/api/scenarios/${encodeURIComponent(value)}`)).scenario;
    else throw new Error("B: choose an architecture in the Compare section first");
    const a = JSON.parse(JSON.stringify(state.scenario));
    return { ...a, name: b.name === a.name ? `${b.name}-b` : b.name, description: b.description || "", architecture: b.architecture };
  }

  async function baseLayers() {
    if (!views.baseGeo) {
      views.baseGeo = Promise.all([api("GET", "/api/geo/region-context"), api("GET", "/api/geo/prefectures")]);
    }
    return views.baseGeo;
  }

  function smallMap(id, geo) {
    const m = L.map(id, { zoomSnap: 0.25, attributionControl: false, zoomControl: false, minZoom: 3, maxZoom: 10 });
    m.fitBounds(JAPAN);
    m.getContainer().style.background = palette().sea;
    L.geoJSON(geo[0], { interactive: false, style: { color: "#b5b5b5", weight: 0.6, fillColor: palette().land, fillOpacity: 1 } }).addTo(m);
    m.outlines = L.geoJSON(geo[1], { interactive: false, style: { color: "#3d4650", weight: 0.4, opacity: 0.5, fill: false } });
    return m;
  }

  function linkMaps(a, b) {
    let syncing = false;
    const follow = (src, dst) => src.on("move zoom", () => {
      if (syncing) return;
      syncing = true;
      dst.setView(src.getCenter(), src.getZoom(), { animate: false });
      syncing = false;
    });
    follow(a, b);
    follow(b, a);
  }

  function drawSmall(m, result) {
    if (m.coverage) m.removeLayer(m.coverage);
    if (m.units) m.removeLayer(m.units);
    const fc = result.layers && result.layers.coverage;
    m.coverage = L.geoJSON(fc || { type: "FeatureCollection", features: [] }, {
      interactive: false,
      style: (f) => {
        const p = f.properties;
        const c = classColour(Number.isInteger(p.shot_class) ? p.shot_class : (Number.isInteger(p.class) ? p.class : -1));
        return { color: c, weight: 0.3, fillColor: c, fillOpacity: 1 };
      },
    }).addTo(m);
    m.outlines.addTo(m);
    const pts = (result.layers && result.layers.units && result.layers.units.features) || [];
    // each unit as its type's palette shape, as on the main map and the static figures
    m.units = L.layerGroup(pts.map((f) => {
      const p = f.properties || {};
      const icon = L.divIcon({ className: "ab-unit", html: page.unitShapeSvg(page.unitType(p.unit || "", p.basing), 10), iconSize: [10, 10], iconAnchor: [5, 5] });
      return L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], { icon, interactive: false, keyboard: false });
    })).addTo(m);
    m.unitTypes = new Set(pts.map((f) => page.unitType((f.properties || {}).unit || "", (f.properties || {}).basing)));
  }

  async function runAB(v, isStale) {
    if (typeof L === "undefined") throw new Error("maps: Leaflet did not load");
    const a = state.coverage;
    const bScenario = await scenarioB();
    v.result.setAttribute("data-state", "running");
    document.getElementById("ab-share-b").textContent = "Computing…";
    const [geo, b] = await Promise.all([baseLayers(), runJob("coverage", { scenario: bScenario, resolution_km: state.resolution }, {
      onProgress: (p) => { document.getElementById("ab-share-b").textContent = `Computing… ${Math.round(100 * p)} %`; },
      isStale,
    })]);
    if (isStale()) return;
    v.grid.hidden = false;
    if (!v.maps) {
      v.maps = { a: smallMap("ab-map-a", geo), b: smallMap("ab-map-b", geo) };
      linkMaps(v.maps.a, v.maps.b);
    }
    v.maps.a.invalidateSize();
    v.maps.b.invalidateSize();
    v.maps.a.fitBounds(JAPAN);
    for (const [k, r, name] of [["a", a, state.scenario.name], ["b", b, bScenario.name]]) {
      drawSmall(v.maps[k], r);
      document.getElementById(`ab-title-${k}`).textContent = `${k.toUpperCase()}: ${name}`;
      document.getElementById(`ab-share-${k}`).textContent = `${fmtPct(r.population_fraction)} of people, ${fmtPct(r.land_fraction)} of land defended`;
    }
    v.legend.replaceChildren(...["3", "2", "1", "0", "-1"].map((k) => {
      const label = page.classStyle ? page.classStyle(k).label : k;
      return el("span", {}, el("span", { class: "sw", style: `background:${classColour(k)}` }), label);
    }), ...[...new Set([...v.maps.a.unitTypes, ...v.maps.b.unitTypes])].map((t) => {
      const shape = el("span", { class: "ab-shape" });
      shape.innerHTML = page.unitShapeSvg(t, 10);
      return el("span", { "data-type": t }, shape, page.getPalette().unit_types[t].label);
    }));
    v.result.setAttribute("data-state", "done");
  }

  /* ---------------------------------------------------------------- 5. raid targets */

  function raidTargetsView() {
    const show = el("input", { id: "raid-targets-show", type: "checkbox", checked: true });
    const v = makeView("raid-targets", "Raid targets",
      "Where the scenario's raid is aimed: each salvo's missiles go round-robin over the cities in range, most "
      + "populous first (or the cities the scenario names). Circles on the map: missiles per city.",
      runRaidTargets);
    v.auto = true;
    v.show = show;
    v.body.append(el("div", { class: "row" }, show, el("label", { for: "raid-targets-show", text: "Show on the map" })));
    show.addEventListener("change", () => placeTargetsLayer(v));
    v.box.addEventListener("toggle", () => placeTargetsLayer(v));
    return v;
  }

  function placeTargetsLayer(v) {
    const map = page.getMap();
    if (!map || !v.layer) return;
    if (v.show.checked && v.box.open) v.layer.addTo(map);
    else map.removeLayer(v.layer);
  }

  /** A pane for the target circles just above the city dots (app.js: cities 450), so neither hides the other. */
  function targetPane(map) {
    if (!map) return "overlayPane";
    if (!map.getPane("raidTargets")) map.createPane("raidTargets").style.zIndex = 455;
    return "raidTargets";
  }

  async function runRaidTargets(v, isStale) {
    pending(v, "Computing…");
    const r = await api("POST", "/api/raid-targets", { scenario: currentScenario() });
    if (isStale()) return;
    const map = page.getMap();
    if (v.layer && map) map.removeLayer(v.layer);
    const most = Math.max(...r.targets.map((t) => t.missiles), 1);
    const lines = [];
    for (const s of r.salvos) {
      for (const a of s.aims) {
        lines.push(L.polyline([[s.launch_lat, s.launch_lon], [a.lat, a.lon]],
          { color: "#7a1f5c", weight: 0.6 + 2 * a.missiles / most, opacity: 0.35, interactive: false }));
      }
    }
    const circles = r.targets.map((t) => L.circleMarker([t.lat, t.lon], {
      pane: targetPane(map),
      // smaller on a phone's whole-Japan view
      radius: (map && map.getZoom() < 5 ? 0.7 : 1) * (5 + 10 * Math.sqrt(t.missiles / most)),
      color: "#5a0f44", weight: 2, fillColor: "#c2378f", fillOpacity: 0.3,
      className: "raid-target",
    }).bindTooltip(`${t.name}: ${t.missiles} missile${t.missiles === 1 ? "" : "s"} aimed`));
    v.layer = L.layerGroup([...lines, ...circles]);
    placeTargetsLayer(v);
    const short = (text) => text.split(" (")[0];
    const from = (name) => [...new Set(r.salvos.filter((s) => s.aims.some((a) => a.name === name)).map((s) => short(s.launch_name)))];
    v.result.replaceChildren(
      dl([["Missiles in the raid", `${fmtInt(r.missiles)} in ${r.salvos.length} salvos at ${r.targets.length} targets`, "raid-targets-total"]]),
      table(["Target", "Missiles", "Launched from"], r.targets.map((t) => [t.name, fmtInt(t.missiles), from(t.name).join(", ")]),
        { id: "raid-targets-table" }),
      table(["Salvo", "Missiles", "Aimed at"], r.salvos.map((s) => [
        `${short(s.missile_name)} from ${short(s.launch_name)}`, fmtInt(s.count),
        s.aims.map((a) => `${a.name} ${a.missiles}`).join(", ")]), { id: "raid-salvos-table" }));
  }

  /* ---------------------------------------------------------------- wiring */

  function init() {
    const host = document.getElementById("more-views");
    if (!host) return;
    const made = [availabilityView(), campaignView(), costView(), abView(), raidTargetsView()];
    host.replaceChildren(...made.map((v) => v.box));
    document.addEventListener("bmdlab:coverage", () => {
      for (const v of made) {
        v.stale = true;
        if (v.auto && v.box.open) refresh(v);
      }
      const ab = views["ab-maps"];
      if (ab.maps && ab.box.open) refresh(ab);
    });
  }

  /* for tests and the console: the views and, once drawn, the A/B maps (views["ab-maps"].maps.a / .b) */
  window.bmdlabPanels = { views };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
