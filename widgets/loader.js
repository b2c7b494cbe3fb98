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

  // One module per set of widget kinds and languages, smallest first (`cargo xtask dist` fills
  // this in); the last holds every kind and language.
  var bundles = /*__BUNDLES__*/[];
  // The complete module's wasm-bindgen glue, which instantiates any of them (their imports and
  // exports are named by one table, `xtask/src/names.rs`); one instance per started module.
  var makeGlue = /*__GLUE__*/null;
  var complete = bundles[bundles.length - 1];

  // `data-mitmachen` as the modules read it to decide which elements are theirs.
  function kindOf(element) {
    return (element.getAttribute("data-mitmachen") || "").toLowerCase().replace(/[^a-z]/g, "");
  }

  // The language an element's widget speaks as the modules read it (`config::lang_of`:
  // `data-lang`, else the closest `lang`, else German) where that is plainly "de" or "en";
  // null for anything else, which only a bundle with every language takes.
  function langOf(element) {
    var tag = element.getAttribute("data-lang");
    if (tag === null) {
      var holder = element.closest("[lang]");
      tag = holder ? holder.getAttribute("lang") : "de";
    }
    // ("de-ls" is Einfache Sprache.)
    var plain = /^(de(?!-ls$)|en)(-[a-z]{2})?$/.exec(tag.toLowerCase());
    return plain && plain[1];
  }

  // Whether `bundle` holds a widget of this kind and language.
  function holds(bundle, need) {
    return bundle.kinds.indexOf(need.kind) >= 0 && (need.lang
      ? bundle.langs.indexOf(need.lang) >= 0
      : bundle.langs.length === complete.langs.length);
  }

  // The widgets on the page (or below `root`), as kind and language, that no started bundle
  // holds.
  function missingWidgets(root) {
    var missing = [];
    var found = root.querySelectorAll ? root.querySelectorAll("[data-mitmachen]") : [];
    var elements = Array.prototype.slice.call(found);
    if (root.matches && root.matches("[data-mitmachen]")) elements.push(root);
    elements.forEach(function (element) {
      var need = { kind: kindOf(element), lang: langOf(element) };
      var held = complete.started || bundles.some(function (b) { return b.started && holds(b, need); });
      var known = missing.some(function (m) { return m.kind === need.kind && m.lang === need.lang; });
      if (!held && !known) missing.push(need);
    });
    return missing;
  }

  // The smallest bundle that holds all of `needs`; for an unknown kind the complete one, which
  // explains what is wrong.
  function choose(needs) {
    return bundles.filter(function (b) {
      return needs.every(function (need) { return holds(b, need); });
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

  function load(needs) {
    if (needs.length) start(choose(needs));
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
    load(missingWidgets(document));
    // Elements a CMS or a page script adds later may need another bundle; the started ones
    // mount what is theirs themselves.
    new MutationObserver(function (records) {
      var needs = [];
      records.forEach(function (record) {
        Array.prototype.forEach.call(record.addedNodes, function (node) {
          if (node.nodeType === 1) needs = needs.concat(missingWidgets(node));
        });
      });
      load(needs);
    }).observe(document.documentElement, { childList: true, subtree: true });
  });
})();
