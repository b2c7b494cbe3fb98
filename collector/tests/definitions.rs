//! Widget definitions over real HTTP against the real binary (SQLite, and PostgreSQL with
//! `MITMACHEN_TEST_DATABASE=postgres`): the configuration file imported at start and read-only,
//! PUT and GET in one shape with versions and `If-Match`, validation by the widgets' own
//! parser, the public definition with its ETag, and a change that applies without a restart.

mod support;

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use std::path::Path;
use support::{Collector, ORIGIN, client, problem, submit};

const TOKEN: &str = "test-admin-token-0123456789abcdef0123";

const CONFIG: &str = r#"
[events.versammlung]
title = "Bürgerversammlung"
start = "2030-03-12T18:00:00Z"
place = "Rathaus, Saal 1"
capacity = 3
page_url = "https://www.musterstadt.de/versammlung"
"#;

fn start(dir: &Path, toml: &str) -> Collector {
    Collector::start_with_config(dir, toml, &[("MITMACHEN_ADMIN_TOKEN", TOKEN)])
}

fn get(c: &Collector, path: &str) -> reqwest::RequestBuilder {
    client().get(format!("{}{path}", c.url)).bearer_auth(TOKEN)
}

fn put(c: &Collector, id: &str, body: &Value) -> reqwest::RequestBuilder {
    client()
        .put(format!("{}/v1/admin/widgets/{id}", c.url))
        .bearer_auth(TOKEN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
}

async fn json_of(req: reqwest::RequestBuilder, status: StatusCode) -> (Value, String) {
    let res = req.send().await.expect("request");
    assert_eq!(res.status(), status, "{:?}", res.text().await);
    let etag = res
        .headers()
        .get(header::ETAG)
        .map(|v| v.to_str().expect("ascii").to_owned())
        .unwrap_or_default();
    (res.json().await.expect("json"), etag)
}

fn poll() -> Value {
    json!({
        "kind": "poll",
        "attributes": {"data-question": "Wie soll der Platz heißen?", "data-max-choices": "1"},
        "items": [{"text": "Marktplatz", "key": "markt"}, {"text": "Lindenplatz"}]
    })
}

#[tokio::test]
async fn the_configuration_file_is_imported_and_read_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), CONFIG);
    let (event, etag) = json_of(get(&c, "/v1/admin/widgets/versammlung"), StatusCode::OK).await;
    assert_eq!(etag, "\"v1\"");
    assert_eq!(event["kind"], "event");
    assert_eq!(event["origin"], "file");
    assert_eq!(event["status"], "active");
    assert_eq!(event["version"], 1);
    assert_eq!(event["changed_by"], "configuration file");
    assert_eq!(event["attributes"]["data-title"], "Bürgerversammlung");
    assert_eq!(event["attributes"]["data-capacity"], "3");
    assert_eq!(
        event["settings"]["page_url"],
        "https://www.musterstadt.de/versammlung"
    );

    // Changed only in the file: the API refuses, a copy under another id is a new widget.
    problem(
        put(&c, "versammlung", &event).send().await.expect("put"),
        409,
        "read-only",
    )
    .await;
    let (copy, _) = json_of(put(&c, "versammlung-2", &event), StatusCode::CREATED).await;
    assert_eq!(
        (copy["origin"].as_str(), copy["version"].as_i64()),
        (Some("api"), Some(1))
    );
    assert_eq!(copy["attributes"], event["attributes"]);
    drop(c);

    // The same file again: nothing new. A changed file: a new version.
    let c = start(dir.path(), CONFIG);
    let (again, _) = json_of(get(&c, "/v1/admin/widgets/versammlung"), StatusCode::OK).await;
    assert_eq!(again["version"], 1);
    drop(c);
    let c = start(dir.path(), &CONFIG.replace("capacity = 3", "capacity = 5"));
    let (changed, _) = json_of(get(&c, "/v1/admin/widgets/versammlung"), StatusCode::OK).await;
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["attributes"]["data-capacity"], "5");
    let (versions, _) = json_of(
        get(&c, "/v1/admin/widgets/versammlung/versions"),
        StatusCode::OK,
    )
    .await;
    let numbers: Vec<i64> = versions
        .as_array()
        .expect("list")
        .iter()
        .map(|v| v["version"].as_i64().expect("number"))
        .collect();
    assert_eq!(numbers, [2, 1]);
    drop(c);

    // Gone from the file: discarded, not left read-only and taking registrations.
    let c = start(dir.path(), "");
    problem(
        get(&c, "/v1/admin/widgets/versammlung")
            .send()
            .await
            .expect("get"),
        404,
        "not-found",
    )
    .await;
    let (versions, _) = json_of(
        get(&c, "/v1/admin/widgets/versammlung/versions"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(versions[0]["status"], "discarded");
    let registration =
        json!({"kind": "registration", "name": "Eva", "email": "eva@example.de", "persons": 1});
    problem(
        submit(&c, "versammlung", 1, &registration).await,
        404,
        "unknown-event",
    )
    .await;
}

#[tokio::test]
async fn put_and_get_round_trip_with_versions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), "");
    let missing = get(&c, "/v1/admin/widgets/platzname")
        .send()
        .await
        .expect("get");
    problem(missing, 404, "not-found").await;

    let (created, etag) = json_of(put(&c, "platzname", &poll()), StatusCode::CREATED).await;
    assert_eq!(etag, "\"v1\"");
    assert_eq!(created["id"], "platzname");
    assert_eq!(created["origin"], "api");
    assert_eq!(created["changed_by"], "api");

    // What GET answers goes back as it is: no new version.
    let (read, _) = json_of(get(&c, "/v1/admin/widgets/platzname"), StatusCode::OK).await;
    assert_eq!(read, created);
    let (same, _) = json_of(put(&c, "platzname", &read), StatusCode::OK).await;
    assert_eq!(same["version"], 1);

    // A change with If-Match of the version it was made on; a second one on the old version
    // is refused, and nothing changes.
    let mut changed = read.clone();
    changed["attributes"]["data-max-choices"] = json!("2");
    let (v2, etag) = json_of(
        put(&c, "platzname", &changed).header(header::IF_MATCH, "\"v1\""),
        StatusCode::OK,
    )
    .await;
    assert_eq!((v2["version"].as_i64(), etag.as_str()), (Some(2), "\"v2\""));
    let mut stale = read.clone();
    stale["attributes"]["data-question"] = json!("Veraltet?");
    let conflict = put(&c, "platzname", &stale)
        .header(header::IF_MATCH, "\"v1\"")
        .send()
        .await
        .expect("put");
    problem(conflict, 412, "version-conflict").await;
    let (now, _) = json_of(get(&c, "/v1/admin/widgets/platzname"), StatusCode::OK).await;
    assert_eq!(
        now["attributes"]["data-question"],
        "Wie soll der Platz heißen?"
    );

    let (all, _) = json_of(get(&c, "/v1/admin/widgets"), StatusCode::OK).await;
    assert_eq!(all.as_array().map(Vec::len), Some(1));

    // Discarded: gone, its versions kept; made again, its numbers go on.
    let delete = || {
        client()
            .delete(format!("{}/v1/admin/widgets/platzname", c.url))
            .bearer_auth(TOKEN)
            .send()
    };
    assert_eq!(
        delete().await.expect("delete").status(),
        StatusCode::NO_CONTENT
    );
    problem(delete().await.expect("delete"), 404, "not-found").await;
    problem(
        get(&c, "/v1/admin/widgets/platzname")
            .send()
            .await
            .expect("get"),
        404,
        "not-found",
    )
    .await;
    let (again, _) = json_of(put(&c, "platzname", &poll()), StatusCode::CREATED).await;
    assert_eq!(again["version"], 4);
    let (versions, _) = json_of(
        get(&c, "/v1/admin/widgets/platzname/versions"),
        StatusCode::OK,
    )
    .await;
    let statuses: Vec<&str> = versions
        .as_array()
        .expect("list")
        .iter()
        .map(|v| v["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["active", "discarded", "active", "active"]);
}

#[tokio::test]
async fn a_definition_is_checked_by_the_widgets_parser() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), "");
    let mut bad = poll();
    bad["attributes"]["data-max-choices"] = json!("7");
    bad["attributes"]["data-colour"] = json!("rot");
    bad["settings"] = json!({"moderation": "pre"});
    let p = problem(
        put(&c, "platzname", &bad).send().await.expect("put"),
        422,
        "invalid-definition",
    )
    .await;
    let pointers: Vec<&str> = p.errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/settings/moderation",
            "/attributes/data-colour",
            "/attributes/data-max-choices"
        ],
        "{p:?}"
    );
    // A poll needs two answers; broken JSON and unknown fields are told apart.
    let one =
        json!({"kind": "poll", "attributes": {"data-question": "Ja?"}, "items": [{"text": "Ja"}]});
    let p = problem(
        put(&c, "platzname", &one).send().await.expect("put"),
        422,
        "invalid-definition",
    )
    .await;
    assert_eq!(p.errors[0].pointer, "/items");
    let unknown = json!({"kind": "poll", "colour": "rot"});
    let p = problem(
        put(&c, "platzname", &unknown).send().await.expect("put"),
        422,
        "invalid-definition",
    )
    .await;
    assert_eq!(p.errors[0].pointer, "/colour");
    let broken = client()
        .put(format!("{}/v1/admin/widgets/platzname", c.url))
        .bearer_auth(TOKEN)
        .body("{\"kind\": ")
        .send()
        .await
        .expect("put");
    problem(broken, 400, "malformed-json").await;
    problem(
        get(&c, "/v1/admin/widgets/platzname")
            .send()
            .await
            .expect("get"),
        404,
        "not-found",
    )
    .await;
    // Without the token: nothing.
    let anonymous = client()
        .put(format!("{}/v1/admin/widgets/platzname", c.url))
        .body(poll().to_string())
        .send()
        .await
        .expect("put");
    problem(anonymous, 401, "unauthorized").await;
}

