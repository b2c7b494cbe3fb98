//! The collector's configuration: one typed value, read once at start.
//!
//! Sources, later ones win: built-in defaults, a TOML file (`--config PATH` or
//! `MITMACHEN_CONFIG`), then one environment variable per key. Every value is checked here, so
//! a typo stops the start with a message naming the key instead of surfacing as refused
//! requests later.

mod database;
mod mail;
mod origins;
mod server;

pub use database::Database;
pub use mail::{MailRoute, MailSettings};
pub use origins::normalise_origin;
use origins::{normalise_origins, normalise_public_url};
pub use server::ServerLimits;

use crate::ballots::rules::WidgetRules;
use crate::events::{DEFAULT_RETENTION_DAYS, Event};

/// How long the audit log keeps an entry by default: two years, long enough for a complaint
/// or an audit of the year before, short enough not to keep account names for ever.
pub const DEFAULT_AUDIT_RETENTION_DAYS: u32 = 730;
use crate::newsletters::Newsletter;
pub use crate::proposals::Moderation;
use mitmachen_shared::ids::WidgetId;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE: &str = "mitmachen.sqlite3";
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024;
pub const DEFAULT_SUBMISSIONS_PER_MINUTE: u32 = 30;
pub const DEFAULT_READS_PER_MINUTE: u32 = 300;
/// An admin token shorter than this is refused at start: it must not be guessable.
pub const MIN_ADMIN_TOKEN_LEN: usize = 32;

/// The bearer token of the admin API. Its `Debug` shows no characters of it, so that it never
/// reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken(String);

impl AdminToken {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(…)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: Database,
    /// Where browsers reach this collector, without a trailing slash. `None`: the bound
    /// address, known only after binding (see [`Config::public_url_or`]).
    pub public_url: Option<String>,
    /// Normalised origins (`scheme://host[:port]`) allowed for every widget without a list
    /// of its own. Empty: every browser request is refused.
    pub allowed_origins: Vec<String>,
    pub body_limit: usize,
    pub dist_dir: Option<PathBuf>,
    pub site_dir: Option<PathBuf>,
    /// Per-widget origin lists; each replaces `allowed_origins` for its widget.
    pub widgets: BTreeMap<WidgetId, Vec<String>>,
    /// Take the client's address from the first entry of `X-Forwarded-For` (set by a reverse
    /// proxy) instead of the TCP peer.
    pub trust_forwarded_for: bool,
    /// Submissions per client and minute; 0: no limit.
    pub rate_limit_submissions_per_minute: u32,
    /// Results reads per client and minute; 0: no limit.
    pub rate_limit_reads_per_minute: u32,
    /// Console sign-in attempts per client and minute; 0: no limit (each account keeps its
    /// own throttle).
    pub rate_limit_sign_ins_per_minute: u32,
    /// The bearer token of the admin API; `None`: the admin API is off.
    pub admin_token: Option<AdminToken>,
    /// Per-widget moderation of proposals; widgets not listed use [`Moderation::Pre`].
    pub moderation: BTreeMap<WidgetId, Moderation>,
    /// Per-widget rules (dots, topics, options, closing time) that submissions are held to;
    /// widgets not listed keep the generic limits of the protocol.
    pub rules: BTreeMap<WidgetId, WidgetRules>,
    /// The events that take registrations.
    pub events: BTreeMap<WidgetId, Event>,
    /// The newsletters that take subscriptions.
    pub newsletters: BTreeMap<WidgetId, Newsletter>,
    /// Days after an event until its registrations' personal data is deleted.
    pub retention_days: u32,
    /// Days the audit log keeps an entry; 0: for ever.
    pub audit_retention_days: u32,
    /// What happens to a widget id a page embeds that the collector does not know yet.
    pub new_widgets: NewWidgets,
    pub mail: MailSettings,
    /// The HTTP server's timeouts, connection cap, header size and shutdown deadline.
    pub server: ServerLimits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: Database::Sqlite(PathBuf::from(DEFAULT_DATABASE)),
            public_url: None,
            allowed_origins: Vec::new(),
            body_limit: DEFAULT_BODY_LIMIT,
            dist_dir: None,
            site_dir: None,
            widgets: BTreeMap::new(),
            trust_forwarded_for: false,
            rate_limit_submissions_per_minute: DEFAULT_SUBMISSIONS_PER_MINUTE,
            rate_limit_reads_per_minute: DEFAULT_READS_PER_MINUTE,
            rate_limit_sign_ins_per_minute: crate::app::rate_limit::SIGN_INS_PER_MINUTE,
            admin_token: None,
            moderation: BTreeMap::new(),
            rules: BTreeMap::new(),
            events: BTreeMap::new(),
            newsletters: BTreeMap::new(),
            retention_days: DEFAULT_RETENTION_DAYS,
            audit_retention_days: DEFAULT_AUDIT_RETENTION_DAYS,
            new_widgets: NewWidgets::Adopt,
            mail: MailSettings {
                from: mail::DEFAULT_FROM.into(),
                route: MailRoute::Outbox(PathBuf::from("mitmachen-outbox")),
                per_minute: mail::DEFAULT_PER_MINUTE,
            },
            server: ServerLimits::default(),
        }
    }
}

