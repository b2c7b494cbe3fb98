// Benchmark (not a test; run by `cargo xtask bench`): how long the topic list takes to show a
// citizen's dot on a list of 500 topics, from the click until the button's name ("Punkt geben:
// …", then "Punkt zurücknehmen: …") has changed in the DOM (median over repeated clicks).
// Prints one JSON object.
import { launchBrowser } from "./support/browser.mjs";
import { startCollector } from "./support/collector.mjs";

const TOPICS = 500;
const CLICKS = Number(process.env.MITMACHEN_BENCH_CLICKS || 40);

const collector = await startCollector();
const browser = await launchBrowser();
let samples;
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__ready = [];
    document.addEventListener("mitmachen:ready", (e) => window.__ready.push(e.detail.widget));
  });
  await page.goto(`${collector.site}/examples/plain.html`);
  await page.evaluate((n) => {
    const div = document.createElement("div");
    div.setAttribute("data-mitmachen", "topics");
    div.setAttribute("data-id", "bench-500");
    div.setAttribute("data-dots", "3");
    const items = Array.from({ length: n }, (_, i) => `<li><strong>Thema ${i + 1}</strong> – Beschreibung ${i + 1}</li>`);
    div.innerHTML = `<h2>500 Themen</h2><ul>${items.join("")}</ul>`;
    document.querySelector("main").append(div);
  }, TOPICS);
  await page.waitForFunction(() => window.__ready.includes("bench-500"));
  samples = await page.evaluate(async (clicks) => {
    const root = document.querySelector('[data-id="bench-500"]').shadowRoot;
    const buttons = [...root.querySelectorAll("button.mm-dot")];
    const times = [];
    for (let i = 0; i < clicks; i++) {
      // Topics spread over the list; each dot is taken back after, so the dots never run out.
      const button = buttons[(i * 37) % buttons.length];
      const before = button.getAttribute("aria-label");
      const changed = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          if (button.getAttribute("aria-label") !== before) {
            observer.disconnect();
            resolve();
          }
        });
        observer.observe(button, { attributes: true });
      });
      const start = performance.now();
      button.click();
      await changed;
      times.push(performance.now() - start);
      // Take the dot back so that the next click can give one.
      if (button.getAttribute("aria-label").startsWith("Punkt zurücknehmen")) {
        const undo = new Promise((resolve) => {
          const observer = new MutationObserver(() => {
            observer.disconnect();
            resolve();
          });
          observer.observe(button, { attributes: true });
        });
        button.click();
        await undo;
      }
    }
    return times;
  }, CLICKS);
  await context.close();
} finally {
  await browser.close();
  await collector.stop();
}
samples.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    topics: TOPICS,
    clicks: samples.length,
    median_ms: samples[Math.floor(samples.length / 2)],
    max_ms: samples.at(-1),
  }),
);
