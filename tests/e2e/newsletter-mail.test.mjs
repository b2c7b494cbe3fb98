// Newsletter opt-in end to end, mail included: a citizen subscribes in Chromium, the
// confirmation mail arrives at a real SMTP server on 127.0.0.1 (aiosmtpd, started here), its
// link is fetched as a mail scanner would (nothing confirmed), opened in the browser and
// confirmed with the button, the subscriber shows up with the proof of consent in the admin
// export, the welcome mail's one-click unsubscribe (RFC 8058) ends it, and the erasure removes
// what was left. Prints the confirmation-mail round trip (click to mail received).
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { openPage } from "./support/browser.mjs";
import { withMailCollectorAndBrowser } from "./support/suite.mjs";

const env = withMailCollectorAndBrowser();

const WIDGET = "newsletter-beteiligung";
const CONFIRM = /https?:\/\/[^\s<>"]+\/v1\/subscriptions\/confirm\/[0-9a-f]{64}/;
const ADDRESS = "erika.newsletter@example.de";

async function subscribers(status) {
  const listing = await env.collector.admin("GET", `/v1/admin/widgets/${WIDGET}/subscribers?status=${status}`);
  return listing.subscribers;
}

test("subscribe, a scanner confirms nothing, the button does, proof exported, one-click unsubscribe, erasure", async () => {
  const pageUrl = `${env.collector.site}/examples/rathaus.html`;
  const { page, problems } = await openPage(env.browser, pageUrl);
  const widget = page.locator(`[data-id="${WIDGET}"]`);
  await widget.getByRole("button", { name: "Newsletter abonnieren" }).waitFor();
  const consent = (await widget.locator(".mm-consent").first().innerText()).trim();

  // The citizen subscribes in the widget.
  await widget.getByLabel("E-Mail-Adresse").fill(ADDRESS);
  await widget.getByLabel("Name").fill("Erika Mustermann");
  await widget.getByRole("checkbox", { name: "Veranstaltungen" }).check();
  const clicked = Date.now();
  await widget.getByRole("button", { name: "Newsletter abonnieren" }).click();
  await widget.getByText(`Bitte bestätigen Sie den Link, den wir an ${ADDRESS} gesendet haben.`).waitFor();
  const { mail, ms } = await env.smtp.waitFor(ADDRESS);
  const roundTrip = Date.now() - clicked;

  // The confirmation mail: the town's text and a link, nothing the citizen typed but the address.
  assert.match(mail.subject, /bestätigen/);
  assert.match(mail.text, /Newsletter Bürgerbeteiligung Musterstadt/);
  for (const typed of ["Erika", "Mustermann"]) {
    assert.ok(!mail.text.includes(typed) && !mail.html.includes(typed), `the mail echoes "${typed}"`);
  }
  assert.equal(mail.list_unsubscribe, null, "nobody is subscribed yet");
  const link = mail.text.match(CONFIRM)?.[0];
  assert.ok(link, `no confirmation link in:\n${mail.text}`);

  // A mail scanner fetches the link: a page, and nothing confirmed.
  for (let i = 0; i < 2; i++) {
    const scanned = await fetch(link);
    assert.equal(scanned.status, 200);
    assert.match(await scanned.text(), /<form method="post">/);
  }
  assert.deepEqual(await subscribers("confirmed"), []);
  assert.equal((await subscribers("pending")).length, 1);

  // The address owner opens it in the browser and presses the button.
  const confirmPage = await env.browser.newPage();
  await confirmPage.goto(link);
  assert.equal(await confirmPage.locator("h1").innerText(), "Newsletter-Abonnement bestätigen");
  await confirmPage.getByRole("button", { name: "Abonnement bestätigen" }).click();
  await confirmPage.getByText("Ihr Abonnement ist bestätigt").waitFor();

  // The proof: who agreed to what, where and when.
  const [proof] = await subscribers("confirmed");
  assert.equal(proof.email, ADDRESS);
  assert.equal(proof.name, "Erika Mustermann");
  assert.deepEqual(proof.lists, ["veranstaltungen"]);
  assert.equal(proof.page, pageUrl);
  assert.equal(proof.consent.text, consent);
  assert.equal(proof.consent.version, 1);
  assert.match(proof.consent.privacy, /^http:\/\/localhost:\d+\/examples\/datenschutz\.html$/);
  assert.ok(proof.requested_at <= proof.confirmed_at);
  const csv = await env.collector.adminText(`/v1/admin/widgets/${WIDGET}/subscribers.csv`);
  assert.ok(csv.startsWith("\ufeffNr.;E-Mail;Name;Listen;"));
  assert.ok(csv.includes(`;${ADDRESS};Erika Mustermann;Veranstaltungen;`), csv);

  // The welcome mail carries the one-click unsubscribe; a mail client POSTs it.
  const welcome = await env.smtp.waitFor(ADDRESS, { subject: /bestätigt/ });
  assert.equal(welcome.mail.list_unsubscribe_post, "List-Unsubscribe=One-Click");
  const unsubscribe = welcome.mail.list_unsubscribe?.match(/^<(.+)>$/)?.[1];
  assert.ok(unsubscribe?.includes("/v1/subscriptions/unsubscribe/"), welcome.mail.list_unsubscribe);
  const oneClick = await fetch(unsubscribe, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "List-Unsubscribe=One-Click",
  });
  assert.equal(oneClick.status, 200);
  assert.deepEqual(await subscribers("all"), []);

  // The citizen's erasure request: what was left (the hash that keeps the address unmailed) goes.
  const { erased } = await env.collector.admin("POST", "/v1/admin/erasure", { email: ADDRESS });
  assert.deepEqual([erased.subscriptions, erased.suppressions], [0, 1]);
  // The page's deliberately broken widget explains itself in the console; nothing else may.
  assert.deepEqual([...problems.pageErrors, ...problems.console.filter((m) => !m.includes("[Spielplatz Nord]"))], []);

  const artifacts = process.env.MITMACHEN_ARTIFACTS;
  if (artifacts) {
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(
      join(artifacts, "newsletter-mail-round-trip.json"),
      JSON.stringify({ click_to_mail_ms: roundTrip, poll_ms: ms }),
    );
  }
  console.log(`newsletter confirmation mail round trip (click to SMTP server): ${roundTrip} ms`);
  await confirmPage.close();
  await page.context().close();
});
