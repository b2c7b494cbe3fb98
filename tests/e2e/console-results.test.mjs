// Results in the console: a poll's counts and shares as bars whose numbers are text (a screen
// reader reads "3 Stimmen · 43 %", the bar itself is hidden from it), the same in a table,
// shares that add up to 100, participation per day and the exports; a topic list by rank with
// a merged proposal shown where its dots went; an editor kept from the numbers before the close
// where the widget's settings say so, in the page and in the export. Against the real collector
// in Chromium, axe over every state. With MITMACHEN_SCREENSHOTS set, the poll's page is saved
// there as results.png (the README's screenshot).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { accessible, newConsolePage, signIn } from "./support/console.mjs";
import { withCollectorAndBrowser } from "./support/suite.mjs";

const ADMIN = { name: "anna.auswertung", password: "Ergebnisse-lesen-2026" };
const EDITOR = { name: "erik.redaktion", password: "Vor-dem-Ende-2026" };

const env = withCollectorAndBrowser();

async function define(id, definition) {
  await env.collector.admin("PUT", `/v1/admin/widgets/${id}`, definition);
}

async function ballot(id, body) {
  const { status } = await env.collector.submit(id, body);
  assert.equal(status, 201);
}

test("a poll's results: bars with the numbers as text, a table, 100 %, participation, exports", async () => {
  await env.collector.addUser(ADMIN.name, "administrator", ADMIN.password);
  await define("platz-name", {
    kind: "poll",
    attributes: { "data-question": "Wie soll der neue Platz heißen?", "data-results": "after-closing", "data-closes": "2099-06-30T18:00+02:00" },
    items: [{ text: "Marktplatz" }, { text: "Lindenplatz" }, { text: "Grünes Ufer" }],
  });
  // 3 : 2 : 2 is 42.9 / 28.6 / 28.6 %: rounded each on its own, 43 + 29 + 29 = 101.
  for (const choice of ["marktplatz", "marktplatz", "marktplatz", "lindenplatz", "lindenplatz", "gruenes-ufer", "gruenes-ufer"]) {
    await ballot("platz-name", { kind: "poll", choices: [choice] });
  }

  const { context, page, problems } = await newConsolePage(env);
  await signIn(env, page, ADMIN, "/admin/widgets/platz-name");
  await page.getByRole("link", { name: "Ergebnisse ansehen" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("h1").textContent(), "Ergebnisse: platz-name");
  const facts = await page.locator("dl.facts").textContent();
  assert.match(facts, /Wie soll der neue Platz heißen\?/);
  assert.match(facts, /offen bis 30\.06\.2099 18:00/);
  assert.match(facts, /erst nach dem Ende/);
  assert.match(facts, /Teilnahmen7/);

  const chart = page.getByRole("list", { name: "Stimmen je Antwort" });
  const items = chart.getByRole("listitem");
  assert.equal(await items.count(), 3);
  const read = async (i) => (await items.nth(i).innerText()).replace(/\s+/g, " ").trim();
  assert.equal(await read(0), "Marktplatz 3 Stimmen · 43 %");
  assert.equal(await read(1), "Lindenplatz 2 Stimmen · 29 %");
  assert.equal(await read(2), "Grünes Ufer 2 Stimmen · 28 %");
  // The bars are decoration: hidden from assistive technology, drawn in proportion.
  assert.equal(await items.first().locator("svg").getAttribute("aria-hidden"), "true");
  const widths = await items.locator("svg rect.fill").evaluateAll((rects) => rects.map((r) => r.getAttribute("width")));
  assert.deepEqual(widths, ["1000", "666", "666"]);

  const table = page.getByRole("table", { name: "Ergebnisse als Tabelle" });
  const rows = await table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows, [
    ["1", "Marktplatz", "3", "43\u00a0%"],
    ["2", "Lindenplatz", "2", "29\u00a0%"],
    ["2", "Grünes Ufer", "2", "28\u00a0%"],
  ]);
  const participation = page.getByRole("list", { name: "Teilnahme im Zeitverlauf" });
  assert.match(await participation.innerText(), /7 Teilnahmen/);
  await accessible(page, "poll results");
  if (process.env.MITMACHEN_SCREENSHOTS) {
    await page.screenshot({ path: join(process.env.MITMACHEN_SCREENSHOTS, "results.png"), fullPage: true });
  }

  // The CSV export, as the link downloads it with the session.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Ergebnisse als CSV (Excel)" }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^platz-name-ergebnisse-v1-\d{4}-\d{2}-\d{2}-\d{4}\.csv$/);
  const csv = readFileSync(await download.path(), "utf8");
  assert.ok(csv.startsWith("\ufeffRang;Schlüssel;Antwort;Stimmen;Anteil (%)"), csv);
  assert.match(csv, /\r\n2;gruenes-ufer;Grünes Ufer;2;28;\r\n/);
  const [xlsx] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Ergebnisse als XLSX" }).click(),
  ]);
  assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), "PK", "a zip file");
  const log = await env.collector.admin("GET", "/v1/admin/audit-log?action=export");
  assert.deepEqual(log.entries.map((e) => [e.account, e.object]), [
    [ADMIN.name, "platz-name"],
    [ADMIN.name, "platz-name"],
  ]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a topic list's results by rank, with a merged proposal where its dots went", async () => {
  await define("ideen-park", {
    kind: "topics",
    attributes: { "data-question": "Was braucht der Stadtpark?", "data-dots": "3", "data-dots-per-topic": "2", "data-proposals": "on" },
    items: [{ text: "Mehr Bänke" }, { text: "Ein Trinkbrunnen" }],
  });
  for (const title of ["Toiletten am Spielplatz", "Öffentliche WCs"]) {
    await ballot("ideen-park", { kind: "proposal", title, description: "" });
  }
  const proposals = await env.collector.admin("GET", "/v1/admin/widgets/ideen-park/proposals");
  const key = (title) => proposals.find((p) => p.title === title).key;
  await env.collector.admin("POST", `/v1/admin/proposals/${key("Toiletten am Spielplatz")}/approve`);
  await env.collector.admin("POST", `/v1/admin/proposals/${key("Öffentliche WCs")}/merge`, { into: key("Toiletten am Spielplatz") });
  await ballot("ideen-park", { kind: "topics", dots: [{ topic: key("Toiletten am Spielplatz"), count: 2 }, { topic: "mehr-baenke", count: 1 }] });
  await ballot("ideen-park", { kind: "topics", dots: [{ topic: key("Toiletten am Spielplatz"), count: 1 }] });

  const { context, page, problems } = await newConsolePage(env, 320);
  await signIn(env, page, ADMIN, "/admin/widgets/ideen-park/results");
  const items = page.getByRole("list", { name: "Punkte je Thema, nach Rang" }).getByRole("listitem");
  const read = async (i) => (await items.nth(i).innerText()).replace(/\s+/g, " ").trim();
  assert.equal(await read(0), "1. Toiletten am Spielplatz 3 Punkte · 75 % Zusammengeführt hierher: Öffentliche WCs");
  assert.equal(await read(1), "2. Mehr Bänke 1 Punkt · 25 %");
  assert.equal(await read(2), "3. Ein Trinkbrunnen 0 Punkte · 0 %");
  await accessible(page, "topic results");
  assert.equal(await page.getByRole("link", { name: "Vorschläge mit Entscheidungen als CSV" }).count(), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test("an editor waits for the close where only administrators may see results before it", async () => {
  await env.collector.addUser(EDITOR.name, "editor", EDITOR.password);
  const definition = (closes) => ({
    kind: "poll",
    attributes: { "data-question": "Wofür mehr Geld?", "data-closes": closes },
    items: [{ text: "Schulen" }, { text: "Straßen" }],
    settings: { results_before_close: "administrators" },
  });
  await env.collector.admin("PUT", "/v1/admin/widgets/haushalt-geheim", definition("2099-01-01T00:00Z"));
  await ballot("haushalt-geheim", { kind: "poll", choices: ["schulen"] });
  const { context, page, problems } = await newConsolePage(env);
  await signIn(env, page, EDITOR, "/admin/widgets/haushalt-geheim/results");
  assert.match(await page.getByRole("status").textContent(), /bis zum Ende der Abstimmung nur für die Administration sichtbar/);
  assert.equal(await page.getByRole("list", { name: "Stimmen je Antwort" }).count(), 0);
  assert.doesNotMatch(await page.locator("main").innerText(), /Schulen/);
  await accessible(page, "results held back");
  const refused = await page.request.get(`${env.collector.api}/v1/admin/widgets/haushalt-geheim/results.csv`);
  assert.equal(refused.status(), 403);
  // The setting is in the widget's form, where an editor sees it.
  await page.goto(`${env.collector.api}/admin/widgets/haushalt-geheim`);
  assert.equal(await page.getByLabel("Ergebnisse in der Konsole vor dem Ende").inputValue(), "administrators");

  // Closed: the closing state is shown and the editor reads the results.
  await env.collector.admin("PUT", "/v1/admin/widgets/haushalt-geheim", definition("2020-01-01T00:00Z"));
  await page.goto(`${env.collector.api}/admin/widgets/haushalt-geheim/results`);
  assert.match(await page.locator("dl.facts").textContent(), /Standgeschlossen seit 01\.01\.2020 01:00/);
  assert.equal(await page.getByRole("status").count(), 0, "nothing held back any more");
  const items = page.getByRole("list", { name: "Stimmen je Antwort" }).getByRole("listitem");
  assert.deepEqual(
    (await items.allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim()),
    ["Schulen 1 Stimme · 100 %", "Straßen 0 Stimmen · 0 %"],
  );
  assert.equal(await page.getByRole("table", { name: "Ergebnisse als Tabelle" }).count(), 1);
  await accessible(page, "results of a closed poll");
  const csv = await page.request.get(`${env.collector.api}/v1/admin/widgets/haushalt-geheim/results.csv`);
  assert.equal(csv.status(), 200, "the export too, once closed");
  assert.deepEqual(problems, []);
  await context.close();
});
