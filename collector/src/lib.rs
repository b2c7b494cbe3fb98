//! mitmachen collector: the reference endpoint of `docs/protocol.md`.
//!
//! It receives what the widgets send, stores each submission once (SQLite), and answers
//! results. Laid out by feature; the codemap is `collector/README.md`.

// The thin layers every feature uses.
pub mod accounts;
pub mod app;
pub mod audit;
pub mod config;
pub mod db;
pub mod mail;

// One folder per feature: its configuration, rules, storage calls, HTTP and admin handlers and
// mails. A new widget kind adds a folder here and its routes in `app::router`.
pub mod ballots;
pub mod definitions;
pub mod events;
pub mod newsletters;
pub mod privacy;
pub mod proposals;
pub mod retention;
pub mod submissions;
pub mod widgets;

use app::AppState;
use app::cors::OriginPolicy;
use app::rate_limit::RateLimits;
use config::Config;
use std::fmt;
use std::io::Write as _;
use std::sync::Arc;
use tokio::sync::Notify;

/// Why the collector could not start or had to stop.
#[derive(Debug)]
pub struct RunError(String);

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RunError {}

/// Logs go to stderr; stdout carries only the start-up line that tests and scripts read.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, not in log files and journald.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_max_level(tracing::Level::INFO)
        .with_target(false)
        .init();
}

/// Opens the database, binds, prints the start-up line, and serves until SIGTERM or Ctrl-C.
pub async fn run(config: Config) -> Result<(), RunError> {
    for (key, dir) in [
        ("dist_dir (MITMACHEN_DIST_DIR)", &config.dist_dir),
        ("site_dir (MITMACHEN_SITE_DIR)", &config.site_dir),
    ] {
        if let Some(dir) = dir.as_ref().filter(|d| !d.is_dir()) {
            return Err(RunError(format!(
                "configuration key `{key}`: {} is not a directory",
                dir.display()
            )));
        }
    }
    // Opening connects (PostgreSQL) or opens the file and migrates: blocking work, and the
    // PostgreSQL client must never run on an async worker thread.
    let database = config.database.clone();
    let store: Arc<dyn db::Store> = tokio::task::spawn_blocking(move || db::open(&database))
        .await
        .map_err(|e| RunError(format!("opening the database crashed: {e}")))?
        .map_err(|e| RunError(format!("cannot open the database {}: {e}", config.database)))?;

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| RunError(format!("cannot listen on {}: {e}", config.listen)))?;
    let bound = listener
        .local_addr()
        .map_err(|e| RunError(format!("no local address: {e}")))?;

    let origins = OriginPolicy::new(config.allowed_origins.clone(), config.widgets.clone());
    if config.allowed_origins.is_empty() {
        let except = if config.widgets.is_empty() {
            ""
        } else {
            " except by widgets with their own list"
        };
        tracing::warn!(
            "allowed_origins is empty: every request from a web page is refused{except}; set MITMACHEN_ALLOWED_ORIGINS"
        );
    }
    let limits = RateLimits::new(
        config.rate_limit_submissions_per_minute,
        config.rate_limit_reads_per_minute,
        config.trust_forwarded_for,
    )
    .map_err(RunError)?
    .with_sign_ins_per_minute(config.rate_limit_sign_ins_per_minute);
    let mail = mail::delivery::mail_config(&config.mail).map_err(RunError)?;
    let mailer = mail::Mailer::new(&mail).map_err(RunError)?;
    let public_url = config.public_url_or(bound);
    let catalog = {
        let (store, file, imported) = (
            store.clone(),
            definitions::catalog::FileRules {
                rules: config.rules.clone(),
                moderation: config.moderation.clone(),
                webhooks: config
                    .newsletters
                    .iter()
                    .filter_map(|(id, n)| Some((id.clone(), n.webhook.clone()?)))
                    .collect(),
            },
            definitions::import::from_file(&config),
        );
        let endpoint = public_url.clone();
        tokio::task::spawn_blocking(move || {
            definitions::import::import(store.as_ref(), imported, &endpoint)?;
            definitions::catalog::Catalog::load(store.as_ref(), file, &endpoint)
        })
        .await
        .map_err(|e| RunError(format!("loading the widget definitions crashed: {e}")))?
        .map_err(|e| RunError(format!("cannot load the widget definitions: {e}")))?
    };
    let catalog = Arc::new(catalog);
    let webhook_client = newsletters::webhook::client().map_err(RunError)?;
    let mail_wakeup = Arc::new(Notify::new());
    let webhook_wakeup = Arc::new(Notify::new());
    let state = Arc::new(AppState {
        store: store.clone(),
        origins,
        limits,
        body_limit: config.body_limit,
        public_url: public_url.clone(),
        console_origin: config::origin_of(&public_url),
        dist_dir: config.dist_dir.clone(),
        site_dir: config.site_dir.clone(),
        admin_token: config.admin_token.clone(),
        catalog: catalog.clone(),
        retention_days: config.retention_days,
        new_widgets: config.new_widgets,
        mail_wakeup: mail_wakeup.clone(),
        webhook_wakeup: webhook_wakeup.clone(),
        town: config.mail.town(),
    });
    tracing::info!(
        database = %config.database,
        public_url = %state.public_url,
        submissions_per_minute = config.rate_limit_submissions_per_minute,
        reads_per_minute = config.rate_limit_reads_per_minute,
        trust_forwarded_for = config.trust_forwarded_for,
        admin_api = config.admin_token.is_some(),
        widgets = catalog.now().widgets.len(),
        widgets_with_file_rules = config.rules.len(),
        retention_days = config.retention_days,
        mail = ?config.mail,
        "ready"
    );
    tokio::spawn(
        mail::delivery::Delivery {
            store: store.clone(),
            mailer,
            config: mail,
            catalog: catalog.clone(),
            public_url: state.public_url.clone(),
            wakeup: mail_wakeup,
            pace: mail::delivery::Pace::per_minute(config.mail.per_minute),
        }
        .run(),
    );
    tokio::spawn(
        newsletters::webhook::Webhooks {
            store: store.clone(),
            catalog: catalog.clone(),
            public_url: state.public_url.clone(),
            wakeup: webhook_wakeup,
            client: webhook_client,
        }
        .run(),
    );
    tokio::spawn(definitions::catalog::follow(catalog.clone(), store.clone()));
    tokio::spawn(retention::run(
        store,
        catalog,
        retention::Retention {
            days: config.retention_days,
            audit_days: config.audit_retention_days,
        },
    ));
    let app = app::router(state);

    let shutdown = shutdown_signal()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "mitmachen collector listening on http://{bound}")
        .and_then(|()| stdout.flush())
        .map_err(|e| RunError(format!("cannot write to stdout: {e}")))?;
    drop(stdout);

    app::server::serve(listener, app, &config.server, shutdown).await;
    tracing::info!("stopped");
    Ok(())
}

/// Installs the SIGTERM and Ctrl-C handlers now, before the start-up line is printed, so that a
/// signal sent right after it stops the server cleanly instead of killing the process.
fn shutdown_signal() -> Result<impl Future<Output = ()>, RunError> {
    #[cfg(unix)]
    let (mut terminate, mut interrupt) = {
        use tokio::signal::unix::{SignalKind, signal};
        let install =
            |kind| signal(kind).map_err(|e| RunError(format!("cannot handle signals: {e}")));
        (
            install(SignalKind::terminate())?,
            install(SignalKind::interrupt())?,
        )
    };
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down: finishing open requests");
    })
}