/// What happens to a widget id a page embeds that the collector does not know yet (the page is
/// recorded either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewWidgets {
    /// The page's attributes become the widget's definition, and it takes submissions at once:
    /// every page written before definitions existed keeps working.
    Adopt,
    /// It waits as a draft that takes no submissions until an editor adopts it.
    Draft,
}

/// A configuration value that cannot be used, named by its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration key `{}`: {}", self.key, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The file as written; everything optional so that a file may set only what it needs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    database: Option<String>,
    public_url: Option<String>,
    allowed_origins: Option<Vec<String>>,
    body_limit: Option<i64>,
    dist_dir: Option<PathBuf>,
    site_dir: Option<PathBuf>,
    trust_forwarded_for: Option<bool>,
    rate_limit_submissions_per_minute: Option<i64>,
    rate_limit_reads_per_minute: Option<i64>,
    rate_limit_sign_ins_per_minute: Option<i64>,
    admin_token: Option<String>,
    #[serde(default)]
    widgets: BTreeMap<String, FileWidget>,
    #[serde(default)]
    events: BTreeMap<String, crate::events::config::FileEvent>,
    #[serde(default)]
    newsletters: BTreeMap<String, crate::newsletters::config::FileNewsletter>,
    retention_days: Option<i64>,
    audit_retention_days: Option<i64>,
    new_widgets: Option<String>,
    #[serde(default)]
    mail: mail::FileMail,
    #[serde(default)]
    server: server::FileServer,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileWidget {
    pub(crate) allowed_origins: Option<Vec<String>>,
    pub(crate) moderation: Option<String>,
    /// Topic list: dots per person, most dots on one topic, the editor's topic keys.
    pub(crate) dots: Option<i64>,
    pub(crate) dots_per_topic: Option<i64>,
    pub(crate) topics: Option<Vec<String>>,
    /// Poll: the option keys and how many of them one ballot may choose.
    pub(crate) options: Option<Vec<String>>,
    pub(crate) max_choices: Option<i64>,
    /// Either kind: when the widget closes, as in its `data-closes`.
    pub(crate) closes: Option<String>,
}

impl Config {
    /// Reads the configuration of this process: command line and environment.
    pub fn from_process() -> Result<Config, ConfigError> {
        Config::load(std::env::args().skip(1), |name| std::env::var(name).ok())
    }

