//! Topic proposals over real HTTP against the real binary: stored as pending, moderated through
//! the admin API, served only when approved, merged with their votes, kept byte for byte, and
//! exported with their decisions and reasons (CSV for German Excel, XLSX).

mod support;

use calamine::Reader as _;
use mitmachen_shared::protocol::Topics;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use std::path::Path;
use support::{Collector, ORIGIN, client, export, problem, results, submit};

const TOKEN: &str = "test-admin-token-0123456789abcdef0123";

/// A collector with the admin token set and, if given, a configuration file.
fn start(dir: &Path, toml: Option<&str>) -> Collector {
    let mut env = vec![("MITMACHEN_ADMIN_TOKEN", TOKEN)];
    let path = dir.join("collector.toml");
    let path = path.to_str().expect("utf-8 path").to_owned();
    if let Some(toml) = toml {
        std::fs::write(&path, toml).expect("write config");
        env.push(("MITMACHEN_CONFIG", &path));
    }
    Collector::start(dir, &env)
}

async fn propose(c: &Collector, widget: &str, n: usize, title: &str, description: &str) {
    let res = submit(
        c,
        widget,
        n,
        &json!({"kind": "proposal", "title": title, "description": description}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{:?}", res.text().await);
}

async fn topics(c: &Collector, widget: &str) -> Topics {
    let res = client()
        .get(format!("{}/v1/widgets/{widget}/topics", c.url))
        .header(header::ORIGIN, ORIGIN)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    res.json().await.expect("topics json")
}

fn admin_get(c: &Collector, path: &str) -> reqwest::RequestBuilder {
    client().get(format!("{}{path}", c.url)).bearer_auth(TOKEN)
}

fn admin_post(c: &Collector, path: &str) -> reqwest::RequestBuilder {
    client().post(format!("{}{path}", c.url)).bearer_auth(TOKEN)
}

async fn ok_json(req: reqwest::RequestBuilder) -> Value {
    let res = req.send().await.expect("request");
    assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    res.json().await.expect("json")
}

async fn proposals(c: &Collector, widget: &str, status: &str) -> Vec<Value> {
    let query = if status.is_empty() {
        String::new()
    } else {
        format!("?status={status}")
    };
    let list = ok_json(admin_get(
        c,
        &format!("/v1/admin/widgets/{widget}/proposals{query}"),
    ))
    .await;
    list.as_array().expect("a list").clone()
}

async fn decide(c: &Collector, key: &str, action: &str) -> Value {
    ok_json(admin_post(
        c,
        &format!("/v1/admin/proposals/{key}/{action}"),
    ))
    .await
}

async fn merge(c: &Collector, key: &str, into: &str) -> reqwest::Response {
    admin_post(c, &format!("/v1/admin/proposals/{key}/merge"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(json!({ "into": into }).to_string())
        .send()
        .await
        .expect("request")
}

fn key_of(p: &Value) -> String {
    p["key"].as_str().expect("key").to_owned()
}

#[tokio::test]
async fn pre_moderation_serves_only_approved_proposals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), None);
    propose(&c, "ideen", 1, "Mehr Bänke am Fluss", "Zum Ausruhen.").await;
    propose(&c, "ideen", 2, "Radweg zur Schule", "").await;
    propose(&c, "andere", 3, "Anderswo", "").await;
    assert!(
        topics(&c, "ideen").await.topics.is_empty(),
        "nothing before approval"
    );
    // Proposals are not ballots.
    assert_eq!(results(&c, "ideen").await.ballots, 0);

    let pending = proposals(&c, "ideen", "pending").await;
    assert_eq!(pending.len(), 2);
    let first = &pending[0];
    assert_eq!(first["title"], "Mehr Bänke am Fluss");
    assert_eq!(first["description"], "Zum Ausruhen.");
    assert_eq!(first["status"], "pending");
    assert_eq!(first["widget"], "ideen");
    assert!(first["decided_at"].is_null() && first["merged_into"].is_null());
    assert!(first["created_at"].as_str().expect("time").ends_with('Z'));
    let (bank, rad) = (key_of(&pending[0]), key_of(&pending[1]));
    assert!(bank.starts_with("p-") && bank.len() == 10, "{bank}");

    // Approve the second first: topics come in order of approval.
    let approved = decide(&c, &rad, "approve").await;
    assert_eq!(approved["status"], "approved");
    assert!(approved["decided_at"].is_string());
    decide(&c, &bank, "approve").await;
    let served = topics(&c, "ideen").await;
    assert_eq!(served.widget.as_str(), "ideen");
    let keys: Vec<&str> = served.topics.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(keys, [rad.as_str(), bank.as_str()]);
    assert_eq!(served.topics[1].title, "Mehr Bänke am Fluss");
    assert_eq!(served.topics[0].description, "");
    // Approving again changes nothing, not even the order.
    decide(&c, &rad, "approve").await;
    assert_eq!(topics(&c, "ideen").await.topics[0].key, rad);

    assert!(proposals(&c, "ideen", "pending").await.is_empty());
    assert_eq!(proposals(&c, "ideen", "approved").await.len(), 2);
    assert_eq!(proposals(&c, "ideen", "").await.len(), 2);
    assert_eq!(proposals(&c, "andere", "").await.len(), 1);
    let bad = admin_get(&c, "/v1/admin/widgets/ideen/proposals?status=open")
        .send()
        .await
        .expect("request");
    problem(bad, 400, "bad-query").await;
}

#[tokio::test]
async fn a_rejected_proposal_is_not_served() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), None);
    propose(&c, "ideen", 1, "Werbung für Dinge", "").await;
    let key = key_of(&proposals(&c, "ideen", "pending").await[0]);
    let rejected = decide(&c, &key, "reject").await;
    assert_eq!(rejected["status"], "rejected");
    assert!(rejected["reason"].is_null());
    assert!(topics(&c, "ideen").await.topics.is_empty());
    assert_eq!(proposals(&c, "ideen", "rejected").await.len(), 1);
    // A reason is kept for the town's files, trimmed, and listed with the proposal.
    let with_reason = ok_json(
        admin_post(&c, &format!("/v1/admin/proposals/{key}/reject"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(json!({"reason": "  Werbung ist nicht erlaubt.  "}).to_string()),
    )
    .await;
    assert_eq!(with_reason["reason"], "Werbung ist nicht erlaubt.");
    assert_eq!(
        proposals(&c, "ideen", "rejected").await[0]["reason"],
        "Werbung ist nicht erlaubt."
    );
    // Too long, an unknown field, broken JSON: refused, nothing changed.
    for (body, status, slug) in [
        (
            json!({"reason": "x".repeat(1001)}).to_string(),
            422,
            "invalid-decision",
        ),
        (json!({"grund": "x"}).to_string(), 422, "invalid-decision"),
        ("{\"reason\": ".to_owned(), 400, "malformed-json"),
    ] {
        let res = admin_post(&c, &format!("/v1/admin/proposals/{key}/reject"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .expect("request");
        problem(res, status, slug).await;
    }
    assert_eq!(
        proposals(&c, "ideen", "rejected").await[0]["reason"],
        "Werbung ist nicht erlaubt."
    );
    // A mistaken rejection can be undone; the reason goes with it.
    let approved = decide(&c, &key, "approve").await;
    assert!(approved["reason"].is_null());
    assert_eq!(topics(&c, "ideen").await.topics.len(), 1);

    let unknown = admin_post(&c, "/v1/admin/proposals/p-00000000/approve")
        .send()
        .await
        .expect("request");
    problem(unknown, 404, "not-found").await;
    let malformed = admin_post(&c, "/v1/admin/proposals/nonsense/reject")
        .send()
        .await
        .expect("request");
    problem(malformed, 404, "not-found").await;
}

#[tokio::test]
async fn post_moderation_serves_at_once_until_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), Some("[widgets.offen]\nmoderation = \"post\"\n"));
    propose(&c, "offen", 1, "Sofort sichtbar", "").await;
    propose(&c, "streng", 2, "Erst prüfen", "").await;
    let served = topics(&c, "offen").await;
    assert_eq!(served.topics.len(), 1);
    assert_eq!(served.topics[0].title, "Sofort sichtbar");
    assert!(
        topics(&c, "streng").await.topics.is_empty(),
        "pre is the default"
    );
    let listed = proposals(&c, "offen", "approved").await;
    assert_eq!(listed[0]["decided_at"], listed[0]["created_at"]);
    decide(&c, &key_of(&listed[0]), "reject").await;
    assert!(topics(&c, "offen").await.topics.is_empty());
}

