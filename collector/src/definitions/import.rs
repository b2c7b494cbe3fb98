//! The configuration file's `[events.*]` and `[newsletters.*]` as definitions, stored at start
//! with origin `file`: a changed declaration becomes a new version, an unchanged one nothing.
//! The file stays the place to change them (the console shows them read-only), so existing
//! installations keep working as they are.

use super::store::{self, Change, Expected, Saved};
use super::{Origin, Settings, Status};
use crate::config::Config;
use crate::db::{self, Store, StoreError};
use crate::events::Event;
use crate::newsletters::{DEFAULT_CONFIRM_HOURS, DEFAULT_UNCONFIRMED_DAYS, Newsletter};
use mitmachen_shared::definition::{Attributes, Definition, DefinitionItem, Kind};
use mitmachen_shared::event::MAX_PERSONS;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::time::berlin_rfc3339;

/// Who changed a definition that came from the file.
pub const BY_FILE: &str = "configuration file";

/// The file's declarations as definitions, by id.
pub(crate) fn from_file(config: &Config) -> Vec<(WidgetId, Definition, Settings)> {
    let events = config
        .events
        .iter()
        .map(|(id, e)| (id.clone(), event(e), event_settings(e)));
    let newsletters = config
        .newsletters
        .iter()
        .map(|(id, n)| (id.clone(), newsletter(n), newsletter_settings(n)));
    events.chain(newsletters).collect()
}

fn event(event: &Event) -> Definition {
    let mut attributes = Attributes::default();
    let mut set = |name: &str, value: String| {
        attributes.insert(name.to_owned(), value);
    };
    set("data-title", event.facts.title.clone());
    set("data-start", berlin_rfc3339(event.facts.starts_at));
    if let Some(end) = event.facts.ends_at {
        set("data-end", berlin_rfc3339(end));
    }
    if !event.facts.place.is_empty() {
        set("data-place", event.facts.place.clone());
    }
    if let Some(capacity) = event.capacity {
        set("data-capacity", capacity.to_string());
    }
    if !event.waiting_list {
        set("data-waiting-list", "off".into());
    }
    if let Some(deadline) = event.deadline {
        set("data-deadline", berlin_rfc3339(deadline));
    }
    // Not declared: the page decides how many persons its form offers.
    if event.persons_max != MAX_PERSONS {
        set("data-persons-max", event.persons_max.to_string());
    }
    if event.cancelled {
        set("data-status", "cancelled".into());
    }
    Definition {
        kind: Kind::Event,
        attributes,
        heading: None,
        items: Vec::new(),
    }
}

fn event_settings(event: &Event) -> Settings {
    Settings {
        page_url: event.page_url.clone(),
        ..Settings::default()
    }
}

fn newsletter(newsletter: &Newsletter) -> Definition {
    Definition {
        kind: Kind::Newsletter,
        // The file's title is what the mails call it; the page's heading stays the page's.
        attributes: Attributes::default(),
        heading: None,
        items: newsletter
            .lists
            .iter()
            .map(|(key, label)| DefinitionItem {
                text: label.clone(),
                key: Some(key.as_str().to_owned()),
                title: None,
            })
            .collect(),
    }
}

fn newsletter_settings(newsletter: &Newsletter) -> Settings {
    Settings {
        page_url: newsletter.page_url.clone(),
        mail_title: Some(newsletter.title.clone()),
        confirm_hours: (newsletter.confirm_hours != DEFAULT_CONFIRM_HOURS)
            .then_some(newsletter.confirm_hours),
        unconfirmed_days: (newsletter.unconfirmed_days != DEFAULT_UNCONFIRMED_DAYS)
            .then_some(newsletter.unconfirmed_days),
        ..Settings::default()
    }
}

/// Stores the file's declarations, and discards the definitions of declarations the file no
/// longer has (read-only elsewhere, they could not be removed otherwise); every collector on a
/// database may run it at once (each is compared and saved in one write transaction).
pub(crate) fn import(
    store: &dyn Store,
    declared: Vec<(WidgetId, Definition, Settings)>,
    endpoint: &str,
) -> Result<(), StoreError> {
    let ids: Vec<WidgetId> = declared.iter().map(|(id, _, _)| id.clone()).collect();
    let gone = db::write(store, move |tx| {
        let mut gone = Vec::new();
        for widget in store::all(tx)? {
            if widget.origin == Origin::File && !ids.contains(&widget.id) {
                store::discard(tx, &widget.id, BY_FILE)?;
                gone.push(widget.id);
            }
        }
        Ok(gone)
    })?;
    for id in gone {
        tracing::warn!(widget = %id, "the configuration file no longer declares this widget; its definition is discarded");
    }
    for (id, definition, settings) in declared {
        if let Err(errors) = definition.check(&id, endpoint) {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            return Err(StoreError(format!(
                "the configuration file's declaration of '{id}' is not a valid widget: {}",
                errors.join("; ")
            )));
        }
        let saved = db::write(store, move |tx| {
            let before = store::get(tx, &id)?.map(|w| w.origin);
            let saved = store::save(
                tx,
                &id,
                Change {
                    definition: &definition,
                    settings: &settings,
                    status: Status::Active,
                    origin: Origin::File,
                    by: BY_FILE,
                    expected: Expected::Any,
                },
            )?;
            Ok((id, before, saved))
        })?;
        match saved {
            (id, Some(origin), Saved::Changed(w)) if origin != Origin::File => {
                tracing::warn!(widget = %id, version = w.version, was = origin.as_str(), "the configuration file declares this widget; its declaration replaces the definition made elsewhere");
            }
            (id, _, Saved::Created(w) | Saved::Changed(w)) => {
                tracing::info!(widget = %id, version = w.version, "definition imported from the configuration file");
            }
            _ => {}
        }
    }
    Ok(())
}