    /// Reads the configuration from command-line arguments (without the program name) and an
    /// environment lookup; separated from the process so that tests can pass both in.
    pub fn load(
        args: impl IntoIterator<Item = String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let path = config_path(args)?.or_else(|| env("MITMACHEN_CONFIG").filter(|p| !p.is_empty()));
        let file = match path {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    ConfigError::new("--config", format!("cannot read {path}: {e}"))
                })?;
                toml::from_str::<FileConfig>(&text)
                    .map_err(|e| ConfigError::new("--config", format!("{path}: {e}")))?
            }
            None => FileConfig::default(),
        };
        Config::build(file, env)
    }

    /// Parses a TOML text alone (no environment); for tests and tools.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let file = toml::from_str::<FileConfig>(text)
            .map_err(|e| ConfigError::new("config file", e.to_string()))?;
        Config::build(file, |_| None)
    }

    fn build(
        file: FileConfig,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut config = Config::default();

        if let Some(v) = env("MITMACHEN_LISTEN").or(file.listen) {
            config.listen = v.trim().parse().map_err(|_| {
                ConfigError::new(
                    "listen (MITMACHEN_LISTEN)",
                    format!("'{v}' is not an IP address with a port, e.g. 127.0.0.1:8080"),
                )
            })?;
        }
        if let Some(v) = env("MITMACHEN_DATABASE").or(file.database) {
            config.database = Database::parse(&v)?;
        }
        if let Some(v) = env("MITMACHEN_PUBLIC_URL")
            .or(file.public_url)
            .filter(|v| !v.is_empty())
        {
            config.public_url = Some(
                normalise_public_url(&v)
                    .map_err(|m| ConfigError::new("public_url (MITMACHEN_PUBLIC_URL)", m))?,
            );
        }
        let origins = match env("MITMACHEN_ALLOWED_ORIGINS") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            None => file.allowed_origins.unwrap_or_default(),
        };
        config.allowed_origins =
            normalise_origins(&origins, "allowed_origins (MITMACHEN_ALLOWED_ORIGINS)")?;
        let limit = match env("MITMACHEN_BODY_LIMIT") {
            Some(v) => Some(v.trim().parse::<i64>().map_err(|_| {
                ConfigError::new(
                    "body_limit (MITMACHEN_BODY_LIMIT)",
                    format!("'{v}' is not a number of bytes"),
                )
            })?),
            None => file.body_limit,
        };
        if let Some(limit) = limit {
            config.body_limit = usize::try_from(limit)
                .ok()
                .filter(|l| (1..=MAX_BODY_LIMIT).contains(l))
                .ok_or_else(|| {
                    ConfigError::new(
                        "body_limit (MITMACHEN_BODY_LIMIT)",
                        format!("{limit} is out of range (1 to {MAX_BODY_LIMIT} bytes)"),
                    )
                })?;
        }
        config.dist_dir = env("MITMACHEN_DIST_DIR")
            .map(PathBuf::from)
            .or(file.dist_dir);
        config.site_dir = env("MITMACHEN_SITE_DIR")
            .map(PathBuf::from)
            .or(file.site_dir);
        config.dist_dir = config.dist_dir.filter(|p| !p.as_os_str().is_empty());
        config.site_dir = config.site_dir.filter(|p| !p.as_os_str().is_empty());

        if let Some(v) = env("MITMACHEN_TRUST_FORWARDED_FOR") {
            config.trust_forwarded_for = parse_bool(&v).ok_or_else(|| {
                ConfigError::new(
                    "trust_forwarded_for (MITMACHEN_TRUST_FORWARDED_FOR)",
                    format!("'{v}' is neither true nor false"),
                )
            })?;
        } else if let Some(v) = file.trust_forwarded_for {
            config.trust_forwarded_for = v;
        }
        if let Some(n) = per_minute(
            &env,
            "rate_limit_submissions_per_minute (MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE)",
            "MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE",
            file.rate_limit_submissions_per_minute,
        )? {
            config.rate_limit_submissions_per_minute = n;
        }
        if let Some(n) = per_minute(
            &env,
            "rate_limit_reads_per_minute (MITMACHEN_RATE_LIMIT_READS_PER_MINUTE)",
            "MITMACHEN_RATE_LIMIT_READS_PER_MINUTE",
            file.rate_limit_reads_per_minute,
        )? {
            config.rate_limit_reads_per_minute = n;
        }
        if let Some(v) = env("MITMACHEN_NEW_WIDGETS").or(file.new_widgets) {
            config.new_widgets = match v.trim() {
                "adopt" => NewWidgets::Adopt,
                "draft" => NewWidgets::Draft,
                other => {
                    return Err(ConfigError::new(
                        "new_widgets (MITMACHEN_NEW_WIDGETS)",
                        format!("'{other}' is neither adopt nor draft"),
                    ));
                }
            };
        }
        if let Some(n) = per_minute(
            &env,
            "rate_limit_sign_ins_per_minute (MITMACHEN_RATE_LIMIT_SIGN_INS_PER_MINUTE)",
            "MITMACHEN_RATE_LIMIT_SIGN_INS_PER_MINUTE",
            file.rate_limit_sign_ins_per_minute,
        )? {
            config.rate_limit_sign_ins_per_minute = n;
        }

        if let Some(token) = env("MITMACHEN_ADMIN_TOKEN")
            .or(file.admin_token)
            .filter(|t| !t.is_empty())
        {
            config.admin_token = Some(admin_token(token)?);
        }

        for (id, widget) in file.widgets {
            let key = format!("widgets.{id}");
            let widget_id = WidgetId::parse(&id)
                .map_err(|e| ConfigError::new(&key, format!("the widget id {e}")))?;
            if let Some(origins) = &widget.allowed_origins {
                let origins = normalise_origins(origins, &format!("{key}.allowed_origins"))?;
                config.widgets.insert(widget_id.clone(), origins);
            }
            if let Some(moderation) = &widget.moderation {
                let moderation = match moderation.as_str() {
                    "pre" => Moderation::Pre,
                    "post" => Moderation::Post,
                    other => {
                        return Err(ConfigError::new(
                            format!("{key}.moderation"),
                            format!(
                                "'{other}' is neither \"pre\" (approve before showing) nor \"post\" (show at once, reject later)"
                            ),
                        ));
                    }
                };
                config.moderation.insert(widget_id.clone(), moderation);
            }
            let rules = crate::ballots::config::widget_rules(&key, &widget)?;
            if !rules.is_empty() {
                config.rules.insert(widget_id, rules);
            }
        }
        for (id, event) in file.events {
            let key = format!("events.{id}");
            let widget_id = WidgetId::parse(&id)
                .map_err(|e| ConfigError::new(&key, format!("the widget id {e}")))?;
            if config.rules.contains_key(&widget_id) {
                return Err(ConfigError::new(
                    &key,
                    format!("widgets.{id} declares poll or topic rules; an event is neither"),
                ));
            }
            config
                .events
                .insert(widget_id, crate::events::config::event(&key, event)?);
        }
        let webhook_secret = env("MITMACHEN_WEBHOOK_SECRET").filter(|s| !s.is_empty());
        for (id, newsletter) in file.newsletters {
            let key = format!("newsletters.{id}");
            let widget_id = WidgetId::parse(&id)
                .map_err(|e| ConfigError::new(&key, format!("the widget id {e}")))?;
            if config.rules.contains_key(&widget_id) || config.events.contains_key(&widget_id) {
                return Err(ConfigError::new(
                    &key,
                    format!("{id} is declared as another kind of widget too"),
                ));
            }
            let newsletter = crate::newsletters::config::newsletter(
                &key,
                newsletter,
                webhook_secret.as_deref(),
            )?;
            config.newsletters.insert(widget_id, newsletter);
        }
        let retention = match env("MITMACHEN_RETENTION_DAYS") {
            Some(v) => Some(v.trim().parse::<i64>().map_err(|_| {
                ConfigError::new(
                    "retention_days (MITMACHEN_RETENTION_DAYS)",
                    format!("'{v}' is not a number of days"),
                )
            })?),
            None => file.retention_days,
        };
        if let Some(days) = retention {
            config.retention_days =
                u32::try_from(days)
                    .ok()
                    .filter(|d| *d <= 3650)
                    .ok_or_else(|| {
                        ConfigError::new(
                            "retention_days (MITMACHEN_RETENTION_DAYS)",
                            format!("{days} is out of range (0 to 3650 days)"),
                        )
                    })?;
        }
        let audit = match env("MITMACHEN_AUDIT_RETENTION_DAYS") {
            Some(v) => Some(v.trim().parse::<i64>().map_err(|_| {
                ConfigError::new(
                    "audit_retention_days (MITMACHEN_AUDIT_RETENTION_DAYS)",
                    format!("'{v}' is not a number of days"),
                )
            })?),
            None => file.audit_retention_days,
        };
        if let Some(days) = audit {
            config.audit_retention_days = u32::try_from(days)
                .ok()
                .filter(|d| *d <= 36_500)
                .ok_or_else(|| {
                    ConfigError::new(
                        "audit_retention_days (MITMACHEN_AUDIT_RETENTION_DAYS)",
                        format!("{days} is out of range (0 for ever, or up to 36500 days)"),
                    )
                })?;
        }
        config.mail = mail::settings(file.mail, &env, &config.database)?;
        config.server = server::limits(file.server, &env)?;
        Ok(config)
    }

    /// How proposals to `widget` are moderated.
    pub fn moderation(&self, widget: &WidgetId) -> Moderation {
        self.moderation.get(widget).copied().unwrap_or_default()
    }

    /// The public URL, or `http://<bound address>` when none is configured.
    pub fn public_url_or(&self, bound: SocketAddr) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"))
    }
}

