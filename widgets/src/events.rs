//! The widget's side of the host page contract: DOM CustomEvents on the editor's element.
//!
//! `mitmachen:ready`, `mitmachen:submitted` and `mitmachen:error` bubble from the element, so a
//! page can listen on `document` (e.g. for its own statistics) without touching the widget.

use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, Element};

fn detail(pairs: &[(&str, &str)]) -> JsValue {
    let obj = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    obj.into()
}

fn dispatch(host: &Element, name: &str, pairs: &[(&str, &str)]) {
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_detail(&detail(pairs));
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = host.dispatch_event(&event);
    }
}

/// The widget is interactive. Also sets a performance mark, so load time can be measured.
pub fn ready(host: &Element, widget: &str, kind: &str) {
    if let Some(perf) = crate::browser::window().and_then(|w| w.performance()) {
        let _ = perf.mark(&format!("mitmachen:ready:{widget}"));
    }
    dispatch(
        host,
        "mitmachen:ready",
        &[("widget", widget), ("type", kind)],
    );
}

fn submitted(host: &Element, widget: &str, receipt: &str) {
    dispatch(
        host,
        "mitmachen:submitted",
        &[("widget", widget), ("receipt", receipt)],
    );
}

/// `mitmachen:submitted` for a registration: the widget and where it landed (`seat` or
/// `waiting_list`) only; nothing the citizen typed, and no receipt that could be linked to them.
pub fn registered(host: &Element, widget: &str, placement: &str) {
    dispatch(
        host,
        "mitmachen:submitted",
        &[("widget", widget), ("placement", placement)],
    );
}

/// `mitmachen:submitted` for a newsletter request: the widget only. Not the address, and no
/// receipt: the collector answers alike whether the address was new or already known.
pub fn requested(host: &Element, widget: &str) {
    dispatch(host, "mitmachen:submitted", &[("widget", widget)]);
}

pub fn error(host: &Element, widget: &str, message: &str) {
    dispatch(
        host,
        "mitmachen:error",
        &[("widget", widget), ("message", message)],
    );
}

/// `mitmachen:submitted` or `mitmachen:error` for what a submission came to.
pub fn report(
    host: &Element,
    widget: &str,
    sent: &Result<mitmachen_shared::protocol::Receipt, crate::transport::SendError>,
) {
    match sent {
        Ok(receipt) => submitted(host, widget, &receipt.receipt),
        Err(e) => error(host, widget, &e.describe()),
    }
}
