//! Widget definitions in the store: the current one per widget, every version before it, and
//! the pages recorded with ids the collector did not know. Each change runs inside the caller's
//! write transaction and is written to the audit log there, whoever made it.

use super::{Origin, Settings, Status, Widget};
use crate::args;
use crate::audit::{self, Action};
use crate::db::{Row, StoreError, Tx, now};
use mitmachen_shared::definition::Definition;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::time::rfc3339_utc;

const COLUMNS: &str =
    "id, kind, status, origin, version, definition, settings, changed_at, changed_by";

/// Every stored widget, by id.
pub(crate) fn all(tx: &mut dyn Tx) -> Result<Vec<Widget>, StoreError> {
    tx.query(
        &format!("SELECT {COLUMNS} FROM widgets ORDER BY id"),
        args![],
    )?
    .iter()
    .map(widget_row)
    .collect()
}

pub(crate) fn get(tx: &mut dyn Tx, id: &WidgetId) -> Result<Option<Widget>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM widgets WHERE id = ?1"),
        args![id.as_str()],
    )?
    .as_ref()
    .map(widget_row)
    .transpose()
}

/// The number of the last change to any definition: a collector that has seen it has seen
/// every definition as it is.
pub(crate) fn last_change(tx: &mut dyn Tx) -> Result<i64, StoreError> {
    tx.query_one("SELECT coalesce(max(seq), 0) FROM widget_versions", args![])?
        .int(0)
}

/// What is to be stored as a widget's next version.
#[derive(Debug, Clone)]
pub(crate) struct Change<'a> {
    pub definition: &'a Definition,
    pub settings: &'a Settings,
    pub status: Status,
    pub origin: Origin,
    pub by: &'a str,
    /// What the change was made on.
    pub expected: Expected,
}

/// The version a change was made on: it is stored only over that one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expected {
    /// Whatever is stored (the configuration file, the API without `If-Match`).
    Any,
    /// Exactly this version (`If-Match`, a console form).
    Version(i64),
    /// No definition yet (a new widget in the console).
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Saved {
    Created(Widget),
    Changed(Widget),
    /// The same definition, settings and status as stored: no new version.
    Unchanged(Widget),
    /// `expected` is not the current version (or there is none); nothing changed.
    Conflict {
        current: Option<i64>,
    },
}

/// Stores `change` as the widget's next version.
pub(crate) fn save(tx: &mut dyn Tx, id: &WidgetId, change: Change) -> Result<Saved, StoreError> {
    let current = get(tx, id)?;
    let matches = match change.expected {
        Expected::Any => true,
        Expected::Version(v) => current.as_ref().map(|w| w.version) == Some(v),
        Expected::Nothing => current.is_none(),
    };
    if !matches {
        return Ok(Saved::Conflict {
            current: current.map(|w| w.version),
        });
    }
    // Saving a page's definition unchanged is still a change: an editor reviewed it.
    let reviewed = current
        .as_ref()
        .is_some_and(|c| c.origin == Origin::Page && change.origin != Origin::Page);
    if let Some(current) = &current
        && current.definition == *change.definition
        && current.settings == *change.settings
        && current.status == change.status
        && !reviewed
    {
        return Ok(Saved::Unchanged(current.clone()));
    }
    // Versions go on after a discarded definition, so that every version number stays unique.
    let version = tx
        .query_one(
            "SELECT coalesce(max(version), 0) + 1 FROM widget_versions WHERE widget = ?1",
            args![id.as_str()],
        )?
        .int(0)?;
    let widget = Widget {
        id: id.clone(),
        definition: change.definition.clone(),
        settings: change.settings.clone(),
        status: change.status,
        origin: change.origin,
        version,
        changed_at: rfc3339_utc(now()),
        changed_by: change.by.to_owned(),
    };
    let definition = json(&widget.definition)?;
    let settings = json(&widget.settings)?;
    tx.execute(
        "INSERT INTO widgets
           (id, kind, status, origin, version, definition, settings, changed_at, changed_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, status = excluded.status,
           origin = excluded.origin, version = excluded.version,
           definition = excluded.definition, settings = excluded.settings,
           changed_at = excluded.changed_at, changed_by = excluded.changed_by",
        args![
            id.as_str(),
            widget.definition.kind.as_str(),
            widget.status.as_str(),
            widget.origin.as_str(),
            version,
            definition,
            settings,
            widget.changed_at,
            widget.changed_by,
        ],
    )?;
    record_version(tx, &widget, widget.status.as_str())?;
    let adopted = current
        .as_ref()
        .is_some_and(|c| c.status == Status::Draft && widget.status == Status::Active);
    let action = if adopted {
        Action::WidgetAdopted
    } else {
        Action::WidgetSaved
    };
    let detail = format!("version {} ({})", version, widget.origin.as_str());
    audit::record(tx, change.by, action, id.as_str(), &detail)?;
    // An event called off or moved: everyone with a seat or a waiting place is told, in the
    // commit that changes it.
    if let Some(before) = current.as_ref().filter(|c| c.status == Status::Active)
        && widget.status == Status::Active
        && let Some((what, mails)) = crate::events::store::announce_change(
            tx,
            id,
            &before.definition,
            &widget.definition,
            now(),
        )?
    {
        let detail = format!("{what}: {mails} mails");
        audit::record(
            tx,
            change.by,
            Action::RegistrantsMailed,
            id.as_str(),
            &detail,
        )?;
    }
    Ok(if current.is_some() {
        Saved::Changed(widget)
    } else {
        Saved::Created(widget)
    })
}

/// Removes a widget's definition (a draft nobody wants); its versions stay, the last one
/// marked `discarded`. `false`: there was none.
pub(crate) fn discard(tx: &mut dyn Tx, id: &WidgetId, by: &str) -> Result<bool, StoreError> {
    let Some(mut widget) = get(tx, id)? else {
        return Ok(false);
    };
    tx.execute("DELETE FROM widgets WHERE id = ?1", args![id.as_str()])?;
    widget.version += 1;
    widget.changed_at = rfc3339_utc(now());
    by.clone_into(&mut widget.changed_by);
    record_version(tx, &widget, "discarded")?;
    audit::record(tx, by, Action::WidgetDiscarded, id.as_str(), "")?;
    Ok(true)
}

fn record_version(tx: &mut dyn Tx, widget: &Widget, status: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO widget_versions
           (widget, version, kind, status, origin, definition, settings, changed_at, changed_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        args![
            widget.id.as_str(),
            widget.version,
            widget.definition.kind.as_str(),
            status,
            widget.origin.as_str(),
            json(&widget.definition)?,
            json(&widget.settings)?,
            widget.changed_at,
            widget.changed_by,
        ],
    )?;
    Ok(())
}

/// One line of a widget's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VersionRecord {
    pub version: i64,
    /// `active`, `draft` or `discarded`.
    pub status: String,
    pub origin: String,
    pub changed_at: String,
    pub changed_by: String,
}

