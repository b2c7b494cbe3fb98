//! Small wrappers around browser APIs that may be missing or may throw; none of them panics.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

pub fn document() -> Option<web_sys::Document> {
    window()?.document()
}

/// Milliseconds since the epoch, from the browser's clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

pub fn console_error(message: &str) {
    web_sys::console::error_1(&JsValue::from_str(message));
}

pub fn console_warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}

/// Waits without blocking the page.
pub async fn sleep(ms: u32) {
    sleep_until(ms, false).await;
}

/// Waits `ms`, or less if the browser reports that it is back online.
pub async fn sleep_or_online(ms: u32) {
    sleep_until(ms, true).await;
}

async fn sleep_until(ms: u32, or_online: bool) {
    let Some(win) = window() else { return };
    let mut wake: Option<js_sys::Function> = None;
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let ms = i32::try_from(ms).unwrap_or(i32::MAX);
        if win
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .is_err()
        {
            let _ = resolve.call0(&JsValue::NULL);
        }
        if or_online {
            let _ = win.add_event_listener_with_callback("online", &resolve);
            wake = Some(resolve);
        }
    });
    let _ = JsFuture::from(promise).await;
    if let Some(resolve) = wake {
        let _ = win.remove_event_listener_with_callback("online", &resolve);
    }
}

/// A UUID v7 (RFC 9562: the time in ms, then random bits from `crypto.getRandomValues`, which,
/// unlike `crypto.randomUUID`, also works on pages served over plain http). As idempotency
/// keys, keys that sort by time are added at the end of the collector's key index instead of
/// each on a page of its own, which every commit would then write to disk.
pub fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    let filled = window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // No Web Crypto: an idempotency key only needs to be unique, not secret.
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    // Whole milliseconds since 1970 fit 48 bits until the year 10889.
    let ms = (js_sys::Date::now().max(0.0) as u64).to_be_bytes();
    bytes[..6].copy_from_slice(&ms[2..]);
    bytes[6] = (bytes[6] & 0x0f) | 0x70;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `sessionStorage`, if the browser lets this page use it.
pub fn session_storage() -> Option<web_sys::Storage> {
    window()?.session_storage().ok().flatten()
}

/// Moves keyboard focus, if the element can take it.
pub fn focus(node: &yew::NodeRef) {
    if let Some(el) = node.cast::<web_sys::HtmlElement>() {
        let _ = el.focus();
    }
}

/// Moves keyboard focus to the element with this id in the shadow root the event happened in.
pub fn focus_by_id(event: &web_sys::Event, id: &str) {
    let el = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
        .and_then(|n| n.get_root_node().dyn_into::<web_sys::ShadowRoot>().ok())
        .and_then(|root| root.get_element_by_id(id))
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = el {
        let _ = el.focus();
    }
}

/// Whether the citizen can see `el` now: the page is showing and the element is at least partly
/// on screen.
pub fn on_screen(el: &web_sys::Element) -> bool {
    let page_shown =
        document().is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
    let height = window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0);
    let rect = el.get_bounding_client_rect();
    page_shown && rect.bottom() > 0.0 && rect.top() < height
}

/// The page's address without query and fragment (which may carry what is nobody else's
/// business).
pub fn page_url() -> Option<String> {
    let location = window()?.location();
    Some(format!(
        "{}{}",
        location.origin().ok()?,
        location.pathname().ok()?
    ))
}

/// The page's address as the browser shows it (`location.href`).
pub fn page_href() -> Option<String> {
    window()?.location().href().ok()
}

/// `url` (absolute, or a path like `/datenschutz`) made absolute against the page's address.
pub fn absolute_url(url: &str) -> Option<String> {
    Some(web_sys::Url::new_with_base(url, &page_href()?).ok()?.href())
}

/// `text` as a `blob:` URL of the given type, for a download link.
pub fn object_url(text: &str, mime: &str) -> Option<String> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

pub fn dyn_into<T: JsCast>(value: JsValue) -> Option<T> {
    value.dyn_into::<T>().ok()
}

/// Asks the loader script (`window.mitmachen.handOver`) to let the bundle with every kind render
/// `host`. False when there is no such loader (a page that instantiated the module itself).
pub fn hand_over(host: &web_sys::Element) -> bool {
    let call = || -> Option<()> {
        let loader =
            js_sys::Reflect::get(&window()?.into(), &JsValue::from_str("mitmachen")).ok()?;
        let function = js_sys::Reflect::get(&loader, &JsValue::from_str("handOver"))
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        function.call1(&loader, host).ok().map(drop)
    };
    call().is_some()
}
