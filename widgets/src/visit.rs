//! Remembers, for the rest of the visit (this browser tab), which polls were answered.
//!
//! `sessionStorage` is used rather than `localStorage` or cookies: it ends with the tab, stays on
//! the device and holds only the endpoint, the widget id and the chosen keys. If the browser
//! refuses storage, the widget simply forgets on reload.

use crate::browser;
use mitmachen_shared::config::Endpoint;
use mitmachen_shared::ids::{OptionKey, WidgetId};

fn key(endpoint: &Endpoint, widget: &WidgetId) -> String {
    format!("mitmachen:v1:{endpoint}:{widget}")
}

pub fn answered(endpoint: &Endpoint, widget: &WidgetId) -> Option<Vec<OptionKey>> {
    let stored = browser::session_storage()?
        .get_item(&key(endpoint, widget))
        .ok()??;
    Some(
        stored
            .split(',')
            .filter_map(|k| OptionKey::parse(k).ok())
            .collect(),
    )
}

pub fn remember(endpoint: &Endpoint, widget: &WidgetId, choices: &[OptionKey]) {
    if let Some(storage) = browser::session_storage() {
        let joined: Vec<&str> = choices.iter().map(OptionKey::as_str).collect();
        let _ = storage.set_item(&key(endpoint, widget), &joined.join(","));
    }
}
