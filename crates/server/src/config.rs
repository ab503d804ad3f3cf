//! The server's configuration: one documented struct, read from flags or `LOGDASH_*` variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// logdash: a focused log dashboard for the Elasticsearch stack.
///
/// One binary serves the dashboard and a read-only Elasticsearch API under /es/,
/// answered by an embedded log store kept in --data-dir.
/// Every option can also be set by the environment variable named beside it.
#[derive(Debug, Clone, Parser)]
#[command(name = "logdash", version, about, long_about)]
pub struct Config {
    /// Address of the dashboard, /es/ and /api/ (HTTP). Keep it on 127.0.0.1 unless
    /// the dashboard should be reachable from other machines.
    #[arg(long, env = "LOGDASH_LISTEN", default_value = "127.0.0.1:5380")]
    pub listen: SocketAddr,

    /// Directory where the embedded store keeps its indices.
    #[arg(long, env = "LOGDASH_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Who may embed the dashboard in a frame: the CSP frame-ancestors sources,
    /// e.g. "'self' https://portal.example.com".
    #[arg(long, env = "LOGDASH_FRAME_ANCESTORS", default_value = "'self'")]
    pub frame_ancestors: String,

    /// Format of logdash's own log lines on stderr (times are ISO 8601 UTC).
    #[arg(long, env = "LOGDASH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
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
    fn defaults_stay_off_the_seed_ports() {
        let config = Config::parse_from(["logdash"]);
        assert!(config.listen.ip().is_loopback());
        assert!(![9200, 9300, 5000, 9600, 5601, 5001].contains(&config.listen.port()));
    }
}
