//! Event registrations over real HTTP against the real binary: seats and the waiting list under
//! 200 concurrent registrations, cancellation by the mail's link (GET changes nothing, POST
//! cancels) with promotion, duplicates that take no seat and give nothing away, the admin
//! list, CSV and XLSX (read back by a spreadsheet library) and cancel, and the retention purge.
//! Mails are read from the outbox folder.

mod support;

use calamine::Reader as _;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::outbox::{mails_to, read_mails};
use support::{Collector, client, export, problem, submit};

const TOKEN: &str = "test-admin-token-0123456789abcdef0123";

const CONFIG: &str = r#"
[events.versammlung]
title = "Bürgerversammlung <Haushalt>"
start = "2099-03-12T18:00+01:00"
end = "2099-03-12T20:30+01:00"
place = "Rathaus, Großer Saal"
capacity = 50
persons_max = 4

[events.ohne-liste]
title = "Lesung"
start = "2099-05-06T19:00+02:00"
capacity = 50
waiting_list = false

[events.klein]
title = "Werkstatt"
start = "2099-04-17T10:00+02:00"
capacity = 2

[events.vorbei]
title = "Stadtführung"
start = "2020-06-01T15:00+02:00"
capacity = 25

[events.abgesagt]
title = "Neujahrsempfang"
start = "2099-01-10T11:00+01:00"
cancelled = true
"#;

fn start(dir: &Path, toml: &str) -> Collector {
    Collector::start_with_config(
        dir,
        toml,
        &[
            ("MITMACHEN_ADMIN_TOKEN", TOKEN),
            ("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "0"),
            ("MITMACHEN_RATE_LIMIT_READS_PER_MINUTE", "0"),
            (
                "MITMACHEN_MAIL_OUTBOX",
                outbox(dir).to_str().expect("utf-8 path"),
            ),
        ],
    )
}

fn outbox(dir: &Path) -> PathBuf {
    dir.join("outbox")
}

fn person(name: &str, email: &str, persons: u32) -> Value {
    json!({"kind": "registration", "name": name, "email": email, "persons": persons, "lang": "de"})
}

/// Registers and returns the placement of the 201.
async fn register(c: &Collector, widget: &str, n: usize, body: &Value) -> String {
    let res = submit(c, widget, n, body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{:?}", res.text().await);
    let receipt: Value = res.json().await.expect("json");
    receipt["placement"].as_str().expect("placement").to_owned()
}

async fn status(c: &Collector, widget: &str) -> Value {
    let res = client()
        .get(format!("{}/v1/widgets/{widget}/event", c.url))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    res.json().await.expect("json")
}

async fn admin(c: &Collector, path: &str, post: bool) -> reqwest::Response {
    let url = format!("{}{path}", c.url);
    let req = if post {
        client().post(url)
    } else {
        client().get(url)
    };
    req.bearer_auth(TOKEN).send().await.expect("request")
}

async fn admin_json(c: &Collector, path: &str, post: bool) -> Value {
    let res = admin(c, path, post).await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
    res.json().await.expect("json")
}

#[tokio::test]
async fn two_hundred_concurrent_registrations_for_fifty_seats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), CONFIG);
    let c = std::sync::Arc::new(c);
    let mut tasks = Vec::new();
    for widget in ["versammlung", "ohne-liste"] {
        for n in 0..200 {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                let body = person("Erika", &format!("p{n}@example.de"), 1);
                let res = submit(&c, widget, n, &body).await;
                let status = res.status();
                let answer: Value = res.json().await.expect("json");
                (widget, status, answer)
            }));
        }
    }
    let mut tally = std::collections::BTreeMap::new();
    for task in tasks {
        let (widget, status, answer) = task.await.expect("task");
        let what = match status {
            StatusCode::CREATED => answer["placement"].as_str().expect("placement").to_owned(),
            StatusCode::CONFLICT => {
                assert_eq!(answer["type"], "urn:mitmachen:problem:event-full");
                "full".to_owned()
            }
            other => panic!("{widget}: {other} {answer}"),
        };
        *tally.entry((widget, what)).or_insert(0) += 1;
    }
    assert_eq!(tally[&("versammlung", "seat".to_owned())], 50);
    assert_eq!(tally[&("versammlung", "waiting_list".to_owned())], 150);
    assert_eq!(tally[&("ohne-liste", "seat".to_owned())], 50);
    assert_eq!(tally[&("ohne-liste", "full".to_owned())], 150);
    let s = status(&c, "versammlung").await;
    assert_eq!(
        (
            s["state"].as_str(),
            s["capacity"].as_u64(),
            s["seats_taken"].as_u64(),
            s["waiting"].as_u64()
        ),
        (Some("open"), Some(50), Some(50), Some(150))
    );
    let s = status(&c, "ohne-liste").await;
    assert_eq!(
        (s["seats_taken"].as_u64(), s["waiting"].as_u64()),
        (Some(50), Some(0))
    );
    let listing = admin_json(&c, "/v1/admin/widgets/versammlung/registrations", false).await;
    let regs = listing["registrations"].as_array().expect("list");
    assert_eq!(regs.len(), 200);
    assert_eq!(
        regs.iter().filter(|r| r["waiting_position"] == 150).count(),
        1
    );
}

