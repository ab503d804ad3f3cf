//! The investigation tools, a second wasm module: the dashboard loads it the first time
//! they are opened, so its first download does not carry them (see
//! `logdash_app::investigate`).

fn main() {
    logdash_app::investigate::mount();
}
