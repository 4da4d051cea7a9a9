// The dashboard's only data source: the API's JSON endpoints, signed in by cookie.
const API = "/api/v1/monitoring";

function csrfToken() {
  const found = document.cookie.split("; ").find((c) => c.startsWith("mw_csrf="));
  return found ? decodeURIComponent(found.slice("mw_csrf=".length)) : "";
}

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    window.location.assign("/login");
    throw new Error("signed out");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.detail || `HTTP ${response.status}`);
  return data;
}

export const getJSON = (path) => call("GET", path.startsWith("/") ? path : `${API}/${path}`);
export const send = (method, path, body) => call(method, `${API}/${path}`, body);
export const signOut = () => call("POST", "/api/v1/auth/logout").finally(() => window.location.assign("/login"));

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h}h ${m}m` : m ? `${m}m ${r}s` : `${r}s`;
}

export const time = (iso) => (iso ? new Date(iso).toLocaleString() : "–");

export function wireSignOut() {
  const button = document.getElementById("sign-out");
  if (button) button.addEventListener("click", () => signOut());
}