#[tokio::test]
async fn cancellation_by_link_frees_the_seat_and_promotes_the_waiting_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), CONFIG);
    assert_eq!(
        register(&c, "klein", 1, &person("A", "a@example.de", 1)).await,
        "seat"
    );
    assert_eq!(
        register(&c, "klein", 2, &person("B", "b@example.de", 1)).await,
        "seat"
    );
    // A group of two waits first; a single person behind it does not overtake.
    assert_eq!(
        register(&c, "klein", 3, &person("C", "c@example.de", 2)).await,
        "waiting_list"
    );
    assert_eq!(
        register(&c, "klein", 4, &person("D", "d@example.de", 1)).await,
        "waiting_list"
    );

    let a = mails_to(dir.path(), "a@example.de", 1).await;
    assert!(a[0].subject.contains("Werkstatt"), "{}", a[0].subject);
    assert_eq!(
        a[0].attachments.len(),
        1,
        "the seat's mail has the calendar file"
    );
    assert!(a[0].attachments[0].contains("BEGIN:VCALENDAR"));
    assert!(!a[0].text.contains("A\n") && !a[0].text.contains("Erika"));
    let link = a[0].link().expect("a cancellation link");
    let c_mail = mails_to(dir.path(), "c@example.de", 1).await;
    assert!(
        c_mail[0].attachments.is_empty(),
        "no calendar file for a waiting-list place"
    );

    // A scanner opening the link changes nothing.
    for _ in 0..3 {
        let page = client()
            .get(format!("{}{link}", c.url))
            .send()
            .await
            .expect("get");
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(page.headers()[header::REFERRER_POLICY], "no-referrer");
        let csp = page.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("csp");
        assert!(csp.contains("default-src 'none'") && csp.contains("form-action 'self'"));
        let html = page.text().await.expect("html");
        assert!(html.contains("<form method=\"post\">"), "{html}");
        assert!(html.contains("Werkstatt"));
    }
    let s = status(&c, "klein").await;
    assert_eq!(
        (s["seats_taken"].as_u64(), s["waiting"].as_u64()),
        (Some(2), Some(3))
    );

    // The button's POST cancels; C (2 persons) does not fit into one seat, D waits behind C.
    let done = client()
        .post(format!("{}{link}", c.url))
        .send()
        .await
        .expect("post");
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.expect("html").contains("storniert"));
    let s = status(&c, "klein").await;
    assert_eq!(
        (s["seats_taken"].as_u64(), s["waiting"].as_u64()),
        (Some(1), Some(3))
    );
    mails_to(dir.path(), "a@example.de", 2).await;
    // Again: nothing more happens.
    let again = client()
        .post(format!("{}{link}", c.url))
        .send()
        .await
        .expect("post");
    assert!(
        again
            .text()
            .await
            .expect("html")
            .contains("bereits storniert")
    );

    // The organiser cancels B: two seats free, C moves up and is told; D still waits.
    let listing = admin_json(&c, "/v1/admin/widgets/klein/registrations", false).await;
    let b = listing["registrations"]
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["email"] == "b@example.de")
        .expect("B")["id"]
        .as_i64()
        .expect("id");
    let cancelled = admin_json(
        &c,
        &format!("/v1/admin/widgets/klein/registrations/{b}/cancel"),
        true,
    )
    .await;
    assert_eq!(cancelled["promoted"], 1);
    assert_eq!(cancelled["registration"]["cancelled_by"], "organiser");
    let s = status(&c, "klein").await;
    assert_eq!(
        (s["seats_taken"].as_u64(), s["waiting"].as_u64()),
        (Some(2), Some(1))
    );
    let c_mails = mails_to(dir.path(), "c@example.de", 2).await;
    assert_eq!(
        c_mails[1].attachments.len(),
        1,
        "the promotion brings the calendar file"
    );
    assert!(c_mails[1].link().is_some());
    mails_to(dir.path(), "b@example.de", 2).await;
    let listing = admin_json(&c, "/v1/admin/widgets/klein/registrations", false).await;
    let d = listing["registrations"]
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["email"] == "d@example.de")
        .cloned()
        .expect("D");
    assert_eq!(
        (d["status"].as_str(), d["waiting_position"].as_u64()),
        (Some("waiting"), Some(1))
    );

    // A link nobody issued is a 404 page, not a problem+json.
    let bogus = client()
        .get(format!(
            "{}/v1/registrations/cancel/{}",
            c.url,
            "0".repeat(64)
        ))
        .send()
        .await
        .expect("get");
    assert_eq!(bogus.status(), StatusCode::NOT_FOUND);
    assert!(
        bogus.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("ct")
            .starts_with("text/html")
    );
    let missing = admin(&c, "/v1/admin/widgets/klein/registrations/999/cancel", true).await;
    problem(missing, 404, "not-found").await;
}

