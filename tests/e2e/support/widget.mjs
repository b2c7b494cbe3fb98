// What every page object shares: the widget's root inside its shadow root, waiting until it is
// interactive, and its live regions; `FormWidget` adds the fields of a form with typed input,
// its error summary and what assistive technology hears about a control.

export class Widget {
  constructor(page, id) {
    this.page = page;
    this.id = id;
    // Playwright's CSS locators pierce open shadow roots.
    this.root = page.locator(`[data-mitmachen][data-id="${id}"] .mm-root`);
  }

  async waitUntilReady() {
    await this.page.waitForFunction((id) => window.__ready.includes(id), this.id);
  }

  status() {
    return this.root.locator("[role=status]");
  }

  async expectStatus(text) {
    await this.status().filter({ hasText: text }).waitFor();
  }

  alert() {
    return this.root.locator("[role=alert]");
  }

  async expectAlert(text) {
    await this.alert().filter({ hasText: text }).waitFor();
  }
}

export class FormWidget extends Widget {
  // A field by the start of its label ("Name", "E-Mail-Adresse", …); the label goes on with
  // "(Pflichtfeld)" or "(freiwillig)".
  field(label) {
    const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return this.root.getByLabel(new RegExp(`^${escaped} \\(`));
  }

  submitButton() {
    return this.root.locator("button.mm-submit");
  }

  async submit() {
    await this.submitButton().click();
  }

  summary() {
    return this.root.locator(".mm-error-summary");
  }

  // The texts of the error summary's links.
  async summaryLines() {
    await this.summary().waitFor();
    return this.summary().locator("a").allInnerTexts();
  }

  // What assistive technology hears about a control (a locator, or a field's label): its
  // aria-describedby texts.
  async description(control) {
    const target = typeof control === "string" ? this.field(control) : control;
    return target.evaluate((el) =>
      el
        .getAttribute("aria-describedby")
        .split(" ")
        .map((id) => el.getRootNode().getElementById(id)?.innerText ?? "")
        .filter((t) => t !== ""),
    );
  }

  // Whether `control` has the keyboard focus inside the widget.
  async hasFocus(control) {
    return control.evaluate((el) => el.getRootNode().activeElement === el);
  }
}
