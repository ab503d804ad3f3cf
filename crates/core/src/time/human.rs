//! Times and spans as people read them on the dashboard: how old something is, and whether a
//! view covers more than one day (then times need their dates).

use super::EpochMillis;

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// A span in the two largest units that say it: `0.4 s`, `12.3 s`, `4 min 05 s`,
/// `2 h 14 min`, `1 d 0 h`. Negative spans read as zero.
pub fn human_duration(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < MINUTE {
        return format!("{:.1} s", ms as f64 / SECOND as f64);
    }
    if ms < HOUR {
        return format!("{} min {:02} s", ms / MINUTE, ms % MINUTE / SECOND);
    }
    if ms < DAY {
        return format!("{} h {} min", ms / HOUR, ms % HOUR / MINUTE);
    }
    format!("{} d {} h", ms / DAY, ms % DAY / HOUR)
}

/// Whether `from` and `to` fall on different calendar days in the zone `offset_minutes`
/// east of UTC: then a time alone does not say which day it is.
pub fn spans_days(from: EpochMillis, to: EpochMillis, offset_minutes: i32) -> bool {
    let day = |ms: EpochMillis| (ms + i64::from(offset_minutes) * MINUTE).div_euclid(DAY);
    day(from) != day(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_their_two_largest_units() {
        assert_eq!(human_duration(400), "0.4 s");
        assert_eq!(human_duration(12_345), "12.3 s");
        assert_eq!(human_duration(4 * MINUTE + 5 * SECOND), "4 min 05 s");
        assert_eq!(
            human_duration(2 * HOUR + 14 * MINUTE + 59 * SECOND),
            "2 h 14 min"
        );
        // the freshness line's "newest event 86403.1s old"
        assert_eq!(human_duration(86_403_100), "1 d 0 h");
        assert_eq!(human_duration(-5), "0.0 s");
    }

    #[test]
    fn days_are_the_zone_s_days() {
        let midnight = 1_764_115_200_000; // 2025-11-26T00:00:00Z
        assert!(!spans_days(midnight, midnight + DAY - 1, 0));
        assert!(spans_days(midnight - 1, midnight, 0));
        // 23:30 to 00:30 UTC is one day at +01:00 (00:30 to 01:30)
        assert!(!spans_days(
            midnight - 30 * MINUTE,
            midnight + 30 * MINUTE,
            60
        ));
        assert!(spans_days(
            midnight - 30 * MINUTE,
            midnight + 30 * MINUTE,
            0
        ));
    }
}
