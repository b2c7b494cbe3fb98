//! No panic is reachable from what an editor, a CMS or a server can put in front of `shared`:
//! attributes, the editor's HTML, closing times, identifiers, request bodies and server replies.
//! Each property also checks the invariants the widgets and the collector rely on.
//!
//! This is the short run, part of `cargo test`: 256 cases per property (proptest's default).
//! For a long run raise `PROPTEST_CASES` (proptest reads it only when no count is set in code,
//! so none is set here), e.g. `PROPTEST_CASES=20000 cargo test -p mitmachen-shared --test
//! no_panic`; `cargo xtask fuzz` runs the cargo-fuzz targets in `fuzz/` over the same code.

use mitmachen_shared::config::{
    self, ConfigError, EditorContent, EventConfig, Heading, Item, NewsletterConfig, Source,
    TopicsConfig,
};
use mitmachen_shared::config::{Choice, Endpoint, WidgetConfig, WidgetKind};
use mitmachen_shared::ids::{MAX_IDENT_LEN, OptionKey, WidgetId};
use mitmachen_shared::messages::{Lang, Text, Texts};
use mitmachen_shared::protocol::{
    EventStatus, MAX_CHOICES, MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS, MIN_TITLE_CHARS, Problem,
    Receipt, Results, Submission,
};
use mitmachen_shared::text;
use mitmachen_shared::time::{BerlinTime, Timestamp, parse_datetime, rfc3339_utc};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

const LANGS: [Lang; 3] = [Lang::De, Lang::DeEasy, Lang::En];

/// proptest's defaults (256 cases, `PROPTEST_CASES` honoured) without regression files: a
/// failure found here becomes a unit test next to the code instead.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Strings as CMSs and editors make them.

/// Characters that rich-text editors, CMSs and copy-paste put into attribute values and text.
#[rustfmt::skip]
const TRICKY: &[char] = &[
    ' ', ' ', 'a', 'e', 'z', 'A', 'Z', 'T', 't', 'Z', '0', '1', '9', '-', '_', '.', ':', '/', '+',
    '|', '@', '?', '#', '\\', '<', '>', '&', ';', '=', '\n', '\t', '\r', '"', '\'', '`',
    // Typographic quotes and dashes.
    '\u{b4}', '\u{201c}', '\u{201d}', '\u{201e}', '\u{201f}', '\u{2018}', '\u{2019}',
    '\u{201a}', '\u{ab}', '\u{bb}', '\u{2039}', '\u{203a}', '\u{2032}', '\u{2033}',
    '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2212}',
    // Spaces, invisible and control characters.
    '\u{a0}', '\u{202f}', '\u{2007}', '\u{2009}', '\u{3000}', '\u{200b}', '\u{200c}',
    '\u{200d}', '\u{2060}', '\u{feff}', '\u{ad}', '\u{0}', '\u{7f}', '\u{85}', '\u{2028}',
    // Letters that lowercase or fold oddly, combining marks, other digits, emoji, the ends.
    'ä', 'ö', 'ü', 'ß', 'Ä', 'ẞ', 'é', 'İ', 'ı', 'K', '\u{212a}', 'ﬀ', '\u{301}', '\u{308}',
    '٣', '३', '０', '¹', '€', '🙂', '👩', '\u{fe0f}', '\u{e000}', '\u{10ffff}', 'Ω', 'я', '中',
];

fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        5 => select(TRICKY),
        2 => proptest::char::range('0', '9'),
        1 => any::<char>(),
    ]
}

/// Arbitrary text: mostly short runs of tricky characters, sometimes any Unicode, sometimes
/// very long.
fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => vec(tricky_char(), 0..40).prop_map(String::from_iter),
        2 => any::<String>(),
        1 => (vec(tricky_char(), 1..12), 200usize..5000)
            .prop_map(|(chunk, n)| chunk.iter().cycle().take(n).collect()),
    ]
}

/// A plausible value as a CMS may have typeset it: quotes around, dashes for hyphens, no-break
/// spaces and invisible characters inside, case changed.
fn typeset(plain: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    const OPEN: &[&str] = &[
        "", "", "\"", "\u{201e}", "\u{201c}", "\u{ab}", "'", " \u{a0}",
    ];
    const CLOSE: &[&str] = &[
        "",
        "",
        "\"",
        "\u{201c}",
        "\u{201d}",
        "\u{bb}",
        "'",
        "\u{200b} ",
    ];
    const DASH: &[&str] = &["-", "-", "\u{2013}", "\u{2011}", "\u{2212}"];
    (plain, select(OPEN), select(CLOSE), select(DASH), 0u8..4).prop_map(
        |(s, open, close, dash, case)| {
            let s = s.replace('-', dash);
            let s = match case {
                0 => s.to_uppercase(),
                1 => s.replace(' ', "\u{a0}"),
                2 => s.replacen("", "\u{ad}", 2),
                _ => s,
            };
            format!("{open}{s}{close}")
        },
    )
}

