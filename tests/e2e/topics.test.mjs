// Topic voting in a real browser against the real collector: dots given and taken back within
// the editor's rules, counts and ranks after the ballot, buttons that say what they do.
import assert from "node:assert/strict";
import { test } from "node:test";
import { addWidget, openPage } from "./support/browser.mjs";
import { withCollectorAndBrowser } from "./support/suite.mjs";
import { Poll } from "./support/poll.mjs";
import { Topics } from "./support/topics.mjs";
import { LONG_DESCRIPTION } from "./states.mjs";

const env = withCollectorAndBrowser();

test("a citizen gives three dots, takes one back, and sees counts and ranks", async () => {
  const { page, context, problems } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const topics = new Topics(page, "fokusgruppe-innenstadt");
  await topics.waitUntilReady();
  assert.equal(await topics.dotsLeft(), "Noch 3 von 3 Punkten übrig.");
  // Titles and descriptions from the editor's list.
  const first = topics.root.locator(".mm-topic").first();
  assert.equal(await first.locator(".mm-topic-title").innerText(), "Radwege");
  assert.equal(await first.locator(".mm-topic-desc").innerText(), "Wo fehlen sichere Wege zur Schule?");

  await topics.give("Radwege", 2);
  // At most two dots on one topic: the third is refused with a message.
  await topics.give("Radwege");
  await topics.root.locator(".mm-field-error", { hasText: "keinen weiteren Punkt" }).waitFor();
  await topics.give("Leerstand");
  assert.equal(await topics.dotsLeft(), "Noch 0 von 3 Punkten übrig.");
  await topics.give("Wochenmarkt");
  await topics.root.locator(".mm-field-error", { hasText: "alle Punkte vergeben" }).waitFor();
  await topics.takeBack("Radwege");
  await topics.give("Wochenmarkt");
  // The button names carry the topic and the citizen's dots.
  assert.equal(await topics.giveButton("Radwege").getAttribute("aria-label"), "Punkt geben: Radwege (von Ihnen: 1)");

  await topics.submit();
  await topics.expectStatus("Vielen Dank! Ihre Punkte wurden gezählt.");
  assert.deepEqual(await env.collector.results("fokusgruppe-innenstadt"), {
    widget: "fokusgruppe-innenstadt",
    ballots: 1,
    counts: { leerstand: 1, radwege: 1, wochenmarkt: 1 },
  });
  // Ordered by votes (ties in the editor's order), with shared ranks.
  const standings = await topics.standings();
  assert.deepEqual(standings, [
    { title: "Radwege", count: "Platz 1 · 1 Punkt" },
    { title: "Leerstand", count: "Platz 1 · 1 Punkt" },
    { title: "Wochenmarkt", count: "Platz 1 · 1 Punkt" },
    { title: "Bänke und Schatten", count: "Platz 4 · 0 Punkte" },
  ]);
  assert.equal(await topics.root.locator(".mm-topics").getByRole("button").count(), 0, "the ballot is final");
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test("with one dot per topic the button gives the dot and then says it takes it back", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  await addWidget(page, { "data-mitmachen": "topics", "data-id": "barcamp-sessions", "data-dots": "2" }, "<h2>Welche Sessions?</h2><ul><li>Open Data</li><li>Bürgerhaushalt</li></ul>");
  const topics = new Topics(page, "barcamp-sessions");
  await topics.waitUntilReady();
  const button = topics.root.locator(".mm-topic", { hasText: "Open Data" }).getByRole("button");
  assert.equal(await button.innerText(), "Punkt geben");
  assert.equal(await button.getAttribute("aria-label"), "Punkt geben: Open Data (von Ihnen: 0)");
  await button.click();
  // What the button does now is in its words, and its name starts with them (WCAG 2.5.3).
  assert.equal(await button.innerText(), "Punkt zurücknehmen");
  assert.equal(await button.getAttribute("aria-label"), "Punkt zurücknehmen: Open Data");
  assert.equal(await button.getAttribute("aria-pressed"), null, "a button whose words change is no toggle");
  assert.ok(await button.evaluate((el) => el.getRootNode().activeElement === el), "the focus stays on it");
  assert.equal(await topics.dotsLeft(), "Noch 1 von 2 Punkten übrig.");
  await button.click();
  assert.equal(await button.innerText(), "Punkt geben");
  assert.equal(await topics.dotsLeft(), "Noch 2 von 2 Punkten übrig.");
  // Submitting without a dot says what to do and sends nothing.
  await topics.submit();
  await topics.root.locator(".mm-field-error", { hasText: "mindestens einem Thema" }).waitFor();
  assert.equal((await env.collector.results("barcamp-sessions")).ballots, 0);
  await context.close();
});

test("the same in English and Einfache Sprache", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  for (const [lang, give, take] of [
    ["en", "Give a dot", "Take back a dot"],
    ["de-einfach", "Punkt geben", "Punkt zurücknehmen"],
  ]) {
    const id = `sessions-${lang}`;
    await addWidget(page, { "data-mitmachen": "topics", "data-id": id, "data-dots": "1", "data-lang": lang }, "<h2>Sessions</h2><ul><li>Open Data</li><li>Open Source</li></ul>");
    const topics = new Topics(page, id);
    await topics.waitUntilReady();
    const button = topics.root.locator(".mm-topic", { hasText: "Open Data" }).getByRole("button");
    assert.equal(await button.innerText(), give);
    await button.click();
    assert.equal(await button.innerText(), take);
    assert.equal(await button.getAttribute("aria-label"), `${take}: Open Data`);
  }
  await context.close();
});

