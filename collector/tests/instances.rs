//! Several collector processes on one PostgreSQL database, as behind a load balancer: seats,
//! idempotency and the mail queue hold across them, and a collector killed with SIGKILL loses
//! nothing it acknowledged.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use support::outbox::read_mails;
use support::{Collector, client, key, submit};

const TOKEN: &str = "0123456789abcdef0123456789abcdef-instances";
const CONFIG: &str = r#"
[events.versammlung]
title = "Bürgerversammlung"
start = "2099-03-12T18:00+01:00"
place = "Rathaus"
capacity = 50
"#;

/// A fresh database on the test binary's PostgreSQL cluster (made on a blocking thread: the
/// PostgreSQL client must not run on an async one).
async fn database() -> String {
    tokio::task::spawn_blocking(support::postgres::database)
        .await
        .expect("database")
}

/// A collector on `url`; all of them write mails into `shared/outbox`.
fn instance(dir: &Path, shared: &Path, url: &str) -> Collector {
    let outbox = shared.join("outbox");
    Collector::start_with_config(
        dir,
        CONFIG,
        &[
            ("MITMACHEN_DATABASE", url),
            ("MITMACHEN_ADMIN_TOKEN", TOKEN),
            ("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "0"),
            ("MITMACHEN_RATE_LIMIT_READS_PER_MINUTE", "0"),
            (
                "MITMACHEN_MAIL_OUTBOX",
                outbox.to_str().expect("utf-8 path"),
            ),
        ],
    )
}

struct Pair {
    _dirs: [tempfile::TempDir; 3],
    shared: std::path::PathBuf,
    a: Arc<Collector>,
    b: Arc<Collector>,
}

async fn two_instances() -> Pair {
    let url = database().await;
    let dirs = [(); 3].map(|()| tempfile::tempdir().expect("tempdir"));
    let shared = dirs[2].path().to_owned();
    let a = Arc::new(instance(dirs[0].path(), &shared, &url));
    let b = Arc::new(instance(dirs[1].path(), &shared, &url));
    Pair {
        _dirs: dirs,
        shared,
        a,
        b,
    }
}

fn person(n: usize) -> Value {
    json!({"kind": "registration", "name": "Erika", "email": format!("p{n}@example.de"), "persons": 1, "lang": "de"})
}

#[tokio::test]
async fn two_hundred_registrations_for_fifty_seats_sent_to_two_collectors() {
    let pair = two_instances().await;
    let tasks: Vec<_> = (0..200)
        .map(|n| {
            let c = if n % 2 == 0 {
                pair.a.clone()
            } else {
                pair.b.clone()
            };
            tokio::spawn(async move {
                let res = submit(&c, "versammlung", n, &person(n)).await;
                assert_eq!(res.status(), StatusCode::CREATED);
                let receipt: Value = res.json().await.expect("json");
                receipt["placement"].as_str().expect("placement").to_owned()
            })
        })
        .collect();
    let mut seats = 0;
    let mut waiting = 0;
    for task in tasks {
        match task.await.expect("task").as_str() {
            "seat" => seats += 1,
            "waiting_list" => waiting += 1,
            other => panic!("{other}"),
        }
    }
    assert_eq!((seats, waiting), (50, 150));
    let listing: Value = client()
        .get(format!(
            "{}/v1/admin/widgets/versammlung/registrations",
            pair.b.url
        ))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(listing["seats_taken"], 50);
    assert_eq!(listing["waiting"], 150);

    // Each registration's mail is sent once, by one of the two: 200 mails, one per address.
    for _ in 0..300 {
        if read_mails(&pair.shared).len() >= 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A mail sent twice would come a little later.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails = read_mails(&pair.shared);
    let mut to: Vec<String> = mails.iter().map(|m| m.to.clone()).collect();
    to.sort();
    to.dedup();
    assert_eq!(mails.len(), 200, "every mail sent, none twice");
    assert_eq!(to.len(), 200);
}

#[tokio::test]
async fn one_key_sent_to_two_collectors_at_once_is_stored_once() {
    let pair = two_instances().await;
    let body = json!({"kind": "poll", "choices": ["ja"]});
    let mut tasks = Vec::new();
    for n in 0..50 {
        for c in [pair.a.clone(), pair.b.clone()] {
            let body = body.clone();
            tasks.push(tokio::spawn(async move {
                let res = submit(&c, "umfrage", n, &body).await;
                assert_eq!(res.status(), StatusCode::CREATED);
                let replayed = res.headers().contains_key("idempotent-replayed");
                let receipt: Value = res.json().await.expect("json");
                (
                    n,
                    replayed,
                    receipt["receipt"].as_str().expect("id").to_owned(),
                )
            }));
        }
    }
    let mut answers = std::collections::BTreeMap::<usize, Vec<(bool, String)>>::new();
    for task in tasks {
        let (n, replayed, receipt) = task.await.expect("task");
        answers.entry(n).or_default().push((replayed, receipt));
    }
    for (n, pair) in &answers {
        assert_eq!(pair[0].1, pair[1].1, "key {n}: one receipt");
        assert_eq!(
            pair.iter().filter(|(replayed, _)| !replayed).count(),
            1,
            "key {n}: stored once"
        );
    }
    let results = support::results(&pair.a, "umfrage").await;
    assert_eq!(results.ballots, 50);
}

#[tokio::test]
async fn a_collector_killed_mid_load_loses_nothing_it_acknowledged() {
    let pair = two_instances().await;
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let body = json!({"kind": "poll", "choices": ["ja"]});
    let clients: Vec<_> = (0..8)
        .map(|i| {
            let c = pair.a.clone();
            let stop = stop.clone();
            let acknowledged = acknowledged.clone();
            let body = body.clone();
            tokio::spawn(async move {
                let mut n = i * 1_000_000;
                while !stop.load(Ordering::Relaxed) && n < i * 1_000_000 + 2_000 {
                    n += 1;
                    let sent = client()
                        .post(format!("{}/v1/widgets/umfrage/submissions", c.url))
                        .header("content-type", "application/json")
                        .header("idempotency-key", key(n))
                        .body(body.to_string())
                        .send()
                        .await;
                    match sent {
                        Ok(res) if res.status() == StatusCode::CREATED => {
                            acknowledged.lock().expect("lock").push(n);
                        }
                        Ok(res) => panic!("{} {:?}", res.status(), res.text().await),
                        // Killed mid-request: unknown whether it was stored.
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    // Killed once the load is well under way, however slow the machine is today.
    for _ in 0..200 {
        if acknowledged.lock().expect("lock").len() >= 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    pair.a.kill();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.expect("client");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(
        acknowledged.len() > 20,
        "the load ran: {}",
        acknowledged.len()
    );
    // Every acknowledged key is known to the other collector: its replay says so.
    for n in &acknowledged {
        let res = submit(&pair.b, "umfrage", *n, &body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert!(
            res.headers().contains_key("idempotent-replayed"),
            "key {n} was acknowledged but is not stored"
        );
    }
    let results = support::results(&pair.b, "umfrage").await;
    // Acknowledged ones once each; at most the few in flight at the kill on top.
    let ballots = usize::try_from(results.ballots).expect("count");
    assert!(
        ballots >= acknowledged.len() && ballots <= acknowledged.len() + 8,
        "{ballots} ballots for {} acknowledged",
        acknowledged.len()
    );
}

#[tokio::test]
async fn a_definition_changed_on_one_collector_applies_on_the_other() {
    let pair = two_instances().await;
    // Both imported the file; the second found nothing new to store.
    let versions: Value = client()
        .get(format!(
            "{}/v1/admin/widgets/versammlung/versions",
            pair.b.url
        ))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(versions.as_array().map(Vec::len), Some(1), "{versions}");

    let poll = json!({
        "kind": "poll",
        "attributes": {"data-question": "Welcher Name?"},
        "items": [{"text": "Marktplatz"}, {"text": "Lindenplatz"}]
    });
    let res = client()
        .put(format!("{}/v1/admin/widgets/platzname", pair.a.url))
        .bearer_auth(TOKEN)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(poll.to_string())
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::CREATED);
    // The other collector checks every 2 s; within a few seconds it holds votes to the
    // definition it has not been told about.
    let vote = json!({"kind": "poll", "choices": ["rathausplatz"]});
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    // A fresh key each time: a replay would be answered with the first receipt.
    for n in 1.. {
        let res = submit(&pair.b, "platzname", n, &vote).await;
        if res.status() == StatusCode::UNPROCESSABLE_ENTITY {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the second collector still takes votes outside the definition"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
