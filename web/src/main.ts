import "./style.css";
import { onUnauthorized, refreshMe, session, setSession, ApiError } from "./api";
import { h, replace, text } from "./dom";
import { live } from "./live";
import type { Page } from "./page";
import { currentRoute, navigate, rememberReturn } from "./router";
import { loginPage } from "./pages/login";
import { money } from "./format";

interface NavItem {
  path: string;
  label: string;
  /** Pages load on first visit: the login page and the shell do not wait for uPlot. */
  load: () => Promise<Page>;
}

const NAV: NavItem[] = [
  { path: "overview", label: "Overview", load: () => import("./pages/overview").then((m) => m.overviewPage) },
  { path: "alerts", label: "Alerts", load: () => import("./pages/alerts").then((m) => m.alertsPage) },
  { path: "transactions", label: "Transactions", load: () => import("./pages/transactions").then((m) => m.transactionsPage) },
  { path: "merchants", label: "Merchants", load: () => import("./pages/marts").then((m) => m.merchantsPage) },
  { path: "users", label: "Users", load: () => import("./pages/marts").then((m) => m.usersPage) },
  { path: "rules", label: "Rules", load: () => import("./pages/rules").then((m) => m.rulesPage) },
  { path: "ops", label: "Operations", load: () => import("./pages/ops").then((m) => m.opsPage) },
];

const app = document.getElementById("app")!;
let cleanup: (() => void) | void;
let shell: Shell | null = null;
let lastPath = "";

interface Shell {
  root: HTMLElement;
  main: HTMLElement;
  links: Map<string, HTMLAnchorElement>;
  badge: HTMLElement;
  liveDot: HTMLElement;
  user: HTMLElement;
  toast: HTMLElement;
  dispose: () => void;
}

function buildShell(): Shell {
  const links = new Map<string, HTMLAnchorElement>();
  const badge = h("span", { class: "badge badge-new", hidden: true, "aria-label": "new alerts" });
  const nav = h(
    "nav",
    { class: "side", "aria-label": "Main" },
    h(
      "ul",
      null,
      ...NAV.map((n) => {
        const a = h("a", { href: `#/${n.path}` }, n.label);
        if (n.path === "alerts") a.appendChild(badge);
        links.set(n.path, a);
        return h("li", null, a);
      }),
    ),
  );
  const main = h("main", { id: "main", tabindex: "-1" });
  const liveDot = h("span", { class: "live live-closed", role: "status" }, "Offline");
  const user = h("span", { class: "who" });
  const toast = h("div", { class: "toast", role: "status", "aria-live": "polite", hidden: true });
  const root = h(
    "div",
    { class: "shell" },
    h("button", { type: "button", class: "skip", onclick: () => focusMain(main) }, "Skip to content"),
    h(
      "header",
      { class: "top" },
      h("a", { class: "brand", href: "#/overview" }, h("span", { "aria-hidden": "true", class: "logo" }, "◆"), " walletflow"),
      liveDot,
      h("div", { class: "spacer" }),
      user,
      h("button", { type: "button", class: "btn btn-quiet", onclick: logout }, "Log out"),
    ),
    nav,
    main,
    toast,
  );

  const offs: Array<() => void> = [];
  offs.push(
    live.state.on(({ state, detail }) => {
      const labels: Record<string, string> = { open: "Live", connecting: "Connecting…", retrying: "Reconnecting…", closed: "Offline" };
      liveDot.className = `live live-${state}`;
      text(liveDot, labels[state] ?? state);
      liveDot.title = detail ?? "";
    }),
  );
  offs.push(
    live.unseen.on((n) => {
      badge.hidden = n === 0;
      text(badge, n > 99 ? "99+" : String(n));
      badge.setAttribute("aria-label", `${n} new alert${n === 1 ? "" : "s"}`);
    }),
  );
  // A toast for the first alert after a quiet spell; the nav badge counts the rest. None
  // on the Alerts page, which offers its own "N new alerts: show" button.
  let toastTimer: number | undefined;
  let lastToast = 0;
  offs.push(
    live.alerts.on((a) => {
      if (currentRoute().path === "alerts" || Date.now() - lastToast < 30_000) return;
      lastToast = Date.now();
      toast.hidden = false;
      replace(
        toast,
        `New alert: ${a.alert_type}, score ${a.fraud_score}, ${money(a.amount_php_minor)}, user ${a.user_id}. `,
        h("a", { href: "#/alerts" }, "Open the queue"),
      );
      window.clearTimeout(toastTimer);
      toastTimer = window.setTimeout(() => (toast.hidden = true), 6000);
    }),
  );
  return {
    root,
    main,
    links,
    badge,
    liveDot,
    user,
    toast,
    dispose: () => {
      offs.forEach((f) => f());
      window.clearTimeout(toastTimer);
    },
  };
}