test("more dots than the list can take is explained to the editor in that widget only", async () => {
  const { page, context, problems } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  // The README's old example: 3 dots (the default), 2 topics, at most 1 dot per topic.
  await addWidget(page, { "data-mitmachen": "topics", "data-id": "zu-viele-punkte" }, "<h2>Worüber zuerst?</h2><ul><li>Radwege</li><li>Leerstand</li></ul>");
  const error = page.locator('[data-id="zu-viele-punkte"] .mm-config-error');
  await error.waitFor();
  assert.match(await error.innerText(), /data-dots="3" ist zu viel: Vergeben werden können höchstens 2 .*Schreiben Sie data-dots="2"/s);
  assert.ok(problems.console.some((m) => m.includes("[zu-viele-punkte]") && m.includes("data-dots")));
  // The editor's own HTML stays readable, and the poll beside it works.
  assert.ok(await page.getByText("Worüber zuerst?").isVisible());
  assert.equal(await page.locator('[data-id="zu-viele-punkte"] button').count(), 0);
  assert.ok(await new Poll(page, "marktplatz-autofrei").root.getByRole("button", { name: "Abstimmen" }).isVisible());
  await context.close();
});

test("a long description shows its start, and the rest on request", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  const long = LONG_DESCRIPTION;
  await addWidget(
    page,
    { "data-mitmachen": "topics", "data-id": "lange-texte", "data-dots": "2" },
    `<h2>Lange Texte</h2><ul><li><strong>Spielplätze</strong> – ${long}</li><li><strong>Bänke</strong> – Zum Ausruhen.</li></ul>`,
  );
  const topics = new Topics(page, "lange-texte");
  await topics.waitUntilReady();
  const item = topics.root.locator(".mm-topic", { hasText: "Spielplätze" });
  const description = item.locator(".mm-topic-desc");
  const shown = await description.innerText();
  assert.ok(shown.endsWith(" …") && shown.length < 200, shown);
  assert.ok(long.startsWith(shown.slice(0, -2)), "the start of the text, cut after a word");
  assert.equal(long[shown.length - 2], " ", "cut at a word boundary");
  const more = item.getByRole("button", { name: "mehr anzeigen" });
  assert.equal(await more.getAttribute("aria-expanded"), "false");
  await more.click();
  const less = item.getByRole("button", { name: "weniger anzeigen" });
  assert.equal(await less.getAttribute("aria-expanded"), "true");
  assert.equal(await description.innerText(), long);
  assert.ok(await less.evaluate((el) => el.getRootNode().activeElement === el), "the focus stays on the button");
  await less.click();
  assert.equal(await description.innerText(), shown);
  // A short description needs no button.
  assert.equal(await topics.root.locator(".mm-topic", { hasText: "Bänke" }).locator(".mm-more").count(), 0);
  // A dot given keeps the description as the citizen left it.
  await more.click();
  await topics.root.locator(".mm-topic", { hasText: "Bänke" }).getByRole("button").click();
  assert.equal(await description.innerText(), long);
  await context.close();
});

