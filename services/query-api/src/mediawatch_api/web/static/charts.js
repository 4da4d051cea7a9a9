// Line charts drawn with uPlot (served from /vendor/uplot, installed by npm).
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];
const charts = new Map();

function size(target) {
  const width = Math.max(240, target.clientWidth || 360);
  return { width, height: 190 };
}

// series: [{label, values}] aligned with timestamps (seconds); null values leave gaps.
export function lineChart(id, timestamps, series, { percent = false, decimals = 2, range = null } = {}) {
  const target = document.getElementById(id);
  if (!window.uPlot) {
    target.textContent = "Chart library missing: run npm ci in services/query-api/web.";
    return;
  }
  const old = charts.get(id);
  if (old) old.destroy();
  target.replaceChildren();
  const fmt = (v) => (v === null || v === undefined ? "–" : percent ? `${(v * 100).toFixed(1)}%` : v.toFixed(decimals));
  const options = {
    ...size(target),
    legend: { show: true, live: true },
    cursor: { points: { size: 6 } },
    scales: { x: { time: true, range: range ? () => range : undefined }, y: { range: (u, min, max) => [0, Math.max(max || 0, percent ? 0.05 : 1)] } },
    axes: [{}, { values: (u, ticks) => ticks.map((t) => (percent ? `${Math.round(t * 100)}%` : t)) , size: 50 }],
    series: [{}, ...series.map((s, i) => ({
      label: s.label,
      stroke: PALETTE[i % PALETTE.length],
      width: 2,
      spanGaps: false,
      points: { show: true, size: 4 },
      value: (u, v) => fmt(v),
    }))],
  };
  const data = [timestamps, ...series.map((s) => s.values)];
  const chart = new window.uPlot(options, data, target);
  target.setAttribute("role", "img");
  target.setAttribute("aria-label", `${target.parentElement.querySelector("figcaption").textContent}: ${series.map((s) => s.label).join(", ") || "no data"}`);
  charts.set(id, chart);
}

export function resizeAll() {
  for (const [id, chart] of charts) chart.setSize(size(document.getElementById(id)));
}
