//! Crash safety: the collector is killed with SIGKILL in the middle of a load, restarted on the
//! same database (SQLite file or PostgreSQL), again and again; afterwards every acknowledged submission must be in the
//! file exactly once, and the running totals must agree with the stored payloads.

mod support;

use reqwest::{StatusCode, header};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::{Collector, client, key};

const ROUNDS: usize = 6;
const CLIENTS: usize = 8;
const WIDGETS: [&str; 2] = ["haushalt", "spielplatz"];
const OPTIONS: [&str; 4] = ["ja", "nein", "vielleicht", "egal"];
/// No rate limit: all load comes from one address.
const ENV: &[(&str, &str)] = &[("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "0")];

/// One submission as sent.
#[derive(Debug, Clone)]
struct Sent {
    widget: &'static str,
    key: String,
    body: String,
}

impl Sent {
    /// The `n`th submission of the test: a widget and one to four distinct options.
    fn new(n: usize) -> Sent {
        let mask = n % 15 + 1;
        let choices: Vec<&str> = OPTIONS
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, o)| *o)
            .collect();
        Sent {
            widget: WIDGETS[n % WIDGETS.len()],
            key: key(n),
            body: serde_json::json!({"kind": "poll", "choices": choices}).to_string(),
        }
    }

    async fn send(&self, http: &reqwest::Client, base: &str) -> reqwest::Result<reqwest::Response> {
        http.post(format!("{base}/v1/widgets/{}/submissions", self.widget))
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", &self.key)
            .body(self.body.clone())
            .send()
            .await
    }
}

/// What a client learnt before the collector died: the acknowledged submissions with their
/// 201 bodies, and the one whose answer never came, if any.
#[derive(Default)]
struct Outcome {
    acked: Vec<(Sent, String)>,
    lost: Option<Sent>,
    replays_checked: usize,
}

/// Sends fresh submissions until the collector stops answering; now and then it resends the
/// last acknowledged one, which must come back unchanged.
async fn load(base: String, next: Arc<AtomicUsize>) -> Outcome {
    let http = client();
    let mut out = Outcome::default();
    for i in 0.. {
        if i % 7 == 6
            && let Some((sent, first)) = out.acked.last()
        {
            let Ok(res) = sent.send(&http, &base).await else {
                return out;
            };
            assert_eq!(res.status(), StatusCode::CREATED);
            assert_eq!(res.headers()["idempotent-replayed"], "true");
            let Ok(body) = res.text().await else {
                return out;
            };
            assert_eq!(&body, first);
            out.replays_checked += 1;
            continue;
        }
        let sent = Sent::new(next.fetch_add(1, Ordering::Relaxed));
        let answer = match sent.send(&http, &base).await {
            Ok(res) => {
                let status = res.status();
                res.text().await.map(|body| (status, body))
            }
            Err(e) => Err(e),
        };
        match answer {
            Ok((StatusCode::CREATED, body)) => out.acked.push((sent, body)),
            Ok((status, body)) => panic!("{status} for {sent:?}: {body}"),
            Err(_) => {
                out.lost = Some(sent);
                return out;
            }
        }
    }
    out
}

/// A delay of 50 to 300 ms, different each time.
fn random_delay() -> Duration {
    let r = getrandom::u32().expect("randomness");
    Duration::from_millis(50 + u64::from(r % 251))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_submissions_survive_sigkill() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let next = Arc::new(AtomicUsize::new(1));
    let mut acked: Vec<(Sent, String)> = Vec::new();
    let mut lost: Vec<Sent> = Vec::new();
    let (mut lost_but_stored, mut replays_checked) = (0, 0);

    for round in 0..ROUNDS {
        let c = Collector::start(dir.path(), ENV);
        let http = client();
        // Answers lost in the last crash: the same key again gets the first answer if the
        // submission was stored, or stores it now; never twice.
        for sent in lost.drain(..) {
            let res = sent.send(&http, &c.url).await.expect("retry");
            assert_eq!(res.status(), StatusCode::CREATED, "{sent:?}");
            if res.headers().get("idempotent-replayed").is_some() {
                lost_but_stored += 1;
            }
            acked.push((sent, res.text().await.expect("body")));
        }
        // Earlier acknowledgements are answered again unchanged after the crash.
        for (sent, first) in acked.iter().rev().take(5) {
            let res = sent.send(&http, &c.url).await.expect("replay");
            assert_eq!(res.status(), StatusCode::CREATED);
            assert_eq!(res.headers()["idempotent-replayed"], "true", "{sent:?}");
            assert_eq!(&res.text().await.expect("body"), first, "round {round}");
        }

        let mut clients = tokio::task::JoinSet::new();
        for _ in 0..CLIENTS {
            clients.spawn(load(c.url.clone(), next.clone()));
        }
        tokio::time::sleep(random_delay()).await;
        drop(c); // SIGKILL, then wait for the process to be gone
        let outcomes = tokio::time::timeout(Duration::from_secs(20), clients.join_all())
            .await
            .expect("clients stop once the collector is gone");
        for outcome in outcomes {
            acked.extend(outcome.acked);
            lost.extend(outcome.lost);
            replays_checked += outcome.replays_checked;
        }
    }
    let stats = check_database(dir.path(), &acked, next.load(Ordering::Relaxed));

    // The collector opens the file again and answers the same totals.
    let c = Collector::start(dir.path(), ENV);
    for widget in WIDGETS {
        let res = client()
            .get(format!("{}/v1/widgets/{widget}/results", c.url))
            .send()
            .await
            .expect("results");
        let results: Value = res.json().await.expect("json");
        assert_eq!(
            results["ballots"],
            stats.ballots.get(widget).copied().unwrap_or(0),
            "{widget}"
        );
    }
    eprintln!(
        "{ROUNDS} kills: {} acknowledged, {} rows, {lost_but_stored} lost answers were stored, \
         {replays_checked} replays under load, {} unanswered at the end, {:?}",
        acked.len(),
        stats.rows,
        lost.len(),
        started.elapsed()
    );
    assert!(
        acked.len() >= 2 * ROUNDS,
        "too little load to mean anything"
    );
}

