//! An element's attributes and the editor's HTML, as any page could have them, through
//! `config::parse`: no panic, and the invariants the widgets rely on.
//!
//! The input is read as choices: each attribute name is one of the names the parser knows (in
//! any case) or free text, each value a typical one or free text, so that the fuzzer reaches
//! valid configurations as well as every error.

#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use mitmachen_shared::config::{self, EditorContent, Heading, Item, Source, WidgetKind};
use mitmachen_shared::ids::{OptionKey, WidgetId};
use mitmachen_shared::messages::{Lang, Text, Texts};
use mitmachen_shared::protocol::MAX_CHOICES;

const NAMES: &[&str] = &[
    "data-mitmachen",
    "data-id",
    "data-endpoint",
    "data-lang",
    "data-question",
    "data-options",
    "data-choice",
    "data-max-choices",
    "data-dots",
    "data-dots-per-topic",
    "data-proposals",
    "data-order",
    "data-results",
    "data-closes",
    "data-title",
    "data-start",
    "data-capacity",
    "data-privacy",
    "data-lists",
    "data-name",
    "data-consent",
    "data-text-submit",
    "data-text-votes-many",
    "data-text-nope",
    "data-",
    "id",
];

const VALUES: &[&str] = &[
    "poll",
    "topics",
    "event",
    "newsletter",
    "/datenschutz",
    "optional",
    "required",
    "umfrage-1",
    "https://beteiligung.example.de/api/",
    "http://127.0.0.1:8080",
    "https://[::1]:8080",
    "de",
    "en",
    "de-einfach",
    "Soll der Marktplatz autofrei werden?",
    "Ja|Nein|Vielleicht",
    "single",
    "multiple",
    "2",
    "after-voting",
    "always",
    "after-closing",
    "never",
    "31.12.2026 18:00 Uhr",
    "2026-12-31T18:00+01:00",
    "\u{201e}multiple\u{201c}",
    "after\u{2013}voting",
    "\u{a0}2\u{200b}",
    "",
];

const LABELS: &[&str] = &["Ja", "Nein", "Mehr Bäume", "Café", "100 %", "🙂", "a", "A"];

fn pick(u: &mut Unstructured, known: &[&str]) -> Result<String> {
    Ok(if u.ratio(3, 4)? {
        let s = *u.choose(known)?;
        if u.ratio(1, 8)? {
            s.to_uppercase()
        } else {
            s.to_owned()
        }
    } else {
        u.arbitrary()?
    })
}

fn source(u: &mut Unstructured) -> Result<Source> {
    let mut attributes = Vec::new();
    for _ in 0..u.int_in_range(0..=12)? {
        attributes.push((pick(u, NAMES)?, pick(u, VALUES)?));
    }
    let heading = match u.arbitrary::<Option<u8>>()? {
        Some(level) => Some(Heading {
            level,
            text: pick(u, VALUES)?,
        }),
        None => None,
    };
    let mut items = Vec::new();
    for _ in 0..u.int_in_range(0..=60)? {
        let key = if u.ratio(1, 4)? {
            Some(pick(u, VALUES)?)
        } else {
            None
        };
        items.push(Item {
            text: pick(u, LABELS)?,
            key,
            title: None,
        });
    }
    Ok(Source {
        attributes,
        content: EditorContent { heading, items },
        page_lang: u.arbitrary()?,
        default_endpoint: match u.arbitrary::<Option<bool>>()? {
            Some(true) => Some(pick(u, VALUES)?),
            Some(false) => Some(u.arbitrary()?),
            None => None,
        },
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = source(&mut Unstructured::new(data)) else {
        return;
    };
    let parsed = config::parse(&source);
    for t in Text::ALL {
        let _ = parsed.texts.fill(*t, &[("max", "2"), ("date", "heute")]);
    }
    match parsed.config {
        Ok(config) => {
            assert!(WidgetId::parse(config.id.as_str()).is_ok());
            let endpoint = config.endpoint.as_str();
            assert!(endpoint.starts_with("https://") || endpoint.starts_with("http://"));
            // The other kinds' invariants are checked by the property tests
            // (shared/tests/no_panic.rs); here they only must not panic.
            let WidgetKind::Poll(poll) = &config.kind else {
                return;
            };
            assert!((2..=MAX_CHOICES).contains(&poll.options.len()));
            for (i, option) in poll.options.iter().enumerate() {
                assert!(OptionKey::parse(option.key.as_str()).is_ok());
                assert!(poll.options[..i].iter().all(|o| o.key != option.key));
            }
            assert!((1..=poll.options.len()).contains(&poll.max_choices()));
            assert!((2..=6).contains(&poll.heading_level) && !poll.question.is_empty());
            if let Some(t) = poll.closes_at {
                let _ = parsed.texts.date_time(t);
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for error in &errors {
                for lang in [Lang::De, Lang::DeEasy, Lang::En] {
                    assert!(!error.message(lang).trim().is_empty(), "{error:?}");
                    let _ = Texts::new(lang).get(Text::ConfigProblem);
                }
            }
        }
    }
});
