// Widgets defined in the console: an administrator creates an event with 3 seats (a mistake
// first, explained by the widgets' own parser at its field; the live preview runs the real
// bundle and follows the typing), copies the snippet into a page,
// citizens take the seats, and raising the capacity shows on the page without a restart; a
// page with an unknown poll id is adopted at once and shown in the console with its page; the
// admin API answers a console session by its role; a privacy notice that is not there is
// warned about (and saved all the same). Against the real collector in Chromium, axe over every
// new console page.
import assert from "node:assert/strict";
import { test } from "node:test";
import { openPage } from "./support/browser.mjs";
import { accessible, csrfOf, newConsolePage, signIn } from "./support/console.mjs";
import { Event } from "./support/event.mjs";
import { Poll } from "./support/poll.mjs";
import { withCollectorAndBrowser } from "./support/suite.mjs";

const ADMIN = { name: "clara.admin", password: "Konsole-Widgets-2026" };
const EDITOR = { name: "ede.redaktion", password: "Redaktion-Widgets-2026" };
const MODERATOR = { name: "mo.moderation", password: "Nur-Vorschlaege-2026" };

const env = withCollectorAndBrowser();

let accounts;
function firstAccounts() {
  accounts ??= (async () => {
    await env.collector.addUser(ADMIN.name, "administrator", ADMIN.password);
    await env.collector.addUser(EDITOR.name, "editor", EDITOR.password);
    await env.collector.addUser(MODERATOR.name, "moderator", MODERATOR.password);
  })();
  return accounts;
}

// A page of the town with `html` added where an editor would paste it.
async function townPage(html) {
  const opened = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  await opened.page.waitForFunction(() => window.__ready.length > 0);
  await opened.page.evaluate((html) => document.querySelector("main").insertAdjacentHTML("beforeend", html), html);
  return opened;
}

async function register(widget, n) {
  const { status } = await env.collector.submit(widget, {
    kind: "registration",
    name: `Person ${n}`,
    email: `person${n}@example.de`,
    persons: 1,
  });
  assert.equal(status, 201);
}