#[tokio::test]
async fn the_public_definition_is_cached_with_its_etag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), "");
    let public = |etag: Option<&str>| {
        let mut req = client()
            .get(format!("{}/v1/widgets/platzname", c.url))
            .header(header::ORIGIN, ORIGIN);
        if let Some(etag) = etag {
            req = req.header(header::IF_NONE_MATCH, etag);
        }
        req.send()
    };
    // No definition: nothing to lay over the page, said without an error.
    let none = public(None).await.expect("get");
    assert_eq!(none.status(), StatusCode::NO_CONTENT);
    let mut closing = poll();
    closing["attributes"]["data-closes"] = json!("2020-01-01T00:00:00Z");
    closing["settings"] = json!({});
    json_of(put(&c, "platzname", &poll()), StatusCode::CREATED).await;

    let res = public(None).await.expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache");
    assert_eq!(res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    let etag = res.headers()[header::ETAG]
        .to_str()
        .expect("etag")
        .to_owned();
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["id"], "platzname");
    assert_eq!(body["state"], "open");
    assert_eq!(body["version"], 1);
    assert_eq!(body["items"][0]["key"], "markt");
    assert!(body.get("settings").is_none() && body.get("changed_by").is_none());
    let unchanged = public(Some(&etag)).await.expect("get");
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    // Closed since 2020: a new version, a new tag, and submissions refused at once.
    json_of(put(&c, "platzname", &closing), StatusCode::OK).await;
    let res = public(Some(&etag)).await.expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    assert_ne!(res.headers()[header::ETAG].to_str().expect("etag"), etag);
    assert_eq!(res.json::<Value>().await.expect("json")["state"], "closed");
    let vote = submit(
        &c,
        "platzname",
        1,
        &json!({"kind": "poll", "choices": ["markt"]}),
    )
    .await;
    problem(vote, 422, "closed").await;
}

