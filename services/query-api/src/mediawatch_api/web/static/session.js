// One session's timeline, from /sessions/{id}/timeline.
import { duration, el, getJSON, time, wireSignOut } from "./api.js";

function outcome(event) {
  if (event.event_type !== "StageCompleted") return "";
  return event.event.success ? "ok" : `failed: ${event.event.error_code || "?"}`;
}

async function load() {
  wireSignOut();
  const box = document.getElementById("session");
  const id = box.dataset.sessionId;
  const summary = document.getElementById("session-summary");
  try {
    const data = await getJSON(`sessions/${encodeURIComponent(id)}/timeline`);
    const rows = data.events.map((e) => el("tr", { class: outcome(e).startsWith("failed") ? "failed" : undefined },
      el("td", {}, time(e.event_time)),
      el("td", {}, e.event_type),
      el("td", {}, e.stage || "–"),
      el("td", {}, outcome(e)),
      el("td", {}, e.event.duration_seconds !== undefined ? duration(e.event.duration_seconds) : ""),
      el("td", { class: "detail" }, e.event.error_message || (e.event.producer ? `${e.event.producer.service}@${e.event.producer.host}` : ""))));
    document.getElementById("timeline").replaceChildren(...rows);
    summary.textContent = `${data.total} events`;
  } catch (error) {
    summary.textContent = `Could not load the timeline: ${error.message}`;
  }
  document.body.setAttribute("data-loaded", "true");
}

load();
