// Benchmark (not a test; run by `cargo xtask bench`): pages as a phone on a slow mobile network
// sees them. Chrome's "Slow 4G" profile (562.5 ms latency, 180 KB/s down, 84 KB/s up) and 4x
// CPU throttling through the DevTools protocol; cold loads in fresh contexts. Per page: the
// median time from DOMContentLoaded until every widget is interactive (`mitmachen:ready:<id>`
// marks, which the hand-written baseline sets too) and the bytes on the wire. Prints one JSON
// object.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser } from "./support/browser.mjs";
import { startCollector } from "./support/collector.mjs";

const loads = Number(process.env.MITMACHEN_BENCH_LOADS || 7);
const here = dirname(fileURLToPath(import.meta.url));

// Chrome DevTools' own numbers for "Slow 4G".
const SLOW_4G = {
  offline: false,
  latency: 562.5,
  downloadThroughput: 180000,
  uploadThroughput: 84375,
};
const CPU_SLOWDOWN = 4;

// The example pages plus the bench's own two: the two polls as widgets and written by hand.
const site = mkdtempSync(join(tmpdir(), "mitmachen-slow-4g-"));
cpSync(process.env.MITMACHEN_EXAMPLES, site, { recursive: true });
cpSync(join(here, "bench"), site, { recursive: true });

// `broken`: rathaus.html's deliberately misconfigured widget, which never becomes ready.
const pages = {
  rathaus: { file: "rathaus.html", broken: 1 },
  two_polls: { file: "zwei-umfragen.html", broken: 0 },
  vanilla_two_polls: { file: "vanilla-zwei-umfragen.html", broken: 0 },
};

const collector = await startCollector({ env: { MITMACHEN_SITE_DIR: site } });
const browser = await launchBrowser();

async function load({ file, broken }) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", SLOW_4G);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
  let bytes = 0;
  const urls = new Map();
  cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
  cdp.on("Network.loadingFinished", (e) => {
    bytes += e.encodedDataLength;
  });
  const downloads = [];
  cdp.on("Network.responseReceived", (e) => downloads.push(e.response.url));
  await tab.goto(`${collector.site}/examples/${file}`, { timeout: 120000 });
  const expected =
    (await tab.evaluate(() => document.querySelectorAll("[data-mitmachen], form.poll").length)) - broken;
  await tab.waitForFunction(
    (n) => performance.getEntriesByType("mark").filter((m) => m.name.startsWith("mitmachen:ready:")).length >= n,
    expected,
    { timeout: 120000 },
  );
  const ms = await tab.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const marks = performance.getEntriesByType("mark").filter((m) => m.name.startsWith("mitmachen:ready:"));
    return Math.max(0, Math.max(...marks.map((m) => m.startTime)) - nav.domContentLoadedEventStart);
  });
  // Let what the widgets asked for at once (definitions, results, seats) arrive: those are
  // bytes of this page too.
  await tab.waitForLoadState("networkidle", { timeout: 120000 });
  const wasm = downloads.filter((u) => u.endsWith(".wasm")).length;
  await context.close();
  return { ms, bytes, wasm };
}

const result = { loads, profile: { ...SLOW_4G, cpu_slowdown: CPU_SLOWDOWN } };
try {
  for (const [key, page] of Object.entries(pages)) {
    const samples = [];
    for (let i = 0; i < loads; i++) samples.push(await load(page));
    samples.sort((a, b) => a.ms - b.ms);
    const median = samples[Math.floor(samples.length / 2)];
    result[key] = {
      page: page.file,
      median_ms: Math.round(median.ms),
      min_ms: Math.round(samples[0].ms),
      max_ms: Math.round(samples.at(-1).ms),
      bytes: median.bytes,
      wasm_downloads: median.wasm,
    };
    console.error(`slow 4G: ${page.file}: ${JSON.stringify(result[key])}`);
  }
} finally {
  await browser.close();
  await collector.stop();
  rmSync(site, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
