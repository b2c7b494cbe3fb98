//! The audit log over real HTTP against the real binary (SQLite, and PostgreSQL with
//! `MITMACHEN_TEST_DATABASE=postgres`): widget changes, moderation decisions and erasures are
//! recorded with who did them (an erasure without the address), newest first; the chain of
//! hashes holds, and an entry edited in the database afterwards is found.

mod support;

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use support::database::execute;
use support::{Collector, client, problem, submit};

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
    for (n, title) in [(1, "Werbung für Dinge"), (2, "Mehr Bänke")] {
        let res = submit(
            &c,
            "ideen",
            n,
            &json!({"kind": "proposal", "title": title, "description": ""}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let proposals: Value = client()
        .get(format!("{}/v1/admin/widgets/ideen/proposals", c.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
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
    problem(
        client()
            .get(format!("{}/v1/admin/audit-log?action=nothing", c.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("get"),
        400,
        "bad-query",
    )
    .await;

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
