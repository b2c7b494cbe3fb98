// The newsletter opt-in in a real browser against the real collector (newsletter declared in
// examples/collector.toml): a citizen's request with its proof of consent, the same answer
// whatever the collector knew, mistakes explained at the fields, refusals, the honeypot, an
// undeclared newsletter, and retries under one idempotency key. The confirmation mail and its
// link are newsletter-mail.test.mjs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { addWidget, openPage } from "./support/browser.mjs";
import { Newsletter } from "./support/newsletter.mjs";
import { withCollectorAndBrowser } from "./support/suite.mjs";

const env = withCollectorAndBrowser();

const ID = "newsletter-beteiligung";
const SUBMISSIONS = `**/v1/widgets/${ID}/submissions`;

// What the page POSTs to submissions: each request's idempotency key and body.
function recordSubmissions(page) {
  const sent = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/submissions")) {
      sent.push({ key: r.headers()["idempotency-key"], body: r.postDataJSON() });
    }
  });
  return sent;
}

// The requests the collector holds for the newsletter, with their proof (the admin API).
async function stored(status = "pending") {
  return (await env.collector.admin("GET", `/v1/admin/widgets/${ID}/subscribers?status=${status}`)).subscribers;
}

// An endpoint's problem answer, readable by the page.
function problem(status, type, detail, errors) {
  return {
    status,
    contentType: "application/problem+json",
    headers: { "access-control-allow-origin": env.collector.site },
    body: JSON.stringify({ type: `urn:mitmachen:problem:${type}`, title: "Refused", status, detail, errors }),
  };
}

test("a citizen subscribes with the proof of consent and is asked to confirm the link sent to the typed address", async () => {
  const url = `${env.collector.site}/examples/rathaus.html`;
  const { page, context, problems } = await openPage(env.browser, url, {
    initScript: () => {
      window.__submitted = [];
      document.addEventListener("mitmachen:submitted", (e) => window.__submitted.push(e.detail));
    },
  });
  const sent = recordSubmissions(page);
  const newsletter = new Newsletter(page, ID);
  await newsletter.waitUntilReady();

  // The editor's heading at its level; native controls with their purpose for autofill.
  assert.equal(await newsletter.root.locator("h3.mm-heading").innerText(), "Newsletter Bürgerbeteiligung");
  const email = newsletter.field("E-Mail-Adresse");
  assert.deepEqual(
    [await email.getAttribute("type"), await email.getAttribute("autocomplete"), await email.evaluate((el) => el.required)],
    ["email", "email", true],
  );
  assert.equal(await newsletter.field("Name").getAttribute("autocomplete"), "name");
  assert.match(await newsletter.root.locator("label[for=mm-n-name]").innerText(), /^Name \(freiwillig\)$/);
  // The lists as checkboxes in a group named by its legend.
  const lists = newsletter.root.getByRole("group", { name: /^Welche Newsletter möchten Sie erhalten\? \(Pflichtfeld\)$/ });
  assert.deepEqual(await lists.getByRole("checkbox").evaluateAll((boxes) => boxes.map((b) => b.value)), [
    "beteiligung",
    "veranstaltungen",
  ]);
  // The editor's consent text right before the one button, the privacy notice beside it.
  const consent = await newsletter.consent().innerText();
  assert.match(consent, /^Ja, ich möchte den Newsletter Bürgerbeteiligung der Stadt Musterstadt .* jeder E-Mail\.$/);
  assert.equal(await newsletter.root.locator(".mm-agree + button.mm-submit").innerText(), "Newsletter abonnieren");
  const privacy = newsletter.root.getByRole("link", { name: /^Datenschutzhinweise/ });
  assert.deepEqual(
    [await privacy.getAttribute("href"), await privacy.getAttribute("target"), await privacy.getAttribute("rel")],
    ["/examples/datenschutz.html", "_blank", "noopener"],
  );

  await newsletter.subscribe({ email: " erika@example.de ", name: "Erika Mustermann", lists: ["Veranstaltungen"] });
  await newsletter.expectStatus("Bitte bestätigen Sie den Link, den wir an erika@example.de gesendet haben.");
  await newsletter.expectStatus("Spam-Ordner");
  assert.ok(await newsletter.hasFocus(newsletter.status()), "focus moves to the message");
  assert.equal(await newsletter.root.locator("input, button").count(), 0, "the form is done");

  // What was sent: the typed values trimmed, the chosen list, and the proof of consent.
  assert.deepEqual(
    sent.map((s) => s.body),
    [
      {
        kind: "subscription",
        email: "erika@example.de",
        name: "Erika Mustermann",
        lists: ["veranstaltungen"],
        consent,
        privacy: `${env.collector.site}/examples/datenschutz.html`,
        page: url,
        lang: "de",
      },
    ],
  );
  const [request] = await stored();
  assert.deepEqual(
    [request.email, request.name, request.lists, request.page, request.consent.text, request.consent.privacy],
    ["erika@example.de", "Erika Mustermann", ["veranstaltungen"], url, consent, `${env.collector.site}/examples/datenschutz.html`],
  );
  // The page hears that a request was stored: not the address, and no receipt.
  assert.deepEqual(await page.evaluate(() => window.__submitted), [{ widget: ID }]);
  const visit = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes("newsletter")));
  assert.deepEqual(visit, [], "nothing about the request is kept in the browser");
  // The deliberately broken poll on this page reports itself; nothing else does.
  assert.deepEqual([...problems.pageErrors, ...problems.console.filter((m) => !m.includes("[Spielplatz Nord]"))], []);

  // Whatever the collector knew of the address, the answer is the same.
  const again = await openPage(env.browser, url);
  const other = new Newsletter(again.page, ID);
  await other.waitUntilReady();
  await other.subscribe({ email: "erika@example.de", lists: ["Veranstaltungen"] });
  await other.expectStatus("Bitte bestätigen");
  assert.equal(await other.status().innerText(), await newsletter.status().innerText());
  await again.context.close();
  await context.close();
});

