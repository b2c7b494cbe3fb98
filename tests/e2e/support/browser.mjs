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

// Adds a widget to a page once the bundle has mounted the page's own widgets, as a CMS that
// loads content later would; it uses the script tag's endpoint.
export async function addWidget(page, attributes, html) {
  await page.waitForFunction(() => window.__ready.length > 0);
  await page.evaluate(
    ({ attributes, html }) => {
      const div = document.createElement("div");
      for (const [name, value] of Object.entries(attributes)) div.setAttribute(name, value);
      div.setAttribute("data-endpoint", document.querySelector("script[data-endpoint]").dataset.endpoint);
      div.innerHTML = html;
      document.querySelector("main").append(div);
    },
    { attributes, html },
  );
}
