//! Results for administrators over real HTTP against the real binary (SQLite, and PostgreSQL
//! with `MITMACHEN_TEST_DATABASE=postgres`): the exports (CSV for German Excel and XLSX read back
//! by a spreadsheet library, umlauts intact, shares adding up to 100, the definition version
//! named), each recorded in the audit log; a definition that keeps results from citizens is
//! obeyed by `GET …/results`; the audit log's retention trims old entries and the chain still
//! holds, while a row removed by hand still shows.

mod support;

use calamine::{DataType as _, Reader as _};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use support::database::execute;
use support::{Collector, client, problem, submit};

const TOKEN: &str = "test-admin-token-0123456789abcdef0123";

async fn put(c: &Collector, id: &str, definition: &Value) -> StatusCode {
    client()
        .put(format!("{}/v1/admin/widgets/{id}", c.url))
        .bearer_auth(TOKEN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(definition.to_string())
        .send()
        .await
        .expect("put")
        .status()
}

async fn admin_get(c: &Collector, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", c.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("get")
}

fn poll(results: &str) -> Value {
    json!({
        "kind": "poll",
        "attributes": {"data-question": "Wie soll der Platz heißen?", "data-results": results},
        "items": [
            {"text": "Marktplatz", "key": "markt"},
            {"text": "Lindenplatz", "key": "linde"},
            {"text": "Grünes Ufer", "key": "ufer"}
        ]
    })
}

async fn vote(c: &Collector, n: usize, choice: &str) {
    let res = submit(c, "platz", n, &json!({"kind": "poll", "choices": [choice]})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn results_are_exported_and_kept_from_citizens_as_defined() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[("MITMACHEN_ADMIN_TOKEN", TOKEN)]);
    assert_eq!(put(&c, "platz", &poll("always")).await, StatusCode::CREATED);
    for (n, choice) in ["markt", "linde", "ufer"].into_iter().enumerate() {
        vote(&c, n, choice).await;
    }

    // CSV: one line per answer, shares that add up to 100 (34 + 33 + 33, not 33 × 3 or 101).
    let csv = admin_get(&c, "/v1/admin/widgets/platz/results.csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    let disposition = csv.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("header")
        .to_owned();
    assert!(
        disposition.contains("platz-ergebnisse-v1-") && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let text = csv.text().await.expect("csv");
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(
        lines[0],
        "\u{feff}Rang;Schlüssel;Antwort;Stimmen;Anteil (%);Zusammengeführte Vorschläge"
    );
    assert_eq!(
        &lines[1..],
        [
            "1;markt;Marktplatz;1;34;",
            "1;linde;Lindenplatz;1;33;",
            "1;ufer;Grünes Ufer;1;33;"
        ]
    );

    // XLSX of the same, after a second version of the definition: named in the file.
    assert_eq!(
        put(&c, "platz", &poll("after-voting")).await,
        StatusCode::OK
    );
    vote(&c, 3, "ufer").await;
    let xlsx = admin_get(&c, "/v1/admin/widgets/platz/results.xlsx").await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    let disposition = xlsx.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("header")
        .to_owned();
    assert!(
        disposition.contains("platz-ergebnisse-v2-"),
        "{disposition}"
    );
    let bytes = xlsx.bytes().await.expect("bytes");
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let table = book.worksheet_range("Ergebnisse").expect("sheet");
    let cell = |r: u32, c: u32| table.get_value((r, c)).map(|d| d.to_string());
    assert_eq!(cell(0, 2).as_deref(), Some("Antwort"));
    assert_eq!(cell(3, 2).as_deref(), Some("Grünes Ufer"));
    assert_eq!(table.get_value((3, 3)), Some(&calamine::Data::Float(2.0)));
    assert_eq!(
        table.get_value((3, 0)),
        Some(&calamine::Data::Float(1.0)),
        "rank 1"
    );
    let shares: f64 = (1..=3)
        .filter_map(|r| table.get_value((r, 4)).and_then(|d| d.as_f64()))
        .sum();
    assert_eq!(shares, 100.0);
    let about = book.worksheet_range("Export").expect("sheet");
    assert_eq!(
        about.get_value((1, 1)).map(|d| d.to_string()).as_deref(),
        Some("Wie soll der Platz heißen?")
    );
    assert_eq!(
        about.get_value((2, 1)).map(|d| d.to_string()).as_deref(),
        Some("Version 2")
    );
    assert!(
        admin_get(&c, "/v1/admin/widgets/platz/results.xlsx?separator=comma")
            .await
            .status()
            == StatusCode::BAD_REQUEST
    );

    // Both exports are in the audit log, with the version they belong to.
    let log: Value = admin_get(&c, "/v1/admin/audit-log?action=export")
        .await
        .json()
        .await
        .expect("json");
    let details: Vec<&str> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["detail"].as_str().expect("detail"))
        .collect();
    assert_eq!(
        details,
        [
            "ergebnisse (xlsx), 3 rows, version 2",
            "ergebnisse (csv), 3 rows, version 1"
        ]
    );

    // Citizens: public while the definition says so, then not at all, then after the close.
    let public = || async {
        client()
            .get(format!("{}/v1/widgets/platz/results", c.url))
            .send()
            .await
            .expect("get")
    };
    assert_eq!(public().await.status(), StatusCode::OK);
    assert_eq!(put(&c, "platz", &poll("never")).await, StatusCode::OK);
    problem(public().await, 403, "results-hidden").await;
    let mut closing = poll("after-closing");
    closing["attributes"]["data-closes"] = json!("2099-01-01T00:00Z");
    assert_eq!(put(&c, "platz", &closing).await, StatusCode::OK);
    problem(public().await, 403, "results-hidden").await;
    closing["attributes"]["data-closes"] = json!("2020-01-01T00:00Z");
    assert_eq!(put(&c, "platz", &closing).await, StatusCode::OK);
    let res = public().await;
    assert_eq!(res.status(), StatusCode::OK);
    let results: Value = res.json().await.expect("json");
    assert_eq!(results["ballots"], 4);
    // Administrators read them whatever citizens see.
    assert_eq!(
        admin_get(&c, "/v1/admin/widgets/platz/results.csv")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        admin_get(&c, "/v1/admin/widgets/nirgends/results.csv")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

/// The audit log once the start-up purge (which runs beside the first requests) trimmed it
/// `trims` times.
async fn trimmed_log(c: &Collector, trims: usize) -> Value {
    for _ in 0..100 {
        let log: Value = admin_get(c, "/v1/admin/audit-log")
            .await
            .json()
            .await
            .expect("json");
        let done = log["entries"]
            .as_array()
            .is_some_and(|e| e.iter().filter(|e| e["action"] == "log-trimmed").count() >= trims);
        if done {
            return log;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the audit log was not trimmed {trims} times");
}

#[tokio::test]
async fn the_audit_logs_retention_trims_it_and_the_chain_still_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = [
        ("MITMACHEN_ADMIN_TOKEN", TOKEN),
        ("MITMACHEN_AUDIT_RETENTION_DAYS", "30"),
    ];
    let c = Collector::start(dir.path(), &env);
    for results in ["always", "never", "after-voting", "always"] {
        let status = put(&c, "platz", &poll(results)).await;
        assert!(status.is_success(), "{status}");
    }
    drop(c);
    // The first two entries are made older than the retention: the next start deletes them.
    execute(
        dir.path(),
        "UPDATE audit_log SET at = '2020-01-01T00:00:00Z' WHERE seq <= 2",
    );
    let c = Collector::start(dir.path(), &env);
    let log = trimmed_log(&c, 1).await;
    assert_eq!(log["intact"], true, "{log}");
    let entries = log["entries"].as_array().expect("entries");
    let seqs: Vec<i64> = entries.iter().filter_map(|e| e["seq"].as_i64()).collect();
    assert_eq!(seqs, [5, 4, 3], "{log}");
    assert_eq!(entries[0]["action"], "log-trimmed");
    assert_eq!(entries[0]["account"], "retention");
    assert!(
        entries[0]["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("2 entries up to no. 2")),
        "{log}"
    );
    // A second trim moves the anchor on. (The newest entry is never deleted, so the log is never
    // empty and its numbers never start again.)
    drop(c);
    execute(
        dir.path(),
        "UPDATE audit_log SET at = '2020-01-01T00:00:00Z' WHERE seq <= 4",
    );
    let c = Collector::start(dir.path(), &env);
    let log = trimmed_log(&c, 2).await;
    assert_eq!(log["intact"], true, "{log}");
    let seqs: Vec<i64> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["seq"].as_i64())
        .collect();
    assert_eq!(seqs, [6, 5], "{log}");
    // Someone removes the oldest remaining entry by hand: that shows.
    execute(dir.path(), "DELETE FROM audit_log WHERE seq = 5");
    let log: Value = admin_get(&c, "/v1/admin/audit-log")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(log["intact"], false);
    assert_eq!(log["broken_at"], 6);
}
