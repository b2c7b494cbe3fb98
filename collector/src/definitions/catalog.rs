//! The live set of widgets every handler reads: the stored definitions and what the collector
//! derives from them (a poll's or topic list's rules, an event, a newsletter, a moderation
//! mode), plus the configuration file's `[widgets.*]` rules laid over them.
//!
//! A handler takes a snapshot ([`Catalog::now`]: an `Arc`, no lock held while it works). A
//! change made here replaces the snapshot at once ([`Catalog::reload`]); a change made by
//! another collector on the same database is seen within [`REFRESH`], when the background task
//! finds that the last change number moved.

use super::store;
use super::{Settings, Status, Widget};
use crate::ballots::rules::{BallotRules, Closes, WidgetRules};
use crate::db::{self, Store, StoreError};
use crate::events::Event;
use crate::newsletters::{DEFAULT_CONFIRM_HOURS, DEFAULT_UNCONFIRMED_DAYS, Newsletter, Webhook};
use crate::proposals::Moderation;
use mitmachen_shared::config::{ResultsVisibility, WidgetKind};
use mitmachen_shared::event::MAX_PERSONS;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::EventState;
use mitmachen_shared::time::Timestamp;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How soon a collector sees a definition another collector on the same database changed.
pub const REFRESH: Duration = Duration::from_secs(2);

/// What the configuration file says beyond definitions: `[widgets.*]` rules and moderation
/// (laid over a definition's), and the newsletters' webhooks (secrets stay in the file).
#[derive(Debug, Clone, Default)]
pub struct FileRules {
    pub rules: BTreeMap<WidgetId, WidgetRules>,
    pub moderation: BTreeMap<WidgetId, Moderation>,
    pub webhooks: BTreeMap<WidgetId, Webhook>,
}

/// One snapshot of every widget.
#[derive(Debug, Default)]
pub struct Declared {
    /// Every stored widget, active and draft.
    pub widgets: BTreeMap<WidgetId, Arc<Widget>>,
    /// Rules submissions are held to; absent: the generic limits only.
    pub rules: BTreeMap<WidgetId, Arc<WidgetRules>>,
    /// The events that take registrations.
    pub events: BTreeMap<WidgetId, Arc<Event>>,
    /// The newsletters that take subscriptions.
    pub newsletters: BTreeMap<WidgetId, Arc<Newsletter>>,
    moderation: BTreeMap<WidgetId, Moderation>,
    /// When citizens may read a poll's or topic list's results (its `data-results`).
    publication: BTreeMap<WidgetId, ResultsVisibility>,
    /// Active definitions the widgets' parser no longer accepts: they take nothing until an
    /// editor corrects them.
    invalid: BTreeSet<WidgetId>,
    /// Ids with rules in the configuration file (`[widgets.*]`).
    file_rules: BTreeSet<WidgetId>,
    /// The last change number this snapshot includes.
    seen: i64,
}

/// Whether a widget takes part now, as pages and the console are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WidgetState {
    Open,
    /// A poll's or topic list's closing time passed, an event's registration ended.
    Closed,
    /// An event called off.
    Cancelled,
    /// Takes no submissions: recorded from a page and not adopted yet, or a stored definition
    /// the widgets' parser no longer accepts.
    Draft,
}

impl WidgetState {
    pub fn as_str(self) -> &'static str {
        match self {
            WidgetState::Open => "open",
            WidgetState::Closed => "closed",
            WidgetState::Cancelled => "cancelled",
            WidgetState::Draft => "draft",
        }
    }
}

impl Declared {
    /// When a topic list's proposals are served; not declared: [`Moderation::Pre`].
    pub fn moderation(&self, widget: &WidgetId) -> Moderation {
        self.moderation.get(widget).copied().unwrap_or_default()
    }

    /// Whether the widget takes no submissions: a draft, or a definition no longer valid.
    pub fn is_draft(&self, widget: &WidgetId) -> bool {
        self.invalid.contains(widget)
            || self
                .widgets
                .get(widget)
                .is_some_and(|w| w.status == Status::Draft)
    }

