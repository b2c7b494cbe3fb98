//! A widget's own rules (`[widgets.<id>]` dots, topics, options, closing time) over real HTTP
//! against the real binary, started with a configuration file: ballots within the rules are
//! counted, others refused with pointers, nothing accepted after the closing time, and 200
//! concurrent ballots counted exactly.

mod support;

use mitmachen_shared::time::{Timestamp, rfc3339_utc};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{Collector, client, key, problem, results, submit};

const TOKEN: &str = "test-admin-token-0123456789abcdef0123";

const CONFIG: &str = r#"
[widgets.fokusgruppe-innenstadt]
dots = 3
dots_per_topic = 2
topics = ["radwege", "baenke", "spielplatz"]

[widgets.haushalt]
options = ["ja", "nein", "egal"]
max_choices = 2
"#;

fn start(dir: &std::path::Path, toml: &str) -> Collector {
    Collector::start_with_config(
        dir,
        toml,
        &[
            ("MITMACHEN_ADMIN_TOKEN", TOKEN),
            ("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "0"),
            ("MITMACHEN_RATE_LIMIT_READS_PER_MINUTE", "0"),
        ],
    )
}

async fn created(res: reqwest::Response) {
    let status = res.status();
    assert_eq!(status, StatusCode::CREATED, "{:?}", res.text().await);
}

fn dots(placements: &[(&str, u32)]) -> Value {
    let dots: Vec<Value> = placements
        .iter()
        .map(|(topic, count)| json!({"topic": topic, "count": count}))
        .collect();
    json!({"kind": "topics", "dots": dots})
}

/// The pointers of a 422 invalid-submission.
async fn refused(res: reqwest::Response) -> Vec<String> {
    let p = problem(res, 422, "invalid-submission").await;
    p.errors.into_iter().map(|e| e.pointer).collect()
}

async fn admin(c: &Collector, path: &str, post: bool) -> Value {
    let url = format!("{}{path}", c.url);
    let req = if post {
        client().post(url)
    } else {
        client().get(url)
    };
    let res = req.bearer_auth(TOKEN).send().await.expect("request");
    assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
    res.json().await.expect("json")
}

#[tokio::test]
async fn topic_ballots_follow_the_declared_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), CONFIG);
    let w = "fokusgruppe-innenstadt";

    created(submit(&c, w, 1, &dots(&[("radwege", 2), ("baenke", 1)])).await).await;
    assert_eq!(
        refused(submit(&c, w, 2, &dots(&[("radwege", 2), ("baenke", 2)])).await).await,
        ["/dots"],
        "four dots in all"
    );
    assert_eq!(
        refused(submit(&c, w, 3, &dots(&[("radwege", 3)])).await).await,
        ["/dots/0"],
        "three on one topic"
    );
    assert_eq!(
        refused(submit(&c, w, 4, &dots(&[("radwege", 1), ("schwimmbad", 1)])).await).await,
        ["/dots/1"],
        "a topic the editor did not list"
    );

    // Proposals: an approved one is a topic, a pending or rejected one is not.
    for (n, title) in [(10, "Mehr Bäume"), (11, "Ein Brunnen"), (12, "Werbung")] {
        created(submit(&c, w, n, &json!({"kind": "proposal", "title": title})).await).await;
    }
    let list = admin(&c, &format!("/v1/admin/widgets/{w}/proposals"), false).await;
    let keys: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["key"].as_str().expect("key").to_owned())
        .collect();
    let (approved, pending, rejected) = (&keys[0], &keys[1], &keys[2]);
    admin(&c, &format!("/v1/admin/proposals/{approved}/approve"), true).await;
    admin(&c, &format!("/v1/admin/proposals/{rejected}/reject"), true).await;
    created(submit(&c, w, 20, &dots(&[(approved, 2), ("spielplatz", 1)])).await).await;
    assert_eq!(
        refused(submit(&c, w, 21, &dots(&[("radwege", 1), (pending, 1)])).await).await,
        ["/dots/1"],
        "a pending proposal"
    );
    assert_eq!(
        refused(submit(&c, w, 22, &dots(&[(rejected, 1)])).await).await,
        ["/dots/0"],
        "a rejected proposal"
    );
    // A poll ballot to a topic list.
    assert_eq!(
        refused(submit(&c, w, 23, &json!({"kind": "poll", "choices": ["radwege"]})).await).await,
        ["/kind"]
    );

    let r = results(&c, w).await;
    assert_eq!(r.ballots, 2);
    assert_eq!(r.counts.get("radwege"), Some(&2));
    assert_eq!(r.counts.get("baenke"), Some(&1));
    assert_eq!(r.counts.get(approved.as_str()), Some(&2));
    assert_eq!(r.counts.get("spielplatz"), Some(&1));
    assert_eq!(r.counts.get("schwimmbad"), None);

    // A widget the configuration does not declare keeps the generic limits.
    created(submit(&c, "anderswo", 30, &dots(&[("schwimmbad", 5), ("x", 1)])).await).await;
}

