// A page object for one event sign-up widget, so tests read like what a citizen does.

export class Event {
  constructor(page, id) {
    this.page = page;
    this.id = id;
    this.root = page.locator(`[data-mitmachen][data-id="${id}"] .mm-root`);
  }

  async waitUntilReady() {
    await this.page.waitForFunction((id) => window.__ready.includes(id), this.id);
  }

  // A field by the start of its label ("Name", "E-Mail-Adresse", "Anzahl der Personen", or the
  // editor's label of the free-text field); the label goes on with "(Pflichtfeld)" or
  // "(freiwillig)".
  field(label) {
    const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return this.root.getByLabel(new RegExp(`^${escaped} \\(`));
  }

  // Fills the form: `{ name, email, persons, phone, organisation, note }`, each optional.
  async fill(values) {
    const labels = {
      name: "Name",
      email: "E-Mail-Adresse",
      persons: "Anzahl der Personen",
      phone: "Telefonnummer",
      organisation: "Organisation oder Verein",
    };
    for (const [key, value] of Object.entries(values)) {
      const field = key === "note" ? this.root.locator("textarea") : this.field(labels[key]);
      await field.fill(String(value));
    }
  }

  submitButton() {
    return this.root.locator("button.mm-submit");
  }

  async submit() {
    await this.submitButton().click();
  }

  // Fills the form and submits it.
  async register(values) {
    await this.fill(values);
    await this.submit();
  }

  // Registers as one more citizen in this browser: the registration, then the visit's memory of
  // it cleared and the page reloaded, so the widget shows the event as the next citizen sees it.
  async registerAsAnother(values) {
    await this.register(values);
    await this.expectStatus("Vielen Dank");
    await this.page.evaluate(() => sessionStorage.clear());
    await this.page.reload();
    await this.waitUntilReady();
  }

  // The line about seats: "Noch 12 von 50 Plätzen frei.", "Ausgebucht – …", "… geschlossen."
  seats() {
    return this.root.locator(".mm-seats");
  }

  async expectSeats(text) {
    await this.seats().filter({ hasText: text }).waitFor();
  }

  status() {
    return this.root.locator("[role=status]");
  }

  async expectStatus(text) {
    await this.status().filter({ hasText: text }).waitFor();
  }

  async expectAlert(text) {
    await this.root.locator("[role=alert]").filter({ hasText: text }).waitFor();
  }

  summary() {
    return this.root.locator(".mm-error-summary");
  }

  // The texts of the error summary's links.
  async summaryLines() {
    await this.summary().waitFor();
    return this.summary().locator("a").allInnerTexts();
  }

  // What the page's assistive technology hears about a field: its aria-describedby texts.
  async description(label) {
    return this.field(label).evaluate((el) =>
      el
        .getAttribute("aria-describedby")
        .split(" ")
        .map((id) => el.getRootNode().getElementById(id)?.innerText ?? "")
        .filter((t) => t !== ""),
    );
  }

  calendarLink() {
    return this.root.locator("a[download]");
  }
}
