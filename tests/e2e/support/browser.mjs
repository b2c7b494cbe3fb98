// Debian's Chromium, headless, through playwright-core (which never downloads a browser).
import { chromium } from "playwright-core";

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

// A page that records its console errors, CSP violations and widget ready events; it opens
// `url` unless that is null (for callers that set up routes first).
// `onContext` and `initScript` let a test watch the context or the page from the first request.
export async function openPage(browser, url, { onContext, initScript, ...options } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  if (onContext) onContext(context);
  const page = await context.newPage();
  if (initScript) await page.addInitScript(initScript);
  const problems = { console: [], csp: [], pageErrors: [] };
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.console.push(msg.text());
  });
  page.on("pageerror", (error) => problems.pageErrors.push(String(error)));
  await page.addInitScript(() => {
    window.__ready = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
    document.addEventListener("mitmachen:ready", (e) => window.__ready.push(e.detail.widget));
  });
  if (url) await page.goto(url);
  return { page, context, problems };
}
