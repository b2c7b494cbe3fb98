//! The HTTP/1.1 server: our own accept loop around hyper, so that slow or hostile clients cannot
//! hold the collector.
//!
//! Every connection is watched by its own task: it may wait `idle_timeout` for a request (fresh
//! or kept alive: browsers open connections before they need them), take `header_timeout` from
//! the request's first byte to the end of its header, and `request_timeout` (plus a short grace
//! to write the answer) per request; the body has `body_timeout` (then `408`). A
//! header above `max_header_bytes` is hyper's `431`. At most `max_connections` are held: when
//! full, a new connection closes the oldest one that has no request in flight (a client sending
//! nothing loses its place to one that sends something), and only if every connection is busy is
//! the new one closed. Running out of file descriptors in `accept` pauses briefly and frees one
//! instead of spinning. On shutdown the listener closes, open requests may finish for
//! `shutdown_timeout`, and then every connection is dropped.

use super::error::ApiError;
use crate::config::ServerLimits;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, header};
use axum::response::IntoResponse;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};

/// Descriptors kept free for what is not a connection: the database and its WAL, the mail and
/// webhook connections, static files being served, the outbox.
const RESERVED_FILES: u64 = 64;
/// Without a configured cap, no more than this many connections: each one costs buffers, and a
/// town's participation page does not need more at once.
const MAX_AUTO_CONNECTIONS: u64 = 16_384;
/// How long past `request_timeout` an answer may take to be written before the connection is
/// dropped (a client that does not read its answer).
const WRITE_GRACE: Duration = Duration::from_secs(2);
/// The pause after `accept` failed for lack of descriptors; long enough not to spin, short enough
/// that waiting clients hardly notice.
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);
/// How long a new connection waits for the slot of the one evicted for it.
const EVICTION_WAIT: Duration = Duration::from_secs(1);

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish for at
/// most `limits.shutdown_timeout`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &ServerLimits,
    shutdown: impl Future<Output = ()>,
) {
    let max_connections = connection_cap(limits.max_connections);
    tracing::info!(
        max_connections,
        header_timeout_s = limits.header_timeout.as_secs(),
        idle_timeout_s = limits.idle_timeout.as_secs(),
        body_timeout_s = limits.body_timeout.as_secs(),
        request_timeout_s = limits.request_timeout.as_secs(),
        max_header_bytes = limits.max_header_bytes,
        shutdown_timeout_s = limits.shutdown_timeout.as_secs(),
        "http server limits"
    );
    let shared = Arc::new(Shared {
        app,
        limits: limits.clone(),
        connections: Mutex::new(BTreeMap::new()),
        slots: Arc::new(Semaphore::new(max_connections)),
        max_connections,
    });
    let (stop, stopping) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut next_id: u64 = 0;
    let mut accept_errors = AcceptErrors::default();
    let mut shutdown = pin!(shutdown);
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            // Reap finished connections so that the set does not grow.
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    next_id += 1;
                    if let Some(slot) = shared.slot().await {
                        let conn = shared.admit(next_id);
                        tasks.spawn(serve_connection(
                            shared.clone(),
                            conn,
                            stream,
                            peer,
                            stopping.clone(),
                            slot,
                        ));
                    }
                    // Else every held connection has a request in flight: this one is closed
                    // at once by dropping it, which beats queueing it unseen.
                }
                Err(e) => accept_errors.handle(e, &shared).await,
            },
        }
    }
    drop(listener);
    let open = tasks.len();
    tracing::info!(
        open_connections = open,
        "shutting down: no new connections, open requests may finish for {} s",
        limits.shutdown_timeout.as_secs()
    );
    let _ = stop.send(true);
    let drained = tokio::time::timeout(limits.shutdown_timeout, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            cut_off = tasks.len(),
            "shutdown deadline reached: dropping the connections still open"
        );
        tasks.shutdown().await;
    }
}

/// What the accept loop and every connection task share.
struct Shared {
    app: Router,
    limits: ServerLimits,
    /// The open connections by id; ids grow, so the first entries are the oldest.
    connections: Mutex<BTreeMap<u64, Arc<Conn>>>,
    /// One permit per connection, held by its task until its socket is closed: an evicted
    /// connection counts until its descriptor is really free.
    slots: Arc<Semaphore>,
    max_connections: usize,
}

