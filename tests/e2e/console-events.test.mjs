// An event's registrations in the console: the organiser sees seats and the waiting list, adds a
// registration taken on the phone (without an address: no mail), moves someone up from the
// waiting list by hand (mailed, at a real SMTP server on 127.0.0.1), cancels one after a
// confirmation step (mailed), keeps a note; at the door, on a 320 px phone, finds a name and
// marks arrivals with one tap each, counted; printed, the list has a box per line. Each change
// is in the audit log by number, never by name. Against the real collector in Chromium, axe
// over every state.
import assert from "node:assert/strict";
import { test } from "node:test";
import { accessible, newConsolePage, signIn } from "./support/console.mjs";
import { withMailCollectorAndBrowser } from "./support/suite.mjs";

const ORGANISER = { name: "olga.organisation", password: "Einlass-am-Abend-2026" };
const EVENT = "werkstatt-spielplatz"; // 3 seats, a waiting list, at most 2 persons each

const env = withMailCollectorAndBrowser();

async function register(name, email, persons) {
  const answer = await env.collector.submit(EVENT, { kind: "registration", name, email, persons, lang: "de" });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body.placement;
}

async function listed() {
  const listing = await env.collector.admin("GET", `/v1/admin/widgets/${EVENT}/registrations`);
  return Object.fromEntries(listing.registrations.map((r) => [r.name, r]));
}