/// The cancellation page names the event as the mail does: title (escaped), weekday, date,
/// start and end, place; in the registration's language; the button red, for giving a seat up.
#[tokio::test]
async fn the_cancellation_page_shows_the_events_facts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), CONFIG);
    let mut english = person("Erika", "en@example.de", 2);
    english["lang"] = json!("en");
    register(&c, "versammlung", 1, &person("Erika", "de@example.de", 3)).await;
    register(&c, "versammlung", 2, &english).await;
    for (to, facts) in [
        (
            "de@example.de",
            [
                "<dt>Veranstaltung</dt><dd>Bürgerversammlung &lt;Haushalt&gt;</dd>",
                "<dt>Wann</dt><dd>Donnerstag, 12.03.2099, 18:00\u{a0}Uhr bis 20:30\u{a0}Uhr</dd>",
                "<dt>Ort</dt><dd>Rathaus, Großer Saal</dd>",
                "<dt>Personen</dt><dd>3</dd>",
            ],
        ),
        (
            "en@example.de",
            [
                "<dt>Event</dt><dd>Bürgerversammlung &lt;Haushalt&gt;</dd>",
                "<dt>When</dt><dd>Thursday, 12 March 2099, 18:00–20:30</dd>",
                "<dt>Place</dt><dd>Rathaus, Großer Saal</dd>",
                "<dt>Persons</dt><dd>2</dd>",
            ],
        ),
    ] {
        let mail = &mails_to(dir.path(), to, 1).await[0];
        let link = mail.link().expect("a cancellation link");
        let html = client()
            .get(format!("{}{link}", c.url))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("html");
        for fact in facts {
            assert!(html.contains(fact), "{fact} in {html}");
        }
        assert!(html.contains("<button type=\"submit\" class=\"danger\">"));
        assert!(
            !html.contains("Erika"),
            "nothing typed but what the page is about"
        );
    }
}

#[tokio::test]
async fn a_second_registration_of_an_address_takes_no_seat_and_tells_only_the_mailbox() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), CONFIG);
    let first = submit(
        &c,
        "versammlung",
        1,
        &person("Erika", "erika@example.de", 2),
    )
    .await;
    let second = submit(
        &c,
        "versammlung",
        2,
        &person("Max", " Erika@Example.DE ", 1),
    )
    .await;
    assert_eq!(
        (first.status(), second.status()),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    let (a, b): (Value, Value) = (
        first.json().await.expect("json"),
        second.json().await.expect("json"),
    );
    // The same shape: a receipt and a seat, nothing that says "known".
    let keys = |v: &Value| {
        v.as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&a), keys(&b));
    assert_eq!(
        (a["placement"].as_str(), b["placement"].as_str()),
        (Some("seat"), Some("seat"))
    );
    let s = status(&c, "versammlung").await;
    assert_eq!(s["seats_taken"], 2, "the second request took no seat");
    let mails = mails_to(dir.path(), "erika@example.de", 2).await;
    // Both go to the address registered first; the second says it is known already.
    let second_mail = &mails[1];
    assert!(second_mail.link().is_some());
    assert!(
        !second_mail.text.contains("Max"),
        "the name typed is never echoed"
    );
    // A third request within the hour gets no further mail.
    let third = submit(&c, "versammlung", 3, &person("X", "erika@example.de", 1)).await;
    assert_eq!(third.status(), StatusCode::CREATED);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        read_mails(dir.path())
            .iter()
            .filter(|m| m.to.to_lowercase().contains("erika@example.de"))
            .count(),
        2
    );
    // A replay of the first key gets the first answer and sends nothing.
    let replay = submit(
        &c,
        "versammlung",
        1,
        &person("Erika", "erika@example.de", 2),
    )
    .await;
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
}

