//! `[events.<id>]`: the events that take registrations, as the administrator declares them.

use crate::config::ConfigError;
use crate::events::Event;
use mitmachen_shared::event::{EventFacts, MAX_PERSONS};
use mitmachen_shared::time::parse_datetime;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileEvent {
    title: String,
    start: String,
    end: Option<String>,
    #[serde(default)]
    place: String,
    /// Seats, counted in persons; absent: no limit.
    capacity: Option<i64>,
    waiting_list: Option<bool>,
    deadline: Option<String>,
    persons_max: Option<i64>,
    #[serde(default)]
    cancelled: bool,
    page_url: Option<String>,
}

/// Largest capacity taken: a town hall, not a stadium; beyond this is a typo.
const MAX_CAPACITY: i64 = 100_000;

pub(crate) fn event(key: &str, file: FileEvent) -> Result<Event, ConfigError> {
    let time = |name: &str, written: &str| {
        parse_datetime(written)
            .map_err(|e| ConfigError::new(format!("{key}.{name}"), format!("'{written}': {e}")))
    };
    let title = file.title.trim().to_owned();
    if title.is_empty() {
        return Err(ConfigError::new(format!("{key}.title"), "is empty"));
    }
    let starts_at = time("start", &file.start)?;
    let ends_at = file.end.as_deref().map(|e| time("end", e)).transpose()?;
    if ends_at.is_some_and(|e| e <= starts_at) {
        return Err(ConfigError::new(format!("{key}.end"), "is not after start"));
    }
    let deadline = file
        .deadline
        .as_deref()
        .map(|d| time("deadline", d))
        .transpose()?;
    let capacity = match file.capacity {
        None => None,
        Some(n) if (1..=MAX_CAPACITY).contains(&n) => u32::try_from(n).ok(),
        Some(n) => {
            return Err(ConfigError::new(
                format!("{key}.capacity"),
                format!("{n} is out of range (1 to {MAX_CAPACITY}; leave it out for no limit)"),
            ));
        }
    };
    let persons_max = match file.persons_max {
        None => MAX_PERSONS,
        Some(n) => u32::try_from(n)
            .ok()
            .filter(|n| (1..=MAX_PERSONS).contains(n))
            .ok_or_else(|| {
                ConfigError::new(
                    format!("{key}.persons_max"),
                    format!("{n} is out of range (1 to {MAX_PERSONS})"),
                )
            })?,
    };
    let page_url = match file.page_url.map(|u| u.trim().to_owned()) {
        Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
            if u.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(ConfigError::new(
                    format!("{key}.page_url"),
                    "contains spaces",
                ));
            }
            Some(u)
        }
        Some(u) if u.is_empty() => None,
        Some(u) => {
            return Err(ConfigError::new(
                format!("{key}.page_url"),
                format!("'{u}' is not an http(s) URL"),
            ));
        }
        None => None,
    };
    Ok(Event {
        facts: EventFacts {
            title,
            starts_at,
            ends_at,
            place: file.place.trim().to_owned(),
        },
        capacity,
        waiting_list: file.waiting_list.unwrap_or(true),
        deadline,
        persons_max,
        cancelled: file.cancelled,
        page_url,
        mail_texts: super::texts::MailTexts::new(),
    })
}
