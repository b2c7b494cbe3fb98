// WCAG 2.2 AA checks on every state of every widget (./states.mjs), at desktop width and at
// 320 px: axe-core inside the widget's shadow root, reflow without horizontal scrolling, live
// regions present before any message, and 24 px targets.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";
import { states, views } from "./states.mjs";
import { enterState } from "./support/state.mjs";
import { withCollectorAndBrowser } from "./support/suite.mjs";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const env = withCollectorAndBrowser();

async function axe(page, id) {
  // The example pages' CSP forbids injected scripts; axe is evaluated as a function instead.
  await page.evaluate(axeSource);
  return page.evaluate(
    async ({ id, tags }) => {
      const host = document.querySelector(`[data-id="${id}"]`);
      const result = await window.axe.run(host, { runOnly: { type: "tag", values: tags } });
      return {
        // How many rules found something to check: guards against a run that saw nothing.
        passed: result.passes.length,
        violations: result.violations.map((v) => ({
          rule: v.id,
          impact: v.impact,
          help: v.help,
          elements: v.nodes.map((n) => `${n.target.join(" >>> ")}: ${n.failureSummary}`),
        })),
      };
    },
    { id, tags: AXE_TAGS },
  );
}

for (const state of states) {
  for (const view of views) {
    test(`${state.name} at ${view.name}`, async () => {
      const { page, close } = await enterState(env.browser, env.collector, state, view, { reducedMotion: "reduce" });
      try {
        await check(page, state, view);
      } finally {
        await close();
      }
    });
  }
}

// axe, reflow, text size, live regions and target sizes of one widget in one state.
async function check(page, state, view) {
  const { passed, violations } = await axe(page, state.id);
  assert.deepEqual(violations, [], `axe found violations:\n${JSON.stringify(violations, null, 2)}`);
  assert.ok(passed >= 3, `axe checked only ${passed} rules inside the widget`);

  const layout = await page.evaluate((id) => {
    const root = document.querySelector(`[data-id="${id}"]`).shadowRoot;
    const wrapper = root.querySelector(".mm-root");
    // The honeypot is hidden from people on purpose.
    const people = (el) => !el.closest("[aria-hidden=true]");
    const targets = [...root.querySelectorAll("input, button, a")].filter(people).map((el) => {
      // A native radio or checkbox counts with its label, which is the click target.
      const box = (el.closest("label") || el).getBoundingClientRect();
      return { name: el.outerHTML.slice(0, 60), width: box.width, height: box.height };
    });
    const fill = root.querySelector(".mm-fill");
    return {
      fontSize: getComputedStyle(wrapper).fontSize,
      // Result bars: still visible in forced colours, and without animation when the reader
      // asked for reduced motion.
      fill: fill && {
        background: getComputedStyle(fill).backgroundColor,
        track: getComputedStyle(fill.parentElement).backgroundColor,
        transition: getComputedStyle(fill).transitionDuration,
      },
      overflow: wrapper.scrollWidth - wrapper.clientWidth,
      // Per form: one status and one alert region each, there before any message.
      regions: [...root.querySelectorAll("form")].map((form) => [
        form.querySelectorAll("[role=status]").length,
        form.querySelectorAll("[role=alert]").length,
      ]),
      targets,
    };
  }, state.id);
  assert.ok(layout.overflow <= 0, `the widget scrolls horizontally by ${layout.overflow} px`);
  if (view.fontSize) assert.equal(layout.fontSize, `${view.fontSize}px`, "the widget follows the reader's font size");
  if (layout.fill) {
    assert.notEqual(layout.fill.background, layout.fill.track, "a result bar stands out from its track");
    assert.notEqual(layout.fill.background, "rgba(0, 0, 0, 0)", "a result bar has a colour");
    assert.equal(layout.fill.transition, "0s", "no animation with prefers-reduced-motion");
  }
  for (const t of layout.targets) {
    assert.ok(t.width >= 24 && t.height >= 24, `target smaller than 24 px: ${JSON.stringify(t)}`);
  }
  if (!state.broken) {
    assert.ok(layout.regions.length >= 1, "the widget has a form");
    for (const counts of layout.regions) {
      assert.deepEqual(counts, [1, 1], "one status and one alert live region per form, from the start");
    }
  }
}
