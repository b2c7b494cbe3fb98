//! Per-client rate limits: `429 rate-limited` with `Retry-After` (`docs/protocol.md`).
//!
//! A client is known only as a salted SHA-256 hash of its IP address (for IPv6, of its /64
//! network, which one household or server holds whole). The salt is random, lives in memory
//! only and is replaced at every UTC midnight, when all buckets are forgotten too: no address is
//! stored or logged, and the hashes of two days cannot be linked.
//!
//! Each client has a token bucket per scope (submissions, reads) that holds one minute's worth
//! of requests and refills evenly over the minute. Buckets live in two generations of at most
//! half the capacity each: when the current one is full it becomes the previous one and the old
//! previous one is dropped, so that a flood of distinct addresses costs bounded memory and
//! evicts the clients seen least recently.

use super::SharedState;
use super::error::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Clients remembered per scope at most (about 100 bytes each, map overhead included).
pub const MAX_CLIENTS: usize = 100_000;

const FORWARDED_FOR: &str = "x-forwarded-for";

/// What a request costs from: its own bucket per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `POST …/submissions`
    Submissions,
    /// `GET …/results`
    Reads,
    /// `POST /admin/sign-in`, beside each account's own throttle (`accounts::session`).
    SignIn,
}

/// Sign-in attempts per client and minute by default: enough for typos, too few for guessing.
pub const SIGN_INS_PER_MINUTE: u32 = 10;

impl Scope {
    fn noun(self) -> &'static str {
        match self {
            Scope::Submissions => "submissions",
            Scope::Reads => "reads of results",
            Scope::SignIn => "sign-in attempts",
        }
    }
}

/// A salted hash of a client's address, cut to 128 bits: plenty to keep clients apart.
type ClientId = [u8; 16];

/// The limits of one collector, shared by all requests.
pub struct RateLimits {
    trust_forwarded_for: bool,
    submissions_per_minute: u32,
    reads_per_minute: u32,
    sign_ins_per_minute: u32,
    inner: Mutex<Inner>,
}

struct Inner {
    /// The UTC day (days since 1970-01-01) the salt belongs to.
    day: i64,
    salt: [u8; 32],
    submissions: Buckets,
    reads: Buckets,
    sign_ins: Buckets,
}

impl RateLimits {
    /// Limits per client and minute (0: no limit). Fails only when the system has no
    /// randomness for the first salt.
    pub fn new(
        submissions_per_minute: u32,
        reads_per_minute: u32,
        trust_forwarded_for: bool,
    ) -> Result<RateLimits, String> {
        RateLimits::with_capacity(
            submissions_per_minute,
            reads_per_minute,
            trust_forwarded_for,
            MAX_CLIENTS,
        )
    }

    fn with_capacity(
        submissions_per_minute: u32,
        reads_per_minute: u32,
        trust_forwarded_for: bool,
        max_clients: usize,
    ) -> Result<RateLimits, String> {
        let salt = fresh_salt().map_err(|e| format!("no randomness for the rate limits: {e}"))?;
        Ok(RateLimits {
            trust_forwarded_for,
            submissions_per_minute,
            reads_per_minute,
            sign_ins_per_minute: SIGN_INS_PER_MINUTE,
            inner: Mutex::new(Inner {
                day: utc_day(),
                salt,
                submissions: Buckets::new(submissions_per_minute, max_clients),
                reads: Buckets::new(reads_per_minute, max_clients),
                sign_ins: Buckets::new(SIGN_INS_PER_MINUTE, max_clients),
            }),
        })
    }

    /// Sign-in attempts per client and minute (0: no limit) instead of [`SIGN_INS_PER_MINUTE`].
    pub fn with_sign_ins_per_minute(mut self, per_minute: u32) -> RateLimits {
        self.sign_ins_per_minute = per_minute;
        let inner = self.inner.get_mut().unwrap_or_else(PoisonError::into_inner);
        inner.sign_ins.per_minute = per_minute;
        self
    }

    /// Whether `X-Forwarded-For` names the client (`trust_forwarded_for`).
    pub fn trust_forwarded_for(&self) -> bool {
        self.trust_forwarded_for
    }

    /// Counts one request of `client` against `scope`; over the limit it is a 429 that says
    /// when to retry. Without an address (a router served without connect info) all requests
    /// share one bucket.
    pub fn check(&self, scope: Scope, client: Option<IpAddr>) -> Result<(), ApiError> {
        let per_minute = match scope {
            Scope::Submissions => self.submissions_per_minute,
            Scope::Reads => self.reads_per_minute,
            Scope::SignIn => self.sign_ins_per_minute,
        };
        if per_minute == 0 {
            return Ok(());
        }
        self.check_at(scope, client, Instant::now(), utc_day())
            .map_err(|retry_after| {
                tracing::debug!(scope = scope.noun(), "rate limit reached");
                ApiError::RateLimited {
                    detail: format!(
                        "at most {per_minute} {} per minute from one address; try again in \
                         {retry_after} seconds (Retry-After)",
                        scope.noun()
                    ),
                    retry_after,
                }
            })
    }

