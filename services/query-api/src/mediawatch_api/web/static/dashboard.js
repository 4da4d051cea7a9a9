// The dashboard: every figure comes from the API's JSON endpoints.
import { connectLive, loadSilences, renderAlerts, wireSilenceForm } from "./alerts.js";
import { duration, el, getJSON, time, wireSignOut } from "./api.js";
import { lineChart, resizeAll } from "./charts.js";

const REFRESH_MS = 30000;
const BUCKETS = { 1: 60, 24: 600, 168: 3600 };
let hours = 24;
let sessionsFetchedAt = Date.now();
let sessions = [];

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

// The x axis of every chart spans the selected range, ending now.
const span = () => {
  const now = Date.now() / 1000;
  return [now - hours * 3600, now];
};

async function loadWindows() {
  const data = await getJSON(`windows/series?hours=${hours}`);
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

function renderSessions() {
  const since = (Date.now() - sessionsFetchedAt) / 1000;
  const rows = sessions.map((s) => el("tr", { class: s.stuck ? "stuck" : undefined },
    el("td", {}, el("a", { href: `/sessions/${encodeURIComponent(s.session_id)}` }, s.session_id)),
    el("td", {}, s.user_id),
    el("td", {}, s.current_stage || s.status, s.stuck ? el("span", { class: "badge status-warning" }, "stuck") : null),
    el("td", {}, duration(s.elapsed_seconds + since)),
    el("td", {}, duration(s.stage_elapsed_seconds === null ? null : s.stage_elapsed_seconds + since)),
    el("td", {}, `${s.stages_completed}/7`)));
  document.getElementById("sessions").replaceChildren(...rows);
  document.getElementById("sessions-count").textContent = sessions.length;
  document.getElementById("sessions-empty").hidden = sessions.length > 0;
}

async function loadSessions() {
  const data = await getJSON("sessions/active");
  sessions = data.active_sessions;
  sessionsFetchedAt = Date.now();
  renderSessions();
}

// body[data-loaded] names the range whose figures are on screen (tests wait for it).
function refresh() {
  const loading = hours;
  const jobs = { health: loadHealth, totals: loadTotals, windows: loadWindows, resources: loadResources, sessions: loadSessions, silences: loadSilences };
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
}

function start() {
  wireSignOut();
  wireRange();
  wireSilenceForm(loadSilences);
  renderAlerts();
  connectLive();
  refresh();
  setInterval(refresh, REFRESH_MS);
  setInterval(renderSessions, 1000);
  window.addEventListener("resize", resizeAll);
}

if (document.readyState === "complete") start();
else window.addEventListener("load", start);
