// `new_widgets = "draft"`: an editor's page with an unknown poll id waits as a draft (the page
// says the poll is not open yet and keeps the editor's text; votes are refused) until an editor
// adopts it in the console with one click; a draft nobody wants is discarded. Against the real
// collector in Chromium, axe over the draft's console page.
import assert from "node:assert/strict";
import { test } from "node:test";
import { openPage } from "./support/browser.mjs";
import { accessible, newConsolePage, signIn } from "./support/console.mjs";
import { Poll } from "./support/poll.mjs";
import { withCollectorAndBrowser } from "./support/suite.mjs";

const EDITOR = { name: "erik.redaktion", password: "Entwuerfe-pruefen-2026" };

const env = withCollectorAndBrowser({ env: { MITMACHEN_NEW_WIDGETS: "draft" } });

function pollHtml(id, question) {
  return `<div data-mitmachen="poll" data-id="${id}" data-question="${question}"><ul><li>Ja</li><li>Nein</li></ul></div>`;
}

async function townPage(html) {
  const opened = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  await opened.page.waitForFunction(() => window.__ready.length > 0);
  await opened.page.evaluate((html) => document.querySelector("main").insertAdjacentHTML("beforeend", html), html);
  return opened;
}

function notOpenYet(page, id) {
  return page
    .locator(`[data-mitmachen][data-id="${id}"] .mm-root`)
    .getByRole("status")
    .filter({ hasText: "Diese Beteiligung ist noch nicht freigegeben." });
}

test("an unknown poll waits as a draft until an editor adopts it; another is discarded", async () => {
  await env.collector.addUser(EDITOR.name, "editor", EDITOR.password);
  const citizen = await townPage(pollHtml("spielplatz-name", "Wie soll der Spielplatz heißen?"));
  await notOpenYet(citizen.page, "spielplatz-name").waitFor();
  assert.match(await citizen.page.locator('[data-id="spielplatz-name"]').innerText(), /Ja\s+Nein/, "the editor's text stays");
  const early = await env.collector.submit("spielplatz-name", { kind: "poll", choices: ["ja"] });
  assert.deepEqual([early.status, early.body.type], [409, "urn:mitmachen:problem:draft"]);
  const other = await townPage(pollHtml("test-umfrage", "Nur ein Test?"));
  await notOpenYet(other.page, "test-umfrage").waitFor();
  await other.context.close();

  const { context, page } = await newConsolePage(env);
  await signIn(env, page, EDITOR);
  const row = page.locator("tbody tr", { hasText: "spielplatz-name" });
  assert.match(await row.textContent(), /Entwurf/);
  await row.getByRole("link", { name: "spielplatz-name" }).click();
  await page.waitForLoadState();
  assert.match(await page.locator(".facts").textContent(), /Entwurf: nimmt noch keine Beiträge an/);
  await accessible(page, "a draft");
  await page.getByRole("button", { name: "Übernehmen: spielplatz-name" }).click();
  await page.waitForLoadState();
  assert.equal(await page.getByRole("status").first().textContent(), "Übernommen. Das Widget nimmt ab sofort Beiträge an.");

  // The page's next visitor votes.
  await citizen.page.reload();
  await citizen.page.waitForFunction(() => window.__ready.length > 0);
  await citizen.page.evaluate(
    (html) => document.querySelector("main").insertAdjacentHTML("beforeend", html),
    pollHtml("spielplatz-name", "Wie soll der Spielplatz heißen?"),
  );
  const poll = new Poll(citizen.page, "spielplatz-name");
  await poll.waitUntilReady();
  await poll.choose("Ja");
  await poll.submit();
  await poll.expectStatus("Vielen Dank");
  await citizen.context.close();

  await page.goto(`${env.collector.api}/admin/widgets/test-umfrage`);
  await page.getByRole("button", { name: "Verwerfen: test-umfrage" }).click();
  await page.waitForLoadState();
  assert.equal(await page.getByRole("status").first().textContent(), "Das Widget wurde verworfen; seine Versionen bleiben erhalten.");
  assert.equal(await page.locator("tbody tr", { hasText: "test-umfrage" }).count(), 0);
  await context.close();
});