test("the organiser adds, moves up, cancels and notes; the door checks people in", async () => {
  await env.collector.addUser(ORGANISER.name, "editor", ORGANISER.password);
  assert.equal(await register("Anna Berg", "anna.berg@example.de", 2), "seat");
  assert.equal(await register("Bernd Adler", "bernd.adler@example.de", 1), "seat");
  assert.equal(await register("Clara Zimmer", "clara.zimmer@example.de", 1), "waiting_list");
  await env.smtp.waitFor("clara.zimmer@example.de", { subject: /Warteliste/ });

  const { context, page, problems } = await newConsolePage(env);
  await signIn(env, page, ORGANISER, `/admin/widgets/${EVENT}`);
  await page.getByRole("link", { name: "Anmeldungen verwalten" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("h1").textContent(), `Anmeldungen: ${EVENT}`);
  const facts = await page.locator("dl.facts").textContent();
  assert.match(facts, /Plätze belegt3 von 3/);
  assert.match(facts, /Warteliste1 Person/);
  assert.equal(await page.locator("tbody tr").count(), 3);
  await accessible(page, "registrations");

  // A phone call: nothing typed but the persons, told what to fix; then a name and no address.
  await page.getByLabel("Personen").fill("5");
  await page.getByRole("button", { name: "Anmeldung hinzufügen" }).click();
  await page.waitForLoadState();
  const alert = await page.getByRole("alert").textContent();
  assert.match(alert, /Geben Sie den Namen an\./);
  assert.match(alert, /Geben Sie eine Zahl von 1 bis 2 an\./);
  assert.equal(await page.getByLabel("Personen").inputValue(), "5", "what was typed is kept");
  await accessible(page, "add by hand with errors");
  await page.getByLabel("Name", { exact: true }).fill("Herr Öztürk");
  await page.getByLabel("Telefon (freiwillig)").fill("0761 2010");
  await page.getByLabel("Personen").fill("1");
  await page.getByRole("button", { name: "Anmeldung hinzufügen" }).click();
  await page.waitForLoadState();
  assert.equal(await page.getByRole("status").textContent(), "Die Anmeldung wurde hinzugefügt.");
  assert.match(await page.locator("dl.facts").textContent(), /Warteliste, Platz 2/);
  assert.match(await page.locator("main").textContent(), /Keine: Die Anmeldung hat keine E-Mail-Adresse\./);
  await accessible(page, "registration added by hand");
  let registrations = await listed();
  assert.equal(registrations["Herr Öztürk"].email, "");
  assert.equal(registrations["Herr Öztürk"].source, "console");

  // Clara moves up by hand although all seats are taken: the organiser adds a chair.
  await page.goto(`${env.collector.api}/admin/widgets/${EVENT}/registrations/${registrations["Clara Zimmer"].id}`);
  await accessible(page, "a waiting registration");
  await page.getByRole("button", { name: "Platz geben (nachrücken lassen)" }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole("status").textContent(), /hat jetzt einen Platz/);
  await accessible(page, "seat given by hand");
  await env.smtp.waitFor("clara.zimmer@example.de", { subject: /^Sie haben jetzt einen Platz/ });
  // Her mails, on her page: the waiting list's and the seat's.
  await page.reload();
  const claraMails = await page.locator("h2:has-text('E-Mails an diese Anmeldung') + ul").innerText();
  assert.match(claraMails, /Warteliste/);
  assert.match(claraMails, /nachgerückt/);

  // A note, kept for the town only.
  await page.getByLabel("Notiz (nur in der Konsole und den Exporten)").fill("Bringt einen Rollstuhl mit.");
  await page.getByRole("button", { name: "Notiz speichern" }).click();
  await page.waitForLoadState();
  assert.equal(await page.getByRole("status").textContent(), "Die Notiz wurde gespeichert.");
  await accessible(page, "note saved");

  // Anna is cancelled, after the question.
  await page.goto(`${env.collector.api}/admin/widgets/${EVENT}/registrations/${registrations["Anna Berg"].id}`);
  await page.getByRole("button", { name: "Stornieren …" }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole("alert").textContent(), /Anmeldung wirklich stornieren\?/);
  await accessible(page, "cancel confirmation");
  await page.getByRole("button", { name: "Ja, stornieren" }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole("status").textContent(), /wurde storniert/);
  await accessible(page, "registration cancelled");
  await env.smtp.waitFor("anna.berg@example.de", { subject: /^Anmeldung storniert/ });
  registrations = await listed();
  assert.equal(registrations["Anna Berg"].status, "cancelled");
  assert.equal(registrations["Anna Berg"].cancelled_by, "organiser");
  assert.equal(registrations["Clara Zimmer"].staff_note, "Bringt einen Rollstuhl mit.");
  // Her two seats set one free: the phone registration moves up (it has no address: no mail).
  assert.equal(registrations["Herr Öztürk"].status, "seat");
  assert.match(await page.locator("tbody").textContent(), /Bringt einen Rollstuhl mit\./);

  // The audit log names registrations by number only.
  const log = await env.collector.admin("GET", "/v1/admin/audit-log");
  const actions = log.entries.map((e) => e.action);
  for (const action of ["registration-added", "registration-seated", "registration-cancelled"]) {
    assert.ok(actions.includes(action), `${action} in ${actions}`);
  }
  assert.ok(!/Anna|Clara|Öztürk|example\.de/.test(JSON.stringify(log)), "no names in the audit log");
  assert.deepEqual(problems.filter((p) => !p.includes("status of 422")), []);
  await context.close();
});

test("the check-in on a phone: search, one tap per arrival, counted; printable", async () => {
  const { context, page, problems } = await newConsolePage(env, 320);
  await signIn(env, page, ORGANISER, `/admin/widgets/${EVENT}/check-in`);
  assert.match(await page.locator("h1").textContent(), /^Einlass: Werkstatt: Spielplatz Nord neu planen$/);
  const count = page.locator("#arrivals");
  assert.equal(await count.textContent(), "Angekommen: 0 von 3 Personen (0 von 3 Anmeldungen)");
  const names = await page.locator("ul.checkin li strong").allTextContents();
  assert.deepEqual(names, ["Bernd Adler", "Clara Zimmer", "Herr Öztürk"], "alphabetical, seats only");
  await accessible(page, "check-in list");

  await page.getByRole("button", { name: "Angekommen: Clara Zimmer" }).click();
  await page.waitForLoadState();
  assert.equal(await count.textContent(), "Angekommen: 1 von 3 Personen (1 von 3 Anmeldungen)");
  assert.match(await page.locator("#r-" + (await listed())["Clara Zimmer"].id).textContent(), /angekommen/);

  await page.getByLabel("Name suchen").fill("oeztuerk");
  await page.getByRole("button", { name: "Suchen" }).click();
  await page.waitForLoadState();
  assert.deepEqual(await page.locator("ul.checkin li strong").allTextContents(), ["Herr Öztürk"]);
  await page.getByRole("button", { name: "Angekommen: Herr Öztürk" }).click();
  await page.waitForLoadState();
  assert.equal(await count.textContent(), "Angekommen: 2 von 3 Personen (2 von 3 Anmeldungen)");
  assert.equal(await page.getByLabel("Name suchen").inputValue(), "oeztuerk", "the search stays");
  assert.ok(!page.url().includes("oeztuerk"), "no name in an address");
  await accessible(page, "check-in after two arrivals");
  // A mistake undone.
  await page.getByRole("button", { name: "Ankunft zurücknehmen: Herr Öztürk" }).click();
  await page.waitForLoadState();
  assert.equal(await count.textContent(), "Angekommen: 1 von 3 Personen (1 von 3 Anmeldungen)");
  assert.ok((await listed())["Clara Zimmer"].arrived_at, "stored");

  // Printed: the names with a box each, no buttons, no navigation.
  await page.goto(`${env.collector.api}/admin/widgets/${EVENT}/check-in`);
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => ({
    boxes: [...document.querySelectorAll(".print-box")].map((b) => getComputedStyle(b).display !== "none" && b.textContent),
    forms: [...document.querySelectorAll("ul.checkin form")].every((f) => getComputedStyle(f).display === "none"),
    nav: getComputedStyle(document.querySelector("header")).display,
  }));
  assert.deepEqual(printed.boxes, ["☐", "☑", "☐"]);
  assert.equal(printed.forms, true);
  assert.equal(printed.nav, "none");
  await page.emulateMedia({ media: "screen" });
  assert.deepEqual(problems, []);
  await context.close();
});

