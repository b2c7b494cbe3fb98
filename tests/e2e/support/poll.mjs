// A page object for one poll widget, so tests read like what a citizen does.
import assert from "node:assert/strict";
import { Widget } from "./widget.mjs";

export class Poll extends Widget {
  option(label) {
    return this.root.getByLabel(label, { exact: true });
  }

  async choose(...labels) {
    for (const label of labels) await this.option(label).check();
  }

  // "Ihre Antwort: …" once the poll is answered.
  answer() {
    return this.root.locator(".mm-answer").innerText();
  }

  async submit() {
    await this.root.getByRole("button").click();
  }

  // The results as text, the way a screen reader user gets them: one line per answer.
  async resultLines() {
    const section = this.root.locator(".mm-results");
    await section.locator(".mm-bars").waitFor();
    return section.locator("li").allInnerTexts();
  }

  async expectResult(label, text) {
    const lines = await this.resultLines();
    const line = lines.find((l) => l.startsWith(label));
    assert.ok(line, `no result line for ${label} in ${JSON.stringify(lines)}`);
    assert.match(line.replace(/\s+/g, " "), new RegExp(`${label} ${text.replace(/[()]/g, "\\$&")}`));
  }
}
