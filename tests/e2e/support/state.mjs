// Opens an example page and brings one widget into one of the states in ../states.mjs (whose
// `act` gets the page object and the collector, for what an administrator does in between).
import { openPage } from "./browser.mjs";
import { startCollector } from "./collector.mjs";
import { refuseSubmissions } from "./suite.mjs";

// `view` is one of the views in ../states.mjs: width, and optionally the browser's default font
// size and forced colours. A state marked `fresh` gets a collector of its own instead of the
// file's `collector`; the result's `collector` is the one used, and `close()` closes the page
// (and stops that collector).
export async function enterState(browser, collector, state, view, options = {}) {
  if (state.fresh) {
    const own = await startCollector();
    try {
      const entered = await enterState(browser, own, { ...state, fresh: false }, view, options);
      return {
        ...entered,
        close: async () => {
          await entered.close();
          await own.stop();
        },
      };
    } catch (error) {
      await own.stop();
      throw error;
    }
  }
  const opened = await openPage(browser, null, {
    viewport: { width: view.width, height: 900 },
    forcedColors: view.forcedColors ?? "none",
    ...options,
  });
  const { page } = opened;
  if (view.fontSize) {
    // What a reader who sets a larger font in the browser's settings gets.
    const cdp = await opened.context.newCDPSession(page);
    await cdp.send("Page.setFontSizes", { fontSizes: { standard: view.fontSize, fixed: view.fontSize } });
  }
  if (state.hold) await page.route(state.hold, () => {});
  if (state.refuse) await refuseSubmissions(page, collector, state.refuse);
  await page.goto(`${collector.site}/examples/${state.page}`);
  const widget = new state.object(page, state.id);
  if (!state.broken) await widget.waitUntilReady();
  if (state.act) await state.act(widget, collector);
  return { ...opened, widget, collector, close: () => opened.context.close() };
}
