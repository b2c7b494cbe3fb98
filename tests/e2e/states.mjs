// Every state of every widget, as data: the accessibility, reflow and privacy checks run over
// this list, so a new widget joins them by adding its states here (and its example page), not
// by copying test code.
//
// A state names the example page, the widget's data-id, and what a citizen does to get there
// (`act`, given a page object). `hold` makes the endpoint never answer a submission, to
// catch the pending state. `fresh` gives the state a collector of its own, as configured and
// untouched by the states before it (for states that depend on how many seats are taken).
import { Event } from "./support/event.mjs";
import { Newsletter } from "./support/newsletter.mjs";
import { Poll } from "./support/poll.mjs";
import { Topics } from "./support/topics.mjs";

// A description as long as a proposal's may be (1000 characters): the list shows its start.
export const LONG_DESCRIPTION = Array.from(
  { length: 40 },
  (_, i) => `Satz ${i + 1}: Auf dem Weg zur Schule fehlt ein Spielplatz.`,
).join(" ").slice(0, 1000);

export const states = [
  { name: "poll: initial, single choice", page: "rathaus.html", id: "marktplatz-autofrei", object: Poll },
  {
    name: "poll: initial with live results, multiple choice",
    page: "rathaus.html",
    id: "buergerhaus-angebote",
    object: Poll,
    act: async (poll) => poll.root.locator(".mm-results .mm-bars").waitFor(),
  },
  {
    name: "poll: validation error",
    page: "rathaus.html",
    id: "buergerhaus-angebote",
    object: Poll,
    act: async (poll) => {
      await poll.choose("Café und Treffpunkt", "Bibliothek", "Werkstatt zum Reparieren");
      await poll.submit();
      await poll.root.locator(".mm-field-error").waitFor();
    },
  },
  {
    name: "poll: pending",
    page: "rathaus.html",
    id: "marktplatz-autofrei",
    object: Poll,
    hold: "**/v1/widgets/marktplatz-autofrei/submissions",
    act: async (poll) => {
      await poll.choose("Ja");
      await poll.submit();
      await poll.expectStatus("wird gesendet");
    },
  },
  {
    name: "poll: success with results",
    page: "rathaus.html",
    id: "marktplatz-autofrei",
    object: Poll,
    act: async (poll) => {
      await poll.choose("Nein");
      await poll.submit();
      await poll.expectStatus("Vielen Dank");
      await poll.root.locator(".mm-answer", { hasText: "Ihre Antwort: Nein" }).waitFor();
      await poll.root.locator(".mm-results .mm-bars").waitFor();
    },
  },
  {
    name: "poll: answered earlier in the visit, multiple choice, the own answers in words",
    page: "rathaus.html",
    id: "buergerhaus-angebote",
    object: Poll,
    act: async (poll) => {
      await poll.choose("Bibliothek", "Räume für Vereine");
      await poll.submit();
      await poll.expectStatus("Vielen Dank");
      await poll.page.reload();
      await poll.waitUntilReady();
      await poll.root.locator(".mm-answer", { hasText: "Ihre Antworten: Räume für Vereine, Bibliothek" }).waitFor();
      await poll.root.locator(".mm-results .mm-bars").waitFor();
    },
  },
  {
    name: "poll: no connection, the notice",
    page: "rathaus.html",
    id: "marktplatz-autofrei",
    object: Poll,
    act: async (poll) => {
      await poll.page.context().setOffline(true);
      await poll.choose("Ja");
      await poll.submit();
      await poll.root.locator(".mm-offline", { hasText: "Keine Verbindung" }).waitFor();
    },
  },
  {
    name: "poll: refused by the endpoint",
    page: "rathaus.html",
    id: "marktplatz-autofrei",
    object: Poll,
    refuse: "**/v1/widgets/marktplatz-autofrei/submissions",
    act: async (poll) => {
      await poll.choose("Ja");
      await poll.submit();
      await poll.root.locator("[role=alert]", { hasText: "nicht angenommen" }).waitFor();
    },
  },
  {
    name: "poll: closed with results",
    page: "rathaus.html",
    id: "stadtfest-2026-motto",
    object: Poll,
    act: async (poll) => poll.root.locator(".mm-results .mm-bars").waitFor(),
  },
  {
    name: "poll: broken configuration",
    page: "rathaus.html",
    id: "Spielplatz Nord",
    object: Poll,
    broken: true,
    act: async (poll) => poll.page.locator('[data-id="Spielplatz Nord"] .mm-config-error').waitFor(),
  },
  { name: "topics: initial", page: "rathaus.html", id: "fokusgruppe-innenstadt", object: Topics },
  {
    name: "topics: dots given, one refused",
    page: "rathaus.html",
    id: "fokusgruppe-innenstadt",
    object: Topics,
    act: async (topics) => {
      await topics.give("Radwege", 3);
      await topics.root.locator(".mm-field-error", { hasText: "keinen weiteren Punkt" }).waitFor();
    },
  },
  {
    name: "topics: nothing given",
    page: "rathaus.html",
    id: "fokusgruppe-innenstadt",
    object: Topics,
    act: async (topics) => {
      await topics.submit();
      await topics.root.locator(".mm-field-error", { hasText: "mindestens einem Thema" }).waitFor();
    },
  },
  {
    name: "topics: proposal with a mistake",
    page: "rathaus.html",
    id: "fokusgruppe-innenstadt",
    object: Topics,
    act: async (topics) => {
      await topics.propose("ab", "");
      await topics.root.locator("#mm-p-title-error", { hasText: "Zeichen" }).waitFor();
    },
  },
  {
    name: "topics: proposal sent",
    page: "rathaus.html",
    id: "fokusgruppe-innenstadt",
    object: Topics,
    act: async (topics) => {
      await topics.propose("Mehr Bäume", "");
      await topics.root.locator(".mm-propose [role=status]", { hasText: "Vielen Dank" }).waitFor();
    },
  },
  {
    name: "topics: success with counts and ranks",
    page: "rathaus.html",
    id: "fokusgruppe-innenstadt",
    object: Topics,
    act: async (topics) => {
      await topics.give("Leerstand");
      await topics.submit();
      await topics.expectStatus("Vielen Dank");
      await topics.root.locator(".mm-topic-count").first().waitFor();
    },
  },
  {
    // Long descriptions come most often from citizens' proposals, approved by the town.
    name: "topics: a long approved description, opened",
    page: "rathaus.html",
    id: "fokusgruppe-innenstadt",
    object: Topics,
    fresh: true,
    act: async (topics, collector) => {
      await topics.propose("Spielplätze", LONG_DESCRIPTION);
      await topics.root.locator(".mm-propose [role=status]", { hasText: "Vielen Dank" }).waitFor();
      const [pending] = await collector.admin("GET", "/v1/admin/widgets/fokusgruppe-innenstadt/proposals?status=pending");
      await collector.admin("POST", `/v1/admin/proposals/${pending.key}/approve`);
      await topics.page.reload();
      await topics.waitUntilReady();
      await topics.root.getByRole("button", { name: "mehr anzeigen", expanded: false }).click();
      await topics.root.getByRole("button", { name: "weniger anzeigen", expanded: true }).waitFor();
    },
  },
  {
    name: "event: open, seats left",
    page: "rathaus.html",
    id: "buergerversammlung-haushalt",
    object: Event,
    act: async (event) => event.expectSeats("Plätzen frei"),
  },
  {
    name: "event: few seats left",
    page: "veranstaltungen.html",
    id: "werkstatt-spielplatz",
    object: Event,
    fresh: true,
    act: async (event) => {
      await event.registerAsAnother({ name: "Anna Beispiel", email: "anna@example.de" });
      await event.expectSeats("Nur noch 2 von 3 Plätzen frei");
    },
  },
  {
    name: "event: full, waiting list open",
    page: "veranstaltungen.html",
    id: "werkstatt-spielplatz",
    object: Event,
    fresh: true,
    act: async (event) => {
      await event.registerAsAnother({ name: "Anna Beispiel", email: "anna@example.de", persons: 2 });
      await event.registerAsAnother({ name: "Ben Beispiel", email: "ben@example.de" });
      await event.expectSeats("Ausgebucht – Sie können sich auf die Warteliste setzen");
      await event.submitButton().filter({ hasText: "Auf die Warteliste setzen" }).waitFor();
    },
  },
  {
    name: "event: full, no waiting list",
    page: "veranstaltungen.html",
    id: "lesung-stadtbibliothek",
    object: Event,
    fresh: true,
    act: async (event) => {
      await event.registerAsAnother({ name: "Anna Beispiel", email: "anna@example.de", persons: 2 });
      await event.expectSeats("eine Warteliste gibt es nicht");
    },
  },
  {
    name: "event: registration closed",
    page: "veranstaltungen.html",
    id: "stadtfuehrung-2026",
    object: Event,
    act: async (event) => event.expectSeats("Die Anmeldung ist geschlossen."),
  },
  {
    name: "event: cancelled",
    page: "veranstaltungen.html",
    id: "neujahrsempfang-2027",
    object: Event,
    act: async (event) => event.expectSeats("Diese Veranstaltung wurde abgesagt."),
  },
  {
    name: "event: mistakes in the form, with the error summary",
    page: "rathaus.html",
    id: "buergerversammlung-haushalt",
    object: Event,
    act: async (event) => {
      await event.register({ email: "erika@", persons: 9 });
      await event.summary().waitFor();
    },
  },
  {
    name: "event: pending",
    page: "rathaus.html",
    id: "buergerversammlung-haushalt",
    object: Event,
    hold: "**/v1/widgets/buergerversammlung-haushalt/submissions",
    act: async (event) => {
      await event.register({ name: "Erika Mustermann", email: "erika@example.de" });
      await event.expectStatus("wird gesendet");
    },
  },
  {
    name: "event: no connection, the notice",
    page: "rathaus.html",
    id: "buergerversammlung-haushalt",
    object: Event,
    act: async (event) => {
      await event.page.context().setOffline(true);
      await event.register({ name: "Erika Mustermann", email: "erika@example.de" });
      await event.root.locator(".mm-offline", { hasText: "Keine Verbindung" }).waitFor();
    },
  },
  {
    name: "event: registered, seat",
    page: "rathaus.html",
    id: "buergerversammlung-haushalt",
    object: Event,
    fresh: true,
    act: async (event) => {
      await event.register({ name: "Erika Mustermann", email: "erika@example.de", persons: 2 });
      await event.expectStatus("Sie sind angemeldet");
      await event.calendarLink().waitFor();
    },
  },
  {
    name: "event: registered, waiting list",
    page: "veranstaltungen.html",
    id: "werkstatt-spielplatz",
    object: Event,
    fresh: true,
    act: async (event) => {
      await event.registerAsAnother({ name: "Anna Beispiel", email: "anna@example.de", persons: 2 });
      await event.registerAsAnother({ name: "Ben Beispiel", email: "ben@example.de" });
      await event.register({ name: "Erika Mustermann", email: "erika@example.de" });
      await event.expectStatus("Sie stehen auf der Warteliste");
      await event.calendarLink().waitFor();
    },
  },
  {
    name: "event: refused by the endpoint",
    page: "rathaus.html",
    id: "buergerversammlung-haushalt",
    object: Event,
    refuse: "**/v1/widgets/buergerversammlung-haushalt/submissions",
    act: async (event) => {
      await event.register({ name: "Erika Mustermann", email: "erika@example.de" });
      await event.expectAlert("nicht angenommen");
    },
  },
  { name: "newsletter: initial, two lists to choose from", page: "rathaus.html", id: "newsletter-beteiligung", object: Newsletter },
  {
    name: "newsletter: initial, one list, no name, Einfache Sprache",
    page: "veranstaltungen.html",
    id: "newsletter-beteiligung",
    object: Newsletter,
  },
  {
    name: "newsletter: mistakes in the form, with the error summary",
    page: "rathaus.html",
    id: "newsletter-beteiligung",
    object: Newsletter,
    act: async (newsletter) => {
      await newsletter.subscribe({ email: "erika@", name: "Erika" });
      await newsletter.summary().waitFor();
    },
  },
  {
    name: "newsletter: pending",
    page: "rathaus.html",
    id: "newsletter-beteiligung",
    object: Newsletter,
    hold: "**/v1/widgets/newsletter-beteiligung/submissions",
    act: async (newsletter) => {
      await newsletter.subscribe({ email: "erika@example.de", lists: ["Veranstaltungen"] });
      await newsletter.expectStatus("wird gesendet");
    },
  },
  {
    name: "newsletter: no connection, the notice",
    page: "rathaus.html",
    id: "newsletter-beteiligung",
    object: Newsletter,
    act: async (newsletter) => {
      await newsletter.page.context().setOffline(true);
      await newsletter.subscribe({ email: "erika@example.de", lists: ["Veranstaltungen"] });
      await newsletter.root.locator(".mm-offline", { hasText: "Keine Verbindung" }).waitFor();
    },
  },
  {
    name: "newsletter: request stored, confirm the link",
    page: "rathaus.html",
    id: "newsletter-beteiligung",
    object: Newsletter,
    act: async (newsletter) => {
      await newsletter.subscribe({ email: "erika@example.de", lists: ["Beteiligung und Umfragen"] });
      await newsletter.expectStatus("Bitte bestätigen Sie den Link");
    },
  },
  {
    name: "newsletter: refused by the endpoint",
    page: "rathaus.html",
    id: "newsletter-beteiligung",
    object: Newsletter,
    refuse: "**/v1/widgets/newsletter-beteiligung/submissions",
    act: async (newsletter) => {
      await newsletter.subscribe({ email: "erika@example.de", lists: ["Veranstaltungen"] });
      await newsletter.expectAlert("nicht angenommen");
    },
  },
];

// Every state is checked at a desktop width, at 320 CSS pixels (WCAG 1.4.10 reflow), and with
// the reader's default font size doubled (WCAG 1.4.4; the widgets follow that setting) in
// forced colours (Windows high contrast).
export const views = [
  { name: "1280 px", width: 1280 },
  { name: "320 px", width: 320 },
  { name: "200 % text, forced colours", width: 640, fontSize: 32, forcedColors: "active" },
];
