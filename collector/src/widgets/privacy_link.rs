//! Whether the privacy notice a widget links to (`data-privacy`) is there: the console's widget
//! page asks the town's server with a `HEAD` request (`GET` where `HEAD` is not allowed) and
//! warns, without refusing anything, when it answers 404 or 410 or does not answer at all.
//!
//! Only addresses on the origins allowed for the widget are asked, never another host: what an
//! editor types must not make the collector probe addresses of its choosing (SSRF). No redirect
//! is followed (it could lead anywhere; a redirect counts as an answer), no cookie or credential
//! is sent, and each request ends after [`TIMEOUT`].

use crate::app::console::Lang;
use maud::{Markup, html};
use reqwest::{StatusCode, Url};
use std::sync::OnceLock;
use std::time::Duration;

/// Short: the console page waits for the answer.
pub const TIMEOUT: Duration = Duration::from_secs(3);
/// A path from the root is asked on at most this many allowed origins.
const MAX_ORIGINS: usize = 3;

/// What is wrong with the privacy notice's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The server answered 404 or 410.
    Missing { url: String, status: u16 },
    /// No connection, or no answer within [`TIMEOUT`].
    Unreachable { url: String },
}

/// The client for these checks, made once: no redirects, a short timeout.
fn client() -> Option<&'static reqwest::Client> {
    static CLIENT: OnceLock<Option<reqwest::Client>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(TIMEOUT)
                .user_agent(concat!(
                    "mitmachen-collector/",
                    env!("CARGO_PKG_VERSION"),
                    " (privacy link check)"
                ))
                .build()
                .inspect_err(|e| tracing::warn!(error = %e, "no client for the privacy link check"))
                .ok()
        })
        .as_ref()
}

/// The origin of `url` as `normalise_origin` writes the allowed ones.
fn origin(url: &Url) -> Option<String> {
    crate::config::normalise_origin(&url.origin().ascii_serialization()).ok()
}

/// The addresses to ask for `privacy` as the widget's pages would resolve it, on `origins` (the
/// widget's allowed ones) only: an absolute address if it lies on one of them, a path from the
/// root on each of them (at most [`MAX_ORIGINS`]). A path relative to the page, or an address
/// elsewhere, is not asked: the page is not known here, and other hosts are not ours to probe.
pub fn targets(privacy: &str, origins: &[String]) -> Vec<Url> {
    let privacy = privacy.trim();
    if privacy.is_empty() {
        return Vec::new();
    }
    let allowed = |url: &Url| {
        matches!(url.scheme(), "http" | "https")
            && url.username().is_empty()
            && url.password().is_none()
            && origin(url).is_some_and(|o| origins.contains(&o))
    };
    let mut out: Vec<Url> = match Url::parse(privacy) {
        Ok(url) => vec![url],
        Err(_) if privacy.starts_with('/') => origins
            .iter()
            .take(MAX_ORIGINS)
            .filter_map(|o| Url::parse(o).ok()?.join(privacy).ok())
            .collect(),
        Err(_) => Vec::new(),
    };
    // `//elsewhere/…` joined to an origin is another host: checked here, after resolving.
    out.retain(|url| allowed(url));
    for url in &mut out {
        url.set_fragment(None);
    }
    out.dedup();
    out
}

/// Asks for one address: `HEAD`, then `GET` if the server does not do `HEAD`.
async fn ask(client: &reqwest::Client, url: Url) -> Option<Finding> {
    let answer = match client.head(url.clone()).send().await {
        Ok(r)
            if matches!(
                r.status(),
                StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED
            ) =>
        {
            // Only the status is read; the body is dropped unread.
            client.get(url.clone()).send().await
        }
        other => other,
    };
    match answer {
        Ok(r) if matches!(r.status(), StatusCode::NOT_FOUND | StatusCode::GONE) => {
            Some(Finding::Missing {
                url: url.to_string(),
                status: r.status().as_u16(),
            })
        }
        Ok(_) => None,
        Err(_) => Some(Finding::Unreachable {
            url: url.to_string(),
        }),
    }
}