/// The origin (`scheme://host[:port]`) of a public URL, which may have a path.
pub fn origin_of(public_url: &str) -> String {
    let (scheme, rest) = public_url.split_once("://").unwrap_or(("http", public_url));
    let authority = rest.split('/').next().unwrap_or_default();
    let origin = format!("{scheme}://{authority}");
    normalise_origin(&origin).unwrap_or(origin)
}

/// At least [`MIN_ADMIN_TOKEN_LEN`] visible ASCII characters, so that it can be sent in a header
/// as typed and cannot be guessed.
fn admin_token(token: String) -> Result<AdminToken, ConfigError> {
    let key = "admin_token (MITMACHEN_ADMIN_TOKEN)";
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ConfigError::new(
            key,
            "may contain only visible ASCII characters (no spaces); e.g. `openssl rand -hex 32`",
        ));
    }
    if token.len() < MIN_ADMIN_TOKEN_LEN {
        return Err(ConfigError::new(
            key,
            format!(
                "has {} characters, at least {MIN_ADMIN_TOKEN_LEN} are needed; e.g. `openssl rand -hex 32`",
                token.len()
            ),
        ));
    }
    Ok(AdminToken(token))
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// A per-minute limit from the environment variable `var` or else the file; 0 turns it off.
fn per_minute(
    env: &impl Fn(&str) -> Option<String>,
    key: &str,
    var: &str,
    file: Option<i64>,
) -> Result<Option<u32>, ConfigError> {
    let value = match env(var) {
        Some(v) => v.trim().parse::<i64>().map_err(|_| {
            ConfigError::new(key, format!("'{v}' is not a number of requests per minute"))
        })?,
        None => match file {
            Some(n) => n,
            None => return Ok(None),
        },
    };
    u32::try_from(value).map(Some).map_err(|_| {
        ConfigError::new(
            key,
            format!(
                "{value} is out of range (0 to {}; 0 turns the limit off)",
                u32::MAX
            ),
        )
    })
}

