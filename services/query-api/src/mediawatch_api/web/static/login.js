const form = document.getElementById("login");
const error = document.getElementById("login-error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const body = { username: form.username.value, password: form.password.value };
  const response = await fetch("/api/v1/auth/session", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    credentials: "same-origin",
    body: JSON.stringify(body),
  }).catch(() => null);
  if (response && response.ok) {
    window.location.assign("/");
    return;
  }
  error.textContent = response && response.status === 401
    ? "Wrong user name or password."
    : response && response.status === 429 ? "Too many attempts; wait a minute." : "Sign-in failed; try again.";
  error.hidden = false;
  form.password.select();
});