test("an administrator creates an event, puts its snippet on a page, and raises its capacity without a restart", async () => {
  await firstAccounts();
  const { context, page } = await newConsolePage(env);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: env.collector.api });
  await signIn(env, page, ADMIN);
  await page.getByRole("link", { name: "Neues Widget anlegen" }).click();
  await accessible(page, "new widget");
  await page.getByLabel("Veranstaltung").check();
  await page.getByLabel("Kennung (data-id)").fill("workshop-zukunft");
  await page.getByRole("button", { name: "Weiter" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("h1").textContent(), "Veranstaltung workshop-zukunft");

  // A mistake: the end before the start. Said at the field, in the widgets' own words.
  await page.getByLabel(/^Titel/).fill("Workshop: Zukunft der Innenstadt");
  await page.getByLabel(/^Beginn/).fill("15.05.2027 18:00");
  await page.getByLabel(/^Ende/).fill("15.05.2027 17:00");
  await page.getByLabel(/^Ort/).fill("Rathaus, Saal 2");
  await page.getByLabel(/^Plätze/).fill("3");
  await page.getByLabel(/^Datenschutzhinweis/).fill("/examples/datenschutz.html");
  await page.getByRole("button", { name: "Speichern" }).click();
  await page.waitForLoadState();
  const summary = page.getByRole("alert");
  assert.match(await summary.textContent(), /data-end/);
  assert.equal(await page.getByLabel(/^Ende/).getAttribute("aria-invalid"), "true");
  assert.equal(await page.getByLabel(/^Titel/).inputValue(), "Workshop: Zukunft der Innenstadt", "kept");
  await accessible(page, "widget form with a mistake");
  await page.getByLabel(/^Ende/).fill("15.05.2027 20:00");
  await page.getByRole("button", { name: "Speichern" }).click();
  await page.waitForLoadState();
  assert.equal(await page.getByRole("status").first().textContent(), "Gespeichert. Die Änderung gilt ab sofort auf allen Seiten.");

  // The preview runs the real bundle with the form's values, and follows what is typed.
  const preview = page.locator("#preview .mm-root");
  await preview.locator(".mm-heading", { hasText: "Workshop: Zukunft der Innenstadt" }).waitFor();
  await page.getByLabel(/^Titel/).fill("Workshop: Zukunft der Altstadt");
  await preview.locator(".mm-heading", { hasText: "Workshop: Zukunft der Altstadt" }).waitFor();
  await page.getByLabel(/^Titel/).fill("Workshop: Zukunft der Innenstadt");
  await preview.locator(".mm-heading", { hasText: "Workshop: Zukunft der Innenstadt" }).waitFor();
  await accessible(page, "widget page with its snippet and preview");

  // The snippet, copied with the button: only what every CMS keeps.
  await page.getByRole("button", { name: "Kopieren" }).click();
  await page.locator("[data-copied-for=snippet]").filter({ hasText: "Kopiert." }).waitFor();
  const snippet = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(snippet, /data-id="workshop-zukunft"/);
  assert.match(snippet, /data-capacity="3"/);
  const element = snippet.slice(snippet.indexOf("<div"));
  const tags = [...element.matchAll(/<([a-z0-9]+)/g)].map((m) => m[1]);
  assert.ok(tags.every((t) => ["div", "h2", "ul", "li"].includes(t)), tags.join(","));
  assert.ok([...element.matchAll(/ ([a-z-]+)=/g)].every((m) => m[1].startsWith("data-")), element);

  const citizen = await townPage(element);
  const event = new Event(citizen.page, "workshop-zukunft");
  await event.waitUntilReady();
  await event.expectSeats("Noch 3 von 3 Plätzen frei");
  for (const n of [1, 2, 3]) await register("workshop-zukunft", n);
  await citizen.page.reload();
  await citizen.page.waitForFunction(() => window.__ready.length > 0);
  await citizen.page.evaluate((html) => document.querySelector("main").insertAdjacentHTML("beforeend", html), element);
  await event.expectSeats("Ausgebucht");

  // Two more seats, in the console; the page shows them on its next load.
  await page.getByLabel(/^Plätze/).fill("5");
  await page.getByRole("button", { name: "Speichern" }).click();
  await page.waitForLoadState();
  await page.getByRole("status").filter({ hasText: "Gespeichert" }).waitFor();
  assert.match(await page.locator("#versions").locator("xpath=following-sibling::div[1]").textContent(), /clara\.admin/);
  await citizen.page.reload();
  await citizen.page.waitForFunction(() => window.__ready.length > 0);
  await citizen.page.evaluate((html) => document.querySelector("main").insertAdjacentHTML("beforeend", html), element);
  await event.expectSeats("Noch 2 von 5 Plätzen frei");
  await register("workshop-zukunft", 4);
  await citizen.context.close();
  await context.close();
});

test("a page with an unknown poll id is adopted at once and shown in the console with its page", async () => {
  await firstAccounts();
  const citizen = await townPage(
    '<div data-mitmachen="poll" data-id="stadtpark-bank" data-question="Mehr Bänke im Stadtpark?"><ul><li>Ja</li><li>Nein</li></ul></div>',
  );
  const poll = new Poll(citizen.page, "stadtpark-bank");
  await poll.waitUntilReady();
  await citizen.page.waitForFunction(async (api) => (await fetch(`${api}/v1/widgets/stadtpark-bank`)).status === 200, env.collector.api);
  await poll.choose("Ja");
  await poll.submit();
  await poll.expectStatus("Vielen Dank");
  // Held to the page's answers from now on.
  const { status } = await env.collector.submit("stadtpark-bank", { kind: "poll", choices: ["vielleicht"] });
  assert.equal(status, 422);
  await citizen.context.close();

  const { context, page } = await newConsolePage(env);
  await signIn(env, page, EDITOR);
  const row = page.locator("tbody tr", { hasText: "stadtpark-bank" });
  assert.match(await row.textContent(), /Umfrage.*offen.*von einer Seite übernommen/s);
  await row.getByRole("link", { name: "stadtpark-bank" }).click();
  await page.waitForLoadState();
  assert.equal(await page.getByLabel(/^Frage/).inputValue(), "Mehr Bänke im Stadtpark?");
  assert.equal(await page.getByLabel("Text 1", { exact: true }).inputValue(), "Ja");
  assert.equal(await page.getByRole("link", { name: `${env.collector.site}/examples/plain.html` }).count(), 1);
  await accessible(page, "a widget adopted from a page");
  await context.close();
});

