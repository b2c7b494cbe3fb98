// DSGVO: while a citizen uses each widget (every state in ./states.mjs), the browser sets no
// cookie, talks to no origin but the page's own, the bundle's and the endpoint's, and does not
// touch localStorage.
import assert from "node:assert/strict";
import { test } from "node:test";
import { states } from "./states.mjs";
import { enterState } from "./support/state.mjs";
import { withCollectorAndBrowser } from "./support/suite.mjs";

const env = withCollectorAndBrowser();

for (const state of states) {
  test(`${state.name}: no cookies, no third parties, no localStorage`, async () => {
    const requests = [];
    const { page, context, collector, close } = await enterState(env.browser, env.collector, state, { width: 1280 }, {
      onContext: (ctx) => ctx.on("request", (r) => requests.push(r.url())),
      initScript: () => {
        window.__localStorageUse = 0;
        const proto = Object.getPrototypeOf(window.localStorage);
        for (const name of ["getItem", "setItem", "removeItem", "clear", "key"]) {
          const original = proto[name];
          proto[name] = function (...args) {
            if (this === window.localStorage) window.__localStorageUse++;
            return original.apply(this, args);
          };
        }
      },
    });
    try {
      // Let late requests (results refresh) happen before counting.
      await page.waitForTimeout(300);
      const allowed = new Set([new URL(collector.site).origin, new URL(collector.api).origin]);
      const foreign = requests.filter((u) => !u.startsWith("data:") && !allowed.has(new URL(u).origin));
      assert.deepEqual(foreign, [], "requests to other origins");
      assert.ok(requests.some((u) => u.startsWith(collector.api)), "the bundle was loaded from the collector");
      assert.deepEqual(await context.cookies(), [], "cookies");
      const local = await page.evaluate(() => ({ uses: window.__localStorageUse, length: localStorage.length }));
      assert.deepEqual(local, { uses: 0, length: 0 }, "localStorage");
    } finally {
      await close();
    }
  });
}
