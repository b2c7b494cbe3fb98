/*! mitmachen __VERSION__ | participation widgets for municipal websites | EUPL-1.2 */
(function () {
  "use strict";
  // The bundle may be included twice on one page (site-wide and in an article): the second
  // copy does nothing.
  if (window.mitmachen) return;
  var script = document.currentScript;
  var loader = (window.mitmachen = { version: "__VERSION__" });
  if (!script || !script.src) {
    console.error("mitmachen: load the bundle with <script src=\"…/mitmachen.js\" defer>; it finds its files next to itself.");
    return;
  }
  var defaultEndpoint = script.getAttribute("data-endpoint");

  // One module per set of widget kinds, smallest first (`cargo xtask dist` fills this in); the
  // last holds every kind.
  var bundles = /*__BUNDLES__*/[];
  // The complete module's wasm-bindgen glue, which instantiates any of them (their imports and
  // exports are named by one table, `xtask/src/names.rs`); one instance per started module.
  var makeGlue = /*__GLUE__*/null;
  var complete = bundles[bundles.length - 1];

  // `data-mitmachen` as the modules read it to decide which elements are theirs.
  function kindOf(element) {
    return (element.getAttribute("data-mitmachen") || "").toLowerCase().replace(/[^a-z]/g, "");
  }

  // The kinds on the page (or below `root`) that no started bundle holds.
  function missingKinds(root) {
    var missing = [];
    var found = root.querySelectorAll ? root.querySelectorAll("[data-mitmachen]") : [];
    var elements = Array.prototype.slice.call(found);
    if (root.matches && root.matches("[data-mitmachen]")) elements.push(root);
    elements.forEach(function (element) {
      var kind = kindOf(element);
      var held = bundles.some(function (b) { return b.started && b.kinds.indexOf(kind) >= 0; });
      if (!held && !complete.started && missing.indexOf(kind) < 0) missing.push(kind);
    });
    return missing;
  }

  // The smallest bundle that holds all of `kinds`; for an unknown kind the complete one, which
  // explains what is wrong.
  function choose(kinds) {
    return bundles.filter(function (b) {
      return kinds.every(function (k) { return b.kinds.indexOf(k) >= 0; });
    })[0] || complete;
  }

  var parsed = new Promise(function (resolve) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", resolve, { once: true });
    } else {
      resolve();
    }
  });

  // Fetches and instantiates a bundle (once) and lets it mount its widgets once the page is
  // parsed; resolves to its exports.
  function start(bundle) {
    if (!bundle.started) {
      var url = new URL(bundle.file, script.src);
      // The loader pins each module's hash, so the script tag's integrity covers every bundle.
      // Credentials as a `<link rel="preload" as="fetch" crossorigin>` has them (none across
      // origins), so a page that preloads the module gets it from there instead of twice.
      var module = fetch(url, { integrity: bundle.integrity, mode: "cors" });
      var glue = makeGlue();
      bundle.started = Promise.all([glue({ module_or_path: module }), parsed]).then(function () {
        glue.mount_all(defaultEndpoint);
        return glue;
      }, function (error) {
        console.error("mitmachen: could not load " + url + " (its server must send Access-Control-Allow-Origin when it is on another origin)", error);
      });
    }
    return bundle.started;
  }

  function load(kinds) {
    if (kinds.length) start(choose(kinds));
  }

  // A module whose element the collector's definition made a kind it lacks hands the element
  // to the complete bundle (`loader::hand_over` in the widgets).
  loader.handOver = function (element) {
    start(complete).then(function (glue) {
      if (glue) glue.adopt(element);
    });
  };

  // A bundle the page preloads starts at once, even before the page is parsed (a script
  // without `defer`): it is on its way already.
  var preloaded = bundles.filter(function (b) {
    return document.querySelector('link[rel~="preload"][href$="/' + b.file + '"]');
  })[0];
  if (preloaded) start(preloaded);

  parsed.then(function () {
    load(missingKinds(document));
    // Elements a CMS or a page script adds later may need another bundle; the started ones
    // mount what is theirs themselves.
    new MutationObserver(function (records) {
      var kinds = [];
      records.forEach(function (record) {
        Array.prototype.forEach.call(record.addedNodes, function (node) {
          if (node.nodeType !== 1) return;
          missingKinds(node).forEach(function (k) {
            if (kinds.indexOf(k) < 0) kinds.push(k);
          });
        });
      });
      load(kinds);
    }).observe(document.documentElement, { childList: true, subtree: true });
  });
})();
