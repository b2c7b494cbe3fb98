// Privacy requests in the console: an administrator types a citizen's address and gets the
// access report (Art. 15) with the registration and the subscription (and its consent text),
// as a page and as a JSON file; erases everything after a confirmation step (Art. 17), and the
// report then says nothing is stored. An editor may read a report but not erase. Both kinds of
// request are in the audit log, never the address. Against the real collector in Chromium,
// axe over every state.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { accessible, csrfOf, newConsolePage, signIn } from "./support/console.mjs";
import { withCollectorAndBrowser } from "./support/suite.mjs";

const ADMIN = { name: "dana.datenschutz", password: "Auskunft-geben-2026" };
const EDITOR = { name: "emil.redaktion", password: "Nur-redigieren-2026" };
const EMAIL = "erika.muster@example.de";
const EVENT = "werkstatt-spielplatz";
const NEWSLETTER = "newsletter-beteiligung";
const CONSENT = "Ja, ich möchte den Newsletter der Stadt Musterstadt erhalten.";

const env = withCollectorAndBrowser();

async function storeSomething() {
  const registration = await env.collector.submit(EVENT, {
    kind: "registration",
    name: "Erika Muster",
    email: EMAIL,
    persons: 2,
    phone: "0761 123456",
    lang: "de",
  });
  assert.equal(registration.status, 201, JSON.stringify(registration.body));
  const subscription = await env.collector.submit(NEWSLETTER, {
    kind: "subscription",
    email: EMAIL,
    name: "",
    lists: ["veranstaltungen"],
    consent: CONSENT,
    privacy: "https://www.musterstadt.de/datenschutz",
    page: "https://www.musterstadt.de/newsletter",
    lang: "de",
  });
  assert.equal(subscription.status, 201, JSON.stringify(subscription.body));
}

async function askFor(page, email) {
  await page.getByLabel("E-Mail-Adresse").fill(email);
  await page.getByRole("button", { name: "Auskunft anzeigen" }).click();
  await page.waitForLoadState();
}

