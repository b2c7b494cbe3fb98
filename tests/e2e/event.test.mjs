// Event sign-up in a real browser against the real collector (events declared in
// examples/collector.toml): a citizen's whole path, the seats going down, the waiting list, the
// calendar file, mistakes explained at the fields, and nothing typed lost on any failure.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { addWidget, openPage } from "./support/browser.mjs";
import { Event } from "./support/event.mjs";
import { withCollectorAndBrowser } from "./support/suite.mjs";

const env = withCollectorAndBrowser();

// The event's status as the collector answers it to any page.
async function status(id) {
  const response = await fetch(`${env.collector.api}/v1/widgets/${id}/event`);
  assert.equal(response.status, 200);
  return response.json();
}

// Another citizen registers (from the town's page, as far as the collector can tell).
async function registerElsewhere(id, registration) {
  const response = await fetch(`${env.collector.api}/v1/widgets/${id}/submissions`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID(), origin: env.collector.site },
    body: JSON.stringify({ kind: "registration", persons: 1, lang: "de", ...registration }),
  });
  const body = await response.text();
  assert.equal(response.status, 201, body);
  return JSON.parse(body);
}

const VERSAMMLUNG = {
  "data-mitmachen": "event",
  "data-id": "buergerversammlung-haushalt",
  "data-start": "2027-03-12T18:00+01:00",
  "data-end": "2027-03-12T20:30+01:00",
  "data-capacity": "50",
  "data-persons-max": "4",
  "data-privacy": "/examples/datenschutz.html",
};
const VERSAMMLUNG_HTML =
  "<h2>Bürgerversammlung zum Haushalt 2027</h2><ul><li>Ort: Rathaus Musterstadt, Großer Sitzungssaal, Marktplatz 1</li></ul>";