test("mistakes are explained at the fields and in a summary that takes the focus; nothing typed is lost", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const sent = recordSubmissions(page);
  const newsletter = new Newsletter(page, ID);
  await newsletter.waitUntilReady();
  await newsletter.subscribe({ email: "erika@example", name: "Erika" });
  assert.deepEqual(await newsletter.summaryLines(), [
    "E-Mail-Adresse: Bitte geben Sie eine E-Mail-Adresse in der Form name@beispiel.de an.",
    "Welche Newsletter möchten Sie erhalten?: Bitte wählen Sie mindestens einen Newsletter aus.",
  ]);
  assert.ok(await newsletter.hasFocus(newsletter.summary()), "the summary has the focus");
  // Each error is tied to its control.
  const email = newsletter.email();
  assert.equal(await email.getAttribute("aria-invalid"), "true");
  assert.deepEqual(await newsletter.description(email), [
    "An diese Adresse senden wir einen Link, mit dem Sie die Anmeldung bestätigen.",
    "Bitte geben Sie eine E-Mail-Adresse in der Form name@beispiel.de an.",
  ]);
  const first = newsletter.list("Beteiligung und Umfragen");
  assert.equal(await first.getAttribute("aria-invalid"), "true");
  assert.deepEqual(await newsletter.description(first), ["Bitte wählen Sie mindestens einen Newsletter aus."]);
  assert.equal(await email.inputValue(), "erika@example");
  assert.equal(await newsletter.field("Name").inputValue(), "Erika");
  // The summary's links lead to the e-mail field and to the first list.
  await newsletter.summary().getByRole("link", { name: /^Welche Newsletter/ }).click();
  assert.ok(await newsletter.hasFocus(first), "focus on the first list");
  await newsletter.summary().getByRole("link", { name: /^E-Mail-Adresse/ }).click();
  assert.ok(await newsletter.hasFocus(email), "focus on the e-mail field");
  // Correcting a field takes its error away; the other stays until the next try.
  await email.fill("erika@example.de");
  assert.equal(await email.getAttribute("aria-invalid"), null);
  assert.equal(await first.getAttribute("aria-invalid"), "true");
  await newsletter.list("Veranstaltungen").check();
  assert.equal(await first.getAttribute("aria-invalid"), null);
  assert.deepEqual(sent, [], "nothing was sent");
  await context.close();
});

