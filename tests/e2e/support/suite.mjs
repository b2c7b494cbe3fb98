// What every browser test file shares: one collector and one browser for the file, started
// before its tests and stopped after them, and an endpoint that refuses submissions.
import { after, before } from "node:test";
import { launchBrowser } from "./browser.mjs";
import { startCollector } from "./collector.mjs";
import { startSmtp } from "./smtp.mjs";

// Returns an object whose `collector` and `browser` are set once the file's tests run;
// `options` go to `startCollector`.
export function withCollectorAndBrowser(options = {}) {
  const env = { collector: null, browser: null };
  before(async () => {
    env.collector = await startCollector(options);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.collector?.stop();
  });
  return env;
}

// The same with an SMTP server on 127.0.0.1 (`smtp`) that the collector sends its mails to.
export function withMailCollectorAndBrowser() {
  const env = { smtp: null, collector: null, browser: null };
  before(async () => {
    env.smtp = await startSmtp();
    env.collector = await startCollector({ smtp: env.smtp.port });
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.collector?.stop();
    await env.smtp?.stop();
  });
  return env;
}

// Answers submissions matching `pattern` with 422, as an endpoint does for a closed poll.
export async function refuseSubmissions(page, collector, pattern) {
  await page.route(pattern, (route) =>
    route.fulfill({
      status: 422,
      contentType: "application/problem+json",
      headers: { "access-control-allow-origin": collector.site },
      body: JSON.stringify({
        type: "urn:mitmachen:problem:invalid-submission",
        title: "The submission breaks a rule",
        status: 422,
        detail: "Die Abstimmung ist geschlossen.",
      }),
    }),
  );
}
