//! Tests of `parse`: every widget kind's attributes and editor's HTML, and every error.

use super::*;
use crate::time::parse_datetime;

fn source(attrs: &[(&str, &str)]) -> Source {
    Source {
        attributes: attrs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        content: EditorContent {
            heading: Some(Heading {
                level: 3,
                text: " Soll der Marktplatz\n autofrei werden? ".into(),
            }),
            items: vec![
                Item {
                    text: "Ja".into(),
                    key: None,
                    title: None,
                },
                Item {
                    text: "Nein".into(),
                    key: None,
                    title: None,
                },
                Item {
                    text: "Nur am Wochenende".into(),
                    key: Some("wochenende".into()),
                    title: None,
                },
            ],
        },
        page_lang: None,
        default_endpoint: None,
    }
}

const BASE: &[(&str, &str)] = &[
    ("data-mitmachen", "poll"),
    ("data-id", "marktplatz"),
    ("data-endpoint", "https://beteiligung.example.de/api/"),
];

fn with(extra: &[(&'static str, &'static str)]) -> Source {
    let mut all = BASE.to_vec();
    all.extend_from_slice(extra);
    source(&all)
}

fn poll(parsed: &Parsed) -> &PollConfig {
    match &parsed.config {
        Ok(WidgetConfig {
            kind: WidgetKind::Poll(p),
            ..
        }) => p,
        other => panic!("expected a poll, got {other:?}"),
    }
}

fn errors(parsed: Parsed) -> Vec<ConfigError> {
    parsed.config.expect_err("expected errors")
}

#[test]
fn a_poll_from_the_editors_html() {
    let parsed = parse(&with(&[]));
    let config = parsed.config.clone().expect("valid");
    assert_eq!(config.id.as_str(), "marktplatz");
    assert_eq!(
        config.endpoint.as_str(),
        "https://beteiligung.example.de/api"
    );
    let p = poll(&parsed);
    assert_eq!(p.question, "Soll der Marktplatz autofrei werden?");
    assert_eq!(p.heading_level, 3);
    let keys: Vec<&str> = p.options.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["ja", "nein", "wochenende"]);
    assert_eq!(p.choice, Choice::Single);
    assert_eq!(p.results, ResultsVisibility::AfterVoting);
    assert_eq!(p.closes_at, None);
    assert_eq!(parsed.texts.lang, Lang::De);
    assert!(parsed.warnings.is_empty());
}

#[test]
fn attributes_can_replace_the_html() {
    let parsed = parse(&with(&[
        ("data-question", "Welcher Tag?"),
        ("data-options", "Montag | Dienstag|  "),
    ]));
    let p = poll(&parsed);
    assert_eq!(p.question, "Welcher Tag?");
    assert_eq!(p.options.len(), 2);
    assert_eq!(p.options[1].label, "Dienstag");
}

#[test]
fn multiple_choice_and_its_maximum() {
    let p = parse(&with(&[("data-choice", "multiple")]));
    assert_eq!(poll(&p).choice, Choice::Multiple { max: 3 });
    let p = parse(&with(&[
        ("data-choice", "multiple"),
        ("data-max-choices", "2"),
    ]));
    assert_eq!(poll(&p).choice, Choice::Multiple { max: 2 });
    // A maximum above one implies multiple choice.
    let p = parse(&with(&[("data-max-choices", "\u{201d}2\u{201d}")]));
    assert_eq!(poll(&p).choice, Choice::Multiple { max: 2 });
    assert_eq!(
        errors(parse(&with(&[
            ("data-choice", "single"),
            ("data-max-choices", "2")
        ]))),
        [ConfigError::SingleWithMax]
    );
    assert!(matches!(
        errors(parse(&with(&[("data-max-choices", "4")])))[0],
        ConfigError::OutOfRange { max: 3, .. }
    ));
    assert!(matches!(
        errors(parse(&with(&[("data-max-choices", "zwei")])))[0],
        ConfigError::NotANumber { .. }
    ));
}

#[test]
fn results_visibility_and_closing_time_survive_typesetting() {
    let p = parse(&with(&[
        ("data-results", "\u{201e}after\u{2013}closing\u{201c}"),
        ("data-closes", "31.12.2026 18:00"),
    ]));
    assert_eq!(poll(&p).results, ResultsVisibility::AfterClosing);
    assert_eq!(poll(&p).closes_at, parse_datetime("2026-12-31T17:00Z").ok());
    assert_eq!(
        errors(parse(&with(&[("data-results", "after-closing")]))),
        [ConfigError::AfterClosingWithoutClose]
    );
    assert!(matches!(
        errors(parse(&with(&[("data-results", "sometimes")])))[0],
        ConfigError::NotOneOf { .. }
    ));
    assert!(matches!(
        errors(parse(&with(&[("data-closes", "bald")])))[0],
        ConfigError::BadTime { .. }
    ));
}

#[test]
fn missing_and_broken_basics_are_all_reported() {
    let parsed = parse(&source(&[
        ("data-mitmachen", "umfrage"),
        ("data-endpoint", "javascript:alert(1)"),
    ]));
    let errs = errors(parsed);
    assert!(errs.contains(&ConfigError::UnknownType {
        value: "umfrage".into()
    }));
    assert!(errs.contains(&ConfigError::Missing { attr: "data-id" }));
    assert!(errs.iter().any(|e| matches!(
        e,
        ConfigError::BadEndpoint {
            problem: EndpointProblem::NotHttp,
            ..
        }
    )));
    let errs = errors(parse(&source(&[("data-id", "Marktplatz 2027")])));
    assert!(errs.contains(&ConfigError::Missing {
        attr: "data-mitmachen"
    }));
    assert!(errs.contains(&ConfigError::Missing {
        attr: "data-endpoint"
    }));
    assert!(errs.iter().any(|e| matches!(e, ConfigError::BadId { .. })));
}

