//! A widget's definition as a collector keeps it: the editor's own vocabulary (the `data-*`
//! attributes and the fallback HTML's heading and list) without what belongs to one page (the
//! id, the endpoint, the page's language and heading level).
//!
//! One parser decides what a widget is: [`crate::config::parse`]. A definition is checked by
//! running it over a neutral page ([`Definition::check`]), and a widget renders from it by
//! laying it over its own element ([`Definition::over`]): what the definition says rules, what
//! it leaves out comes from the page (the privacy link of the town's site, a refresh interval).
//! So a page's attributes, a definition made in the console and one sent to the API cannot
//! disagree about what they mean.

use crate::config::{
    self, ConfigError, EditorContent, Heading, Item, Source, WidgetConfig, WidgetKind,
};
use crate::ids::WidgetId;
use crate::messages::{Lang, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The four kinds of widget, as `data-mitmachen` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Poll,
    Topics,
    Event,
    Newsletter,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Poll, Kind::Topics, Kind::Event, Kind::Newsletter];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Poll => "poll",
            Kind::Topics => "topics",
            Kind::Event => "event",
            Kind::Newsletter => "newsletter",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The attributes a definition of this kind may set (besides `data-text-*`).
    pub fn attributes(self) -> &'static [&'static str] {
        config::kind_attributes(self.as_str())
    }
}

/// A list item of the fallback HTML: a poll's answer, a topic, a newsletter's list, an event's
/// detail ("Ort: Rathaus").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefinitionItem {
    /// The whole text of the item.
    pub text: String,
    /// The item's `data-key`; absent: made from the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The emphasised start of the item (a topic's title); absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub kind: Kind,
    /// `data-*` names in lowercase, values as an editor writes them.
    #[serde(default)]
    pub attributes: Attributes,
    /// The fallback HTML's heading text; absent: the page's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// The fallback HTML's list; empty: the page's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<DefinitionItem>,
}

/// A definition's attributes, by name: a JSON object on the wire. A sorted list rather than a
/// `BTreeMap`, whose generic code cost the widgets' bundle several kilobytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes(Vec<(String, String)>);

impl Attributes {
    pub fn get(&self, name: &str) -> Option<&String> {
        self.find(name).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Sets `name` to `value`, replacing what it had.
    pub fn insert(&mut self, name: String, value: String) {
        match self.find(&name) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (name, value)),
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.find(name).ok().map(|i| self.0.remove(i).1)
    }

    /// Name and value, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(n, v)| (n, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(n, _)| n)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(n, _)| n.as_str().cmp(name))
    }
}

impl FromIterator<(String, String)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut attributes = Attributes::default();
        for (name, value) in iter {
            attributes.insert(name, value);
        }
        attributes
    }
}

impl Serialize for Attributes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, String>::deserialize(deserializer)?;
        Ok(map.into_iter().collect())
    }
}

/// Attributes that name the widget or where it sends, not what it is: never in a definition.
const PAGE_ONLY: &[&str] = &["data-mitmachen", "data-id", "data-endpoint", "data-lang"];
/// A definition checked on its own has no page around it; a page supplies this when the
/// definition does not (the town's privacy notice is usually site-wide).
const NEUTRAL_PRIVACY: &str = PRIVACY_PLACEHOLDER;

/// Why a definition is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefinitionError {
    /// An attribute this kind does not read, or one that belongs to the page; with its name.
    UnknownAttribute(String),
    /// What the widget's own parser says, as it would say it on a page.
    Config(ConfigError),
}

impl DefinitionError {
    /// One sentence for whoever edits the definition, naming the attribute.
    pub fn message(&self, lang: Lang) -> String {
        let de = lang.for_editors() == Lang::De;
        match self {
            DefinitionError::UnknownAttribute(name) if PAGE_ONLY.contains(&name.as_str()) => {
                if de {
                    format!("{name} gehört zur Seite, nicht zur Definition; lassen Sie es weg.")
                } else {
                    format!("{name} belongs to the page, not to the definition; leave it out.")
                }
            }
            DefinitionError::UnknownAttribute(name) if de => {
                format!("{name} ist kein Attribut dieser Art von Widget.")
            }
            DefinitionError::UnknownAttribute(name) => {
                format!("{name} is not an attribute of this kind of widget.")
            }
            DefinitionError::Config(e) => e.message(lang),
        }
    }

    /// The attribute the error is about, where it names one.
    pub fn attribute(&self) -> Option<&str> {
        match self {
            DefinitionError::UnknownAttribute(name) => Some(name),
            DefinitionError::Config(e) => e.attribute(),
        }
    }
}

