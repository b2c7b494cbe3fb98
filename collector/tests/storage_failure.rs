//! When the database fails, the answer is 503 storage-unavailable and the client may retry.
//! The real router runs in-process here, with a store that always fails.

mod support;

use mitmachen_collector::app::cors::OriginPolicy;
use mitmachen_collector::app::rate_limit::RateLimits;
use mitmachen_collector::app::{AppState, router};
use mitmachen_collector::db::{
    CancelOutcome, Canceller, ConfirmOutcome, ConfirmView, DecideOutcome, Decision, Delivered,
    Erased, LinkSubject, MailJob, NewSubmission, ProposalRecord, ProposalStatus,
    RegistrationRecord, Store, StoreError, SubmitOutcome, SubscriberRecord, SubscriptionStatus,
    UnsubscribeOutcome, WebhookJob,
};
use mitmachen_collector::definitions::catalog::{Catalog, FileRules};
use mitmachen_collector::definitions::{Origin, Settings, Status, Widget};
use mitmachen_collector::events::Event;
use mitmachen_collector::newsletters::Newsletter;
use mitmachen_shared::definition::{Definition, Kind};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{Problem, Results, Topic};
use mitmachen_shared::time::Timestamp;
use reqwest::{StatusCode, header};
use std::collections::BTreeMap;
use std::sync::Arc;
use support::{client, key};

struct BrokenStore;

impl Store for BrokenStore {
    fn submit(&self, _: NewSubmission) -> Result<SubmitOutcome, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn results(&self, _: &WidgetId) -> Result<Results, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn topics(&self, _: &WidgetId) -> Result<Vec<Topic>, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn proposals(
        &self,
        _: &WidgetId,
        _: Option<ProposalStatus>,
    ) -> Result<Vec<ProposalRecord>, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn decide(&self, _: &str, _: Decision) -> Result<DecideOutcome, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn event_counts(&self, _: &WidgetId) -> Result<(u32, u32), StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn registration_by_token(&self, _: &str) -> Result<Option<RegistrationRecord>, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn cancel(&self, _: Canceller, _: Option<&Event>) -> Result<CancelOutcome, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn registrations(&self, _: &WidgetId) -> Result<Vec<RegistrationRecord>, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn claim_mails(&self, _: i64, _: i64, _: usize) -> Result<Vec<MailJob>, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn mails_delivered(&self, _: Vec<(i64, Delivered)>) -> Result<(), StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn purge(&self, _: Timestamp, _: &[(WidgetId, Timestamp)]) -> Result<usize, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn confirm_view(&self, _: &str, _: Timestamp) -> Result<ConfirmView, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn confirm(
        &self,
        _: &str,
        _: &Newsletters,
        _: Timestamp,
    ) -> Result<ConfirmOutcome, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn unsubscribe_view(&self, _: &str) -> Result<Option<LinkSubject>, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn unsubscribe(
        &self,
        _: &str,
        _: &Newsletters,
        _: Timestamp,
    ) -> Result<UnsubscribeOutcome, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn subscribers(
        &self,
        _: &WidgetId,
        _: Option<SubscriptionStatus>,
    ) -> Result<Vec<SubscriberRecord>, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn erase(
        &self,
        _: &str,
        _: &BTreeMap<WidgetId, Arc<Event>>,
        _: Timestamp,
    ) -> Result<Erased, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn claim_webhooks(&self, _: i64, _: i64, _: usize) -> Result<Vec<WebhookJob>, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn webhooks_delivered(&self, _: Vec<(i64, Delivered)>) -> Result<(), StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn claim_job(&self, _: &str, _: Timestamp, _: i64) -> Result<bool, StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn health(&self) -> Result<(), StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn read_with(
        &self,
        _: &mut dyn FnMut(&mut dyn mitmachen_collector::db::Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
    fn write_with(&self, _: mitmachen_collector::db::WriteJob) -> Result<(), StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
}

type Newsletters = BTreeMap<WidgetId, Arc<Newsletter>>;

#[tokio::test]
async fn a_failing_store_answers_503() {
    let state = Arc::new(AppState {
        store: Arc::new(BrokenStore),
        origins: OriginPolicy::default(),
        limits: RateLimits::new(30, 300, false).expect("limits"),
        body_limit: 16 * 1024,
        public_url: "http://127.0.0.1".into(),
        console_origin: "http://127.0.0.1".into(),
        dist_dir: None,
        site_dir: None,
        admin_token: None,
        catalog: Arc::new(Catalog::fixed(
            vec![Widget {
                id: WidgetId::parse("versammlung").expect("id"),
                definition: Definition {
                    kind: Kind::Event,
                    attributes: [
                        ("data-title", "Versammlung"),
                        ("data-start", "2030-01-01T18:00:00Z"),
                        ("data-capacity", "10"),
                    ]
                    .into_iter()
                    .map(|(n, v)| (n.to_owned(), v.to_owned()))
                    .collect(),
                    heading: None,
                    items: Vec::new(),
                },
                settings: Settings::default(),
                status: Status::Active,
                origin: Origin::Console,
                version: 1,
                changed_at: "2026-12-06T00:00:00Z".into(),
                changed_by: "test".into(),
            }],
            FileRules::default(),
            "http://127.0.0.1",
        )),
        retention_days: 30,
        new_widgets: mitmachen_collector::config::NewWidgets::Adopt,
        mail_wakeup: Default::default(),
        webhook_wakeup: Default::default(),
        town: None,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router(state)).await });

    let res = client()
        .post(format!("{url}/v1/widgets/haushalt/submissions"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", key(1))
        .body(r#"{"kind":"poll","choices":["ja"]}"#)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let p: Problem = res.json().await.expect("problem");
    assert_eq!(p.kind, "urn:mitmachen:problem:storage-unavailable");
    assert!(
        !p.detail.contains("disk"),
        "internal errors stay in the log: {}",
        p.detail
    );

    for path in [
        "/v1/widgets/haushalt/results",
        "/v1/health",
        "/v1/widgets/versammlung/event",
    ] {
        let res = client()
            .get(format!("{url}{path}"))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
    }
    // The page behind a mail's link says so to a person, and that nothing changed.
    let page = client()
        .post(format!("{url}/v1/registrations/cancel/{}", "a".repeat(64)))
        .send()
        .await
        .expect("request");
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.text().await.expect("html").contains("nichts geändert"));
    for path in ["confirm", "unsubscribe"] {
        let page = client()
            .post(format!("{url}/v1/subscriptions/{path}/{}", "b".repeat(64)))
            .send()
            .await
            .expect("request");
        assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(page.text().await.expect("html").contains("nichts geändert"));
    }
}