#[tokio::test]
async fn merging_moves_the_votes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), None);
    for (n, title) in ["Radweg", "Radweg bitte", "Spam", "Bänke"]
        .iter()
        .enumerate()
    {
        propose(&c, "ideen", n + 1, title, "").await;
    }
    let all = proposals(&c, "ideen", "").await;
    let (a, dup, spam, bank) = (
        key_of(&all[0]),
        key_of(&all[1]),
        key_of(&all[2]),
        key_of(&all[3]),
    );
    for k in [&a, &dup, &bank] {
        decide(&c, k, "approve").await;
    }
    decide(&c, &spam, "reject").await;
    // Ballots whose choices are topic keys seed the tallies.
    let votes: [&[&str]; 4] = [&[&dup], &[&dup, &a], &[&a], &[&bank, "ja"]];
    for (i, choices) in votes.iter().enumerate() {
        let res = submit(
            &c,
            "ideen",
            100 + i,
            &json!({"kind": "poll", "choices": choices}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let before = results(&c, "ideen").await;
    assert_eq!(before.counts.get(&dup), Some(&2));
    assert_eq!(before.counts.get(&a), Some(&2));

    // Refused: into itself, into a rejected proposal, into an unknown proposal, a bad key.
    for into in [dup.as_str(), spam.as_str(), "p-00000000"] {
        let p = problem(merge(&c, &dup, into).await, 422, "invalid-decision").await;
        assert_eq!(p.errors[0].pointer, "/into");
    }
    let p = problem(merge(&c, &dup, "Not A Key").await, 422, "invalid-decision").await;
    assert_eq!(p.errors[0].pointer, "/into");
    let bad_body = admin_post(&c, &format!("/v1/admin/proposals/{dup}/merge"))
        .body("{\"into\":")
        .send()
        .await
        .expect("request");
    problem(bad_body, 400, "malformed-json").await;
    assert_eq!(results(&c, "ideen").await, before, "nothing moved");

    let res = merge(&c, &dup, &a).await;
    assert_eq!(res.status(), StatusCode::OK);
    let merged: Value = res.json().await.expect("json");
    assert_eq!(merged["status"], "merged");
    assert_eq!(merged["merged_into"], a.as_str());
    let after = results(&c, "ideen").await;
    assert_eq!(after.counts.get(&a), Some(&4));
    assert_eq!(after.counts.get(&dup), None);
    assert_eq!(after.counts.get(&bank), Some(&1));
    assert_eq!(after.ballots, before.ballots);
    let keys: Vec<String> = topics(&c, "ideen")
        .await
        .topics
        .into_iter()
        .map(|t| t.key)
        .collect();
    assert_eq!(keys, [a.clone(), bank.clone()]);
    // Into a merged proposal, or a merged one again: refused.
    problem(merge(&c, &bank, &dup).await, 422, "invalid-decision").await;
    problem(merge(&c, &dup, &bank).await, 422, "invalid-decision").await;
    let again = admin_post(&c, &format!("/v1/admin/proposals/{dup}/approve"))
        .send()
        .await
        .expect("request");
    problem(again, 422, "invalid-decision").await;

    // Into a topic of the editor's own list (not a proposal): the votes go to that key.
    let res = merge(&c, &bank, "ja").await;
    assert_eq!(res.status(), StatusCode::OK);
    let last = results(&c, "ideen").await;
    assert_eq!(last.counts.get("ja"), Some(&2));
    assert_eq!(last.counts.get(&bank), None);
}

/// Every proposal with its moderation decision, as the town files it: CSV for German Excel and
/// XLSX read back by a spreadsheet library, the same table in both, named after the widget, the
/// time and the definition version it belongs to, and each download in the audit log.
#[tokio::test]
async fn proposals_are_exported_with_their_decisions_and_reasons() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), None);
    let mut definition = json!({
        "kind": "topics",
        "attributes": {"data-question": "Was wünschen Sie sich für den Südpark?", "data-proposals": "on"},
        "items": [{"text": "Spielplatz", "key": "spielplatz"}]
    });
    let put = |definition: Value| {
        client()
            .put(format!("{}/v1/admin/widgets/suedpark", c.url))
            .bearer_auth(TOKEN)
            .header(header::CONTENT_TYPE, "application/json")
            .body(definition.to_string())
            .send()
    };
    assert_eq!(
        put(definition.clone()).await.expect("put").status(),
        StatusCode::CREATED
    );
    // A second version: the export names the one it belongs to, not the first.
    definition["attributes"]["data-dots"] = json!("5");
    assert_eq!(put(definition).await.expect("put").status(), StatusCode::OK);
    let submitted = [
        ("Mehr Bänke am Weiher", "Schattig; mit Lehne"),
        ("Werbefläche für Döner", ""),
        ("Noch ein Spielplatz", "Für Kleinkinder"),
        ("Öffentliche Toilette", "Am Kiosk,\n„barrierefrei“"),
    ];
    for (n, (title, description)) in submitted.iter().enumerate() {
        propose(&c, "suedpark", n + 1, title, description).await;
    }
    let listed = proposals(&c, "suedpark", "").await;
    let key = |title: &str| {
        key_of(
            listed
                .iter()
                .find(|p| p["title"] == title)
                .unwrap_or_else(|| panic!("{title} listed")),
        )
    };
    let (bank, doener, spiel, klo) = (
        key("Mehr Bänke am Weiher"),
        key("Werbefläche für Döner"),
        key("Noch ein Spielplatz"),
        key("Öffentliche Toilette"),
    );
    decide(&c, &bank, "approve").await;
    let reason = "Werbung – nach § 3 der Parkordnung nicht zulässig";
    ok_json(
        admin_post(&c, &format!("/v1/admin/proposals/{doener}/reject"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(json!({ "reason": reason }).to_string()),
    )
    .await;
    assert_eq!(
        merge(&c, &spiel, "spielplatz").await.status(),
        StatusCode::OK
    );

    // Key, title, description, status, merged into, reason; then submitted and decided.
    let expected: [[&str; 6]; 4] = [
        [
            &bank,
            "Mehr Bänke am Weiher",
            "Schattig; mit Lehne",
            "angenommen",
            "",
            "",
        ],
        [
            &doener,
            "Werbefläche für Döner",
            "",
            "abgelehnt",
            "",
            reason,
        ],
        [
            &spiel,
            "Noch ein Spielplatz",
            "Für Kleinkinder",
            "zusammengeführt",
            "spielplatz",
            "",
        ],
        [
            &klo,
            "Öffentliche Toilette",
            "Am Kiosk,\n„barrierefrei“",
            "offen",
            "",
            "",
        ],
    ];
    let header_row = [
        "Schlüssel",
        "Titel",
        "Beschreibung",
        "Status",
        "Zusammengeführt in",
        "Begründung",
        "Eingereicht",
        "Entschieden",
    ];
    let check = |rows: &[Vec<String>], download: &export::Download| {
        assert_eq!(rows[0], header_row);
        assert_eq!(rows.len(), 1 + expected.len(), "{rows:?}");
        for want in &expected {
            let row = rows[1..]
                .iter()
                .find(|r| r[0] == want[0])
                .unwrap_or_else(|| panic!("{} exported", want[1]));
            assert_eq!(row[..6], want[..], "{row:?}");
            // Submitted and decided just now, in Berlin time; the open one is undecided.
            download.assert_time(&row[6]);
            if want[3] == "offen" {
                assert_eq!(row[7], "");
            } else {
                download.assert_time(&row[7]);
            }
        }
    };

    let csv = export::download(&c, "/v1/admin/widgets/suedpark/proposals.csv", TOKEN).await;
    csv.assert_named("suedpark-vorschlaege-v2", "csv");
    let csv_rows = csv.csv();
    check(&csv_rows, &csv);

    let xlsx = export::download(&c, "/v1/admin/widgets/suedpark/proposals.xlsx", TOKEN).await;
    xlsx.assert_named("suedpark-vorschlaege-v2", "xlsx");
    let mut book = xlsx.xlsx();
    assert_eq!(book.sheet_names(), ["Vorschläge", "Export"]);
    let xlsx_rows = export::texts(&export::sheet(&mut book, "Vorschläge"));
    check(&xlsx_rows, &xlsx);
    let about = export::about(&mut book);
    assert_eq!(
        about[..3],
        [
            ("Widget".to_owned(), "suedpark".to_owned()),
            (
                "Titel".to_owned(),
                "Was wünschen Sie sich für den Südpark?".to_owned()
            ),
            ("Definition".to_owned(), "Version 2".to_owned()),
        ]
    );
    assert_eq!(about[3].0, "Exportiert (Europe/Berlin)");
    xlsx.assert_time(&about[3].1);
    assert_eq!(
        about[4..],
        [
            ("Exportiert von".to_owned(), "api".to_owned()),
            ("Zeilen".to_owned(), "4".to_owned()),
        ]
    );

    // Who took the town's proposals home, and which version they saw.
    let log = ok_json(admin_get(&c, "/v1/admin/audit-log?action=export")).await;
    let exports: Vec<(&str, &str)> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["object"].as_str().expect("object"),
                e["detail"].as_str().expect("detail"),
            )
        })
        .collect();
    assert_eq!(
        exports,
        [
            ("suedpark", "vorschlaege (xlsx), 4 rows, version 2"),
            ("suedpark", "vorschlaege (csv), 4 rows, version 2"),
        ]
    );
    assert_eq!(log["intact"], true);
}

