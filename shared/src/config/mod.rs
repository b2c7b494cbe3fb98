//! From what the editor wrote to a typed widget configuration, once, at mount.
//!
//! The widget side reads the element's `data-*` attributes and reduces the editor's HTML inside
//! it to a [`Source`]; [`parse`] turns that into a [`Parsed`]: the texts to speak in (always,
//! so that even a broken widget can explain itself) and either a [`WidgetConfig`] or every
//! [`ConfigError`] found, plus warnings about attributes nobody reads (typos, usually).

mod endpoint;
mod error;
mod event;
mod newsletter;
mod poll;
mod topics;

pub use endpoint::{Endpoint, EndpointProblem};
pub use error::ConfigError;
pub use event::EventConfig;
pub use newsletter::NewsletterConfig;
pub use poll::{Choice, PollConfig, PollOption, ResultsVisibility};
pub use topics::{TopicItem, TopicsConfig};

use crate::ids::WidgetId;
use crate::messages::{Lang, Text, Texts};
use crate::text;
use crate::time::{Timestamp, parse_datetime};

/// Everything a widget's configuration is made from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    /// The element's `data-*` attributes, names as in HTML (`data-max-choices`), values raw.
    pub attributes: Vec<(String, String)>,
    /// The editor's HTML inside the element, reduced to what a widget can use.
    pub content: EditorContent,
    /// `lang` of the element or its nearest ancestor that has one.
    pub page_lang: Option<String>,
    /// `data-endpoint` on the script tag: the site-wide default.
    pub default_endpoint: Option<String>,
}

/// The editor's fallback HTML: its first heading and the items of its first list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditorContent {
    pub heading: Option<Heading>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
}

/// A list item: its text, if the editor gave one its `data-key`, and the text of its first
/// emphasis (`<strong>`, `<b>` or a heading), which a topic list uses as the topic's title.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    pub text: String,
    pub key: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetConfig {
    pub id: WidgetId,
    pub endpoint: Endpoint,
    pub kind: WidgetKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WidgetKind {
    Poll(PollConfig),
    Topics(TopicsConfig),
    Event(EventConfig),
    Newsletter(NewsletterConfig),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub texts: Texts,
    pub config: Result<WidgetConfig, Vec<ConfigError>>,
    /// For the console only: attributes that look like ours but are not read.
    pub warnings: Vec<String>,
}

const COMMON_ATTRS: &[&str] = &["data-mitmachen", "data-id", "data-endpoint", "data-lang"];
const TEXT_PREFIX: &str = "data-text-";

/// Attribute lookup that ignores how a CMS typeset the value.
pub(crate) struct Attrs<'a>(&'a [(String, String)]);

impl Attrs<'_> {
    /// The raw value, if present.
    pub(crate) fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value as a keyword (typographic quotes and dashes undone); `None` when absent or
    /// empty.
    pub(crate) fn keyword(&self, name: &str) -> Option<String> {
        self.raw(name).map(text::keyword).filter(|v| !v.is_empty())
    }

    /// One of `allowed` (case-insensitive), or `default` when absent.
    pub(crate) fn one_of(
        &self,
        name: &'static str,
        allowed: &'static [&'static str],
        errors: &mut Vec<ConfigError>,
    ) -> Option<&'static str> {
        let value = self.keyword(name)?;
        let lower = value.to_ascii_lowercase();
        let found = allowed.iter().find(|a| **a == lower).copied();
        if found.is_none() {
            errors.push(ConfigError::NotOneOf {
                attr: name,
                value,
                allowed,
            });
        }
        found
    }
}

