//! Widget definitions kept by the collector: every poll, topic list, event and newsletter as
//! one stored definition with its versions, from which the rules that submissions are held to
//! are derived.
//!
//! The feature: this file (a stored widget, its status, origin and the collector's own
//! settings), `store` (rows and versions), `import` (the configuration file's `[events.*]` and
//! `[newsletters.*]`, imported at start), `catalog` (the live set every handler reads, derived
//! from the stored definitions and reloaded when any collector on the database changes one),
//! `api` (`GET /v1/widgets/{id}` and the admin API's `GET`/`PUT /v1/admin/widgets/{id}`),
//! `record` (`POST /v1/widgets/{id}/pages`: a page's widget the collector does not know yet).
//!
//! What a definition says is the editor's vocabulary (`mitmachen_shared::definition`), checked
//! by the widgets' own parser; so a page, the console and the API cannot disagree.

pub mod api;
pub mod catalog;
pub(crate) mod import;
pub mod record;
pub(crate) mod store;

use crate::proposals::Moderation;
use mitmachen_shared::definition::{Definition, Kind};
use mitmachen_shared::ids::WidgetId;
use serde::{Deserialize, Serialize};

/// Whether a widget takes submissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    /// Recorded from a page under `new_widgets = "draft"`: shown in the console, takes no
    /// submissions until an editor adopts it.
    Draft,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Draft => "draft",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "active" => Some(Status::Active),
            "draft" => Some(Status::Draft),
            _ => None,
        }
    }
}

/// Where the current version came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The configuration file: changed only there (read-only in the console and the API).
    File,
    Console,
    Api,
    /// Recorded from a page that embedded an id the collector did not know.
    Page,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::File => "file",
            Origin::Console => "console",
            Origin::Api => "api",
            Origin::Page => "page",
        }
    }

    pub fn parse(text: &str) -> Option<Origin> {
        [Origin::File, Origin::Console, Origin::Api, Origin::Page]
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}

/// How long a newsletter's confirmation link may work, in hours.
pub const CONFIRM_HOURS: std::ops::RangeInclusive<u32> = 1..=336;
/// After how many days unconfirmed newsletter requests may be deleted.
pub const UNCONFIRMED_DAYS: std::ops::RangeInclusive<u32> = 1..=90;
/// The longest name a newsletter's mails may use, in characters.
pub const MAIL_TITLE_MAX: usize = 200;

/// What only the collector needs of a widget, never sent to a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Topic lists: `pre` (proposals served once approved, the default) or `post`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderation: Option<String>,
    /// Events and newsletters: the town's page about it, linked from the mails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// Newsletters: the name the mails use; absent: the widget's heading (`data-title`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_title: Option<String>,
    /// Newsletters: how long a confirmation link works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_hours: Option<u32>,
    /// Newsletters: unconfirmed requests are deleted after this many days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unconfirmed_days: Option<u32>,
    /// Polls and topic lists: who sees the results in the console while the widget is open:
    /// every role that reads results (absent, `readers`) or `administrators` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results_before_close: Option<String>,
    /// Events: the town's own mail texts (`events::texts`), by `kind/lang`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub mail_texts: crate::events::texts::MailTexts,
}

impl Settings {
    pub fn moderation(&self) -> Moderation {
        match self.moderation.as_deref() {
            Some("post") => Moderation::Post,
            _ => Moderation::Pre,
        }
    }

    /// Whether only administrators may see the results before the widget closes.
    pub fn results_for_administrators_only(&self) -> bool {
        self.results_before_close.as_deref() == Some("administrators")
    }

