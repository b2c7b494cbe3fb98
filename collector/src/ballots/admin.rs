//! Results exports of the admin API: `GET /v1/admin/widgets/{widget}/results.csv` (German
//! Excel) and `.xlsx`, what the console's results page links to.

use super::pages::held_back;
use super::tally::{self, BallotKind};
use crate::accounts::Permission;
use crate::app::admin::Admin;
use crate::app::error::ApiError;
use crate::app::export::{Asked, Cell, Csv, Export, FileType, Xlsx, provenance};
use crate::app::{SharedState, blocking, widget_id};
use axum::Router;
use axum::extract::{Path, State, rejection::PathRejection};
use axum::response::Response;
use axum::routing::get;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/admin/widgets/{widget}/results.csv", get(export::<Csv>))
        .route(
            "/v1/admin/widgets/{widget}/results.xlsx",
            get(export::<Xlsx>),
        )
}

/// `GET /v1/admin/widgets/{widget}/results.csv[?separator=comma]` and `.xlsx`.
async fn export<T: FileType>(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    Asked(format, _): Asked<T>,
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
