// Firing alerts on top, history below, kept live by the server-sent event stream.
import { el, getJSON, send, time } from "./api.js";

const alerts = new Map(); // id -> alert JSON (the newest change wins)
const isAdmin = () => document.getElementById("app").dataset.admin === "true";

function merge(alert) {
  const known = alerts.get(alert.id);
  if (!known || (alert.change ?? 0) >= (known.change ?? 0)) alerts.set(alert.id, alert);
}

function levelBadge(level) {
  return el("span", { class: `badge level-${level}` }, level);
}

function actions(alert) {
  if (!isAdmin() || alert.status !== "firing") return null;
  const ack = alert.acknowledged
    ? null
    : el("button", { type: "button", class: "small", onclick: () => acknowledge(alert) }, "Acknowledge");
  const silence = el("button", { type: "button", class: "small secondary", onclick: () => openSilence(alert) }, "Silence…");
  return el("span", { class: "actions" }, ack, silence);
}

function firingItem(alert) {
  const who = alert.acknowledged ? el("span", { class: "ack" }, `acknowledged by ${alert.acknowledged_by}`) : null;
  const session = alert.session_id
    ? el("a", { href: `/sessions/${encodeURIComponent(alert.session_id)}` }, `session ${alert.session_id}`)
    : null;
  return el("li", { class: `alert level-${alert.level}`, "data-alert-id": alert.id },
    levelBadge(alert.level),
    el("span", { class: "title" }, alert.title),
    el("span", { class: "message" }, alert.message),
    el("span", { class: "meta" }, time(alert.timestamp), " ", session, " ", who),
    actions(alert));
}

export function renderAlerts() {
  const all = [...alerts.values()].sort((a, b) => b.timestamp.localeCompare(a.timestamp));
  const firing = all.filter((a) => a.status === "firing");
  document.getElementById("firing").replaceChildren(...firing.map(firingItem));
  document.getElementById("firing-count").textContent = firing.length;
  document.getElementById("firing-empty").hidden = firing.length > 0;
  const rows = all.slice(0, 25).map((a) => el("tr", {},
    el("td", {}, time(a.timestamp)),
    el("td", {}, levelBadge(a.level)),
    el("td", {}, a.title),
    el("td", {}, a.status === "resolved" ? `resolved ${a.resolve_reason ? `(${a.resolve_reason})` : ""}` : a.acknowledged ? "firing, acknowledged" : "firing")));
  document.getElementById("history").replaceChildren(...rows);
}

export async function loadAlerts() {
  const [firing, recent] = await Promise.all([
    getJSON("alerts?status=firing&limit=200"),
    getJSON("alerts?status=all&limit=50"),
  ]);
  for (const alert of [...firing.alerts, ...recent.alerts]) merge(alert);
  renderAlerts();
}

async function acknowledge(alert) {
  try {
    await send("POST", `alerts/${encodeURIComponent(alert.id)}/acknowledge`, { comment: "" });
    status(`Acknowledgement of “${alert.title}” sent.`);
  } catch (error) {
    status(`Could not acknowledge: ${error.message}`);
  }
}

function status(text) {
  document.getElementById("live").textContent = text;
}

function openSilence(alert) {
  const dialog = document.getElementById("silence-dialog");
  const form = document.getElementById("silence-form");
  form.rule.value = alert.rule;
  form.stage.value = alert.stage || "";
  form.comment.value = "";
  document.getElementById("silence-error").hidden = true;
  dialog.showModal();
  form.comment.focus();
}

export function wireSilenceForm(onCreated) {
  const dialog = document.getElementById("silence-dialog");
  if (!dialog) return;
  const form = document.getElementById("silence-form");
  document.getElementById("silence-cancel").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const matchers = [{ label: "rule", op: "=", value: form.rule.value }];
    if (form.stage.value) matchers.push({ label: "stage", op: "=", value: form.stage.value });
    try {
      await send("POST", "silences", { matchers, duration_minutes: Number(form.duration.value), comment: form.comment.value });
      dialog.close();
      status("Silence created.");
      setTimeout(onCreated, 1500);
    } catch (error) {
      const box = document.getElementById("silence-error");
      box.textContent = error.message;
      box.hidden = false;
    }
  });
}

export async function loadSilences() {
  const [active, pending] = await Promise.all([getJSON("silences?state=active"), getJSON("silences?state=pending")]);
  const list = [...active.silences, ...pending.silences];
  const items = list.map((s) => el("li", {},
    el("span", { class: "matchers" }, s.matchers.map((m) => `${m.label}${m.op}${m.value}`).join(", ")),
    el("span", { class: "meta" }, `${s.state} until ${time(s.ends_at)} · ${s.author}: ${s.comment}`),
    isAdmin() ? el("button", { type: "button", class: "small secondary", onclick: () => expire(s) }, "Expire") : null));
  document.getElementById("silences").replaceChildren(...items);
  document.getElementById("silences-empty").hidden = list.length > 0;
}

async function expire(silence) {
  try {
    await send("DELETE", `silences/${encodeURIComponent(silence.id)}`);
    status("Silence expired.");
    setTimeout(loadSilences, 1500);
  } catch (error) {
    status(`Could not expire: ${error.message}`);
  }
}

// One EventSource for the page; the browser reconnects with Last-Event-ID by itself.
export function connectLive() {
  const source = new EventSource("/api/v1/monitoring/alerts/stream");
  source.addEventListener("ready", () => {
    status("live");
    loadAlerts().catch((error) => status(`alerts: ${error.message}`));
  });
  source.addEventListener("alert", (event) => {
    merge(JSON.parse(event.data));
    renderAlerts();
  });
  source.addEventListener("error", () => status("reconnecting…"));
  return source;
}
