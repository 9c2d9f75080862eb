// Browser smoke test of the dashboard against a running server: logs in as each role,
// opens every page, checks the elements tests rely on, saves screenshots.
//
//   npm i --no-save playwright-core        (no browser download; uses Debian's chromium)
//   npx vite preview --port 4173 &         (after npm run build; proxies /api to :18090)
//   node scripts/smoke.mjs [base-url] [out-dir]
//
// Logins come from WF_ADMIN, WF_ANALYST, WF_VIEWER ("user:password").
const base = process.argv[2] ?? "http://127.0.0.1:4173";
const out = process.argv[3] ?? "/tmp/walletflow-smoke";
const logins = {
  admin: process.env.WF_ADMIN ?? "demo:GH1U6PNlw28W53mW",
  analyst: process.env.WF_ANALYST ?? "ana:analyst-password",
  viewer: process.env.WF_VIEWER ?? "vic:viewer-password",
};

let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch {
  console.error("playwright-core is missing: npm i --no-save playwright-core");
  process.exit(2);
}
const { mkdirSync } = await import("node:fs");
mkdirSync(out, { recursive: true });

let passed = 0;
let failed = 0;
const check = (ok, what) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  for (const [role, login] of Object.entries(logins)) {
    const [user, pass] = login.split(/:(.*)/s);
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await page.fill("input[name=username]", user);
    await page.fill("input[name=password]", pass);
    await page.click("button[type=submit]");
    await page.waitForSelector("nav.side");
    check((await page.locator(".who").textContent()).includes(role), `${role}: header shows the role`);

    await page.waitForTimeout(3500);
    const t1 = await page.getByTestId("live-total").innerText();
    await page.waitForTimeout(2000);
    const t2 = await page.getByTestId("live-total").innerText();
    check(t1 !== "—" && t2 !== t1, `${role}: live total moves (${t1} -> ${t2})`);
    await page.screenshot({ path: `${out}/${role}-overview.png` });

    await page.goto(`${base}/#/alerts`);
    await page.waitForSelector("[data-testid=alert-row]", { timeout: 10000 }).catch(() => {});
    const rows = await page.getByTestId("alert-row").count();
    check(rows > 0, `${role}: alert rows (${rows})`);
    if (rows) {
      await page.getByTestId("alert-row").first().click();
      await page.waitForSelector(".detail h2");
      await page.waitForTimeout(500);
      const edit = await page.getByTestId("alert-investigate").count();
      check(role === "viewer" ? edit === 0 : edit === 1, `${role}: case-work buttons ${role === "viewer" ? "hidden" : "shown"}`);
      await page.screenshot({ path: `${out}/${role}-alerts.png` });
    }

    await page.goto(`${base}/#/transactions`);
    await page.waitForSelector("[data-testid=tx-row]", { timeout: 10000 }).catch(() => {});
    check((await page.getByTestId("tx-row").count()) > 0, `${role}: transaction rows`);
    const masked = await page.getByTestId("pii-masked").count();
    check(role === "viewer" ? masked === 1 : masked === 0, `${role}: PII badge ${role === "viewer" ? "shown" : "absent"}`);

    await page.goto(`${base}/#/rules`);
    await page.waitForSelector("[data-testid=rule-row]", { timeout: 10000 }).catch(() => {});
    check((await page.getByTestId("rule-row").count()) > 0, `${role}: rule rows`);
    const editor = await page.getByTestId("rules-editor").count();
    check(role === "admin" ? editor === 1 : editor === 0, `${role}: rules editor ${role === "admin" ? "shown" : "absent"}`);

    for (const p of ["merchants", "users", "ops"]) {
      await page.goto(`${base}/#/${p}`);
      await page.waitForTimeout(1500);
      await page.screenshot({ path: `${out}/${role}-${p}.png` });
    }
    check(errors.length === 0, `${role}: no page errors ${errors.join("; ")}`);
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
