// The dashboard: every figure comes from the API's JSON endpoints.
import { connectLive, loadSilences, renderAlerts, wireSilenceForm } from "./alerts.js";
import { el, getJSON, time, wireSignOut } from "./api.js";
import { lineChart, resizeAll } from "./charts.js";
import { connectErrors } from "./logs.js";
import { loadSessions, tickSessions, wireSessions } from "./sessions.js";

const REFRESH_MS = 30000;
const BUCKETS = { 1: 60, 24: 600, 168: 3600 };
let hours = 24;

async function loadHealth() {
  const health = await getJSON("health/detailed");
  const overall = document.getElementById("health-overall");
  overall.textContent = health.overall_status;
  overall.className = `badge status-${health.overall_status}`;
  const items = health.checks.map((c) => el("li", { class: `status-${c.status}` },
    el("span", { class: `badge status-${c.status}` }, c.status),
    el("strong", {}, c.component.replace(/_/g, " ")),
    el("span", { class: "message" }, c.message)));
  document.getElementById("health-checks").replaceChildren(...items);
}

async function loadTotals() {
  const stats = await getJSON(`stats?hours=${hours}`);
  const pairs = [
    ["Stages run", stats.total_operations],
    ["Failed", stats.failed_operations],
    ["Error rate", `${(stats.error_rate * 100).toFixed(1)}%`],
    ["Average duration", `${stats.average_duration_seconds.toFixed(2)} s`],
  ];
  document.getElementById("totals").replaceChildren(...pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  document.getElementById("totals-range").textContent = hours === 1 ? "last hour" : hours === 24 ? "last 24 h" : "last 7 d";
}

async function loadDeadLetters() {
  const data = await getJSON(`deadletters?hours=${hours}`);
  const rows = data.by_topic_reason.map((g) => el("tr", {},
    el("td", {}, g.topic), el("td", {}, g.reason), el("td", {}, String(g.count)),
    el("td", {}, String(g.pending)), el("td", {}, time(g.last_failed_at))));
  document.getElementById("deadletters").replaceChildren(...rows);
  document.getElementById("deadletters-count").textContent = String(data.total);
  document.getElementById("deadletters-range").textContent = hours === 1 ? "last hour" : hours === 24 ? "last 24 h" : "last 7 d";
  document.getElementById("deadletters-empty").hidden = rows.length > 0;
}

// The x axis of every chart spans the selected range, ending now.
const span = () => {
  const now = Date.now() / 1000;
  return [now - hours * 3600, now];
};

// null: the API's choice, the shortest windows the aggregator produced in the range.
let windowSeconds = null;

const windowLabel = (s) => (s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`);

function renderWindowChoice(data) {
  const select = document.getElementById("window-size");
  const sizes = [...new Set([...data.window_sizes, data.window_seconds])].sort((a, b) => a - b);
  select.replaceChildren(...sizes.map((s) => el("option", { value: s, selected: s === data.window_seconds }, windowLabel(s))));
  document.getElementById("window-note").textContent = data.window_sizes.length ? "" : "no window results in this range";
}

async function loadWindows() {
  const chosen = windowSeconds === null ? "" : `&window_seconds=${windowSeconds}`;
  const data = await getJSON(`windows/series?hours=${hours}${chosen}`);
  renderWindowChoice(data);
  const stages = Object.entries(data.stages).filter(([, s]) => s.attempts.some((v) => v !== null));
  const pick = (field) => stages.map(([stage, s]) => ({ label: stage, values: s[field] }));
  lineChart("chart-error-rate", data.timestamps, pick("error_rate"), { percent: true, range: span() });
  lineChart("chart-throughput", data.timestamps, pick("throughput_per_minute"), { range: span() });
  lineChart("chart-p95", data.timestamps, pick("p95"), { range: span() });
  const rows = Object.entries(data.latest_percentiles).map(([stage, p]) => el("tr", {},
    el("th", { scope: "row" }, stage),
    ...[p.p50_seconds, p.p95_seconds, p.p99_seconds].map((v) => el("td", {}, v === null ? "–" : `${v.toFixed(2)} s`)),
    el("td", {}, time(p.window_end))));
  document.getElementById("percentiles").replaceChildren(...rows);
}

async function loadResources() {
  const bucket = BUCKETS[hours];
  const data = await getJSON(`metrics/system?hours=${hours}&bucket_seconds=${bucket}`);
  const stamps = [...new Set(data.metrics.map((m) => Date.parse(m.timestamp) / 1000))].sort((a, b) => a - b);
  const index = new Map(stamps.map((t, i) => [t, i]));
  for (const [id, field] of [["chart-cpu", "cpu_usage_percent"], ["chart-memory", "memory_usage_percent"], ["chart-disk", "disk_usage_percent"]]) {
    const series = data.hosts.map((host) => ({ label: host, values: new Array(stamps.length).fill(null) }));
    for (const m of data.metrics) {
      series[data.hosts.indexOf(m.host)].values[index.get(Date.parse(m.timestamp) / 1000)] = m[field];
    }
    lineChart(id, stamps, series, { decimals: 1, range: span() });
  }
}

// body[data-loaded] names the range whose figures are on screen (tests wait for it).
function refresh() {
  const loading = hours;
  const jobs = { health: loadHealth, totals: loadTotals, windows: loadWindows, resources: loadResources, sessions: loadSessions, silences: loadSilences, deadletters: loadDeadLetters };
  return Promise.all(Object.entries(jobs).map(([name, job]) => job().catch((error) => {
    console.error(name, error);
  }))).then(() => document.body.setAttribute("data-loaded", String(loading)));
}

function wireRange() {
  for (const input of document.querySelectorAll('input[name="range"]')) {
    input.addEventListener("change", () => {
      hours = Number(input.value);
      refresh();
    });
  }
  document.getElementById("window-size").addEventListener("change", (event) => {
    windowSeconds = Number(event.target.value);
    loadWindows().catch((error) => console.error("windows", error));
  });
}

function start() {
  wireSignOut();
  wireRange();
  wireSilenceForm(loadSilences);
  wireSessions();
  renderAlerts();
  connectLive();
  connectErrors();
  refresh();
  setInterval(refresh, REFRESH_MS);
  setInterval(tickSessions, 1000);
  window.addEventListener("resize", resizeAll);
}

if (document.readyState === "complete") start();
else window.addEventListener("load", start);
