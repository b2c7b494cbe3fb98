//! An event's own mail texts: per mail kind and language, a subject and an opening text the town
//! writes in place of the standard words (the facts, links, calendar file and footer stay).
//! Placeholders are the event's, never the registrant's: `{title}`, `{when}`, `{place}` and
//! `{persons}`, so a mail never echoes what someone typed into the form.

use super::mail::EventMailKind;
use mitmachen_shared::messages::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The mails whose words an event may change.
pub const KINDS: [EventMailKind; 6] = [
    EventMailKind::Seat,
    EventMailKind::WaitingList,
    EventMailKind::Promoted,
    EventMailKind::CancelledByOrganiser,
    EventMailKind::EventMoved,
    EventMailKind::EventCancelled,
];

pub const LANGS: [Lang; 3] = [Lang::De, Lang::DeEasy, Lang::En];

pub const PLACEHOLDERS: [&str; 4] = ["title", "when", "place", "persons"];

pub const SUBJECT_MAX: usize = 200;
pub const TEXT_MAX: usize = 4000;

/// One mail's own words; an empty part keeps the standard one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailText {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub subject: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// An event's own texts by key (`kind/lang`, e.g. `seat/de-einfach`).
pub type MailTexts = BTreeMap<String, MailText>;

/// The key of a kind's text in a language.
pub fn key(kind: EventMailKind, lang: Lang) -> String {
    format!(
        "{}/{}",
        crate::mail::kind::MailKind::Event(kind).as_str(),
        mitmachen_shared::event::lang_code(lang)
    )
}

/// What is wrong with `texts`, as (key and part, detail): an unknown mail or language, a
/// placeholder that is none, a part too long.
pub fn problems(texts: &MailTexts) -> Vec<(String, String)> {
    let known: Vec<String> = KINDS
        .iter()
        .flat_map(|k| LANGS.iter().map(move |l| key(*k, *l)))
        .collect();
    let mut found = Vec::new();
    for (key, text) in texts {
        if !known.contains(key) {
            found.push((key.clone(), format!("'{key}' is no mail text an event has")));
            continue;
        }
        for (part, value, max) in [
            ("subject", &text.subject, SUBJECT_MAX),
            ("text", &text.text, TEXT_MAX),
        ] {
            if value.chars().count() > max {
                found.push((format!("{key}/{part}"), format!("at most {max} characters")));
            }
            if let Some(unknown) = unknown_placeholder(value) {
                found.push((
                    format!("{key}/{part}"),
                    format!("{{{unknown}}} is no placeholder; use {{title}}, {{when}}, {{place}} or {{persons}}"),
                ));
            }
        }
    }
    found
}

/// The first `{name}` in `text` that is not a placeholder.
pub fn unknown_placeholder(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        // An unclosed brace is plain text.
        let close = after.find('}')?;
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Some(name.to_owned());
        }
        rest = &after[close + 1..];
    }
    None
}

/// The event's values for the placeholders.
pub struct Values<'a> {
    pub title: &'a str,
    pub when: &'a str,
    pub place: &'a str,
    pub persons: u32,
}

/// `text` with its placeholders filled; the values are the event's (or a count), never typed by
/// a registrant.
pub fn fill(text: &str, values: &Values<'_>) -> String {
    text.replace("{title}", values.title)
        .replace("{when}", values.when)
        .replace("{place}", values.place)
        .replace("{persons}", &values.persons.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_the_events_only() {
        assert_eq!(unknown_placeholder("Hallo {title} am {when}"), None);
        assert_eq!(unknown_placeholder("Hallo {name}"), Some("name".into()));
        assert_eq!(unknown_placeholder("ein { offenes"), None);
        let texts: MailTexts = [
            (
                "seat/de".to_owned(),
                MailText {
                    subject: "Platz: {title}".into(),
                    text: "Hallo {name}".into(),
                },
            ),
            ("seat/fr".to_owned(), MailText::default()),
        ]
        .into();
        let found = problems(&texts);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "seat/de/text");
        assert_eq!(found[1].0, "seat/fr");
        let values = Values {
            title: "Fest",
            when: "Samstag",
            place: "Park",
            persons: 2,
        };
        assert_eq!(
            fill("{title} am {when} im {place} für {persons}", &values),
            "Fest am Samstag im Park für 2"
        );
    }
}