#[tokio::test]
async fn rules_of_the_event_are_enforced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), CONFIG);
    let p = problem(
        submit(&c, "vorbei", 1, &person("E", "e@example.de", 1)).await,
        422,
        "closed",
    )
    .await;
    assert!(p.detail.contains("closed"), "{}", p.detail);
    let p = problem(
        submit(&c, "abgesagt", 2, &person("E", "e@example.de", 1)).await,
        422,
        "closed",
    )
    .await;
    assert!(p.detail.contains("cancelled"), "{}", p.detail);
    problem(
        submit(&c, "unbekannt", 3, &person("E", "e@example.de", 1)).await,
        404,
        "unknown-event",
    )
    .await;
    let p = problem(
        submit(&c, "versammlung", 4, &person("E", "e@example.de", 5)).await,
        422,
        "invalid-submission",
    )
    .await;
    assert_eq!(p.errors[0].pointer, "/persons");
    let p = problem(
        submit(
            &c,
            "versammlung",
            5,
            &json!({"kind": "registration", "name": "", "email": "nope"}),
        )
        .await,
        422,
        "invalid-submission",
    )
    .await;
    let pointers: Vec<&str> = p.errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(pointers, ["/name", "/email"]);
    let res = client()
        .get(format!("{}/v1/widgets/unbekannt/event", c.url))
        .send()
        .await
        .expect("get");
    problem(res, 404, "unknown-event").await;
    assert_eq!(status(&c, "vorbei").await["state"], "closed");
    assert_eq!(status(&c, "abgesagt").await["state"], "cancelled");
    assert_eq!(status(&c, "abgesagt").await["capacity"], Value::Null);
    // A honeypot registration is answered like a real one and stored nowhere.
    let mut bot = person("Bot", "bot@example.de", 1);
    bot["honeypot"] = json!("http://spam.example");
    assert_eq!(register(&c, "versammlung", 6, &bot).await, "seat");
    assert_eq!(status(&c, "versammlung").await["seats_taken"], 0);
}

#[tokio::test]
async fn the_admin_exports_csv_for_german_excel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), CONFIG);
    let mut body = person("=HYPERLINK(\"http://evil\")", "erika@example.de", 2);
    body["note"] = json!("Rollstuhl; bitte\nnah am Eingang");
    body["phone"] = json!("+49 30 123456");
    register(&c, "versammlung", 1, &body).await;
    let res = admin(&c, "/v1/admin/widgets/versammlung/registrations.csv", false).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert!(
        res.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("header")
            .contains("versammlung-anmeldungen-v1-")
    );
    let csv = res.text().await.expect("csv");
    assert!(csv.starts_with("\u{feff}Nr.;Status;Warteplatz;Name;E-Mail;Personen;"));
    let row = csv.split("\r\n").nth(1).expect("a row");
    assert!(row.starts_with("1;Platz;;\"'=HYPERLINK(\"\"http://evil\"\")\";erika@example.de;2;\"'+49 30 123456\";;\"Rollstuhl; bitte\nnah am Eingang\";de;"), "{row}");
    let comma = admin(
        &c,
        "/v1/admin/widgets/versammlung/registrations.csv?separator=comma",
        false,
    )
    .await
    .text()
    .await
    .expect("csv");
    assert!(comma.starts_with("\u{feff}Nr.,Status,"));
    problem(
        admin(
            &c,
            "/v1/admin/widgets/versammlung/registrations.csv?separator=tab",
            false,
        )
        .await,
        400,
        "bad-query",
    )
    .await;
    let unauthorised = client()
        .get(format!(
            "{}/v1/admin/widgets/versammlung/registrations.csv",
            c.url
        ))
        .send()
        .await
        .expect("get");
    problem(unauthorised, 401, "unauthorized").await;
}