/// A widget's versions, newest first.
pub(crate) fn versions(tx: &mut dyn Tx, id: &WidgetId) -> Result<Vec<VersionRecord>, StoreError> {
    tx.query(
        "SELECT version, status, origin, changed_at, changed_by FROM widget_versions
         WHERE widget = ?1 ORDER BY version DESC",
        args![id.as_str()],
    )?
    .iter()
    .map(|row| {
        Ok(VersionRecord {
            version: row.int(0)?,
            status: row.text(1)?,
            origin: row.text(2)?,
            changed_at: row.text(3)?,
            changed_by: row.text(4)?,
        })
    })
    .collect()
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError(format!("cannot write JSON: {e}")))
}

fn widget_row(row: &Row) -> Result<Widget, StoreError> {
    let id = row.text(0)?;
    let bad = |what: &str| StoreError(format!("the widget row '{id}' has {what}"));
    Ok(Widget {
        id: WidgetId::parse(&id).map_err(|_| bad("a malformed id"))?,
        status: Status::parse(&row.text(2)?).ok_or_else(|| bad("an unknown status"))?,
        origin: Origin::parse(&row.text(3)?).ok_or_else(|| bad("an unknown origin"))?,
        version: row.int(4)?,
        definition: serde_json::from_str(&row.text(5)?)
            .map_err(|e| bad(&format!("a definition that does not parse ({e})")))?,
        settings: serde_json::from_str(&row.text(6)?)
            .map_err(|e| bad(&format!("settings that do not parse ({e})")))?,
        changed_at: row.text(7)?,
        changed_by: row.text(8)?,
    })
}

/// New pages recorded per page origin and UTC day, at most: a page that invents ids in a loop
/// cannot fill the database or the console.
pub const PAGES_PER_ORIGIN_AND_DAY: i64 = 100;

/// A page that embedded a widget id the collector did not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedPage {
    pub page_url: String,
    pub definition: Definition,
    /// UTC, RFC 3339.
    pub seen_at: String,
}

/// Records what `page_url` says about `widget`; a page already recorded is updated. `false`:
/// the page's origin has used up today's new pages, nothing was recorded.
pub(crate) fn record_page(
    tx: &mut dyn Tx,
    widget: &WidgetId,
    page_origin: &str,
    page_url: &str,
    definition: &Definition,
) -> Result<bool, StoreError> {
    let now = rfc3339_utc(now());
    let day = now.get(..10).unwrap_or_default().to_owned();
    let definition = json(definition)?;
    let known = tx
        .query_one(
            "SELECT count(*) FROM widget_pages WHERE widget = ?1 AND page_url = ?2",
            args![widget.as_str(), page_url],
        )?
        .bool(0)?;
    if known {
        tx.execute(
            "UPDATE widget_pages SET definition = ?1, seen_at = ?2, day = ?3
             WHERE widget = ?4 AND page_url = ?5",
            args![definition, now, day, widget.as_str(), page_url],
        )?;
        return Ok(true);
    }
    let today = tx
        .query_one(
            "SELECT count(*) FROM widget_pages WHERE page_origin = ?1 AND day = ?2",
            args![page_origin, day],
        )?
        .int(0)?;
    if today >= PAGES_PER_ORIGIN_AND_DAY {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO widget_pages (widget, page_origin, page_url, day, definition, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        args![widget.as_str(), page_origin, page_url, day, definition, now],
    )?;
    Ok(true)
}

/// The pages recorded with `widget`, the latest first.
pub(crate) fn pages(tx: &mut dyn Tx, widget: &WidgetId) -> Result<Vec<RecordedPage>, StoreError> {
    tx.query(
        "SELECT page_url, definition, seen_at FROM widget_pages
         WHERE widget = ?1 ORDER BY seen_at DESC, id DESC",
        args![widget.as_str()],
    )?
    .iter()
    .map(|row| {
        Ok(RecordedPage {
            page_url: row.text(0)?,
            definition: serde_json::from_str(&row.text(1)?)
                .map_err(|e| StoreError(format!("a recorded page does not parse: {e}")))?,
            seen_at: row.text(2)?,
        })
    })
    .collect()
}
