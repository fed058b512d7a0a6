//! `config.toml`: every setting with its default. Unknown keys are reported, not fatal.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// The user agent sent with every request unless configured. The project has no public home
/// yet, so it names no URL: a contact comes from `doi.mailto` (see [`Config::user_agent`]).
pub fn default_user_agent() -> String {
    format!("paperboy/{}", env!("CARGO_PKG_VERSION"))
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct FetchConfig {
    pub timeout_secs: u64,
    pub connect_timeout_secs: u64,
    pub max_redirects: usize,
    pub max_body_mib: u64,
    pub user_agent: String,
    /// Feeds fetched at once by `refresh`.
    pub jobs: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            timeout_secs: 30,
            connect_timeout_secs: 10,
            max_redirects: 5,
            max_body_mib: 16,
            user_agent: default_user_agent(),
            jobs: 16,
        }
    }
}

impl FetchConfig {
    pub fn max_body_bytes(&self) -> u64 {
        self.max_body_mib.saturating_mul(1024 * 1024)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct DoiConfig {
    pub resolver: String,
    pub mailto: Option<String>,
    pub bib_file: Option<String>,
    /// How long a cached look-up stays fresh.
    pub cache_days: u64,
}

impl Default for DoiConfig {
    fn default() -> Self {
        DoiConfig {
            resolver: "https://doi.org".to_string(),
            mailto: None,
            bib_file: None,
            cache_days: 30,
        }
    }
}

/// `[papers]`: the citation style, and the services that turn non-DOI papers into citations.
/// Each base URL is a setting so that tests point them at 127.0.0.1.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct PapersConfig {
    /// The arXiv API, asked `?id_list=ID,ID,…&max_results=N`.
    pub arxiv_api: String,
    /// Milliseconds between two arXiv requests. arXiv's terms ask for 3 s: a lower value is
    /// only honoured for a loopback `arxiv_api` (tests), never for a real host.
    pub arxiv_interval_ms: u64,
    /// NCBI E-utilities, asked `/esummary.fcgi?db=pubmed&id=…&retmode=json`.
    pub eutils_api: String,
    /// The PMC ID converter, asked `?ids=PMC…&format=json`.
    pub pmc_idconv_api: String,
    /// An NCBI API key (sent as `api_key=`): lifts NCBI's limit from 3 to 10 requests a second.
    pub ncbi_api_key: Option<String>,
    /// The citation style of the reader's lines and `cite`: a bundled style's name
    /// (`paperboy styles`) or a CSL file's path.
    pub style: String,
    /// Crossref's REST API, asked `/works?filter=doi:A,doi:B,…` for retractions and corrections.
    pub crossref_api: String,
    /// Unpaywall, asked `/{doi}?email=…` for a paper's open-access copy.
    pub unpaywall_api: String,
    /// Zotero's connector server (Zotero desktop listens there while it runs).
    pub zotero_connector: String,
    /// Days after which a paper's health (retractions, corrections) is checked again.
    pub health_days: u64,
    /// A command that saves a paper elsewhere than Zotero, run without a shell: `%d` is the
    /// DOI, `%b` a temporary BibTeX file.
    pub save_command: Option<Vec<String>>,
}

impl Default for PapersConfig {
    fn default() -> Self {
        PapersConfig {
            arxiv_api: "https://export.arxiv.org/api/query".to_string(),
            arxiv_interval_ms: 3000,
            eutils_api: "https://eutils.ncbi.nlm.nih.gov/entrez/eutils".to_string(),
            pmc_idconv_api: "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles/"
                .to_string(),
            ncbi_api_key: None,
            style: DEFAULT_CITATION_STYLE.to_string(),
            crossref_api: "https://api.crossref.org".to_string(),
            unpaywall_api: "https://api.unpaywall.org/v2".to_string(),
            zotero_connector: "http://127.0.0.1:23119".to_string(),
            health_days: 7,
            save_command: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct ArchiveConfig {
    pub page_delay_ms: u64,
    pub max_pages: usize,
}

impl Default for ArchiveConfig {
    fn default() -> Self {
        ArchiveConfig {
            page_delay_ms: 500,
            max_pages: 200,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct UiConfig {
    pub refresh_on_start: bool,
    pub refresh_interval_minutes: u64,
    /// `"default"` or `"mono"`; `NO_COLOR` forces mono.
    pub theme: String,
}

impl Default for UiConfig {
    fn default() -> Self {
        UiConfig {
            refresh_on_start: true,
            refresh_interval_minutes: 0,
            theme: "default".to_string(),
        }
    }
}

/// The citation style used unless `[papers] style` names another.
pub const DEFAULT_CITATION_STYLE: &str = "apa";

/// `[sync]`: an account on a Google Reader API server (FreshRSS, Miniflux, Inoreader, ...).
/// Exactly one of the password settings is used; the password itself is read only when a sync
/// runs (see `crate::sync::account`), never stored.
#[derive(Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct SyncConfig {
    /// `"greader"`, the only kind for now.
    pub kind: Option<String>,
    /// The API's base URL (FreshRSS: `https://host/api/greader.php`).
    pub url: String,
    pub username: String,
    /// A command (no shell) whose first line of output is the password.
    pub password_command: Option<Vec<String>>,
    /// An environment variable holding the password.
    pub password_env: Option<String>,
    /// The password itself: accepted only in a config file no one else can read.
    pub password: Option<String>,
}

// By hand, so that a plain password never reaches a log or an error message.
impl std::fmt::Debug for SyncConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncConfig")
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password_command", &self.password_command)
            .field("password_env", &self.password_env)
            .field("password", &self.password.as_ref().map(|_| "(hidden)"))
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Browser command as an argument list; `%u` is replaced by the URL (else appended).
    pub browser: Option<Vec<String>>,
    pub fetch: FetchConfig,
    pub doi: DoiConfig,
    pub papers: PapersConfig,
    pub archive: ArchiveConfig,
    pub ui: UiConfig,
    /// The sync account, if any.
    pub sync: Option<SyncConfig>,
    /// Key rebindings: action name → list of keys (e.g. `down = ["j", "Down"]`).
    pub keys: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Invalid { path: String, message: String },
    #[error(
        "config file {path} does not exist (named by --config or PAPERBOY_CONFIG): create it, \
         or name the file you meant"
    )]
    Missing { path: String },
}

/// A config and the warnings met while reading it (unknown keys).
#[derive(Debug, Clone, Default)]
pub struct LoadedConfig {
    pub config: Config,
    pub warnings: Vec<String>,
}

impl Config {
    /// The user agent to send. The default one carries the `doi.mailto` contact where set
    /// (`paperboy/0.1.0 (mailto:you@example.org)`), as Crossref asks and as site operators read;
    /// one set by hand is sent as written.
    pub fn user_agent(&self) -> String {
        let contact = self.doi.mailto.as_deref().map(str::trim);
        match contact.filter(|m| !m.is_empty()) {
            Some(m) if self.fetch.user_agent == default_user_agent() => {
                format!("{} (mailto:{m})", self.fetch.user_agent)
            }
            _ => self.fetch.user_agent.clone(),
        }
    }

    /// The config of `paths`: a file named by hand must exist (a typo must not silently run on
    /// defaults); the default file may be absent, which gives the defaults.
    pub fn load_for(paths: &crate::paths::Paths) -> Result<LoadedConfig, ConfigError> {
        Self::read(&paths.config_file, paths.config_named)
    }

    fn read(path: &Path, required: bool) -> Result<LoadedConfig, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if required {
                    return Err(ConfigError::Missing {
                        path: path.display().to_string(),
                    });
                }
                return Ok(LoadedConfig::default());
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        Self::from_toml(&text, &path.display().to_string())
    }

    /// Parses TOML text; `origin` names the file in messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<LoadedConfig, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: origin.to_string(),
            message,
        };
        let value: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| invalid(describe_toml_error(text, &e)))?;
        let mut warnings = unknown_keys(&value);
        let config: Config = toml::from_str(text)
            .map_err(|e: toml::de::Error| invalid(describe_toml_error(text, &e)))?;
        if !THEMES.contains(&config.ui.theme.as_str()) {
            warnings.push(format!(
                "unknown theme `{}` in ui.theme (the default is used; themes: {})",
                crate::text::scrub::scrub_line(&config.ui.theme),
                THEMES.join(", ")
            ));
        }
        // Said where every config warning is said: on stderr and in the reader's status line.
        if let Some(w) = (config.sync.as_ref()).and_then(|s| cleartext_warning(&s.url)) {
            warnings.push(w);
        }
        Ok(LoadedConfig { config, warnings })
    }
}

fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {msg}")
        }
        None => msg,
    }
}

/// The values `ui.theme` takes.
const THEMES: &[&str] = &["default", "mono"];

const KNOWN: &[(&str, &[&str])] = &[
    ("browser", &[]),
    ("keys", &[]),
    (
        "fetch",
        &[
            "timeout_secs",
            "connect_timeout_secs",
            "max_redirects",
            "max_body_mib",
            "user_agent",
            "jobs",
        ],
    ),
    ("doi", &["resolver", "mailto", "bib_file", "cache_days"]),
    (
        "papers",
        &[
            "arxiv_api",
            "arxiv_interval_ms",
            "eutils_api",
            "pmc_idconv_api",
            "ncbi_api_key",
            "style",
            "crossref_api",
            "unpaywall_api",
            "zotero_connector",
            "health_days",
            "save_command",
        ],
    ),
    ("archive", &["page_delay_ms", "max_pages"]),
    (
        "ui",
        &["refresh_on_start", "refresh_interval_minutes", "theme"],
    ),
    (
        "sync",
        &[
            "kind",
            "url",
            "username",
            "password_command",
            "password_env",
            "password",
        ],
    ),
];

fn unknown_keys(table: &toml::Table) -> Vec<String> {
    let mut out = Vec::new();
    for (key, value) in table {
        match KNOWN.iter().find(|(k, _)| k == key) {
            None => out.push(format!("unknown config key `{key}` (ignored)")),
            Some((_, fields)) if !fields.is_empty() => {
                if let Some(sub) = value.as_table() {
                    for k in sub.keys() {
                        if !fields.contains(&k.as_str()) {
                            out.push(format!("unknown config key `{key}.{k}` (ignored)"));
                        }
                    }
                }
            }
            Some(_) => {}
        }
    }
    out
}

