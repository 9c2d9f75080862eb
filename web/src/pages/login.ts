import { ApiError, errorText, login } from "../api";
import { field, h, message, replace } from "../dom";
import type { Page } from "../page";
import { afterLogin } from "../router";

export const loginPage: Page = (root, route) => {
  const user = h("input", { name: "username", autocomplete: "username", required: true, autocapitalize: "none", spellcheck: "false" });
  const pass = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const status = h("div", { class: "login-status" });
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, "Log in");
  if (route.params.get("expired")) {
    status.appendChild(message("info", "Your session ended. Please log in again."));
  }
  const form = h(
    "form",
    { class: "login card", "aria-labelledby": "login-title", novalidate: true },
    h("h1", { id: "login-title" }, h("span", { class: "logo", "aria-hidden": "true" }, "◆"), " walletflow"),
    h("p", { class: "muted" }, "Transaction monitoring and fraud detection"),
    field("Username", user),
    field("Password", pass),
    status,
    submit,
  );
  let busy = false;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (busy) return;
    if (!user.value.trim() || !pass.value) {
      replace(status, message("error", "Enter your username and password."));
      (user.value.trim() ? pass : user).focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    replace(status, message("info", "Logging in…"));
    try {
      await login(user.value.trim(), pass.value);
      afterLogin();
    } catch (e) {
      const msg = e instanceof ApiError && e.status === 401 ? `${e.message}.` : errorText(e);
      replace(status, message("error", msg));
      pass.select();
      pass.focus();
    } finally {
      busy = false;
      submit.disabled = false;
    }
  });
  replace(root, form);
  user.focus();
};