/// The registrations as XLSX, opened by a spreadsheet library: the same columns as the CSV,
/// umlauts intact, numbers as numbers, a citizen's formula kept as text, and a sheet that names
/// the event, its definition version and the time of the export.
#[tokio::test]
async fn the_admin_exports_xlsx_read_back_by_a_spreadsheet_library() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(
        dir.path(),
        r#"
[events.toepfern]
title = "Töpfern für Anfänger – Südstadt"
start = "2099-04-17T10:00+02:00"
place = "Bürgerhaus, Raum Größenwahn"
capacity = 2
persons_max = 2
"#,
    );
    let mut juergen = person("Jürgen Weiß", "juergen@example.de", 2);
    juergen["note"] = json!("Rollstuhl; Zugang über den Hof");
    assert_eq!(register(&c, "toepfern", 1, &juergen).await, "seat");
    let formula = "=HYPERLINK(\"http://evil\")";
    assert_eq!(
        register(&c, "toepfern", 2, &person(formula, "eva@example.de", 1)).await,
        "waiting_list"
    );

    let xlsx = export::download(&c, "/v1/admin/widgets/toepfern/registrations.xlsx", TOKEN).await;
    xlsx.assert_named("toepfern-anmeldungen-v1", "xlsx");
    let mut book = xlsx.xlsx();
    assert_eq!(book.sheet_names(), ["Anmeldungen", "Export"]);
    let rows = export::sheet(&mut book, "Anmeldungen");
    let text = export::texts(&rows);
    // The same columns as the CSV, which German Excel users know.
    let csv = export::download(&c, "/v1/admin/widgets/toepfern/registrations.csv", TOKEN).await;
    csv.assert_named("toepfern-anmeldungen-v1", "csv");
    assert_eq!(text[0], csv.csv()[0]);
    let column = |name: &str| {
        text[0]
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("a column {name}"))
    };
    assert_eq!(rows.len(), 3, "{text:?}");
    let by_name = |name: &str| {
        rows[1..]
            .iter()
            .find(|r| r[column("Name")] == calamine::Data::String(name.to_owned()))
            .unwrap_or_else(|| panic!("{name} exported"))
    };
    let seat = by_name("Jürgen Weiß");
    assert_eq!(
        seat[column("Status")],
        calamine::Data::String("Platz".into())
    );
    assert_eq!(seat[column("Personen")], calamine::Data::Float(2.0));
    assert_eq!(
        seat[column("Hinweis")],
        calamine::Data::String("Rollstuhl; Zugang über den Hof".into())
    );
    assert_eq!(seat[column("Warteplatz")], calamine::Data::Empty);
    xlsx.assert_time(&seat[column("Angemeldet")].to_string());
    // In a cell of its own type a formula is plain text: no apostrophe needed, none shown.
    let waiting = by_name(formula);
    assert_eq!(
        waiting[column("Status")],
        calamine::Data::String("Warteliste".into())
    );
    assert_eq!(waiting[column("Warteplatz")], calamine::Data::Float(1.0));
    assert_eq!(
        waiting[column("E-Mail")],
        calamine::Data::String("eva@example.de".into())
    );
    export::assert_no_formulas(&mut book, "Anmeldungen");
    let about = export::about(&mut book);
    let fact = |name: &str| {
        about
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{name} in the Export sheet"))
    };
    assert_eq!(fact("Widget"), "toepfern");
    assert_eq!(fact("Titel"), "Töpfern für Anfänger – Südstadt");
    assert_eq!(fact("Definition"), "Version 1");
    xlsx.assert_time(fact("Exportiert (Europe/Berlin)"));
    assert_eq!(fact("Exportiert von"), "api");
    assert_eq!(fact("Zeilen"), "2");

    let log = admin_json(&c, "/v1/admin/audit-log?action=export", false).await;
    assert_eq!(
        log["entries"][1]["detail"],
        "anmeldungen (xlsx), 2 rows, version 1"
    );
    assert_eq!(log["entries"][1]["object"], "toepfern");
}

#[tokio::test]
async fn personal_data_is_deleted_after_the_retention() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let c = start(dir.path(), CONFIG);
        register(&c, "klein", 1, &person("A", "a@example.de", 1)).await;
        register(&c, "klein", 2, &person("B", "b@example.de", 1)).await;
        register(&c, "klein", 3, &person("C", "c@example.de", 1)).await;
        register(&c, "versammlung", 4, &person("D", "d@example.de", 1)).await;
        mails_to(dir.path(), "c@example.de", 1).await;
    }
    // The same database later: the Werkstatt took place yesterday and is kept 0 days; the
    // Versammlung is still ahead.
    let later = format!(
        "retention_days = 0\n{}",
        CONFIG.replace(
            "start = \"2099-04-17T10:00+02:00\"",
            "start = \"2020-04-17T10:00+02:00\""
        )
    );
    let c = start(dir.path(), &later);
    let mut left = None;
    for _ in 0..50 {
        let listing = admin_json(&c, "/v1/admin/widgets/klein/registrations", false).await;
        let n = listing["registrations"].as_array().expect("list").len();
        if n == 0 {
            left = Some(n);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left, Some(0), "the Werkstatt's registrations are gone");
    let listing = admin_json(&c, "/v1/admin/widgets/versammlung/registrations", false).await;
    assert_eq!(listing["registrations"].as_array().expect("list").len(), 1);
    let db = registrations_and_orphans(dir.path());
    assert_eq!(
        db,
        (1, 0),
        "one registration left, no tokens of the deleted ones"
    );
}

