//! Time as logdash handles it: epoch milliseconds (UTC) parsed from and formatted as
//! ISO 8601, and Elasticsearch's date math (`now-15m`, `now/d`, `2026-01-01||+1d`).

mod civil;
mod human;
mod input;
mod math;
mod pattern;
mod pattern_read;
mod ticks;
mod zone;

pub use civil::{civil_from_days, days_from_civil};
pub use human::{human_duration, spans_days};
pub use input::read_range;
pub use math::{
    left_out, parse_bound_read, parse_bound_zoned, parse_date_math, parse_date_math_in_zone,
    parse_date_math_zoned, read_iso, DateMathError, Rounding,
};
pub use pattern::{DatePattern, DateWriter};
pub use pattern_read::ReadDate;
pub use ticks::{step_words, time_ticks};
pub use zone::{bucket_edges, bucket_start, AnyZone, CalendarUnit, Fixed, Interval, Zone};

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type EpochMillis = i64;

const MS_PER_SECOND: i64 = 1_000;
const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

/// Parses an ISO 8601 date or date-time (`2026-11-25`, `2026-11-25T03:10:00.123Z`,
/// `2026-11-25T04:10:00+01:00`, `2026-11-25 03:10:00,5`); a time without an offset is UTC,
/// as in Elasticsearch.
pub fn parse_iso8601(text: &str) -> Option<EpochMillis> {
    let bytes = text.trim().as_bytes();
    let year = digits(bytes, 0, 4)?;
    if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits(bytes, 5, 2)?;
    let day = digits(bytes, 8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let date_ms = days_from_civil(year, month as u32, day as u32) * MS_PER_DAY;
    if bytes.len() == 10 {
        return Some(date_ms);
    }
    if !matches!(bytes.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = digits(bytes, 11, 2)?;
    if bytes.get(13) != Some(&b':') {
        return None;
    }
    let minute = digits(bytes, 14, 2)?;
    let (second, mut at) = if bytes.get(16) == Some(&b':') {
        (digits(bytes, 17, 2)?, 19)
    } else {
        (0, 16)
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut millis = 0;
    if matches!(bytes.get(at), Some(b'.' | b',')) {
        at += 1;
        let start = at;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            if at - start < 3 {
                millis = millis * 10 + i64::from(bytes[at] - b'0');
            }
            at += 1;
        }
        if at == start {
            return None;
        }
        for _ in (at - start)..3 {
            millis *= 10;
        }
    }
    let offset_ms = match bytes.get(at) {
        None => 0,
        Some(b'Z' | b'z') if at + 1 == bytes.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let hours = digits(bytes, at + 1, 2)?;
            let rest = &bytes[at + 3..];
            let minutes = match rest {
                [] => 0,
                [b':', ..] if rest.len() == 3 => digits(bytes, at + 4, 2)?,
                _ if rest.len() == 2 => digits(bytes, at + 3, 2)?,
                _ => return None,
            };
            let offset = hours * MS_PER_HOUR + minutes * MS_PER_MINUTE;
            if *sign == b'+' {
                offset
            } else {
                -offset
            }
        }
        _ => return None,
    };
    Some(
        date_ms + hour * MS_PER_HOUR + minute * MS_PER_MINUTE + second * MS_PER_SECOND + millis
            - offset_ms,
    )
}

/// Formats as Elasticsearch does: `2026-11-25T03:10:00.123Z`.
pub fn format_iso8601(ms: EpochMillis) -> String {
    format_with_offset(ms, 0)
}

/// Formats in a fixed UTC offset (minutes east of UTC), with the offset written out:
/// `2026-11-25T04:10:00.123+01:00`, or `Z` for UTC.
pub fn format_with_offset(ms: EpochMillis, offset_minutes: i32) -> String {
    let local = ms + i64::from(offset_minutes) * MS_PER_MINUTE;
    let days = local.div_euclid(MS_PER_DAY);
    let in_day = local.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let zone = if offset_minutes == 0 {
        "Z".to_string()
    } else {
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let abs = offset_minutes.unsigned_abs();
        format!("{sign}{:02}:{:02}", abs / 60, abs % 60)
    };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}{zone}",
        in_day / MS_PER_HOUR,
        in_day % MS_PER_HOUR / MS_PER_MINUTE,
        in_day % MS_PER_MINUTE / MS_PER_SECOND,
        in_day % MS_PER_SECOND
    )
}

/// `YYYY.MM.DD` of a time in UTC, as Logstash names daily indices.
pub fn logstash_day(ms: EpochMillis) -> String {
    let (year, month, day) = civil_from_days(ms.div_euclid(MS_PER_DAY));
    format!("{year:04}.{month:02}.{day:02}")
}

