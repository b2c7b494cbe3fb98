//! When the database fails, the answer is 503 storage-unavailable and the client may retry.
//! The real router runs in-process here, with a store that always fails.

mod support;

use mitmachen_collector::http::cors::OriginPolicy;
use mitmachen_collector::http::rate_limit::RateLimits;
use mitmachen_collector::http::{AppState, router};
use mitmachen_collector::store::{
    DecideOutcome, Decision, NewSubmission, ProposalRecord, ProposalStatus, Store, StoreError,
    SubmitOutcome,
};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{Problem, Results, Topic};
use reqwest::{StatusCode, header};
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
    fn health(&self) -> Result<(), StoreError> {
        Err(StoreError("disk I/O error".into()))
    }
}

#[tokio::test]
async fn a_failing_store_answers_503() {
    let state = Arc::new(AppState {
        store: Arc::new(BrokenStore),
        origins: OriginPolicy::default(),
        limits: RateLimits::new(30, 300, false).expect("limits"),
        body_limit: 16 * 1024,
        public_url: "http://127.0.0.1".into(),
        dist_dir: None,
        site_dir: None,
        admin_token: None,
        moderation: Default::default(),
        rules: Default::default(),
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

    for path in ["/v1/widgets/haushalt/results", "/v1/health"] {
        let res = client()
            .get(format!("{url}{path}"))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
    }
}