/// Registrations and orphaned cancellation tokens left in the database.
fn registrations_and_orphans(dir: &Path) -> (i64, i64) {
    let regs = support::database::int(dir, "SELECT count(*) FROM registrations");
    let orphans = support::database::int(
        dir,
        "SELECT count(*) FROM cancel_tokens WHERE registration NOT IN (SELECT id FROM registrations)",
    );
    (regs, orphans)
}

#[path = "support/smtp.rs"]
#[allow(dead_code)] // shared with the mail tests, which use all of it
mod smtp;

/// The queue's state of each mail to `to`: (attempts, sent, failed, last error).
fn queue_of(dir: &Path, to: &str) -> Vec<(i64, bool, bool, Option<String>)> {
    // `to` is one of the test's own addresses: safe to write into the query.
    support::database::rows(
        dir,
        &format!(
            "SELECT q.attempts, CASE WHEN q.sent_at IS NULL THEN 0 ELSE 1 END,
                    CASE WHEN q.failed_at IS NULL THEN 0 ELSE 1 END, q.last_error
             FROM mail_queue q JOIN registrations r ON r.id = q.registration
             WHERE r.email = '{to}' ORDER BY q.id"
        ),
    )
    .iter()
    .map(|r| {
        (
            r.int(0).expect("attempts"),
            r.bool(1).expect("sent"),
            r.bool(2).expect("failed"),
            r.opt_text(3).expect("error"),
        )
    })
    .collect()
}

