//! Origins and the public URL as the configuration writes them, normalised to what a browser
//! sends (`scheme://host[:port]`, default ports dropped, lowercase host).

use super::ConfigError;

pub(crate) fn normalise_origins(list: &[String], key: &str) -> Result<Vec<String>, ConfigError> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for raw in list {
        let origin = normalise_origin(raw).map_err(|m| ConfigError::new(key, m))?;
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    Ok(out)
}

/// `scheme://host[:port]` in the form browsers send in `Origin`: lowercase, no default port, no
/// trailing slash. Used for the configured lists and for incoming headers alike.
pub fn normalise_origin(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    let lower = trimmed.to_ascii_lowercase();
    let (scheme, rest) = lower
        .split_once("://")
        .ok_or_else(|| format!("'{trimmed}' is not an origin like https://www.musterstadt.de"))?;
    let default_port = match scheme {
        "http" => "80",
        "https" => "443",
        _ => {
            return Err(format!(
                "'{trimmed}': only http and https origins are possible"
            ));
        }
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['/', '?', '#', '@', '*']) || authority.chars().any(char::is_whitespace) {
        return Err(format!(
            "'{trimmed}' is not an origin: give scheme, host and port only (no path, no '*'), e.g. https://www.musterstadt.de"
        ));
    }
    let (host, port) =
        split_host_port(authority).ok_or_else(|| format!("'{trimmed}' has a bad host or port"))?;
    match port {
        Some(p) if p != default_port => Ok(format!("{scheme}://{host}:{p}")),
        _ => Ok(format!("{scheme}://{host}")),
    }
}

pub(crate) fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if authority.starts_with('[') {
        // IPv6 literal: [::1] or [::1]:8080
        let end = authority.find(']')?;
        let host = &authority[..=end];
        let rest = &authority[end + 1..];
        let port = if rest.is_empty() {
            None
        } else {
            Some(rest.strip_prefix(':')?)
        };
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let host_ok = if host.starts_with('[') {
        host[1..host.len() - 1]
            .parse::<std::net::Ipv6Addr>()
            .is_ok()
    } else {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !host.starts_with(['.', '-'])
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0) && !p.starts_with('0'));
    (host_ok && port_ok).then_some((host, port))
}

/// An `http(s)` URL without query or fragment, kept without its trailing slash so that paths
/// can be appended.
pub(crate) fn normalise_public_url(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim().trim_end_matches('/');
    let (scheme, rest) = trimmed
        .split_once("://")
        .ok_or_else(|| format!("'{raw}' is not a URL like https://beteiligung.musterstadt.de"))?;
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return Err(format!("'{raw}': only http and https URLs are possible"));
    }
    if trimmed.contains(['?', '#', ' ', '"', '\'', ';']) {
        return Err(format!(
            "'{raw}': give a URL without query, fragment, spaces or quotes"
        ));
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if split_host_port(&authority.to_ascii_lowercase()).is_none() || authority.contains('@') {
        return Err(format!("'{raw}' has a bad host or port"));
    }
    Ok(trimmed.to_owned())
}
