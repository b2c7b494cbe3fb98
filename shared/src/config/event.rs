//! An event sign-up's configuration: the event's facts (title, start, end, place), the seats,
//! the registration deadline, which fields the form asks, and the town's privacy notice.
//!
//! The title comes from `data-title` or the editor's heading; the place from `data-place` or a
//! list item that starts with "Ort:" (or "Wo:", "Place:", "Where:"). Start and end are
//! attributes, because a machine must read them exactly.

use super::{Attrs, ConfigError, EditorContent};
use crate::event::{Ask, EventFacts, FormFields, MAX_PERSONS};
use crate::text;
use crate::time::{Timestamp, parse_datetime};

pub(super) const ATTRS: &[&str] = &[
    "data-title",
    "data-start",
    "data-end",
    "data-place",
    "data-capacity",
    "data-waiting-list",
    "data-deadline",
    "data-persons-max",
    "data-phone",
    "data-organisation",
    "data-note",
    "data-privacy",
    "data-status",
    "data-refresh",
];

pub const MAX_CAPACITY: usize = 100_000;
const MAX_LABEL_CHARS: usize = 200;
const PLACE_LABELS: &[&str] = &["ort", "wo", "veranstaltungsort", "place", "where", "venue"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventConfig {
    pub heading_level: u8,
    pub facts: EventFacts,
    /// `None`: no limit. The collector's count replaces it once loaded.
    pub capacity: Option<u32>,
    pub waiting_list: bool,
    pub deadline: Option<Timestamp>,
    pub fields: FormFields,
    /// The town's privacy notice: `https://…`, `http://…` or a path on the page's site.
    pub privacy_url: String,
    /// The editor called the event off.
    pub cancelled: bool,
    /// Seconds between refreshes of the seat count while the widget is on screen.
    pub refresh_s: u32,
}

impl EventConfig {
    /// When registration ends: the deadline, and never after the start.
    pub fn registration_closes(&self) -> Timestamp {
        self.facts.registration_closes(self.deadline)
    }
}

fn time(attrs: &Attrs, name: &'static str, errors: &mut Vec<ConfigError>) -> Option<Timestamp> {
    let value = attrs.keyword(name)?;
    parse_datetime(&value)
        .map_err(|_| errors.push(ConfigError::BadTime { attr: name, value }))
        .ok()
}

fn ask(attrs: &Attrs, name: &'static str, errors: &mut Vec<ConfigError>) -> Ask {
    match attrs.one_of(name, &["off", "on", "optional", "required"], errors) {
        Some("on" | "optional") => Ask::Optional,
        Some("required") => Ask::Required,
        _ => Ask::No,
    }
}

/// The place from a list item "Ort: Rathaus, Saal 1".
fn place_from_list(content: &EditorContent) -> Option<String> {
    content.items.iter().find_map(|item| {
        let text = text::visible(&item.text);
        let (label, rest) = text.split_once(':')?;
        // ASCII only: `to_lowercase` would bring Unicode's case tables into the bundle.
        let label = label.trim().to_ascii_lowercase();
        PLACE_LABELS
            .contains(&label.as_str())
            .then(|| rest.trim().to_owned())
            .filter(|p| !p.is_empty())
    })
}

/// A link to a privacy notice: absolute http(s), or a path on the same site.
pub(super) fn privacy(attrs: &Attrs, errors: &mut Vec<ConfigError>) -> String {
    let Some(value) = attrs.keyword("data-privacy") else {
        errors.push(ConfigError::Missing {
            attr: "data-privacy",
        });
        return String::new();
    };
    let lower = value.to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://") || {
        value.starts_with('/') && !value.starts_with("//")
    }) && !value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'));
    if !ok {
        errors.push(ConfigError::BadPrivacyUrl {
            value: value.clone(),
        });
    }
    value
}