impl Attrs<'_> {
    /// A whole number in `min..=max`, if present.
    pub(crate) fn number(
        &self,
        name: &'static str,
        min: usize,
        max: usize,
        errors: &mut Vec<ConfigError>,
    ) -> Option<usize> {
        let value = self.keyword(name)?;
        match value.parse::<usize>() {
            Err(_) => {
                errors.push(ConfigError::NotANumber { attr: name, value });
                None
            }
            Ok(n) if n < min || n > max => {
                errors.push(ConfigError::OutOfRange {
                    attr: name,
                    value,
                    min,
                    max,
                });
                None
            }
            Ok(n) => Some(n),
        }
    }

    /// The widget's heading: the attribute `attr`, else the editor's first heading; at the
    /// level of the editor's heading where there is one (so that the page's outline stays as
    /// the editor built it, also when a definition names the text), else 2. `None` when
    /// neither has text.
    pub(crate) fn heading_from(&self, attr: &str, content: &EditorContent) -> Option<(String, u8)> {
        let level = content.heading.as_ref().map_or(2, |h| h.level.clamp(2, 6));
        match (self.raw(attr).map(text::visible), &content.heading) {
            (Some(t), _) if !t.is_empty() => Some((t, level)),
            (_, Some(h)) if !text::visible(&h.text).is_empty() => {
                Some((text::visible(&h.text), h.level.clamp(2, 6)))
            }
            _ => None,
        }
    }

    /// A poll's or topic list's question: `data-question` or the editor's heading.
    pub(crate) fn heading(
        &self,
        content: &EditorContent,
        errors: &mut Vec<ConfigError>,
    ) -> (String, u8) {
        self.heading_from("data-question", content)
            .unwrap_or_else(|| {
                errors.push(ConfigError::NoQuestion);
                (String::new(), 2)
            })
    }

    /// An optional text the editor writes (a field's label, a consent text): `None` when
    /// absent or empty; longer than `max` characters is an error.
    pub(crate) fn text(
        &self,
        name: &str,
        max: usize,
        errors: &mut Vec<ConfigError>,
    ) -> Option<String> {
        let value = self
            .raw(name)
            .map(text::visible)
            .filter(|v| !v.is_empty())?;
        if value.chars().count() > max {
            errors.push(ConfigError::LabelTooLong {
                label: value.chars().take(40).collect(),
                max,
            });
        }
        Some(value)
    }

    /// `data-results` and `data-closes`, which every widget with results has.
    pub(crate) fn results_and_closing(
        &self,
        errors: &mut Vec<ConfigError>,
    ) -> (ResultsVisibility, Option<Timestamp>) {
        let results = match self.one_of(
            "data-results",
            &["after-voting", "always", "after-closing", "never"],
            errors,
        ) {
            Some("always") => ResultsVisibility::Always,
            Some("after-closing") => ResultsVisibility::AfterClosing,
            Some("never") => ResultsVisibility::Never,
            _ => ResultsVisibility::AfterVoting,
        };
        let closes_at = self.keyword("data-closes").and_then(|value| {
            parse_datetime(&value)
                .map_err(|_| {
                    errors.push(ConfigError::BadTime {
                        attr: "data-closes",
                        value,
                    })
                })
                .ok()
        });
        if results == ResultsVisibility::AfterClosing
            && closes_at.is_none()
            && self.raw("data-closes").is_none()
        {
            errors.push(ConfigError::AfterClosingWithoutClose);
        }
        (results, closes_at)
    }
}

/// The attributes a widget of `kind` (as `data-mitmachen` names it) reads besides the common
/// ones; empty for an unknown kind, and for one this build leaves out (as `parse` does).
pub fn kind_attributes(kind: &str) -> &'static [&'static str] {
    match kind {
        "poll" if cfg!(feature = "poll") => poll::ATTRS,
        "topics" if cfg!(feature = "topics") => topics::ATTRS,
        "event" if cfg!(feature = "event") => event::ATTRS,
        "newsletter" if cfg!(feature = "newsletter") => newsletter::ATTRS,
        _ => &[],
    }
}

/// The language a widget speaks: its `data-lang`, else the page's (the `lang` of the closest
/// element that has one), else German; `Err` with a `data-lang` value no language answers to.
/// One rule for the parser and for the bundles that leave a language they lack to another
/// (`widgets::loader`).
pub fn lang_of(data_lang: Option<&str>, page_lang: Option<&str>) -> Result<Lang, String> {
    match data_lang.map(text::keyword).filter(|v| !v.is_empty()) {
        Some(tag) => Lang::from_tag(&tag).ok_or(tag),
        None => Ok(page_lang.and_then(Lang::from_tag).unwrap_or_default()),
    }
}