#[tokio::test]
async fn mails_go_out_over_smtp_and_failures_are_retried_or_given_up() {
    let server = smtp::SmtpServer::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let port = server.port.to_string();
    let c = Collector::start_with_config(
        dir.path(),
        CONFIG,
        &[
            ("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "0"),
            ("MITMACHEN_SMTP_HOST", "127.0.0.1"),
            ("MITMACHEN_SMTP_PORT", &port),
            ("MITMACHEN_SMTP_TLS", "none"),
            (
                "MITMACHEN_MAIL_FROM",
                "Stadt Musterstadt <beteiligung@musterstadt.example>",
            ),
            (
                "MITMACHEN_PUBLIC_URL",
                "https://beteiligung.musterstadt.example/api",
            ),
        ],
    );
    register(
        &c,
        "versammlung",
        1,
        &person("Erika", "erika@example.de", 1),
    )
    .await;
    register(&c, "versammlung", 2, &person("Busy", smtp::BUSY, 1)).await;
    register(&c, "versammlung", 3, &person("Reject", smtp::REJECTED, 1)).await;
    let got = server.wait_for(1);
    assert_eq!(got.len(), 1, "only the deliverable mail arrives");
    assert_eq!(got[0].rcpt_tos, ["erika@example.de"]);
    assert_eq!(got[0].mail_from, "beteiligung@musterstadt.example");
    let text = got[0].record["text"].as_str().expect("text");
    assert!(
        text.contains("https://beteiligung.musterstadt.example/api/v1/registrations/cancel/"),
        "{text}"
    );
    assert!(
        !c.log().contains("/v1/registrations/cancel/"),
        "links are not logged with SMTP"
    );
    let db = dir.path();
    let mut state = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..100 {
        state = (
            queue_of(db, "erika@example.de"),
            queue_of(db, "busy@example.invalid"),
            queue_of(db, "reject@example.invalid"),
        );
        if state.1.first().is_some_and(|q| q.3.is_some()) && state.2.first().is_some_and(|q| q.2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (erika, busy, reject) = state;
    assert_eq!(erika[0].0, 1, "one attempt");
    assert!(erika[0].1, "sent: {erika:?}");
    // 451: kept for a later attempt; 550: given up at once.
    assert!(!busy[0].1 && !busy[0].2 && busy[0].3.is_some(), "{busy:?}");
    assert!(!reject[0].1 && reject[0].2, "{reject:?}");
    let tokens_left = support::database::int(
        db,
        "SELECT count(*) FROM mail_queue WHERE token IS NOT NULL AND (sent_at IS NOT NULL OR failed_at IS NOT NULL)",
    );
    assert_eq!(tokens_left, 0, "a sent or abandoned mail keeps no token");
}

async fn by_hand(c: &Collector, widget: &str, body: &Value) -> reqwest::Response {
    client()
        .post(format!("{}/v1/admin/widgets/{widget}/registrations", c.url))
        .bearer_auth(TOKEN)
        .json(body)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn the_organiser_adds_by_hand_and_seats_from_the_waiting_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), CONFIG);
    assert_eq!(
        register(&c, "klein", 1, &person("Anna", "anna@example.de", 2)).await,
        "seat"
    );
    // A phone call without an address: placed by the same rule (full: the waiting list), no
    // mail; a second one without an address does not clash with the first.
    let mut added = Vec::new();
    for name in ["Herr Öztürk", "Frau Lindner"] {
        let res = by_hand(&c, "klein", &json!({"name": name, "phone": "0761 2010"})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.expect("json");
        let r = &body["registration"];
        assert_eq!(r["status"], "waiting");
        assert_eq!(r["email"], "");
        assert_eq!(r["source"], "console");
        added.push(r["id"].as_i64().expect("id"));
    }
    // An address registered already is said so; an overbooked seat beyond the capacity is taken.
    let res = by_hand(
        &c,
        "klein",
        &json!({"name": "Anna", "email": "ANNA@example.de"}),
    )
    .await;
    problem(res, 422, "invalid-decision").await;
    let res = by_hand(
        &c,
        "klein",
        &json!({"name": "Bürgermeisterin", "email": "bm@example.de", "overbook": true, "staff_note": "Ehrengast"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = by_hand(&c, "ohne-liste", &json!({"name": "X", "persons": 99})).await;
    problem(res, 422, "invalid-decision").await;
    problem(
        by_hand(&c, "nirgends", &json!({"name": "X"})).await,
        404,
        "unknown-event",
    )
    .await;

    // The first of the waiting list gets a seat by hand, the counters follow; a second time is
    // refused.
    let seat = format!("/v1/admin/widgets/klein/registrations/{}/seat", added[0]);
    let seated = admin_json(&c, &seat, true).await;
    assert_eq!(seated["registration"]["status"], "seat");
    problem(admin(&c, &seat, true).await, 422, "invalid-decision").await;
    let now = status(&c, "klein").await;
    assert_eq!(now["seats_taken"], 4, "{now}");
    assert_eq!(now["waiting"], 1, "{now}");

    // Mails only to those with an address: Anna's seat and the guest's seat.
    mails_to(dir.path(), "anna@example.de", 1).await;
    mails_to(dir.path(), "bm@example.de", 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(read_mails(dir.path()).len(), 2);

    // Audited by number, never by name.
    let log = admin_json(&c, "/v1/admin/audit-log", false).await;
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .filter(|a| a.starts_with("registration-"))
        .collect();
    assert_eq!(
        actions,
        [
            "registration-seated",
            "registration-added",
            "registration-added",
            "registration-added"
        ]
    );
    assert_eq!(log["entries"][0]["object"], format!("klein #{}", added[0]));
    assert!(!log.to_string().contains("Öztürk"));
}

/// Waits (up to 30 s) for `n` messages: mails about a moved or called-off event wait 5 s before
/// the sender's next round takes them.
fn wait_long(server: &smtp::SmtpServer, n: usize) -> usize {
    let mut got = 0;
    for _ in 0..3 {
        got = server.wait_for(n).len();
        if got >= n {
            break;
        }
    }
    got
}

/// The subjects and texts of what the SMTP server received for `to`, in order.
fn received_by(server: &smtp::SmtpServer, to: &str) -> Vec<(String, String)> {
    server
        .received()
        .into_iter()
        .filter(|m| m.rcpt_tos.iter().any(|r| r == to))
        .map(|m| {
            let part = |name: &str| m.record[name].as_str().unwrap_or_default().to_owned();
            (part("subject"), part("text"))
        })
        .collect()
}

#[tokio::test]
async fn registrants_are_told_when_the_event_moves_or_is_called_off() {
    let server = smtp::SmtpServer::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let port = server.port.to_string();
    let c = Collector::start_with_config(
        dir.path(),
        CONFIG,
        &[
            ("MITMACHEN_ADMIN_TOKEN", TOKEN),
            ("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "0"),
            ("MITMACHEN_RATE_LIMIT_READS_PER_MINUTE", "0"),
            ("MITMACHEN_SMTP_HOST", "127.0.0.1"),
            ("MITMACHEN_SMTP_PORT", &port),
            ("MITMACHEN_SMTP_TLS", "none"),
            (
                "MITMACHEN_MAIL_FROM",
                "Stadt Musterstadt <beteiligung@musterstadt.example>",
            ),
        ],
    );
    let definition = |place: &str, status: &str| {
        json!({
            "kind": "event",
            "attributes": {
                "data-title": "Sommerfest",
                "data-start": "2099-07-04T15:00+02:00",
                "data-place": place,
                "data-capacity": "1",
                "data-status": status
            }
        })
    };
    let put = |body: Value| {
        let url = format!("{}/v1/admin/widgets/sommerfest", c.url);
        async move {
            let res = client()
                .put(url)
                .bearer_auth(TOKEN)
                .json(&body)
                .send()
                .await
                .expect("put");
            assert!(res.status().is_success(), "{:?}", res.text().await);
        }
    };
    put(definition("Stadtpark", "open")).await;
    assert_eq!(
        register(&c, "sommerfest", 1, &person("Sitz", "sitz@example.de", 1)).await,
        "seat"
    );
    assert_eq!(
        register(&c, "sommerfest", 2, &person("Warte", "warte@example.de", 1)).await,
        "waiting_list"
    );
    register(&c, "sommerfest", 3, &person("Weg", "weg@example.de", 1)).await;
    let listed = admin_json(&c, "/v1/admin/widgets/sommerfest/registrations", false).await;
    let weg = listed["registrations"][2]["id"].as_i64().expect("id");
    admin_json(
        &c,
        &format!("/v1/admin/widgets/sommerfest/registrations/{weg}/cancel"),
        true,
    )
    .await;
    // Placed (three) and the cancellation.
    assert_eq!(server.wait_for(4).len(), 4);

    // Another place: everyone with a seat or a waiting place is told, the cancelled one not.
    put(definition("Rathaushof", "open")).await;
    assert_eq!(wait_long(&server, 6), 6);
    for to in ["sitz@example.de", "warte@example.de"] {
        let got = received_by(&server, to);
        assert_eq!(got.len(), 2, "{to}: {got:?}");
        assert_eq!(got[1].0, "Neuer Termin oder Ort: Sommerfest");
        assert!(got[1].1.contains("Rathaushof"), "{}", got[1].1);
    }
    // Called off.
    put(definition("Rathaushof", "cancelled")).await;
    assert_eq!(wait_long(&server, 8), 8);
    for to in ["sitz@example.de", "warte@example.de"] {
        let got = received_by(&server, to);
        assert_eq!(got.len(), 3, "{to}: {got:?}");
        assert_eq!(got[2].0, "Abgesagt: Sommerfest");
        assert!(got[2].1.contains("findet nicht statt"), "{}", got[2].1);
    }
    // Saving it again unchanged mails nobody; the cancelled registration heard of neither.
    put(definition("Rathaushof", "cancelled")).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(server.received().len(), 8);
    let weg_got = received_by(&server, "weg@example.de");
    assert_eq!(weg_got.len(), 2, "waiting list and cancelled: {weg_got:?}");
    let log = admin_json(&c, "/v1/admin/audit-log?action=registrants-mailed", false).await;
    let details: Vec<&str> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["detail"].as_str().expect("detail"))
        .collect();
    assert_eq!(
        details,
        ["event cancelled: 2 mails", "event moved: 2 mails"]
    );
}

/// `mail.per_minute` spaces the queue's mails: a burst waits in the queue instead of meeting a
/// relay's limit. Arrival times are seen by polling, so they are late by up to a poll: the
/// bound checked is below the pace's by more than that.
#[tokio::test]
async fn the_queue_sends_mails_at_the_configured_pace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start_with_config(
        dir.path(),
        CONFIG,
        &[
            ("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "0"),
            ("MITMACHEN_MAIL_PER_MINUTE", "60"),
            (
                "MITMACHEN_MAIL_OUTBOX",
                outbox(dir.path()).to_str().expect("utf-8 path"),
            ),
        ],
    );
    assert!(c.log_shows("at most 60 a minute"), "{}", c.log());
    for (n, email) in ["a@example.de", "b@example.de", "c@example.de"]
        .into_iter()
        .enumerate()
    {
        register(&c, "versammlung", n, &person("P", email, 1)).await;
    }
    let start = std::time::Instant::now();
    let mut seen = Vec::new();
    while seen.len() < 3 && start.elapsed() < Duration::from_secs(20) {
        let count = read_mails(dir.path()).len();
        while seen.len() < count {
            seen.push(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen.len(), 3, "every mail is sent in the end");
    assert!(
        seen[2] - seen[0] >= Duration::from_millis(1500),
        "three mails at one a second take two seconds: {seen:?}"
    );
}