pub(super) fn parse(
    attrs: &Attrs,
    content: &EditorContent,
    errors: &mut Vec<ConfigError>,
) -> Option<EventConfig> {
    let before = errors.len();
    let (title, heading_level) = attrs
        .heading_from("data-title", content)
        .unwrap_or_else(|| {
            errors.push(ConfigError::NoTitle);
            (String::new(), 2)
        });
    let starts_at = time(attrs, "data-start", errors);
    if starts_at.is_none() && attrs.keyword("data-start").is_none() {
        errors.push(ConfigError::Missing { attr: "data-start" });
    }
    let ends_at = time(attrs, "data-end", errors);
    if let (Some(s), Some(e)) = (starts_at, ends_at)
        && e <= s
    {
        errors.push(ConfigError::EndBeforeStart);
    }
    let place = attrs
        .raw("data-place")
        .map(text::visible)
        .filter(|p| !p.is_empty())
        .or_else(|| place_from_list(content))
        .unwrap_or_default();
    let capacity = attrs
        .number("data-capacity", 1, MAX_CAPACITY, errors)
        .map(|c| c as u32);
    let waiting_list = attrs.one_of("data-waiting-list", &["on", "off"], errors) != Some("off");
    let deadline = time(attrs, "data-deadline", errors);
    let persons_max = attrs
        .number("data-persons-max", 1, MAX_PERSONS as usize, errors)
        .unwrap_or(1) as u32;
    let phone = ask(attrs, "data-phone", errors);
    let organisation = ask(attrs, "data-organisation", errors);
    let note = attrs.text("data-note", MAX_LABEL_CHARS, errors);
    let privacy_url = privacy(attrs, errors);
    let cancelled =
        attrs.one_of("data-status", &["open", "cancelled"], errors) == Some("cancelled");
    let refresh_s = attrs.number("data-refresh", 5, 3600, errors).unwrap_or(30) as u32;
    let starts_at = starts_at?;
    (errors.len() == before).then_some(EventConfig {
        heading_level,
        facts: EventFacts {
            title,
            starts_at,
            ends_at,
            place,
        },
        capacity,
        waiting_list,
        deadline,
        fields: FormFields {
            persons_max,
            phone,
            organisation,
            note,
        },
        privacy_url,
        cancelled,
        refresh_s,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Heading, Item, Source, WidgetKind, parse as parse_source};
    use super::*;

    fn source(attrs: &[(&str, &str)], items: &[&str]) -> Source {
        let mut attributes = vec![
            ("data-mitmachen".to_string(), "event".to_string()),
            ("data-id".into(), "versammlung".into()),
            ("data-endpoint".into(), "https://beteiligung.example".into()),
            ("data-privacy".into(), "/datenschutz".into()),
        ];
        attributes.extend(attrs.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        Source {
            attributes,
            content: EditorContent {
                heading: Some(Heading {
                    level: 3,
                    text: "Bürgerversammlung zum Haushalt".into(),
                }),
                items: items
                    .iter()
                    .map(|t| Item {
                        text: (*t).into(),
                        ..Item::default()
                    })
                    .collect(),
            },
            ..Source::default()
        }
    }

    fn event(s: &Source) -> Result<EventConfig, Vec<ConfigError>> {
        match parse_source(s).config {
            Ok(c) => match c.kind {
                WidgetKind::Event(e) => Ok(e),
                other => panic!("not an event: {other:?}"),
            },
            Err(e) => Err(e),
        }
    }

    #[test]
    fn facts_from_heading_list_and_attributes() {
        let s = source(
            &[
                ("data-start", "12.03.2027 18:00"),
                ("data-end", "2027-03-12T20:30+01:00"),
                ("data-capacity", "\u{201e}50\u{201c}"),
                ("data-persons-max", "4"),
                ("data-phone", "optional"),
                (
                    "data-note",
                    "Brauchen Sie Unterstützung, z. B. Gebärdensprache?",
                ),
            ],
            &["Datum: 12. März 2027, 18 Uhr", "Ort: Rathaus, Großer Saal"],
        );
        let e = event(&s).expect("valid");
        assert_eq!(e.facts.title, "Bürgerversammlung zum Haushalt");
        assert_eq!(e.heading_level, 3);
        assert_eq!(e.facts.place, "Rathaus, Großer Saal");
        assert_eq!(
            e.facts.starts_at,
            parse_datetime("2027-03-12T17:00Z").expect("valid")
        );
        assert_eq!(e.capacity, Some(50));
        assert!(e.waiting_list && !e.cancelled);
        assert_eq!(e.fields.persons_max, 4);
        assert_eq!(
            (e.fields.phone, e.fields.organisation),
            (Ask::Optional, Ask::No)
        );
        assert!(e.fields.note.is_some());
        assert_eq!(e.registration_closes(), e.facts.starts_at);
        assert_eq!(e.refresh_s, 30);
    }

    #[test]
    fn attributes_win_and_limits_hold() {
        let s = source(
            &[
                ("data-title", "Workshop Spielplatz"),
                ("data-start", "2027-05-01T10:00"),
                ("data-place", "Jugendzentrum"),
                ("data-waiting-list", "off"),
                ("data-status", "cancelled"),
                ("data-deadline", "2027-04-28T12:00"),
            ],
            &["Ort: Rathaus"],
        );
        let e = event(&s).expect("valid");
        assert_eq!(
            (
                e.facts.title.as_str(),
                e.heading_level,
                e.facts.place.as_str()
            ),
            // The attribute names the text; the editor's heading (an h3) keeps its level.
            ("Workshop Spielplatz", 3, "Jugendzentrum")
        );
        assert!(!e.waiting_list && e.cancelled && e.capacity.is_none());
        assert!(e.registration_closes() < e.facts.starts_at);
    }

    #[test]
    fn mistakes_are_named() {
        let errs = event(&source(&[], &[])).unwrap_err();
        assert_eq!(errs, [ConfigError::Missing { attr: "data-start" }]);
        let mut s = source(
            &[
                ("data-start", "2027-05-01T10:00"),
                ("data-end", "2027-05-01T09:00"),
                ("data-capacity", "0"),
                ("data-phone", "ja"),
            ],
            &[],
        );
        for (name, value) in &mut s.attributes {
            if name == "data-privacy" {
                *value = "javascript:alert(1)".into();
            }
        }
        let errs = event(&s).unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(errs.contains(&ConfigError::EndBeforeStart));
        assert!(errs.contains(&ConfigError::BadPrivacyUrl {
            value: "javascript:alert(1)".into()
        }));
        let errs = event(&source(&[("data-start", "bald")], &[])).unwrap_err();
        assert!(matches!(
            errs[0],
            ConfigError::BadTime {
                attr: "data-start",
                ..
            }
        ));
        let mut s = source(&[("data-start", "2027-05-01T10:00")], &[]);
        s.attributes.retain(|(n, _)| n != "data-privacy");
        s.content.heading = None;
        let errs = event(&s).unwrap_err();
        assert_eq!(
            errs,
            [
                ConfigError::NoTitle,
                ConfigError::Missing {
                    attr: "data-privacy"
                }
            ]
        );
    }
}