test("a proposed topic appears after approval, shown as the text it is, and can get dots", async () => {
  const { page, context, problems } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  const topics = new Topics(page, "fokusgruppe-innenstadt");
  await topics.waitUntilReady();
  const title = "<img src=x onerror=alert(1)> Spielstraße 🙂";
  const description = `"'><script>alert(2)</script> & mehr`;
  await topics.propose(title, description);
  await topics.root.locator(".mm-propose [role=status]", { hasText: "Vielen Dank für Ihren Vorschlag" }).waitFor();
  assert.equal(await topics.root.getByLabel("Titel").inputValue(), "", "the form is ready for the next one");

  const pending = await env.collector.admin("GET", "/v1/admin/widgets/fokusgruppe-innenstadt/proposals?status=pending");
  assert.equal(pending.length, 1);
  assert.deepEqual([pending[0].title, pending[0].description], [title, description]);
  // Pre-moderation: nothing is served before the approval.
  await page.reload();
  await topics.waitUntilReady();
  assert.equal(await topics.root.locator(".mm-topic-title", { hasText: "Spielstraße" }).count(), 0);

  await env.collector.admin("POST", `/v1/admin/proposals/${pending[0].key}/approve`);
  await page.reload();
  await topics.waitUntilReady();
  const shown = topics.root.locator(".mm-topic", { hasText: "Spielstraße" });
  await shown.waitFor();
  assert.equal(await shown.locator(".mm-topic-title").innerText(), title);
  assert.equal(await shown.locator(".mm-topic-desc").innerText(), description);
  assert.equal(await topics.root.locator("img, script").count(), 0, "rendered as text, not as HTML");

  // Three dots: two on the approved proposal, one on an editor's topic.
  await topics.give("<img src=x onerror=alert\\(1\\)> Spielstraße 🙂", 2);
  await topics.give("Leerstand");
  await topics.submit();
  await topics.expectStatus("Vielen Dank");
  const results = await env.collector.results("fokusgruppe-innenstadt");
  assert.equal(results.counts[pending[0].key], 2);
  // Counts and ranks update; the rank is one more than the number of topics with more dots.
  const standings = await topics.standings();
  const ahead = Object.values(results.counts).filter((n) => n > 2).length;
  assert.deepEqual(
    standings.find((row) => row.title === title),
    { title, count: `Platz ${ahead + 1} · 2 Punkte` },
  );
  const counts = standings.map((row) => Number(row.count.split(" · ")[1].split(" ")[0]));
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a), "ordered by dots");
  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test("a proposal that breaks the limits is explained at the field and nothing is sent", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const topics = new Topics(page, "fokusgruppe-innenstadt");
  await topics.waitUntilReady();
  const before = await env.collector.admin("GET", "/v1/admin/widgets/fokusgruppe-innenstadt/proposals");
  await topics.propose("ab", "");
  const error = topics.root.locator("#mm-p-title-error");
  await error.filter({ hasText: "3 bis 120 Zeichen" }).waitFor();
  const field = topics.root.getByLabel("Titel");
  assert.equal(await field.getAttribute("aria-invalid"), "true");
  assert.equal(await field.inputValue(), "ab", "what the citizen typed is kept");
  assert.ok(await field.evaluate((el) => el.getRootNode().activeElement === el), "focus on the field");
  assert.equal(await topics.root.locator("#mm-p-title-count").innerText(), "2 von 120 Zeichen");
  assert.deepEqual(await env.collector.admin("GET", "/v1/admin/widgets/fokusgruppe-innenstadt/proposals"), before);
  await context.close();
});

test("counts refresh on their own without moving the list or the focus", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  await page.waitForFunction(() => window.__ready.length > 0);
  await page.evaluate(() => {
    const div = document.createElement("div");
    div.setAttribute("data-mitmachen", "topics");
    div.setAttribute("data-id", "live-liste");
    div.setAttribute("data-results", "always");
    div.setAttribute("data-refresh", "5");
    div.innerHTML = "<h2>Live</h2><ul><li>Alpha</li><li>Beta</li><li>Gamma</li></ul>";
    document.querySelector("main").append(div);
  });
  const topics = new Topics(page, "live-liste");
  await topics.waitUntilReady();
  await topics.root.locator(".mm-topic-count").first().waitFor();
  await topics.giveButton("Beta").focus();
  // Someone else votes for Gamma meanwhile.
  const response = await fetch(`${env.collector.api}/v1/widgets/live-liste/submissions`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": "e2e-refresh-0001" },
    body: JSON.stringify({ kind: "topics", dots: [{ topic: "gamma", count: 1 }] }),
  });
  assert.equal(response.status, 201);
  await topics.root.locator(".mm-topic", { hasText: "Gamma" }).locator(".mm-topic-count", { hasText: "1 Punkt" }).waitFor({ timeout: 15000 });
  const titles = await topics.root.locator(".mm-topic-title").allInnerTexts();
  assert.deepEqual(titles, ["Alpha", "Beta", "Gamma"], "the list did not move");
  const focused = await page.evaluate(() => document.querySelector('[data-id="live-liste"]').shadowRoot.activeElement?.getAttribute("aria-label"));
  assert.equal(focused, "Punkt geben: Beta (von Ihnen: 0)", "focus stayed where it was");
  await context.close();
});
