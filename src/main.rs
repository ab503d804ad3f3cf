//! Mounts the dashboard; everything else lives in the library. (No panic hook: the wasm
//! is built with the immediate-abort panic strategy, so a panic traps at once and shows
//! in the console as `RuntimeError: unreachable`; see scripts/build-dashboard.sh.)

fn main() {
    leptos::mount::mount_to_body(logdash_app::App);
}
