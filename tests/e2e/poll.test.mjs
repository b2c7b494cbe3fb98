// The poll in a real browser against the real collector: a citizen's whole path, the host
// page's hostile CSS, a broken widget beside working ones, and the transport's retries.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { addWidget, openPage } from "./support/browser.mjs";
import { Poll } from "./support/poll.mjs";
import { refuseSubmissions, withCollectorAndBrowser } from "./support/suite.mjs";

const env = withCollectorAndBrowser();

const artifacts = process.env.MITMACHEN_ARTIFACTS || "target/e2e";

function unexpected(problems) {
  // The deliberately broken widget reports its configuration errors on the console.
  return [...problems.pageErrors, ...problems.console.filter((m) => !m.includes("[Spielplatz Nord]"))];
}

test("a citizen answers both polls on the town's page and sees the results", async () => {
  // Reduced motion: the result bars appear without their transition, also in the screenshot.
  const { page, context, problems } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`, {
    reducedMotion: "reduce",
  });
  const marktplatz = new Poll(page, "marktplatz-autofrei");
  const buergerhaus = new Poll(page, "buergerhaus-angebote");
  await marktplatz.waitUntilReady();
  await buergerhaus.waitUntilReady();

  // "after voting": no results before the vote.
  assert.equal(await marktplatz.root.locator(".mm-results").count(), 0);
  await marktplatz.choose("Nur im Sommer");
  await marktplatz.submit();
  await marktplatz.expectStatus("Vielen Dank! Ihre Stimme wurde gezählt.");
  await marktplatz.expectResult("Nur im Sommer", "1 Stimme (100 %)");
  await marktplatz.expectResult("Ja", "0 Stimmen (0 %)");
  assert.equal(await marktplatz.root.getByRole("button").count(), 0, "no second vote");
  // The answers are disabled (and pale) now: the citizen's own answer is said in words.
  assert.equal(await marktplatz.answer(), "Ihre Antwort: Nur im Sommer");

  // "always": results are shown before voting, and updated after.
  await buergerhaus.expectResult("Bibliothek", "0 Stimmen (0 %)");
  await buergerhaus.choose("Bibliothek", "Räume für Vereine");
  await buergerhaus.submit();
  await buergerhaus.expectStatus("Vielen Dank");
  await buergerhaus.root.locator(".mm-results li", { hasText: "Bibliothek1 Stimme" }).waitFor();
  // Shares of all votes, as in the console: two votes, one each.
  await buergerhaus.expectResult("Bibliothek", "1 Stimme (50 %)");
  await buergerhaus.expectResult("Café und Treffpunkt", "0 Stimmen (0 %)");
  assert.equal(await buergerhaus.answer(), "Ihre Antworten: Räume für Vereine, Bibliothek");

  // Stored exactly once each, under the keys derived from the editor's labels.
  assert.deepEqual(await env.collector.results("marktplatz-autofrei"), {
    widget: "marktplatz-autofrei",
    ballots: 1,
    counts: { "nur-im-sommer": 1 },
  });
  assert.deepEqual(await env.collector.results("buergerhaus-angebote"), {
    widget: "buergerhaus-angebote",
    ballots: 1,
    counts: { bibliothek: 1, "raeume-fuer-vereine": 1 },
  });

  // The page includes the bundle twice; each widget is mounted once.
  const ready = await page.evaluate(() => window.__ready);
  assert.deepEqual([...ready].sort(), [
    "buergerhaus-angebote",
    "buergerversammlung-haushalt",
    "fokusgruppe-innenstadt",
    "marktplatz-autofrei",
    "newsletter-beteiligung",
    "stadtfest-2026-motto",
  ]);
  assert.deepEqual(unexpected(problems), [], "no errors and no CSP violations");

  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, "rathaus.png"), fullPage: true });

  // For the rest of the visit the poll says it was answered and shows the results.
  await page.reload();
  await marktplatz.waitUntilReady();
  await marktplatz.expectStatus("Sie haben bereits abgestimmt.");
  await marktplatz.expectResult("Nur im Sommer", "1 Stimme (100 %)");
  assert.ok(await marktplatz.option("Nur im Sommer").isChecked());
  assert.equal(await marktplatz.answer(), "Ihre Antwort: Nur im Sommer");
  await context.close();
});

test("a broken widget explains itself while the others work", async () => {
  const { page, context, problems } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  await new Poll(page, "marktplatz-autofrei").waitUntilReady();
  const broken = page.locator('[data-id="Spielplatz Nord"] .mm-config-error');
  await broken.waitFor();
  const text = await broken.innerText();
  assert.match(text, /nicht richtig eingerichtet/);
  assert.match(text, /data-id="Spielplatz Nord" beginnt mit „S“/);
  assert.match(text, /data-results="sometimes" ist nicht erlaubt/);
  assert.match(text, /mindestens 2 Antworten \(gefunden: 1\)/);
  // The editor's own HTML stays visible below the message.
  assert.ok(await page.getByText("Was fehlt auf dem Spielplatz Nord?").isVisible());
  assert.ok(problems.console.some((m) => m.includes("[Spielplatz Nord]") && m.includes("data-results")));
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});

test("too many answers are refused in the widget, nothing is lost and nothing is sent", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const poll = new Poll(page, "buergerhaus-angebote");
  await poll.waitUntilReady();
  const before = await env.collector.results("buergerhaus-angebote");
  await poll.choose("Café und Treffpunkt", "Bibliothek", "Werkstatt zum Reparieren");
  await poll.submit();
  const error = poll.root.locator(".mm-field-error");
  await error.waitFor();
  assert.equal(await error.innerText(), "Bitte wählen Sie höchstens 2 Antworten aus.");
  assert.equal(await poll.option("Bibliothek").getAttribute("aria-invalid"), "true");
  assert.match(await poll.option("Bibliothek").getAttribute("aria-describedby"), /mm-invalid/);
  for (const label of ["Café und Treffpunkt", "Bibliothek", "Werkstatt zum Reparieren"]) {
    assert.ok(await poll.option(label).isChecked(), `${label} is still chosen`);
  }
  assert.deepEqual(await env.collector.results("buergerhaus-angebote"), before);
  await context.close();
});

test("the host page's CSS does not change the widget's computed styles", async () => {
  const properties = [
    "font-family", "font-size", "font-weight", "font-style", "line-height", "color",
    "background-color", "letter-spacing", "word-spacing", "text-transform", "text-align",
    "display", "box-sizing", "padding-top", "padding-left", "margin-top", "border-top-width",
    "border-top-style", "border-top-color", "list-style-type", "cursor", "visibility",
  ];
  const selectors = [".mm-root", ".mm-heading", "legend", ".mm-option", ".mm-option input", ".mm-option span", ".mm-submit", "[role=status]"];
  async function styles(path) {
    const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/${path}`);
    await new Poll(page, "marktplatz-autofrei").waitUntilReady();
    const found = await page.evaluate(
      ({ selectors, properties }) => {
        const root = document.querySelector('[data-id="marktplatz-autofrei"]').shadowRoot;
        return Object.fromEntries(
          selectors.map((s) => {
            const el = root.querySelector(s);
            if (!el) return [s, null];
            const cs = getComputedStyle(el);
            return [s, Object.fromEntries(properties.map((p) => [p, cs.getPropertyValue(p)]))];
          }),
        );
      },
      { selectors, properties },
    );
    await context.close();
    return found;
  }
  const plain = await styles("plain.html");
  const hostile = await styles("rathaus.html");
  for (const s of selectors) assert.ok(plain[s], `${s} exists in the widget`);
  assert.deepEqual(hostile, plain);
});

