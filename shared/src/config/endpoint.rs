//! The endpoint URL a widget posts to, validated before any request is made.

use std::fmt;

/// An `http:` or `https:` base URL without credentials, query or fragment, stored without a
/// trailing slash so that protocol paths can be appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointProblem {
    NotHttp,
    NoHost,
    Credentials,
    QueryOrFragment,
    BadCharacter,
}

impl Endpoint {
    pub fn parse(raw: &str) -> Result<Endpoint, EndpointProblem> {
        let value = crate::text::keyword(raw);
        let lower = value.to_ascii_lowercase();
        let scheme_len = if lower.starts_with("https://") {
            8
        } else if lower.starts_with("http://") {
            7
        } else {
            return Err(EndpointProblem::NotHttp);
        };
        if value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '\\' | '"' | '<' | '>'))
        {
            return Err(EndpointProblem::BadCharacter);
        }
        if value.contains(['?', '#']) {
            return Err(EndpointProblem::QueryOrFragment);
        }
        let rest = &value[scheme_len..];
        let authority = rest.split('/').next().unwrap_or_default();
        // Bytes, not `contains('@')`: that one links the string searcher into the bundle for
        // its (here dead) non-ASCII case.
        if authority.bytes().any(|b| b == b'@') {
            return Err(EndpointProblem::Credentials);
        }
        let host = authority.rsplit_once(':').map_or(authority, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) && !h.ends_with(':') {
                h
            } else {
                authority
            }
        });
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| crate::text::is_name_char(c) || matches!(c, '[' | ']' | ':'));
        if !host_ok {
            return Err(EndpointProblem::NoHost);
        }
        // Scheme lowercased, the rest as written.
        let normalised = format!("{}{}", &lower[..scheme_len], rest.trim_end_matches('/'));
        Ok(Endpoint(normalised))
    }

    /// The URL of a protocol path such as `/v1/widgets/x/results`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_bases() {
        let e = Endpoint::parse("https://beteiligung.musterstadt.de/mitmachen/").expect("valid");
        assert_eq!(
            e.url("/v1/x"),
            "https://beteiligung.musterstadt.de/mitmachen/v1/x"
        );
        assert_eq!(
            Endpoint::parse("HTTP://127.0.0.1:8080")
                .expect("valid")
                .as_str(),
            "http://127.0.0.1:8080"
        );
        assert!(Endpoint::parse("http://[::1]:8080").is_ok());
        assert!(Endpoint::parse("\u{201e}https://example.org\u{201c}").is_ok());
    }

    #[test]
    fn refuses_other_schemes_and_tricks() {
        use EndpointProblem::*;
        assert_eq!(Endpoint::parse("javascript:alert(1)"), Err(NotHttp));
        assert_eq!(Endpoint::parse("//example.org"), Err(NotHttp));
        assert_eq!(Endpoint::parse("ftp://example.org"), Err(NotHttp));
        assert_eq!(Endpoint::parse("data:text/html,hi"), Err(NotHttp));
        assert_eq!(Endpoint::parse("https://"), Err(NoHost));
        assert_eq!(Endpoint::parse("https:///path"), Err(NoHost));
        assert_eq!(
            Endpoint::parse("https://user:pw@example.org"),
            Err(Credentials)
        );
        assert_eq!(
            Endpoint::parse("https://example.org/?a=1"),
            Err(QueryOrFragment)
        );
        assert_eq!(
            Endpoint::parse("https://example.org/#x"),
            Err(QueryOrFragment)
        );
        assert_eq!(Endpoint::parse("https://exa mple.org"), Err(BadCharacter));
        assert_eq!(
            Endpoint::parse("https://example.org\\@evil"),
            Err(BadCharacter)
        );
    }
}