impl std::fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl Definition {
    /// What an element on a page says, as a definition: every `data-*` attribute of its kind
    /// (lowercased names) and its heading and list. `None`: no kind the widgets know.
    pub fn from_source(source: &Source) -> Option<Definition> {
        let kind = source
            .attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("data-mitmachen"))
            .and_then(|(_, v)| Kind::parse(v.trim().to_ascii_lowercase().as_str()))?;
        let attributes = source
            .attributes
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
            .filter(|(n, _)| is_definition_attribute(kind, n))
            .collect();
        Some(Definition {
            kind,
            attributes,
            heading: source.content.heading.as_ref().map(|h| h.text.clone()),
            items: source
                .content
                .items
                .iter()
                .map(|i| DefinitionItem {
                    text: i.text.clone(),
                    key: i.key.clone(),
                    title: i.title.clone(),
                })
                .collect(),
        })
    }

    /// The definition laid over a page's element: the definition's attributes, heading and
    /// list win; the page keeps its id, endpoint, language, heading level and whatever the
    /// definition leaves out.
    pub fn over(&self, page: &Source) -> Source {
        let mut attributes: Vec<(String, String)> = page
            .attributes
            .iter()
            .filter(|(n, _)| {
                let n = n.to_ascii_lowercase();
                n != "data-mitmachen" && !self.attributes.contains_key(&n)
            })
            .cloned()
            .collect();
        attributes.push(("data-mitmachen".into(), self.kind.as_str().into()));
        attributes.extend(self.attributes.iter().map(|(n, v)| (n.clone(), v.clone())));
        let heading = match (&self.heading, &page.content.heading) {
            (Some(text), page_heading) => Some(Heading {
                level: page_heading.as_ref().map_or(2, |h| h.level),
                text: text.clone(),
            }),
            (None, page_heading) => page_heading.clone(),
        };
        let items = if self.items.is_empty() {
            page.content.items.clone()
        } else {
            self.items
                .iter()
                .map(|i| Item {
                    text: i.text.clone(),
                    key: i.key.clone(),
                    title: i.title.clone(),
                })
                .collect()
        };
        Source {
            attributes,
            content: EditorContent { heading, items },
            page_lang: page.page_lang.clone(),
            default_endpoint: page.default_endpoint.clone(),
        }
    }

    /// Whether this is a widget, as the widget's own parser decides it on a neutral page (id
    /// `id`, endpoint `endpoint`, a privacy link if the definition has none): the typed
    /// configuration, or every error.
    pub fn check(
        &self,
        id: &WidgetId,
        endpoint: &str,
    ) -> Result<WidgetConfig, Vec<DefinitionError>> {
        let mut errors: Vec<DefinitionError> = self
            .attributes
            .keys()
            .filter(|n| !is_definition_attribute(self.kind, n))
            .map(|n| DefinitionError::UnknownAttribute(n.clone()))
            .collect();
        let mut page = vec![
            ("data-id".to_owned(), id.as_str().to_owned()),
            ("data-endpoint".to_owned(), endpoint.to_owned()),
        ];
        if matches!(self.kind, Kind::Event | Kind::Newsletter) {
            page.push(("data-privacy".to_owned(), NEUTRAL_PRIVACY.to_owned()));
        }
        let source = self.over(&Source {
            attributes: page,
            ..Source::default()
        });
        match config::parse(&source).config {
            Ok(config) if errors.is_empty() => Ok(config),
            Ok(_) => Err(errors),
            Err(found) => {
                errors.extend(found.into_iter().map(DefinitionError::Config));
                Err(errors)
            }
        }
    }
}

/// An attribute of this kind, or `data-text-<key>` of a text the widgets have: nothing else,
/// so that every name a definition holds is one the console may write into a page as it is.
fn is_definition_attribute(kind: Kind, name: &str) -> bool {
    !PAGE_ONLY.contains(&name)
        && (kind.attributes().contains(&name)
            || name
                .strip_prefix("data-text-")
                .is_some_and(|key| Text::ALL.iter().any(|t| t.key() == key)))
}

/// What a page must name where a definition of an event or newsletter does not: the town's
/// privacy notice. A definition checked on its own, the console's preview and its snippet use
/// this path in its place.
pub const PRIVACY_PLACEHOLDER: &str = "/datenschutz";

