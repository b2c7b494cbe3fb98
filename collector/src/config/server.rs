//! `[server]` and its `MITMACHEN_*` variables: how long the HTTP server waits for a client,
//! how many connections it holds, and how long a shutdown may take.
//!
//! The defaults let a browser on a slow mobile line through and stop a client that sends
//! nothing (or one byte at a time) from holding a connection, and with it a file descriptor,
//! for long.

use super::ConfigError;
use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileServer {
    header_timeout: Option<i64>,
    idle_timeout: Option<i64>,
    body_timeout: Option<i64>,
    request_timeout: Option<i64>,
    shutdown_timeout: Option<i64>,
    max_connections: Option<i64>,
    max_header_bytes: Option<i64>,
}

/// The HTTP server's limits; see `crate::http::server` for how each is enforced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerLimits {
    /// From a request's first byte until its header is complete.
    pub header_timeout: Duration,
    /// How long a connection may wait for a request: a fresh one for its first, a kept-alive
    /// one for its next.
    pub idle_timeout: Duration,
    /// From the complete header until the whole body has arrived; then `408`.
    pub body_timeout: Duration,
    /// From the complete header until the answer; then `503` (or `408` while the body is read).
    pub request_timeout: Duration,
    /// After SIGTERM: how long open requests may still take before the process exits anyway.
    pub shutdown_timeout: Duration,
    /// Open connections at most; `None`: derived from the open-files limit at start.
    pub max_connections: Option<usize>,
    /// Request line plus header fields at most; above: `431`.
    pub max_header_bytes: usize,
}

pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Below the 40 s within which a connection that sends nothing must be let go.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_MAX_HEADER_BYTES: usize = 16 * 1024;

/// A timeout beyond an hour is a typo; a client that slow is not a client.
const MAX_TIMEOUT_SECONDS: i64 = 3600;
/// Below this, ordinary browser requests (cookies of the town's site, long user agents) fail.
const MIN_HEADER_BYTES: i64 = 4096;
const MAX_HEADER_BYTES: i64 = 1024 * 1024;
const MAX_CONNECTIONS: i64 = 1_000_000;

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            max_connections: None,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
        }
    }
}

