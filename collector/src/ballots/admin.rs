//! Results exports of the admin API: `GET /v1/admin/widgets/{widget}/results.csv` (German
//! Excel) and `.xlsx`, what the console's results page links to.

use super::pages::held_back;
use super::tally::{self, BallotKind};
use crate::accounts::Permission;
use crate::app::admin::Admin;
use crate::app::error::ApiError;
use crate::app::export::{Cell, Export, Format, provenance};
use crate::app::{SharedState, blocking, widget_id};
use axum::Router;
use axum::extract::{Path, RawQuery, State, rejection::PathRejection};
use axum::response::Response;
use axum::routing::get;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/admin/widgets/{widget}/results.csv", get(export_csv))
        .route("/v1/admin/widgets/{widget}/results.xlsx", get(export_xlsx))
}

async fn export(
    state: SharedState,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    format: Format,
) -> Result<Response, ApiError> {
    admin.require(Permission::ReadResults)?;
    let widget = widget_id(widget)?;
    if held_back(&state, &widget, admin.role) {
        return Err(ApiError::Forbidden(
            "until the vote closes, this widget's results are for administrators only".into(),
        ));
    }
    let (state2, widget2) = (state.clone(), widget.clone());
    let tally = blocking(&state, "reading results for an export", move |_| {
        tally::read(&state2, &widget2)
    })
    .await?
    .ok_or_else(|| {
        ApiError::NotFound(format!(
            "'{widget}' is neither a poll nor a topic list with results"
        ))
    })?;
    let (title, version) = provenance(&state, &widget);
    let (what, counted) = match tally.kind {
        BallotKind::Poll => ("Antwort", "Stimmen"),
        BallotKind::Topics => ("Thema", "Punkte"),
    };
    Export {
        what: "ergebnisse",
        sheet: "Ergebnisse",
        widget: Some(widget),
        title,
        version,
        header: vec![
            "Rang",
            "Schlüssel",
            what,
            counted,
            "Anteil (%)",
            "Zusammengeführte Vorschläge",
        ],
        rows: tally
            .lines
            .iter()
            .map(|l| {
                vec![
                    Cell::from(l.rank as u64),
                    l.key.as_str().into(),
                    l.label.as_str().into(),
                    l.count.into(),
                    l.share.into(),
                    l.merged.join("; ").into(),
                ]
            })
            .collect(),
    }
    .respond(&state, &admin, format)
    .await
}

async fn export_csv(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let format = Format::csv(query.as_deref())?;
    export(state, admin, widget, format).await
}

async fn export_xlsx(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let format = Format::xlsx(query.as_deref())?;
    export(state, admin, widget, format).await
}
