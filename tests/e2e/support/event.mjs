// A page object for one event sign-up widget, so tests read like what a citizen does. Fields go
// by the start of their label ("Name", "E-Mail-Adresse", "Anzahl der Personen", or the editor's
// label of the free-text field).
import { FormWidget } from "./widget.mjs";

export class Event extends FormWidget {
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

  calendarLink() {
    return this.root.locator("a[download]");
  }
}