#[tokio::test]
async fn submissions_are_held_to_the_stored_definition_and_changes_apply_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), CONFIG);
    json_of(put(&c, "platzname", &poll()), StatusCode::CREATED).await;
    let vote = |choice: &str| json!({"kind": "poll", "choices": [choice]});
    let ok = submit(&c, "platzname", 1, &vote("markt")).await;
    assert_eq!(ok.status(), StatusCode::CREATED);
    let p = problem(
        submit(&c, "platzname", 2, &vote("rathausplatz")).await,
        422,
        "invalid-submission",
    )
    .await;
    assert_eq!(p.errors[0].pointer, "/choices/0");

    // The file's event has 3 seats; a copy with 4 takes a fourth registration without a
    // restart.
    let person = |n: usize| {
        json!({"kind": "registration", "name": format!("Person {n}"),
               "email": format!("p{n}@example.de"), "persons": 1})
    };
    let (event, _) = json_of(get(&c, "/v1/admin/widgets/versammlung"), StatusCode::OK).await;
    let mut copy = event.clone();
    copy["attributes"]["data-capacity"] = json!("1");
    copy["attributes"]["data-waiting-list"] = json!("off");
    json_of(put(&c, "versammlung-klein", &copy), StatusCode::CREATED).await;
    let first = submit(&c, "versammlung-klein", 10, &person(10)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    problem(
        submit(&c, "versammlung-klein", 11, &person(11)).await,
        409,
        "event-full",
    )
    .await;
    copy["attributes"]["data-capacity"] = json!("2");
    json_of(put(&c, "versammlung-klein", &copy), StatusCode::OK).await;
    let second = submit(&c, "versammlung-klein", 11, &person(11)).await;
    assert_eq!(second.status(), StatusCode::CREATED);
    let seats: Value = client()
        .get(format!("{}/v1/widgets/versammlung-klein/event", c.url))
        .header(header::ORIGIN, ORIGIN)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(seats["capacity"], 2, "{seats}");
}