test("a field the endpoint refuses is explained at that field; any other refusal in the alert, input kept", async () => {
  const { page, context } = await openPage(env.browser, null);
  const answers = [
    problem(422, "invalid-submission", "1 problem", [{ pointer: "/email", detail: "this domain takes no mail" }]),
    problem(422, "invalid-submission", "consent is missing", [{ pointer: "/consent", detail: "consent is missing" }]),
  ];
  await page.route(SUBMISSIONS, (route) => route.fulfill(answers.shift()));
  await page.goto(`${env.collector.site}/examples/rathaus.html`);
  const newsletter = new Newsletter(page, ID);
  await newsletter.waitUntilReady();
  await newsletter.subscribe({ email: "erika@example.de", lists: ["Beteiligung und Umfragen"] });
  assert.deepEqual(await newsletter.summaryLines(), [
    "E-Mail-Adresse: Diese Angabe wurde nicht angenommen: this domain takes no mail",
  ]);
  const email = newsletter.email();
  assert.equal(await email.getAttribute("aria-invalid"), "true");
  assert.ok((await newsletter.description(email)).includes("Diese Angabe wurde nicht angenommen: this domain takes no mail"));
  assert.equal(await email.inputValue(), "erika@example.de");
  assert.ok(await newsletter.list("Beteiligung und Umfragen").isChecked());
  assert.equal(await newsletter.alert().innerText(), "");

  await newsletter.submit();
  await newsletter.expectAlert("Ihre Anmeldung zum Newsletter wurde nicht angenommen: consent is missing");
  assert.equal(await email.inputValue(), "erika@example.de");
  assert.equal(await newsletter.submitButton().innerText(), "Erneut senden");
  await context.close();
});

test("a filled honeypot is answered like any request, and nothing is stored", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const sent = recordSubmissions(page);
  const newsletter = new Newsletter(page, ID);
  await newsletter.waitUntilReady();
  // What a form-filling bot does: every field, the hidden one too.
  await newsletter.root.locator("input[name=website]").evaluate((el) => {
    el.value = "http://spam.example";
  });
  await newsletter.subscribe({ email: "bot@example.de", lists: ["Beteiligung und Umfragen"] });
  await newsletter.expectStatus("Bitte bestätigen Sie den Link, den wir an bot@example.de gesendet haben.");
  assert.equal(sent[0].body.honeypot, "http://spam.example");
  assert.ok(!(await stored("all")).some((s) => s.email === "bot@example.de"), "stored");
  await context.close();
});

test("a newsletter the collector does not know waits as a draft: the page says so, keeps the editor's text, the console has it", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  await addWidget(
    page,
    {
      "data-mitmachen": "newsletter",
      "data-id": "newsletter-unbekannt",
      "data-name": "required",
      "data-privacy": "/examples/datenschutz.html",
    },
    "<h2>Newsletter</h2><p>Bestellen Sie den Newsletter im Bürgerbüro.</p>",
  );
  const host = page.locator('[data-mitmachen][data-id="newsletter-unbekannt"]');
  // It sends mail in the town's name: an editor adopts it first, whatever new_widgets says.
  await host
    .locator(".mm-root")
    .getByRole("status")
    .filter({ hasText: "Diese Beteiligung ist noch nicht freigegeben. Bitte schauen Sie später wieder vorbei." })
    .waitFor();
  assert.equal(await host.locator(".mm-root form").count(), 0, "no form to fill in for nothing");
  assert.match(await host.innerText(), /Bestellen Sie den Newsletter im Bürgerbüro\./);
  const stored = await env.collector.admin("GET", "/v1/admin/widgets/newsletter-unbekannt");
  assert.deepEqual([stored.status, stored.origin, stored.attributes["data-name"]], ["draft", "page", "required"]);
  const [recorded] = await env.collector.admin("GET", "/v1/admin/widgets/newsletter-unbekannt/pages");
  assert.equal(recorded.page, `${env.collector.site}/examples/plain.html`);
  await context.close();
});

