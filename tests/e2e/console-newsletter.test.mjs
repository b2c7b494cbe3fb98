// A newsletter's subscribers in the console: confirmed ones by default, filtered by status and
// list; per subscription the proof of consent (the text as shown, its version and checksum,
// the page, request and confirmation in Berlin time and UTC, every request of the address),
// printable without the console around it and as JSON. The confirmation is made as a citizen
// makes it: the link from the mail at a real SMTP server on 127.0.0.1, and its button. Against
// the real collector in Chromium, axe over every state.
import assert from "node:assert/strict";
import { test } from "node:test";
import { accessible, newConsolePage, signIn } from "./support/console.mjs";
import { withMailCollectorAndBrowser } from "./support/suite.mjs";

const EDITOR = { name: "nina.newsletter", password: "Einwilligung-zeigen-2026" };
const WIDGET = "newsletter-beteiligung";
const CONFIRM = /https?:\/\/[^\s<>"]+\/v1\/subscriptions\/confirm\/[0-9a-f]{64}/;
const CONSENT = "Ja, ich möchte den Newsletter „Bürgerbeteiligung“ per E-Mail erhalten. Ich kann ihn jederzeit abbestellen.";

const env = withMailCollectorAndBrowser();

async function subscribe(email, lists) {
  const answer = await env.collector.submit(WIDGET, {
    kind: "subscription",
    email,
    name: "",
    lists,
    consent: CONSENT,
    privacy: "https://www.musterstadt.de/datenschutz",
    page: "https://www.musterstadt.de/mitmachen/newsletter",
    lang: "de",
  });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
}

async function confirm(email) {
  const { mail } = await env.smtp.waitFor(email, { subject: /bestätigen/i });
  const link = mail.text.match(CONFIRM)?.[0];
  assert.ok(link, mail.text);
  const page = await env.browser.newPage();
  await page.goto(link);
  await page.getByRole("button", { name: "Abonnement bestätigen" }).click();
  await page.getByText("Ihr Abonnement ist bestätigt").waitFor();
  await page.close();
}

test("subscribers with their proof of consent, filtered, printable and as JSON", async () => {
  await env.collector.addUser(EDITOR.name, "editor", EDITOR.password);
  await subscribe("erika.mueller@example.de", ["veranstaltungen"]);
  await subscribe("max.offen@example.de", ["beteiligung"]);
  await confirm("erika.mueller@example.de");

  const { context, page, problems } = await newConsolePage(env);
  await signIn(env, page, EDITOR, `/admin/widgets/${WIDGET}`);
  await page.getByRole("link", { name: "Abonnements und Nachweise" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("h1").textContent(), "Abonnements: Newsletter Bürgerbeteiligung Musterstadt");
  const addresses = async () => page.locator("tbody th").allTextContents();
  assert.deepEqual(await addresses(), ["erika.mueller@example.de"], "confirmed ones by default");
  await accessible(page, "subscribers");
  await page.getByLabel("Status").selectOption("all");
  await page.getByRole("button", { name: "Anzeigen" }).click();
  await page.waitForLoadState();
  assert.deepEqual(await addresses(), ["erika.mueller@example.de", "max.offen@example.de"]);
  await page.getByLabel("Liste").selectOption("beteiligung");
  await page.getByRole("button", { name: "Anzeigen" }).click();
  await page.waitForLoadState();
  assert.deepEqual(await addresses(), ["max.offen@example.de"]);
  assert.match(await page.locator("tbody").textContent(), /noch nicht bestätigt/);
  await accessible(page, "subscribers filtered by status and list");

  // Erika's proof.
  await page.goto(`${env.collector.api}/admin/widgets/${WIDGET}/subscribers?status=confirmed`);
  await page.getByRole("link", { name: "erika.mueller@example.de" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("h1").textContent(), "Nachweis der Einwilligung");
  const facts = await page.locator("dl.facts").innerText();
  assert.match(facts, /Veranstaltungen/);
  assert.match(facts, /Bestätigt \(Double-Opt-in\)\s+\d{2}\.\d{2}\.\d{4} \d{2}:\d{2} \(Europe\/Berlin\), \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  assert.match(facts, /https:\/\/www\.musterstadt\.de\/mitmachen\/newsletter/);
  assert.match(facts, /[0-9a-f]{64}/, "the consent text's checksum");
  assert.equal(await page.locator("blockquote").textContent(), CONSENT);
  await accessible(page, "proof of consent");

  // As JSON, with the session as the link fetches it.
  const href = await page.getByRole("link", { name: "Nachweis als JSON-Datei" }).getAttribute("href");
  const json = await (await page.request.get(`${env.collector.api}${href}`)).json();
  assert.equal(json.subscription.email, "erika.mueller@example.de");
  assert.equal(json.subscription.consent.text, CONSENT);
  assert.deepEqual(json.list_names, ["Veranstaltungen"]);
  assert.equal(json.requests.length, 1);
  assert.match(json.method, /double opt-in/);

  // Printed: the proof alone.
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => ({
    header: getComputedStyle(document.querySelector("header")).display,
    links: getComputedStyle(document.querySelector("ul.downloads")).display,
    quote: getComputedStyle(document.querySelector("blockquote")).display,
  }));
  assert.deepEqual(printed, { header: "none", links: "none", quote: "block" });
  await page.emulateMedia({ media: "screen" });
  assert.deepEqual(problems, []);
  await context.close();
});
