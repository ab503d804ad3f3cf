//! The server's configuration: one documented struct, read from flags or `LOGDASH_*` variables.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// logdash: a focused log dashboard for the Elasticsearch stack.
///
/// One binary serves the dashboard and a read-only Elasticsearch API under /es/,
/// answered by an embedded log store kept in --data-dir, which takes logs over a
/// Logstash-compatible TCP input (json_lines) and Elasticsearch's _bulk API.
/// With --elasticsearch, /es/ is a read-only proxy to a real cluster instead.
/// Every option can also be set by the environment variable named beside it.
#[derive(Debug, Clone, Parser)]
#[command(name = "logdash", version, about, long_about)]
pub struct Config {
    /// Address of the dashboard, /es/ and /api/ (HTTP). Keep it on 127.0.0.1 unless
    /// the dashboard should be reachable from other machines.
    #[arg(long, env = "LOGDASH_LISTEN", default_value = "127.0.0.1:5380")]
    pub listen: SocketAddr,

    /// Proxy mode: read from this Elasticsearch (7.10+, 8.x, 9.x) or OpenSearch cluster
    /// instead of the embedded store, e.g. http://elasticsearch:9200. The store is not
    /// opened and the ingest inputs stay off (logs go to Logstash or the cluster) unless
    /// --ingest is given.
    #[arg(long, env = "LOGDASH_ELASTICSEARCH", value_name = "URL")]
    pub elasticsearch: Option<String>,

    /// Proxy mode: user for basic authentication to the cluster (the browser never sees it).
    #[arg(long, env = "LOGDASH_ES_USERNAME")]
    pub es_username: Option<String>,

    /// Proxy mode: password for --es-username.
    #[arg(long, env = "LOGDASH_ES_PASSWORD", hide_env_values = true)]
    pub es_password: Option<String>,

    /// Proxy mode: API key (the base64 "id:key" Elasticsearch returns); wins over basic auth.
    #[arg(long, env = "LOGDASH_ES_API_KEY", hide_env_values = true)]
    pub es_api_key: Option<String>,

    /// Proxy mode: PEM file of a CA to trust for an https:// cluster (besides the system's).
    #[arg(long, env = "LOGDASH_ES_CA_FILE", value_name = "PATH")]
    pub es_ca_file: Option<PathBuf>,

    /// Proxy mode: seconds to wait for the cluster before answering 504.
    #[arg(long, env = "LOGDASH_ES_TIMEOUT_SECS", default_value_t = 30)]
    pub es_timeout_secs: u64,

    /// Proxy mode: requests in flight to the cluster at once; more wait briefly, then get 503.
    #[arg(long, env = "LOGDASH_ES_MAX_CONNECTIONS", default_value_t = 32)]
    pub es_max_connections: usize,