/// What is wrong with `privacy` on the widget's `origins` (see [`targets`]), in the order of
/// the addresses; empty when everything answered, or nothing was asked.
pub async fn check(privacy: &str, origins: &[String]) -> Vec<Finding> {
    let targets = targets(privacy, origins);
    let Some(client) = client().filter(|_| !targets.is_empty()) else {
        return Vec::new();
    };
    let mut asked = tokio::task::JoinSet::new();
    for (i, url) in targets.into_iter().enumerate() {
        asked.spawn(async move { (i, ask(client, url).await) });
    }
    let mut found: Vec<(usize, Finding)> = Vec::new();
    while let Some(done) = asked.join_next().await {
        if let Ok((i, Some(finding))) = done {
            found.push((i, finding));
        }
    }
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().map(|(_, f)| f).collect()
}

/// The console's warning: what answered how, what citizens would see, what to do. Not an
/// error: the definition is saved, and the page may be made later.
pub fn warning(lang: Lang, findings: &[Finding], field_link: bool) -> Markup {
    if findings.is_empty() {
        return html! {};
    }
    html! {
        div.warning #privacy-warning {
            h2 { (lang.t("Datenschutzhinweis nicht gefunden", "Privacy notice not found")) }
            @for finding in findings {
                p { (match (lang, finding) {
                    (Lang::De, Finding::Missing { url, status }) => format!(
                        "Die Adresse des Datenschutzhinweises (data-privacy) {url} antwortet „{status} – Seite nicht gefunden“."
                    ),
                    (Lang::En, Finding::Missing { url, status }) => format!(
                        "The privacy notice's address (data-privacy) {url} answers '{status} – page not found'."
                    ),
                    (Lang::De, Finding::Unreachable { url }) => format!(
                        "Die Adresse des Datenschutzhinweises (data-privacy) {url} war nicht erreichbar."
                    ),
                    (Lang::En, Finding::Unreachable { url }) => format!(
                        "The privacy notice's address (data-privacy) {url} could not be reached."
                    ),
                }) }
            }
            p { (lang.t(
                "Wer dem Link im Widget folgt, landet auf einer Fehlerseite statt bei den Hinweisen zum Datenschutz. Prüfen Sie die Adresse, oder legen Sie die Seite an. Gespeichert ist die Definition trotzdem.",
                "Whoever follows the widget's link lands on an error page instead of the privacy notice. Check the address, or create the page. The definition is saved all the same."
            )) }
            @if field_link {
                p { a href="#attr-data-privacy" { (lang.t("Zum Feld Datenschutzhinweis", "To the privacy notice field")) } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(privacy: &str, origins: &[&str]) -> Vec<String> {
        let origins: Vec<String> = origins.iter().map(|o| (*o).to_owned()).collect();
        targets(privacy, &origins)
            .iter()
            .map(Url::to_string)
            .collect()
    }

    #[test]
    fn only_the_widgets_own_origins_are_asked() {
        let town = [
            "https://www.musterstadt.de",
            "https://jugend.musterstadt.de",
        ];
        assert_eq!(
            shown("https://www.musterstadt.de/datenschutz#cookies", &town),
            ["https://www.musterstadt.de/datenschutz"]
        );
        assert_eq!(
            shown("/datenschutz", &town),
            [
                "https://www.musterstadt.de/datenschutz",
                "https://jugend.musterstadt.de/datenschutz"
            ]
        );
        for elsewhere in [
            "https://evil.example/datenschutz",
            "//evil.example/datenschutz",
            "https://www.musterstadt.de@evil.example/",
            "https://user:pw@www.musterstadt.de/datenschutz",
            "http://www.musterstadt.de/datenschutz",
            "http://127.0.0.1:22/",
            "file:///etc/passwd",
            "datenschutz.html",
            "",
        ] {
            assert!(shown(elsewhere, &town).is_empty(), "{elsewhere}");
        }
        assert!(
            shown("/datenschutz", &[]).is_empty(),
            "no origin, no request"
        );
    }
}
