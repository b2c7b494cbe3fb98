//! Newsletter subscriptions over real HTTP against the real binary: double opt-in (a GET of the
//! link, as a mail scanner makes it, confirms nothing; the button's POST does), the proof of
//! consent in the export, one-click unsubscribe (RFC 8058) that keeps only a hash, expiry and
//! purge of unconfirmed requests, the daily mail limits, erasure across widgets, and the
//! webhook to a real HTTP listener on 127.0.0.1. Mails are read from the outbox folder.

mod support;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use hmac::{Hmac, Mac};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use sha2::Sha256;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::outbox::{Mail, mails_to, read_mails};
use support::{Collector, client, problem, submit};

const TOKEN: &str = "test-admin-token-0123456789abcdef0123";
const SECRET: &str = "webhook-secret-0123456789";
const CONSENT: &str = "Ja, ich möchte den Newsletter der Stadt Musterstadt per E-Mail erhalten. \
                       Ich kann ihn jederzeit abbestellen.";

fn config(webhook: Option<&str>) -> String {
    let hook = webhook
        .map(|url| format!("webhook_url = \"{url}\"\nwebhook_secret = \"{SECRET}\"\n"))
        .unwrap_or_default();
    format!(
        r#"
[newsletters.newsletter]
title = "Newsletter <Bürgerbeteiligung> & mehr"
lists = {{ beteiligung = "Beteiligung und Umfragen", termine = "Veranstaltungen" }}
{hook}
[newsletters.einfach]
title = "Newsletter ohne Listen"

[events.klein]
title = "Werkstatt"
start = "2099-04-17T10:00+02:00"
capacity = 1
"#
    )
}

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

fn request(email: &str, lists: &[&str]) -> Value {
    json!({
        "kind": "subscription",
        "email": email,
        "name": "Erika <b>Spam</b> Mustermann",
        "lists": lists,
        "consent": CONSENT,
        "privacy": "https://www.musterstadt.de/datenschutz",
        "page": "https://www.musterstadt.de/mitmachen/newsletter",
        "lang": "de",
    })
}