test("an access report lists a registration and a subscription; the erasure removes both", async () => {
  await env.collector.addUser(ADMIN.name, "administrator", ADMIN.password);
  await storeSomething();

  const { context, page, problems } = await newConsolePage(env);
  await signIn(env, page, ADMIN, "/admin/privacy");
  assert.equal(await page.locator("h1").textContent(), "Auskunft und Löschung");
  await accessible(page, "privacy request form");

  // Not an address: said at the field, what was typed kept.
  await askFor(page, "erika.muster");
  assert.match(await page.getByRole("alert").textContent(), /E-Mail-Adresse wie name@example\.de/);
  assert.equal(await page.getByLabel("E-Mail-Adresse").inputValue(), "erika.muster");
  assert.equal(await page.getByLabel("E-Mail-Adresse").getAttribute("aria-invalid"), "true");
  await accessible(page, "privacy request form with an error");

  // The report, whatever the case typed.
  await askFor(page, "Erika.Muster@example.de");
  const main = page.locator("main");
  assert.match(await main.textContent(), /1 Anmeldungen zu Veranstaltungen/);
  assert.match(await main.textContent(), /1 Newsletter-Abonnements/);
  const registration = page.locator("ul.records li", { hasText: "Werkstatt: Spielplatz Nord neu planen" });
  assert.match(await registration.textContent(), /Erika Muster/);
  assert.match(await registration.textContent(), /0761 123456/);
  assert.match(await registration.textContent(), /Platz sicher/);
  const subscription = page.locator("ul.records li", { hasText: "Newsletter Bürgerbeteiligung Musterstadt" });
  assert.match(await subscription.textContent(), /noch nicht bestätigt/);
  assert.match(await subscription.textContent(), /Veranstaltungen/);
  assert.equal(await subscription.locator("blockquote").textContent(), CONSENT);
  assert.match(await main.textContent(), /lassen sich keiner Person zuordnen/);
  await accessible(page, "access report");

  // The same as a file for the person who asked.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Als Datei herunterladen (JSON)" }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^auskunft-\d{4}-\d{2}-\d{2}\.json$/);
  const file = JSON.parse(readFileSync(await download.path(), "utf8"));
  assert.equal(file.registrations.length, 1);
  assert.equal(file.registrations[0].persons, 2);
  assert.equal(file.subscriptions[0].consent.text, CONSENT);
  assert.ok(file.mails.length >= 2, JSON.stringify(file.mails));

  // The erasure asks first, and says what goes.
  await page.getByRole("button", { name: "Alles zu dieser Adresse löschen …" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("h1").textContent(), "Löschung bestätigen");
  assert.match(await page.getByRole("alert").textContent(), /1 Anmeldungen, 1 Newsletter-Abonnements/);
  assert.match(await page.getByRole("alert").textContent(), /gehen an die Warteliste/);
  await accessible(page, "erasure confirmation");
  // Cancelled: nothing erased.
  await page.getByRole("button", { name: "Abbrechen, zurück zur Auskunft" }).click();
  await page.waitForLoadState();
  assert.match(await page.locator("main").textContent(), /1 Anmeldungen zu Veranstaltungen/);

  await page.getByRole("button", { name: "Alles zu dieser Adresse löschen …" }).click();
  await page.waitForLoadState();
  await page.getByRole("button", { name: "Endgültig löschen" }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole("status").textContent(), /Gelöscht: 1 Anmeldungen, 1 Abonnements/);
  assert.match(await page.locator("#nothing-stored").textContent(), /Zu dieser Adresse ist nichts gespeichert/);
  assert.equal(await page.getByRole("button", { name: "Alles zu dieser Adresse löschen …" }).count(), 0);
  await accessible(page, "report after the erasure");

  // Gone from every list the town sees, and the API's report says so too.
  const registrations = await env.collector.admin("GET", `/v1/admin/widgets/${EVENT}/registrations`);
  assert.ok(!JSON.stringify(registrations).includes(EMAIL), JSON.stringify(registrations));
  const subscribers = await env.collector.admin("GET", `/v1/admin/widgets/${NEWSLETTER}/subscribers`);
  assert.ok(!JSON.stringify(subscribers).includes(EMAIL), JSON.stringify(subscribers));
  const report = await env.collector.admin("POST", "/v1/admin/access-report", { email: EMAIL });
  assert.deepEqual([report.registrations, report.subscriptions, report.mails], [[], [], []]);

  // The audit log knows that reports were given and an address erased, not whose.
  const log = await env.collector.admin("GET", "/v1/admin/audit-log");
  const actions = log.entries.map((e) => e.action);
  assert.ok(actions.filter((a) => a === "access-report").length >= 3, actions.join());
  assert.equal(actions.filter((a) => a === "erasure").length, 1);
  assert.ok(!JSON.stringify(log).toLowerCase().includes("erika"), "no address in the audit log");
  // The page with something to fix answers 422, which Chromium reports; nothing else.
  assert.deepEqual(problems.filter((p) => !p.includes("status of 422")), []);
  await context.close();
});

test("an editor reads a report but the server refuses an erasure", async () => {
  await env.collector.addUser(EDITOR.name, "editor", EDITOR.password);
  const { context, page, problems } = await newConsolePage(env, 320);
  await signIn(env, page, EDITOR, "/admin/privacy");
  await askFor(page, "niemand@example.de");
  assert.match(await page.locator("#nothing-stored").textContent(), /nichts gespeichert/);
  assert.equal(await page.getByRole("button", { name: /löschen/ }).count(), 0);
  await accessible(page, "report with nothing stored, for an editor");
  const csrf = await csrfOf(page);
  const refused = await page.request.post(`${env.collector.api}/admin/privacy`, {
    form: { csrf, email: "niemand@example.de", step: "erase" },
    headers: { origin: env.collector.api },
  });
  assert.equal(refused.status(), 403);
  assert.match(await refused.text(), /Ihre Rolle erlaubt das nicht/);
  assert.deepEqual(problems, []);
  await context.close();
});
