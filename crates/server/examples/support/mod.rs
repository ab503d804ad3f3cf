//! What the server's benchmarks share: where the release `logdash` binary they run is.

use std::path::PathBuf;

/// `target/release/logdash`, beside `target/release/examples/` where a benchmark runs from.
pub fn logdash_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("logdash")))
        .unwrap_or_else(|| PathBuf::from("target/release/logdash"))
}
