//! What the server's benchmarks share: where the release `logdash` binary they run is.

use std::path::PathBuf;

/// `$LOGDASH_BIN` when set (to compare two builds), else `target/release/logdash`, beside
/// `target/release/examples/` where a benchmark runs from.
pub fn logdash_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("LOGDASH_BIN") {
        return PathBuf::from(path);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("logdash")))
        .unwrap_or_else(|| PathBuf::from("target/release/logdash"))
}
