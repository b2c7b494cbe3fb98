/*! mitmachen __VERSION__ | participation widgets for municipal websites | EUPL-1.2 */
(function () {
  "use strict";
  // The bundle may be included twice on one page (site-wide and in an article): the second
  // copy does nothing.
  if (window.mitmachen) return;
  var script = document.currentScript;
  window.mitmachen = { version: "__VERSION__" };
  if (!script || !script.src) {
    console.error("mitmachen: load the bundle with <script src=\"…/mitmachen.js\" defer>; it finds its files next to itself.");
    return;
  }
  var wasmUrl = new URL("__WASM_FILE__", script.src);
  var defaultEndpoint = script.getAttribute("data-endpoint");

/*__GLUE__*/

  // The loader pins the module's hash, so the script tag's integrity covers the whole bundle.
  // Credentials as a `<link rel="preload" as="fetch" crossorigin>` has them (none across
  // origins), so a page that preloads the module gets it from there instead of twice.
  var module = fetch(wasmUrl, { integrity: "__WASM_INTEGRITY__", mode: "cors" });
  function mount() {
    wasm_bindgen.mount_all(defaultEndpoint);
  }
  wasm_bindgen({ module_or_path: module }).then(function () {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", mount, { once: true });
    } else {
      mount();
    }
  }, function (error) {
    console.error("mitmachen: could not load " + wasmUrl + " (its server must send Access-Control-Allow-Origin when it is on another origin)", error);
  });
})();
