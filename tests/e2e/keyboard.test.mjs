// Each widget completed with the keyboard only (Tab, arrow keys, Space, Enter), with a visible
// focus indicator, and focus somewhere sensible after submitting.
import assert from "node:assert/strict";
import { test } from "node:test";
import { openPage } from "./support/browser.mjs";
import { Event } from "./support/event.mjs";
import { Newsletter } from "./support/newsletter.mjs";
import { Poll } from "./support/poll.mjs";
import { Topics } from "./support/topics.mjs";
import { withCollectorAndBrowser } from "./support/suite.mjs";

const env = withCollectorAndBrowser();

// What has keyboard focus, looking through shadow roots.
function focused(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    let widget = null;
    while (el?.shadowRoot?.activeElement) {
      widget = el.dataset.id ?? null;
      el = el.shadowRoot.activeElement;
    }
    const style = el ? getComputedStyle(el) : null;
    return {
      widget,
      tag: el?.tagName.toLowerCase(),
      type: el?.getAttribute("type") ?? null,
      role: el?.getAttribute("role") ?? null,
      text: (el?.closest("label") ?? el)?.innerText?.trim() ?? "",
      // A field's label that is not around it (`<label for>`).
      label: el?.labels?.[0]?.innerText?.trim() ?? "",
      checked: el?.checked ?? null,
      outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : "",
    };
  });
}

async function tabTo(page, wanted, limit = 40) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    const now = await focused(page);
    if (Object.entries(wanted).every(([k, v]) => now[k] === v)) return now;
  }
  throw new Error(`Tab never reached ${JSON.stringify(wanted)}`);
}

function assertVisibleFocus(state) {
  assert.equal(state.outline, "solid 3px", `focus indicator on ${state.tag} ${state.text}`);
}

test("a single-choice poll with Tab, arrow keys and Enter", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const poll = new Poll(page, "marktplatz-autofrei");
  await poll.waitUntilReady();
  const first = await tabTo(page, { widget: "marktplatz-autofrei", type: "radio" });
  assert.equal(first.text, "Ja");
  assertVisibleFocus(first);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  const chosen = await focused(page);
  assert.deepEqual([chosen.text, chosen.checked], ["Nur im Sommer", true]);
  const button = await tabTo(page, { widget: "marktplatz-autofrei", tag: "button" });
  assertVisibleFocus(button);
  await page.keyboard.press("Enter");
  await poll.expectStatus("Vielen Dank");
  const after = await focused(page);
  assert.deepEqual([after.widget, after.role], ["marktplatz-autofrei", "status"], "focus moves to the confirmation");
  const results = await env.collector.results("marktplatz-autofrei");
  assert.equal(results.counts["nur-im-sommer"], 1);
  await context.close();
});

test("a multiple-choice poll with Tab and Space", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const poll = new Poll(page, "buergerhaus-angebote");
  await poll.waitUntilReady();
  const first = await tabTo(page, { widget: "buergerhaus-angebote", type: "checkbox" });
  assert.equal(first.text, "Café und Treffpunkt");
  await page.keyboard.press("Space");
  await tabTo(page, { widget: "buergerhaus-angebote", text: "Werkstatt zum Reparieren" });
  await page.keyboard.press("Space");
  const button = await tabTo(page, { widget: "buergerhaus-angebote", tag: "button" });
  assertVisibleFocus(button);
  await page.keyboard.press("Space");
  await poll.expectStatus("Vielen Dank");
  const results = await env.collector.results("buergerhaus-angebote");
  assert.deepEqual(results.counts, { "cafe-und-treffpunkt": 1, "werkstatt-zum-reparieren": 1 });
  await context.close();
});

test("a validation error moves focus to the first answer, which names the error", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const poll = new Poll(page, "marktplatz-autofrei");
  await poll.waitUntilReady();
  await tabTo(page, { widget: "marktplatz-autofrei", tag: "button" });
  await page.keyboard.press("Enter");
  await poll.root.locator(".mm-field-error").waitFor();
  const now = await focused(page);
  assert.deepEqual([now.widget, now.type, now.text], ["marktplatz-autofrei", "radio", "Ja"]);
  const described = await poll.option("Ja").evaluate((el) =>
    el.getAttribute("aria-describedby").split(" ").map((id) => el.getRootNode().getElementById(id)?.innerText),
  );
  assert.ok(described.includes("Bitte wählen Sie eine Antwort aus."), JSON.stringify(described));
  await context.close();
});

