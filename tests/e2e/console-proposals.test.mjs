// The moderation queue in the console: a moderator approves several proposals at once, rejects
// one with a reason, merges a duplicate found by its title, is told why a merge into a rejected
// proposal is not possible, and sees the number waiting in the navigation; a viewer sees the
// queue but the server refuses a decision. Against the real collector in Chromium, axe over
// every state. An administrator reads the decisions in the audit log.
import assert from "node:assert/strict";
import { test } from "node:test";
import { accessible, csrfOf, newConsolePage, signIn } from "./support/console.mjs";
import { withCollectorAndBrowser } from "./support/suite.mjs";

const MODERATOR = { name: "mia.moderation", password: "Vorschlaege-pruefen-2026" };
const VIEWER = { name: "vera.viewer", password: "Nur-anschauen-2026" };
const WIDGET = "ideen-marktplatz";

const env = withCollectorAndBrowser();

async function propose(title, description = "") {
  const { status } = await env.collector.submit(WIDGET, { kind: "proposal", title, description });
  assert.equal(status, 201);
}

async function stored() {
  const list = await env.collector.admin("GET", `/v1/admin/widgets/${WIDGET}/proposals`);
  return Object.fromEntries(list.map((p) => [p.title, p]));
}

// The navigation's count of waiting proposals, as a screen reader reads the link.
async function navLink(page) {
  return (await page.getByRole("navigation").getByRole("link", { name: /Vorschläge/ }).textContent()).trim();
}

