//! The console's check of a widget's privacy notice (`data-privacy`) against a town's server
//! started here on 127.0.0.1: 404 and 410 are found missing, a server without `HEAD` is asked
//! with `GET`, a redirect is an answer and is not followed, a closed port or a server that keeps
//! silent past the timeout is unreachable, and a host that is not an allowed origin is never
//! asked at all.

use axum::Router;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use mitmachen_collector::widgets::privacy_link::{Finding, TIMEOUT, check};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every request the server saw, as `METHOD /path`.
type Seen = Arc<Mutex<Vec<String>>>;

/// A town's web server: a few pages, each answering as a real one might.
async fn town_server() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = Router::new().fallback(move |method: Method, uri: Uri| {
        let log = log.clone();
        async move {
            log.lock()
                .expect("log")
                .push(format!("{method} {}", uri.path()));
            answer(&method, uri.path()).await
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (origin, seen)
}

async fn answer(method: &Method, path: &str) -> Response {
    let head = method == Method::HEAD;
    match path {
        "/datenschutz" => (StatusCode::OK, "Datenschutz").into_response(),
        "/alt" => StatusCode::GONE.into_response(),
        // A server that does not do HEAD.
        "/nur-get" if head => StatusCode::METHOD_NOT_ALLOWED.into_response(),
        "/nur-get" => (StatusCode::OK, "Datenschutz").into_response(),
        "/nur-get-fehlt" if head => StatusCode::METHOD_NOT_ALLOWED.into_response(),
        // Elsewhere: following it would ask a host that is not the town's.
        "/umgezogen" => (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, "http://192.0.2.1/datenschutz")],
        )
            .into_response(),
        "/langsam" => {
            tokio::time::sleep(TIMEOUT + Duration::from_secs(5)).await;
            StatusCode::OK.into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn missing(origin: &str, path: &str, status: u16) -> Finding {
    Finding::Missing {
        url: format!("{origin}{path}"),
        status,
    }
}

#[tokio::test]
async fn a_missing_or_unreachable_privacy_notice_is_found_on_allowed_origins_only() {
    let (town, seen) = town_server().await;
    let (other, other_seen) = town_server().await;
    let origins = vec![town.clone()];

    // There: nothing to say. A redirect is an answer, and is not followed.
    for fine in ["/datenschutz", "/nur-get", "/umgezogen"] {
        assert_eq!(check(fine, &origins).await, [], "{fine}");
    }
    assert_eq!(
        check(&format!("{town}/datenschutz#kontakt"), &origins).await,
        []
    );

    // Not there: 404 and 410, by HEAD or, where HEAD is not allowed, by GET.
    assert_eq!(
        check("/gibt-es-nicht", &origins).await,
        [missing(&town, "/gibt-es-nicht", 404)]
    );
    assert_eq!(
        check(&format!("{town}/alt"), &origins).await,
        [missing(&town, "/alt", 410)]
    );
    assert_eq!(
        check("/nur-get-fehlt", &origins).await,
        [missing(&town, "/nur-get-fehlt", 404)]
    );

    // A path from the root is asked on each allowed origin.
    let both = vec![town.clone(), other.clone()];
    assert_eq!(
        check("/nur-get-fehlt", &both).await,
        [
            missing(&town, "/nur-get-fehlt", 404),
            missing(&other, "/nur-get-fehlt", 404)
        ]
    );
    other_seen.lock().expect("log").clear();

    // Silent past the timeout, or nobody listening: unreachable, and the page does not wait long.
    let started = Instant::now();
    assert_eq!(
        check("/langsam", &origins).await,
        [Finding::Unreachable {
            url: format!("{town}/langsam")
        }]
    );
    assert!(started.elapsed() < TIMEOUT + Duration::from_secs(2));
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", listener.local_addr().expect("address"))
    };
    assert_eq!(
        check(
            &format!("{closed}/datenschutz"),
            std::slice::from_ref(&closed)
        )
        .await,
        [Finding::Unreachable {
            url: format!("{closed}/datenschutz")
        }]
    );

    // Another host, or one dressed up as the town's, is never asked: no SSRF through the check.
    for elsewhere in [
        format!("{other}/gibt-es-nicht"),
        format!("//{}/gibt-es-nicht", other.trim_start_matches("http://")),
        format!(
            "http://user@{}/gibt-es-nicht",
            town.trim_start_matches("http://")
        ),
        "gibt-es-nicht".to_owned(),
    ] {
        assert_eq!(check(&elsewhere, &origins).await, [], "{elsewhere}");
    }
    assert_eq!(check("/gibt-es-nicht", &[]).await, []);
    assert_eq!(*other_seen.lock().expect("log"), Vec::<String>::new());

    let asked = seen.lock().expect("log").clone();
    assert!(asked.contains(&"HEAD /datenschutz".to_owned()), "{asked:?}");
    assert!(asked.contains(&"GET /nur-get".to_owned()), "{asked:?}");
    assert!(
        !asked.iter().any(|r| r.starts_with("GET /datenschutz")),
        "GET only where HEAD is refused: {asked:?}"
    );
}