test("a vote is retried with the same idempotency key after a network error and stored once", async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__ready = [];
    document.addEventListener("mitmachen:ready", (e) => window.__ready.push(e.detail.widget));
  });
  const keys = [];
  await page.route("**/v1/widgets/marktplatz-autofrei/submissions", async (route) => {
    keys.push(route.request().headers()["idempotency-key"]);
    if (keys.length === 1) await route.abort("connectionreset");
    else await route.continue();
  });
  const before = await env.collector.results("marktplatz-autofrei");
  await page.goto(`${env.collector.site}/examples/plain.html`);
  const poll = new Poll(page, "marktplatz-autofrei");
  await poll.waitUntilReady();
  await poll.choose("Ja");
  await poll.submit();
  await poll.expectStatus("Keine Verbindung zum Server. Ihre Stimme wird automatisch gesendet, sobald die Verbindung wieder besteht (nächster Versuch in 1 s).");
  await poll.expectStatus("Vielen Dank");
  assert.equal(keys.length, 2);
  assert.equal(keys[0], keys[1]);
  // A UUID v7: its first 48 bits are the time it was made, in ms.
  assert.match(keys[0], /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const madeAt = parseInt(keys[0].replace("-", "").slice(0, 12), 16);
  assert.ok(Math.abs(Date.now() - madeAt) < 10 * 60 * 1000, `key made at ${new Date(madeAt).toISOString()}`);
  const after = await env.collector.results("marktplatz-autofrei");
  assert.equal(after.ballots, before.ballots + 1);
  assert.equal(after.counts.ja ?? 0, (before.counts.ja ?? 0) + 1);
  await context.close();
});

