// "Recent errors": the newest ERROR and CRITICAL records of every service, kept live by the
// logs stream (the server sends the list again whenever it changes).
import { el, time } from "./api.js";

const STREAM = "/api/v1/monitoring/logs/stream?level=ERROR&lines=20";

function sessionLink(record) {
  const id = record.extra && record.extra.session_id;
  return id ? el("a", { href: `/sessions/${encodeURIComponent(id)}` }, id) : "–";
}

export function renderErrors(logs) {
  const newest = [...logs].reverse();
  const rows = newest.map((r) => el("tr", {},
    el("td", {}, time(r.timestamp)),
    el("td", {}, el("span", { class: `badge level-${r.level.toLowerCase()}` }, r.level)),
    el("td", {}, `${r.service}@${r.host}`),
    el("td", { class: "log-message" }, r.message, r.extra && r.extra.error_code ? ` (${r.extra.error_code})` : ""),
    el("td", {}, sessionLink(r))));
  document.getElementById("errors").replaceChildren(...rows);
  document.getElementById("errors-count").textContent = logs.length;
  document.getElementById("errors-empty").hidden = logs.length > 0;
}

export function connectErrors() {
  const source = new EventSource(STREAM);
  source.addEventListener("logs", (event) => renderErrors(JSON.parse(event.data).logs));
  return source;
}