fn plausible_or_any(plain: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    prop_oneof![3 => typeset(plain), 1 => text_value()]
}

fn strs(options: &'static [&'static str]) -> impl Strategy<Value = String> {
    select(options).prop_map(str::to_owned)
}

fn ident_like() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9][a-z0-9_-]{0,20}",
        1 => "[a-z0-9][a-z0-9_-]{60,66}",
        1 => strs(&["", "-a", "Umfrage", "a b", "straße", "a/../b", "<script>", "x\u{200b}y"]),
    ]
}

fn endpoint_value() -> impl Strategy<Value = String> {
    plausible_or_any(prop_oneof![
        strs(&[
            "https://beteiligung.example.de/api/",
            "http://127.0.0.1:8080",
            "HTTPS://example.org//",
            "https://[::1]:8080",
            "http://[::1]:",
            "https://example.org:8080:",
            "https://",
            "https:///path",
            "http://:80",
            "https://u:p@example.org",
            "https://example.org/?a=1",
            "https://example.org/#x",
            "https://exa mple.org",
            "https://example.org\\@evil",
            "javascript:alert(1)",
            "//example.org",
            "ftp://example.org",
        ]),
        "https?://[a-zäö0-9.:\\[\\]@/?#-]{0,30}",
    ])
}

fn date_value() -> impl Strategy<Value = String> {
    const SEPARATORS: &[&str] = &["T", " ", "t", "  ", "T ", "_"];
    const ZONES: &[&str] = &[
        "", "", "Z", "z", "+01:00", "-14:00", "+14:59", "+0200", "-1", "+15:00", "Zx", " CET",
    ];
    const SECONDS: &[&str] = &["", ":00", ":59", ":60", ".123", ":05.999999", ":"];
    let time = (0u32..=25, 0u32..=60, select(SECONDS), select(ZONES))
        .prop_map(|(h, m, s, z)| format!("{h:02}:{m:02}{s}{z}"));
    let year = || prop_oneof![0u32..=10_000, select(&[0, 1, 1970, 2026, 9999][..])];
    let iso = (
        year(),
        0u32..=13,
        0u32..=32,
        option::of((select(SEPARATORS), time.clone())),
    )
        .prop_map(|(y, m, d, t)| {
            let t = t.map(|(sep, t)| format!("{sep}{t}")).unwrap_or_default();
            format!("{y:04}-{m:02}-{d:02}{t}")
        });
    let german = (
        0u32..=32,
        0u32..=13,
        prop_oneof![year(), 0u32..100],
        option::of((0u32..=25, 0u32..=60)),
        strs(&["", " Uhr", "Uhr", "  Uhr "]),
    )
        .prop_map(|(d, m, y, t, uhr)| {
            let t = t
                .map(|(h, min)| format!(" {h}:{min:02}"))
                .unwrap_or_default();
            format!("{d}.{m}.{y}{t}{uhr}")
        });
    // The ends of the years RFC 3339 can write, where an offset moves the instant past them.
    let edge = (
        select(&["0000-01-01", "9999-12-31", "01.01.0000", "31.12.9999"][..]),
        option::of((
            select(&["T", " "][..]),
            select(&["00:00", "00:59", "23:59:59.999", "24:00"][..]),
        )),
        select(&["", "Z", "+14:00", "-14:00", "+01:00", "-00:01"][..]),
    )
        .prop_map(|(date, time, zone)| match time {
            Some((sep, time)) => format!("{date}{sep}{time}{zone}"),
            None => date.to_owned(),
        });
    prop_oneof![
        3 => typeset(iso),
        2 => typeset(german),
        1 => edge,
        1 => "[0-9.:TZ+ -]{0,25}",
        1 => text_value(),
    ]
}

// ---------------------------------------------------------------------------------------------
// The attributes and content of a widget's element.

const ATTR_NAMES: &[&str] = &[
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
    "data-refresh",
    "data-results",
    "data-closes",
    "data-title",
    "data-start",
    "data-end",
    "data-place",
    "data-capacity",
    "data-waiting-list",
    "data-deadline",
    "data-persons-max",
    "data-phone",
    "data-note",
    "data-privacy",
    "data-status",
    "data-lists",
    "data-name",
    "data-consent",
    "data-text-submit",
    "data-text-results-heading",
    "data-text-votes-many",
    "data-text-nope",
    "data-maxchoices",
    "data-",
    "data-text-",
    "id",
    "class",
];

fn attr_name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(ATTR_NAMES).prop_map(str::to_owned),
        1 => select(ATTR_NAMES).prop_map(str::to_uppercase),
        1 => text_value(),
        1 => text_value().prop_map(|s| format!("data-text-{s}")),
    ]
}

