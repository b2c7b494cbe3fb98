// Which bundle a page downloads: the smallest that holds the kinds and languages on the page
// (the town's German and English pages: the bundle with every kind in that language only),
// another one for a kind or a language that comes later, the complete one for a misspelt kind
// and for an element the collector's definition turns into a kind its bundle lacks.
import assert from "node:assert/strict";
import { test } from "node:test";
import { addWidget, openPage } from "./support/browser.mjs";
import { Event } from "./support/event.mjs";
import { Poll } from "./support/poll.mjs";
import { withCollectorAndBrowser } from "./support/suite.mjs";

const env = withCollectorAndBrowser();

const EVERY_KIND = ["poll", "topics", "event", "newsletter"];

// The manifest's bundle name for exactly these kinds, with every language or only `only`.
async function bundle(kinds, { only } = {}) {
  const manifest = await (await fetch(`${env.collector.api}/dist/manifest.json`)).json();
  const found = manifest.bundles.find(
    (b) => b.kinds.join("+") === kinds.join("+") && (only ? b.langs.join() === only : b.langs.length === 3),
  );
  assert.ok(found, `a bundle with ${kinds.join(" + ")}${only ? ` in ${only} only` : ""}`);
  return found.name;
}

// A page that records the names of the `.wasm` files it requests.
async function pageWatchingBundles(path) {
  const opened = await openPage(env.browser, null);
  const wasm = [];
  opened.page.on("request", (r) => {
    if (r.url().endsWith(".wasm")) wasm.push(r.url().split("/").pop());
  });
  await opened.page.goto(`${env.collector.site}/examples/${path}`);
  return { ...opened, wasm };
}

test("a page with polls only downloads the poll bundle, and its poll works", async () => {
  const { page, context, problems, wasm } = await pageWatchingBundles("plain.html");
  const poll = new Poll(page, "marktplatz-autofrei");
  await poll.waitUntilReady();
  await poll.choose("Nein");
  await poll.submit();
  await poll.expectStatus("Vielen Dank");
  assert.deepEqual(wasm, [await bundle(["poll"])]);
  assert.deepEqual([...problems.console, ...problems.pageErrors], []);
  await context.close();
});

test("an event added to a poll page later brings the bundle that holds it", async () => {
  const { page, context, problems, wasm } = await pageWatchingBundles("plain.html");
  await new Poll(page, "marktplatz-autofrei").waitUntilReady();
  await addWidget(
    page,
    {
      "data-mitmachen": "event",
      "data-id": "werkstatt-spielplatz",
      "data-start": "2027-04-17T10:00+02:00",
      "data-capacity": "3",
      "data-privacy": "/examples/datenschutz.html",
    },
    "<h2>Werkstatt: Spielplatz Nord neu planen</h2>",
  );
  const event = new Event(page, "werkstatt-spielplatz");
  await event.waitUntilReady();
  await event.seats().filter({ hasNotText: "geladen" }).waitFor();
  assert.deepEqual(wasm, [await bundle(["poll"]), await bundle(["event", "newsletter"])]);
  assert.deepEqual([...problems.console, ...problems.pageErrors], []);
  await context.close();
});

test("a misspelt kind brings the complete bundle, which says what is wrong", async () => {
  const { page, context, wasm } = await pageWatchingBundles("plain.html");
  await new Poll(page, "marktplatz-autofrei").waitUntilReady();
  await addWidget(page, { "data-mitmachen": "umfrage", "data-id": "falsch-geschrieben" }, "<h2>Frage?</h2>");
  const notice = page.locator('[data-id="falsch-geschrieben"] .mm-root');
  await notice.filter({ hasText: "umfrage" }).waitFor();
  assert.deepEqual(wasm, [await bundle(["poll"]), await bundle(EVERY_KIND)]);
  await context.close();
});

