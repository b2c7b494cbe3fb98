//! The mitmachen widgets, compiled to WebAssembly and started by the loader script.
//!
//! Data flows one way: the element's attributes and HTML ([`loader::source`]) become a typed
//! configuration (`mitmachen_shared::config`), a widget renders from its state
//! ([`poll::state`]), and every submission goes through [`transport`]. Nothing in here may
//! panic: a panic in the wasm stops every widget on the page, so failures become messages.

// A bundle built with only some kinds (cargo features) leaves parts of the shared modules unused.
#![cfg_attr(
    not(all(
        feature = "poll",
        feature = "topics",
        feature = "event",
        feature = "newsletter"
    )),
    allow(dead_code, unused_imports)
)]

#[cfg(any(feature = "poll", feature = "topics"))]
mod ballot;
mod browser;
mod config_error;
#[cfg(feature = "event")]
mod event;
mod events;
#[cfg(any(feature = "event", feature = "newsletter"))]
mod form;
mod honeypot;
pub mod loader;
#[cfg(feature = "newsletter")]
mod newsletter;
#[cfg(feature = "poll")]
mod poll;
pub mod retry;
mod styles;
#[cfg(feature = "topics")]
mod topics;
mod transport;
#[cfg(any(feature = "poll", feature = "topics", feature = "event"))]
mod visit;
mod wire;

use wasm_bindgen::prelude::*;

// Talc instead of std's dlmalloc: 1.6 KB brotli less per bundle and no slower (measured with
// `cargo xtask bench`'s browser figures: a dot on a 500-topic list re-renders in a median
// 3.3-3.8 ms with either, `rathaus.html` is interactive after 101-114 ms against 110-111 ms).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Called once by the loader script (`dist/loader.js`) after the module is instantiated.
/// `default_endpoint` is the script tag's `data-endpoint`.
#[wasm_bindgen]
pub fn mount_all(default_endpoint: Option<String>) {
    loader::start(default_endpoint);
}

/// Called by the loader script when another bundle handed `host` over: the collector's
/// definition made it a kind that bundle does not hold.
#[wasm_bindgen]
pub fn adopt(host: web_sys::Element) {
    loader::adopt(&host);
}