fn attr_value_for(name: &str) -> BoxedStrategy<String> {
    match name.to_ascii_lowercase().as_str() {
        "data-mitmachen" => plausible_or_any(strs(&[
            "poll",
            "Poll",
            "topics",
            "event",
            "newsletter",
            "vote",
            "",
            "poll ",
        ]))
        .boxed(),
        "data-id" => plausible_or_any(ident_like()).boxed(),
        "data-endpoint" => endpoint_value().boxed(),
        "data-lang" => plausible_or_any(strs(&[
            "de",
            "de-DE",
            "en_GB",
            "de-einfach",
            "einfach",
            "de-x-ls",
            "fr",
            "",
        ]))
        .boxed(),
        "data-options" | "data-lists" => prop_oneof![
            3 => vec(label(), 0..60).prop_map(|l| l.join("|")),
            1 => text_value(),
        ]
        .boxed(),
        "data-choice" => {
            plausible_or_any(strs(&["single", "multiple", "Multiple", "many"])).boxed()
        }
        "data-max-choices" => plausible_or_any(prop_oneof![
            (0u64..60).prop_map(|n| n.to_string()),
            strs(&[
                "+3",
                "-1",
                "३",
                "٣",
                "1e3",
                "99999999999999999999999",
                "3.0",
                " 2 "
            ]),
        ])
        .boxed(),
        "data-results" => plausible_or_any(strs(&[
            "after-voting",
            "always",
            "after-closing",
            "never",
            "After-Closing",
            "later",
        ]))
        .boxed(),
        "data-closes" | "data-start" | "data-end" | "data-deadline" => date_value().boxed(),
        "data-capacity" | "data-persons-max" => plausible_or_any(prop_oneof![
            (0u64..200_000).prop_map(|n| n.to_string()),
            strs(&["-1", "1e3", " 4 "])
        ])
        .boxed(),
        "data-phone" | "data-waiting-list" | "data-status" | "data-name" => {
            plausible_or_any(strs(&[
                "on",
                "off",
                "optional",
                "required",
                "open",
                "cancelled",
                "ja",
            ]))
            .boxed()
        }
        "data-privacy" => plausible_or_any(strs(&[
            "/datenschutz",
            "https://example.de/datenschutz",
            "//evil.example",
            "javascript:alert(1)",
            "",
        ]))
        .boxed(),
        _ => text_value().boxed(),
    }
}

fn attribute() -> impl Strategy<Value = (String, String)> {
    attr_name().prop_flat_map(|name| {
        let value = attr_value_for(&name);
        (Just(name), value)
    })
}

const WORDS: &[&str] = &[
    "Ja",
    "Nein",
    "Vielleicht",
    "Mehr Bäume",
    "Café",
    "Straße",
    "100 %",
    "Nur am Wochenende",
    "🙂",
    "—",
    "ÄÖÜ",
    "a",
    "A",
    "nein!",
];

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (select(WORDS), 0u32..100).prop_map(|(w, n)| if n < 50 { w.to_owned() } else { format!("{w} {n}") }),
        2 => text_value(),
        1 => "[A-Za-zäöüß ]{290,310}",
    ]
}

fn item() -> impl Strategy<Value = Item> {
    (
        label(),
        option::weighted(0.3, plausible_or_any(ident_like())),
    )
        .prop_map(|(text, key)| Item {
            text,
            key,
            title: None,
        })
}

fn likely_item() -> impl Strategy<Value = Item> {
    (
        (select(WORDS), 0u32..1000).prop_map(|(w, n)| format!("{w} {n}")),
        option::weighted(0.2, "[a-z0-9][a-z0-9_-]{0,20}"),
    )
        .prop_map(|(text, key)| Item {
            text,
            key,
            title: None,
        })
}

fn heading() -> impl Strategy<Value = Heading> {
    (any::<u8>(), prop_oneof![3 => label(), 1 => text_value()])
        .prop_map(|(level, text)| Heading { level, text })
}

/// Anything at all in every field.
fn wild_source() -> impl Strategy<Value = Source> {
    (
        vec(attribute(), 0..16),
        option::of(heading()),
        vec(item(), 0..70),
        option::of(text_value()),
        option::of(endpoint_value()),
    )
        .prop_map(
            |(attributes, heading, items, page_lang, default_endpoint)| Source {
                attributes,
                content: EditorContent { heading, items },
                page_lang,
                default_endpoint,
            },
        )
}