    /// The client as today's salted hash (hex): how the newsletter's mail limits count clients
    /// without keeping their address.
    pub fn client_key(&self, client: Option<IpAddr>) -> String {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let day = utc_day();
        if inner.day != day {
            inner.new_day(day);
        }
        let id = client_id(
            &inner.salt,
            client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        );
        crate::db::hex(&id)
    }

    /// [`check`](Self::check) at a given instant and UTC day; the error is the seconds to wait.
    fn check_at(
        &self,
        scope: Scope,
        client: Option<IpAddr>,
        now: Instant,
        day: i64,
    ) -> Result<(), u64> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.day != day {
            inner.new_day(day);
        }
        let id = client_id(
            &inner.salt,
            client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        );
        match scope {
            Scope::Submissions => inner.submissions.take(id, now),
            Scope::Reads => inner.reads.take(id, now),
            Scope::SignIn => inner.sign_ins.take(id, now),
        }
    }
}

impl Inner {
    /// A new salt and no buckets: yesterday's hashes mean nothing any more.
    fn new_day(&mut self, day: i64) {
        self.salt = fresh_salt().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "no randomness for a new salt; deriving it from the old one");
            // Still secret (the old salt never left memory) and different every day.
            let digest = Sha256::new()
                .chain_update(self.salt)
                .chain_update(day.to_le_bytes())
                .finalize();
            let mut salt = [0u8; 32];
            salt.copy_from_slice(&digest);
            salt
        });
        self.day = day;
        self.submissions.clear();
        self.reads.clear();
        self.sign_ins.clear();
    }
}

fn fresh_salt() -> Result<[u8; 32], getrandom::Error> {
    let mut salt = [0u8; 32];
    getrandom::fill(&mut salt)?;
    Ok(salt)
}

fn utc_day() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs / 86_400).unwrap_or(i64::MAX)
}

/// The salted hash of an IPv4 address, or of an IPv6 address's /64 network.
fn client_id(salt: &[u8; 32], ip: IpAddr) -> ClientId {
    let mut hash = Sha256::new();
    hash.update(salt);
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            hash.update([4]);
            hash.update(v4.octets());
        }
        IpAddr::V6(v6) => {
            hash.update([6]);
            hash.update(&v6.octets()[..8]);
        }
    }
    let digest = hash.finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    id
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The token buckets of one scope, in two generations (see the module comment).
struct Buckets {
    per_minute: u32,
    /// Entries per generation at most.
    generation: usize,
    current: HashMap<ClientId, Bucket>,
    previous: HashMap<ClientId, Bucket>,
}

impl Buckets {
    fn new(per_minute: u32, max_clients: usize) -> Buckets {
        Buckets {
            per_minute,
            generation: (max_clients / 2).max(1),
            current: HashMap::new(),
            previous: HashMap::new(),
        }
    }

    fn clear(&mut self) {
        self.current = HashMap::new();
        self.previous = HashMap::new();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }

    /// Takes one token of `id`'s bucket, or says in how many seconds there will be one.
    fn take(&mut self, id: ClientId, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let fresh = Bucket {
            tokens: capacity,
            updated: now,
        };
        if !self.current.contains_key(&id) {
            let carried = self.previous.remove(&id).unwrap_or(fresh);
            if self.current.len() >= self.generation {
                self.previous = std::mem::take(&mut self.current);
            }
            self.current.insert(id, carried);
        }
        let bucket = self.current.entry(id).or_insert(fresh);
        let per_second = capacity / 60.0;
        let elapsed = now.saturating_duration_since(bucket.updated);
        bucket.tokens = (bucket.tokens + elapsed.as_secs_f64() * per_second).min(capacity);
        bucket.updated = bucket.updated.max(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            // At most 60 / per_minute seconds: the cast cannot truncate.
            let wait = ((1.0 - bucket.tokens) / per_second).ceil() as u64;
            Err(wait.max(1))
        }
    }
}

/// The address a request comes from: the first entry of `X-Forwarded-For` when that is trusted
/// and holds an IP address, else the TCP peer (`None` when the router was served without
/// connect info).
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<SharedState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = if state.limits.trust_forwarded_for() {
            forwarded_for(&parts.headers)
        } else {
            None
        };
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        Ok(ClientAddr(forwarded.or(peer)))
    }
}