    /// Whether citizens may read the widget's results at `now`: not for `never`, nor before the
    /// close for `after-closing`. "After voting" cannot be told apart from a curious reader
    /// (the collector knows no voters), so it is public, as without a definition.
    pub fn results_public(&self, widget: &WidgetId, now: Timestamp) -> bool {
        match self.publication.get(widget) {
            Some(ResultsVisibility::Never) => false,
            Some(ResultsVisibility::AfterClosing) => {
                self.state(widget, now) == Some(WidgetState::Closed)
            }
            _ => true,
        }
    }

    /// Whether the configuration file has `[widgets.<id>]` rules for it.
    pub fn has_file_rules(&self, widget: &WidgetId) -> bool {
        self.file_rules.contains(widget)
    }

    /// Where the widget stands at `now`; `None` without a definition.
    pub fn state(&self, widget: &WidgetId, now: Timestamp) -> Option<WidgetState> {
        self.widgets.get(widget)?;
        if self.is_draft(widget) {
            return Some(WidgetState::Draft);
        }
        Some(match self.events.get(widget) {
            Some(event) => match event.state(now) {
                EventState::Open => WidgetState::Open,
                EventState::Closed => WidgetState::Closed,
                EventState::Cancelled => WidgetState::Cancelled,
            },
            None if self
                .rules
                .get(widget)
                .and_then(|r| r.closes.as_ref())
                .is_some_and(|c| c.at <= now) =>
            {
                WidgetState::Closed
            }
            None => WidgetState::Open,
        })
    }
}

pub struct Catalog {
    current: RwLock<Arc<Declared>>,
    file: FileRules,
    /// Where the widgets send to: the endpoint a definition is checked with.
    endpoint: String,
}

impl Catalog {
    /// The catalog of `store`'s definitions with the file's rules.
    pub fn load(store: &dyn Store, file: FileRules, endpoint: &str) -> Result<Catalog, StoreError> {
        let catalog = Catalog {
            current: RwLock::new(Arc::new(Declared::default())),
            file,
            endpoint: endpoint.to_owned(),
        };
        catalog.reload(store)?;
        Ok(catalog)
    }

    /// A catalog of exactly these widgets, never reloaded (tests of parts that need no store).
    pub fn fixed(widgets: Vec<Widget>, file: FileRules, endpoint: &str) -> Catalog {
        let catalog = Catalog {
            current: RwLock::new(Arc::new(Declared::default())),
            file,
            endpoint: endpoint.to_owned(),
        };
        let declared = catalog.derive(widgets, 0);
        catalog.swap(declared);
        catalog
    }