async fn subscribe(c: &Collector, widget: &str, n: usize, body: &Value) -> Value {
    let res = submit(c, widget, n, body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{:?}", res.text().await);
    res.json().await.expect("receipt")
}

async fn admin(c: &Collector, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", c.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("request")
}

async fn subscribers(c: &Collector, widget: &str, status: &str) -> Vec<Value> {
    let res = admin(
        c,
        &format!("/v1/admin/widgets/{widget}/subscribers?status={status}"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let listing: Value = res.json().await.expect("json");
    listing["subscribers"].as_array().expect("list").clone()
}

async fn get(c: &Collector, path: &str) -> (StatusCode, String) {
    let res = client()
        .get(format!("{}{path}", c.url))
        .send()
        .await
        .expect("get");
    (res.status(), res.text().await.expect("html"))
}

async fn post(c: &Collector, path: &str) -> (StatusCode, String) {
    let res = client()
        .post(format!("{}{path}", c.url))
        .send()
        .await
        .expect("post");
    (res.status(), res.text().await.expect("html"))
}

/// What a webhook receiver got, and what it answers next.
#[derive(Default)]
struct Receiver {
    got: Vec<(HeaderMap, String)>,
    /// Answers to give, first first; then 204.
    answers: Vec<u16>,
}

/// A real HTTP listener on 127.0.0.1 standing in for the town's newsletter system.
async fn receiver() -> (String, Arc<Mutex<Receiver>>) {
    let state = Arc::new(Mutex::new(Receiver::default()));
    let shared = state.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let shared = shared.clone();
            async move {
                let mut r = shared.lock().expect("lock");
                r.got
                    .push((headers, String::from_utf8_lossy(&body).into_owned()));
                let status = if r.answers.is_empty() {
                    204
                } else {
                    r.answers.remove(0)
                };
                AxumStatus::from_u16(status).expect("status")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, state)
}

async fn deliveries(state: &Arc<Mutex<Receiver>>, n: usize) -> Vec<(HeaderMap, Value)> {
    for _ in 0..150 {
        {
            let r = state.lock().expect("lock");
            if r.got.len() >= n {
                return r
                    .got
                    .iter()
                    .map(|(h, b)| (h.clone(), serde_json::from_str(b).expect("json body")))
                    .collect();
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {n} webhook deliveries");
}

/// The receiver's check: `t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
fn signed(headers: &HeaderMap, body: &str) -> bool {
    let Some(sig) = headers
        .get("mitmachen-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((t, v1)) = sig
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(format!("{t}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    expected == v1
}

/// A number from the collector's database, through the store's own interface.
fn sql(dir: &Path, query: &str) -> i64 {
    support::database::int(dir, query)
}

/// Waits until `query` counts `n` (the senders record an outcome right after the answer).
async fn eventually(dir: &Path, query: &str, n: i64) {
    let mut got = -1;
    for _ in 0..50 {
        got = sql(dir, query);
        if got == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(got, n, "{query}");
}

fn execute(dir: &Path, statement: &str) {
    support::database::execute(dir, statement);
}

fn mail_path(mail: &Mail, prefix: &str) -> String {
    mail.link_to(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {}", mail.text))
}

#[tokio::test]
async fn double_opt_in_proof_export_and_one_click_unsubscribe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (hook, received) = receiver().await;
    let c = start(dir.path(), &config(Some(&hook)));

    let receipt = subscribe(
        &c,
        "newsletter",
        1,
        &request("Erika@Example.de", &["termine"]),
    )
    .await;
    assert!(receipt["receipt"].is_string() && receipt.get("placement").is_none());
    let confirm = &mails_to(dir.path(), "Erika@Example.de", 1).await[0];
    assert!(
        !confirm.text.contains("Spam") && !confirm.html.contains("Spam"),
        "the typed name is never echoed: {}",
        confirm.text
    );
    assert!(confirm.header("List-Unsubscribe").is_none());
    let link = mail_path(confirm, "/v1/subscriptions/confirm/");

    // A mail scanner fetches the link: a page with a button, nothing confirmed.
    for _ in 0..2 {
        let (status, page) = get(&c, &link).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("<form method=\"post\">") && page.contains("Abonnement bestätigen"));
        assert!(page.contains("Newsletter &lt;Bürgerbeteiligung&gt; &amp; mehr"));
        // The owner of the mailbox sees what they asked for, and the way back to the town.
        assert!(page.contains("<dd>Erika@Example.de</dd>"), "{page}");
        assert!(page.contains("<li>Veranstaltungen</li>") && !page.contains("Beteiligung und"));
        assert!(page.contains("href=\"https://www.musterstadt.de/mitmachen/newsletter\""));
        assert!(!page.contains("Spam"), "the name typed is not needed here");
    }
    assert!(subscribers(&c, "newsletter", "confirmed").await.is_empty());
    assert_eq!(subscribers(&c, "newsletter", "pending").await.len(), 1);
    assert!(received.lock().expect("lock").got.is_empty());

    // The address owner presses the button.
    let (status, page) = post(&c, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ihr Abonnement ist bestätigt"), "{page}");
    let (_, again) = post(&c, &link).await;
    assert!(again.contains("bereits bestätigt"));

    let confirmed = subscribers(&c, "newsletter", "confirmed").await;
    assert_eq!(confirmed.len(), 1);
    let proof = &confirmed[0];
    assert_eq!(proof["email"], "Erika@Example.de");
    assert_eq!(proof["lists"], json!(["termine"]));
    assert_eq!(
        proof["page"],
        "https://www.musterstadt.de/mitmachen/newsletter"
    );
    assert_eq!(proof["consent"]["text"], CONSENT);
    assert_eq!(proof["consent"]["version"], 1);
    assert_eq!(
        proof["consent"]["privacy"],
        "https://www.musterstadt.de/datenschutz"
    );
    assert_eq!(proof["consent"]["sha256"].as_str().map(str::len), Some(64));
    let requested = proof["requested_at"].as_str().expect("time");
    let at = proof["confirmed_at"].as_str().expect("confirmed");
    assert!(requested.ends_with('Z') && at.ends_with('Z') && at >= requested);

    let csv = admin(&c, "/v1/admin/widgets/newsletter/subscribers.csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("header")
            .contains("newsletter-abonnenten-v1-")
    );
    let csv = csv.text().await.expect("csv");
    assert!(csv.starts_with("\u{feff}Nr.;E-Mail;Name;Listen;"), "{csv}");

    // The same as XLSX, read back by a spreadsheet library: umlauts intact, what it belongs to
    // on its second sheet.
    let xlsx = admin(&c, "/v1/admin/widgets/newsletter/subscribers.xlsx").await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert_eq!(
        xlsx.headers()[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = xlsx.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("header")
        .to_owned();
    assert!(
        disposition.contains("newsletter-abonnenten-v1-") && disposition.ends_with(".xlsx\""),
        "{disposition}"
    );
    let bytes = xlsx.bytes().await.expect("xlsx");
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    use calamine::Reader as _;
    let table = book.worksheet_range("Abonnenten").expect("sheet");
    let cell = |r: u32, c: u32| table.get_value((r, c)).map(|d| d.to_string());
    assert_eq!(cell(0, 1).as_deref(), Some("E-Mail"));
    assert_eq!(
        cell(1, 12).as_deref(),
        Some(CONSENT),
        "the consent text, umlauts intact"
    );
    assert_eq!(
        table.get_value((1, 0)),
        Some(&calamine::Data::Float(1.0)),
        "numbers stay numbers"
    );
    let about = book.worksheet_range("Export").expect("sheet");
    let fact = |r: u32| about.get_value((r, 1)).map(|d| d.to_string());
    assert_eq!(fact(0).as_deref(), Some("newsletter"));
    assert_eq!(
        fact(1).as_deref(),
        Some("Newsletter <Bürgerbeteiligung> & mehr")
    );
    assert_eq!(fact(2).as_deref(), Some("Version 1"));
    assert_eq!(fact(4).as_deref(), Some("api"));
    let row = csv.split("\r\n").nth(1).expect("a row");
    assert!(
        row.contains(";Erika@Example.de;Erika <b>Spam</b> Mustermann;Veranstaltungen;de;"),
        "{row}"
    );
    assert!(row.contains(CONSENT));

    // The welcome mail: an unsubscribe link and the one-click headers.
    let mails = mails_to(dir.path(), "Erika@Example.de", 2).await;
    let welcome = &mails[1];
    let unsubscribe = mail_path(welcome, "/v1/subscriptions/unsubscribe/");
    assert_eq!(
        welcome.header("List-Unsubscribe"),
        Some(format!("<{}{unsubscribe}>", c.url).as_str())
    );
    assert_eq!(
        welcome.header("List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );

    // The town's system got the subscriber, signed, with a link of its own to unsubscribe.
    let got = deliveries(&received, 1).await;
    let (headers, body) = &got[0];
    let raw = received.lock().expect("lock").got[0].1.clone();
    assert!(signed(headers, &raw), "signature of {raw}");
    assert_eq!(headers["mitmachen-event"], "subscribed");
    assert_eq!(body["email"], "Erika@Example.de");
    assert_eq!(
        body["lists"],
        json!([{"key": "termine", "name": "Veranstaltungen"}])
    );
    assert_eq!(body["consent"]["text"], CONSENT);
    assert!(body["unsubscribe_url"].as_str().is_some_and(|u| {
        u.contains("/v1/subscriptions/unsubscribe/") && !u.ends_with(&unsubscribe)
    }));

    // A mail client's one-click unsubscribe: one POST, no page visit.
    let res = client()
        .post(format!("{}{unsubscribe}", c.url))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("one-click");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(subscribers(&c, "newsletter", "all").await.is_empty());
    let got = deliveries(&received, 2).await;
    assert_eq!(got[1].0["mitmachen-event"], "unsubscribed");
    assert_eq!(got[1].1["email"], "Erika@Example.de");
    // Only a keyed hash is left of the address, nowhere the address itself.
    let hash = support::database::text(dir.path(), "SELECT address_hmac FROM suppressions");
    assert_eq!(hash.len(), 64);
    for table in ["subscriptions", "unsubscribe_tokens"] {
        let n = sql(dir.path(), &format!("SELECT count(*) FROM {table}"));
        assert_eq!(n, 0, "{table}");
    }
    // Delivered webhooks keep no personal data.
    eventually(
        dir.path(),
        "SELECT count(*) FROM webhook_queue WHERE payload IS NOT NULL OR email_key IS NOT NULL",
        0,
    )
    .await;
    let (status, _) = post(&c, &unsubscribe).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a used link is gone");
    let (status, _) = get(&c, &link).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "so is the confirmation");
}

/// The pages behind the links carry the town's name (the mail sender's), the request and a
/// link back only to a page of the town's own origins: a request could name any page, and
/// the town's page must not lead the address owner there.
#[tokio::test]
async fn the_pages_behind_the_links_show_the_request_and_only_the_towns_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let toml = format!(
        "{}\n[newsletters.mit-seite]\ntitle = \"Stadtnachrichten\"\npage_url = \"https://www.musterstadt.de/newsletter\"\n",
        config(None)
    );
    let outbox = outbox(dir.path());
    let c = Collector::start_with_config(
        dir.path(),
        &toml,
        &[
            ("MITMACHEN_ADMIN_TOKEN", TOKEN),
            (
                "MITMACHEN_MAIL_OUTBOX",
                outbox.to_str().expect("utf-8 path"),
            ),
            (
                "MITMACHEN_MAIL_FROM",
                "\"Stadt Muster & <Söhne>\" <beteiligung@musterstadt.de>",
            ),
        ],
    );
    let mut foreign = request("erika@example.de", &[]);
    foreign["page"] = json!("https://evil.example/phish");
    foreign["lang"] = json!("en");
    subscribe(&c, "mit-seite", 1, &foreign).await;
    let mail = &mails_to(dir.path(), "erika@example.de", 1).await[0];
    let link = mail_path(mail, "/v1/subscriptions/confirm/");
    let (status, page) = get(&c, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<header>\n<p>Stadt Muster &amp; &lt;Söhne&gt;</p>"),
        "{page}"
    );
    assert!(page.contains(
        "<title>Confirm your newsletter subscription – Stadt Muster &amp; &lt;Söhne&gt;</title>"
    ));
    assert!(page.contains("<dt>E-mail address</dt><dd>erika@example.de</dd>"));
    assert!(!page.contains("evil.example"), "{page}");
    assert!(page.contains(
        "<a href=\"https://www.musterstadt.de/newsletter\">To the newsletter's page</a>"
    ));
    let (_, done) = post(&c, &link).await;
    assert!(done.contains("Your subscription is confirmed") && !done.contains("evil.example"));

    // Without a page of its own and from a foreign page: no link at all.
    subscribe(&c, "einfach", 2, &{
        let mut r = foreign.clone();
        r["email"] = json!("max@example.de");
        r
    })
    .await;
    let mail = &mails_to(dir.path(), "max@example.de", 1).await[0];
    let (_, page) = get(&c, &mail_path(mail, "/v1/subscriptions/confirm/")).await;
    assert!(!page.contains("<a "), "{page}");

    // Unsubscribing: the page names the address; once done, the address is gone from it too.
    let welcome = &mails_to(dir.path(), "erika@example.de", 2).await[1];
    let unsubscribe = mail_path(welcome, "/v1/subscriptions/unsubscribe/");
    let (_, page) = get(&c, &unsubscribe).await;
    assert!(page.contains("<dd>erika@example.de</dd>") && page.contains("Stadtnachrichten"));
    assert!(page.contains("<button type=\"submit\">Unsubscribe</button>"));
    let (_, done) = post(&c, &unsubscribe).await;
    assert!(done.contains("You have unsubscribed") && !done.contains("erika@example.de"));
}

#[tokio::test]
async fn requests_are_checked_against_the_declaration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), &config(None));
    problem(
        submit(&c, "unbekannt", 1, &request("a@example.de", &[])).await,
        404,
        "unknown-newsletter",
    )
    .await;
    let p = problem(
        submit(&c, "newsletter", 2, &request("a@example.de", &["sport"])).await,
        422,
        "invalid-submission",
    )
    .await;
    assert_eq!(p.errors[0].pointer, "/lists");
    assert!(
        p.errors[0].detail.contains("beteiligung, termine"),
        "{}",
        p.detail
    );
    let p = problem(
        submit(&c, "newsletter", 3, &request("a@example.de", &[])).await,
        422,
        "invalid-submission",
    )
    .await;
    assert_eq!(p.errors[0].pointer, "/lists");
    let mut bad = request("kein-at", &[]);
    bad["page"] = json!("javascript:alert(1)");
    let p = problem(
        submit(&c, "einfach", 4, &bad).await,
        422,
        "invalid-submission",
    )
    .await;
    let pointers: Vec<&str> = p.errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(pointers, ["/email", "/page"]);
    // A newsletter without lists takes a request without lists.
    subscribe(&c, "einfach", 5, &request("b@example.de", &[])).await;
    // A honeypot request is answered alike and stores and mails nothing.
    let mut bot = request("bot@example.de", &[]);
    bot["honeypot"] = json!("http://spam.example");
    subscribe(&c, "einfach", 6, &bot).await;
    mails_to(dir.path(), "b@example.de", 1).await;
    assert_eq!(subscribers(&c, "einfach", "all").await.len(), 1);
    assert!(
        read_mails(dir.path())
            .iter()
            .all(|m| !m.to.contains("bot@"))
    );
    // The same key and body: the same receipt, one request.
    let first = subscribe(&c, "einfach", 5, &request("b@example.de", &[])).await;
    let again = subscribe(&c, "einfach", 5, &request("b@example.de", &[])).await;
    assert_eq!(first, again);
    assert_eq!(subscribers(&c, "einfach", "all").await.len(), 1);
}

#[tokio::test]
async fn a_known_address_gets_a_note_and_the_browser_cannot_tell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), &config(None));
    let first = subscribe(&c, "newsletter", 1, &request("k@example.de", &["termine"])).await;
    let link = mail_path(
        &mails_to(dir.path(), "k@example.de", 1).await[0],
        "/v1/subscriptions/confirm/",
    );
    post(&c, &link).await;
    mails_to(dir.path(), "k@example.de", 2).await;
    // Again for the same list: a receipt like any other, no new request, a note by mail.
    let second = subscribe(&c, "newsletter", 2, &request("K@example.de", &["termine"])).await;
    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    assert_eq!(keys(&first), keys(&second));
    // It goes to the address as confirmed, not as typed this time.
    let note = &mails_to(dir.path(), "k@example.de", 3).await[2];
    assert!(note.header("List-Unsubscribe").is_some());
    mail_path(note, "/v1/subscriptions/unsubscribe/");
    assert_eq!(subscribers(&c, "newsletter", "all").await.len(), 1);
    // For a list not yet subscribed: a new confirmation, and both are proven separately.
    subscribe(
        &c,
        "newsletter",
        3,
        &request("k@example.de", &["beteiligung"]),
    )
    .await;
    let mails = mails_to(dir.path(), "k@example.de", 4).await;
    let second_link = mail_path(&mails[3], "/v1/subscriptions/confirm/");
    post(&c, &second_link).await;
    let confirmed = subscribers(&c, "newsletter", "confirmed").await;
    assert_eq!(confirmed.len(), 2);
    assert_eq!(confirmed[1]["lists"], json!(["beteiligung"]));
}

#[tokio::test]
async fn links_expire_and_unconfirmed_requests_are_deleted() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let c = start(dir.path(), &config(None));
        subscribe(&c, "newsletter", 1, &request("x@example.de", &["termine"])).await;
        subscribe(&c, "newsletter", 2, &request("y@example.de", &["termine"])).await;
        let link = mail_path(
            &mails_to(dir.path(), "x@example.de", 1).await[0],
            "/v1/subscriptions/confirm/",
        );
        // 48 hours later, as far as the link knows.
        execute(
            dir.path(),
            "UPDATE subscriptions SET confirm_expires_ms = 0 WHERE email_key = 'x@example.de'",
        );
        let (status, page) = get(&c, &link).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("abgelaufen") && !page.contains("<form"));
        let (_, page) = post(&c, &link).await;
        assert!(page.contains("abgelaufen"));
        assert!(subscribers(&c, "newsletter", "confirmed").await.is_empty());
        // Seven days later: the purge (at start and hourly) deletes the unconfirmed request.
        execute(
            dir.path(),
            "UPDATE subscriptions SET purge_at_ms = 0 WHERE email_key = 'x@example.de'",
        );
    }
    let c = start(dir.path(), &config(None));
    let mut left = Vec::new();
    for _ in 0..50 {
        left = subscribers(&c, "newsletter", "all").await;
        if left.len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["email"], "y@example.de");
    let mails: i64 = sql(dir.path(), "SELECT count(*) FROM mail_queue");
    assert_eq!(mails, 1, "the deleted request's mail went with it");
}

#[tokio::test]
async fn the_form_is_never_a_mail_cannon() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), &config(None));
    // One address, many requests (all from this one client): three mails a day.
    for n in 0..6 {
        subscribe(&c, "einfach", n, &request("opfer@example.de", &[])).await;
    }
    // Other addresses from the same client: ten mails a day in all.
    for n in 0..10 {
        subscribe(
            &c,
            "einfach",
            100 + n,
            &request(&format!("p{n}@example.de"), &[]),
        )
        .await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mails = read_mails(dir.path());
    let to_victim = mails.iter().filter(|m| m.to.contains("opfer@")).count();
    assert_eq!(to_victim, 3);
    assert_eq!(mails.len(), 10, "the client's limit");
    let pending: i64 = sql(dir.path(), "SELECT count(*) FROM subscriptions");
    assert_eq!(pending, 10);
}

#[tokio::test]
async fn erasure_removes_an_address_everywhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), &config(None));
    subscribe(
        &c,
        "newsletter",
        1,
        &request("weg@example.de", &["termine"]),
    )
    .await;
    subscribe(&c, "einfach", 2, &request("WEG@example.de", &[])).await;
    let reg = |email: &str| json!({"kind": "registration", "name": "N", "email": email});
    let seat = submit(&c, "klein", 3, &reg("weg@example.de")).await;
    assert_eq!(seat.status(), StatusCode::CREATED);
    let waiting: Value = submit(&c, "klein", 4, &reg("bleibt@example.de"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(waiting["placement"], "waiting_list");
    mails_to(dir.path(), "bleibt@example.de", 1).await;

    // The access report (Art. 15) lists all of it, whatever the case of the address typed.
    let url = c.url.clone();
    let access = |email: &'static str| {
        let url = url.clone();
        async move {
            let res = client()
                .post(format!("{url}/v1/admin/access-report"))
                .bearer_auth(TOKEN)
                .json(&json!({ "email": email }))
                .send()
                .await
                .expect("report");
            assert_eq!(res.status(), StatusCode::OK);
            assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
            res.json::<Value>().await.expect("json")
        }
    };
    let report = access("weg@EXAMPLE.de").await;
    assert_eq!(report["email"], "weg@EXAMPLE.de");
    let registrations = report["registrations"].as_array().expect("list");
    assert_eq!(registrations.len(), 1, "{report}");
    assert_eq!(registrations[0]["widget"], "klein");
    assert_eq!(registrations[0]["status"], "seat");
    let subscriptions = report["subscriptions"].as_array().expect("list");
    assert_eq!(subscriptions.len(), 2, "{report}");
    assert_eq!(subscriptions[0]["consent"]["text"], CONSENT);
    assert_eq!(subscriptions[0]["lists"], json!(["termine"]));
    assert_eq!(subscriptions[1]["email"], "WEG@example.de");
    // Two confirmation requests and the seat's mail; no link or token of theirs.
    let mails = report["mails"].as_array().expect("list");
    assert_eq!(mails.len(), 3, "{report}");
    assert!(!report.to_string().contains("token"), "{report}");
    assert!(
        report["not_linked"]
            .as_str()
            .is_some_and(|t| t.contains("Abstimmungen"))
    );
    // Recorded without the address.
    let audit: Value = client()
        .get(format!("{}/v1/admin/audit-log?action=access-report", c.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    let entries = audit["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{audit}");
    assert_eq!(
        entries[0]["detail"],
        "1 registrations, 2 subscriptions, 3 mails"
    );
    assert!(
        !audit.to_string().to_lowercase().contains("weg@"),
        "{audit}"
    );

    let erase = |email: &'static str| {
        let url = url.clone();
        async move {
            client()
                .post(format!("{url}/v1/admin/erasure"))
                .bearer_auth(TOKEN)
                .json(&json!({ "email": email }))
                .send()
                .await
                .expect("erase")
        }
    };
    let res = erase("Weg@Example.de").await;
    assert_eq!(res.status(), StatusCode::OK);
    let report: Value = res.json().await.expect("json");
    assert_eq!(report["erased"]["subscriptions"], 2);
    assert_eq!(report["erased"]["registrations"], 1);
    assert_eq!(report["erased"]["promoted"], 1);
    for query in [
        "SELECT count(*) FROM subscriptions",
        "SELECT count(*) FROM registrations WHERE email_key = 'weg@example.de'",
        "SELECT count(*) FROM mail_queue q LEFT JOIN registrations r ON r.id = q.registration
         WHERE q.subscription IS NOT NULL OR r.email_key = 'weg@example.de'",
    ] {
        let n: i64 = sql(dir.path(), query);
        assert_eq!(n, 0, "{query}");
    }
    // The seat went to the waiting list, who is told.
    let mails = mails_to(dir.path(), "bleibt@example.de", 2).await;
    assert!(mails[1].subject.contains("Platz"), "{}", mails[1].subject);
    // The report after the erasure: nothing left.
    let after = access("weg@example.de").await;
    for list in ["registrations", "subscriptions", "mails", "suppressions"] {
        assert_eq!(after[list], json!([]), "{after}");
    }
    assert_eq!(after["unsubscribe_links"], 0);
    let res = erase("nicht-da@example.de").await;
    let report: Value = res.json().await.expect("json");
    assert_eq!(report["erased"]["subscriptions"], 0);
    let res = client()
        .post(format!("{}/v1/admin/erasure", c.url))
        .bearer_auth(TOKEN)
        .json(&json!({ "email": "kein-at" }))
        .send()
        .await
        .expect("erase");
    problem(res, 400, "bad-query").await;
    let res = client()
        .post(format!("{}/v1/admin/erasure", c.url))
        .json(&json!({ "email": "weg@example.de" }))
        .send()
        .await
        .expect("erase");
    problem(res, 401, "unauthorized").await;
}

#[tokio::test]
async fn webhook_failures_are_retried_or_given_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (hook, received) = receiver().await;
    received.lock().expect("lock").answers = vec![503, 400];
    let c = start(dir.path(), &config(Some(&hook)));
    for (n, email) in ["r1@example.de", "r2@example.de"].into_iter().enumerate() {
        subscribe(&c, "newsletter", n, &request(email, &["termine"])).await;
        let link = mail_path(
            &mails_to(dir.path(), email, 1).await[0],
            "/v1/subscriptions/confirm/",
        );
        post(&c, &link).await;
        deliveries(&received, n + 1).await;
    }
    // The second was 400: the receiver refused it; given up, its personal data dropped.
    eventually(
        dir.path(),
        "SELECT count(*) FROM webhook_queue WHERE id = 2 AND failed_at IS NOT NULL AND payload IS NULL",
        1,
    )
    .await;
    // The first answer was 503: tried again later, with its data kept until then.
    let retry: (i64, String) = {
        let rows = support::database::rows(
            dir.path(),
            "SELECT next_attempt_ms, last_error FROM webhook_queue WHERE id = 1",
        );
        let row = rows.first().expect("row");
        (row.int(0).expect("ms"), row.text(1).expect("error"))
    };
    assert!(retry.1.contains("503") && retry.0 > 0, "{retry:?}");
    // When the retry is due, the next round delivers it.
    execute(
        dir.path(),
        "UPDATE webhook_queue SET next_attempt_ms = 0 WHERE id = 1",
    );
    let got = deliveries(&received, 3).await;
    assert_eq!(got[2].1["email"], "r1@example.de");
    assert_eq!(got[2].1["delivery"], 1);
    eventually(
        dir.path(),
        "SELECT count(*) FROM webhook_queue WHERE id = 1 AND sent_at IS NOT NULL",
        1,
    )
    .await;
}