test("the organiser writes to everyone registered, checks it first, and reads the mail log", async () => {
  // The three seats are taken: two more wait.
  assert.equal(await register("Dora Weiß", "dora.weiss@example.de", 1), "waiting_list");
  assert.equal(await register("Emil Stein", "emil.stein@example.de", 1), "waiting_list");
  const { context, page, problems } = await newConsolePage(env);
  await signIn(env, page, ORGANISER, `/admin/widgets/${EVENT}/registrations`);
  await page.getByRole("link", { name: "E-Mail an Angemeldete schreiben" }).click();
  await page.waitForLoadState();
  await accessible(page, "message form");
  // Nothing written: said so, the choice kept.
  await page.getByLabel("alle mit Platz", { exact: true }).check();
  await page.getByRole("button", { name: "Weiter: prüfen" }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole("alert").textContent(), /Geben Sie einen Betreff/);
  assert.equal(await page.getByLabel("alle mit Platz", { exact: true }).isChecked(), true);
  await accessible(page, "message form with errors");
  await page.getByLabel("Betreff").fill("Bitte Ausweis mitbringen");
  await page.getByLabel("Text").fill("Am Eingang prüfen wir die Anmeldung.\n\nDer Saal ist im 1. Stock; es gibt einen Aufzug.");
  await page.getByRole("button", { name: "Weiter: prüfen" }).click();
  await page.waitForLoadState();
  // Two with a seat have an address (the phone registration has none).
  assert.equal(await page.locator("p.count").textContent(), "Diese E-Mail geht an 2 Personen (alle mit Platz).");
  assert.equal(await page.getByRole("heading", { name: "Bitte Ausweis mitbringen" }).count(), 1);
  await accessible(page, "message check");
  await page.getByRole("button", { name: "Jetzt an 2 Personen senden" }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole("status").textContent(), /^2 E-Mails werden verschickt/);
  await accessible(page, "message sent");
  for (const to of ["bernd.adler@example.de", "clara.zimmer@example.de"]) {
    const { mail } = await env.smtp.waitFor(to, { subject: /^Bitte Ausweis mitbringen$/ });
    assert.match(mail.text, /Am Eingang prüfen wir die Anmeldung\./);
    assert.match(mail.text, /Werkstatt: Spielplatz Nord neu planen/);
    assert.match(mail.text, /\/v1\/registrations\/cancel\/[0-9a-f]{64}/);
  }
  // The mail log: the message to both, and every earlier mail of the event.
  await page.getByRole("link", { name: "E-Mail-Protokoll" }).click();
  await page.waitForLoadState();
  const rows = page.locator("tbody tr", { hasText: "Nachricht des Veranstalters" });
  assert.equal(await rows.count(), 2);
  assert.match(await page.locator("tbody").textContent(), /vom Veranstalter storniert/);
  await accessible(page, "mail log");
  const log = await env.collector.admin("GET", "/v1/admin/audit-log?action=registrants-mailed");
  assert.match(log.entries[0].detail, /^message no\. \d+ to seat: 2 mails$/, "its number, not its words");

  // The waiting list alone: only those waiting are written to.
  await page.goto(`${env.collector.api}/admin/widgets/${EVENT}/message`);
  await page.getByLabel("alle auf der Warteliste", { exact: true }).check();
  await page.getByLabel("Betreff").fill("Noch ist kein Platz frei");
  await page.getByLabel("Text").fill("Sobald jemand absagt, rücken Sie nach und bekommen eine E-Mail.");
  await page.getByRole("button", { name: "Weiter: prüfen" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("p.count").textContent(), "Diese E-Mail geht an 2 Personen (alle auf der Warteliste).");
  await page.getByRole("button", { name: "Jetzt an 2 Personen senden" }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole("status").textContent(), /^2 E-Mails werden verschickt/);
  for (const to of ["dora.weiss@example.de", "emil.stein@example.de"]) {
    const { mail } = await env.smtp.waitFor(to, { subject: /^Noch ist kein Platz frei$/ });
    assert.match(mail.text, /Sobald jemand absagt/);
  }
  const waitingOnly = env.smtp.mails().filter((m) => m.subject === "Noch ist kein Platz frei");
  assert.deepEqual(waitingOnly.flatMap((m) => m.rcpt_tos).sort(), ["dora.weiss@example.de", "emil.stein@example.de"]);
  const mailed = await env.collector.admin("GET", "/v1/admin/audit-log?action=registrants-mailed");
  assert.ok(mailed.entries.some((e) => /^message no\. \d+ to waiting: 2 mails$/.test(e.detail)), JSON.stringify(mailed.entries));
  assert.deepEqual(problems.filter((p) => !p.includes("status of 422")), []);
  await context.close();
});

test("an event's own mail texts, with the event's placeholders only, go into its mails", async () => {
  await env.collector.admin("PUT", "/v1/admin/widgets/sommerfest", {
    kind: "event",
    attributes: { "data-title": "Sommerfest", "data-start": "2099-07-04T15:00+02:00", "data-place": "Stadtpark", "data-capacity": "10" },
  });
  const { context, page, problems } = await newConsolePage(env);
  await signIn(env, page, ORGANISER, "/admin/widgets/sommerfest");
  await page.getByRole("link", { name: "E-Mail-Texte" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("h1").textContent(), "E-Mail-Texte: sommerfest");
  await accessible(page, "mail texts");
  await page.locator("summary", { hasText: "Anmeldung mit Platz" }).click();
  const seat = page.locator("details", { hasText: "Anmeldung mit Platz" }).locator("fieldset", { hasText: "Deutsch" }).first();
  await seat.getByLabel("Betreff").fill("Bis bald im {place}");
  await seat.getByLabel("Text").fill("Hallo {name}, schön, dass Sie kommen.");
  await page.getByRole("button", { name: "Texte speichern" }).click();
  await page.waitForLoadState();
  // The name is no placeholder: a mail never repeats what someone typed.
  assert.match(await page.getByRole("alert").textContent(), /\{name\} ist kein Platzhalter/);
  assert.equal(await page.locator("#text-seat-de").inputValue(), "Hallo {name}, schön, dass Sie kommen.", "kept");
  await accessible(page, "mail texts with an error");
  await page.locator("#text-seat-de").fill("Schön, dass Sie zum {title} kommen.\n\nBitte bringen Sie gute Laune mit.");
  await page.getByRole("button", { name: "Texte speichern" }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole("status").textContent(), /Die Texte wurden gespeichert/);
  await accessible(page, "mail texts saved");

  assert.equal((await env.collector.submit("sommerfest", { kind: "registration", name: "D", email: "de@example.de", lang: "de" })).status, 201);
  assert.equal((await env.collector.submit("sommerfest", { kind: "registration", name: "E", email: "en@example.de", lang: "en" })).status, 201);
  const { mail } = await env.smtp.waitFor("de@example.de", { subject: /^Bis bald im Stadtpark$/ });
  assert.match(mail.text, /Schön, dass Sie zum Sommerfest kommen\.\r?\n\r?\nBitte bringen Sie gute Laune mit\./);
  assert.doesNotMatch(mail.text, /Ihre Anmeldung ist bestätigt/);
  // Another language keeps its standard words.
  await env.smtp.waitFor("en@example.de", { subject: /^Registration confirmed: Sommerfest$/ });

  // An event from the configuration file shows its texts read-only.
  await page.goto(`${env.collector.api}/admin/widgets/${EVENT}/mail-texts`);
  assert.match(await page.locator("main").textContent(), /steht in der Konfigurationsdatei/);
  assert.equal(await page.getByRole("button", { name: "Texte speichern" }).count(), 0);
  assert.deepEqual(problems.filter((p) => !p.includes("status of 422")), []);
  await context.close();
});