    /// Proxy mode: the cluster index that holds saved queries (written with the server's
    /// credentials, read only through /api/saved-queries).
    #[arg(
        long,
        env = "LOGDASH_SAVED_QUERIES_INDEX",
        default_value = ".logdash-saved-queries"
    )]
    pub saved_queries_index: String,

    /// Proxy mode: the cluster index that holds short links (`?s=<id>`), written with the
    /// server's credentials, read only through /api/links.
    #[arg(
        long,
        env = "LOGDASH_SHORT_LINKS_INDEX",
        default_value = ".logdash-short-links"
    )]
    pub short_links_index: String,

    /// Origins (scheme://host:port) whose pages may call /es/ and /api/ from the browser
    /// (CORS), comma-separated. Empty: only the dashboard's own origin.
    #[arg(long, env = "LOGDASH_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// A token that creating, changing and deleting saved queries requires
    /// (Authorization: Bearer TOKEN); without it everyone may edit them.
    #[arg(long, env = "LOGDASH_EDITOR_TOKEN", hide_env_values = true)]
    pub editor_token: Option<String>,

    /// Directory where the embedded store keeps its indices (and saved queries).
    #[arg(long, env = "LOGDASH_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Address of the Logstash-compatible TCP input: one JSON event per line (json_lines),
    /// as python-logstash-async's TcpTransport sends them.
    #[arg(long, env = "LOGDASH_INGEST_TCP", default_value = "127.0.0.1:5000")]
    pub ingest_tcp: SocketAddr,

    /// Address of the Elasticsearch-compatible HTTP input (POST /_bulk, /{index}/_bulk).
    #[arg(long, env = "LOGDASH_INGEST_HTTP", default_value = "127.0.0.1:9200")]
    pub ingest_http: SocketAddr,

    /// Do not open the ingest listeners (read and dashboard only).
    #[arg(long, env = "LOGDASH_NO_INGEST", conflicts_with = "ingest")]
    pub no_ingest: bool,

    /// Proxy mode: open the TCP input too, and send what it takes on to the cluster
    /// through _bulk ({index-prefix}-YYYY.MM.DD indices, the server's credentials), in
    /// place of a Logstash. The _bulk HTTP input stays off: shippers can use the cluster's.
    #[arg(long, env = "LOGDASH_INGEST", requires = "elasticsearch")]
    pub ingest: bool,

    /// Longest accepted log line on the TCP input, in bytes; longer lines are refused,
    /// counted and logged, and the connection goes on.
    #[arg(long, env = "LOGDASH_MAX_LINE_BYTES", default_value_t = 1 << 20)]
    pub max_line_bytes: usize,

    /// Seconds a client may take to send a request's headers before its connection is
    /// closed; a kept-alive connection that sends nothing is closed after as long.
    #[arg(long, env = "LOGDASH_HEADER_TIMEOUT_SECS", default_value_t = 30)]
    pub header_timeout_secs: u64,

    /// Connections each port (dashboard, _bulk, tcp input) serves at once; past it, new
    /// connections wait until one ends.
    #[arg(long, env = "LOGDASH_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,

    /// Live streams (/api/tail, the dashboard's push tail) open at once; past it, 503 and
    /// the dashboard polls.
    #[arg(long, env = "LOGDASH_MAX_TAIL_WATCHERS", default_value_t = 256)]
    pub max_tail_watchers: usize,

    /// Different views (index pattern and query) streamed live at once; past it, 503.
    #[arg(long, env = "LOGDASH_MAX_TAIL_VIEWS", default_value_t = 64)]
    pub max_tail_views: usize,

    /// Exports (/api/export, the dashboard's Export) running at once; past it, 503.
    #[arg(long, env = "LOGDASH_MAX_EXPORTS", default_value_t = 4)]
    pub max_exports: usize,

    /// The most events one export file holds; a longer one stops there and says so.
    #[arg(long, env = "LOGDASH_EXPORT_MAX_EVENTS", default_value_t = 1_000_000)]
    pub export_max_events: u64,

    /// Largest accepted request body on /es/ (searches), in bytes.
    #[arg(long, env = "LOGDASH_MAX_BODY_BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,

    /// Largest accepted _bulk body on the HTTP input, in bytes.
    #[arg(long, env = "LOGDASH_MAX_BULK_BYTES", default_value_t = 100 << 20)]
    pub max_bulk_bytes: usize,

    /// Events that name no index go to {prefix}-YYYY.MM.DD, as Logstash names them.
    #[arg(long, env = "LOGDASH_INDEX_PREFIX", default_value = "logstash")]
    pub index_prefix: String,

    /// Threads one search of the embedded store reads with, and searches one _msearch
    /// runs at once; 0: as many as there are cores.
    #[arg(long, env = "LOGDASH_SEARCH_THREADS", default_value_t = 0)]
    pub search_threads: usize,

    /// Do not store Logstash's own index template (`logstash`, for {prefix}-*) in the
    /// store at start (in proxy mode with --ingest: in the cluster, before the first
    /// events): new daily indices are then mapped as their events come, and take events
    /// whose fields disagree with earlier ones (one already stored stays: delete it with
    /// DELETE /_index_template/logstash on the ingest port).
    #[arg(long, env = "LOGDASH_NO_LOGSTASH_TEMPLATE")]
    pub no_logstash_template: bool,

    /// Logstash's template is put by default: this earlier flag is still taken, and does
    /// nothing.
    #[arg(long, env = "LOGDASH_LOGSTASH_TEMPLATE", hide = true)]
    pub logstash_template: bool,

    /// Drop daily indices older than this many days (0 keeps everything).
    #[arg(long, env = "LOGDASH_RETENTION_DAYS", default_value_t = 0)]
    pub retention_days: u32,

    /// Index patterns /es/ may read, comma-separated (system indices starting with '.'
    /// only when a pattern names them).
    #[arg(
        long,
        env = "LOGDASH_ALLOWED_INDICES",
        default_value = "*",
        value_delimiter = ','
    )]
    pub allowed_indices: Vec<String>,

    /// Run a built-in traffic simulator: users calling the example Flask app's endpoints,
    /// with slow spells and error bursts, sent through the TCP input (in proxy mode it
    /// needs --ingest, and its logs go into the cluster).
    #[arg(long, env = "LOGDASH_DEMO")]
    pub demo: bool,

    /// Who may embed the dashboard in a frame: the CSP frame-ancestors sources,
    /// e.g. "'self' https://portal.example.com".
    #[arg(long, env = "LOGDASH_FRAME_ANCESTORS", default_value = "'self'")]
    pub frame_ancestors: String,

    /// Format of logdash's own log lines on stderr (times are ISO 8601 UTC).
    #[arg(long, env = "LOGDASH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

