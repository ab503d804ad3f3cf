//! The investigation tools, a second wasm module: the dashboard loads it the first time
//! one of them opens, so its first download does not carry them (see
//! `logdash_app::investigate`).

use wasm_bindgen::prelude::*;

/// Nothing to do at start: the dashboard says what to show.
fn main() {}

/// Shows `tool` (as `logdash_app::investigate::show` names them; "" for none), mounting
/// the tools the first time.
#[wasm_bindgen]
pub fn show(tool: &str) {
    logdash_app::investigate::show(tool);
}