    pub fn now(&self) -> Arc<Declared> {
        match self.current.read() {
            Ok(current) => current.clone(),
            // A panic while swapping left the old snapshot, which is whole.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reads every definition again and makes it the current snapshot.
    pub fn reload(&self, store: &dyn Store) -> Result<(), StoreError> {
        let (widgets, seen) = db::read(store, |tx| Ok((store::all(tx)?, store::last_change(tx)?)))?;
        let declared = self.derive(widgets, seen);
        self.swap(declared);
        Ok(())
    }

    /// Reloads if any collector changed a definition since the snapshot was made.
    pub fn refresh(&self, store: &dyn Store) -> Result<bool, StoreError> {
        let last = db::read(store, store::last_change)?;
        if last == self.now().seen {
            return Ok(false);
        }
        self.reload(store)?;
        Ok(true)
    }

    /// Makes `declared` current unless a newer snapshot already is (a handler's reload and
    /// the background check may finish in either order).
    fn swap(&self, declared: Declared) {
        let declared = Arc::new(declared);
        let mut current = match self.current.write() {
            Ok(current) => current,
            Err(poisoned) => poisoned.into_inner(),
        };
        if declared.seen >= current.seen {
            *current = declared;
        }
    }

    fn derive(&self, widgets: Vec<Widget>, seen: i64) -> Declared {
        let mut declared = Declared {
            seen,
            ..Declared::default()
        };
        for widget in widgets {
            let id = widget.id.clone();
            if widget.status == Status::Active {
                match widget.definition.check(&id, &self.endpoint) {
                    Ok(config) => self.add(&mut declared, &widget, config.kind),
                    Err(errors) => {
                        // Stored before a stricter widget version: it takes nothing until fixed.
                        declared.invalid.insert(id.clone());
                        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
                        tracing::error!(widget = %id, ?errors, "a stored definition is not valid; the widget takes no submissions until it is corrected");
                    }
                }
            }
            declared.widgets.insert(id, Arc::new(widget));
        }
        // The file's rules and moderation are the administrator's last word.
        for (id, rules) in &self.file.rules {
            declared.rules.insert(id.clone(), Arc::new(rules.clone()));
            declared.file_rules.insert(id.clone());
        }
        for (id, moderation) in &self.file.moderation {
            declared.moderation.insert(id.clone(), *moderation);
        }
        declared
    }

    fn add(&self, declared: &mut Declared, widget: &Widget, kind: WidgetKind) {
        let id = widget.id.clone();
        let closes = |at: Option<mitmachen_shared::time::Timestamp>| {
            at.map(|at| Closes {
                at,
                written: widget
                    .definition
                    .attributes
                    .get("data-closes")
                    .cloned()
                    .unwrap_or_default(),
            })
        };
        match kind {
            WidgetKind::Poll(poll) => {
                let rules = WidgetRules {
                    closes: closes(poll.closes_at),
                    ballot: Some(BallotRules::Poll {
                        options: Some(poll.options.iter().map(|o| o.key.clone()).collect()),
                        max_choices: poll.max_choices(),
                    }),
                };
                declared.rules.insert(id.clone(), Arc::new(rules));
                declared.publication.insert(id, poll.results);
            }
            WidgetKind::Topics(topics) => {
                let rules = WidgetRules {
                    closes: closes(topics.closes_at),
                    ballot: Some(BallotRules::Topics {
                        dots: topics.rules,
                        topics: Some(topics.topics.iter().map(|t| t.key.clone()).collect()),
                    }),
                };
                declared.rules.insert(id.clone(), Arc::new(rules));
                declared
                    .moderation
                    .insert(id.clone(), widget.settings.moderation());
                declared.publication.insert(id, topics.results);
            }
            WidgetKind::Event(event) => {
                // What the definition leaves to the page is not refused here: a page may offer
                // more persons than the widget's default of one.
                let persons_max = if widget
                    .definition
                    .attributes
                    .contains_key("data-persons-max")
                {
                    event.fields.persons_max
                } else {
                    MAX_PERSONS
                };
                let event = Event {
                    facts: event.facts,
                    capacity: event.capacity,
                    waiting_list: event.waiting_list,
                    deadline: event.deadline,
                    persons_max,
                    cancelled: event.cancelled,
                    page_url: widget.settings.page_url.clone(),
                    mail_texts: widget.settings.mail_texts.clone(),
                };
                declared.events.insert(id, Arc::new(event));
            }
            WidgetKind::Newsletter(newsletter) => {
                let Settings {
                    page_url,
                    mail_title,
                    confirm_hours,
                    unconfirmed_days,
                    ..
                } = &widget.settings;
                let newsletter = Newsletter {
                    title: mail_title
                        .clone()
                        .or(newsletter.heading)
                        .unwrap_or_else(|| "Newsletter".to_owned()),
                    lists: newsletter
                        .lists
                        .into_iter()
                        .map(|l| (l.key, l.label))
                        .collect(),
                    page_url: page_url.clone(),
                    confirm_hours: confirm_hours.unwrap_or(DEFAULT_CONFIRM_HOURS),
                    unconfirmed_days: unconfirmed_days.unwrap_or(DEFAULT_UNCONFIRMED_DAYS),
                    webhook: self.file.webhooks.get(&id).cloned(),
                };
                declared.newsletters.insert(id, Arc::new(newsletter));
            }
        }
    }
}

/// Keeps the catalog in step with changes other collectors make, every [`REFRESH`].
pub async fn follow(catalog: Arc<Catalog>, store: Arc<dyn Store>) {
    let mut tick = tokio::time::interval(REFRESH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let (catalog, store) = (catalog.clone(), store.clone());
        match tokio::task::spawn_blocking(move || catalog.refresh(store.as_ref())).await {
            Ok(Ok(true)) => {
                tracing::info!("widget definitions changed by another collector; reloaded")
            }
            Ok(Ok(false)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "checking for changed widget definitions failed")
            }
            Err(e) => {
                tracing::error!(error = %e, "checking for changed widget definitions crashed")
            }
        }
    }
}