function showUser(sh: Shell): void {
  const s = session();
  if (!s) return;
  replace(sh.user, h("span", { class: "sr-only" }, "Signed in as "), s.username, " ", h("span", { class: `role role-${s.role}` }, s.role));
}

function focusMain(main: HTMLElement): void {
  const h1 = main.querySelector("h1");
  if (h1) {
    h1.setAttribute("tabindex", "-1");
    h1.focus();
  } else main.focus();
}

function logout(): void {
  setSession(null);
  live.stop();
  navigate("login");
}

function teardownShell(): void {
  shell?.dispose();
  shell = null;
}

function render(): void {
  const route = currentRoute();
  if (typeof cleanup === "function") cleanup();
  cleanup = undefined;

  if (!session() || route.path === "login") {
    if (session() && route.path === "login") {
      navigate("overview");
      return;
    }
    if (route.path !== "login") {
      rememberReturn(location.hash);
      navigate("login");
      return;
    }
    teardownShell();
    live.stop();
    document.title = "Log in · walletflow";
    const root = h("div", { class: "login-wrap" });
    replace(app, root);
    renders += 1;
    cleanup = loginPage(root, route);
    lastPath = "login";
    return;
  }

  const item = NAV.find((n) => n.path === route.path);
  if (!item) {
    navigate("overview");
    return;
  }
  if (!shell) {
    shell = buildShell();
    replace(app, shell.root);
    live.start();
  }
  showUser(shell);
  for (const [path, a] of shell.links) {
    if (path === item.path) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (item.path === "alerts") live.markAlertsSeen();
  document.title = `${item.label} · walletflow`;
  const pageRoot = h("div", { class: `page page-${item.path}` }, h("p", { class: "msg msg-loading", role: "status" }, "Loading…"));
  replace(shell.main, pageRoot);
  const moveFocus = lastPath !== "" && lastPath !== item.path && lastPath !== "login";
  lastPath = item.path;
  const ticket = ++renders;
  const main = shell.main;
  item
    .load()
    .then((page) => {
      if (ticket !== renders) return; // another route was rendered meanwhile
      cleanup = page(pageRoot, route);
      // Focus moves to the new page's heading, as a screen reader user expects.
      if (moveFocus) focusMain(main);
    })
    .catch((e: unknown) => {
      if (ticket !== renders) return;
      replace(pageRoot, h("p", { class: "msg msg-error", role: "alert" }, `This page could not be loaded: ${String(e)}. Reload the browser tab.`));
    });
}

let renders = 0;

onUnauthorized(() => {
  live.stop();
  teardownShell();
  rememberReturn(location.hash);
  navigate("login", { expired: 1 });
});

window.addEventListener("hashchange", render);

// A stored session is checked once (the token may have expired or the server restarted
// with a new key); a 401 there leads to the login page through onUnauthorized.
if (session()) {
  const before = session()?.role;
  refreshMe()
    .then((s) => {
      if (s && s.role !== before) render(); // the server's word on the role decides what is shown
      else if (shell) showUser(shell);
    })
    .catch((e) => {
      if (!(e instanceof ApiError && e.status === 401)) console.warn("auth/me failed", e);
    });
}
render();