#[tokio::test]
async fn the_admin_api_needs_its_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let off = Collector::start(dir.path(), &[]);
    for req in [
        client().get(format!("{}/v1/admin/widgets/ideen/proposals", off.url)),
        client()
            .post(format!("{}/v1/admin/proposals/p-00000000/approve", off.url))
            .bearer_auth(TOKEN),
    ] {
        let p = problem(req.send().await.expect("request"), 404, "admin-disabled").await;
        assert!(p.detail.contains("MITMACHEN_ADMIN_TOKEN"), "{}", p.detail);
    }
    drop(off);

    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), None);
    propose(&c, "ideen", 1, "Radweg", "").await;
    let list = format!("{}/v1/admin/widgets/ideen/proposals", c.url);
    let wrong_token = format!("{TOKEN}x");
    let attempts = [
        client().get(&list),
        client().get(&list).bearer_auth(&wrong_token),
        client().get(&list).bearer_auth(&TOKEN[..32]),
        client().get(&list).basic_auth("admin", Some(TOKEN)),
        client().get(&list).header(header::AUTHORIZATION, TOKEN),
        client()
            .get(&list)
            .header(header::ORIGIN, ORIGIN)
            .bearer_auth(""),
    ];
    for req in attempts {
        let res = req.send().await.expect("request");
        assert!(
            res.headers()[header::WWW_AUTHENTICATE]
                .to_str()
                .expect("ascii")
                .starts_with("Bearer"),
        );
        assert!(
            res.headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
        problem(res, 401, "unauthorized").await;
    }
    let approve = admin_post(&c, "/v1/admin/proposals/p-00000000/approve");
    problem(approve.send().await.expect("request"), 404, "not-found").await;
    // The right token, also with a lowercase scheme, and even from a page: no CORS headers.
    let res = client()
        .get(&list)
        .header(header::ORIGIN, ORIGIN)
        .header(header::AUTHORIZATION, format!("bearer {TOKEN}"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    let preflight = client()
        .request(reqwest::Method::OPTIONS, &list)
        .header(header::ORIGIN, ORIGIN)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .expect("request");
    assert!(!preflight.status().is_success());
    assert!(
        preflight
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    assert!(!c.log().contains(TOKEN), "the token reaches no log");
}

#[tokio::test]
async fn a_short_admin_token_stops_the_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_collector"))
        .env_clear()
        .env("MITMACHEN_LISTEN", "127.0.0.1:0")
        .env("MITMACHEN_DATABASE", dir.path().join("db.sqlite3"))
        .env("MITMACHEN_ADMIN_TOKEN", "too-short")
        .output()
        .expect("run");
    assert_eq!(status.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(stderr.contains("admin_token"), "{stderr}");
    assert!(!stderr.contains("too-short"), "{stderr}");
}

#[tokio::test]
async fn limits_answer_422_with_pointers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), None);
    let cases = [
        (json!({"kind": "proposal", "title": "ab"}), vec!["/title"]),
        (
            json!({"kind": "proposal", "title": "   ab   "}),
            vec!["/title"],
        ),
        (
            json!({"kind": "proposal", "title": "x".repeat(121)}),
            vec!["/title"],
        ),
        (
            json!({"kind": "proposal", "title": "Radweg", "description": "ü".repeat(1001)}),
            vec!["/description"],
        ),
        (
            json!({"kind": "proposal", "title": "a\u{7}b", "description": "x\u{0}"}),
            vec!["/title", "/description"],
        ),
        (
            json!({"kind": "proposal", "title": "Radweg", "ip": "1.2.3.4"}),
            vec!["/ip"],
        ),
        (json!({"kind": "proposal"}), vec!["/title"]),
    ];
    for (n, (body, pointers)) in cases.into_iter().enumerate() {
        let p = problem(
            submit(&c, "ideen", n + 1, &body).await,
            422,
            "invalid-submission",
        )
        .await;
        let got: Vec<&str> = p.errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(got, pointers, "{body}");
    }
    // The limits themselves are allowed.
    propose(&c, "ideen", 50, &"ü".repeat(120), &"🙂".repeat(1000)).await;
    propose(&c, "ideen", 51, "abc", "zwei\r\nZeilen\n").await;
    assert_eq!(proposals(&c, "ideen", "").await.len(), 2);
}