impl Shared {
    fn connections(&self) -> MutexGuard<'_, BTreeMap<u64, Arc<Conn>>> {
        // The map stays consistent whatever panicked while holding it.
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot for a new connection; when full, closes the oldest one without a request in
    /// flight and takes its slot. `None`: all are busy, refuse the new one.
    async fn slot(&self) -> Option<OwnedSemaphorePermit> {
        if let Ok(slot) = self.slots.clone().try_acquire_owned() {
            return Some(slot);
        }
        if evict_one(&mut self.connections()) {
            // The evicted task closes its socket at its next poll, well within this.
            let freed = tokio::time::timeout(EVICTION_WAIT, self.slots.clone().acquire_owned());
            if let Ok(Ok(slot)) = freed.await {
                return Some(slot);
            }
        }
        tracing::warn!(
            max_connections = self.max_connections,
            "connection refused: every connection has a request in flight"
        );
        None
    }

    fn admit(&self, id: u64) -> Arc<Conn> {
        let conn = Arc::new(Conn::new(id));
        self.connections().insert(id, conn.clone());
        conn
    }

    fn forget(&self, id: u64) {
        self.connections().remove(&id);
    }
}

/// Closes the oldest connection without a request in flight; false if there is none.
fn evict_one(connections: &mut BTreeMap<u64, Arc<Conn>>) -> bool {
    let oldest = connections
        .iter()
        .find(|(_, c)| c.phase().0 != Phase::Busy)
        .map(|(id, _)| *id);
    match oldest.and_then(|id| connections.remove(&id)) {
        Some(conn) => {
            conn.close.notify_one();
            true
        }
        None => false,
    }
}

/// Where a connection is, which decides how long it may stay there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Reading a request's header, from its first byte on.
    Header,
    /// Waiting for a request: fresh, or kept alive after one; nothing of it received yet.
    Idle,
    /// A request is in flight: from its complete header until its answer is written.
    Busy,
}

struct Conn {
    id: u64,
    phase: Mutex<(Phase, Instant)>,
    /// Wakes the connection's task to drop it (evicted to make room).
    close: Notify,
    /// Wakes the connection's task to take the new phase's deadline, which may be earlier.
    moved: Notify,
}

impl Conn {
    fn new(id: u64) -> Conn {
        Conn {
            id,
            phase: Mutex::new((Phase::Idle, Instant::now())),
            close: Notify::new(),
            moved: Notify::new(),
        }
    }