/// Close to what an editor writes, so that valid configurations are reached often.
fn likely_source() -> impl Strategy<Value = Source> {
    const ENDPOINTS: &[&str] = &[
        "https://beteiligung.example.de/api/",
        "http://127.0.0.1:8080",
        "HTTPS://example.org//",
        "https://[::1]:8080",
    ];
    let core = (
        prop_oneof![
            3 => typeset(Just("poll".to_owned())),
            2 => typeset(Just("topics".to_owned())),
            2 => typeset(Just("event".to_owned())),
            2 => typeset(Just("newsletter".to_owned())),
            1 => attr_value_for("data-mitmachen"),
        ],
        prop_oneof![3 => "[a-z0-9][a-z0-9_-]{0,20}", 1 => plausible_or_any(ident_like())],
        option::weighted(
            0.5,
            prop_oneof![3 => typeset(strs(ENDPOINTS)), 1 => endpoint_value()],
        ),
    );
    (
        core,
        vec(attribute(), 0..3),
        option::weighted(0.9, heading()),
        prop_oneof![3 => vec(likely_item(), 0..8), 1 => vec(item(), 0..8)],
        option::of(strs(&["de", "en", "de-einfach", "fr"])),
        option::weighted(
            0.8,
            prop_oneof![3 => strs(ENDPOINTS), 1 => endpoint_value()],
        ),
        // Events and newsletters need a privacy notice; the other kinds warn about it.
        option::weighted(
            0.7,
            prop_oneof![3 => strs(&["/datenschutz", "https://example.de/datenschutz"]), 1 => attr_value_for("data-privacy")],
        ),
    )
        .prop_map(
            |(
                (kind, id, endpoint),
                extra,
                heading,
                items,
                page_lang,
                default_endpoint,
                privacy,
            )| {
                let mut attributes = vec![
                    ("data-mitmachen".to_owned(), kind),
                    ("data-id".to_owned(), id),
                ];
                attributes.extend(endpoint.map(|v| ("data-endpoint".to_owned(), v)));
                attributes.extend(extra);
                attributes.extend(privacy.map(|v| ("data-privacy".to_owned(), v)));
                Source {
                    attributes,
                    content: EditorContent { heading, items },
                    page_lang,
                    default_endpoint,
                }
            },
        )
}

fn source() -> impl Strategy<Value = Source> {
    prop_oneof![wild_source(), likely_source()]
}

fn check_parsed(source: &Source) {
    let parsed = config::parse(source);
    for lang in LANGS {
        let texts = Texts {
            lang,
            ..parsed.texts.clone()
        };
        for t in Text::ALL {
            let _ = texts.fill(*t, &[("max", "3"), ("date", "heute")]);
        }
    }
    match &parsed.config {
        Ok(config) => check_config(config, &parsed.texts),
        Err(errors) => {
            assert!(!errors.is_empty(), "Err without an error");
            for error in errors {
                check_message(error);
            }
        }
    }
}

fn check_message(error: &ConfigError) {
    for lang in LANGS {
        assert!(
            !error.message(lang).trim().is_empty(),
            "{error:?} has no message in {lang:?}"
        );
    }
}

fn check_config(config: &WidgetConfig, texts: &Texts) {
    assert!(WidgetId::parse(config.id.as_str()).is_ok());
    let endpoint = config.endpoint.as_str();
    assert!(
        endpoint.starts_with("https://") || endpoint.starts_with("http://"),
        "{endpoint}"
    );
    let poll = match &config.kind {
        WidgetKind::Poll(poll) => poll,
        WidgetKind::Topics(topics) => return check_topics(topics, texts),
        WidgetKind::Event(event) => return check_event(event, texts),
        WidgetKind::Newsletter(newsletter) => return check_newsletter(newsletter),
    };
    assert!(
        (2..=MAX_CHOICES).contains(&poll.options.len()),
        "{} options",
        poll.options.len()
    );
    for (i, option) in poll.options.iter().enumerate() {
        assert!(
            OptionKey::parse(option.key.as_str()).is_ok(),
            "{}",
            option.key
        );
        assert!(
            poll.options[..i].iter().all(|o| o.key != option.key),
            "duplicate key {}",
            option.key
        );
        assert!(!option.label.is_empty());
        assert_eq!(
            poll.label_of(option.key.as_str()),
            Some(option.label.as_str())
        );
    }
    assert!(!poll.question.is_empty());
    assert!((2..=6).contains(&poll.heading_level));
    assert!((1..=poll.options.len()).contains(&poll.max_choices()));
    if let Choice::Multiple { max } = poll.choice {
        assert!(max >= 1);
    }
    if let Some(t) = poll.closes_at {
        let _ = texts.date_time(t);
        let _ = poll.is_closed(Timestamp(0));
    }
}

fn check_event(event: &EventConfig, texts: &Texts) {
    assert!(!event.facts.title.is_empty());
    assert!((2..=6).contains(&event.heading_level));
    assert!(event.facts.end() > event.facts.starts_at);
    assert!(event.registration_closes() <= event.facts.starts_at);
    assert!((1..=mitmachen_shared::event::MAX_PERSONS).contains(&event.fields.persons_max));
    assert!(!event.privacy_url.is_empty());
    let _ = texts.date_time(event.facts.starts_at);
    let _ = mitmachen_shared::ics::calendar("x", &event.facts, Timestamp(0), None);
}

