// A page object for one topic-voting widget.
import assert from "node:assert/strict";
import { Widget } from "./widget.mjs";

export class Topics extends Widget {
  // The button whose accessible name starts "Punkt geben: <title>".
  giveButton(title) {
    return this.root.getByRole("button", { name: new RegExp(`^Punkt geben: ${title} \\(`) });
  }

  async give(title, times = 1) {
    for (let i = 0; i < times; i++) await this.giveButton(title).click();
  }

  async takeBack(title) {
    await this.root.getByRole("button", { name: `Punkt zurücknehmen: ${title}` }).click();
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
