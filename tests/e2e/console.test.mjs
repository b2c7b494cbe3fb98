// The administration console at /admin/: accounts, sign-in and sign-out, roles enforced by
// the server, CSRF, the sign-in throttle, the language switch, and axe over every page state
// at 1280 and 320 px, against the real collector in Chromium.
import assert from "node:assert/strict";
import { test } from "node:test";
import { COOKIE, accessible, csrfOf, newConsolePage, signIn as signInAt } from "./support/console.mjs";
import { withCollectorAndBrowser } from "./support/suite.mjs";

const ADMIN = { name: "anna.admin", password: "Rathaus-Konsole-2026" };
const VIEWER = { name: "volker.viewer", password: "Nur-lesen-bitte-2026" };

const env = withCollectorAndBrowser();

// The first accounts, made as the administrator does on the server, once per file.
let accounts;
function firstAccounts() {
  accounts ??= (async () => {
    await env.collector.addUser(ADMIN.name, "administrator", ADMIN.password);
    await env.collector.addUser(VIEWER.name, "viewer", VIEWER.password);
  })();
  return accounts;
}

async function newPage(width = 1280) {
  await firstAccounts();
  return newConsolePage(env, width);
}

const signIn = (page, account, path) => signInAt(env, page, account, path);

test("an administrator signs in with the keyboard alone and sees the configured widgets", async () => {
  const { context, page, problems } = await newPage();
  await page.goto(`${env.collector.api}/admin/`);
  assert.match(page.url(), /\/admin\/sign-in\?next=\/admin\/$/);
  assert.deepEqual(await context.cookies(), [], "no cookie before sign-in");
  await accessible(page, "sign-in");

  // Tab from the top: the skip link, the language, then the name field.
  const focused = [];
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press("Tab");
    focused.push(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent));
  }
  assert.deepEqual(focused, ["Zum Inhalt springen", "English", "name"]);
  await page.keyboard.type(ADMIN.name);
  await page.keyboard.press("Tab");
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${env.collector.api}/admin/`);

  const [cookie, ...others] = await context.cookies();
  assert.equal(others.length, 0);
  assert.equal(cookie.name, COOKIE);
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.secure, true);
  assert.equal(cookie.sameSite, "Strict");
  assert.equal(cookie.path, "/");

  assert.equal(await page.locator("h1").textContent(), "Widgets");
  const rows = page.locator("tbody tr");
  // examples/collector.toml declares five events and a newsletter.
  for (const id of ["buergerversammlung-haushalt", "neujahrsempfang-2027", "newsletter-beteiligung"]) {
    await assert.doesNotReject(rows.filter({ hasText: id }).first().waitFor({ timeout: 2000 }), id);
  }
  assert.match(await rows.filter({ hasText: "newsletter-beteiligung" }).textContent(), /Newsletter/);
  assert.match(await page.getByText(`${ADMIN.name}`).first().textContent(), /anna\.admin/);
  await accessible(page, "widgets overview");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a citizen's page and the widgets' API set no cookie", async () => {
  const { context, page } = await newPage();
  await page.goto(`${env.collector.site}/examples/rathaus.html`);
  await page.waitForFunction(() => document.querySelectorAll("[data-id]").length > 0);
  const response = await fetch(`${env.collector.api}/v1/widgets/buergerversammlung-haushalt/event`);
  assert.equal(response.headers.get("set-cookie"), null);
  assert.deepEqual(await context.cookies(), []);
  await context.close();
});

test("an administrator adds accounts; a form with mistakes keeps what was typed", async () => {
  const { context, page } = await newPage();
  await signIn(page, ADMIN, "/admin/accounts");
  assert.equal(await page.locator("h1").textContent(), "Konten");
  await accessible(page, "accounts");

  const form = page.locator('form[action="/admin/accounts"]');
  await form.getByLabel("Name").fill("Erika.Editor");
  await form.getByLabel("Rolle").selectOption("editor");
  await form.getByLabel("Erstes Passwort").fill("zu-kurz");
  await form.getByRole("button", { name: "Konto anlegen" }).click();
  await page.waitForLoadState();
  const summary = page.getByRole("alert");
  assert.match(await summary.textContent(), /mindestens 12 Zeichen/);
  assert.equal(await form.getByLabel("Name").inputValue(), "Erika.Editor");
  assert.equal(await form.getByLabel("Rolle").inputValue(), "editor");
  assert.equal(await form.getByLabel("Erstes Passwort").getAttribute("aria-invalid"), "true");
  await accessible(page, "accounts with an error");

  await form.getByLabel("Erstes Passwort").fill("Redaktion-Musterstadt-1");
  await form.getByRole("button", { name: "Konto anlegen" }).click();
  await page.waitForURL(/done=created/);
  assert.match(await page.getByRole("status").textContent(), /angelegt/);
  const row = page.locator("tbody tr", { hasText: "erika.editor" });
  assert.match(await row.textContent(), /Redaktion/);
  await accessible(page, "accounts with a notice");

  // The same name again: refused, nothing changed.
  await form.getByLabel("Name").fill("erika.editor");
  await form.getByLabel("Erstes Passwort").fill("Redaktion-Musterstadt-2");
  await form.getByRole("button", { name: "Konto anlegen" }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole("alert").textContent(), /schon ein Konto/);
  assert.equal(await page.locator("tbody tr", { hasText: "erika.editor" }).count(), 1);

  // The last administrator cannot be demoted.
  const own = page.locator("tbody tr", { hasText: ADMIN.name });
  await own.getByLabel(`Rolle von ${ADMIN.name}`).selectOption("viewer");
  await own.getByRole("button", { name: "Rolle ändern" }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole("alert").textContent(), /letzte aktive Administrationskonto/);
  assert.match(await page.locator("tbody tr", { hasText: ADMIN.name }).textContent(), /Administration/);
  await context.close();
});

test("a viewer reads but cannot change anything: the server refuses, not only the page", async () => {
  const { context, page } = await newPage();
  await signIn(page, VIEWER);
  assert.equal(await page.locator("h1").textContent(), "Widgets");
  assert.equal(await page.getByRole("link", { name: "Konten" }).count(), 0, "no accounts link");
  const csrf = await csrfOf(page);

  const direct = await page.goto(`${env.collector.api}/admin/accounts`);
  assert.equal(direct.status(), 403);
  assert.equal(await page.locator("h1").textContent(), "Nicht erlaubt");
  await accessible(page, "forbidden");

  // A hand-made request with the viewer's own valid token: still refused.
  const forged = await page.request.post(`${env.collector.api}/admin/accounts`, {
    form: { csrf, name: "mallory", role: "administrator", password: "Ich-will-alles-2026" },
    headers: { origin: env.collector.api },
    maxRedirects: 0,
  });
  assert.equal(forged.status(), 403);
  const change = await page.request.post(`${env.collector.api}/admin/accounts/1`, {
    form: { csrf, action: "disable" },
    headers: { origin: env.collector.api },
    maxRedirects: 0,
  });
  assert.equal(change.status(), 403);
  await context.close();

  const admin = await newPage();
  await signIn(admin.page, ADMIN, "/admin/accounts");
  assert.equal(await admin.page.locator("tbody tr", { hasText: "mallory" }).count(), 0);
  assert.doesNotMatch(await admin.page.locator("tbody tr", { hasText: ADMIN.name }).textContent(), /gesperrt/);
  await admin.context.close();
});

test("a request without the CSRF token, or from another site, is refused", async () => {
  const { context, page } = await newPage();
  await signIn(page, ADMIN, "/admin/accounts");
  const csrf = await csrfOf(page);
  const attempt = (form, origin) =>
    page.request.post(`${env.collector.api}/admin/accounts`, {
      form,
      headers: { origin },
      maxRedirects: 0,
    });
  const account = { name: "ohne.token", role: "viewer", password: "Ohne-Token-2026-x" };
  assert.equal((await attempt(account, env.collector.api)).status(), 403);
  assert.equal((await attempt({ ...account, csrf: "0".repeat(64) }, env.collector.api)).status(), 403);
  assert.equal((await attempt({ ...account, csrf }, "https://evil.example")).status(), 403);
  const ok = await attempt({ ...account, csrf }, env.collector.api);
  assert.equal(ok.status(), 303, "the same request with the token and from the console goes through");
  // A sign-in sent from another site is refused too.
  const foreign = await page.request.post(`${env.collector.api}/admin/sign-in`, {
    form: { name: ADMIN.name, password: ADMIN.password },
    headers: { origin: "https://evil.example" },
    maxRedirects: 0,
  });
  assert.equal(foreign.status(), 403);
  await context.close();
});

test("repeated wrong passwords make the account wait; a new password set by an administrator lifts it", async () => {
  await env.collector.addUser("tom.moderator", "moderator", "Moderation-2026-richtig");
  const { context, page } = await newPage();
  for (let i = 0; i < 5; i++) {
    await signIn(page, { name: "tom.moderator", password: `falsch-${i}-falsch-falsch` });
    assert.match(await page.getByRole("alert").textContent(), /Name oder Passwort stimmen nicht/);
  }
  assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), "tom.moderator", "the name stays");
  await accessible(page, "sign-in with an error");
  await signIn(page, { name: "tom.moderator", password: "Moderation-2026-richtig" });
  assert.match(await page.getByRole("alert").textContent(), /Zu viele Anmeldeversuche/);
  assert.match(page.url(), /\/admin\/sign-in/);
  assert.deepEqual(await context.cookies(), [], "no session while throttled");

  const admin = await newPage();
  await signIn(admin.page, ADMIN, "/admin/accounts");
  const row = admin.page.locator("tbody tr", { hasText: "tom.moderator" });
  await row.getByLabel("Neues Passwort für tom.moderator").fill("Moderation-2026-neu-gesetzt");
  await row.getByRole("button", { name: "Passwort setzen" }).click();
  await admin.page.waitForURL(/done=password/);
  await admin.context.close();

  await signIn(page, { name: "tom.moderator", password: "Moderation-2026-neu-gesetzt" });
  await page.waitForURL(`${env.collector.api}/admin/`);
  assert.match(await page.locator(".account").textContent(), /Moderation/);
  await context.close();
});

test("signing out ends the session on the server; the language switch keeps the page", async () => {
  const { context, page } = await newPage();
  await signIn(page, ADMIN, "/admin/accounts");
  await page.getByRole("button", { name: "English" }).click();
  await page.waitForURL(`${env.collector.api}/admin/accounts`);
  assert.equal(await page.locator("html").getAttribute("lang"), "en");
  assert.equal(await page.locator("h1").textContent(), "Accounts");
  await accessible(page, "accounts in English");
  await page.getByRole("button", { name: "Deutsch" }).click();
  await page.waitForURL(`${env.collector.api}/admin/accounts`);
  assert.equal(await page.locator("html").getAttribute("lang"), "de");

  const [cookie] = await context.cookies();
  await page.getByRole("button", { name: "Abmelden" }).click();
  await page.waitForURL(/\/admin\/sign-in$/);
  assert.deepEqual(await context.cookies(), []);
  // The old cookie, sent again by hand, opens nothing.
  const replay = await fetch(`${env.collector.api}/admin/accounts`, {
    headers: { cookie: `${cookie.name}=${cookie.value}` },
    redirect: "manual",
  });
  assert.equal(replay.status, 303);
  assert.match(replay.headers.get("location"), /\/admin\/sign-in/);
  await context.close();
});