fn check_newsletter(newsletter: &NewsletterConfig) {
    assert!((2..=6).contains(&newsletter.heading_level));
    assert!(newsletter.lists.len() <= mitmachen_shared::newsletter::MAX_LISTS);
    let keys = newsletter.list_keys();
    for (i, key) in keys.iter().enumerate() {
        assert!(!keys[..i].contains(key), "duplicate list {key}");
    }
    assert!(!newsletter.privacy_url.is_empty());
    assert!(newsletter.consent.as_ref().is_none_or(|c| !c.is_empty()));
    assert!(newsletter.heading.as_ref().is_none_or(|h| !h.is_empty()));
}

fn check_topics(topics: &TopicsConfig, texts: &Texts) {
    assert!(!topics.heading.is_empty());
    assert!(topics.proposals || !topics.topics.is_empty());
    assert!(topics.rules.per_topic >= 1 && topics.rules.per_topic <= topics.rules.dots);
    for (i, topic) in topics.topics.iter().enumerate() {
        assert!(OptionKey::parse(topic.key.as_str()).is_ok());
        assert!(topics.topics[..i].iter().all(|t| t.key != topic.key));
        assert!(!topic.title.is_empty());
    }
    if let Some(t) = topics.closes_at {
        let _ = texts.date_time(t);
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn config_parse_never_panics(source in source()) {
        check_parsed(&source);
    }

    #[test]
    fn config_parse_survives_any_strings(
        attributes in vec((text_value(), text_value()), 0..8),
        level in any::<u8>(),
        heading in option::of(text_value()),
        items in vec((text_value(), option::of(text_value())), 0..8),
        page_lang in option::of(text_value()),
        default_endpoint in option::of(text_value()),
    ) {
        let source = Source {
            attributes,
            content: EditorContent {
                heading: heading.map(|text| Heading { level, text }),
                items: items.into_iter().map(|(text, key)| Item { text, key, title: None }).collect(),
            },
            page_lang,
            default_endpoint,
        };
        check_parsed(&source);
    }

    #[test]
    fn visible_text_is_clean(raw in text_value()) {
        let v = text::visible(&raw);
        prop_assert_eq!(v.trim(), v.as_str());
        prop_assert!(!v.contains("  "));
        prop_assert!(!v.contains(['\u{200b}', '\u{feff}', '\u{ad}', '\u{a0}', '\n']), "{:?}", v);
        prop_assert_eq!(text::visible(&v), v);
    }

    #[test]
    fn keyword_is_idempotent(raw in text_value()) {
        let k = text::keyword(&raw);
        prop_assert!(!k.contains(['\u{2013}', '\u{2014}', '\u{2212}', '\u{a0}']), "{:?}", k);
        prop_assert_eq!(text::keyword(&k), k);
    }

    #[test]
    fn slug_is_empty_or_a_valid_key(raw in prop_oneof![label(), text_value()]) {
        let slug = text::slug(&raw);
        prop_assert!(slug.len() <= MAX_IDENT_LEN);
        if !slug.is_empty() {
            prop_assert!(OptionKey::parse(&slug).is_ok(), "{:?} -> {:?}", raw, slug);
        }
        prop_assert_eq!(text::slug(&slug), slug);
    }

    #[test]
    fn datetimes_parse_or_refuse(raw in date_value()) {
        if let Ok(t) = parse_datetime(&raw) {
            let b = BerlinTime::of(t);
            prop_assert!((1..=12).contains(&b.month) && (1..=31).contains(&b.day));
            prop_assert!((0..24).contains(&b.hour) && (0..60).contains(&b.minute));
            for lang in LANGS {
                let _ = Texts::new(lang).date_time(t);
            }
            let formatted = rfc3339_utc(t);
            let whole_second = Timestamp(t.0 - t.0.rem_euclid(1000));
            prop_assert_eq!(
                parse_datetime(&formatted),
                Ok(whole_second),
                "{:?} -> {:?} -> {}", raw, t, formatted
            );
        }
    }

    #[test]
    fn endpoints_parse_or_refuse(raw in prop_oneof![endpoint_value(), text_value()]) {
        if let Ok(e) = Endpoint::parse(&raw) {
            let s = e.as_str();
            prop_assert!(s.starts_with("https://") || s.starts_with("http://"), "{}", s);
            prop_assert!(!s.ends_with('/') && !s.contains(['?', '#', ' ']));
            prop_assert_eq!(e.url("/v1/x"), format!("{s}/v1/x"));
        }
    }

    #[test]
    fn widget_ids_agree_with_serde(raw in prop_oneof![ident_like(), text_value()]) {
        let parsed = WidgetId::parse(&raw);
        let decoded: Result<WidgetId, _> = serde_json::from_value(Value::String(raw.clone()));
        prop_assert_eq!(parsed.is_ok(), decoded.is_ok());
        match parsed {
            Ok(id) => prop_assert_eq!(id.as_str(), raw.as_str()),
            Err(problem) => prop_assert!(!problem.to_string().is_empty()),
        }
    }

    #[test]
    fn submissions_from_any_bytes(bytes in prop_oneof![
        vec(any::<u8>(), 0..300),
        submission_json().prop_map(|v| v.to_string().into_bytes()),
        (submission_json(), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(v, at, b)| {
            let mut bytes = v.to_string().into_bytes();
            let i = at.index(bytes.len());
            bytes[i] = b;
            bytes
        }),
    ]) {
        if let Ok(submission) = serde_json::from_slice::<Submission>(&bytes) {
            check_submission(&submission)?;
        }
    }

    #[test]
    fn submissions_from_any_json(
        value in prop_oneof![submission_json(), proposal_json(), registration_json(), subscription_json(), json_value()]
    ) {
        if let Ok(submission) = serde_json::from_value::<Submission>(value) {
            check_submission(&submission)?;
        }
    }

    #[test]
    fn server_replies_from_any_json(value in prop_oneof![reply_json(), json_value()]) {
        check_replies(&value.to_string().into_bytes());
    }

    #[test]
    fn server_replies_from_any_bytes(bytes in vec(any::<u8>(), 0..300)) {
        check_replies(&bytes);
    }
}

// ---------------------------------------------------------------------------------------------
// Request bodies and replies.

const FIELDS: &[&str] = &[
    "kind",
    "choices",
    "honeypot",
    "widget",
    "ballots",
    "counts",
    "receipt",
    "accepted_at",
    "type",
    "title",
    "status",
    "detail",
    "errors",
    "pointer",
    "ip",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text_value().prop_map(Value::String),
        prop_oneof![select(FIELDS), select(&["poll", "ja", "nein"][..])]
            .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            btree_map(
                prop_oneof![3 => strs(FIELDS), 1 => text_value()],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn key_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => ident_like().prop_map(Value::String),
        1 => text_value().prop_map(Value::String),
        1 => json_value(),
    ]
}

fn submission_json() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            8 => Just(json!("poll")),
            1 => strs(&["Poll", "vote", ""]).prop_map(Value::String),
            1 => json_value(),
        ],
        prop_oneof![
            3 => vec(key_value(), 0..8).prop_map(Value::Array),
            1 => vec(key_value(), 40..60).prop_map(Value::Array),
            1 => json_value(),
        ],
        option::weighted(
            0.3,
            prop_oneof![text_value().prop_map(Value::String), json_value()],
        ),
        option::weighted(0.1, (strs(FIELDS), json_value())),
    )
        .prop_map(|(kind, choices, honeypot, extra)| {
            let mut body = json!({ "kind": kind, "choices": choices });
            if let Some(h) = honeypot {
                body["honeypot"] = h;
            }
            if let Some((field, value)) = extra {
                body[field] = value;
            }
            body
        })
}