/// The first address of the first `X-Forwarded-For` header, with or without a port.
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let first = headers
        .get(FORWARDED_FOR)?
        .to_str()
        .ok()?
        .split(',')
        .next()?
        .trim();
    first
        .parse::<IpAddr>()
        .ok()
        .or_else(|| first.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use std::time::Duration;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().expect("ip"))
    }

    #[test]
    fn a_bucket_holds_a_minute_and_refills_evenly() {
        let limits = RateLimits::new(3, 3, false).expect("limits");
        let t0 = Instant::now();
        let a = ip("203.0.113.1");
        for _ in 0..3 {
            assert_eq!(limits.check_at(Scope::Submissions, a, t0, 1), Ok(()));
        }
        assert_eq!(limits.check_at(Scope::Submissions, a, t0, 1), Err(20));
        let later = t0 + Duration::from_secs(15);
        assert_eq!(limits.check_at(Scope::Submissions, a, later, 1), Err(5));
        let refilled = t0 + Duration::from_secs(20);
        assert_eq!(limits.check_at(Scope::Submissions, a, refilled, 1), Ok(()));
        assert!(limits.check_at(Scope::Submissions, a, refilled, 1).is_err());
        // Another client, and another scope, have buckets of their own.
        assert_eq!(
            limits.check_at(Scope::Submissions, ip("203.0.113.2"), t0, 1),
            Ok(())
        );
        assert_eq!(limits.check_at(Scope::Reads, a, t0, 1), Ok(()));
    }

    #[test]
    fn the_answer_says_when_to_retry() {
        let limits = RateLimits::new(1, 0, false).expect("limits");
        let a = ip("203.0.113.1");
        assert!(limits.check(Scope::Submissions, a).is_ok());
        match limits.check(Scope::Submissions, a) {
            Err(ApiError::RateLimited {
                detail,
                retry_after,
            }) => {
                assert!((59..=60).contains(&retry_after), "{retry_after}");
                assert!(
                    detail.contains(&format!("{retry_after} seconds")),
                    "{detail}"
                );
            }
            other => panic!("{other:?}"),
        }
        // 0 is no limit.
        for _ in 0..1000 {
            assert!(limits.check(Scope::Reads, a).is_ok());
        }
    }

    #[test]
    fn clients_are_addresses_and_ipv6_networks() {
        let salt = [7u8; 32];
        let id = |s: &str| client_id(&salt, s.parse().expect("ip"));
        assert_ne!(id("203.0.113.1"), id("203.0.113.2"));
        assert_eq!(id("203.0.113.1"), id("::ffff:203.0.113.1"));
        assert_eq!(id("2001:db8:1:2::1"), id("2001:db8:1:2:ffff::9"));
        assert_ne!(id("2001:db8:1:2::1"), id("2001:db8:1:3::1"));
        assert_ne!(
            client_id(&salt, "203.0.113.1".parse().expect("ip")),
            client_id(&[8u8; 32], "203.0.113.1".parse().expect("ip"))
        );
    }

    #[test]
    fn a_new_day_brings_a_new_salt_and_empty_buckets() {
        let limits = RateLimits::new(1, 0, false).expect("limits");
        let t0 = Instant::now();
        let a = ip("203.0.113.1");
        assert_eq!(limits.check_at(Scope::Submissions, a, t0, 1), Ok(()));
        assert!(limits.check_at(Scope::Submissions, a, t0, 1).is_err());
        let salt = limits.inner.lock().expect("lock").salt;
        assert_eq!(limits.check_at(Scope::Submissions, a, t0, 2), Ok(()));
        let inner = limits.inner.lock().expect("lock");
        assert_ne!(inner.salt, salt);
        assert_eq!(inner.submissions.len(), 1);
    }

    #[test]
    fn a_flood_of_addresses_costs_bounded_memory() {
        let limits = RateLimits::with_capacity(1, 0, false, 100).expect("limits");
        let t0 = Instant::now();
        let regular = ip("198.51.100.7");
        assert_eq!(limits.check_at(Scope::Submissions, regular, t0, 1), Ok(()));
        for i in 0..20_000u32 {
            let flood = Some(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i)));
            let _ = limits.check_at(Scope::Submissions, flood, t0, 1);
            if i % 20 == 0 {
                // A client seen often keeps its (empty) bucket through the flood.
                assert!(limits.check_at(Scope::Submissions, regular, t0, 1).is_err());
            }
            assert!(limits.inner.lock().expect("lock").submissions.len() <= 100);
        }
    }

    #[test]
    fn forwarded_for_takes_the_first_address() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(FORWARDED_FOR, HeaderValue::from_static(v));
            forwarded_for(&h)
        };
        assert_eq!(with("203.0.113.1, 10.0.0.1"), ip("203.0.113.1"));
        assert_eq!(with(" 2001:db8::1 "), ip("2001:db8::1"));
        assert_eq!(with("203.0.113.1:4711"), ip("203.0.113.1"));
        assert_eq!(with("[2001:db8::1]:4711"), ip("2001:db8::1"));
        assert_eq!(with("unknown, 10.0.0.1"), None);
        assert_eq!(forwarded_for(&HeaderMap::new()), None);
    }
}