test("a citizen registers two people, sees the seats go down and takes the date home as a calendar file", async () => {
  const { page, context, problems } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`, {
    initScript: () => {
      window.__submitted = [];
      document.addEventListener("mitmachen:submitted", (e) => window.__submitted.push(e.detail));
    },
  });
  const event = new Event(page, "buergerversammlung-haushalt");
  await event.waitUntilReady();
  const before = await status("buergerversammlung-haushalt");
  // The facts from the editor's element, the date as German readers write it.
  assert.equal(await event.root.locator(".mm-heading").innerText(), "Bürgerversammlung zum Haushalt 2027");
  assert.equal(await event.root.locator("h3.mm-heading").count(), 1, "at the editor's heading level");
  assert.deepEqual(await event.root.locator(".mm-facts dd").allInnerTexts(), [
    "Freitag, 12.03.2027, 18:00 bis 20:30\u00a0Uhr",
    "Rathaus Musterstadt, Großer Sitzungssaal, Marktplatz 1",
  ]);
  await event.expectSeats(`Noch ${50 - before.seats_taken} von 50 Plätzen frei.`);
  // Native inputs, each with its purpose for autofill.
  assert.equal(await event.field("Name").getAttribute("autocomplete"), "name");
  assert.equal(await event.field("E-Mail-Adresse").getAttribute("type"), "email");
  assert.equal(await event.field("E-Mail-Adresse").getAttribute("autocomplete"), "email");
  assert.equal(await event.field("Telefonnummer").getAttribute("type"), "tel");
  const persons = event.field("Anzahl der Personen");
  assert.deepEqual(
    [await persons.getAttribute("type"), await persons.getAttribute("min"), await persons.getAttribute("max")],
    ["number", "1", "4"],
  );
  const privacy = event.root.getByRole("link", { name: /^Datenschutzhinweise/ });
  assert.equal(await privacy.getAttribute("href"), "/examples/datenschutz.html");

  await event.register({
    name: "Erika Mustermann",
    email: "erika@example.de",
    persons: 2,
    note: "Ein Platz für einen Rollstuhl, bitte.",
  });
  await event.expectStatus("Vielen Dank! Sie sind angemeldet.");
  await event.expectStatus("Ihre Anmeldung gilt für 2 Personen.");
  await event.expectStatus("Spam-Ordner");
  const focused = await page.evaluate(
    () => document.querySelector('[data-id="buergerversammlung-haushalt"]').shadowRoot.activeElement?.getAttribute("role"),
  );
  assert.equal(focused, "status", "focus moves to the confirmation");
  const after = await status("buergerversammlung-haushalt");
  assert.equal(after.seats_taken, before.seats_taken + 2, "both people count against the capacity");

  // The page hears where the registration landed, and nothing the citizen typed.
  assert.deepEqual(await page.evaluate(() => window.__submitted), [
    { widget: "buergerversammlung-haushalt", placement: "seat" },
  ]);
  const stored = await page.evaluate(() => Object.values(sessionStorage).join(" "));
  assert.equal(stored, "seat", "the visit remembers only the placement");

  // The calendar file, made in the browser.
  const link = event.calendarLink();
  assert.equal(await link.innerText(), "Termin in den Kalender eintragen (.ics)");
  assert.match(await link.getAttribute("href"), /^blob:/);
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  assert.equal(download.suggestedFilename(), "buergerversammlung-haushalt.ics");
  const ics = readFileSync(await download.path(), "utf8");
  assert.ok(ics.startsWith("BEGIN:VCALENDAR\r\n") && ics.endsWith("END:VCALENDAR\r\n"), ics);
  assert.match(ics, /\r\nDTSTART;TZID=Europe\/Berlin:20270312T180000\r\n/);
  assert.match(ics, /\r\nDTEND;TZID=Europe\/Berlin:20270312T203000\r\n/);
  assert.match(ics, /\r\nSUMMARY:Bürgerversammlung zum Haushalt 2027\r\n/);
  assert.match(ics, /\r\nLOCATION:Rathaus Musterstadt\\, Großer Sitzungssaal\\, Marktplatz 1\r\n/);
  assert.match(ics, /\r\nURL:http:\/\/localhost:\d+\/examples\/rathaus.html\r\n/);

  // For the rest of the visit the widget says so, and still offers the calendar file.
  await page.reload();
  await event.waitUntilReady();
  await event.expectStatus("Sie haben sich für diese Veranstaltung angemeldet.");
  assert.equal(await event.root.locator("input").count(), 0);
  await event.calendarLink().waitFor();

  // The next citizen sees two seats fewer.
  const other = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const theirs = new Event(other.page, "buergerversammlung-haushalt");
  await theirs.waitUntilReady();
  await theirs.expectSeats(`Noch ${50 - after.seats_taken} von 50 Plätzen frei.`);
  await other.context.close();
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

// Holds every seat read of `id` until `release()` is called; counts them.
async function holdSeats(page, id) {
  let release;
  const held = new Promise((resolve) => (release = resolve));
  const seen = { reads: 0 };
  await page.route(`**/v1/widgets/${id}/event`, async (route) => {
    seen.reads += 1;
    await held;
    await route.continue().catch(() => {});
  });
  return { seen, release };
}

test("the form is usable and the widget ready before the seats arrive, which are then told politely", async () => {
  const { page, context, problems } = await openPage(env.browser, null);
  const { seen, release } = await holdSeats(page, "buergerversammlung-haushalt");
  await page.goto(`${env.collector.site}/examples/rathaus.html`);
  const event = new Event(page, "buergerversammlung-haushalt");
  await event.waitUntilReady();
  await page.waitForFunction(() => performance.getEntriesByName("mitmachen:ready:buergerversammlung-haushalt").length === 1);
  // The seats are still on their way: asked for, not answered.
  assert.ok(seen.reads >= 1, "the seats were asked for");
  assert.equal(await event.seats().innerText(), "Freie Plätze werden geladen …");
  const region = event.root.locator(".mm-availability");
  assert.equal(await region.getAttribute("aria-live"), "polite");
  assert.equal(await event.root.locator("[aria-live=assertive]").count(), 0);
  // Facts and form are there and take input.
  assert.equal(await event.root.locator(".mm-heading").innerText(), "Bürgerversammlung zum Haushalt 2027");
  await event.fill({ name: "Frieda Früh", email: "frieda@example.de", persons: 2 });
  assert.equal(await event.submitButton().innerText(), "Anmelden");
  assert.ok(await event.submitButton().isEnabled());

  const taken = (await status("buergerversammlung-haushalt")).seats_taken;
  release();
  await event.expectSeats(`Noch ${50 - taken} von 50 Plätzen frei.`);
  assert.equal(
    await event.seats().evaluate((p) => p.closest("[aria-live]")?.getAttribute("aria-live")),
    "polite",
    "the seats line arrives inside the polite live region",
  );
  assert.equal(await event.field("Name").inputValue(), "Frieda Früh", "nothing typed is touched");
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test("a registration sent before the seats are known is placed by the collector", async () => {
  const { page, context } = await openPage(env.browser, null);
  const { release } = await holdSeats(page, "buergerversammlung-haushalt");
  await page.goto(`${env.collector.site}/examples/rathaus.html`);
  const event = new Event(page, "buergerversammlung-haushalt");
  await event.waitUntilReady();
  const before = await status("buergerversammlung-haushalt");
  await event.register({ name: "Paul Eilig", email: "paul.eilig@example.de", persons: 3 });
  await event.expectStatus("Vielen Dank! Sie sind angemeldet.");
  await event.expectStatus("Ihre Anmeldung gilt für 3 Personen.");
  assert.equal(await event.seats().count(), 0, "the seats were never needed");
  const after = await status("buergerversammlung-haushalt");
  assert.equal(after.seats_taken, before.seats_taken + 3);
  release();
  await context.close();
});

test("the seats refresh while the widget is on screen, without touching what the citizen types", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  await addWidget(page, { ...VERSAMMLUNG, "data-refresh": "5" }, VERSAMMLUNG_HTML);
  const event = new Event(page, "buergerversammlung-haushalt");
  await event.waitUntilReady();
  const before = await status("buergerversammlung-haushalt");
  await event.expectSeats(`Noch ${50 - before.seats_taken} von 50`);
  await event.field("Name").fill("Erika Muster");
  await registerElsewhere("buergerversammlung-haushalt", { name: "Jonas", email: "jonas@example.de", persons: 3 });
  // Within one refresh (5 s) the count follows; focus and the typed name stay.
  await event.seats().filter({ hasText: `Noch ${50 - before.seats_taken - 3} von 50` }).waitFor({ timeout: 8000 });
  assert.equal(await event.field("Name").inputValue(), "Erika Muster");
  assert.ok(
    await event.field("Name").evaluate((el) => el.getRootNode().activeElement === el),
    "focus stays in the field",
  );
  await context.close();
});

test("mistakes are explained at the fields and in a summary that takes the focus; nothing typed is lost", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const event = new Event(page, "buergerversammlung-haushalt");
  await event.waitUntilReady();
  const before = await status("buergerversammlung-haushalt");
  await event.register({ email: "erika@example", persons: 9, phone: "0301234567x" });
  assert.deepEqual(await event.summaryLines(), [
    "Name: Bitte geben Sie Ihren Namen an.",
    "E-Mail-Adresse: Bitte geben Sie eine E-Mail-Adresse in der Form name@beispiel.de an.",
    "Anzahl der Personen: Bitte geben Sie eine ganze Zahl von 1 bis 4 an.",
    "Telefonnummer: Bitte geben Sie eine Telefonnummer aus Ziffern an, z. B. 030 1234567 oder +49 30 1234567.",
  ]);
  assert.ok(
    await event.summary().evaluate((el) => el.getRootNode().activeElement === el),
    "the summary has the focus",
  );
  // Each error is tied to its field, and required fields say so in words.
  const email = event.field("E-Mail-Adresse");
  assert.equal(await email.getAttribute("aria-invalid"), "true");
  assert.deepEqual(await event.description("E-Mail-Adresse"), [
    "An diese Adresse senden wir die Bestätigung mit einem Link zum Abmelden.",
    "Bitte geben Sie eine E-Mail-Adresse in der Form name@beispiel.de an.",
  ]);
  assert.match(await event.root.locator("label[for=mm-e-name]").innerText(), /^Name \(Pflichtfeld\)$/);
  assert.match(await event.root.locator("label[for=mm-e-phone]").innerText(), /^Telefonnummer \(freiwillig\)$/);
  assert.equal(await email.inputValue(), "erika@example");
  assert.equal(await event.field("Anzahl der Personen").inputValue(), "9");
  assert.equal(await event.field("Telefonnummer").inputValue(), "0301234567x");
  // A link of the summary leads to its field.
  await event.summary().getByRole("link", { name: /^E-Mail-Adresse:/ }).click();
  assert.ok(await email.evaluate((el) => el.getRootNode().activeElement === el), "focus on the e-mail field");
  // Correcting a field takes its error away; the others stay until the next try.
  await email.fill("erika@example.de");
  assert.equal(await email.getAttribute("aria-invalid"), null);
  assert.equal(await event.field("Name").getAttribute("aria-invalid"), "true");
  assert.deepEqual(await status("buergerversammlung-haushalt"), before, "nothing was sent");
  await context.close();
});

test("a field the endpoint refuses is explained at that field like the widget's own checks", async () => {
  const { page, context } = await openPage(env.browser, null);
  await page.route("**/v1/widgets/buergerversammlung-haushalt/submissions", (route) =>
    route.fulfill({
      status: 422,
      contentType: "application/problem+json",
      headers: { "access-control-allow-origin": env.collector.site },
      body: JSON.stringify({
        type: "urn:mitmachen:problem:invalid-submission",
        title: "The submission breaks a rule",
        status: 422,
        detail: "1 problem",
        errors: [{ pointer: "/email", detail: "this domain takes no mail" }],
      }),
    }),
  );
  await page.goto(`${env.collector.site}/examples/rathaus.html`);
  const event = new Event(page, "buergerversammlung-haushalt");
  await event.waitUntilReady();
  await event.register({ name: "Erika Mustermann", email: "erika@example.de" });
  assert.deepEqual(await event.summaryLines(), [
    "E-Mail-Adresse: Diese Angabe wurde nicht angenommen: this domain takes no mail",
  ]);
  const email = event.field("E-Mail-Adresse");
  assert.equal(await email.getAttribute("aria-invalid"), "true");
  assert.ok((await event.description("E-Mail-Adresse")).includes("Diese Angabe wurde nicht angenommen: this domain takes no mail"));
  assert.equal(await email.inputValue(), "erika@example.de");
  assert.equal(await event.field("Name").inputValue(), "Erika Mustermann");
  assert.equal(await event.root.locator("[role=alert]").innerText(), "");
  await context.close();
});

test("a registration sent without a connection keeps the form and arrives once when the connection is back", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const event = new Event(page, "buergerversammlung-haushalt");
  await event.waitUntilReady();
  const before = await status("buergerversammlung-haushalt");
  await context.setOffline(true);
  await event.register({ name: "Karl Offline", email: "karl@example.de", persons: 3, note: "Im Zug" });
  await event.expectStatus("Keine Verbindung zum Server. Ihre Anmeldung wird automatisch gesendet");
  await page.waitForTimeout(3500);
  assert.equal(await event.field("Name").inputValue(), "Karl Offline");
  assert.ok(await event.field("Name").evaluate((el) => el.readOnly), "unchanged while it is on its way");
  assert.equal(await event.root.locator("textarea").inputValue(), "Im Zug");
  await context.setOffline(false);
  await event.expectStatus("Vielen Dank! Sie sind angemeldet.");
  const after = await status("buergerversammlung-haushalt");
  assert.equal(after.seats_taken, before.seats_taken + 3, "stored exactly once");
  await context.close();
});

test("a retry after a network error reuses the idempotency key, and a refusal keeps the input", async () => {
  const { page, context } = await openPage(env.browser, null);
  const keys = [];
  await page.route("**/v1/widgets/buergerversammlung-haushalt/submissions", async (route) => {
    keys.push(route.request().headers()["idempotency-key"]);
    if (keys.length === 1) await route.abort("connectionreset");
    else await route.continue();
  });
  await page.goto(`${env.collector.site}/examples/rathaus.html`);
  const event = new Event(page, "buergerversammlung-haushalt");
  await event.waitUntilReady();
  const before = await status("buergerversammlung-haushalt");
  await event.register({ name: "Lena Retry", email: "lena@example.de" });
  await event.expectStatus("Vielen Dank");
  assert.equal(keys.length, 2);
  assert.equal(keys[0], keys[1]);
  assert.equal((await status("buergerversammlung-haushalt")).seats_taken, before.seats_taken + 1);
  await context.close();

  const refused = await openPage(env.browser, null);
  await refused.page.route("**/v1/widgets/buergerversammlung-haushalt/submissions", (route) =>
    route.fulfill({
      status: 403,
      contentType: "application/problem+json",
      headers: { "access-control-allow-origin": env.collector.site },
      body: JSON.stringify({
        type: "urn:mitmachen:problem:origin-not-allowed",
        title: "Origin not allowed",
        status: 403,
        detail: "Diese Seite darf nicht anmelden.",
      }),
    }),
  );
  await refused.page.goto(`${env.collector.site}/examples/rathaus.html`);
  const again = new Event(refused.page, "buergerversammlung-haushalt");
  await again.waitUntilReady();
  await again.register({ name: "Lena Retry", email: "lena@example.de" });
  await again.expectAlert("Ihre Anmeldung wurde nicht angenommen: Diese Seite darf nicht anmelden.");
  assert.equal(await again.field("Name").inputValue(), "Lena Retry");
  assert.equal(await again.submitButton().innerText(), "Erneut senden");
  await refused.context.close();
});

test("a full event offers its waiting list, and the button and the confirmation say so", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/veranstaltungen.html`);
  const event = new Event(page, "werkstatt-spielplatz");
  await event.waitUntilReady();
  await event.expectSeats("Noch 3 von 3 Plätzen frei");
  assert.doesNotMatch(await event.seats().innerText(), /Nur noch/, "an empty small event is not almost full");
  // Organisation is asked (optional), phone is not.
  assert.equal(await event.field("Organisation oder Verein").getAttribute("autocomplete"), "organization");
  assert.equal(await event.root.locator("input[type=tel]").count(), 0);
  await event.registerAsAnother({ name: "Anna", email: "anna@example.de", persons: 2, organisation: "Kita Nord" });
  await event.expectSeats("Nur noch 1 von 3 Plätzen frei");
  // Two people do not fit into the last seat: they would wait, and the button says so.
  await event.field("Anzahl der Personen").fill("2");
  assert.equal(await event.submitButton().innerText(), "Auf die Warteliste setzen");
  await event.field("Anzahl der Personen").fill("1");
  assert.equal(await event.submitButton().innerText(), "Anmelden");
  await registerElsewhere("werkstatt-spielplatz", { name: "Ben", email: "ben@example.de" });
  await page.reload();
  await event.waitUntilReady();
  await event.expectSeats("Ausgebucht – Sie können sich auf die Warteliste setzen.");
  assert.equal(await event.submitButton().innerText(), "Auf die Warteliste setzen");
  await event.register({ name: "Carla", email: "carla@example.de", persons: 2 });
  await event.expectStatus("Vielen Dank! Sie stehen auf der Warteliste.");
  await event.expectStatus("Ihre Anmeldung gilt für 2 Personen.");
  const now = await status("werkstatt-spielplatz");
  assert.deepEqual([now.seats_taken, now.waiting], [3, 2]);
  await context.close();
});