test("the admin API answers a console session by its role, and a change needs the CSRF token", async () => {
  await firstAccounts();
  const definition = {
    kind: "poll",
    attributes: { "data-question": "Welcher Tag?" },
    items: [{ text: "Samstag" }, { text: "Sonntag" }],
  };
  const put = (page, headers) =>
    page.request.put(`${env.collector.api}/v1/admin/widgets/markttag`, {
      data: definition,
      headers: { origin: env.collector.api, ...headers },
      failOnStatusCode: false,
    });
  const editor = await newConsolePage(env);
  await signIn(env, editor.page, EDITOR);
  const list = await editor.page.request.get(`${env.collector.api}/v1/admin/widgets`);
  assert.equal(list.status(), 200);
  assert.ok((await list.json()).some((w) => w.id === "buergerversammlung-haushalt"));
  assert.equal((await put(editor.page, {})).status(), 403, "no CSRF token");
  const made = await put(editor.page, { "x-csrf-token": await csrfOf(editor.page) });
  assert.equal(made.status(), 201);
  assert.deepEqual([(await made.json()).origin, (await made.json()).changed_by], ["console", EDITOR.name]);
  await editor.context.close();

  const moderator = await newConsolePage(env);
  await signIn(env, moderator.page, MODERATOR);
  const refused = await put(moderator.page, { "x-csrf-token": await csrfOf(moderator.page) });
  assert.equal(refused.status(), 403);
  assert.equal((await refused.json()).type, "urn:mitmachen:problem:forbidden");
  await moderator.context.close();
});

test("a privacy notice that is not there is warned about, saved all the same, and the warning goes once it is right", async () => {
  await firstAccounts();
  const { context, page } = await newConsolePage(env);
  await signIn(env, page, EDITOR);
  await page.goto(`${env.collector.api}/admin/new-widget?kind=newsletter&id=newsletter-jugend`);
  assert.equal(await page.locator("h1").textContent(), "Newsletter newsletter-jugend");
  await page.getByLabel(/^Titel/).fill("Jugend-Newsletter");
  // A typing mistake in the address; the page's origin is the collector's allowed one.
  await page.getByLabel(/^Datenschutzhinweis/).fill("/examples/datenschuzt.html");
  await page.getByRole("button", { name: "Speichern" }).click();
  await page.waitForLoadState();
  await page.getByRole("status").filter({ hasText: "Gespeichert" }).waitFor();
  const warning = page.locator("#privacy-warning");
  assert.equal(await warning.locator("h2").textContent(), "Datenschutzhinweis nicht gefunden");
  assert.match(
    await warning.textContent(),
    new RegExp(`${env.collector.site}/examples/datenschuzt\\.html antwortet „404 – Seite nicht gefunden“`),
  );
  assert.equal(await page.locator(".error-summary").count(), 0, "a warning, not an error");
  await accessible(page, "widget page warning about its privacy notice");
  await warning.getByRole("link", { name: "Zum Feld Datenschutzhinweis" }).click();
  assert.ok(await page.getByLabel(/^Datenschutzhinweis/).isVisible());

  await page.getByLabel(/^Datenschutzhinweis/).fill("/examples/datenschutz.html");
  await page.getByRole("button", { name: "Speichern" }).click();
  await page.waitForLoadState();
  await page.getByRole("status").filter({ hasText: "Gespeichert" }).waitFor();
  assert.equal(await warning.count(), 0);
  // An address elsewhere is not the collector's to ask: no warning either way.
  await page.getByLabel(/^Datenschutzhinweis/).fill("https://datenschutz.invalid/newsletter");
  await page.getByRole("button", { name: "Speichern" }).click();
  await page.waitForLoadState();
  await page.getByRole("status").filter({ hasText: "Gespeichert" }).waitFor();
  assert.equal(await warning.count(), 0);
  await context.close();
});
