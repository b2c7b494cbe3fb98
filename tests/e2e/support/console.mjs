// What the console's browser tests share: signing in through the form, the CSRF token of a
// page's forms, and axe over the whole document at a desktop and a phone width.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

export const COOKIE = "__Host-mitmachen-console";

// A fresh browser context (no cookies) and page; console errors and page errors collected.
export async function newConsolePage(env, width = 1280) {
  const context = await env.browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => msg.type() === "error" && problems.push(msg.text()));
  page.on("pageerror", (error) => problems.push(String(error)));
  return { context, page, problems };
}

// Signs in through the form; lands on `path`.
export async function signIn(env, page, { name, password }, path = "/admin/") {
  await page.goto(`${env.collector.api}${path}`);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Passwort", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Anmelden" }).click();
  await page.waitForLoadState();
}

// axe over the whole page, and no horizontal scrolling of the page itself (tables scroll in
// their own region).
export async function accessible(page, label) {
  for (const width of [1280, 320]) {
    await page.setViewportSize({ width, height: 900 });
    await page.evaluate(axeSource);
    const { passed, violations } = await page.evaluate(async (tags) => {
      const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
      return {
        passed: result.passes.length,
        violations: result.violations.map((v) => ({
          rule: v.id,
          help: v.help,
          elements: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
        })),
      };
    }, AXE_TAGS);
    assert.deepEqual(violations, [], `${label} at ${width} px:\n${JSON.stringify(violations, null, 2)}`);
    assert.ok(passed >= 5, `${label}: axe checked only ${passed} rules`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${label} at ${width} px scrolls sideways by ${overflow} px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

// The hidden CSRF token of the page's forms.
export async function csrfOf(page) {
  return page.locator('input[name="csrf"]').first().getAttribute("value");
}