pub(super) fn limits(
    file: FileServer,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<ServerLimits, ConfigError> {
    let mut limits = ServerLimits::default();
    let seconds = |name: &str, var: &str, file: Option<i64>, min: i64| {
        number(env, name, var, file, "a number of seconds")?
            .map(|n| {
                u64::try_from(n)
                    .ok()
                    .filter(|_| (min..=MAX_TIMEOUT_SECONDS).contains(&n))
                    .map(Duration::from_secs)
                    .ok_or_else(|| {
                        ConfigError::new(
                            format!("server.{name} ({var})"),
                            format!("{n} is out of range ({min} to {MAX_TIMEOUT_SECONDS} seconds)"),
                        )
                    })
            })
            .transpose()
    };
    let timeouts = [
        (
            "header_timeout",
            "MITMACHEN_HEADER_TIMEOUT",
            file.header_timeout,
            1,
            &mut limits.header_timeout,
        ),
        (
            "idle_timeout",
            "MITMACHEN_IDLE_TIMEOUT",
            file.idle_timeout,
            1,
            &mut limits.idle_timeout,
        ),
        (
            "body_timeout",
            "MITMACHEN_BODY_TIMEOUT",
            file.body_timeout,
            1,
            &mut limits.body_timeout,
        ),
        (
            "request_timeout",
            "MITMACHEN_REQUEST_TIMEOUT",
            file.request_timeout,
            1,
            &mut limits.request_timeout,
        ),
        // 0: open requests are cut off at once.
        (
            "shutdown_timeout",
            "MITMACHEN_SHUTDOWN_TIMEOUT",
            file.shutdown_timeout,
            0,
            &mut limits.shutdown_timeout,
        ),
    ];
    for (name, var, file, min, slot) in timeouts {
        if let Some(d) = seconds(name, var, file, min)? {
            *slot = d;
        }
    }
    let key = "server.max_connections (MITMACHEN_MAX_CONNECTIONS)";
    if let Some(n) = number(
        env,
        "max_connections",
        "MITMACHEN_MAX_CONNECTIONS",
        file.max_connections,
        "a number of connections",
    )? {
        limits.max_connections = match n {
            // 0 is the default spelled out: derived from the open-files limit.
            0 => None,
            1..=MAX_CONNECTIONS => usize::try_from(n).ok(),
            _ => {
                return Err(ConfigError::new(
                    key,
                    format!(
                        "{n} is out of range (1 to {MAX_CONNECTIONS}; 0: from the open-files limit)"
                    ),
                ));
            }
        };
    }
    if let Some(n) = number(
        env,
        "max_header_bytes",
        "MITMACHEN_MAX_HEADER_BYTES",
        file.max_header_bytes,
        "a number of bytes",
    )? {
        limits.max_header_bytes = usize::try_from(n)
            .ok()
            .filter(|_| (MIN_HEADER_BYTES..=MAX_HEADER_BYTES).contains(&n))
            .ok_or_else(|| {
                ConfigError::new(
                    "server.max_header_bytes (MITMACHEN_MAX_HEADER_BYTES)",
                    format!("{n} is out of range ({MIN_HEADER_BYTES} to {MAX_HEADER_BYTES} bytes)"),
                )
            })?;
    }
    if limits.body_timeout > limits.request_timeout {
        return Err(ConfigError::new(
            "server.body_timeout (MITMACHEN_BODY_TIMEOUT)",
            format!(
                "{} s is longer than request_timeout ({} s), which would cut the body off first",
                limits.body_timeout.as_secs(),
                limits.request_timeout.as_secs()
            ),
        ));
    }
    Ok(limits)
}

/// An integer from the environment variable `var`, else from the file.
fn number(
    env: &impl Fn(&str) -> Option<String>,
    name: &str,
    var: &str,
    file: Option<i64>,
    what: &str,
) -> Result<Option<i64>, ConfigError> {
    match env(var).filter(|v| !v.trim().is_empty()) {
        Some(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
            ConfigError::new(
                format!("server.{name} ({var})"),
                format!("'{v}' is not {what}"),
            )
        }),
        None => Ok(file),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(file: FileServer, env: &[(&str, &str)]) -> Result<ServerLimits, ConfigError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        limits(file, &|k: &str| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_file_and_environment() {
        assert_eq!(
            from(FileServer::default(), &[]).expect("defaults"),
            ServerLimits::default()
        );
        let file = FileServer {
            header_timeout: Some(2),
            max_connections: Some(100),
            ..FileServer::default()
        };
        let l = from(
            file,
            &[
                ("MITMACHEN_HEADER_TIMEOUT", " 3 "),
                ("MITMACHEN_SHUTDOWN_TIMEOUT", "0"),
                ("MITMACHEN_MAX_HEADER_BYTES", "8192"),
            ],
        )
        .expect("set");
        assert_eq!(l.header_timeout, Duration::from_secs(3), "env wins");
        assert_eq!(l.shutdown_timeout, Duration::ZERO);
        assert_eq!(l.max_connections, Some(100));
        assert_eq!(l.max_header_bytes, 8192);
        let auto =
            from(FileServer::default(), &[("MITMACHEN_MAX_CONNECTIONS", "0")]).expect("auto");
        assert_eq!(auto.max_connections, None);
    }

    #[test]
    fn bad_values_name_their_key() {
        for (var, value, key) in [
            ("MITMACHEN_HEADER_TIMEOUT", "0", "server.header_timeout"),
            ("MITMACHEN_IDLE_TIMEOUT", "soon", "server.idle_timeout"),
            ("MITMACHEN_BODY_TIMEOUT", "3601", "server.body_timeout"),
            ("MITMACHEN_BODY_TIMEOUT", "61", "server.body_timeout"),
            ("MITMACHEN_REQUEST_TIMEOUT", "-1", "server.request_timeout"),
            (
                "MITMACHEN_SHUTDOWN_TIMEOUT",
                "1.5",
                "server.shutdown_timeout",
            ),
            ("MITMACHEN_MAX_CONNECTIONS", "-3", "server.max_connections"),
            (
                "MITMACHEN_MAX_HEADER_BYTES",
                "100",
                "server.max_header_bytes",
            ),
        ] {
            let err = from(FileServer::default(), &[(var, value)]).expect_err(value);
            assert!(err.key.starts_with(key), "{var}={value}: {err}");
            assert!(err.key.contains(var), "{err}");
        }
    }
}
