//! Moving a view's range: a step back or forward by its own span (`[` and `]`), twice as
//! wide around its middle (zoom out), or the span dragged on a chart (zoom in). Each
//! gives an absolute range (ISO 8601 UTC), so the view it makes stays where it was put;
//! Back returns to the range before.

use super::ViewState;
use crate::time::{format_iso8601, EpochMillis};

/// The shortest span a drag may make: shorter is a click, not a zoom.
pub const MIN_SPAN_MS: EpochMillis = 1_000;

impl ViewState {
    /// The range one span earlier (`forward` false) or later, at `now`.
    pub fn shifted(&self, now: EpochMillis, forward: bool) -> Option<ViewState> {
        let (from, to) = self.range_at(now)?;
        let span = to - from;
        let step = if forward { span } else { -span };
        Some(self.with_range(from + step, to + step))
    }

    /// The range twice as wide around its middle, never past `now` (a range that ended
    /// at `now` keeps ending there, and so stays live).
    pub fn zoomed_out(&self, now: EpochMillis) -> Option<ViewState> {
        let (from, to) = self.range_at(now)?;
        let span = to - from;
        if self.to == "now" {
            let mut wider = self.clone();
            wider.from = format_iso8601(from - span);
            return Some(wider);
        }
        let (from, to) = (from - span / 2, to + span / 2);
        let late = (to - now).max(0);
        Some(self.with_range(from - late, to - late))
    }

    /// The range from `a` to `b` (either order: a drag may go left), `None` when shorter
    /// than [`MIN_SPAN_MS`].
    pub fn zoomed_to(&self, a: EpochMillis, b: EpochMillis) -> Option<ViewState> {
        let (from, to) = (a.min(b), a.max(b));
        (to - from >= MIN_SPAN_MS).then(|| self.with_range(from, to))
    }

    /// The instant under `x` (CSS pixels) on a chart whose plotting area spans `left` to
    /// `right` and shows `from` to `to`; outside the area, its nearer edge.
    pub fn time_at(
        x: f64,
        (left, right): (f64, f64),
        (from, to): (EpochMillis, EpochMillis),
    ) -> EpochMillis {
        if right <= left {
            return from;
        }
        let share = ((x - left) / (right - left)).clamp(0.0, 1.0);
        from + ((to - from) as f64 * share).round() as EpochMillis
    }

    fn with_range(&self, from: EpochMillis, to: EpochMillis) -> ViewState {
        let mut moved = self.clone();
        moved.from = format_iso8601(from);
        moved.to = format_iso8601(to);
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_iso8601;

    const NOW: EpochMillis = 1_764_928_800_000; // 2025-12-05T10:00:00Z

    fn view(from: &str, to: &str) -> ViewState {
        ViewState {
            from: from.into(),
            to: to.into(),
            ..ViewState::default()
        }
    }

    fn range(view: &ViewState) -> (EpochMillis, EpochMillis) {
        (
            parse_iso8601(&view.from).expect("from"),
            parse_iso8601(&view.to).expect("to"),
        )
    }

    #[test]
    fn a_step_moves_the_range_by_its_span_and_pins_it() {
        let hour = 3_600_000;
        let back = view("now-1h", "now").shifted(NOW, false).expect("a range");
        assert_eq!(range(&back), (NOW - 2 * hour, NOW - hour));
        let forth = back.shifted(NOW, true).expect("a range");
        assert_eq!(range(&forth), (NOW - hour, NOW));
        assert!(!forth.is_relative());
        assert_eq!(
            view("now", "now-1h").shifted(NOW, true),
            None,
            "an empty range"
        );
    }

    #[test]
    fn zooming_out_doubles_the_span_and_a_live_range_stays_live() {
        let live = view("now-15m", "now").zoomed_out(NOW).expect("a range");
        assert_eq!(live.to, "now");
        assert_eq!(parse_iso8601(&live.from), Some(NOW - 30 * 60_000));
        let pinned = view("2025-12-05T08:00:00.000Z", "2025-12-05T09:00:00.000Z");
        let wider = pinned.zoomed_out(NOW).expect("a range");
        assert_eq!(wider.from, "2025-12-05T07:30:00.000Z");
        assert_eq!(wider.to, "2025-12-05T09:30:00.000Z");
        // not into the future: slid back to end at now
        let recent = view("2025-12-05T09:30:00.000Z", "2025-12-05T09:50:00.000Z");
        assert_eq!(
            range(&recent.zoomed_out(NOW).expect("a range")),
            (NOW - 40 * 60_000, NOW)
        );
    }

    #[test]
    fn a_pixel_on_a_chart_is_the_instant_under_it() {
        let area = (50.0, 250.0);
        let shown = (NOW - 200_000, NOW);
        assert_eq!(ViewState::time_at(50.0, area, shown), NOW - 200_000);
        assert_eq!(ViewState::time_at(150.0, area, shown), NOW - 100_000);
        assert_eq!(ViewState::time_at(250.0, area, shown), NOW);
        assert_eq!(
            ViewState::time_at(0.0, area, shown),
            NOW - 200_000,
            "left of the area"
        );
        assert_eq!(ViewState::time_at(999.0, area, shown), NOW, "right of it");
        assert_eq!(ViewState::time_at(60.0, (5.0, 5.0), shown), NOW - 200_000);
    }

    #[test]
    fn a_drag_either_way_becomes_the_range_and_a_click_does_not() {
        let base = view("now-1h", "now");
        let dragged = base.zoomed_to(NOW - 10_000, NOW - 70_000).expect("a range");
        assert_eq!(range(&dragged), (NOW - 70_000, NOW - 10_000));
        assert_eq!(dragged.query, base.query);
        assert_eq!(base.zoomed_to(NOW, NOW + 999), None);
    }
}