    /// What is wrong with the settings for a widget of `kind`, as (JSON pointer, detail).
    pub fn problems(&self, kind: Kind) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        let mut not_for = |field: &str, set: bool, kinds: &[Kind]| {
            if set && !kinds.contains(&kind) {
                problems.push((
                    format!("/settings/{field}"),
                    format!("a {} has no {field}", kind.as_str()),
                ));
            }
        };
        not_for("moderation", self.moderation.is_some(), &[Kind::Topics]);
        not_for(
            "page_url",
            self.page_url.is_some(),
            &[Kind::Event, Kind::Newsletter],
        );
        not_for("mail_title", self.mail_title.is_some(), &[Kind::Newsletter]);
        not_for(
            "results_before_close",
            self.results_before_close.is_some(),
            &[Kind::Poll, Kind::Topics],
        );
        not_for("mail_texts", !self.mail_texts.is_empty(), &[Kind::Event]);
        not_for(
            "confirm_hours",
            self.confirm_hours.is_some(),
            &[Kind::Newsletter],
        );
        not_for(
            "unconfirmed_days",
            self.unconfirmed_days.is_some(),
            &[Kind::Newsletter],
        );
        for (at, detail) in crate::events::texts::problems(&self.mail_texts) {
            problems.push((format!("/settings/mail_texts/{at}"), detail));
        }
        if let Some(who) = &self.results_before_close
            && who != "readers"
            && who != "administrators"
        {
            problems.push((
                "/settings/results_before_close".into(),
                format!("'{who}' is neither readers nor administrators"),
            ));
        }
        if self
            .mail_title
            .as_deref()
            .is_some_and(|t| t.trim().is_empty() || t.chars().count() > MAIL_TITLE_MAX)
        {
            problems.push((
                "/settings/mail_title".into(),
                format!("must have 1 to {MAIL_TITLE_MAX} characters"),
            ));
        }
        if let Some(m) = &self.moderation
            && m != "pre"
            && m != "post"
        {
            problems.push((
                "/settings/moderation".into(),
                format!("'{m}' is neither pre nor post"),
            ));
        }
        if let Some(url) = &self.page_url {
            let web = url.starts_with("https://") || url.starts_with("http://");
            if !web || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                problems.push((
                    "/settings/page_url".into(),
                    "is not an http(s) address without spaces".into(),
                ));
            }
        }
        if self
            .confirm_hours
            .is_some_and(|h| !CONFIRM_HOURS.contains(&h))
        {
            problems.push((
                "/settings/confirm_hours".into(),
                format!(
                    "is out of range ({} to {})",
                    CONFIRM_HOURS.start(),
                    CONFIRM_HOURS.end()
                ),
            ));
        }
        if self
            .unconfirmed_days
            .is_some_and(|d| !UNCONFIRMED_DAYS.contains(&d))
        {
            problems.push((
                "/settings/unconfirmed_days".into(),
                format!(
                    "is out of range ({} to {})",
                    UNCONFIRMED_DAYS.start(),
                    UNCONFIRMED_DAYS.end()
                ),
            ));
        }
        problems
    }
}

/// A widget as stored: its definition, settings and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Widget {
    pub id: WidgetId,
    pub definition: Definition,
    pub settings: Settings,
    pub status: Status,
    pub origin: Origin,
    pub version: i64,
    /// UTC, RFC 3339.
    pub changed_at: String,
    pub changed_by: String,
}

/// The admin API's shape of a widget, read and written alike: what `GET` answers can be sent
/// back with `PUT`, to the same id or another. `id`, `origin`, `version`, `changed_at` and
/// `changed_by` are the collector's to set and ignored when sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminWidget {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub kind: Kind,
    #[serde(default)]
    pub attributes: mitmachen_shared::definition::Attributes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    #[serde(default)]
    pub items: Vec<mitmachen_shared::definition::DefinitionItem>,
    #[serde(default)]
    pub settings: Settings,
    /// `active` unless sent as `draft`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_by: Option<String>,
}

impl AdminWidget {
    pub fn of(widget: &Widget) -> AdminWidget {
        AdminWidget {
            id: Some(widget.id.as_str().to_owned()),
            kind: widget.definition.kind,
            attributes: widget.definition.attributes.clone(),
            heading: widget.definition.heading.clone(),
            items: widget.definition.items.clone(),
            settings: widget.settings.clone(),
            status: Some(widget.status),
            origin: Some(widget.origin),
            version: Some(widget.version),
            changed_at: Some(widget.changed_at.clone()),
            changed_by: Some(widget.changed_by.clone()),
        }
    }

    pub fn definition(&self) -> Definition {
        Definition {
            kind: self.kind,
            attributes: self.attributes.clone(),
            heading: self.heading.clone(),
            items: self.items.clone(),
        }
    }
}
