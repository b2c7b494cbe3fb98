// A page object for one topic-voting widget.
import assert from "node:assert/strict";

export class Topics {
  constructor(page, id) {
    this.page = page;
    this.id = id;
    this.root = page.locator(`[data-mitmachen][data-id="${id}"] .mm-root`);
  }

  async waitUntilReady() {
    await this.page.waitForFunction((id) => window.__ready.includes(id), this.id);
  }

  // The button whose accessible name starts "Punkt geben: <title>".
  giveButton(title) {
    return this.root.getByRole("button", { name: new RegExp(`^Punkt geben: ${title} \\(`) });
  }

  async give(title, times = 1) {
    for (let i = 0; i < times; i++) await this.giveButton(title).click();
  }

  async takeBack(title) {
    await this.root.getByRole("button", { name: `Zurücknehmen: einen Punkt von ${title}` }).click();
  }

  async propose(title, description) {
    await this.root.getByLabel("Titel").fill(title);
    await this.root.getByLabel("Beschreibung (freiwillig)").fill(description);
    await this.root.getByRole("button", { name: "Vorschlag senden" }).click();
  }

  async submit() {
    await this.root.getByRole("button", { name: "Punkte abgeben" }).click();
  }

  dotsLeft() {
    return this.root.locator(".mm-dots-left").innerText();
  }

  async expectStatus(text) {
    await this.root.locator("[role=status]", { hasText: text }).waitFor();
  }

  // Each topic as shown: title and, once counts are visible, "Platz N · M Punkte".
  async standings() {
    await this.root.locator(".mm-topic-count").first().waitFor();
    return this.root.locator(".mm-topic").evaluateAll((items) =>
      items.map((li) => ({
        title: li.querySelector(".mm-topic-title").textContent,
        count: li.querySelector(".mm-topic-count")?.textContent ?? null,
      })),
    );
  }

  async expectStanding(title, text) {
    const row = (await this.standings()).find((s) => s.title === title);
    assert.ok(row, `no topic ${title}`);
    assert.equal(row.count, text);
  }
}