    fn phase(&self) -> (Phase, Instant) {
        *self.phase.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn enter(&self, phase: Phase) {
        *self.phase.lock().unwrap_or_else(PoisonError::into_inner) = (phase, Instant::now());
        self.moved.notify_one();
    }

    /// Bytes arrived: a waiting connection starts its request's header.
    fn received(&self) {
        let mut state = self.phase.lock().unwrap_or_else(PoisonError::into_inner);
        if state.0 == Phase::Idle {
            *state = (Phase::Header, Instant::now());
            self.moved.notify_one();
        }
    }

    /// When the connection has overstayed its current phase.
    fn deadline(&self, limits: &ServerLimits) -> Instant {
        let (phase, since) = self.phase();
        since
            + match phase {
                Phase::Header => limits.header_timeout,
                Phase::Idle => limits.idle_timeout,
                Phase::Busy => limits.request_timeout + WRITE_GRACE,
            }
    }
}

/// One connection, from accept to close.
async fn serve_connection(
    shared: Arc<Shared>,
    conn: Arc<Conn>,
    stream: TcpStream,
    peer: SocketAddr,
    mut stopping: watch::Receiver<bool>,
    // Dropped last, after the socket: the slot is free once the descriptor is.
    _slot: OwnedSemaphorePermit,
) {
    // Answers are small; Nagle's delay would only slow them down.
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(Watched {
        stream,
        conn: conn.clone(),
    });
    let service = Handler {
        shared: shared.clone(),
        conn: conn.clone(),
        peer,
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .max_header_size(shared.limits.max_header_bytes)
        .keep_alive(true)
        // Our own watch below times the header: hyper's would also run between requests.
        .header_read_timeout(None);
    let mut connection = pin!(builder.serve_connection(io, service));
    let mut draining = *stopping.borrow();
    if draining {
        connection.as_mut().graceful_shutdown();
    }
    loop {
        let deadline = conn.deadline(&shared.limits);
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                break;
            }
            () = tokio::time::sleep_until(deadline) => {
                // The phase may have moved on while we slept; only a deadline still past counts.
                if conn.deadline(&shared.limits) <= Instant::now() {
                    tracing::debug!(phase = ?conn.phase().0, "connection timed out; closed");
                    break;
                }
            }
            () = conn.moved.notified() => {}
            () = conn.close.notified() => {
                tracing::debug!("connection closed to make room for a new one");
                break;
            }
            changed = stopping.changed(), if !draining => {
                draining = true;
                if changed.is_ok() {
                    // Finishes the request in flight, if any, then closes.
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
    shared.forget(conn.id);
}

/// The TCP stream, noting when bytes arrive.
struct Watched {
    stream: TcpStream,
    conn: Arc<Conn>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.conn.received();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Hands each request to the router with the peer address (`ConnectInfo`, for the rate limits),
/// a body that times out, and the request deadline.
#[derive(Clone)]
struct Handler {
    shared: Arc<Shared>,
    conn: Arc<Conn>,
    peer: SocketAddr,
}

impl hyper::service::Service<Request<Incoming>> for Handler {
    type Response = Response<Answer>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        self.conn.enter(Phase::Busy);
        let in_flight = InFlight(self.conn.clone());
        let limits = &self.shared.limits;
        let (body_timeout, request_timeout) = (limits.body_timeout, limits.request_timeout);
        let mut req = req.map(|body| {
            Body::new(TimedBody {
                inner: body,
                deadline: Box::pin(tokio::time::sleep(body_timeout)),
                timeout: body_timeout,
            })
        });
        req.extensions_mut().insert(ConnectInfo(self.peer));
        let mut app = self.shared.app.clone();
        Box::pin(async move {
            let answer =
                tokio::time::timeout(request_timeout, tower_service::Service::call(&mut app, req))
                    .await;
            let response = match answer {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(_) => {
                    tracing::warn!(
                        "request stopped after request_timeout ({} s)",
                        request_timeout.as_secs()
                    );
                    let mut response = ApiError::DeadlineExceeded(format!(
                        "the answer took longer than {} seconds and was stopped; a submission \
                         may have been stored: send it again with the same Idempotency-Key, \
                         which stores it at most once",
                        request_timeout.as_secs()
                    ))
                    .into_response();
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                    response
                }
            };
            Ok(response.map(|body| Answer {
                inner: body,
                _in_flight: in_flight,
            }))
        })
    }
}

/// Marks the connection idle once its answer has been written (hyper drops the body then), or
/// when the request is abandoned.
struct InFlight(Arc<Conn>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.enter(Phase::Idle);
    }
}

/// The router's answer body, carrying the connection's in-flight mark until it is written.
struct Answer {
    inner: Body,
    _in_flight: InFlight,
}

impl http_body::Body for Answer {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A request body that fails with [`BodyTimeout`] once `timeout` has passed since its header.
struct TimedBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
    timeout: Duration,
}

impl http_body::Body for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyTimeout(self.timeout)))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The body did not arrive within `body_timeout`; handlers that read bodies answer `408`.
#[derive(Debug)]
pub struct BodyTimeout(pub Duration);

impl fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the body did not arrive within {} seconds",
            self.0.as_secs()
        )
    }
}

impl std::error::Error for BodyTimeout {}

/// The [`BodyTimeout`] somewhere in an error's chain of sources, if the body timed out.
pub fn body_timeout<'e>(error: &'e (dyn std::error::Error + 'static)) -> Option<&'e BodyTimeout> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(timeout) = e.downcast_ref::<BodyTimeout>() {
            return Some(timeout);
        }
        current = e.source();
    }
    None
}

/// Failed accepts: a client that gave up is nothing; out of descriptors (or memory) frees the
/// oldest idle connection and pauses, so that the loop neither spins on the waiting connection
/// nor stops serving.
#[derive(Default)]
struct AcceptErrors {
    last_logged: Option<Instant>,
    since_logged: u64,
}

