//! `logdash`: parses the configuration, opens the store, binds, and shuts down gracefully.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use logdash_server::config::LogFormat;
use logdash_server::{app, AppState, Config};
use logdash_store::Store;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    init_logging(config.log_format);
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("logdash: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    let store = Store::open(&config.data_dir).map_err(|err| err.to_string())?;
    let state = Arc::new(AppState::new(&config, store));
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", config.listen))?;
    let address = listener
        .local_addr()
        .map_err(|err| format!("cannot read the bound address: {err}"))?;
    tracing::info!(%address, data_dir = %config.data_dir.display(), "logdash started");
    announce(&format!("logdash is running: open http://{address}/"));
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|err| format!("server failed: {err}"))?;
    tracing::info!("logdash stopped");
    Ok(())
}

/// The one line people (and scripts) read on stdout.
#[allow(
    clippy::print_stdout,
    reason = "the URL to open is logdash's one line of output"
)]
fn announce(line: &str) {
    println!("{line}");
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_env("LOGDASH_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