/// Bodies are read into memory; a limit beyond this is a mistake, not a need.
const MAX_BODY_LIMIT: usize = 16 * 1024 * 1024;

fn config_path(args: impl IntoIterator<Item = String>) -> Result<Option<String>, ConfigError> {
    let mut args = args.into_iter();
    let mut path = None;
    while let Some(arg) = args.next() {
        if arg == "--config" {
            path = Some(
                args.next()
                    .ok_or_else(|| ConfigError::new("--config", "needs a file path"))?,
            );
        } else if let Some(p) = arg.strip_prefix("--config=") {
            path = Some(p.to_owned());
        } else {
            return Err(ConfigError::new(
                arg.clone(),
                "unknown argument (usage: collector [--config PATH]; other settings come from MITMACHEN_* variables)",
            ));
        }
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballots::rules::BallotRules;
    use mitmachen_shared::ids::OptionKey;
    use mitmachen_shared::time::parse_datetime;
    use mitmachen_shared::topics::DotRules;
    use std::collections::{BTreeSet, HashMap};

    fn load(env: &[(&str, &str)], args: &[&str]) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load(args.iter().map(|s| s.to_string()), |k| env.get(k).cloned())
    }

    #[test]
    fn defaults_work_without_anything() {
        let c = load(&[], &[]).expect("defaults");
        assert_eq!(c, Config::default());
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(
            c.public_url_or("127.0.0.1:9000".parse().expect("addr")),
            "http://127.0.0.1:9000"
        );
    }

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            normalise_origin("HTTPS://WWW.Musterstadt.de/"),
            Ok("https://www.musterstadt.de".into())
        );
        assert_eq!(
            normalise_origin("https://a.de:443"),
            Ok("https://a.de".into())
        );
        assert_eq!(
            normalise_origin("http://localhost:8000"),
            Ok("http://localhost:8000".into())
        );
        assert_eq!(
            normalise_origin("http://[::1]:80"),
            Ok("http://[::1]".into())
        );
        for bad in [
            "*",
            "null",
            "musterstadt.de",
            "ftp://a.de",
            "https://a.de/path",
            "https://a.de:0",
            "https://a.de:99999",
            "https://",
            "https://*.a.de",
            "https://u@a.de",
            "https://a.de:x",
        ] {
            assert!(normalise_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            r#"
            listen = "0.0.0.0:9000"
            allowed_origins = ["https://a.de"]
            body_limit = 1000
            [widgets.haushalt]
            allowed_origins = ["https://b.de/"]
            "#,
        )
        .expect("write");
        let p = path.to_string_lossy().to_string();
        let c = load(
            &[
                ("MITMACHEN_LISTEN", "127.0.0.1:0"),
                ("MITMACHEN_ALLOWED_ORIGINS", "https://c.de, http://d.de:81"),
            ],
            &["--config", &p],
        )
        .expect("loads");
        assert_eq!(c.listen.port(), 0);
        assert_eq!(c.allowed_origins, vec!["https://c.de", "http://d.de:81"]);
        assert_eq!(c.body_limit, 1000);
        let id = WidgetId::parse("haushalt").expect("id");
        assert_eq!(c.widgets[&id], vec!["https://b.de"]);
        let via_env = load(&[("MITMACHEN_CONFIG", &p)], &[]).expect("loads");
        assert_eq!(via_env.listen.port(), 9000);
    }

    #[test]
    fn bad_values_name_their_key() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("MITMACHEN_LISTEN", "localhost")], "listen"),
            (&[("MITMACHEN_BODY_LIMIT", "16k")], "body_limit"),
            (&[("MITMACHEN_BODY_LIMIT", "0")], "body_limit"),
            (
                &[("MITMACHEN_ALLOWED_ORIGINS", "https://a.de,*")],
                "allowed_origins",
            ),
            (&[("MITMACHEN_PUBLIC_URL", "beteiligung.de")], "public_url"),
            (&[("MITMACHEN_PUBLIC_URL", "https://a.de/?x")], "public_url"),
            (
                &[("MITMACHEN_TRUST_FORWARDED_FOR", "maybe")],
                "trust_forwarded_for",
            ),
            (
                &[("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "-1")],
                "rate_limit_submissions_per_minute",
            ),
            (
                &[("MITMACHEN_RATE_LIMIT_READS_PER_MINUTE", "lots")],
                "rate_limit_reads_per_minute",
            ),
        ];
        for (env, key) in cases {
            let err = load(env, &[]).expect_err("refused");
            assert!(err.key.starts_with(key), "{err}");
        }
        assert!(load(&[], &["--port", "1"]).is_err());
        assert!(load(&[], &["--config"]).is_err());
        assert!(load(&[], &["--config", "/nonexistent/c.toml"]).is_err());
    }

    #[test]
    fn rate_limits_and_forwarding() {
        let c = load(&[], &[]).expect("defaults");
        assert!(!c.trust_forwarded_for);
        assert_eq!(
            (
                c.rate_limit_submissions_per_minute,
                c.rate_limit_reads_per_minute
            ),
            (30, 300)
        );
        let file = Config::from_toml(
            "trust_forwarded_for = true\nrate_limit_submissions_per_minute = 5\n\
             rate_limit_reads_per_minute = 0\n",
        )
        .expect("file");
        assert!(file.trust_forwarded_for);
        assert_eq!(file.rate_limit_submissions_per_minute, 5);
        assert_eq!(file.rate_limit_reads_per_minute, 0);
        let env = load(
            &[
                ("MITMACHEN_TRUST_FORWARDED_FOR", "TRUE"),
                ("MITMACHEN_RATE_LIMIT_SUBMISSIONS_PER_MINUTE", "7"),
                ("MITMACHEN_RATE_LIMIT_READS_PER_MINUTE", " 70 "),
            ],
            &[],
        )
        .expect("env");
        assert!(env.trust_forwarded_for);
        assert_eq!(
            (
                env.rate_limit_submissions_per_minute,
                env.rate_limit_reads_per_minute
            ),
            (7, 70)
        );
        assert!(Config::from_toml("rate_limit_reads_per_minute = 5000000000").is_err());
        assert_eq!(
            Config::from_toml("rate_limit_reads_per_minute = 100000000")
                .expect("a large limit")
                .rate_limit_reads_per_minute,
            100_000_000
        );
        assert!(Config::from_toml("trust_forwarded_for = \"yes\"").is_err());
    }

    #[test]
    fn admin_token_and_moderation() {
        let token = "0123456789abcdef0123456789abcdef";
        let c = load(&[("MITMACHEN_ADMIN_TOKEN", token)], &[]).expect("token");
        assert_eq!(c.admin_token.as_ref().map(AdminToken::as_str), Some(token));
        assert!(
            !format!("{c:?}").contains(token),
            "the token reaches no log"
        );
        assert_eq!(
            load(&[("MITMACHEN_ADMIN_TOKEN", "")], &[])
                .expect("off")
                .admin_token,
            None
        );
        for bad in [
            "short",
            "0123456789abcdef 0123456789abcdef",
            "ä123456789abcdef0123456789abcdef",
        ] {
            let err = load(&[("MITMACHEN_ADMIN_TOKEN", bad)], &[]).expect_err(bad);
            assert!(err.key.starts_with("admin_token"), "{err}");
            assert!(!err.to_string().contains(bad), "{err}");
        }
        let file = Config::from_toml(&format!(
            "admin_token = \"{token}\"\n[widgets.ideen]\nmoderation = \"post\"\n\
             [widgets.rat]\nmoderation = \"pre\"\nallowed_origins = [\"https://b.de\"]\n"
        ))
        .expect("file");
        assert!(file.admin_token.is_some());
        let id = |s: &str| WidgetId::parse(s).expect("id");
        assert_eq!(file.moderation(&id("ideen")), Moderation::Post);
        assert_eq!(file.moderation(&id("rat")), Moderation::Pre);
        assert_eq!(file.moderation(&id("other")), Moderation::Pre);
        // A widget that only sets its moderation keeps the global origins.
        assert!(!file.widgets.contains_key(&id("ideen")));
        assert_eq!(file.widgets[&id("rat")], vec!["https://b.de"]);
        let err = Config::from_toml("[widgets.ideen]\nmoderation = \"later\"").expect_err("bad");
        assert_eq!(err.key, "widgets.ideen.moderation");
    }

    #[test]
    fn widget_rules() {
        let c = Config::from_toml(
            "[widgets.fokus]\ndots = 5\ndots_per_topic = 2\ntopics = [\"radwege\", \"baenke\"]\n\
             closes = \"31.12.2026 18:00\"\n\
             [widgets.umfrage]\noptions = [\"ja\", \"nein\"]\n\
             [widgets.ideen]\ntopics = []\n\
             [widgets.nur-origins]\nallowed_origins = [\"https://b.de\"]\n",
        )
        .expect("file");
        let id = |s: &str| WidgetId::parse(s).expect("id");
        let key = |s: &str| OptionKey::parse(s).expect("key");
        let fokus = &c.rules[&id("fokus")];
        assert_eq!(
            fokus.ballot,
            Some(BallotRules::Topics {
                dots: DotRules {
                    dots: 5,
                    per_topic: 2
                },
                topics: Some([key("radwege"), key("baenke")].into()),
            })
        );
        let closes = fokus.closes.as_ref().expect("closes");
        assert_eq!(Some(closes.at), parse_datetime("2026-12-31T17:00Z").ok());
        assert_eq!(
            c.rules[&id("umfrage")].ballot,
            Some(BallotRules::Poll {
                options: Some([key("ja"), key("nein")].into()),
                max_choices: 1,
            })
        );
        // The widget's own defaults: 3 dots, 1 per topic; only approved proposals as topics.
        assert_eq!(
            c.rules[&id("ideen")].ballot,
            Some(BallotRules::Topics {
                dots: DotRules::default(),
                topics: Some(BTreeSet::new()),
            })
        );
        assert!(!c.rules.contains_key(&id("nur-origins")));

        for (toml, key) in [
            ("dots = 0", "widgets.w.dots"),
            ("dots = 21", "widgets.w.dots"),
            ("dots = 2\ndots_per_topic = 3", "widgets.w.dots_per_topic"),
            ("dots_per_topic = 4", "widgets.w.dots_per_topic"),
            ("topics = [\"Radwege\"]", "widgets.w.topics"),
            ("topics = [\"a\", \"a\"]", "widgets.w.topics"),
            ("options = []", "widgets.w.options"),
            (
                "options = [\"ja\"]\nmax_choices = 2",
                "widgets.w.max_choices",
            ),
            ("max_choices = 0", "widgets.w.max_choices"),
            ("closes = \"morgen\"", "widgets.w.closes"),
            ("closes = \"31.02.2026\"", "widgets.w.closes"),
            ("dots = 3\noptions = [\"ja\"]", "widgets.w"),
        ] {
            let err = Config::from_toml(&format!("[widgets.w]\n{toml}\n")).expect_err(toml);
            assert_eq!(err.key, key, "{toml}: {err}");
        }
    }

    #[test]
    fn bad_file_values_are_refused() {
        let err =
            Config::from_toml("[widgets.Haushalt]\nallowed_origins = []").expect_err("bad id");
        assert_eq!(err.key, "widgets.Haushalt");
        let err =
            Config::from_toml("[widgets.a]\nallowed_origins = [\"a.de\"]").expect_err("bad origin");
        assert_eq!(err.key, "widgets.a.allowed_origins");
        assert!(Config::from_toml("listen_on = \"x\"").is_err());
        assert!(Config::from_toml("body_limit = -5").is_err());
        let ok =
            Config::from_toml("public_url = \"https://beteiligung.musterstadt.de/mitmachen/\"")
                .expect("ok");
        assert_eq!(
            ok.public_url.as_deref(),
            Some("https://beteiligung.musterstadt.de/mitmachen")
        );
    }
}