/// Parses a fixed UTC offset as Elasticsearch's `time_zone` accepts it (`+01:00`, `-0530`,
/// `Z`, `UTC`, `Etc/UTC`, `GMT`); returns minutes east of UTC. Named zones with daylight
/// saving time are not fixed offsets and give `None`.
pub fn parse_fixed_offset(zone: &str) -> Option<i32> {
    match zone {
        "Z" | "UTC" | "utc" | "Etc/UTC" | "GMT" | "Etc/GMT" | "+00:00" | "-00:00" => {
            return Some(0)
        }
        _ => {}
    }
    let bytes = zone.as_bytes();
    let sign = match bytes.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours = digits(bytes, 1, 2)?;
    let minutes = match bytes.len() {
        3 => 0,
        5 => digits(bytes, 3, 2)?,
        6 if bytes[3] == b':' => digits(bytes, 4, 2)?,
        _ => return None,
    };
    if hours > 18 || minutes > 59 {
        return None;
    }
    i32::try_from(sign * (hours * 60 + minutes)).ok()
}

/// Parses a duration like `30s`, `15m`, `1h`, `7d`, `500ms` (Elasticsearch's fixed units) into ms.
pub fn parse_duration(text: &str) -> Option<i64> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().ok()?;
    let unit_ms = match unit {
        "ms" => 1,
        "s" => MS_PER_SECOND,
        "m" => MS_PER_MINUTE,
        "h" => MS_PER_HOUR,
        "d" => MS_PER_DAY,
        _ => return None,
    };
    number.checked_mul(unit_ms).filter(|ms| *ms > 0)
}

fn digits(bytes: &[u8], at: usize, count: usize) -> Option<i64> {
    let slice = bytes.get(at..at + count)?;
    slice.iter().try_fold(0i64, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
    })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shapes_loggers_send() {
        let base = 1_764_040_200_000; // 2025-11-25T03:10:00Z
        assert_eq!(parse_iso8601("2025-11-25T03:10:00Z"), Some(base));
        assert_eq!(parse_iso8601("2025-11-25T03:10:00.123Z"), Some(base + 123));
        assert_eq!(
            parse_iso8601("2025-11-25T03:10:00.123456Z"),
            Some(base + 123)
        );
        assert_eq!(parse_iso8601("2025-11-25T03:10:00.5"), Some(base + 500));
        assert_eq!(parse_iso8601("2025-11-25T04:10:00+01:00"), Some(base));
        assert_eq!(parse_iso8601("2025-11-24T22:10:00-0500"), Some(base));
        assert_eq!(parse_iso8601("2025-11-25 03:10:00,1"), Some(base + 100));
        assert_eq!(parse_iso8601("2025-11-25T03:10"), Some(base));
        assert_eq!(
            parse_iso8601("2025-11-25"),
            Some(base - (3 * 60 + 10) * 60_000)
        );
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for bad in [
            "",
            "hello",
            "2025-13-01",
            "2025-02-30",
            "2025-11-25T25:00:00Z",
            "2025-11-25X",
            "12345",
            "2025-11-25T03:10:00Zjunk",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_like_elasticsearch() {
        assert_eq!(format_iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_iso8601(1_764_040_200_123),
            "2025-11-25T03:10:00.123Z"
        );
        assert_eq!(format_iso8601(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            format_with_offset(1_764_040_200_000, 60),
            "2025-11-25T04:10:00.000+01:00"
        );
        assert_eq!(
            format_with_offset(1_764_040_200_000, -330),
            "2025-11-24T21:40:00.000-05:30"
        );
        assert_eq!(logstash_day(1_764_040_200_000), "2025.11.25");
    }

    #[test]
    fn format_and_parse_round_trip_across_centuries() {
        let mut ms: i64 = -2_208_988_800_000; // 1900
        while ms < 4_102_444_800_000 {
            assert_eq!(parse_iso8601(&format_iso8601(ms)), Some(ms));
            ms += 7_777_777_777; // ~90 days and some odd milliseconds
        }
    }

    #[test]
    fn reads_fixed_offsets_only() {
        assert_eq!(parse_fixed_offset("+01:00"), Some(60));
        assert_eq!(parse_fixed_offset("-0530"), Some(-330));
        assert_eq!(parse_fixed_offset("+02"), Some(120));
        assert_eq!(parse_fixed_offset("UTC"), Some(0));
        assert_eq!(parse_fixed_offset("Europe/Paris"), None);
        assert_eq!(parse_fixed_offset("+25:00"), None);
    }

    #[test]
    fn reads_durations() {
        assert_eq!(parse_duration("30s"), Some(30_000));
        assert_eq!(parse_duration("15m"), Some(900_000));
        assert_eq!(parse_duration("500ms"), Some(500));
        assert_eq!(parse_duration("1w"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("0s"), None);
    }
}