#[test]
fn the_script_tags_endpoint_is_the_default_and_the_element_wins() {
    let mut s = source(&[("data-mitmachen", "poll"), ("data-id", "a")]);
    s.default_endpoint = Some("https://site-wide.example".into());
    assert_eq!(
        parse(&s).config.expect("valid").endpoint.as_str(),
        "https://site-wide.example"
    );
    s.attributes
        .push(("data-endpoint".into(), "https://own.example".into()));
    assert_eq!(
        parse(&s).config.expect("valid").endpoint.as_str(),
        "https://own.example"
    );
}

#[test]
fn options_need_two_distinct_keys() {
    let mut s = with(&[]);
    s.content.items.truncate(1);
    assert_eq!(errors(parse(&s)), [ConfigError::TooFewOptions { found: 1 }]);
    let mut s = with(&[]);
    s.content.items.push(Item {
        text: "JA!".into(),
        key: None,
        title: None,
    });
    assert_eq!(
        errors(parse(&s)),
        [ConfigError::DuplicateOption { key: "ja".into() }]
    );
    let mut s = with(&[]);
    s.content.items[0].key = Some("Ja Bitte".into());
    assert!(matches!(
        errors(parse(&s))[0],
        ConfigError::BadOptionKey { .. }
    ));
    let mut s = with(&[]);
    s.content.heading = None;
    assert_eq!(errors(parse(&s)), [ConfigError::NoQuestion]);
    let many: Vec<String> = (0..51).map(|i| format!("Antwort {i}")).collect();
    let joined = many.join("|");
    let mut s = with(&[]);
    s.attributes.push(("data-options".into(), joined));
    assert!(matches!(
        errors(parse(&s))[0],
        ConfigError::TooManyOptions { found: 51, .. }
    ));
}

#[test]
fn language_from_attribute_or_page_and_text_overrides() {
    let mut s = with(&[("data-text-submit", " Stimme\u{a0}abgeben ")]);
    assert_eq!(parse(&s).texts.get(Text::Submit), "Stimme abgeben");
    s.page_lang = Some("en-GB".into());
    assert_eq!(parse(&s).texts.lang, Lang::En);
    s.attributes.push(("data-lang".into(), "de".into()));
    assert_eq!(parse(&s).texts.lang, Lang::De);
    let errs = errors(parse(&with(&[("data-lang", "fr")])));
    assert_eq!(errs, [ConfigError::UnsupportedLang { value: "fr".into() }]);
}

/// The rule the loader script mirrors (`widgets/loader.js`, `langOf`) where it reads a widget's
/// language as plainly German or English: those tags must come out so here too.
#[test]
fn the_language_rule_the_bundles_choose_by() {
    assert_eq!(lang_of(None, None), Ok(Lang::De));
    for tag in ["de", "DE-de", "de-AT"] {
        assert_eq!(lang_of(Some(tag), Some("en")), Ok(Lang::De), "{tag}");
        assert_eq!(lang_of(None, Some(tag)), Ok(Lang::De), "{tag}");
    }
    for tag in ["en", "en-GB"] {
        assert_eq!(lang_of(Some(tag), None), Ok(Lang::En), "{tag}");
        assert_eq!(lang_of(None, Some(tag)), Ok(Lang::En), "{tag}");
    }
    assert_eq!(lang_of(Some("de-ls"), None), Ok(Lang::DeEasy));
    // An empty `data-lang` is no language: the page's counts.
    assert_eq!(lang_of(Some(" "), Some("en")), Ok(Lang::En));
    // A page in a language the widgets do not speak gets German; a widget asking for one is
    // told it is not supported.
    assert_eq!(lang_of(None, Some("fr")), Ok(Lang::De));
    assert_eq!(lang_of(Some("fr"), None), Err("fr".into()));
}

#[test]
fn unknown_attributes_are_warned_about_not_fatal() {
    let parsed = parse(&with(&[
        ("data-mulitple", "3"),
        ("data-text-sumbit", "x"),
        ("data-cms-block", "7"),
    ]));
    assert!(parsed.config.is_ok());
    assert_eq!(parsed.warnings.len(), 3);
    assert!(parsed.warnings[0].contains("sumbit"));
}

#[test]
fn every_error_has_a_message_in_both_languages() {
    let parsed = parse(&source(&[
        ("data-mitmachen", "x"),
        ("data-id", "-"),
        ("data-endpoint", "ftp://x"),
    ]));
    for e in errors(parsed) {
        let de = e.message(Lang::De);
        let en = e.message(Lang::En);
        assert!(de.len() > 10 && en.len() > 10 && de != en, "{e:?}");
    }
}

#[test]
fn einfache_sprache_for_citizens_standard_german_for_editors() {
    let parsed = parse(&with(&[("data-lang", "de-einfach")]));
    assert_eq!(parsed.texts.lang, Lang::DeEasy);
    assert_eq!(
        parsed.texts.get(Text::Thanks),
        "Danke! Ihre Stimme ist angekommen."
    );
    let errs = errors(parse(&with(&[
        ("data-lang", "de-einfach"),
        ("data-results", "bald"),
    ])));
    assert_eq!(errs[0].message(Lang::DeEasy), errs[0].message(Lang::De));
}
