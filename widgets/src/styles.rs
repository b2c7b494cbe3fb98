//! The widget's CSS, adopted into each shadow root as one shared constructed stylesheet.
//!
//! A constructed stylesheet is what a strict `style-src` CSP allows (no `<style>` element, no
//! `style` attribute); result bar widths are classes (`mm-w-0` to `mm-w-100`) for the same
//! reason.

use std::cell::RefCell;
use wasm_bindgen::JsValue;
use web_sys::{CssStyleSheet, ShadowRoot};

const CSS: &str = include_str!("widget.css");

thread_local! {
    static SHEET: RefCell<Option<CssStyleSheet>> = const { RefCell::new(None) };
}

fn sheet() -> Result<CssStyleSheet, JsValue> {
    SHEET.with(|cell| {
        if let Some(sheet) = cell.borrow().as_ref() {
            return Ok(sheet.clone());
        }
        let mut css = String::with_capacity(CSS.len() + 2_500);
        css.push_str(CSS);
        for w in 0..=100 {
            css.push_str(&format!(".mm-w-{w}{{width:{w}%}}"));
        }
        let sheet = CssStyleSheet::new()?;
        sheet.replace_sync(&css)?;
        *cell.borrow_mut() = Some(sheet.clone());
        Ok(sheet)
    })
}

pub fn adopt(root: &ShadowRoot) -> Result<(), JsValue> {
    let sheets = js_sys::Array::of1(&sheet()?.into());
    js_sys::Reflect::set(root, &JsValue::from_str("adoptedStyleSheets"), &sheets).map(|_| ())
}

/// The class giving a result bar its width.
pub fn width_class(percent: u64) -> String {
    format!("mm-fill mm-w-{}", percent.min(100))
}