/// A warning when `url` would send the password in clear text: http to a host other than
/// loopback (127.0.0.0/8, ::1, localhost).
pub fn cleartext_warning(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    if parsed.scheme() != "http" {
        return None;
    }
    let loopback = match parsed.host()? {
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
        url::Host::Domain(d) => d.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
    };
    (!loopback).then(|| {
        format!(
            "[sync] url {} is plain http: the password and the auth token travel in clear \
             text; use https",
            crate::text::scrub::shown_url(url)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_documented_values() {
        let c = Config::from_toml("", "t").unwrap().config;
        assert_eq!(c.fetch.timeout_secs, 30);
        assert_eq!(c.fetch.connect_timeout_secs, 10);
        assert_eq!(c.fetch.max_redirects, 5);
        assert_eq!(c.fetch.max_body_mib, 16);
        assert!(c.fetch.user_agent.starts_with("paperboy/"));
        assert_eq!(c.doi.resolver, "https://doi.org");
        assert_eq!(c.papers.arxiv_api, "https://export.arxiv.org/api/query");
        assert_eq!(c.papers.arxiv_interval_ms, 3000);
        assert_eq!(
            c.papers.eutils_api,
            "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
        );
        assert_eq!(
            c.papers.pmc_idconv_api,
            "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles/"
        );
        assert_eq!(c.papers.ncbi_api_key, None);
        assert_eq!(c.archive.page_delay_ms, 500);
        assert_eq!(c.archive.max_pages, 200);
        assert!(c.ui.refresh_on_start);
    }

    #[test]
    fn the_default_user_agent_names_the_version_and_the_contact() {
        let plain = Config::from_toml("", "t").unwrap().config;
        assert_eq!(
            plain.user_agent(),
            format!("paperboy/{}", env!("CARGO_PKG_VERSION"))
        );
        let polite = Config::from_toml("[doi]\nmailto = \" me@example.org \"\n", "t")
            .unwrap()
            .config;
        assert_eq!(
            polite.user_agent(),
            format!(
                "paperboy/{} (mailto:me@example.org)",
                env!("CARGO_PKG_VERSION")
            )
        );
        let own = "[fetch]\nuser_agent = \"lab-bot/2\"\n[doi]\nmailto = \"me@example.org\"\n";
        let own = Config::from_toml(own, "t").unwrap().config;
        assert_eq!(
            own.user_agent(),
            "lab-bot/2",
            "a hand-set agent is sent as written"
        );
        let blank = Config::from_toml("[doi]\nmailto = \"\"\n", "t")
            .unwrap()
            .config;
        assert_eq!(blank.user_agent(), default_user_agent());
    }

    #[test]
    fn the_papers_style_is_read_and_defaults_to_apa() {
        let c = Config::from_toml("", "t").unwrap();
        assert_eq!(c.config.papers.style, "apa");
        let c = Config::from_toml("[papers]\nstyle = \"vancouver\"\n", "t").unwrap();
        assert_eq!(c.config.papers.style, "vancouver");
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn the_health_access_and_save_settings_are_read_with_their_defaults() {
        let d = Config::from_toml("", "t").unwrap().config.papers;
        assert_eq!(d.crossref_api, "https://api.crossref.org");
        assert_eq!(d.unpaywall_api, "https://api.unpaywall.org/v2");
        assert_eq!(d.zotero_connector, "http://127.0.0.1:23119");
        assert_eq!(d.health_days, 7);
        assert_eq!(d.save_command, None);
        let text = "[papers]\ncrossref_api = \"http://127.0.0.1:9/cr\"\n\
                    unpaywall_api = \"http://127.0.0.1:9/up\"\n\
                    zotero_connector = \"http://127.0.0.1:9\"\nhealth_days = 3\n\
                    save_command = [\"papis\", \"add\", \"--from\", \"doi\", \"%d\"]\n";
        let c = Config::from_toml(text, "t").unwrap();
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let p = c.config.papers;
        assert_eq!(p.crossref_api, "http://127.0.0.1:9/cr");
        assert_eq!(p.unpaywall_api, "http://127.0.0.1:9/up");
        assert_eq!(p.zotero_connector, "http://127.0.0.1:9");
        assert_eq!(p.health_days, 3);
        assert_eq!(
            p.save_command.as_deref(),
            Some(&["papis", "add", "--from", "doi", "%d"].map(String::from)[..])
        );
    }

    #[test]
    fn invalid_toml_names_the_line() {
        let err =
            Config::from_toml("[fetch]\ntimeout_secs = 3\njobs = = 2\n", "c.toml").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("c.toml"), "{text}");
        assert!(text.contains("line 3"), "{text}");
    }

    #[test]
    fn wrong_type_names_the_line() {
        let err = Config::from_toml("[fetch]\n\ntimeout_secs = \"x\"\n", "c.toml").unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
    }

    #[test]
    fn an_unknown_theme_warns() {
        let l = Config::from_toml("[ui]\ntheme = \"neon\"\n", "c").unwrap();
        assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
        assert!(l.warnings[0].contains("neon"), "{:?}", l.warnings);
        for ok in ["default", "mono"] {
            let l = Config::from_toml(&format!("[ui]\ntheme = \"{ok}\"\n"), "c").unwrap();
            assert!(l.warnings.is_empty(), "{ok}: {:?}", l.warnings);
        }
    }

    #[test]
    fn a_sync_url_in_clear_text_warns_unless_it_is_this_machine() {
        let text = |url: &str| format!("[sync]\nurl = \"{url}\"\nusername = \"a\"\n");
        let far = Config::from_toml(&text("http://rss.example.org/api/greader.php"), "c").unwrap();
        assert_eq!(far.warnings.len(), 1, "{:?}", far.warnings);
        assert!(far.warnings[0].contains("clear text"), "{:?}", far.warnings);
        for ok in [
            "https://rss.example.org/api",
            "http://127.0.0.1:8777/api/greader.php",
        ] {
            assert!(
                Config::from_toml(&text(ok), "c")
                    .unwrap()
                    .warnings
                    .is_empty(),
                "{ok}"
            );
        }
    }

    #[test]
    fn unknown_keys_warn() {
        let l = Config::from_toml("colour = 1\n[fetch]\ntimeout = 3\n", "c").unwrap();
        assert_eq!(l.warnings.len(), 2, "{:?}", l.warnings);
        assert!(l.warnings[0].contains("colour"));
        assert!(l.warnings[1].contains("fetch.timeout"));
    }

    #[test]
    fn cleartext_warning_only_off_loopback() {
        assert!(cleartext_warning("http://127.0.0.1:8777/api/greader.php").is_none());
        assert!(cleartext_warning("http://[::1]:8777/api").is_none());
        assert!(cleartext_warning("http://LocalHost/api").is_none());
        assert!(cleartext_warning("https://rss.example.org/api").is_none());
        let w = cleartext_warning("http://rss.example.org/api/greader.php").unwrap();
        assert!(
            w.contains("clear text") && w.contains("rss.example.org"),
            "{w}"
        );
        assert!(cleartext_warning("http://10.0.0.2/api").is_some());
    }
}