/// Registration bodies: plausible and broken addresses, names with control characters, odd
/// person counts, sometimes a wrong type or an unknown field.
fn registration_json() -> impl Strategy<Value = Value> {
    (
        prop_oneof![3 => text_value().prop_map(Value::String), 1 => Just(json!("Erika Muster")), 1 => json_value()],
        prop_oneof![
            3 => strs(&["erika@example.de", "a@b.c", "x@localhost", "e@x..de", "a b@c.de", "é@ü.de"]).prop_map(Value::String),
            1 => text_value().prop_map(Value::String),
            1 => json_value(),
        ],
        option::weighted(0.5, prop_oneof![(0u64..30).prop_map(|n| json!(n)), json_value()]),
        option::weighted(0.3, (strs(&["phone", "organisation", "note", "lang"]), text_value())),
        option::weighted(0.1, (strs(FIELDS), json_value())),
    )
        .prop_map(|(name, email, persons, field, extra)| {
            let mut body = json!({ "kind": "registration", "name": name, "email": email });
            if let Some(p) = persons {
                body["persons"] = p;
            }
            if let Some((f, v)) = field {
                body[f] = Value::String(v);
            }
            if let Some((f, v)) = extra {
                body[f] = v;
            }
            body
        })
}

/// Subscription bodies: plausible and odd addresses, pages and consent texts, lists repeated,
/// sometimes a wrong type or an unknown field.
fn subscription_json() -> impl Strategy<Value = Value> {
    let url = || {
        prop_oneof![
            3 => strs(&["https://musterstadt.de/mitmachen", "http://localhost:8080/x.html", "/datenschutz", "javascript:alert(1)", "https://", ""]).prop_map(Value::String),
            1 => text_value().prop_map(Value::String),
            1 => json_value(),
        ]
    };
    (
        prop_oneof![
            3 => strs(&["erika@example.de", "a@b.c", "e@x..de", "a b@c.de"]).prop_map(Value::String),
            1 => text_value().prop_map(Value::String),
            1 => json_value(),
        ],
        option::weighted(0.5, text_value()),
        option::weighted(0.5, prop_oneof![vec(select(&["beteiligung", "termine", "Termine", "<b>"][..]), 0..4).prop_map(|l| json!(l)), json_value()]),
        prop_oneof![3 => text_value().prop_map(Value::String), 1 => Just(json!("Ja, ich möchte den Newsletter erhalten.")), 1 => json_value()],
        (url(), url()),
        option::weighted(0.1, (strs(FIELDS), json_value())),
    )
        .prop_map(|(email, name, lists, consent, (privacy, page), extra)| {
            let mut body = json!({
                "kind": "subscription", "email": email, "consent": consent,
                "privacy": privacy, "page": page,
            });
            if let Some(n) = name {
                body["name"] = Value::String(n);
            }
            if let Some(l) = lists {
                body["lists"] = l;
            }
            if let Some((f, v)) = extra {
                body[f] = v;
            }
            body
        })
}