test("a refused vote keeps the citizen's choice and says why", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  await refuseSubmissions(page, env.collector, "**/v1/widgets/marktplatz-autofrei/submissions");

  const poll = new Poll(page, "marktplatz-autofrei");
  await poll.waitUntilReady();
  await poll.choose("Nein");
  await poll.submit();
  const alert = poll.root.locator("[role=alert]");
  await alert.filter({ hasText: "nicht angenommen" }).waitFor();
  assert.equal(await alert.innerText(), "Ihre Stimme wurde nicht angenommen: Die Abstimmung ist geschlossen.");
  assert.ok(await poll.option("Nein").isChecked());
  assert.equal(await poll.root.getByRole("button").innerText(), "Erneut senden");
  await context.close();
});

test("a widget that a page script adds later is mounted too", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  await new Poll(page, "marktplatz-autofrei").waitUntilReady();
  await page.evaluate(() => {
    const div = document.createElement("div");
    div.dataset.mitmachen = "poll";
    div.dataset.id = "spaeter";
    div.innerHTML = "<h2>Später geladen?</h2><ul><li>Ja</li><li>Nein</li></ul>";
    document.querySelector("main").append(div);
  });
  const late = new Poll(page, "spaeter");
  await late.waitUntilReady();
  assert.ok(await late.option("Ja").isVisible());
  await context.close();
});

test("a closed poll offers no vote and shows the results when the editor allows it", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  await new Poll(page, "marktplatz-autofrei").waitUntilReady();
  await page.evaluate(() => {
    const div = document.createElement("div");
    div.setAttribute("data-mitmachen", "poll");
    div.setAttribute("data-id", "marktplatz-autofrei");
    div.setAttribute("data-endpoint", document.querySelector("script[data-endpoint]").dataset.endpoint);
    div.setAttribute("data-closes", "1.1.2020");
    div.setAttribute("data-results", "after-closing");
    div.setAttribute("data-lang", "en");
    div.id = "closed";
    div.innerHTML = "<h2>Closed?</h2><ul><li>Ja</li><li>Nein</li><li>Nur im Sommer</li></ul>";
    document.querySelector("main").append(div);
  });
  const root = page.locator("#closed .mm-root");
  await root.locator("[role=status]", { hasText: "This poll is closed." }).waitFor();
  assert.equal(await root.locator("input").count(), 0);
  assert.equal(await root.getByRole("button").count(), 0);
  await root.locator(".mm-results li").first().waitFor();
  const lines = await root.locator(".mm-results li").allInnerTexts();
  assert.equal(lines.length, 3);
  assert.match(lines[0].replace(/\s+/g, " "), /^Ja \d+ votes? \(\d+%\)$/);
  await context.close();
});