impl Definition {
    /// Every list item's key written out, as the widgets made it from the text (`config` is
    /// this definition, checked): a text changed later keeps its key and the votes counted for
    /// it. A list given by `data-options` or `data-lists` has no items to key.
    pub fn keyed(mut self, config: &WidgetKind) -> Definition {
        let keys: Vec<String> = match config {
            WidgetKind::Poll(p) if !self.attributes.contains_key("data-options") => {
                p.options.iter().map(|o| o.key.to_string()).collect()
            }
            WidgetKind::Topics(t) => t.topics.iter().map(|o| o.key.to_string()).collect(),
            WidgetKind::Newsletter(n) if !self.attributes.contains_key("data-lists") => {
                n.lists.iter().map(|o| o.key.to_string()).collect()
            }
            _ => return self,
        };
        let mut items: Vec<&mut DefinitionItem> = self
            .items
            .iter_mut()
            .filter(|i| !crate::text::visible(&i.text).is_empty())
            .collect();
        if items.len() == keys.len() {
            for (item, key) in items.iter_mut().zip(keys) {
                item.key = Some(key);
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::WidgetKind;

    fn id() -> WidgetId {
        WidgetId::parse("marktplatz").expect("id")
    }

    fn poll() -> Definition {
        Definition {
            kind: Kind::Poll,
            attributes: [
                (
                    "data-question".to_owned(),
                    "Wie soll der Platz heißen?".to_owned(),
                ),
                ("data-max-choices".to_owned(), "2".to_owned()),
            ]
            .into_iter()
            .collect(),
            heading: None,
            items: vec![
                DefinitionItem {
                    text: "Marktplatz".into(),
                    key: Some("markt".into()),
                    title: None,
                },
                DefinitionItem {
                    text: "Lindenplatz".into(),
                    ..DefinitionItem::default()
                },
            ],
        }
    }

    #[test]
    fn a_definition_is_checked_by_the_widgets_parser() {
        let config = poll()
            .check(&id(), "https://beteiligung.example")
            .expect("valid");
        let WidgetKind::Poll(config) = config.kind else {
            panic!("a poll")
        };
        let keys: Vec<&str> = config.options.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(keys, ["markt", "lindenplatz"]);
        assert_eq!(config.max_choices(), 2);

        let mut bad = poll();
        bad.attributes.insert("data-max-choices".into(), "9".into());
        bad.attributes.insert("data-colour".into(), "rot".into());
        bad.attributes.insert("data-id".into(), "anderes".into());
        bad.attributes
            .insert("data-text-x\" onfocus=\"alert(1)".into(), "x".into());
        bad.attributes
            .insert("data-text-submit".into(), "Stimme abgeben".into());
        let errors = bad
            .check(&id(), "https://beteiligung.example")
            .expect_err("invalid");
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 4, "{shown:?}");
        assert!(shown[0].contains("data-colour"), "{shown:?}");
        assert!(shown[1].contains("belongs to the page"), "{shown:?}");
        assert!(
            shown[2].contains("onfocus"),
            "a text key the widgets do not have: {shown:?}"
        );
        assert!(matches!(errors[3], DefinitionError::Config(_)));
    }

    #[test]
    fn the_definition_rules_the_page_fills_in() {
        let page = Source {
            attributes: vec![
                ("data-mitmachen".into(), "poll".into()),
                ("data-id".into(), "marktplatz".into()),
                ("data-question".into(), "Alte Frage".into()),
                ("data-results".into(), "always".into()),
            ],
            content: EditorContent {
                heading: Some(Heading {
                    level: 3,
                    text: "Alte Überschrift".into(),
                }),
                items: vec![Item {
                    text: "Alte Antwort".into(),
                    ..Item::default()
                }],
            },
            page_lang: Some("de".into()),
            default_endpoint: Some("https://beteiligung.example".into()),
        };
        let mut definition = poll();
        definition.heading = Some("Neue Überschrift".into());
        let laid = definition.over(&page);
        let value = |name: &str| {
            laid.attributes
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(value("data-question"), ["Wie soll der Platz heißen?"]);
        assert_eq!(value("data-results"), ["always"], "the page fills in");
        assert_eq!(value("data-id"), ["marktplatz"]);
        let heading = laid.content.heading.clone().expect("heading");
        assert_eq!(
            (heading.level, heading.text.as_str()),
            (3, "Neue Überschrift")
        );
        assert_eq!(laid.content.items.len(), 2);

        // Read back from the page it would make: the same definition.
        let mut read = Definition::from_source(&laid).expect("a kind");
        read.attributes.remove("data-results");
        assert_eq!(read, definition);
    }

    #[test]
    fn json_round_trip_refuses_unknown_fields() {
        let json = serde_json::to_string(&poll()).expect("json");
        assert_eq!(
            serde_json::from_str::<Definition>(&json).expect("back"),
            poll()
        );
        assert!(serde_json::from_str::<Definition>(r#"{"kind": "poll", "colour": 1}"#).is_err());
        assert!(serde_json::from_str::<Definition>(r#"{"kind": "quiz"}"#).is_err());
    }
}