/// Proposal bodies: tricky titles and descriptions (control characters, long runs, markup),
/// sometimes a honeypot, a wrong type or an unknown field.
fn proposal_json() -> impl Strategy<Value = Value> {
    (
        prop_oneof![4 => text_value().prop_map(Value::String), 1 => json_value()],
        option::weighted(
            0.7,
            prop_oneof![4 => text_value().prop_map(Value::String), 1 => json_value()],
        ),
        option::weighted(0.2, text_value().prop_map(Value::String)),
        option::weighted(0.1, (strs(FIELDS), json_value())),
    )
        .prop_map(|(title, description, honeypot, extra)| {
            let mut body = json!({ "kind": "proposal", "title": title });
            if let Some(d) = description {
                body["description"] = d;
            }
            if let Some(h) = honeypot {
                body["honeypot"] = h;
            }
            if let Some((field, value)) = extra {
                body[field] = value;
            }
            body
        })
}

fn count() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..1000,
        any::<u64>(),
        Just(u64::MAX),
        Just(u64::MAX / 100 + 1)
    ]
}

fn reply_json() -> impl Strategy<Value = Value> {
    let results = (
        ident_like(),
        count(),
        btree_map(ident_like(), count(), 0..8),
    )
        .prop_map(|(widget, ballots, counts)| {
            json!({ "widget": widget, "ballots": ballots, "counts": counts })
        });
    let receipt = (
        text_value(),
        ident_like(),
        date_value(),
        strs(&["seat", "waiting_list", "front_row", ""]),
    )
        .prop_map(|(r, w, at, placement)| {
            let mut reply = json!({ "receipt": r, "widget": w, "accepted_at": at });
            if !placement.is_empty() {
                reply["placement"] = json!(placement);
            }
            reply
        });
    let seats = || prop_oneof![0u64..60, any::<u32>().prop_map(u64::from), any::<u64>()];
    let event = (
        ident_like(),
        strs(&["open", "closed", "cancelled", "full"]),
        option::of(seats()),
        (seats(), seats(), seats()),
        any::<bool>(),
    )
        .prop_map(
            |(w, state, capacity, (taken, waiting, persons_max), list)| {
                json!({
                    "widget": w, "state": state, "capacity": capacity, "seats_taken": taken,
                    "waiting": waiting, "waiting_list": list, "persons_max": persons_max,
                })
            },
        );
    let problem = (
        text_value(),
        text_value(),
        any::<u64>(),
        text_value(),
        vec((text_value(), text_value()), 0..3),
    )
        .prop_map(|(kind, title, status, detail, errors)| {
            let errors: Vec<Value> = errors
                .into_iter()
                .map(|(p, d)| json!({ "pointer": p, "detail": d }))
                .collect();
            json!({ "type": kind, "title": title, "status": status % 1000, "detail": detail, "errors": errors })
        });
    prop_oneof![results, receipt, problem, event]
}