impl AcceptErrors {
    async fn handle(&mut self, e: io::Error, shared: &Shared) {
        if matches!(
            e.kind(),
            io::ErrorKind::ConnectionAborted
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionRefused
        ) {
            return;
        }
        let out_of_files = matches!(
            e.raw_os_error(),
            Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
        );
        if out_of_files {
            evict_one(&mut shared.connections());
        }
        // At most one line a second: a flood must not fill the log as well.
        self.since_logged += 1;
        if self
            .last_logged
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(1))
        {
            tracing::warn!(
                error = %e,
                failures = self.since_logged,
                "accept failed; pausing {} ms{}",
                ACCEPT_PAUSE.as_millis(),
                if out_of_files {
                    " after closing the oldest idle connection (set max_connections lower or \
                     raise the open-files limit)"
                } else {
                    ""
                }
            );
            self.last_logged = Some(Instant::now());
            self.since_logged = 0;
        }
        tokio::time::sleep(ACCEPT_PAUSE).await;
    }
}

/// The connection cap: the configured one, but never more than the open-files limit leaves room
/// for; unconfigured, 80 % of that limit minus [`RESERVED_FILES`].
fn connection_cap(configured: Option<usize>) -> usize {
    let files = open_files_limit();
    let fit = usize::try_from((files * 8 / 10).saturating_sub(RESERVED_FILES).max(8))
        .unwrap_or(usize::MAX);
    match configured {
        Some(n) if n > fit => {
            tracing::warn!(
                max_connections = n,
                open_files = files,
                "max_connections is more than the open-files limit allows; using {fit}"
            );
            fit
        }
        Some(n) => n,
        None => fit.min(usize::try_from(MAX_AUTO_CONNECTIONS).unwrap_or(usize::MAX)),
    }
}

/// The soft RLIMIT_NOFILE, raised to the hard limit first where allowed.
#[cfg(unix)]
// `rlim_t` is `u64` here but narrower on some targets; the conversions are for those.
#[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
fn open_files_limit() -> u64 {
    // Past this, raising gains nothing (the cap is bounded anyway) and Linux may refuse it.
    const ENOUGH: u64 = 1 << 20;
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        tracing::warn!("cannot read the open-files limit; assuming 1024");
        return 1024;
    }
    let soft = u64::from(limit.rlim_cur);
    let wanted = u64::from(limit.rlim_max).min(ENOUGH);
    if wanted > soft {
        let raised = libc::rlimit {
            rlim_cur: wanted as libc::rlim_t,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit only reads the struct we pass.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            tracing::info!("open-files limit raised from {soft} to {wanted}");
            return wanted;
        }
        tracing::warn!(
            "cannot raise the open-files limit from {soft} to {wanted}: {}",
            io::Error::last_os_error()
        );
    }
    soft
}

#[cfg(not(unix))]
fn open_files_limit() -> u64 {
    MAX_AUTO_CONNECTIONS * 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eviction_takes_the_oldest_connection_without_a_request() {
        let mut map = BTreeMap::new();
        for id in 1..=3 {
            map.insert(id, Arc::new(Conn::new(id)));
        }
        map[&1].enter(Phase::Busy);
        assert!(evict_one(&mut map));
        assert_eq!(map.keys().copied().collect::<Vec<_>>(), vec![1, 3]);
        map[&3].enter(Phase::Busy);
        assert!(!evict_one(&mut map), "every connection is busy");
    }

    #[test]
    fn a_header_is_timed_from_its_first_byte() {
        let limits = ServerLimits {
            header_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(50),
            ..ServerLimits::default()
        };
        let conn = Conn::new(1);
        let idle = conn.deadline(&limits);
        conn.received();
        assert!(conn.deadline(&limits) + Duration::from_secs(40) <= idle);
        conn.enter(Phase::Busy);
        conn.enter(Phase::Idle);
        assert!(conn.deadline(&limits) >= idle);
        conn.received();
        assert_eq!(conn.phase().0, Phase::Header);
        conn.enter(Phase::Busy);
        conn.received();
        assert_eq!(
            conn.phase().0,
            Phase::Busy,
            "the body of a request in flight"
        );
    }

    #[test]
    fn the_cap_leaves_room_for_other_files() {
        let files = open_files_limit();
        let cap = connection_cap(None) as u64;
        assert!(cap < files, "{cap} of {files}");
        assert_eq!(connection_cap(Some(10)), 10);
        assert!((connection_cap(Some(usize::MAX)) as u64) < files);
    }
}