test("retries after a network error and a 503 reuse the idempotency key; the request is stored once", async () => {
  const { page, context } = await openPage(env.browser, null);
  const keys = [];
  await page.route(SUBMISSIONS, async (route) => {
    keys.push(route.request().headers()["idempotency-key"]);
    if (keys.length === 1) await route.abort("connectionreset");
    else if (keys.length === 2) await route.fulfill(problem(503, "storage-unavailable", "busy"));
    else await route.continue();
  });
  await page.goto(`${env.collector.site}/examples/rathaus.html`);
  const newsletter = new Newsletter(page, ID);
  await newsletter.waitUntilReady();
  await newsletter.subscribe({ email: "lena@example.de", lists: ["Beteiligung und Umfragen"] });
  await newsletter.expectStatus("Bitte bestätigen Sie den Link, den wir an lena@example.de gesendet haben.");
  assert.equal(keys.length, 3);
  assert.ok(keys.every((k) => k === keys[0]), JSON.stringify(keys));
  assert.equal((await stored()).filter((s) => s.email === "lena@example.de").length, 1);
  await context.close();
});

test("one list and no name: nothing to choose, the list is sent; in Einfache Sprache", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/veranstaltungen.html`);
  const sent = recordSubmissions(page);
  const newsletter = new Newsletter(page, ID);
  await newsletter.waitUntilReady();
  assert.equal(await newsletter.root.locator(".mm-heading").innerText(), "Newsletter: Veranstaltungen");
  assert.equal(await newsletter.root.locator("input[type=checkbox], input[name=name]").count(), 0);
  assert.match(await newsletter.consent().innerText(), /^Ja, ich möchte den Newsletter per E-Mail bekommen\./);
  assert.equal(await newsletter.submitButton().innerText(), "Newsletter bestellen");
  await newsletter.subscribe({ email: "jonas@example.de" });
  await newsletter.expectStatus("Wir haben eine E-Mail an jonas@example.de geschickt.");
  const [{ body }] = sent;
  assert.deepEqual([body.lists, body.lang, "name" in body], [["veranstaltungen"], "de-einfach", false]);
  await context.close();
});

test("in English, with the default heading and consent text", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  await addWidget(
    page,
    {
      "data-mitmachen": "newsletter",
      "data-id": ID,
      "data-lang": "en",
      "data-lists": "Beteiligung | Veranstaltungen",
      "data-privacy": "/examples/datenschutz.html",
    },
    "",
  );
  const newsletter = new Newsletter(page, ID);
  await newsletter.waitUntilReady();
  assert.equal(await newsletter.root.getAttribute("lang"), "en");
  assert.equal(await newsletter.root.locator("h2.mm-heading").innerText(), "Subscribe to our newsletter");
  assert.match(await newsletter.consent().innerText(), /^Yes, I would like to receive the newsletter by e-mail\./);
  await newsletter.subscribe({ email: "sam@example.org" });
  assert.deepEqual(await newsletter.summaryLines(), [
    "Which newsletters would you like to receive?: Please choose at least one newsletter.",
  ]);
  await newsletter.subscribe({ lists: ["Beteiligung"] });
  await newsletter.expectStatus("Please confirm the link we sent to sam@example.org.");
  await context.close();
});