fn check_submission(submission: &Submission) -> Result<(), TestCaseError> {
    let _ = submission.is_spam();
    match submission.validate() {
        Ok(()) => match submission {
            Submission::Poll(ballot) => {
                prop_assert_eq!(submission.kind(), "poll");
                prop_assert!((1..=MAX_CHOICES).contains(&ballot.choices.len()));
                for (i, key) in ballot.choices.iter().enumerate() {
                    prop_assert!(!ballot.choices[..i].contains(key));
                }
            }
            Submission::Proposal(proposal) => {
                prop_assert_eq!(submission.kind(), "proposal");
                let title = proposal.title.trim().chars().count();
                prop_assert!((MIN_TITLE_CHARS..=MAX_TITLE_CHARS).contains(&title));
                prop_assert!(proposal.description.trim().chars().count() <= MAX_DESCRIPTION_CHARS);
                prop_assert!(!proposal.title.chars().any(char::is_control));
            }
            Submission::Topics(ballot) => {
                prop_assert_eq!(submission.kind(), "topics");
                let total: u64 = ballot.dots.iter().map(|d| u64::from(d.count)).sum();
                prop_assert!(total >= 1 && total <= u64::from(mitmachen_shared::topics::MAX_DOTS));
                prop_assert!(ballot.dots.iter().all(|d| d.count >= 1));
            }
            Submission::Registration(r) => {
                prop_assert_eq!(submission.kind(), "registration");
                prop_assert!(mitmachen_shared::event::is_email(r.email.trim()));
                prop_assert!((1..=mitmachen_shared::event::MAX_PERSONS).contains(&r.persons));
                prop_assert!(!r.name.trim().is_empty() && !r.name.chars().any(char::is_control));
            }
            Submission::Subscription(sub) => {
                prop_assert_eq!(submission.kind(), "subscription");
                prop_assert!(mitmachen_shared::event::is_email(sub.email.trim()));
                prop_assert!(!sub.name.chars().any(char::is_control));
                prop_assert!(!sub.consent.trim().is_empty());
                prop_assert!(mitmachen_shared::newsletter::is_web_address(&sub.page));
                prop_assert!(mitmachen_shared::newsletter::is_web_address(&sub.privacy));
                for (i, key) in sub.lists.iter().enumerate() {
                    prop_assert!(!sub.lists[..i].contains(key));
                }
            }
        },
        Err(errors) => {
            prop_assert!(!errors.is_empty());
            let fields: &[&str] = match submission {
                Submission::Poll(_) => &["/choices"],
                Submission::Proposal(_) => &["/title", "/description"],
                Submission::Topics(_) => &["/dots"],
                Submission::Registration(_) => &[
                    "/name",
                    "/email",
                    "/persons",
                    "/phone",
                    "/organisation",
                    "/note",
                    "/lang",
                ],
                Submission::Subscription(_) => &[
                    "/email", "/name", "/lists", "/consent", "/privacy", "/page", "/lang",
                ],
            };
            for e in errors {
                prop_assert!(
                    fields.iter().any(|f| e.pointer.starts_with(f)),
                    "{}",
                    e.pointer
                );
                prop_assert!(!e.detail.is_empty());
            }
        }
    }
    let again =
        serde_json::to_string(submission).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: Submission =
        serde_json::from_str(&again).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&back, submission);
    Ok(())
}

/// Decodes a reply as each type the widget reads and uses it as the widget does.
fn check_replies(bytes: &[u8]) {
    if let Ok(results) = serde_json::from_slice::<Results>(bytes) {
        for lang in LANGS {
            let texts = Texts::new(lang);
            let _ = texts.ballots(results.ballots);
            for count in results.counts.values() {
                let _ = texts.votes(*count);
                let _ = texts.percent(*count, results.ballots);
            }
        }
    }
    if let Ok(receipt) = serde_json::from_slice::<Receipt>(bytes) {
        assert!(WidgetId::parse(receipt.widget.as_str()).is_ok());
    }
    if let Ok(status) = serde_json::from_slice::<EventStatus>(bytes) {
        check_event_status(&status);
    }
    if let Ok(problem) = serde_json::from_slice::<Problem>(bytes) {
        for lang in LANGS {
            let _ = Texts::new(lang).fill(Text::Rejected, &[("detail", &problem.detail)]);
        }
    }
}

/// An event's seats, used as the sign-up widget uses them: seats left and whether they are few,
/// where a registration of each possible size would land, the texts that say so.
fn check_event_status(status: &EventStatus) {
    use mitmachen_shared::event::{Placement, few_left, place, seats_left};
    assert!(WidgetId::parse(status.widget.as_str()).is_ok());
    for persons in [
        1,
        status
            .persons_max
            .clamp(1, mitmachen_shared::event::MAX_PERSONS),
    ] {
        let placed = place(
            status.capacity,
            status.seats_taken,
            status.waiting,
            persons,
            status.waiting_list,
        );
        if status.waiting_list {
            assert!(placed.is_some(), "with a waiting list nobody is refused");
        }
        if status.capacity.is_none() && status.waiting == 0 {
            assert_eq!(placed, Some(Placement::Seat));
        }
    }
    if let Some(capacity) = status.capacity {
        let left = seats_left(capacity, status.seats_taken);
        assert!(left <= capacity);
        assert!(!few_left(capacity, status.seats_taken) || left > 0);
        for lang in LANGS {
            let texts = Texts::new(lang);
            let values = [
                ("left", left.to_string()),
                ("capacity", capacity.to_string()),
            ];
            let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            for text in [Text::SeatsLeft, Text::FewSeatsLeft] {
                assert!(texts.fill(text, &values).contains(&values[0].1.to_string()));
            }
            let _ = texts.persons(status.persons_max);
        }
    }
}

/// The generators reach valid configurations often enough for the invariants on them to mean
/// something.
#[test]
fn likely_sources_are_often_valid() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = likely_source();
    let valid = (0..400)
        .filter(|_| {
            let source = strategy.new_tree(&mut runner).expect("a source").current();
            config::parse(&source).config.is_ok()
        })
        .count();
    eprintln!("{valid} of 400 likely sources are valid");
    assert!(valid >= 80, "only {valid} of 400 likely sources are valid");
}
