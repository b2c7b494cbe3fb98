// Benchmark (not a test; run by `cargo xtask bench`): time from DOMContentLoaded until every
// widget on the example page is interactive (its `mitmachen:ready:<id>` performance mark), over
// repeated cold loads in fresh browser contexts. Prints one JSON object.
import { launchBrowser } from "./support/browser.mjs";
import { startCollector } from "./support/collector.mjs";

const loads = Number(process.env.MITMACHEN_BENCH_LOADS || 15);
const page = process.env.MITMACHEN_BENCH_PAGE || "rathaus.html";

const collector = await startCollector();
const browser = await launchBrowser();
const samples = [];
let widgets = 0;
try {
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${collector.site}/examples/${page}`);
    const expected = await tab.evaluate(() => document.querySelectorAll("[data-mitmachen]").length);
    // The deliberately broken widget never becomes ready; count the ones that can.
    await tab.waitForFunction(
      (n) => performance.getEntriesByType("mark").filter((m) => m.name.startsWith("mitmachen:ready:")).length >= n,
      expected - 1,
    );
    const ms = await tab.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const marks = performance.getEntriesByType("mark").filter((m) => m.name.startsWith("mitmachen:ready:"));
      return { ready: Math.max(...marks.map((m) => m.startTime)) - nav.domContentLoadedEventStart, count: marks.length };
    });
    widgets = ms.count;
    samples.push(ms.ready);
    await context.close();
  }
} finally {
  await browser.close();
  await collector.stop();
}
samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)];
console.log(JSON.stringify({ page, loads, widgets, median_ms: median, min_ms: samples[0], max_ms: samples.at(-1) }));