#[tokio::test]
async fn a_honeypot_proposal_is_answered_but_not_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), Some("[widgets.ideen]\nmoderation = \"post\"\n"));
    let res = submit(
        &c,
        "ideen",
        1,
        &json!({"kind": "proposal", "title": "Billige Uhren", "honeypot": "http://spam.example"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let receipt: Value = res.json().await.expect("receipt");
    assert_eq!(receipt["receipt"].as_str().map(str::len), Some(32));
    assert!(proposals(&c, "ideen", "").await.is_empty());
    assert!(topics(&c, "ideen").await.topics.is_empty());
}

#[tokio::test]
async fn hostile_text_is_stored_and_served_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), None);
    let texts = [
        (
            "<img src=x onerror=alert(1)>",
            "\"'><script>alert(1)</script>",
        ),
        (
            "\"'><script>alert(1)</script>",
            "  Grüße aus Köln: Straße, Übergang, ÄÖÜ ß ẞ 🙂👩‍👩‍👧 \u{2028} &amp; \\ / \r\n",
        ),
        ("  Spielplatz 🛝 für Kinder  ", ""),
    ];
    for (n, (title, description)) in texts.iter().enumerate() {
        propose(&c, "ideen", n + 1, title, description).await;
    }
    let listed = proposals(&c, "ideen", "pending").await;
    for (p, (title, description)) in listed.iter().zip(&texts) {
        assert_eq!(p["title"], *title);
        assert_eq!(p["description"], *description);
        decide(&c, &key_of(p), "approve").await;
    }
    let served = topics(&c, "ideen").await;
    assert_eq!(served.topics.len(), texts.len());
    for (topic, (title, description)) in served.topics.iter().zip(&texts) {
        assert_eq!(topic.title.as_bytes(), title.as_bytes());
        assert_eq!(topic.description.as_bytes(), description.as_bytes());
    }
    // The raw answer is JSON with the text as data, served as JSON, not HTML.
    let res = client()
        .get(format!("{}/v1/widgets/ideen/topics", c.url))
        .send()
        .await
        .expect("request");
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
}
