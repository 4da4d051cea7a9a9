// "Active sessions": one page of unfinished sessions (stuck ones first), the totals, paging
// and filters; the API does the counting and the paging.
import { duration, el, getJSON } from "./api.js";

export const PAGE = 25;
const view = { offset: 0, stuck: false, stage: "", user: "" };
let page = { active_sessions: [], total: 0, stuck_total: 0, offset: 0 };
let fetchedAt = Date.now();

const number = (n) => n.toLocaleString("en-US");

function query() {
  const params = new URLSearchParams({ limit: PAGE, offset: view.offset });
  if (view.stuck) params.set("stuck", "true");
  if (view.stage) params.set("stage", view.stage);
  if (view.user) params.set("user_id", view.user);
  return `sessions/active?${params}`;
}

// Elapsed times move on every second in place: the rows (and their links) stay the same nodes.
export function tickSessions() {
  const since = (Date.now() - fetchedAt) / 1000;
  const cells = document.querySelectorAll("#sessions tr");
  page.active_sessions.forEach((s, i) => {
    const row = cells[i];
    if (!row) return;
    row.children[3].textContent = duration(s.elapsed_seconds + since);
    row.children[4].textContent = duration(s.stage_elapsed_seconds === null ? null : s.stage_elapsed_seconds + since);
  });
}

function renderSessions() {
  const rows = page.active_sessions.map((s) => el("tr", { class: s.stuck ? "stuck" : undefined },
    el("td", {}, el("a", { href: `/sessions/${encodeURIComponent(s.session_id)}` }, s.session_id)),
    el("td", {}, s.user_id),
    el("td", {}, s.current_stage || s.status, s.stuck ? el("span", { class: "badge status-warning" }, "stuck") : null),
    el("td", {}), el("td", {}),
    el("td", {}, `${s.stages_completed}/7`)));
  document.getElementById("sessions").replaceChildren(...rows);
  tickSessions();
  const shown = page.active_sessions.length;
  const first = shown ? page.offset + 1 : 0;
  document.getElementById("sessions-count").textContent = number(page.total);
  const range = shown ? `${number(first)}–${number(page.offset + shown)}` : "0";
  document.getElementById("sessions-summary").textContent =
    `${range} of ${number(page.total)}, ${number(page.stuck_total)} stuck`;
  document.getElementById("sessions-empty").hidden = shown > 0;
  document.getElementById("sessions-prev").disabled = page.offset === 0;
  document.getElementById("sessions-next").disabled = page.offset + shown >= page.total;
}

export async function loadSessions() {
  const data = await getJSON(query());
  if (data.total > 0 && data.offset >= data.total) {
    view.offset = Math.max(0, Math.floor((data.total - 1) / PAGE) * PAGE); // the list shrank
    return loadSessions();
  }
  page = data;
  fetchedAt = Date.now();
  renderSessions();
}

function reload() {
  loadSessions().catch((error) => console.error("sessions", error));
}

export function wireSessions() {
  const go = (offset) => { view.offset = Math.max(0, offset); reload(); };
  document.getElementById("sessions-prev").addEventListener("click", () => go(view.offset - PAGE));
  document.getElementById("sessions-next").addEventListener("click", () => go(view.offset + PAGE));
  document.getElementById("sessions-stuck").addEventListener("change", (e) => { view.stuck = e.target.checked; go(0); });
  document.getElementById("sessions-stage").addEventListener("change", (e) => { view.stage = e.target.value; go(0); });
  let typing;
  document.getElementById("sessions-user").addEventListener("input", (e) => {
    clearTimeout(typing);
    typing = setTimeout(() => { view.user = e.target.value.trim(); go(0); }, 300);
  });
}
