// Event sign-up end to end, mail included: a citizen registers in Chromium, the seats go down,
// the event fills through the API, the widget offers the waiting list, the confirmation mail
// arrives at a real SMTP server on 127.0.0.1 (aiosmtpd, started here), its cancellation link
// opens in the browser without cancelling anything, the button cancels, and the first person on
// the waiting list is promoted and mailed. Prints the mail round trip (click to mail received).
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { openPage } from "./support/browser.mjs";
import { Event } from "./support/event.mjs";
import { withMailCollectorAndBrowser } from "./support/suite.mjs";

const env = withMailCollectorAndBrowser();

const WIDGET = "werkstatt-spielplatz";
const LINK = /https?:\/\/[^\s<>"]+\/v1\/registrations\/cancel\/[0-9a-f]{64}/;

async function seatsTaken() {
  const status = await env.collector.event(WIDGET);
  return [status.seats_taken, status.waiting];
}

async function freshLook(event) {
  // The next citizen in this browser: the visit's memory of the registration cleared.
  await event.page.evaluate(() => sessionStorage.clear());
  await event.page.reload();
  await event.waitUntilReady();
}

test("register, fill up, read the mail, cancel by its link, and the waiting list moves up", async () => {
  const { page, problems } = await openPage(env.browser, `${env.collector.site}/examples/veranstaltungen.html`);
  const event = new Event(page, WIDGET);
  await event.waitUntilReady();
  await event.expectSeats("Noch 3 von 3 Plätzen frei");

  // The citizen registers in the widget.
  await event.fill({ name: "Erika Mustermann", email: "erika@example.de", organisation: "Elternbeirat Kita Nord" });
  const clicked = Date.now();
  await event.submit();
  await event.expectStatus("Vielen Dank");
  const { mail, ms } = await env.smtp.waitFor("erika@example.de");
  const roundTrip = Date.now() - clicked;
  assert.deepEqual(await seatsTaken(), [1, 0]);
  await freshLook(event);
  await event.expectSeats("Noch 2 von 3 Plätzen frei");

  // The confirmation: the town's facts, the calendar file, a link; nothing the citizen typed.
  assert.match(mail.subject, /Werkstatt: Spielplatz Nord neu planen/);
  assert.match(mail.text, /Jugendzentrum, Parkstraße 4/);
  assert.deepEqual(
    mail.attachments.map((a) => a.filename),
    [`${WIDGET}.ics`],
  );
  for (const typed of ["Erika", "Mustermann", "Elternbeirat"]) {
    assert.ok(!mail.text.includes(typed) && !mail.html.includes(typed), `the mail echoes "${typed}"`);
  }
  const link = mail.text.match(LINK)?.[0];
  assert.ok(link, `no cancellation link in:\n${mail.text}`);

  // Two more people fill the event through the API; the widget offers the waiting list.
  for (const email of ["max@example.de", "lena@example.de"]) {
    const answer = await env.collector.submit(WIDGET, { kind: "registration", name: "X", email });
    assert.equal(answer.body.placement, "seat");
  }
  await freshLook(event);
  await event.expectSeats("Ausgebucht");
  assert.match(await event.submitButton().innerText(), /Warteliste/);
  const waiting = await env.collector.submit(WIDGET, { kind: "registration", name: "W", email: "wartend@example.de" });
  assert.equal(waiting.body.placement, "waiting_list");
  const waitingMail = await env.smtp.waitFor("wartend@example.de", { subject: /Warteliste/ });
  assert.match(waitingMail.mail.text, /Warteliste/);
  assert.deepEqual(await seatsTaken(), [3, 1]);

  // The link opens a page; opening it (as a mail scanner does) changes nothing.
  const cancelPage = await env.browser.newPage();
  await cancelPage.goto(link);
  await cancelPage.goto(link);
  assert.equal(await cancelPage.locator("h1").innerText(), "Anmeldung stornieren");
  assert.match(await cancelPage.locator("main").innerText(), /Werkstatt: Spielplatz Nord neu planen/);
  assert.deepEqual(await seatsTaken(), [3, 1]);
  await cancelPage.getByRole("button", { name: "Anmeldung stornieren" }).click();
  await cancelPage.getByText("Ihre Anmeldung ist storniert.").waitFor();

  // The first on the waiting list has the seat now, and is told.
  assert.deepEqual(await seatsTaken(), [3, 0]);
  const promoted = await env.smtp.waitFor("wartend@example.de", { subject: /jetzt einen Platz/ });
  assert.deepEqual(
    promoted.mail.attachments.map((a) => a.filename),
    [`${WIDGET}.ics`],
  );
  const cancelled = await env.smtp.waitFor("erika@example.de", { subject: /Abmeldung bestätigt/ });
  assert.ok(!LINK.test(cancelled.mail.text), "the cancellation's confirmation has no link");
  const listing = await env.collector.admin("GET", `/v1/admin/widgets/${WIDGET}/registrations`);
  const byEmail = Object.fromEntries(listing.registrations.map((r) => [r.email, r.status]));
  assert.deepEqual(byEmail, {
    "erika@example.de": "cancelled",
    "max@example.de": "seat",
    "lena@example.de": "seat",
    "wartend@example.de": "seat",
  });
  assert.deepEqual(problems.console, []);

  const artifacts = process.env.MITMACHEN_ARTIFACTS;
  if (artifacts) {
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, "mail-round-trip.json"), JSON.stringify({ click_to_mail_ms: roundTrip, poll_ms: ms }));
  }
  console.log(`confirmation mail round trip (click to SMTP server): ${roundTrip} ms`);
  await cancelPage.close();
  await page.context().close();
});
