//! A topic list's configuration: the topics from the editor's list, the dot rules, whether
//! citizens may propose topics, and how the list is ordered.

use super::{Attrs, ConfigError, EditorContent, ResultsVisibility};
use crate::ids::OptionKey;
use crate::text;
use crate::time::Timestamp;
use crate::topics::{DotRules, Order};

pub(super) const ATTRS: &[&str] = &[
    "data-question",
    "data-dots",
    "data-dots-per-topic",
    "data-proposals",
    "data-order",
    "data-refresh",
    "data-results",
    "data-closes",
];

pub const MAX_TOPICS: usize = 500;
/// The editor's choice of refresh interval is kept modest: not more often than every 5 s.
const MIN_REFRESH_S: usize = 5;
const MAX_REFRESH_S: usize = 3600;
// The editor's topics keep to the same limits as citizens' proposals.
use crate::protocol::{MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicsConfig {
    pub heading: String,
    pub heading_level: u8,
    pub topics: Vec<TopicItem>,
    pub rules: DotRules,
    /// Whether citizens may propose topics.
    pub proposals: bool,
    pub order: Order,
    /// Seconds between refreshes of counts and approved proposals while the list is on screen.
    pub refresh_s: u32,
    /// When counts and ranks show.
    pub results: ResultsVisibility,
    pub closes_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicItem {
    pub key: OptionKey,
    pub title: String,
    pub description: String,
}

impl TopicsConfig {
    pub fn is_closed(&self, now: Timestamp) -> bool {
        self.closes_at.is_some_and(|t| now >= t)
    }
}

/// Splits a list item into title and description: the emphasised part is the title and the
/// rest, without a leading dash or colon, the description; without emphasis all of it is the
/// title.
fn title_and_description(text: &str, emphasis: Option<&str>) -> (String, String) {
    let whole = text::visible(text);
    match emphasis.map(text::visible).filter(|t| !t.is_empty()) {
        Some(title) => {
            let rest = whole.replacen(&title, "", 1);
            let description = rest
                .trim_start_matches(|c: char| {
                    c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':' | '.')
                })
                .trim()
                .to_owned();
            (title, description)
        }
        None => (whole, String::new()),
    }
}

fn parse_topics(content: &EditorContent, errors: &mut Vec<ConfigError>) -> Vec<TopicItem> {
    let mut topics: Vec<TopicItem> = Vec::new();
    for (n, item) in content.items.iter().enumerate() {
        let (title, description) = title_and_description(&item.text, item.title.as_deref());
        if title.is_empty() {
            continue;
        }
        if title.chars().count() > MAX_TITLE_CHARS
            || description.chars().count() > MAX_DESCRIPTION_CHARS
        {
            errors.push(ConfigError::LabelTooLong {
                label: title.chars().take(40).collect(),
                max: if title.chars().count() > MAX_TITLE_CHARS {
                    MAX_TITLE_CHARS
                } else {
                    MAX_DESCRIPTION_CHARS
                },
            });
            continue;
        }
        let key = match item
            .key
            .as_deref()
            .map(text::keyword)
            .filter(|k| !k.is_empty())
        {
            Some(k) => k,
            None => Some(text::slug(&title))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| format!("topic-{}", n + 1)),
        };
        let key = match OptionKey::parse(&key) {
            Ok(k) => k,
            Err(problem) => {
                errors.push(ConfigError::BadOptionKey {
                    label: title,
                    key,
                    problem,
                });
                continue;
            }
        };
        if topics.iter().any(|t| t.key == key) {
            errors.push(ConfigError::DuplicateOption {
                key: key.to_string(),
            });
            continue;
        }
        topics.push(TopicItem {
            key,
            title,
            description,
        });
    }
    if topics.len() > MAX_TOPICS {
        errors.push(ConfigError::TooManyOptions {
            found: topics.len(),
            max: MAX_TOPICS,
        });
    }
    topics
}