test("a moderator approves, rejects with a reason and merges, several at once", async () => {
  await env.collector.addUser(MODERATOR.name, "moderator", MODERATOR.password);
  await propose("Mehr Bänke am Fluss", "Zum Ausruhen beim Spaziergang.");
  await propose("Bänke am Flussufer");
  await propose("Werbung für Dinge", "Kaufen Sie jetzt!");
  await propose("Radweg zur Schule");

  const { context, page, problems } = await newConsolePage(env);
  await signIn(env, page, MODERATOR, "/admin/proposals");
  assert.equal(await page.locator("h1").textContent(), "Vorschläge");
  assert.equal(await navLink(page), "Vorschläge 4 warten");
  assert.equal(await page.locator("tbody tr").count(), 4);
  assert.equal(await page.getByRole("link", { name: "Konten" }).count(), 0, "a moderator manages no accounts");
  await accessible(page, "moderation queue");

  // Nothing selected: told so, the reason typed is kept.
  await page.getByLabel("Begründung der Ablehnung (optional)").fill("Bitte sachlich bleiben.");
  await page.getByRole("button", { name: "Entscheidung ausführen" }).click();
  await page.waitForLoadState();
  const summary = page.getByRole("alert");
  assert.match(await summary.textContent(), /Wählen Sie mindestens einen Vorschlag aus\./);
  assert.match(await summary.textContent(), /Wählen Sie, was mit den Vorschlägen geschehen soll\./);
  assert.equal(await page.getByLabel("Begründung der Ablehnung (optional)").inputValue(), "Bitte sachlich bleiben.");
  await accessible(page, "moderation queue with errors");

  // Two approved at once, with the keyboard: the checkbox, the radio, Enter.
  await page.getByLabel("Auswählen: Mehr Bänke am Fluss").focus();
  await page.keyboard.press("Space");
  await page.getByLabel("Auswählen: Radweg zur Schule").check();
  await page.getByLabel("Annehmen (wird veröffentlicht)").check();
  await page.getByLabel("Begründung der Ablehnung (optional)").fill("");
  await page.getByRole("button", { name: "Entscheidung ausführen" }).press("Enter");
  await page.waitForLoadState();
  assert.equal(await page.getByRole("status").textContent(), "2 Vorschläge angenommen.");
  assert.equal(await navLink(page), "Vorschläge 2 warten");
  assert.equal(await page.locator("tbody tr").count(), 2, "the pending view shows the two still waiting");
  let proposals = await stored();
  assert.equal(proposals["Mehr Bänke am Fluss"].status, "approved");
  assert.equal(proposals["Radweg zur Schule"].status, "approved");

  // Rejected with a reason, kept for the town's files.
  await page.getByLabel("Auswählen: Werbung für Dinge").check();
  await page.getByLabel("Ablehnen").check();
  await page.getByLabel("Begründung der Ablehnung (optional)").fill("Werbung ist hier nicht erlaubt.");
  await page.getByRole("button", { name: "Entscheidung ausführen" }).click();
  await page.waitForLoadState();
  assert.equal(await page.getByRole("status").textContent(), "1 Vorschlag abgelehnt.");
  proposals = await stored();
  assert.equal(proposals["Werbung für Dinge"].status, "rejected");
  assert.equal(proposals["Werbung für Dinge"].reason, "Werbung ist hier nicht erlaubt.");

  // Into a rejected proposal: refused with the reason, the choice kept, nothing changed.
  await page.getByLabel("Auswählen: Bänke am Flussufer").check();
  await page.getByLabel(/Zusammenführen mit einem anderen Thema/).check();
  await page.getByLabel("Zusammenführen mit (Thema suchen)").fill(proposals["Werbung für Dinge"].key);
  await page.getByRole("button", { name: "Entscheidung ausführen" }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole("alert").textContent(), /ist abgelehnt; führen Sie mit einem wartenden oder angenommenen Vorschlag zusammen/);
  assert.equal(await page.getByLabel("Auswählen: Bänke am Flussufer").isChecked(), true);
  assert.equal((await stored())["Bänke am Flussufer"].status, "pending");
  await accessible(page, "moderation queue with a refused merge");

  // The duplicate merged into the topic found by its title (the list offers open topics).
  const offered = await page.locator("#merge-targets option").evaluateAll((options) => options.map((o) => o.value));
  assert.ok(offered.includes(proposals["Mehr Bänke am Fluss"].key), `${offered}`);
  assert.ok(!offered.includes(proposals["Werbung für Dinge"].key), "a rejected proposal is no target");
  await page.getByLabel("Zusammenführen mit (Thema suchen)").fill("mehr bänke am fluss");
  await page.getByRole("button", { name: "Entscheidung ausführen" }).click();
  await page.waitForLoadState();
  assert.equal(await page.getByRole("status").textContent(), "1 Vorschlag zusammengeführt.");
  proposals = await stored();
  assert.equal(proposals["Bänke am Flussufer"].status, "merged");
  assert.equal(proposals["Bänke am Flussufer"].merged_into, proposals["Mehr Bänke am Fluss"].key);
  assert.equal(await navLink(page), "Vorschläge");
  assert.match(await page.locator("main").textContent(), /Keine Vorschläge warten auf eine Entscheidung\./);
  await accessible(page, "empty moderation queue");

  // Every decision in one view, with its reason and where the duplicate went.
  await page.getByLabel("Status").selectOption("all");
  await page.getByRole("button", { name: "Anzeigen" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("tbody tr").count(), 4);
  assert.match(await page.locator("tbody tr", { hasText: "Werbung für Dinge" }).textContent(), /Begründung: Werbung ist hier nicht erlaubt\./);
  assert.match(await page.locator("tbody tr", { hasText: "Bänke am Flussufer" }).textContent(), /in p-[0-9a-f]{8} \(„Mehr Bänke am Fluss“\)/);
  await accessible(page, "all decisions");
  // The pages with something to fix answer 422, which Chromium reports; nothing else.
  assert.deepEqual(problems.filter((p) => !p.includes("status of 422")), []);
  await context.close();
});

test("a viewer sees the queue; the server refuses a viewer's decision", async () => {
  await env.collector.addUser(VIEWER.name, "viewer", VIEWER.password);
  await propose("Trinkbrunnen am Rathaus");
  const { context, page } = await newConsolePage(env);
  await signIn(env, page, VIEWER, "/admin/proposals");
  assert.equal(await page.locator("tbody tr", { hasText: "Trinkbrunnen am Rathaus" }).count(), 1);
  assert.equal(await page.getByRole("checkbox").count(), 0, "nothing to select");
  assert.equal(await page.getByRole("button", { name: "Entscheidung ausführen" }).count(), 0);
  await accessible(page, "moderation queue, read only");
  const { key } = (await stored())["Trinkbrunnen am Rathaus"];
  const forged = await page.request.post(`${env.collector.api}/admin/proposals`, {
    form: { csrf: await csrfOf(page), key, action: "approve" },
    headers: { origin: env.collector.api },
    maxRedirects: 0,
  });
  assert.equal(forged.status(), 403);
  assert.equal((await stored())["Trinkbrunnen am Rathaus"].status, "pending");
  await context.close();
});

test("an administrator reads in the audit log who decided what; others do not see it", async () => {
  const admin = { name: "ada.admin", password: "Protokoll-lesen-2026" };
  await env.collector.addUser(admin.name, "administrator", admin.password);
  const { context, page } = await newConsolePage(env);
  await signIn(env, page, admin);
  await page.getByRole("navigation").getByRole("link", { name: "Protokoll" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("h1").textContent(), "Protokoll");
  assert.match(await page.getByRole("status").textContent(), /Die Kette der Einträge ist vollständig/);
  const rejected = page.locator("tbody tr", { hasText: "Vorschlag abgelehnt" });
  assert.match(await rejected.textContent(), /mia\.moderation.*Werbung ist hier nicht erlaubt\./s);
  assert.equal(await page.locator("tbody tr", { hasText: "Vorschlag angenommen" }).count(), 2);
  // Accounts made on the server and every sign-in are there too.
  assert.match(await page.locator("tbody tr", { hasText: "Konto angelegt" }).first().textContent(), /command line/);
  assert.ok((await page.locator("tbody tr", { hasText: "Anmeldung" }).filter({ hasText: "mia.moderation" }).count()) >= 1);
  await accessible(page, "audit log, unfiltered");
  await page.getByLabel("Aktion").selectOption("proposal-merged");
  await page.getByRole("button", { name: "Anzeigen" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("tbody tr").count(), 1);
  await accessible(page, "audit log, filtered");

  // By who, by part of the object and by day: the viewer's account made on the command line.
  await page.getByLabel("Aktion").selectOption("");
  await page.getByLabel("Wer").selectOption("command line");
  await page.getByLabel("Objekt enthält").fill("vera");
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel("Vom Tag (UTC)").fill(today);
  await page.getByLabel("Bis zum Tag (UTC)").fill(today);
  await page.getByRole("button", { name: "Anzeigen" }).click();
  await page.waitForLoadState();
  const rows = await page.locator("tbody tr").allTextContents();
  assert.equal(rows.length, 1, rows.join("\n"));
  assert.match(rows[0], /Konto angelegt.*vera\.viewer/s);
  assert.equal(await page.getByLabel("Objekt enthält").inputValue(), "vera", "what was typed is kept");
  await accessible(page, "audit log, filtered by who, object and day");
  // A day before any entry finds none; a day that is no day is said at its field.
  await page.goto(`${env.collector.api}/admin/audit?until=2020-01-01`);
  assert.equal(await page.locator("tbody tr").count(), 0);
  await page.goto(`${env.collector.api}/admin/audit?from=gestern`);
  assert.match(await page.locator("#from-error").textContent(), /Geben Sie einen Tag an/);
  await accessible(page, "audit log, a day that is no day");
  await context.close();

  const moderator = await newConsolePage(env);
  await signIn(env, moderator.page, MODERATOR);
  assert.equal(await moderator.page.getByRole("link", { name: "Protokoll" }).count(), 0);
  const direct = await moderator.page.goto(`${env.collector.api}/admin/audit`);
  assert.equal(direct.status(), 403);
  await moderator.context.close();
});