struct Stats {
    rows: usize,
    ballots: BTreeMap<String, i64>,
}

/// Checks the database after the last kill, with the database's own recovery and nothing of
/// ours (SQLite: also its integrity and foreign-key checks).
fn check_database(dir: &std::path::Path, acked: &[(Sent, String)], sent_below: usize) -> Stats {
    use support::database;
    if !database::on_postgres() {
        let integrity: Vec<String> = database::rows(dir, "PRAGMA integrity_check")
            .iter()
            .map(|r| r.text(0).expect("text"))
            .collect();
        assert_eq!(integrity, ["ok"]);
        let foreign = database::int(dir, "SELECT count(*) FROM pragma_foreign_key_check");
        assert_eq!(foreign, 0);
    }

    // Every row, by (widget, key).
    let rows: Vec<(String, String, String, String)> = database::rows(
        dir,
        "SELECT widget, idempotency_key, payload, response_body FROM submissions",
    )
    .iter()
    .map(|r| {
        let t = |i| r.text(i).expect("text");
        (t(0), t(1), t(2), t(3))
    })
    .collect();
    let mut by_key: HashMap<(String, String), (String, String)> = HashMap::new();
    for (widget, key, payload, response) in &rows {
        let previous = by_key.insert(
            (widget.clone(), key.clone()),
            (payload.clone(), response.clone()),
        );
        assert!(previous.is_none(), "{widget}/{key} stored twice");
    }
    // Every acknowledged submission exactly once, with the body sent and the answer given.
    for (sent, answer) in acked {
        let stored = by_key
            .get(&(sent.widget.to_owned(), sent.key.clone()))
            .unwrap_or_else(|| panic!("acknowledged but missing: {sent:?}"));
        assert_eq!(stored.0, sent.body, "{sent:?}");
        assert_eq!(&stored.1, answer, "{sent:?}");
    }
    // Nothing that was never sent.
    for (widget, key) in by_key.keys() {
        let n: usize = key
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("key");
        assert!(n < sent_below, "{widget}/{key} was never sent");
        assert_eq!(Sent::new(n).widget, widget);
    }

    // Running totals agree with the stored payloads.
    let mut ballots: BTreeMap<String, i64> = BTreeMap::new();
    let mut counts: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (widget, _, payload, _) in &rows {
        *ballots.entry(widget.clone()).or_default() += 1;
        let payload: Value = serde_json::from_str(payload).expect("payload is JSON");
        for choice in payload["choices"].as_array().expect("choices") {
            let option = choice.as_str().expect("option").to_owned();
            *counts.entry((widget.clone(), option)).or_default() += 1;
        }
    }
    let totals: BTreeMap<String, i64> =
        database::rows(dir, "SELECT widget, ballots FROM widget_totals")
            .iter()
            .map(|r| (r.text(0).expect("widget"), r.int(1).expect("ballots")))
            .collect();
    assert_eq!(totals, ballots, "widget_totals.ballots = rows per widget");
    let tallies: BTreeMap<(String, String), i64> =
        database::rows(dir, "SELECT widget, option, count FROM tallies")
            .iter()
            .map(|r| {
                let key = (r.text(0).expect("widget"), r.text(1).expect("option"));
                (key, r.int(2).expect("count"))
            })
            .collect();
    assert_eq!(tallies, counts, "tallies = choices in the stored payloads");
    Stats {
        rows: rows.len(),
        ballots,
    }
}

#[tokio::test]
async fn a_retry_after_a_lost_response_returns_the_first_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sent = Sent::new(1);
    let first = {
        let c = Collector::start(dir.path(), &[]);
        let res = sent.send(&client(), &c.url).await.expect("submit");
        assert_eq!(res.status(), StatusCode::CREATED);
        res.text().await.expect("body")
        // The answer is "lost" with the process: SIGKILL on drop.
    };
    let c = Collector::start(dir.path(), &[]);
    let res = sent.send(&client(), &c.url).await.expect("retry");
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    assert_eq!(res.text().await.expect("body"), first);
    let res = client()
        .get(format!("{}/v1/widgets/{}/results", c.url, sent.widget))
        .send()
        .await
        .expect("results");
    let results: Value = res.json().await.expect("json");
    assert_eq!(results["ballots"], 1);
}
