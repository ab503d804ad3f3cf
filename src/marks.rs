//! Performance marks for the moments people wait for, once per page load: the first
//! panels and the first stream lines on screen. DevTools shows them on its timeline,
//! and the budget benchmark (`tests/examples/spa_bench/`) reads them.

use std::cell::Cell;

/// A moment worth marking.
#[derive(Clone, Copy)]
pub enum Moment {
    FirstPanels,
    FirstStream,
}

impl Moment {
    fn name(self) -> &'static str {
        match self {
            Moment::FirstPanels => "logdash:first-panels",
            Moment::FirstStream => "logdash:first-stream",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Moment::FirstPanels => 1,
            Moment::FirstStream => 2,
        }
    }
}

thread_local! {
    static MARKED: Cell<u8> = const { Cell::new(0) };
}

/// Marks `moment` at the next frame (when what was just set is drawn) the first time it
/// happens; later calls do nothing, so the browser's timeline does not grow with every
/// refresh.
pub fn first(moment: Moment) {
    let already = MARKED.with(|marked| {
        let seen = marked.get() & moment.bit() != 0;
        marked.set(marked.get() | moment.bit());
        seen
    });
    if already {
        return;
    }
    leptos::prelude::request_animation_frame(move || {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(moment.name());
        }
    });
}