pub(super) fn parse(
    attrs: &Attrs,
    content: &EditorContent,
    errors: &mut Vec<ConfigError>,
) -> Option<TopicsConfig> {
    let before = errors.len();
    let (heading, heading_level) = attrs.heading(content, errors);
    let topics = parse_topics(content, errors);
    let proposals = attrs.one_of("data-proposals", &["on", "off"], errors) == Some("on");
    if topics.is_empty() && !proposals && errors.len() == before {
        errors.push(ConfigError::NoTopics);
    }
    let dots = attrs
        .number("data-dots", 1, crate::topics::MAX_DOTS as usize, errors)
        .unwrap_or(3);
    let per_topic = attrs
        .number("data-dots-per-topic", 1, dots, errors)
        .unwrap_or(1);
    // A dot that no topic can take only confuses the citizen ("1 of 3 dots left", nothing to
    // give it to). With proposals on, approved proposals add topics later, so the editor's
    // list may be short on purpose. Checked only on an otherwise sound list and numbers: a
    // dropped item or a bad number is reported as that, not again as this.
    let takes = topics.len().saturating_mul(per_topic);
    if !proposals && !topics.is_empty() && takes < dots && errors.len() == before {
        errors.push(ConfigError::DotsUnusable {
            dots,
            topics: topics.len(),
            per_topic,
        });
    }
    let order = match attrs.one_of("data-order", &["votes", "as-written"], errors) {
        Some("as-written") => Order::AsWritten,
        _ => Order::ByVotes,
    };
    let refresh_s = attrs
        .number("data-refresh", MIN_REFRESH_S, MAX_REFRESH_S, errors)
        .unwrap_or(30);
    let (results, closes_at) = attrs.results_and_closing(errors);
    (errors.len() == before).then_some(TopicsConfig {
        heading,
        heading_level,
        topics,
        rules: DotRules {
            dots: dots as u32,
            per_topic: per_topic as u32,
        },
        proposals,
        order,
        refresh_s: refresh_s as u32,
        results,
        closes_at,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Item, Source, WidgetKind, parse as parse_source};
    use super::*;
    use crate::config::Heading;

    fn item(text: &str, title: Option<&str>) -> Item {
        Item {
            text: text.into(),
            key: None,
            title: title.map(Into::into),
        }
    }

    fn source(attrs: &[(&str, &str)], items: Vec<Item>) -> Source {
        let mut attributes = vec![
            ("data-mitmachen".to_string(), "topics".to_string()),
            ("data-id".into(), "fokusgruppe".into()),
            ("data-endpoint".into(), "https://beteiligung.example".into()),
        ];
        attributes.extend(attrs.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        Source {
            attributes,
            content: EditorContent {
                heading: Some(Heading {
                    level: 2,
                    text: "Worüber sollen wir sprechen?".into(),
                }),
                items,
            },
            ..Source::default()
        }
    }

    fn topics(s: &Source) -> Result<TopicsConfig, Vec<ConfigError>> {
        match parse_source(s).config {
            Ok(c) => match c.kind {
                WidgetKind::Topics(t) => Ok(t),
                other => panic!("not topics: {other:?}"),
            },
            Err(e) => Err(e),
        }
    }

    #[test]
    fn topics_from_the_list_with_titles_and_descriptions() {
        let s = source(
            &[],
            vec![
                item(
                    "Radwege – Wo fehlen sichere Wege zur Schule?",
                    Some("Radwege"),
                ),
                item("Spielplätze", None),
                item("Bänke am Fluss: mehr Sitzplätze", Some("Bänke am Fluss")),
            ],
        );
        let t = topics(&s).expect("valid");
        let got: Vec<(&str, &str, &str)> = t
            .topics
            .iter()
            .map(|t| (t.key.as_str(), t.title.as_str(), t.description.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("radwege", "Radwege", "Wo fehlen sichere Wege zur Schule?"),
                ("spielplaetze", "Spielplätze", ""),
                ("baenke-am-fluss", "Bänke am Fluss", "mehr Sitzplätze"),
            ]
        );
        assert_eq!(
            t.rules,
            DotRules {
                dots: 3,
                per_topic: 1
            }
        );
        assert_eq!((t.proposals, t.order), (false, Order::ByVotes));
        assert_eq!(
            (t.results, t.refresh_s),
            (ResultsVisibility::AfterVoting, 30)
        );
    }

    #[test]
    fn dot_rules_proposals_and_order_from_attributes() {
        let s = source(
            &[
                ("data-dots", "5"),
                ("data-dots-per-topic", "\u{201e}2\u{201c}"),
                ("data-proposals", "on"),
                ("data-order", "as\u{2013}written"),
            ],
            vec![],
        );
        let t = topics(&s).expect("valid: proposals on, so an empty list is fine");
        assert_eq!(
            t.rules,
            DotRules {
                dots: 5,
                per_topic: 2
            }
        );
        assert_eq!((t.proposals, t.order), (true, Order::AsWritten));
    }

    #[test]
    fn bad_rules_are_named() {
        let errs = topics(&source(&[("data-dots", "0")], vec![item("A", None)])).unwrap_err();
        assert!(matches!(
            errs[0],
            ConfigError::OutOfRange {
                attr: "data-dots",
                ..
            }
        ));
        let errs = topics(&source(
            &[("data-dots", "2"), ("data-dots-per-topic", "3")],
            vec![item("A", None)],
        ))
        .unwrap_err();
        assert!(matches!(
            errs[0],
            ConfigError::OutOfRange {
                attr: "data-dots-per-topic",
                max: 2,
                ..
            }
        ));
        let errs = topics(&source(&[], vec![])).unwrap_err();
        assert_eq!(errs, [ConfigError::NoTopics]);
        let errs = topics(&source(&[], vec![item("A", None), item("a!", None)])).unwrap_err();
        assert_eq!(errs, [ConfigError::DuplicateOption { key: "a".into() }]);
        let errs = topics(&source(
            &[("data-refresh", "1")],
            vec![item("A", None), item("B", None), item("C", None)],
        ))
        .unwrap_err();
        assert!(matches!(
            errs[0],
            ConfigError::OutOfRange {
                attr: "data-refresh",
                min: 5,
                ..
            }
        ));
        let errs = topics(&source(
            &[("data-order", "random")],
            vec![item("A", None), item("B", None), item("C", None)],
        ))
        .unwrap_err();
        assert!(matches!(
            errs[0],
            ConfigError::NotOneOf {
                attr: "data-order",
                ..
            }
        ));
    }

    #[test]
    fn more_dots_than_the_list_takes_is_an_error_unless_proposals_add_topics() {
        let two = || vec![item("Radwege", None), item("Leerstand", None)];
        // The README's old example: 3 dots (the default), 2 topics, 1 dot per topic.
        let errs = topics(&source(&[], two())).unwrap_err();
        assert_eq!(
            errs,
            [ConfigError::DotsUnusable {
                dots: 3,
                topics: 2,
                per_topic: 1
            }]
        );
        assert_eq!(errs[0].attribute(), Some("data-dots"));
        let message = errs[0].message(crate::messages::Lang::De);
        assert!(message.contains("data-dots=\"2\""), "{message}");
        assert!(topics(&source(&[("data-dots", "2")], two())).is_ok());
        assert!(topics(&source(&[("data-dots-per-topic", "2")], two())).is_ok());
        assert!(topics(&source(&[("data-proposals", "on")], two())).is_ok());
        // A wrong number is named once, not twice.
        let errs = topics(&source(&[("data-dots", "x")], vec![item("A", None)])).unwrap_err();
        assert!(
            matches!(errs[..], [ConfigError::NotANumber { .. }]),
            "{errs:?}"
        );
    }
}