test("shares add up to 100 % where rounding each would give 99 % or 101 %", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  const ballots = { drittel: ["a", "b", "c"], sechstel: ["a", "b", "c", "c", "c", "c"] };
  for (const [id, choices] of Object.entries(ballots)) {
    for (const choice of choices) {
      assert.equal((await env.collector.submit(id, { kind: "poll", choices: [choice] })).status, 201);
    }
  }
  for (const [id, expected] of [
    // 1:1:1 rounded each on its own: 33 + 33 + 33 = 99.
    ["drittel", ["1 Stimme (34 %)", "1 Stimme (33 %)", "1 Stimme (33 %)"]],
    // 1:1:4 rounded each on its own: 17 + 17 + 67 = 101.
    ["sechstel", ["1 Stimme (17 %)", "1 Stimme (17 %)", "4 Stimmen (66 %)"]],
  ]) {
    await addWidget(page, { "data-mitmachen": "poll", "data-id": id, "data-results": "always" }, "<h2>Welcher Buchstabe?</h2><ul><li>A</li><li>B</li><li>C</li></ul>");
    const poll = new Poll(page, id);
    await poll.waitUntilReady();
    const lines = (await poll.resultLines()).map((l) => l.replace(/\s+/g, " "));
    assert.deepEqual(lines, ["A", "B", "C"].map((label, i) => `${label} ${expected[i]}`));
    const shares = lines.map((l) => Number(l.match(/\((\d+) ?%\)/)[1]));
    assert.equal(shares.reduce((a, b) => a + b), 100);
  }
  await context.close();
});

test("widgets placed one after another do not touch, and the space is themable", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  await addWidget(page, { "data-mitmachen": "poll", "data-id": "nachbar" }, "<h2>Gleich darunter?</h2><ul><li>Ja</li><li>Nein</li></ul>");
  await new Poll(page, "nachbar").waitUntilReady();
  const gap = () =>
    page.evaluate(() => {
      const box = (id) => document.querySelector(`[data-id="${id}"]`).shadowRoot.querySelector(".mm-root").getBoundingClientRect();
      return Math.round(box("nachbar").top - box("marktplatz-autofrei").bottom);
    });
  const fontSize = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('[data-id="nachbar"]').shadowRoot.querySelector(".mm-root")).fontSize));
  assert.ok((await gap()) >= fontSize, `the widgets are ${await gap()} px apart`);
  // The page's own custom property sets the space (CSSOM, which a strict CSP allows).
  await page.evaluate(() => document.querySelector("main").style.setProperty("--mitmachen-margin", "0"));
  assert.equal(await gap(), 0);
  await page.evaluate(() => document.querySelector("main").style.setProperty("--mitmachen-margin", "40px 0"));
  assert.equal(await gap(), 40, "margins collapse: one gap, not two");
  await context.close();
});

test("a vote cast offline is delivered once when the connection is back, and the citizen is told", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  const poll = new Poll(page, "marktplatz-autofrei");
  await poll.waitUntilReady();
  const before = await env.collector.results("marktplatz-autofrei");
  await context.setOffline(true);
  await poll.choose("Nur im Sommer");
  await poll.submit();
  await poll.expectStatus("Keine Verbindung zum Server. Ihre Stimme wird automatisch gesendet");
  // A notice that stands out by more than colour: a box, a marker, bold words.
  const notice = await poll.status().evaluate((el) => {
    const cs = getComputedStyle(el);
    const marker = getComputedStyle(el, "::before");
    return { offline: el.classList.contains("mm-offline"), border: cs.borderTopStyle, width: cs.borderTopWidth, weight: cs.fontWeight, marker: marker.content };
  });
  assert.deepEqual(notice, { offline: true, border: "solid", width: "2px", weight: "600", marker: '"!" / ""' });
  // A few attempts fail while offline (1 s, 2 s, 4 s apart).
  await page.waitForTimeout(3500);
  assert.deepEqual(await env.collector.results("marktplatz-autofrei"), before);
  assert.ok(await poll.option("Nur im Sommer").isChecked(), "the choice is kept");
  // Back online: the browser's "online" event sends it at once, not after the next wait.
  await context.setOffline(false);
  await poll.expectStatus("Vielen Dank");
  const after = await env.collector.results("marktplatz-autofrei");
  assert.equal(after.ballots, before.ballots + 1);
  assert.equal(after.counts["nur-im-sommer"] ?? 0, (before.counts["nur-im-sommer"] ?? 0) + 1);
  await context.close();
});