/// What the widget sends when the collector holds no definition of its id.
fn sighting(page: &str) -> Value {
    json!({"page": page, "definition": poll()})
}

fn record(c: &Collector, id: &str, origin: Option<&str>, body: &Value) -> reqwest::RequestBuilder {
    let mut req = client()
        .post(format!("{}/v1/widgets/{id}/pages", c.url))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.to_string());
    if let Some(origin) = origin {
        req = req.header(header::ORIGIN, origin);
    }
    req
}

#[tokio::test]
async fn a_page_with_an_unknown_id_is_adopted_by_default() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = start(dir.path(), "");
    let page = format!("{ORIGIN}/rathaus");
    let (adopted, _) = json_of(
        record(
            &c,
            "platzname",
            Some(ORIGIN),
            &sighting(&format!("{page}?s=1#x")),
        ),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (adopted["state"].as_str(), adopted["version"].as_i64()),
        (Some("open"), Some(1))
    );
    // Not looked at by an editor: pages keep showing their own text.
    assert_eq!(adopted["reviewed"], false);
    let (stored, _) = json_of(get(&c, "/v1/admin/widgets/platzname"), StatusCode::OK).await;
    assert_eq!(stored["origin"], "page");
    assert_eq!(
        stored["changed_by"],
        page.as_str(),
        "query and fragment are not kept"
    );
    // Keys written out as the widgets made them from the texts.
    assert_eq!(
        stored["items"],
        json!([{"text": "Marktplatz", "key": "markt"}, {"text": "Lindenplatz", "key": "lindenplatz"}])
    );
    // Votes are held to it at once.
    let vote = submit(
        &c,
        "platzname",
        1,
        &json!({"kind": "poll", "choices": ["markt"]}),
    )
    .await;
    assert_eq!(vote.status(), StatusCode::CREATED);
    problem(
        submit(
            &c,
            "platzname",
            2,
            &json!({"kind": "poll", "choices": ["anders"]}),
        )
        .await,
        422,
        "invalid-submission",
    )
    .await;

    // Another page with other attributes changes nothing: the definition rules.
    let mut other = sighting(&format!("{ORIGIN}/presse"));
    other["definition"]["attributes"]["data-question"] = json!("Andere Frage?");
    let (kept, _) = json_of(
        record(&c, "platzname", Some(ORIGIN), &other),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        kept["attributes"]["data-question"],
        "Wie soll der Platz heißen?"
    );
    assert_eq!(kept["version"], 1);
    // Saved by an administrator: reviewed, laid over every page from now on.
    json_of(put(&c, "platzname", &stored), StatusCode::OK).await;
    let public: Value = client()
        .get(format!("{}/v1/widgets/platzname", c.url))
        .header(header::ORIGIN, ORIGIN)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (public["reviewed"].as_bool(), public["version"].as_i64()),
        (Some(true), Some(2))
    );

    // Only from an allowed page of its own origin, and only a widget that is one.
    problem(
        record(&c, "neu", None, &sighting(&page))
            .send()
            .await
            .expect("post"),
        403,
        "origin-not-allowed",
    )
    .await;
    problem(
        record(&c, "neu", Some("https://evil.example"), &sighting(&page))
            .send()
            .await
            .expect("post"),
        403,
        "origin-not-allowed",
    )
    .await;
    problem(
        record(&c, "neu", Some(ORIGIN), &sighting("https://evil.example/x"))
            .send()
            .await
            .expect("post"),
        422,
        "invalid-definition",
    )
    .await;
    let mut broken = sighting(&page);
    broken["definition"]["items"] = json!([]);
    let p = problem(
        record(&c, "neu", Some(ORIGIN), &broken)
            .send()
            .await
            .expect("post"),
        422,
        "invalid-definition",
    )
    .await;
    assert_eq!(p.errors[0].pointer, "/definition/items");
    problem(
        get(&c, "/v1/admin/widgets/neu").send().await.expect("get"),
        404,
        "not-found",
    )
    .await;
}