pub fn parse(source: &Source) -> Parsed {
    let attrs = Attrs(&source.attributes);
    let mut errors = Vec::new();
    let mut warnings = Vec::new();

    let lang = lang_of(attrs.raw("data-lang"), source.page_lang.as_deref()).unwrap_or_else(|tag| {
        errors.push(ConfigError::UnsupportedLang { value: tag });
        Lang::De
    });
    let mut texts = Texts::new(lang);
    for (name, value) in &source.attributes {
        let Some(key) = name
            .to_ascii_lowercase()
            .strip_prefix(TEXT_PREFIX)
            .map(str::to_owned)
        else {
            continue;
        };
        match Text::ALL.iter().find(|t| t.key() == key) {
            Some(t) => texts.overrides.push((*t, text::visible(value))),
            None => warnings.push(format!("{name}: no text has the key \"{key}\"")),
        }
    }

    let id = match attrs.keyword("data-id") {
        None => {
            errors.push(ConfigError::Missing { attr: "data-id" });
            None
        }
        Some(value) => WidgetId::parse(&value)
            .map_err(|problem| errors.push(ConfigError::BadId { value, problem }))
            .ok(),
    };

    let endpoint_raw = attrs
        .raw("data-endpoint")
        .or(source.default_endpoint.as_deref());
    let endpoint = match endpoint_raw.filter(|v| !v.trim().is_empty()) {
        None => {
            errors.push(ConfigError::Missing {
                attr: "data-endpoint",
            });
            None
        }
        Some(value) => Endpoint::parse(value)
            .map_err(|problem| {
                errors.push(ConfigError::BadEndpoint {
                    value: text::visible(value),
                    problem,
                })
            })
            .ok(),
    };

    let kind_attrs: &[&str];
    let kind = match attrs
        .keyword("data-mitmachen")
        .map(|t| t.to_ascii_lowercase())
        .as_deref()
    {
        // A build without this kind (a browser bundle for others) leaves its parser out.
        Some("poll") if cfg!(feature = "poll") => {
            kind_attrs = poll::ATTRS;
            poll::parse(&attrs, &source.content, &mut errors).map(WidgetKind::Poll)
        }
        Some("topics") if cfg!(feature = "topics") => {
            kind_attrs = topics::ATTRS;
            topics::parse(&attrs, &source.content, &mut errors).map(WidgetKind::Topics)
        }
        Some("event") if cfg!(feature = "event") => {
            kind_attrs = event::ATTRS;
            event::parse(&attrs, &source.content, &mut errors).map(WidgetKind::Event)
        }
        Some("newsletter") if cfg!(feature = "newsletter") => {
            kind_attrs = newsletter::ATTRS;
            newsletter::parse(&attrs, &source.content, &mut errors).map(WidgetKind::Newsletter)
        }
        other => {
            kind_attrs = &[];
            errors.push(match other {
                None => ConfigError::Missing {
                    attr: "data-mitmachen",
                },
                Some(value) => ConfigError::UnknownType {
                    value: value.to_owned(),
                },
            });
            None
        }
    };

    for (name, _) in &source.attributes {
        let lower = name.to_ascii_lowercase();
        let known = COMMON_ATTRS.contains(&lower.as_str())
            || kind_attrs.contains(&lower.as_str())
            || lower.starts_with(TEXT_PREFIX);
        if !known && lower.starts_with("data-") {
            warnings.push(format!("{name} is not read by this widget (a typo?)"));
        }
    }

    let config = match (id, endpoint, kind) {
        (Some(id), Some(endpoint), Some(kind)) if errors.is_empty() => {
            Ok(WidgetConfig { id, endpoint, kind })
        }
        _ => Err(errors),
    };
    Parsed {
        texts,
        config,
        warnings,
    }
}

#[cfg(test)]
mod tests;