test("an element the collector defines as another kind is handed to the complete bundle", async () => {
  // The page says poll; the collector's definition, which rules, says event.
  await env.collector.admin("PUT", "/v1/admin/widgets/jetzt-veranstaltung", {
    kind: "event",
    attributes: {
      "data-title": "Stadtteilspaziergang Nord",
      "data-start": "2099-05-02T15:00+02:00",
      "data-capacity": "20",
    },
  });
  const { page, context, problems, wasm } = await pageWatchingBundles("plain.html");
  await new Poll(page, "marktplatz-autofrei").waitUntilReady();
  await addWidget(
    page,
    { "data-mitmachen": "poll", "data-id": "jetzt-veranstaltung", "data-privacy": "/examples/datenschutz.html" },
    "<h2>Früher eine Umfrage</h2><ul><li>Ja</li><li>Nein</li></ul>",
  );
  const event = new Event(page, "jetzt-veranstaltung");
  await event.root.locator(".mm-heading", { hasText: "Stadtteilspaziergang Nord" }).waitFor();
  await event.seats().filter({ hasText: "Plätzen frei" }).waitFor();
  await event.register({ name: "Erika Mustermann", email: "erika.spaziergang@example.de" });
  await event.expectStatus("Sie sind angemeldet");
  assert.deepEqual(wasm, [await bundle(["poll"]), await bundle(EVERY_KIND)]);
  assert.deepEqual([...problems.console, ...problems.pageErrors], []);
  await context.close();
});

test("a German page with every kind downloads the German bundle; a widget in English brings one that speaks it", async () => {
  const { page, context, problems, wasm } = await pageWatchingBundles("rathaus.html");
  await new Poll(page, "marktplatz-autofrei").waitUntilReady();
  await new Event(page, "buergerversammlung-haushalt").waitUntilReady();
  assert.deepEqual(wasm, [await bundle(EVERY_KIND, { only: "de" })]);
  // The German bundle leaves it alone; the smallest with polls in English mounts it.
  await addWidget(
    page,
    { "data-mitmachen": "poll", "data-id": "english-question", "data-lang": "en-GB", "data-privacy": "/examples/datenschutz.html" },
    "<h2>Should the market square be car-free?</h2><ul><li>Yes</li><li>No</li></ul>",
  );
  const english = new Poll(page, "english-question");
  await english.waitUntilReady();
  assert.equal(await english.root.getByRole("button").innerText(), "Vote");
  assert.equal(await english.root.getAttribute("lang"), "en");
  assert.deepEqual(wasm, [await bundle(EVERY_KIND, { only: "de" }), await bundle(["poll"])]);
  // A German widget added now is the German bundle's, which is there already.
  await addWidget(
    page,
    { "data-mitmachen": "poll", "data-id": "deutsche-frage", "data-privacy": "/examples/datenschutz.html" },
    "<h2>Soll der Marktplatz autofrei werden?</h2><ul><li>Ja</li><li>Nein</li></ul>",
  );
  const german = new Poll(page, "deutsche-frage");
  await german.waitUntilReady();
  assert.equal(await german.root.getByRole("button").innerText(), "Abstimmen");
  assert.equal(wasm.length, 2);
  // rathaus.html's deliberately misconfigured widget says what is wrong with it; nothing else.
  const others = problems.console.filter((m) => !m.startsWith("mitmachen [Spielplatz Nord]"));
  assert.deepEqual([...others, ...problems.pageErrors], []);
  await context.close();
});

test("the town's English page downloads the bundle with every kind in English", async () => {
  const { page, context, problems, wasm } = await pageWatchingBundles("english.html");
  const poll = new Poll(page, "marktplatz-autofrei");
  await poll.waitUntilReady();
  await new Event(page, "buergerversammlung-haushalt").waitUntilReady();
  assert.equal(await poll.root.getByRole("button").innerText(), "Vote");
  assert.equal(await poll.root.getAttribute("lang"), "en");
  assert.deepEqual(wasm, [await bundle(EVERY_KIND, { only: "en" })]);
  assert.deepEqual([...problems.console, ...problems.pageErrors], []);
  await context.close();
});