test("without a waiting list, a full event takes no registration, and a late one keeps what was typed", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/veranstaltungen.html`);
  const event = new Event(page, "lesung-stadtbibliothek");
  await event.waitUntilReady();
  await event.expectSeats("Noch 2 von 2 Plätzen frei");
  await event.fill({ name: "Dora", email: "dora@example.de", persons: 2 });
  // Meanwhile someone else takes a seat; the endpoint refuses two people for the last one.
  await registerElsewhere("lesung-stadtbibliothek", { name: "Emil", email: "emil@example.de" });
  await event.submit();
  await event.expectAlert("Inzwischen sind nicht mehr genug Plätze frei, und es gibt keine Warteliste.");
  assert.equal(await event.field("Name").inputValue(), "Dora");
  await event.expectSeats("Nur noch 1 von 2 Plätzen frei");
  // The widget knows now: two people are refused at the field, one is welcome.
  await event.submit();
  assert.deepEqual(await event.summaryLines(), [
    "Anzahl der Personen: Es sind nur noch 1 Plätze frei. Bitte melden Sie höchstens so viele Personen an.",
  ]);
  await event.field("Anzahl der Personen").fill("1");
  await event.submit();
  await event.expectStatus("Vielen Dank! Sie sind angemeldet.");
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await event.waitUntilReady();
  await event.expectSeats("Ausgebucht. Alle Plätze sind vergeben, eine Warteliste gibt es nicht.");
  assert.equal(await event.root.locator("input, textarea, button").count(), 0, "no form");
  await context.close();
});

test("a past and a cancelled event show their facts and say why there is no form", async () => {
  const { page, context, problems } = await openPage(env.browser, `${env.collector.site}/examples/veranstaltungen.html`);
  const past = new Event(page, "stadtfuehrung-2026");
  const cancelled = new Event(page, "neujahrsempfang-2027");
  await past.waitUntilReady();
  await cancelled.waitUntilReady();
  await past.expectSeats("Die Anmeldung ist geschlossen.");
  assert.equal(await past.root.locator(".mm-facts dd").first().innerText(), "Montag, 01.06.2026, 15:00\u00a0Uhr");
  await cancelled.expectSeats("Diese Veranstaltung wurde abgesagt.");
  assert.equal(await cancelled.root.locator(".mm-heading").innerText(), "Neujahrsempfang 2027");
  for (const event of [past, cancelled]) {
    assert.equal(await event.root.locator("input, textarea, button").count(), 0);
  }
  assert.deepEqual([...problems.console, ...problems.pageErrors], []);
  await context.close();
});

test("an event the collector does not know waits as a draft: the page says so and keeps the editor's facts", async () => {
  const { page, context, problems } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  await addWidget(page, { ...VERSAMMLUNG, "data-id": "unbekannt-2027" }, VERSAMMLUNG_HTML);
  const host = page.locator('[data-mitmachen][data-id="unbekannt-2027"]');
  await host.locator(".mm-root").getByRole("status").filter({ hasText: "noch nicht freigegeben" }).waitFor();
  assert.equal(await host.locator(".mm-root input").count(), 0, "no form for a registration nobody takes");
  assert.match(await host.innerText(), /Bürgerversammlung zum Haushalt 2027/);
  const stored = await env.collector.admin("GET", "/v1/admin/widgets/unbekannt-2027");
  assert.deepEqual([stored.kind, stored.status, stored.origin], ["event", "draft", "page"]);
  assert.ok(problems.console.every((m) => !m.includes("panicked")));
  await context.close();
});

test("in English and in Einfache Sprache", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  await addWidget(page, { ...VERSAMMLUNG, "data-lang": "en" }, VERSAMMLUNG_HTML);
  const event = new Event(page, "buergerversammlung-haushalt");
  await event.waitUntilReady();
  assert.equal(await event.root.locator(".mm-facts dd").first().innerText(), "Friday, 12 March 2027, 18:00 to 20:30");
  await event.expectSeats("seats left.");
  assert.equal(await event.submitButton().innerText(), "Register");
  assert.equal(await event.root.getAttribute("lang"), "en");
  await page.evaluate(() => document.querySelector("main > div:last-child").remove());
  await addWidget(page, { ...VERSAMMLUNG, "data-lang": "de-einfach" }, VERSAMMLUNG_HTML);
  await event.waitUntilReady();
  await event.root.locator(".mm-facts dd", { hasText: "von 18:00 bis 20:30" }).waitFor();
  await context.close();
});

test("the host page's CSS does not change the sign-up's computed styles", async () => {
  const properties = [
    "font-family", "font-size", "font-weight", "line-height", "color", "background-color",
    "letter-spacing", "word-spacing", "text-transform", "text-align", "display", "box-sizing",
    "padding-top", "padding-left", "margin-top", "border-top-width", "border-top-style",
    "border-top-color", "cursor", "visibility",
  ];
  const selectors = [".mm-root", ".mm-heading", ".mm-facts dt", ".mm-seats", "label", "input", ".mm-submit", "a.mm-link"];
  async function styles(path, add) {
    const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/${path}`);
    if (add) await addWidget(page, add, "<h2>Werkstatt: Spielplatz Nord neu planen</h2>");
    const event = new Event(page, "werkstatt-spielplatz");
    await event.waitUntilReady();
    // Ready comes before the seats; compare the seats line once it says them (earlier tests
    // may have filled the event).
    await event.seats().filter({ hasNotText: "geladen" }).waitFor();
    const found = await event.root.evaluate(
      (root, { selectors, properties }) =>
        Object.fromEntries(
          selectors.map((s) => {
            const el = root.matches(s) ? root : root.querySelector(s);
            if (!el) return [s, null];
            const cs = getComputedStyle(el);
            return [s, Object.fromEntries(properties.map((p) => [p, cs.getPropertyValue(p)]))];
          }),
        ),
      { selectors, properties },
    );
    await context.close();
    return found;
  }
  const hostile = await styles("veranstaltungen.html");
  const plain = await styles("plain.html", {
    "data-mitmachen": "event",
    "data-id": "werkstatt-spielplatz",
    "data-start": "2027-04-17T10:00+02:00",
    "data-capacity": "3",
    "data-persons-max": "2",
    "data-privacy": "/examples/datenschutz.html",
  });
  // The heading level differs (h3 on the CMS page, h2 here) but not its look.
  for (const s of selectors) assert.ok(plain[s], `${s} exists in the widget`);
  assert.deepEqual(hostile, plain);
});
