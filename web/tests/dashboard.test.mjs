// The dashboard in a real browser (Debian's chromium, headless, driven by playwright-core)
// against a live `walletflow run`: log in, watch the live counter rise while run generates
// traffic, open an alert, confirm it, see it leave the NEW queue and the rule's precision
// change; a viewer sees PII masked and no edit controls; an admin's invalid ruleset is
// refused with its errors shown inline. A screenshot of every page goes to
// WALLETFLOW_SCREENSHOTS (default build/screenshots).
//
//   WALLETFLOW_BIN=build/release/walletflow node --test web/tests/
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, copyFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "../..");
const bin = resolve(process.env.WALLETFLOW_BIN ?? join(root, "build/release/walletflow"));
const shots = resolve(process.env.WALLETFLOW_SCREENSHOTS ?? join(root, "build/screenshots"));
const dir = mkdtempSync(join(tmpdir(), "walletflow-dashboard-"));
const db = join(dir, "dash.db");
let run, base, demoPassword, browser;

// Lines of the child's stderr, and a wait for the first one matching `re`.
function watch(child) {
  let text = "";
  const waiters = [];
  child.stderr.on("data", (d) => {
    text += d;
    for (const w of waiters.splice(0)) w();
  });
  return async (re, ms = 60_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const m = text.match(re);
      if (m) return m;
      if (Date.now() > end) throw new Error(`no ${re} in:\n${text}`);
      await new Promise((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  const rules = join(dir, "rules.toml");
  copyFileSync(join(root, "config/rules/ph-ewallet.toml"), rules);
  // A small population and a high fraud rate: alerts arrive within seconds.
  run = spawn(bin, ["run", "--db", db, "--rate", "100", "--port", "0", "--users", "2000",
                    "--merchants", "100", "--fraud-rate", "0.1", "--rules", rules,
                    "--no-scheduler"], { stdio: ["ignore", "ignore", "pipe"] });
  const wait = watch(run);
  base = (await wait(/API on (http:\/\/[0-9.:]+)/))[1];
  demoPassword = (await wait(/user demo, password (\S+)/))[1];
  for (const [name, role, pass] of [["ana", "analyst", "analyst-password"],
                                    ["vic", "viewer", "viewer-password"]]) {
    execFileSync(bin, ["users", "add", name, "--role", role, "--store", `sqlite:${db}`],
                 { input: pass + "\n", stdio: ["pipe", "ignore", "inherit"] });
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  await browser?.close();
  run?.kill("SIGTERM");
  await new Promise((r) => (run && run.exitCode === null ? run.on("exit", r) : r()));
  rmSync(dir, { recursive: true, force: true });
});

async function login(user, password) {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.errors = errors;
  await page.goto(`${base}/`);
  await page.getByLabel("Username").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: /log in/i }).click();
  await page.waitForSelector("nav.side");
  return page;
}

// GET `path` byte for byte over a socket: the whole answer as text.
function raw(path) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let text = "";
    socket.on("data", (d) => (text += d));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

const total = async (page) => Number(await page.getByTestId("live-total").getAttribute("data-value"));

test("the binary serves the dashboard: index, hashed assets, nothing else", async (t) => {
  const index = await fetch(`${base}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get("content-type"), /text\/html/);
  assert.match(index.headers.get("content-security-policy"), /default-src 'self'/);
  const html = await index.text();
  const script = html.match(/src="(\/assets\/[^"]+\.js)"/)[1];
  const js = await fetch(base + script);
  assert.equal(js.status, 200);
  assert.match(js.headers.get("cache-control"), /immutable/);
  // First paint from localhost in well under a second.
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.getByLabel("Username").waitFor();
  const paint = await page.evaluate(
    () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1);
  assert.ok(paint > 0 && paint < 1000, `first contentful paint ${paint} ms`);
  t.diagnostic(`first contentful paint ${Math.round(paint)} ms`);
  await page.close();
  // Sent as written (fetch would normalise the dots away).
  for (const path of ["/assets/../index.html", "/assets/%2e%2e/%2e%2e/etc/passwd", "/../../etc/passwd",
                      "/etc/passwd"]) {
    const r = await raw(path);
    assert.match(r, /^HTTP\/1\.1 404/, path);
    assert.doesNotMatch(r, /root:/);
  }
});

test("an analyst watches the live counter, confirms an alert and moves the rule's precision", async () => {
  const page = await login("ana", "analyst-password");
  await page.waitForFunction(() => {
    const v = document.querySelector("[data-testid=live-total]")?.getAttribute("data-value");
    return v !== null && v !== undefined && Number(v) > 0;
  }, null, { timeout: 20_000 });
  const first = await total(page);
  await page.waitForTimeout(3000);
  const second = await total(page);
  assert.ok(second > first, `live total rises: ${first} -> ${second}`);
  await page.screenshot({ path: join(shots, "overview.png") });

  await page.goto(`${base}/#/alerts`);
  const row = page.getByTestId("alert-row").first();
  await row.waitFor({ timeout: 30_000 });
  const id = await row.getAttribute("data-alert-id");
  const rule = (await row.innerText()).match(/R\d{3}/)[0];

  // The rule's precision before any verdict on it.
  await page.goto(`${base}/#/rules`);
  const precision = page.locator(`[data-testid=rule-row][data-rule-id=${rule}] [data-testid=rule-precision]`);
  await precision.waitFor();
  const before = await precision.innerText();

  await page.goto(`${base}/#/alerts`);
  await page.locator(`[data-testid=alert-row][data-alert-id="${id}"]`).click();
  await page.getByTestId("alert-investigate").click();
  await page.getByTestId("alert-note").fill("card holder confirmed the payment was not theirs");
  await page.getByTestId("alert-confirm").click();
  await page.screenshot({ path: join(shots, "alerts.png") });
  await page.waitForFunction(
    (id) => !document.querySelector(`[data-testid=alert-row][data-alert-id="${id}"]`),
    id, { timeout: 10_000 });

  await page.goto(`${base}/#/rules`);
  await precision.waitFor();
  await page.waitForFunction(
    ([sel, old]) => document.querySelector(sel)?.textContent !== old,
    [`[data-testid=rule-row][data-rule-id=${rule}] [data-testid=rule-precision]`, before],
    { timeout: 10_000 });
  const afterText = await precision.innerText();
  assert.notEqual(afterText, before, `${rule} precision moves after the confirmation`);
  await page.screenshot({ path: join(shots, "rules.png") });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a viewer sees PII masked and no edit controls", async () => {
  const page = await login("vic", "viewer-password");
  await page.goto(`${base}/#/transactions`);
  await page.getByTestId("tx-row").first().waitFor({ timeout: 20_000 });
  await page.getByTestId("pii-masked").first().waitFor();
  await page.getByTestId("tx-row").first().click();
  await page.screenshot({ path: join(shots, "transactions.png") });
  const detail = await page.locator("body").innerText();
  assert.doesNotMatch(detail, /dev-[0-9a-f]{16}/, "no whole device id on a viewer's screen");

  await page.goto(`${base}/#/alerts`);
  await page.getByTestId("alert-row").first().click();
  await page.waitForTimeout(500);
  for (const control of ["alert-investigate", "alert-confirm", "alert-dismiss", "alert-note"]) {
    assert.equal(await page.getByTestId(control).count(), 0, `${control} absent for a viewer`);
  }
  await page.goto(`${base}/#/rules`);
  await page.getByTestId("rule-row").first().waitFor();
  assert.equal(await page.getByTestId("rules-editor").count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("an admin's invalid ruleset is refused with its errors inline; every page renders", async () => {
  const page = await login("demo", demoPassword);
  await page.goto(`${base}/#/rules`);
  const editor = page.getByTestId("rules-editor");
  await editor.waitFor();
  await editor.fill((await editor.inputValue()).replace(/score\s*=\s*\d+/, "score = 900"));
  await page.getByTestId("rules-save").click();
  const errors = page.getByTestId("rules-errors");
  await errors.waitFor({ state: "visible" });
  assert.match(await errors.innerText(), /score/i);
  // Today's marts and the checks, run as the scheduler would: the pages show them.
  execFileSync(bin, ["jobs", "run", "gold_marts_today", "--store", `sqlite:${db}`],
               { stdio: ["ignore", "ignore", "inherit"] });
  spawnSync(bin, ["quality", "--store", `sqlite:${db}`], { stdio: "ignore" });  // may fail
  for (const [name, hash, mart] of [["merchants", "merchants", "mart_merchant_performance"],
                                    ["users", "users", "mart_daily_user_dashboard"]]) {
    await page.goto(`${base}/#/${hash}`);
    const rows = page.locator("table", { has: page.locator(`caption:has-text("${mart}")`) })
                     .locator("tbody tr");
    await rows.first().waitFor({ timeout: 10_000 });
    assert.ok((await rows.count()) > 0, `${mart} rows`);
    await page.waitForTimeout(500);  // the chart
    await page.screenshot({ path: join(shots, `${name}.png`) });
  }
  await page.goto(`${base}/#/ops`);
  await page.getByText("gold_marts_today").first().waitFor({ timeout: 10_000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(shots, "operations.png") });
  assert.deepEqual(page.errors, []);
  await page.close();
});
