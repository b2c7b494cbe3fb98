// The pages behind the links in mails, as the citizen opens them from their mailbox: under the
// town's name (the mail sender's), the cancellation page with the whole event (title, weekday and
// date, start and end, place) and the newsletter's confirmation page with the address, the lists
// chosen and the way back to the page of the request, its button not red. Each reflows at 320 px
// without sideways scrolling, and axe finds nothing, before and after the button.
import assert from "node:assert/strict";
import { test } from "node:test";
import { accessible } from "./support/console.mjs";
import { withMailCollectorAndBrowser } from "./support/suite.mjs";

const env = withMailCollectorAndBrowser();

// examples/collector.toml's sender, whose name signs the mails.
const TOWN = "Stadt Musterstadt – Bürgerbeteiligung";

function linkIn(mail, path) {
  const link = mail.text.match(new RegExp(`https?://[^\\s<>"]+${path}[0-9a-f]{64}`))?.[0];
  assert.ok(link, `no ${path} link in:\n${mail.text}`);
  return link;
}

// A phone's viewport: what the page is like at 320 CSS pixels.
async function narrowPage() {
  const context = await env.browser.newContext({ viewport: { width: 320, height: 640 } });
  return { context, page: await context.newPage() };
}

async function noSidewaysScroll(page, label) {
  await page.setViewportSize({ width: 320, height: 640 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 320, `${label} is ${width} px wide at a 320 px viewport`);
}

// The label and value pairs of the page's facts.
async function facts(page) {
  return page.locator("dl").evaluate((dl) =>
    Object.fromEntries([...dl.querySelectorAll("dt")].map((dt) => [dt.innerText, dt.nextElementSibling.innerText])),
  );
}

test("the cancellation page names the whole event under the town's name and reflows at 320 px", async () => {
  // A town's long compound words, which must break rather than widen the page.
  await env.collector.admin("PUT", "/v1/admin/widgets/infoabend-strassenbahn", {
    kind: "event",
    attributes: {
      "data-title": "Informationsveranstaltung Straßenbahnverlängerungsplanung",
      "data-start": "2099-09-24T18:30+02:00",
      "data-end": "2099-09-24T21:00+02:00",
      "data-place": "Bürgerhaus Südstadt, Veranstaltungssaal, Donaueschingerstraße 123",
      "data-capacity": "40",
      "data-persons-max": "3",
    },
  });
  const registered = await env.collector.submit("infoabend-strassenbahn", {
    kind: "registration",
    name: "Erika <b>Mustermann</b>",
    email: "erika.abend@example.de",
    persons: 2,
    lang: "de",
  });
  assert.equal(registered.status, 201);
  const { mail } = await env.smtp.waitFor("erika.abend@example.de");
  const link = linkIn(mail, "/v1/registrations/cancel/");

  const { context, page } = await narrowPage();
  await page.goto(link);
  assert.equal(await page.locator("header").innerText(), TOWN);
  assert.equal(await page.title(), `Anmeldung stornieren – ${TOWN}`);
  assert.deepEqual(await facts(page), {
    Veranstaltung: "Informationsveranstaltung Straßenbahnverlängerungsplanung",
    Wann: "Donnerstag, 24.09.2099, 18:30\u00a0Uhr bis 21:00\u00a0Uhr",
    Ort: "Bürgerhaus Südstadt, Veranstaltungssaal, Donaueschingerstraße 123",
    Personen: "2",
  });
  assert.doesNotMatch(await page.locator("body").innerText(), /Mustermann/, "nothing typed but the persons");
  await noSidewaysScroll(page, "the cancellation page");
  await accessible(page, "cancellation page");

  await page.getByRole("button", { name: "Anmeldung stornieren" }).click();
  await page.getByText("Ihre Anmeldung ist storniert.").waitFor();
  assert.equal((await facts(page)).Wann, "Donnerstag, 24.09.2099, 18:30\u00a0Uhr bis 21:00\u00a0Uhr");
  await noSidewaysScroll(page, "the page after cancelling");
  await accessible(page, "cancellation done");
  await context.close();
});

test("the newsletter's confirmation page shows the address, the lists and the way back, with a button that is not red", async () => {
  const pageUrl = `${env.collector.site}/examples/rathaus.html`;
  const address = "erika.liste@example.de";
  const asked = await env.collector.submit("newsletter-beteiligung", {
    kind: "subscription",
    email: address,
    name: "Erika <i>Liste</i>",
    lists: ["beteiligung", "veranstaltungen"],
    consent: "Ja, ich möchte den Newsletter erhalten.",
    privacy: `${env.collector.site}/examples/datenschutz.html`,
    page: pageUrl,
    lang: "de",
  });
  assert.equal(asked.status, 201);
  const { mail } = await env.smtp.waitFor(address);
  assert.ok(!mail.text.includes("Liste</i>") && !mail.text.includes("Erika"), "the mail echoes nothing typed");
  const link = linkIn(mail, "/v1/subscriptions/confirm/");

  const { context, page } = await narrowPage();
  await page.goto(link);
  assert.equal(await page.locator("h1").innerText(), "Newsletter-Abonnement bestätigen");
  assert.equal(await page.locator("header").innerText(), TOWN);
  assert.deepEqual(await facts(page), {
    Newsletter: "Newsletter Bürgerbeteiligung Musterstadt",
    "Ihre Auswahl": "Beteiligung und Umfragen\nVeranstaltungen",
    "E-Mail-Adresse": address,
  });
  assert.doesNotMatch(await page.locator("body").innerText(), /Erika/, "the name is not needed here");
  const back = page.getByRole("link", { name: "Zurück zur Seite, auf der Sie den Newsletter bestellt haben" });
  assert.equal(await back.getAttribute("href"), pageUrl);
  // A neutral blue, not the red of giving something up.
  const button = page.getByRole("button", { name: "Abonnement bestätigen" });
  assert.equal(await button.evaluate((b) => getComputedStyle(b).backgroundColor), "rgb(26, 79, 163)");
  await noSidewaysScroll(page, "the confirmation page");
  await accessible(page, "newsletter confirmation page");

  await button.click();
  await page.getByText("Ihr Abonnement ist bestätigt").waitFor();
  assert.equal((await facts(page))["E-Mail-Adresse"], address);
  assert.equal(await back.getAttribute("href"), pageUrl);
  await accessible(page, "newsletter confirmed");

  // The welcome mail's unsubscribe page: the same layout, the address it is about.
  const welcome = await env.smtp.waitFor(address, { subject: /bestätigt/ });
  await page.goto(linkIn(welcome.mail, "/v1/subscriptions/unsubscribe/"));
  assert.equal(await page.locator("h1").innerText(), "Newsletter abbestellen");
  assert.equal((await facts(page))["E-Mail-Adresse"], address);
  await noSidewaysScroll(page, "the unsubscribe page");
  await accessible(page, "unsubscribe page");
  await page.getByRole("button", { name: "Newsletter abbestellen" }).click();
  await page.getByText("Sie haben den Newsletter abbestellt.").waitFor();
  assert.doesNotMatch(await page.locator("main").innerText(), new RegExp(address.replace(".", "\\.")), "deleted, and not shown");
  await accessible(page, "unsubscribed");
  await context.close();
});
