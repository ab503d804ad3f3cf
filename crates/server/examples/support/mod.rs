//! What the server's benchmarks share: where the release `logdash` binary they run is, and
//! how they read quantiles off their timings.

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

/// The values at the quantiles `qs` (0.0 to 1.0; 1.0 is the maximum) of `values`, which
/// must not be empty.
pub fn quantiles<const N: usize>(mut values: Vec<f64>, qs: [f64; N]) -> [f64; N] {
    values.sort_by(f64::total_cmp);
    qs.map(|q| values[((values.len() as f64 * q) as usize).min(values.len() - 1)])
}