#[tokio::test]
async fn with_new_widgets_draft_a_page_waits_for_an_editor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start_with_config(
        dir.path(),
        "new_widgets = \"draft\"\n[widgets.mit-regeln]\nmax_choices = 1\n",
        &[("MITMACHEN_ADMIN_TOKEN", TOKEN)],
    );
    // Rules in the configuration file: the administrator set it up, it is no draft.
    let (ruled, _) = json_of(
        record(
            &c,
            "mit-regeln",
            Some(ORIGIN),
            &sighting(&format!("{ORIGIN}/rathaus")),
        ),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(ruled["state"], "open");
    let (draft, _) = json_of(
        record(
            &c,
            "platzname",
            Some(ORIGIN),
            &sighting(&format!("{ORIGIN}/rathaus")),
        ),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(draft["state"], "draft");
    let vote = json!({"kind": "poll", "choices": ["markt"]});
    problem(submit(&c, "platzname", 1, &vote).await, 409, "draft").await;
    // Nor does an id no page has recorded yet.
    problem(submit(&c, "noch-nie-gesehen", 1, &vote).await, 409, "draft").await;
    let (pages, _) = json_of(get(&c, "/v1/admin/widgets/platzname/pages"), StatusCode::OK).await;
    assert_eq!(pages[0]["page"], format!("{ORIGIN}/rathaus"));
    assert_eq!(pages[0]["definition"], poll());

    // Adopted: what was recorded, now active.
    let (stored, _) = json_of(get(&c, "/v1/admin/widgets/platzname"), StatusCode::OK).await;
    assert_eq!(stored["status"], "draft");
    let mut adopted = stored.clone();
    adopted["status"] = json!("active");
    json_of(put(&c, "platzname", &adopted), StatusCode::OK).await;
    assert_eq!(
        submit(&c, "platzname", 1, &vote).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn recorded_pages_are_bounded_per_origin_and_day() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Collector::start_with_config(
        dir.path(),
        "new_widgets = \"draft\"\n",
        &[
            ("MITMACHEN_ADMIN_TOKEN", TOKEN),
            ("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "0"),
        ],
    );
    for n in 0..100 {
        let res = record(
            &c,
            &format!("w-{n}"),
            Some(ORIGIN),
            &sighting(&format!("{ORIGIN}/p")),
        )
        .send()
        .await
        .expect("post");
        assert_eq!(res.status(), StatusCode::CREATED, "{n}");
    }
    let over = record(&c, "w-100", Some(ORIGIN), &sighting(&format!("{ORIGIN}/p")))
        .send()
        .await
        .expect("post");
    assert!(over.headers().contains_key(header::RETRY_AFTER));
    problem(over, 429, "rate-limited").await;
    problem(
        get(&c, "/v1/admin/widgets/w-100")
            .send()
            .await
            .expect("get"),
        404,
        "not-found",
    )
    .await;
}
