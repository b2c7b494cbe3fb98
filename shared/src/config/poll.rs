//! A poll's configuration: the question, its answers and the editor's rules.

use super::{Attrs, ConfigError, EditorContent};
use crate::ids::OptionKey;
use crate::protocol::MAX_CHOICES;
use crate::text;
use crate::time::Timestamp;

pub(super) const ATTRS: &[&str] = &[
    "data-question",
    "data-options",
    "data-choice",
    "data-max-choices",
    "data-results",
    "data-closes",
];

pub const MAX_LABEL_CHARS: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollConfig {
    pub question: String,
    /// The level of the editor's heading (2 when the question came from an attribute), kept so
    /// that the page's outline stays as the editor built it.
    pub heading_level: u8,
    pub options: Vec<PollOption>,
    pub choice: Choice,
    pub results: ResultsVisibility,
    pub closes_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollOption {
    pub key: OptionKey,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Single,
    Multiple { max: usize },
}

/// When the citizen sees the results: the editor's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultsVisibility {
    /// From the start, before voting ("live").
    Always,
    AfterVoting,
    AfterClosing,
    Never,
}

impl PollConfig {
    pub fn max_choices(&self) -> usize {
        match self.choice {
            Choice::Single => 1,
            Choice::Multiple { max } => max,
        }
    }

    pub fn is_closed(&self, now: Timestamp) -> bool {
        self.closes_at.is_some_and(|t| now >= t)
    }

    pub fn label_of(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|o| o.key.as_str() == key)
            .map(|o| o.label.as_str())
    }
}

pub(super) fn parse(
    attrs: &Attrs,
    content: &EditorContent,
    errors: &mut Vec<ConfigError>,
) -> Option<PollConfig> {
    let before = errors.len();
    let (question, heading_level) = attrs.heading(content, errors);

    let options = parse_options(attrs, content, errors, "data-options", 2, MAX_CHOICES);

    let choice_kw = attrs.one_of("data-choice", &["single", "multiple"], errors);
    let max = attrs.number("data-max-choices", 1, options.len().max(1), errors);
    let choice = match (choice_kw, max) {
        (Some("single"), Some(n)) if n > 1 => {
            errors.push(ConfigError::SingleWithMax);
            Choice::Single
        }
        (Some("multiple"), m) => Choice::Multiple {
            max: m.unwrap_or(options.len()),
        },
        (None, Some(n)) if n > 1 => Choice::Multiple { max: n },
        _ => Choice::Single,
    };

    let (results, closes_at) = attrs.results_and_closing(errors);

    (errors.len() == before).then_some(PollConfig {
        question,
        heading_level,
        options,
        choice,
        results,
        closes_at,
    })
}

/// Keyed entries from the attribute `attr` (separated by `|`) or else the editor's list: a
/// poll's answers, a newsletter's lists. Fewer than `min` or more than `max` is an error.
pub(super) fn parse_options(
    attrs: &Attrs,
    content: &EditorContent,
    errors: &mut Vec<ConfigError>,
    attr: &'static str,
    min: usize,
    max: usize,
) -> Vec<PollOption> {
    // The attribute wins over the list, so an editor can keep a different no-JS text.
    let items: Vec<(String, Option<String>)> = match attrs.raw(attr) {
        Some(list) if !text::visible(list).is_empty() => {
            list.split('|').map(|l| (text::visible(l), None)).collect()
        }
        _ => content
            .items
            .iter()
            .map(|i| (text::visible(&i.text), i.key.clone()))
            .collect(),
    };
    let mut options: Vec<PollOption> = Vec::new();
    for (n, (label, key)) in items.into_iter().filter(|(l, _)| !l.is_empty()).enumerate() {
        if label.chars().count() > MAX_LABEL_CHARS {
            errors.push(ConfigError::LabelTooLong {
                label: label.chars().take(40).collect(),
                max: MAX_LABEL_CHARS,
            });
            continue;
        }
        let key = match key.map(|k| text::keyword(&k)).filter(|k| !k.is_empty()) {
            Some(k) => k,
            None => Some(text::slug(&label))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| format!("option-{}", n + 1)),
        };
        let key = match OptionKey::parse(&key) {
            Ok(k) => k,
            Err(problem) => {
                errors.push(ConfigError::BadOptionKey {
                    label,
                    key,
                    problem,
                });
                continue;
            }
        };
        if options.iter().any(|o| o.key == key) {
            errors.push(ConfigError::DuplicateOption {
                key: key.to_string(),
            });
            continue;
        }
        options.push(PollOption { key, label });
    }
    if options.len() < min
        && !errors
            .iter()
            .any(|e| matches!(e, ConfigError::DuplicateOption { .. }))
    {
        errors.push(ConfigError::TooFewOptions {
            found: options.len(),
        });
    }
    if options.len() > max {
        errors.push(ConfigError::TooManyOptions {
            found: options.len(),
            max,
        });
    }
    options
}
