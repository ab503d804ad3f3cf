//! Where a time axis puts its ticks: at round instants of one step (every 10 s, 5 min, 1 h,
//! a day at local midnight), as many as fit, never at the uneven instants a plain division
//! of the range would give.

use super::EpochMillis;

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// The steps a time axis may use, smallest first.
const STEPS: [i64; 21] = [
    SECOND,
    2 * SECOND,
    5 * SECOND,
    10 * SECOND,
    15 * SECOND,
    30 * SECOND,
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
    30 * DAY,
];

/// Ticks over `[from, to]`: the smallest round step giving at most `most` of them, and the
/// instants that are whole multiples of it in the zone `offset_minutes` east of UTC.
pub fn time_ticks(
    from: EpochMillis,
    to: EpochMillis,
    most: usize,
    offset_minutes: i32,
) -> (i64, Vec<EpochMillis>) {
    let span = (to - from).max(1);
    let most = most.max(1) as i64;
    let step = STEPS
        .iter()
        .copied()
        .find(|step| span / step <= most)
        .unwrap_or(STEPS[STEPS.len() - 1]);
    let offset = i64::from(offset_minutes) * MINUTE;
    // the first local instant at or after `from` that is a whole number of steps
    let local = from + offset;
    let first = local + (step - local.rem_euclid(step)) % step - offset;
    let ticks = (0..)
        .map(|i| first + i * step)
        .take_while(|t| *t <= to)
        .collect();
    (step, ticks)
}

/// A step as people say it: `10 s`, `5 min`, `1 h`, `1 d`.
pub fn step_words(step: i64) -> String {
    match step {
        s if s % DAY == 0 => format!("{} d", s / DAY),
        s if s % HOUR == 0 => format!("{} h", s / HOUR),
        s if s % MINUTE == 0 => format!("{} min", s / MINUTE),
        s if s % SECOND == 0 => format!("{} s", s / SECOND),
        s => format!("{s} ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_sit_at_round_instants_of_one_step() {
        // 12:59:40 to 13:14:40 UTC: ticks every 2 min from 13:00, not at 12:59:40
        let from = 1_764_075_580_000;
        let (step, ticks) = time_ticks(from, from + 15 * MINUTE, 8, 0);
        assert_eq!(step, 2 * MINUTE);
        assert_eq!(ticks.first(), Some(&(from + 20 * SECOND)));
        assert!(ticks.iter().all(|t| t % step == 0), "{ticks:?}");
        assert!(ticks.len() <= 8);
    }

    #[test]
    fn days_start_at_local_midnight() {
        let from = 1_764_028_800_000; // 2025-11-25T00:00:00Z
        let (step, ticks) = time_ticks(from, from + 6 * DAY, 7, 60);
        assert_eq!(step, DAY);
        // at +01:00, midnight is 23:00 UTC the day before
        assert!(ticks.iter().all(|t| (t + HOUR) % DAY == 0), "{ticks:?}");
    }

    #[test]
    fn steps_read_as_people_say_them() {
        assert_eq!(step_words(10 * SECOND), "10 s");
        assert_eq!(step_words(5 * MINUTE), "5 min");
        assert_eq!(step_words(HOUR), "1 h");
        assert_eq!(step_words(DAY), "1 d");
        assert_eq!(step_words(250), "250 ms");
    }
}
