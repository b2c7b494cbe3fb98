//! A newsletter opt-in's configuration: its heading, the lists to choose from, whether the
//! name is asked, the editor's consent text and the town's privacy notice.
//!
//! The lists come from `data-lists` (separated by `|`) or the editor's list inside the element,
//! keyed like a poll's answers (`data-key` on an item, else a slug of its text). The consent
//! text is what the town proves consent with, so it is shown exactly as written.

use super::event::privacy;
use super::poll::{PollOption, parse_options};
use super::{Attrs, ConfigError, EditorContent};
use crate::event::Ask;
use crate::ids::OptionKey;
use crate::newsletter::{MAX_CONSENT_CHARS, MAX_LISTS};

pub(super) const ATTRS: &[&str] = &[
    "data-title",
    "data-lists",
    "data-name",
    "data-consent",
    "data-privacy",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsletterConfig {
    /// The editor's heading or `data-title`; `None`: the widget's default heading.
    pub heading: Option<String>,
    pub heading_level: u8,
    /// Empty: one newsletter, nothing to choose. One list: nothing to choose either, it is
    /// sent. Several: checkboxes, at least one.
    pub lists: Vec<PollOption>,
    pub name: Ask,
    /// The editor's consent text; `None`: the widget's default text (in its language).
    pub consent: Option<String>,
    /// The town's privacy notice: `https://…`, `http://…` or a path on the page's site.
    pub privacy_url: String,
}

impl NewsletterConfig {
    pub fn list_keys(&self) -> Vec<OptionKey> {
        self.lists.iter().map(|l| l.key.clone()).collect()
    }

    /// Whether the citizen chooses lists (checkboxes) rather than getting the only one.
    pub fn offers_choice(&self) -> bool {
        self.lists.len() > 1
    }
}

pub(super) fn parse(
    attrs: &Attrs,
    content: &EditorContent,
    errors: &mut Vec<ConfigError>,
) -> Option<NewsletterConfig> {
    let before = errors.len();
    let (heading, heading_level) = match attrs.heading_from("data-title", content) {
        Some((title, level)) => (Some(title), level),
        None => (None, 2),
    };
    let lists = parse_options(attrs, content, errors, "data-lists", 0, MAX_LISTS);
    let name = match attrs.one_of("data-name", &["off", "optional", "required"], errors) {
        Some("off") => Ask::No,
        Some("required") => Ask::Required,
        _ => Ask::Optional,
    };
    let consent = attrs.text("data-consent", MAX_CONSENT_CHARS, errors);
    let privacy_url = privacy(attrs, errors);
    (errors.len() == before).then_some(NewsletterConfig {
        heading,
        heading_level,
        lists,
        name,
        consent,
        privacy_url,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Heading, Item, Source, WidgetKind, parse as parse_source};
    use super::*;

    fn source(attrs: &[(&str, &str)], heading: Option<&str>, items: &[&str]) -> Source {
        let mut attributes = vec![
            ("data-mitmachen".to_string(), "newsletter".to_string()),
            ("data-id".into(), "newsletter-beteiligung".into()),
            ("data-endpoint".into(), "https://beteiligung.example".into()),
            ("data-privacy".into(), "/datenschutz".into()),
        ];
        attributes.extend(attrs.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        Source {
            attributes,
            content: EditorContent {
                heading: heading.map(|h| Heading {
                    level: 3,
                    text: h.into(),
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

    fn newsletter(s: &Source) -> Result<NewsletterConfig, Vec<ConfigError>> {
        let parsed = parse_source(s);
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        match parsed.config {
            Ok(c) => match c.kind {
                WidgetKind::Newsletter(n) => Ok(n),
                other => panic!("not a newsletter: {other:?}"),
            },
            Err(e) => Err(e),
        }
    }

    #[test]
    fn lists_and_heading_from_the_editors_html() {
        let s = source(
            &[],
            Some("Newsletter Bürgerbeteiligung"),
            &["Beteiligung", "Veranstaltungen im Rathaus"],
        );
        let n = newsletter(&s).expect("valid");
        assert_eq!(n.heading.as_deref(), Some("Newsletter Bürgerbeteiligung"));
        assert_eq!(n.heading_level, 3);
        let keys: Vec<&str> = n.lists.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(keys, ["beteiligung", "veranstaltungen-im-rathaus"]);
        assert!(n.offers_choice());
        assert_eq!(
            (n.name, n.consent, n.privacy_url.as_str()),
            (Ask::Optional, None, "/datenschutz")
        );
    }

    #[test]
    fn attributes_win_and_nothing_is_required_but_the_privacy_notice() {
        let s = source(
            &[
                ("data-title", "Newsletter"),
                ("data-lists", "Beteiligung | Termine"),
                ("data-name", "off"),
                (
                    "data-consent",
                    "Ja, ich möchte den Newsletter der Stadt Musterstadt per E-Mail erhalten.",
                ),
            ],
            Some("Überschrift für Besucher ohne JavaScript"),
            &["Wird ignoriert"],
        );
        let n = newsletter(&s).expect("valid");
        assert_eq!(n.heading.as_deref(), Some("Newsletter"));
        assert_eq!(n.list_keys().len(), 2);
        assert_eq!(n.name, Ask::No);
        assert!(n.consent.as_deref().is_some_and(|c| c.starts_with("Ja,")));

        let bare = newsletter(&source(&[], None, &[])).expect("valid");
        assert_eq!((bare.heading.as_deref(), bare.lists.len()), (None, 0));
        assert!(!bare.offers_choice());
        let one = newsletter(&source(&[], None, &["Beteiligung"])).expect("valid");
        assert!(!one.offers_choice());
    }

    #[test]
    fn bad_input_is_named() {
        let mut s = source(
            &[
                ("data-name", "vielleicht"),
                ("data-consent", &"x".repeat(2001)),
            ],
            None,
            &["Termine", "Termine"],
        );
        s.attributes.retain(|(n, _)| n != "data-privacy");
        let errors = newsletter(&s).expect_err("invalid");
        assert!(errors.iter().any(|e| matches!(
            e,
            ConfigError::NotOneOf {
                attr: "data-name",
                ..
            }
        )));
        assert!(
            errors
                .iter()
                .any(|e| matches!(e, ConfigError::DuplicateOption { .. }))
        );
        assert!(
            errors
                .iter()
                .any(|e| matches!(e, ConfigError::LabelTooLong { max: 2000, .. }))
        );
        assert!(errors.iter().any(|e| matches!(
            e,
            ConfigError::Missing {
                attr: "data-privacy"
            }
        )));
        let many: Vec<String> = (0..21).map(|i| format!("Liste {i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let errors = newsletter(&source(&[], None, &many)).expect_err("too many");
        assert!(
            errors
                .iter()
                .any(|e| matches!(e, ConfigError::TooManyOptions { found: 21, max: 20 }))
        );
    }
}