impl Config {
    /// How long a client may take to send a request's headers (`--header-timeout-secs`;
    /// at least a second, so that 0 cannot close every connection at once).
    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs.max(1))
    }

    /// What each HTTP port allows its clients.
    pub fn limits(&self) -> crate::serve::Limits {
        crate::serve::Limits {
            header_timeout: self.header_timeout(),
            max_connections: self.max_connections.max(1),
        }
    }

    /// How the embedded store names, maps and reads its indices: daily indices get
    /// Logstash's own template unless `--no-logstash-template`, as when Logstash writes
    /// them (the store alone puts none).
    pub fn store_config(&self) -> logdash_store::StoreConfig {
        logdash_store::StoreConfig {
            index_prefix: self.index_prefix.clone(),
            logstash_template: !self.no_logstash_template,
            search_threads: self.search_threads,
            ..logdash_store::StoreConfig::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_option_is_documented_and_has_an_environment_variable() {
        let command = Config::command();
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            assert!(arg.get_help().is_some(), "--{id} has no help text");
            let env = arg
                .get_env()
                .unwrap_or_else(|| panic!("--{id} has no environment variable"));
            assert!(
                env.to_string_lossy().starts_with("LOGDASH_"),
                "--{id} reads {env:?}"
            );
        }
        command.debug_assert();
    }

    #[test]
    fn logstash_s_template_is_put_unless_turned_off() {
        assert!(
            Config::parse_from(["logdash"])
                .store_config()
                .logstash_template
        );
        let earlier = Config::parse_from(["logdash", "--logstash-template"]);
        assert!(earlier.store_config().logstash_template);
        let off = Config::parse_from(["logdash", "--no-logstash-template"]);
        assert!(!off.store_config().logstash_template);
    }

    #[test]
    fn defaults_keep_the_dashboard_off_the_seed_ports_and_ingest_on_logstash_s() {
        let config = Config::parse_from(["logdash"]);
        assert!(config.listen.ip().is_loopback());
        assert!(![9200, 9300, 5000, 9600, 5601, 5001].contains(&config.listen.port()));
        assert_eq!(config.ingest_tcp.port(), 5000);
        assert!(config.ingest_tcp.ip().is_loopback() && config.ingest_http.ip().is_loopback());
    }

    #[test]
    fn the_header_timeout_is_at_least_a_second() {
        let timeout = |secs: &str| {
            Config::parse_from(["logdash", "--header-timeout-secs", secs]).header_timeout()
        };
        assert_eq!(timeout("0"), Duration::from_secs(1));
        assert_eq!(timeout("7"), Duration::from_secs(7));
        assert_eq!(
            Config::parse_from(["logdash"]).header_timeout(),
            Duration::from_secs(30)
        );
    }
}
