//! `logdash`: parses the configuration, opens the store, binds every listener, and shuts
//! down gracefully (the store commits what it has before exiting).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use logdash_server::config::LogFormat;
use logdash_server::{app, demo, ingest, proxy, serve, AppState, Config};
use logdash_store::Store;
use tracing_subscriber::EnvFilter;

/// Serving and indexing allocate many small, short-lived buffers; mimalloc does that with
/// far less time in the allocator than the system's (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    match config.elasticsearch.clone() {
        Some(url) => run_proxy(config, url).await,
        None => run_embedded(config).await,
    }
}

/// Proxy mode: `/es/` forwards to the cluster; no store; the TCP input only with `--ingest`.
async fn run_proxy(config: Config, url: String) -> Result<(), String> {
    if config.demo && !config.ingest {
        return Err(
            "--demo sends its traffic through the tcp input: add --ingest to send it on to the cluster"
                .to_string(),
        );
    }
    let upstream = Arc::new(proxy::Upstream::new(&proxy::UpstreamConfig::from_config(
        &url, &config,
    ))?);
    let state = Arc::new(AppState::proxy(&config, Arc::clone(&upstream))?);
    let listener = bind(config.listen, "dashboard").await?;
    if config.ingest {
        let tcp = bind(config.ingest_tcp, "tcp input").await?;
        let tcp_address = tcp.local_addr().map_err(|err| err.to_string())?;
        let shipper = ingest::cluster::Shipper::new(
            Arc::clone(&upstream),
            config.index_prefix.clone(),
            Arc::clone(&state.ingest),
            !config.no_logstash_template,
        );
        tokio::spawn(ingest::tcp::serve(
            tcp,
            ingest::Sink::Cluster(Arc::new(shipper)),
            config.max_line_bytes,
            config.max_connections,
            Arc::clone(&state.ingest),
        ));
        announce(&format!(
            "logdash ingest: logstash json_lines on tcp://{tcp_address}, sent on to {} through _bulk",
            upstream.url()
        ));
        if config.demo {
            tokio::spawn(demo::run(tcp_address));
            announce(
                "logdash demo: simulated users of the example app are sending logs to the cluster",
            );
        }
    }
    let address = listener
        .local_addr()
        .map_err(|err| format!("cannot read the bound address: {err}"))?;
    tracing::info!(%address, elasticsearch = upstream.url(), "logdash started in proxy mode");
    announce(&format!(
        "logdash proxy: /es/ reads {} (read-only)",
        upstream.url()
    ));
    announce(&format!("logdash is running: open http://{address}/"));
    serve::per_core(listener, app(state), config.limits(), shutdown_signal()).await?;
    tracing::info!("logdash stopped");
    Ok(())
}

async fn run_embedded(config: Config) -> Result<(), String> {
    let store = Store::open_with(&config.data_dir, config.store_config());
    let store = Arc::new(store.map_err(|err| err.to_string())?);
    let state = Arc::new(AppState::embedded(&config, Arc::clone(&store))?);
    let listener = bind(config.listen, "dashboard").await?;
    let address = listener
        .local_addr()
        .map_err(|err| format!("cannot read the bound address: {err}"))?;

    if !config.no_ingest {
        let tcp = bind(config.ingest_tcp, "tcp input").await?;
        let tcp_address = tcp.local_addr().map_err(|err| err.to_string())?;
        let http = bind(config.ingest_http, "_bulk input").await?;
        let http_address = http.local_addr().map_err(|err| err.to_string())?;
        tokio::spawn(ingest::tcp::serve(
            tcp,
            ingest::Sink::Store(Arc::clone(&store)),
            config.max_line_bytes,
            config.max_connections,
            Arc::clone(&state.ingest),
        ));
        let bulk_app = ingest::http::app(Arc::clone(&store), config.max_bulk_bytes);
        tokio::spawn(serve::shared(
            http,
            bulk_app,
            config.limits(),
            std::future::pending(),
        ));
        announce(&format!("logdash ingest: logstash json_lines on tcp://{tcp_address}, _bulk on http://{http_address}"));
        if config.demo {
            tokio::spawn(demo::run(tcp_address));
            announce("logdash demo: simulated users of the example app are sending logs");
        }
    } else if config.demo {
        return Err("--demo sends its traffic through the tcp input: drop --no-ingest".to_string());
    }
    if config.retention_days > 0 {
        tokio::spawn(retention(Arc::clone(&store), config.retention_days));
    }

    tracing::info!(%address, data_dir = %config.data_dir.display(), "logdash started");
    announce(&format!("logdash is running: open http://{address}/"));
    // stopping ends the push tail's streams first, so that no connection holds the stop
    let hub = Arc::clone(&state.tail);
    let stopping = async move {
        shutdown_signal().await;
        hub.close();
    };
    serve::shared(listener, app(state), config.limits(), stopping).await;
    let flushed = tokio::task::spawn_blocking(move || store.flush()).await;
    if !matches!(flushed, Ok(Ok(()))) {
        tracing::error!("the store could not commit its last events on shutdown");
    }
    tracing::info!("logdash stopped");
    Ok(())
}

async fn bind(
    address: std::net::SocketAddr,
    what: &str,
) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|err| format!("cannot listen on {address} for the {what}: {err} (set another address with its option; see --help)"))
}

/// Drops daily indices past the retention, once an hour.
async fn retention(store: Arc<Store>, days: u32) {
    let mut ticker = tokio::time::interval(Duration::from_secs(3600));
    loop {
        ticker.tick().await;
        let store = Arc::clone(&store);
        match tokio::task::spawn_blocking(move || {
            store.drop_older_than(days, logdash_store::now_millis())
        })
        .await
        {
            Ok(Ok(dropped)) if !dropped.is_empty() => {
                tracing::info!(?dropped, "retention dropped old indices")
            }
            Ok(Err(err)) => tracing::error!(error = %err, "retention failed"),
            _ => {}
        }
    }
}

/// The lines people (and scripts) read on stdout.
#[allow(clippy::print_stdout, reason = "the URL to open is logdash's output")]
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