#[tokio::test]
async fn poll_ballots_follow_the_declared_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), CONFIG);
    let poll = |choices: &[&str]| json!({"kind": "poll", "choices": choices});

    created(submit(&c, "haushalt", 1, &poll(&["ja", "egal"])).await).await;
    assert_eq!(
        refused(submit(&c, "haushalt", 2, &poll(&["nein", "vielleicht"])).await).await,
        ["/choices/1"],
        "an option the poll does not have"
    );
    assert_eq!(
        refused(submit(&c, "haushalt", 3, &poll(&["ja", "nein", "egal"])).await).await,
        ["/choices"],
        "more than max_choices"
    );
    let r = results(&c, "haushalt").await;
    assert_eq!(r.ballots, 1);
    assert_eq!(r.counts.get("vielleicht"), None);
}

fn now_ms() -> i64 {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis();
    i64::try_from(ms).expect("fits")
}

#[tokio::test]
async fn nothing_is_accepted_after_the_closing_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Whole seconds: rfc3339_utc writes no fractions. At least two seconds from now, so that
    // the first submissions land before it even on a slow machine.
    let soon = Timestamp((now_ms() / 1000 + 3) * 1000);
    let config = format!(
        r#"
[widgets.vorbei]
closes = "01.02.2020 18:00"
dots = 2

[widgets.umfrage-vorbei]
closes = "2020-01-01T00:00Z"
options = ["ja", "nein"]

[widgets.offen]
closes = "31.12.2099 18:00 Uhr"
dots = 2

[widgets.bald]
closes = "{}"
"#,
        rfc3339_utc(soon)
    );
    let c = start(dir.path(), &config);
    let proposal = json!({"kind": "proposal", "title": "Mehr Bänke am Fluss"});

    let p = problem(
        submit(&c, "vorbei", 1, &dots(&[("a", 1)])).await,
        422,
        "closed",
    )
    .await;
    assert!(p.detail.contains("01.02.2020 18:00"), "{}", p.detail);
    assert!(p.detail.contains("2020-02-01T17:00:00Z"), "{}", p.detail);
    problem(submit(&c, "vorbei", 2, &proposal).await, 422, "closed").await;
    let poll = json!({"kind": "poll", "choices": ["ja"]});
    problem(submit(&c, "umfrage-vorbei", 3, &poll).await, 422, "closed").await;
    assert_eq!(results(&c, "vorbei").await.ballots, 0);

    created(submit(&c, "offen", 4, &dots(&[("a", 1)])).await).await;
    created(submit(&c, "offen", 5, &proposal).await).await;
    assert_eq!(results(&c, "offen").await.ballots, 1);

    // Stored before the closing time, retried after it: the first receipt, not `closed`.
    created(submit(&c, "bald", 6, &poll).await).await;
    let wait = soon.0 - now_ms() + 100;
    tokio::time::sleep(Duration::from_millis(u64::try_from(wait).unwrap_or(0))).await;
    let replay = submit(&c, "bald", 6, &poll).await;
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    problem(submit(&c, "bald", 7, &poll).await, 422, "closed").await;
    assert_eq!(results(&c, "bald").await.ballots, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_topic_ballots_are_counted_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), CONFIG);
    let url = format!("{}/v1/widgets/fokusgruppe-innenstadt/submissions", c.url);
    let client = client();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        // One dot on radwege for everyone, two more on baenke for every second person.
        let body = if i % 2 == 0 {
            dots(&[("radwege", 1), ("baenke", 2)])
        } else {
            dots(&[("radwege", 1)])
        };
        let req = client
            .post(&url)
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", key(1000 + i))
            .body(body.to_string());
        tasks.spawn(async move {
            let res = req.send().await.expect("request");
            (res.status(), res.text().await.expect("body"))
        });
    }
    let answers = tasks.join_all().await;
    let failed: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status != StatusCode::CREATED)
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    let r = results(&c, "fokusgruppe-innenstadt").await;
    assert_eq!(r.ballots, 200);
    assert_eq!(r.counts.get("radwege"), Some(&200));
    assert_eq!(r.counts.get("baenke"), Some(&200));
    assert_eq!(r.counts.len(), 2);
}