test("a topic list with Tab, Enter and Space", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const topics = new Topics(page, "fokusgruppe-innenstadt");
  await topics.waitUntilReady();
  const give = await tabTo(page, { widget: "fokusgruppe-innenstadt", tag: "button" });
  assert.match(give.text, /^Punkt geben/);
  assertVisibleFocus(give);
  await page.keyboard.press("Enter");
  await page.keyboard.press("Space");
  assert.equal(await topics.dotsLeft(), "Noch 1 von 3 Punkten übrig.");
  // Focus stays on the button that was pressed, so the citizen keeps their place.
  const still = await focused(page);
  assert.deepEqual([still.widget, still.tag, still.text], ["fokusgruppe-innenstadt", "button", "Punkt geben (2)"]);
  const submit = await tabTo(page, { widget: "fokusgruppe-innenstadt", text: "Punkte abgeben" });
  assertVisibleFocus(submit);
  await page.keyboard.press("Enter");
  await topics.expectStatus("Vielen Dank");
  const after = await focused(page);
  assert.deepEqual([after.widget, after.role], ["fokusgruppe-innenstadt", "status"]);
  assert.equal((await env.collector.results("fokusgruppe-innenstadt")).counts.radwege, 2);
  await context.close();
});

test("an event sign-up with Tab, typing and Enter; mistakes lead back to their field", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const event = new Event(page, "buergerversammlung-haushalt");
  await event.waitUntilReady();
  const name = await tabTo(page, { widget: "buergerversammlung-haushalt", tag: "input" });
  assert.equal(name.label, "Name (Pflichtfeld)");
  assertVisibleFocus(name);
  // Enter in a field submits the form: the check stops it and focus goes to the summary.
  await page.keyboard.press("Enter");
  await event.summary().waitFor();
  const summary = await focused(page);
  assert.deepEqual([summary.widget, summary.text.split("\n")[0]], ["buergerversammlung-haushalt", "Bitte prüfen Sie Ihre Angaben:"]);
  const link = await tabTo(page, { widget: "buergerversammlung-haushalt", tag: "a" });
  assertVisibleFocus(link);
  await page.keyboard.press("Enter");
  const back = await focused(page);
  assert.deepEqual([back.tag, back.label], ["input", "Name (Pflichtfeld)"]);
  await page.keyboard.type("Erika Mustermann");
  await page.keyboard.press("Tab");
  await page.keyboard.type("erika.keyboard@example.de");
  const submit = await tabTo(page, { widget: "buergerversammlung-haushalt", tag: "button" });
  assert.equal(submit.text, "Anmelden");
  assertVisibleFocus(submit);
  await page.keyboard.press("Enter");
  await event.expectStatus("Vielen Dank! Sie sind angemeldet.");
  const after = await focused(page);
  assert.deepEqual([after.widget, after.role], ["buergerversammlung-haushalt", "status"]);
  const download = await tabTo(page, { widget: "buergerversammlung-haushalt", tag: "a" });
  assert.equal(download.text, "Termin in den Kalender eintragen (.ics)");
  assertVisibleFocus(download);
  await context.close();
});

test("a newsletter opt-in with Tab, typing, Space and Enter; a mistake leads back to its field", async () => {
  const { page, context } = await openPage(env.browser, `${env.collector.site}/examples/rathaus.html`);
  const id = "newsletter-beteiligung";
  const newsletter = new Newsletter(page, id);
  await newsletter.waitUntilReady();
  // The opt-in is in the sidebar, after every other widget of the page.
  const email = await tabTo(page, { widget: id, tag: "input" }, 150);
  assert.equal(email.label, "E-Mail-Adresse (Pflichtfeld)");
  assertVisibleFocus(email);
  await page.keyboard.type("erika.keyboard@example.de");
  // Enter in a field submits the form: no list is chosen, so focus goes to the summary.
  await page.keyboard.press("Enter");
  await newsletter.summary().waitFor();
  const summary = await focused(page);
  assert.deepEqual([summary.widget, summary.text.split("\n")[0]], [id, "Bitte prüfen Sie Ihre Angaben:"]);
  const link = await tabTo(page, { widget: id, tag: "a" });
  assertVisibleFocus(link);
  await page.keyboard.press("Enter");
  const first = await focused(page);
  assert.deepEqual([first.type, first.text], ["checkbox", "Beteiligung und Umfragen"]);
  assertVisibleFocus(first);
  await page.keyboard.press("Space");
  const submit = await tabTo(page, { widget: id, tag: "button" });
  assert.equal(submit.text, "Newsletter abonnieren");
  assertVisibleFocus(submit);
  await page.keyboard.press("Enter");
  await newsletter.expectStatus("Bitte bestätigen Sie den Link, den wir an erika.keyboard@example.de gesendet haben.");
  const after = await focused(page);
  assert.deepEqual([after.widget, after.role], [id, "status"]);
  await context.close();
});
