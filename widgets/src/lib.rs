//! The mitmachen widgets, compiled to WebAssembly and started by the loader script.
//!
//! Data flows one way: the element's attributes and HTML ([`loader::source`]) become a typed
//! configuration (`mitmachen_shared::config`), a widget renders from its state
//! ([`poll::state`]), and every submission goes through [`transport`]. Nothing in here may
//! panic: a panic in the wasm stops every widget on the page, so failures become messages.

mod ballot;
mod browser;
mod config_error;
mod event;
mod events;
mod form;
mod honeypot;
pub mod loader;
mod newsletter;
mod poll;
pub mod retry;
mod styles;
mod topics;
mod transport;
mod visit;
mod wire;

use wasm_bindgen::prelude::*;

/// Called once by the loader script (`dist/loader.js`) after the module is instantiated.
/// `default_endpoint` is the script tag's `data-endpoint`.
#[wasm_bindgen]
pub fn mount_all(default_endpoint: Option<String>) {
    loader::start(default_endpoint);
}
