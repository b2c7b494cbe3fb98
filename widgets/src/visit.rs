//! Remembers, for the rest of the visit (this browser tab), which widgets were answered and how.
//!
//! `sessionStorage` is used rather than `localStorage` or cookies: it ends with the tab, stays on
//! the device and holds only the endpoint, the widget id and the chosen keys (with their dots,
//! for a topic list; for an event sign-up only where the registration landed, never what was
//! typed). If the browser refuses storage, the widget simply forgets on reload.

use crate::{browser, wire};
use mitmachen_shared::config::Endpoint;
use mitmachen_shared::event::Placement;
use mitmachen_shared::ids::{OptionKey, WidgetId};
use mitmachen_shared::text;
use mitmachen_shared::topics::Dots;

fn key(endpoint: &Endpoint, widget: &WidgetId) -> String {
    format!("mitmachen:v1:{endpoint}:{widget}")
}

fn get(endpoint: &Endpoint, widget: &WidgetId) -> Option<String> {
    browser::session_storage()?
        .get_item(&key(endpoint, widget))
        .ok()?
}

fn set(endpoint: &Endpoint, widget: &WidgetId, value: &str) {
    if let Some(storage) = browser::session_storage() {
        let _ = storage.set_item(&key(endpoint, widget), value);
    }
}

/// A poll's answers: `ja,nein`.
pub fn answered(endpoint: &Endpoint, widget: &WidgetId) -> Option<Vec<OptionKey>> {
    let stored = get(endpoint, widget)?;
    Some(
        stored
            .split(',')
            .filter_map(|k| OptionKey::parse(k).ok())
            .collect(),
    )
}

pub fn remember(endpoint: &Endpoint, widget: &WidgetId, choices: &[OptionKey]) {
    let joined: Vec<&str> = choices.iter().map(OptionKey::as_str).collect();
    set(endpoint, widget, &text::join(&joined, ","));
}

/// A topic list's dots: `radwege:2,spielplaetze:1`.
pub fn dots_given(endpoint: &Endpoint, widget: &WidgetId) -> Option<Dots> {
    let stored = get(endpoint, widget)?;
    let placements = stored.split(',').filter_map(|pair| {
        let (k, n) = pair.split_once(':')?;
        Some((OptionKey::parse(k).ok()?, n.parse().ok()?))
    });
    Some(Dots::from_placements(placements))
}

pub fn remember_dots(endpoint: &Endpoint, widget: &WidgetId, dots: &Dots) {
    let pairs: Vec<String> = dots
        .placements()
        .iter()
        .map(|(k, n)| format!("{k}:{n}"))
        .collect();
    set(endpoint, widget, &text::join(&pairs, ","));
}

/// An event sign-up: `seat` or `waiting_list`, nothing the citizen typed.
pub fn registered(endpoint: &Endpoint, widget: &WidgetId) -> Option<Placement> {
    wire::placement(&get(endpoint, widget)?)
}

pub fn remember_registration(endpoint: &Endpoint, widget: &WidgetId, placement: Placement) {
    set(endpoint, widget, wire::placement_name(placement));
}