test("the notice without a connection keeps its box and marker in forced colours", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`, { forcedColors: "active" });
  const poll = new Poll(page, "marktplatz-autofrei");
  await poll.waitUntilReady();
  await context.setOffline(true);
  await poll.choose("Ja");
  await poll.submit();
  await poll.expectStatus("Keine Verbindung zum Server");
  const seen = await poll.status().evaluate((el) => {
    const cs = getComputedStyle(el);
    const marker = getComputedStyle(el, "::before");
    return { border: `${cs.borderTopStyle} ${cs.borderTopWidth}`, text: cs.color, box: cs.borderTopColor, ring: marker.borderTopStyle, weight: cs.fontWeight };
  });
  assert.equal(seen.border, "solid 2px");
  assert.equal(seen.ring, "solid", "the marker keeps a ring where backgrounds are dropped");
  assert.equal(seen.box, seen.text, "the box is drawn in the text colour");
  assert.equal(seen.weight, "600");
  await context.close();
});

test("a bot that fills the hidden honeypot field is thanked and not counted", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/plain.html`);
  const poll = new Poll(page, "marktplatz-autofrei");
  await poll.waitUntilReady();
  const honeypot = poll.root.locator("input[name=website]");
  assert.equal(await honeypot.getAttribute("tabindex"), "-1");
  assert.equal(await poll.root.locator(".mm-hp").getAttribute("aria-hidden"), "true");
  assert.equal(await honeypot.isVisible(), true, "present for bots, but off-screen");
  const box = await honeypot.boundingBox();
  assert.ok(box.x + box.width < 0, "off-screen");
  const before = await env.collector.results("marktplatz-autofrei");
  await honeypot.fill("https://spam.example");
  await poll.choose("Ja");
  await poll.submit();
  await poll.expectStatus("Vielen Dank");
  assert.deepEqual(await env.collector.results("marktplatz-autofrei"), before);
  await context.close();
});

test("the bundle is also served under its version, for pages that pin one", async () => {
  const manifest = await (await fetch(`${env.collector.api}/dist/manifest.json`)).json();
  const latest = await (await fetch(`${env.collector.api}/dist/mitmachen.js`)).text();
  const pinned = await fetch(`${env.collector.api}/dist/${manifest.pinned_entry}`);
  assert.equal(pinned.status, 200);
  assert.equal(await pinned.text(), latest);
  const wasm = manifest.files.find((f) => f.name.endsWith(".wasm")).name;
  const module = await fetch(`${env.collector.api}/dist/${manifest.version}/${wasm}`);
  assert.equal(module.status, 200);
  assert.equal(module.headers.get("content-type"), "application/wasm");
});

test("the town page's preload is used: the wasm is fetched once, brotli-compressed, and no preload goes unused", async () => {
  const manifest = await (await fetch(`${env.collector.api}/dist/manifest.json`)).json();
  // The German page preloads the bundle with every kind in German.
  const wasm = manifest.bundles.find((b) => b.kinds.length === 4 && b.langs.join() === "de");
  const { page, context, problems } = await openPage(env.browser, null);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const requests = [];
  const encodings = [];
  cdp.on("Network.requestWillBeSent", (e) => e.request.url.endsWith(".wasm") && requests.push(e.request.url));
  cdp.on("Network.responseReceived", (e) => {
    if (e.response.url.endsWith(".wasm")) encodings.push(e.response.headers["content-encoding"]);
  });
  const warnings = [];
  page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  await page.goto(`${env.collector.site}/examples/rathaus.html`);
  await new Poll(page, "marktplatz-autofrei").waitUntilReady();
  // Chrome warns of a preload nobody used a few seconds after the load event.
  await page.waitForLoadState("load");
  await page.waitForTimeout(3500);
  assert.deepEqual(requests, [`${env.collector.api}/dist/${wasm.name}`]);
  assert.deepEqual(encodings, ["br"]);
  assert.deepEqual(warnings.filter((w) => w.includes("preload")), []);
  assert.deepEqual(unexpected(problems), []);
  await context.close();
});
