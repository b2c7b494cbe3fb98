//! The audit log over real HTTP against the real binary (SQLite, and PostgreSQL with
//! `MITMACHEN_TEST_DATABASE=postgres`): widget changes, moderation decisions and erasures are
//! recorded with who did them (an erasure without the address), newest first; so are sign-ins
//! (failed ones too), account changes on the command line and in the console, and drafts
//! adopted or discarded there; the chain of hashes holds, and an entry edited in the database
//! afterwards is found. The whole log exports as CSV and XLSX whose hashes check out offline.

mod support;

use calamine::Reader as _;
use mitmachen_shared::time::{BerlinTime, parse_datetime};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use support::database::{self, execute};
use support::{Collector, ORIGIN, client, export, problem, submit};

const TOKEN: &str = "test-admin-token-0123456789abcdef0123";

async fn log(c: &Collector, query: &str) -> Value {
    let res = client()
        .get(format!("{}/v1/admin/audit-log{query}", c.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    res.json().await.expect("json")
}

/// Proposes `titles` to the topic list `ideen`, one after another; the list as the admin API
/// answers it.
async fn propose(c: &Collector, titles: &[&str]) -> Value {
    for (n, title) in titles.iter().enumerate() {
        let res = submit(
            c,
            "ideen",
            n + 1,
            &json!({"kind": "proposal", "title": title, "description": ""}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    client()
        .get(format!("{}/v1/admin/widgets/ideen/proposals", c.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn actions_are_recorded_in_a_chain_that_shows_an_edit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[("MITMACHEN_ADMIN_TOKEN", TOKEN)]);
    let poll = json!({
        "kind": "poll",
        "attributes": {"data-question": "Welcher Name?"},
        "items": [{"text": "Markt"}, {"text": "Linde"}]
    });
    let put = client()
        .put(format!("{}/v1/admin/widgets/platzname", c.url))
        .bearer_auth(TOKEN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(poll.to_string())
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), StatusCode::CREATED);
    let proposals = propose(&c, &["Werbung für Dinge", "Mehr Bänke"]).await;
    let key = |i: usize| proposals[i]["key"].as_str().expect("key").to_owned();
    let reject = client()
        .post(format!("{}/v1/admin/proposals/{}/reject", c.url, key(0)))
        .bearer_auth(TOKEN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(json!({"reason": "Werbung"}).to_string())
        .send()
        .await
        .expect("post");
    assert_eq!(reject.status(), StatusCode::OK);
    let approve = client()
        .post(format!("{}/v1/admin/proposals/{}/approve", c.url, key(1)))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("post");
    assert_eq!(approve.status(), StatusCode::OK);
    // Approving again changes nothing and records nothing.
    client()
        .post(format!("{}/v1/admin/proposals/{}/approve", c.url, key(1)))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("post");

    let all = log(&c, "").await;
    assert_eq!(all["intact"], true);
    let entries = all["entries"].as_array().expect("entries");
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        actions,
        ["proposal-approved", "proposal-rejected", "widget-saved"]
    );
    assert!(entries.iter().all(|e| e["account"] == "api"));
    assert_eq!(entries[1]["detail"], "Werbung");
    assert_eq!(entries[2]["object"], "platzname");
    assert_eq!(entries[2]["detail"], "version 1 (api)");
    let only = log(&c, "?action=widget-saved").await;
    assert_eq!(only["entries"].as_array().map(Vec::len), Some(1));
    // The console's other filters: who, part of the object, UTC days; a space encoded as `+`.
    let count = |log: &Value| log["entries"].as_array().map(Vec::len);
    assert_eq!(count(&log(&c, "?account=api&object=platz").await), Some(1));
    assert_eq!(count(&log(&c, "?account=command+line").await), Some(0));
    assert_eq!(count(&log(&c, "?until=2000-01-01").await), Some(0));
    assert_eq!(
        count(&log(&c, "?from=2000-01-01&until=2999-12-31").await),
        Some(3)
    );
    for wrong in [
        "?from=gestern",
        "?action=widget-saved&action=sign-in",
        "?who=api",
        "?action=nothing",
    ] {
        problem(
            client()
                .get(format!("{}/v1/admin/audit-log{wrong}", c.url))
                .bearer_auth(TOKEN)
                .send()
                .await
                .expect("get"),
            400,
            "bad-query",
        )
        .await;
    }

    // An erasure is recorded with what it removed, never with the address.
    let erase = client()
        .post(format!("{}/v1/admin/erasure", c.url))
        .bearer_auth(TOKEN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(json!({"email": "erika@example.de"}).to_string())
        .send()
        .await
        .expect("post");
    assert_eq!(erase.status(), StatusCode::OK);
    let erased = log(&c, "?action=erasure").await;
    assert_eq!(
        erased["entries"][0]["detail"],
        "0 subscriptions, 0 registrations, 0 mails"
    );
    assert!(!log(&c, "").await.to_string().contains("erika"));

    // Someone with access to the database softens a rejection's reason: the chain shows where.
    let seq = entries[1]["seq"].as_i64().expect("seq");
    execute(
        dir.path(),
        &format!("UPDATE audit_log SET detail = 'Doppelt' WHERE seq = {seq}"),
    );
    let after = log(&c, "").await;
    assert_eq!(after["intact"], false);
    assert_eq!(after["broken_at"], seq);
}

/// `collector user …` on the test's database, with the password on standard input, as an
/// administrator runs it on the server.
fn user(dir: &Path, args: &[&str], password: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_collector"))
        .arg("user")
        .args(args)
        .env_clear()
        .env("MITMACHEN_DATABASE", database::for_dir(dir))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("password");
    let out = child.wait_with_output().expect("run");
    assert!(
        out.status.success(),
        "collector user {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn sign_in(c: &Collector, name: &str, password: &str) -> reqwest::Response {
    client()
        .post(format!("{}/admin/sign-in", c.url))
        .form(&[("name", name), ("password", password)])
        .send()
        .await
        .expect("post")
}

/// A signed-in console: the session's cookie and its CSRF token, as a browser holds them.
struct Console {
    cookie: String,
    csrf: String,
}

impl Console {
    async fn start(c: &Collector, name: &str, password: &str) -> Console {
        let res = sign_in(c, name, password).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let cookie = res.headers()[header::SET_COOKIE]
            .to_str()
            .expect("cookie")
            .split(';')
            .next()
            .expect("name=value")
            .to_owned();
        let mut console = Console {
            cookie,
            csrf: String::new(),
        };
        let page = console.page(c, "/admin/accounts").await;
        console.csrf = between(&page, "name=\"csrf\" value=\"", "\"").to_owned();
        console
    }

    async fn page(&self, c: &Collector, path: &str) -> String {
        let res = client()
            .get(format!("{}{path}", c.url))
            .header(header::COOKIE, &self.cookie)
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.text().await.expect("html")
    }

    /// Sends a console form; returns where the console sends the browser next.
    async fn post(&self, c: &Collector, path: &str, fields: &[(&str, &str)]) -> String {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let res = client()
            .post(format!("{}{path}", c.url))
            .header(header::COOKIE, &self.cookie)
            .form(&form)
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path} {fields:?}");
        res.headers()[header::LOCATION]
            .to_str()
            .expect("location")
            .to_owned()
    }
}

/// The text of `html` after `start` and before the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in the page"))
        + start.len();
    let len = html[from..].find(end).expect("the end");
    &html[from..from + len]
}

/// Each entry as (action, account, object, detail), newest first.
fn summary(log: &Value) -> Vec<[String; 4]> {
    log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            ["action", "account", "object", "detail"]
                .map(|field| e[field].as_str().expect("text").to_owned())
        })
        .collect()
}

/// What a widget sends for an id the collector does not know yet.
async fn seen_on_a_page(c: &Collector, id: &str, question: &str) {
    let res = client()
        .post(format!("{}/v1/widgets/{id}/pages", c.url))
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(
            json!({
                "page": format!("{ORIGIN}/rathaus"),
                "definition": {
                    "kind": "poll",
                    "attributes": {"data-question": question},
                    "items": [{"text": "Ja"}, {"text": "Nein"}]
                }
            })
            .to_string(),
        )
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn sign_ins_account_changes_and_drafts_are_recorded_with_who_and_what() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start_with_config(
        dir.path(),
        "new_widgets = \"draft\"\n",
        &[("MITMACHEN_ADMIN_TOKEN", TOKEN)],
    );
    // Accounts start on the server's command line, which is recorded as such.
    user(
        dir.path(),
        &["add", "chefin", "--role", "administrator"],
        "Rathaus-Schlüssel-2024",
    );
    user(
        dir.path(),
        &["add", "redakteurin", "--role", "editor"],
        "Redaktion-Passwort-1",
    );
    user(
        dir.path(),
        &["password", "redakteurin"],
        "Vom-Server-gesetzt-2",
    );

    // Failed sign-ins: an unknown name is not written down (people type anything there).
    assert_eq!(
        sign_in(&c, "niemand", "irgendein-Passwort").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&c, "chefin", "falsches-Passwort").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let console = Console::start(&c, "chefin", "Rathaus-Schlüssel-2024").await;
    let accounts = console.page(&c, "/admin/accounts").await;
    let id = between(
        between(&accounts, ">redakteurin</th>", "</tr>"),
        "action=\"/admin/accounts/",
        "\"",
    )
    .to_owned();
    let account = format!("/admin/accounts/{id}");
    for (fields, done) in [
        (&[("action", "role"), ("role", "moderator")][..], "role"),
        (
            &[
                ("action", "password"),
                ("password", "Neu-gesetzt-im-Rathaus"),
            ],
            "password",
        ),
        (&[("action", "disable")], "disabled"),
    ] {
        assert_eq!(
            console.post(&c, &account, fields).await,
            format!("/admin/accounts?done={done}")
        );
    }
    // Refused with the right password: the log says why, the page does not.
    assert_eq!(
        sign_in(&c, "redakteurin", "Neu-gesetzt-im-Rathaus")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        console.post(&c, &account, &[("action", "enable")]).await,
        "/admin/accounts?done=enabled"
    );

    // Two pages show ids nobody defined: drafts, one adopted, one discarded in the console.
    seen_on_a_page(&c, "platzname", "Wie soll der Platz heißen?").await;
    seen_on_a_page(&c, "bankname", "Brauchen wir Bänke?").await;
    assert_eq!(
        console
            .post(&c, "/admin/widgets/platzname/adopt", &[])
            .await,
        "/admin/widgets/platzname?done=adopted"
    );
    assert_eq!(
        console
            .post(&c, "/admin/widgets/bankname/discard", &[])
            .await,
        "/admin/?done=discarded"
    );

    let all = log(&c, "").await;
    assert_eq!(all["intact"], true, "{all}");
    let page = format!("{ORIGIN}/rathaus");
    let expected = [
        ["widget-discarded", "chefin", "bankname", ""],
        [
            "widget-adopted",
            "chefin",
            "platzname",
            "version 2 (console)",
        ],
        ["widget-saved", &page, "bankname", "version 1 (page)"],
        ["widget-saved", &page, "platzname", "version 1 (page)"],
        ["account-enabled", "chefin", "redakteurin", ""],
        [
            "sign-in-failed",
            "redakteurin",
            "redakteurin",
            "account disabled",
        ],
        ["account-disabled", "chefin", "redakteurin", ""],
        ["account-password-set", "chefin", "redakteurin", ""],
        ["account-role-changed", "chefin", "redakteurin", "moderator"],
        ["sign-in", "chefin", "chefin", ""],
        ["sign-in-failed", "chefin", "chefin", "wrong password"],
        ["sign-in-failed", "", "", "no account of that name"],
        ["account-password-set", "command line", "redakteurin", ""],
        ["account-created", "command line", "redakteurin", "editor"],
        ["account-created", "command line", "chefin", "administrator"],
    ];
    assert_eq!(summary(&all), expected.map(|e| e.map(str::to_owned)));
    // The filter finds each of them by its name.
    let failed = log(&c, "?action=sign-in-failed").await;
    assert_eq!(failed["entries"].as_array().map(Vec::len), Some(3));
    assert!(!all.to_string().contains("niemand"));
}

/// An entry's hash as the collector chains them: each field length-prefixed after the hash of
/// the entry before (`audit::chain`), so that a town can check an export on its own.
fn chained(prev: &str, fields: &[String]) -> String {
    let mut hasher = Sha256::new();
    for part in std::iter::once(prev).chain(fields.iter().map(String::as_str)) {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A log's rows as both exports write them, oldest first: number, Berlin time, UTC time,
/// account, action, object, detail, hash.
fn rows_of(log: &Value) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            let at = e["at"].as_str().expect("at");
            let b = BerlinTime::of(parse_datetime(at).expect("a time"));
            let mut row = vec![
                e["seq"].as_i64().expect("seq").to_string(),
                format!(
                    "{:02}.{:02}.{} {:02}:{:02}",
                    b.day, b.month, b.year, b.hour, b.minute
                ),
            ];
            row.extend(
                ["at", "account", "action", "object", "detail", "hash"]
                    .map(|field| e[field].as_str().expect("text").to_owned()),
            );
            row
        })
        .collect();
    rows.reverse();
    rows
}

#[tokio::test]
async fn the_whole_log_is_exported_with_the_hashes_that_let_a_town_check_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start(dir.path(), &[("MITMACHEN_ADMIN_TOKEN", TOKEN)]);
    let proposals = propose(&c, &["Grünfläche am Bahnhof", "Döner-Werbung"]).await;
    for p in proposals.as_array().expect("proposals") {
        let res = client()
            .post(format!(
                "{}/v1/admin/proposals/{}/reject",
                c.url,
                p["key"].as_str().expect("key")
            ))
            .bearer_auth(TOKEN)
            .header(header::CONTENT_TYPE, "application/json")
            .body(json!({"reason": "Gehört nicht hierher – bitte ans Bürgerbüro"}).to_string())
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::OK);
    }
    let before = log(&c, "").await;
    let rows = rows_of(&before);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][6], "Gehört nicht hierher – bitte ans Bürgerbüro");
    let header_row = [
        "Nr.",
        "Zeit",
        "Zeit (UTC)",
        "Konto",
        "Aktion",
        "Objekt",
        "Angaben",
        "Hash",
    ];

    // CSV: no widget and no definition version to name, only what and when.
    let csv = export::download(&c, "/v1/admin/audit-log.csv", TOKEN).await;
    csv.assert_named("protokoll", "csv");
    let table = csv.csv();
    assert_eq!(table[0], header_row);
    assert_eq!(table[1..], rows[..]);

    // XLSX, after the CSV: its download is in the log now, and so in this file.
    let xlsx = export::download(&c, "/v1/admin/audit-log.xlsx", TOKEN).await;
    xlsx.assert_named("protokoll", "xlsx");
    let mut book = xlsx.xlsx();
    assert_eq!(book.sheet_names(), ["Protokoll", "Export"]);
    let cells = export::sheet(&mut book, "Protokoll");
    assert_eq!(
        cells[1][0],
        calamine::Data::Float(rows[0][0].parse().expect("seq")),
        "numbers stay numbers"
    );
    let table = export::texts(&cells);
    assert_eq!(table[0], header_row);
    assert_eq!(table.len(), 4, "{table:?}");
    assert_eq!(table[1..3], rows[..]);
    assert_eq!(
        table[3][3..7],
        ["api", "export", "protokoll", "protokoll (csv), 2 rows"]
    );
    // Each row's hash follows from the row before: the file can be checked without the server.
    let mut prev = String::new();
    for row in &table[1..] {
        assert_eq!(row[7], chained(&prev, &row[2..7]), "{row:?}");
        prev = row[7].clone();
    }
    let about = export::about(&mut book);
    let facts: Vec<(&str, &str)> = about
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        facts[..3],
        [("Widget", ""), ("Titel", ""), ("Definition", "keine")]
    );
    assert_eq!(facts[3].0, "Exportiert (Europe/Berlin)");
    xlsx.assert_time(facts[3].1);
    assert_eq!(facts[4..], [("Exportiert von", "api"), ("Zeilen", "3")]);

    let after = log(&c, "?action=export").await;
    assert_eq!(
        summary(&after),
        [
            ["export", "api", "protokoll", "protokoll (xlsx), 3 rows"],
            ["export", "api", "protokoll", "protokoll (csv), 2 rows"],
        ]
        .map(|e| e.map(str::to_owned))
    );
    assert_eq!(after["intact"], true);
}
