/* The statistics cockpit: every chart and table reads /api/v1/stats/ (the export holds the same figures).
   Clicking a city on the map filters every other chart and table; "返回全省" clears it. */
(function () {
  "use strict";
  const root = document.getElementById("cockpit");
  if (!root || !window.echarts) { return; }
  const api = root.dataset.api;
  const L = (name) => root.dataset["l" + name.charAt(0).toUpperCase() + name.slice(1)] || name;
  const state = { city: "", cityName: "" };
  const charts = {};
  const cityNames = {};  // "3301" → the map's "杭州市"
  const $ = (id) => document.getElementById(id);
  const colon = document.documentElement.lang === "en" ? ": " : "：";

  function chart(id) {
    if (!charts[id]) { charts[id] = window.echarts.init($(id)); }
    return charts[id];
  }

  function format(value, unit) {
    if (value === null || value === undefined) { return "—"; }
    const number = Number(value);
    if (unit === "amount") {
      return "¥" + number.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    if (unit === "percent") { return number.toFixed(2) + "%"; }
    if (unit === "days") { return number.toFixed(1); }
    return number.toLocaleString("zh-CN");
  }

  function selected() {
    const option = $("indicator").selectedOptions[0];
    return { key: option.value, bank: option.dataset.bank === "1", kind: option.dataset.kind === "1" };
  }

  function params(by, extra) {
    const query = new URLSearchParams({ by: by, period: $("period").value });
    if ($("from").value) { query.set("from", $("from").value); }
    if ($("to").value) { query.set("to", $("to").value); }
    if (state.city && by !== "city") { query.set("city", state.city); }
    Object.entries(extra || {}).forEach(([k, v]) => query.set(k, v));
    return query;
  }

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) { throw new Error(String(response.status)); }
    return response.json();
  }

  function renderTable(holder, data, extraColumn) {
    const table = document.createElement("table");
    table.className = "data sortable";
    const head = table.createTHead().insertRow();
    const columns = [L("item"), L("value")].concat(extraColumn ? [extraColumn.label] : []);
    columns.forEach((label, index) => {
      const th = document.createElement("th");
      th.textContent = label;
      th.scope = "col";
      th.tabIndex = 0;
      th.addEventListener("click", () => sortBy(table, index));
      head.appendChild(th);
    });
    const body = table.createTBody();
    data.rows.forEach((row, i) => {
      const tr = body.insertRow();
      tr.insertCell().textContent = row.label;
      const cell = tr.insertCell();
      cell.textContent = format(row.value, data.unit);
      cell.dataset.sort = row.value === null ? "-Infinity" : row.value;
      cell.className = "num";
      if (extraColumn) {
        const extra = tr.insertCell();
        const value = extraColumn.values[i];
        extra.textContent = format(value, data.unit);
        extra.dataset.sort = value === null || value === undefined ? "-Infinity" : value;
        extra.className = "num";
      }
    });
    const foot = table.createTFoot().insertRow();
    foot.insertCell().textContent = L("total");
    const total = foot.insertCell();
    total.textContent = format(data.total, data.unit);
    total.className = "num";
    holder.replaceChildren(table);
    const link = document.createElement("a");
    link.className = "button small export";
    link.textContent = L("export");
    link.href = api + "indicators/" + data.indicator + "/export/?" + params(data.by, extraColumn ? extraColumn.params : {});
    link.setAttribute("download", "");
    holder.appendChild(link);
  }

  function sortBy(table, index) {
    const body = table.tBodies[0];
    const ascending = table.dataset.sorted !== String(index) + "a";
    const rows = Array.from(body.rows);
    rows.sort((a, b) => {
      const x = a.cells[index].dataset.sort ?? a.cells[index].textContent;
      const y = b.cells[index].dataset.sort ?? b.cells[index].textContent;
      const order = index === 0 ? String(x).localeCompare(String(y), "zh-CN") : Number(x) - Number(y);
      return ascending ? order : -order;
    });
    rows.forEach((row) => body.appendChild(row));
    table.dataset.sorted = String(index) + (ascending ? "a" : "d");
  }

  function failed(by) {
    const holder = $("table-" + by);
    if (holder) { holder.textContent = L("error"); }
  }

  async function loadPeriod(indicator) {
    const data = await getJSON(api + "indicators/" + indicator.key + "/?" + params("period"));
    $("definition").textContent = data.definition.join(" ");
    const series = [{ name: data.label, type: "bar", data: data.rows.map((r) => r.value === null ? null : Number(r.value)) }];
    let extra = null;
    if (root.dataset.bank === "1" && $("own") && $("own").checked && indicator.bank) {
      const own = await getJSON(api + "indicators/" + indicator.key + "/?" + params("period", { bank: "own" }));
      const values = own.rows.map((r) => r.value);
      series[0].name = L("market");
      series.push({ name: L("own"), type: "bar", data: values.map((v) => v === null ? null : Number(v)) });
      extra = { label: L("own"), values: values, params: { bank: "own" } };
    }
    if (data.target !== null) {
      series.push({ name: L("target"), type: "line", symbol: "none", lineStyle: { type: "dashed" },
        data: data.rows.map(() => Number(data.target)) });
    }
    chart("chart-period").setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 70, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: data.rows.map((r) => r.label) }, yAxis: { type: "value" }, series: series,
    }, true);
    renderTable($("table-period"), data, extra);
  }

  async function loadBreakdown(indicator, by) {
    const panel = document.querySelector('[data-by="' + by + '"]');
    if (!panel) { return; }
    const applies = !(((by === "kind" || by === "right") && !indicator.kind) || (by === "bank" && !indicator.bank));
    panel.hidden = !applies;
    if (!applies) { return; }
    const data = await getJSON(api + "indicators/" + indicator.key + "/?" + params(by));
    chart("chart-" + by).setOption({
      tooltip: { trigger: "item" }, grid: { left: 110, right: 20, top: 10, bottom: 20 },
      xAxis: { type: "value" }, yAxis: { type: "category", data: data.rows.map((r) => r.label) },
      series: [{ type: "bar", name: data.label, data: data.rows.map((r) => r.value === null ? null : Number(r.value)) }],
    }, true);
    renderTable($("table-" + by), data);
  }

  async function loadMap(indicator) {
    const data = await getJSON(api + "indicators/" + indicator.key + "/?" + params("city"));
    const values = data.rows.filter((r) => cityNames[r.key]).map((r) => ({
      name: cityNames[r.key], value: r.value === null ? null : Number(r.value), code: r.key }));
    const numbers = values.map((v) => v.value || 0);
    chart("chart-map").setOption({
      tooltip: { trigger: "item", formatter: (p) => p.name + colon + format(p.value, data.unit) },
      visualMap: { min: 0, max: Math.max(1, ...numbers), calculable: true, left: 0, bottom: 0,
        inRange: { color: ["#e8f1fb", "#1f5fa8"] } },
      series: [{ type: "map", map: "zhejiang", name: data.label, data: values, selectedMode: "single",
        label: { show: true, fontSize: 10 } }],
    }, true);
    renderTable($("table-city"), data);
  }

  async function loadIndex() {
    const grouping = $("index-grouping").value;
    const data = await getJSON(api + "price-index/?grouping=" + grouping);
    const quarters = Array.from(new Set(data.series.flatMap((s) => s.points.map((p) => p.quarter)))).sort();
    chart("chart-index").setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" }, grid: { left: 50, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: quarters }, yAxis: { type: "value", scale: true },
      series: data.series.map((s) => {
        const byQuarter = Object.fromEntries(s.points.map((p) => [p.quarter, p.value]));
        return { name: s.label, type: "line", connectNulls: false,
          data: quarters.map((q) => byQuarter[q] === null || byQuarter[q] === undefined ? null : Number(byQuarter[q])) };
      }),
    }, true);
    const table = document.createElement("table");
    table.className = "data";
    const head = table.createTHead().insertRow();
    [L("quarter")].concat(data.series.map((s) => s.label)).forEach((label) => {
      const th = document.createElement("th"); th.textContent = label; head.appendChild(th);
    });
    const body = table.createTBody();
    quarters.forEach((q) => {
      const tr = body.insertRow();
      tr.insertCell().textContent = q;
      data.series.forEach((s) => {
        const point = s.points.find((p) => p.quarter === q);
        const cell = tr.insertCell();
        cell.className = "num";
        if (!point) { cell.textContent = "—"; } else if (point.suppressed) {
          cell.textContent = "✕"; cell.title = L("suppressed"); cell.className = "num suppressed";
        } else { cell.textContent = point.value; }
      });
    });
    $("table-index").replaceChildren(table);
  }

  async function loadRoyalties() {
    const data = await getJSON(api + "royalties/");
    const table = document.createElement("table");
    table.className = "data";
    const head = table.createTHead().insertRow();
    [L("item"), "", L("value")].forEach((label) => {
      const th = document.createElement("th"); th.textContent = label; head.appendChild(th);
    });
    const body = table.createTBody();
    data.benchmarks.forEach((b) => {
      const tr = body.insertRow();
      tr.insertCell().textContent = b.label;
      tr.insertCell().textContent = b.measure_label;
      const cell = tr.insertCell();
      cell.className = "num" + (b.suppressed ? " suppressed" : "");
      cell.textContent = b.suppressed ? "✕" : b.median;
      if (b.suppressed) { cell.title = L("suppressed"); }
    });
    if (!data.benchmarks.length) { body.insertRow().insertCell().textContent = L("none"); }
    $("table-royalties").replaceChildren(table);
  }

  function refresh() {
    const indicator = selected();
    $("city-name").textContent = state.city ? state.cityName : L("province");
    $("city-clear").hidden = !state.city;
    const jobs = [loadPeriod(indicator).catch(() => failed("period")), loadMap(indicator).catch(() => failed("city"))];
    ["industry", "right", "kind", "holder_type", "bank"].forEach((by) => jobs.push(loadBreakdown(indicator, by).catch(() => failed(by))));
    return Promise.all(jobs).then(() => { root.dataset.loaded = String(Number(root.dataset.loaded || 0) + 1); });
  }

  async function start() {
    const geo = await getJSON(root.dataset.map);
    geo.features.forEach((f) => { cityNames[String(f.id).slice(0, 4)] = f.properties.name; });
    window.echarts.registerMap("zhejiang", geo);
    chart("chart-map").on("click", (event) => {
      const code = Object.keys(cityNames).find((c) => cityNames[c] === event.name);
      if (!code) { return; }
      state.city = state.city === code ? "" : code;
      state.cityName = event.name;
      refresh();
    });
    $("city-clear").addEventListener("click", () => { state.city = ""; refresh(); });
    ["indicator", "period", "from", "to", "own"].forEach((id) => { if ($(id)) { $(id).addEventListener("change", refresh); } });
    $("index-grouping").addEventListener("change", () => loadIndex().catch(() => { $("table-index").textContent = L("error"); }));
    window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
    await Promise.all([refresh(), loadIndex().catch(() => { $("table-index").textContent = L("error"); }),
      loadRoyalties().catch(() => { $("table-royalties").textContent = L("error"); })]);
    root.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", () => { start().catch(() => { root.dataset.ready = "error"; }); });
})();
