//! Elasticsearch date math: an anchor (`now`, or a date followed by `||`) then any number
//! of `+N<unit>`, `-N<unit>` and `/<unit>` steps; units `y M w d h H m s`.

use super::zone::{Fixed, Zone};
use super::{civil_from_days, days_from_civil, parse_iso8601, EpochMillis, ReadDate, MS_PER_DAY};

/// Which way `/unit` rounds: range bounds `gte`/`lt` round down, `gt`/`lte` round up
/// (to the last millisecond of the unit), as in Elasticsearch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    Down,
    Up,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateMathError {
    #[error("failed to parse date field [{0}]: not a date, epoch_millis or date math expression")]
    NotADate(String),
    #[error("failed to parse date field [{text}]: unit [{unit}] is not one of y M w d h H m s")]
    BadUnit { text: String, unit: char },
    #[error("failed to parse date field [{0}]: the expression goes out of range")]
    OutOfRange(String),
    #[error("failed to parse date field [{text}] with format [{format}]")]
    NotInFormat { text: String, format: String },
}

/// Resolves `text` against `now` (epoch ms), in UTC. A bare number is epoch milliseconds.
pub fn parse_date_math(
    text: &str,
    now: EpochMillis,
    rounding: Rounding,
) -> Result<EpochMillis, DateMathError> {
    parse_date_math_in_zone(text, now, rounding, 0)
}

/// Like [`parse_date_math`], in a fixed UTC offset (minutes east): dates written without an
/// offset are local times there, and `/d` rounds to its midnight, as Elasticsearch's
/// `time_zone` does.
pub fn parse_date_math_in_zone(
    text: &str,
    now: EpochMillis,
    rounding: Rounding,
    offset_minutes: i32,
) -> Result<EpochMillis, DateMathError> {
    parse_date_math_zoned(text, now, rounding, &Fixed(offset_minutes))
}

/// Like [`parse_date_math`], in any zone (see [`Zone`]): the arithmetic and the rounding
/// run on local wall-clock time, which then goes back to UTC.
pub fn parse_date_math_zoned(
    text: &str,
    now: EpochMillis,
    rounding: Rounding,
    zone: &impl Zone,
) -> Result<EpochMillis, DateMathError> {
    parse(text, now, rounding, zone, false, read_iso)
}

/// A query's date bound as Elasticsearch reads it: [`parse_date_math_zoned`], and a date
/// alone rounded up (`lte`, `gt`) is read to the end of what it names (see [`left_out`]):
/// `lte: 2024-03-05` takes in the whole day.
pub fn parse_bound_zoned(
    text: &str,
    now: EpochMillis,
    rounding: Rounding,
    zone: &impl Zone,
) -> Result<EpochMillis, DateMathError> {
    parse(text, now, rounding, zone, true, read_iso)
}

/// [`parse_bound_zoned`] with dates read by `read` (a range's `format`): `None` from it is
/// the error `not_a_date` makes of the text.
pub fn parse_bound_read(
    text: &str,
    now: EpochMillis,
    rounding: Rounding,
    zone: &impl Zone,
    read: &dyn Fn(&str) -> Option<ReadDate>,
    not_a_date: impl Fn(&str) -> DateMathError,
) -> Result<EpochMillis, DateMathError> {
    parse(text, now, rounding, zone, true, read).map_err(|err| match err {
        DateMathError::NotADate(text) => not_a_date(&text),
        other => other,
    })
}

/// An ISO 8601 date or epoch milliseconds, as date math's anchor.
pub fn read_iso(anchor: &str) -> Option<ReadDate> {
    Some(ReadDate {
        local: parse_anchor(anchor)?,
        offset_minutes: has_explicit_offset(anchor).then_some(0),
        left_out: left_out(anchor),
    })
}

fn parse(
    text: &str,
    now: EpochMillis,
    rounding: Rounding,
    zone: &impl Zone,
    fill_left_out: bool,
    read: impl Fn(&str) -> Option<ReadDate>,
) -> Result<EpochMillis, DateMathError> {
    let not_a_date = || DateMathError::NotADate(text.to_string());
    // an instant if it says its offset, else a wall-clock time in the zone
    let instant = |date: &ReadDate, up: i64| match date.offset_minutes {
        Some(_) => date.instant(|local| local) + up,
        None => zone.to_utc(date.local + up),
    };
    let (mut value, mut rest) = if let Some(rest) = text.strip_prefix("now") {
        (zone.to_local(now), rest)
    } else if let Some((anchor, rest)) = text.split_once("||") {
        let date = read(anchor).ok_or_else(not_a_date)?;
        let local = match date.offset_minutes {
            Some(_) => zone.to_local(instant(&date, 0)),
            None => date.local,
        };
        (local, rest)
    } else {
        // a date alone, rounded up (`lte`, `gt`): the fields it leaves out are their largest
        let date = read(text).ok_or_else(not_a_date)?;
        let up = match (rounding, fill_left_out) {
            (Rounding::Up, true) => date.left_out,
            _ => 0,
        };
        return Ok(instant(&date, up));
    };
    while let Some(op) = rest.chars().next() {
        rest = &rest[op.len_utf8()..];
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let amount: i64 = match (op, digits_end) {
            ('/', 0) => 1,
            ('/', _) => return Err(not_a_date()),
            ('+' | '-', 0) => 1,
            ('+' | '-', _) => rest[..digits_end].parse().map_err(|_| not_a_date())?,
            _ => return Err(not_a_date()),
        };
        rest = &rest[digits_end..];
        let unit = rest.chars().next().ok_or_else(not_a_date)?;
        rest = &rest[unit.len_utf8()..];
        if !"yMwdhHms".contains(unit) {
            return Err(DateMathError::BadUnit {
                text: text.to_string(),
                unit,
            });
        }
        value = match op {
            '/' => round(value, unit, rounding),
            '+' => add(value, unit, amount),
            _ => add(value, unit, -amount),
        }
        .ok_or_else(|| DateMathError::OutOfRange(text.to_string()))?;
    }
    Ok(zone.to_utc(value))
}

/// Whether an anchor says its own offset (`Z`, `+01:00`), or is epoch milliseconds.
fn has_explicit_offset(anchor: &str) -> bool {
    let time_part = anchor.get(10..).unwrap_or("");
    anchor.bytes().all(|b| b.is_ascii_digit())
        || time_part.ends_with(['Z', 'z'])
        || time_part.contains(['+', '-'])
}

fn parse_anchor(text: &str) -> Option<EpochMillis> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    parse_iso8601(text)
}

/// The milliseconds an ISO date leaves out after the instant it names, which Elasticsearch
/// fills with their largest values when it rounds a bound up: `2024-03-05` is read to
/// 23:59:59.999 that day, `…T10:30` to 10:30:59.999, `…T10:30:15` to 10:30:15.999.
/// Epoch milliseconds and times with a fraction leave out nothing.
pub fn left_out(text: &str) -> i64 {
    let bytes = text.trim().as_bytes();
    if bytes.iter().all(u8::is_ascii_digit) {
        return 0;
    }
    match (bytes.len(), bytes.get(16), bytes.get(19)) {
        (10, _, _) => MS_PER_DAY - 1,
        (_, Some(b':'), Some(b'.' | b',')) => 0,
        (_, Some(b':'), _) => 999,
        _ => 60_000 - 1,
    }
}

fn unit_ms(unit: char) -> Option<i64> {
    Some(match unit {
        's' => 1_000,
        'm' => 60_000,
        'h' | 'H' => 3_600_000,
        'd' => MS_PER_DAY,
        'w' => 7 * MS_PER_DAY,
        _ => return None,
    })
}

fn add(value: EpochMillis, unit: char, amount: i64) -> Option<EpochMillis> {
    if let Some(ms) = unit_ms(unit) {
        return value.checked_add(amount.checked_mul(ms)?);
    }
    let months = if unit == 'y' {
        amount.checked_mul(12)?
    } else {
        amount
    };
    let days = value.div_euclid(MS_PER_DAY);
    let in_day = value.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let total = year.checked_mul(12)? + i64::from(month) - 1 + months;
    let (new_year, new_month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    if !(-200_000..=200_000).contains(&new_year) {
        return None; // beyond what epoch milliseconds (and Elasticsearch) represent
    }
    let last_day = {
        let next = if new_month == 12 {
            (new_year + 1, 1)
        } else {
            (new_year, new_month + 1)
        };
        days_from_civil(next.0, next.1, 1) - days_from_civil(new_year, new_month, 1)
    };
    let new_day = (i64::from(day)).min(last_day) as u32;
    Some(days_from_civil(new_year, new_month, new_day) * MS_PER_DAY + in_day)
}

fn round(value: EpochMillis, unit: char, rounding: Rounding) -> Option<EpochMillis> {
    let days = value.div_euclid(MS_PER_DAY);
    let start = match unit {
        'w' => {
            // weeks start on Monday; 1970-01-01 was a Thursday
            let weekday = (days + 3).rem_euclid(7);
            (days - weekday) * MS_PER_DAY
        }
        'M' | 'y' => {
            let (year, month, _) = civil_from_days(days);
            let month = if unit == 'y' { 1 } else { month };
            days_from_civil(year, month, 1) * MS_PER_DAY
        }
        _ => {
            let ms = unit_ms(unit)?;
            value.div_euclid(ms) * ms
        }
    };
    match rounding {
        Rounding::Down => Some(start),
        Rounding::Up => Some(add(start, unit, 1)? - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_iso8601;

    const NOW: i64 = 1_764_040_245_678; // 2025-11-25T03:10:45.678Z, a Tuesday

    fn at(text: &str, rounding: Rounding) -> String {
        format_iso8601(parse_date_math(text, NOW, rounding).expect(text))
    }

    #[test]
    fn a_bound_rounded_up_is_read_to_the_end_of_what_the_date_names() {
        let bound = |text: &str, rounding, zone: i32| {
            format_iso8601(parse_bound_zoned(text, NOW, rounding, &Fixed(zone)).expect(text))
        };
        for (text, rounding, zone, read) in [
            ("2024-03-05", Rounding::Up, 0, "2024-03-05T23:59:59.999Z"),
            ("2024-03-05", Rounding::Down, 0, "2024-03-05T00:00:00.000Z"),
            ("2024-03-05", Rounding::Up, 60, "2024-03-05T22:59:59.999Z"),
            (
                "2024-03-05T10:30",
                Rounding::Up,
                0,
                "2024-03-05T10:30:59.999Z",
            ),
            (
                "2024-03-05T10:30Z",
                Rounding::Up,
                0,
                "2024-03-05T10:30:59.999Z",
            ),
            (
                "2024-03-05T10:30:15",
                Rounding::Up,
                0,
                "2024-03-05T10:30:15.999Z",
            ),
            (
                "2024-03-05T10:30:15.5",
                Rounding::Up,
                0,
                "2024-03-05T10:30:15.500Z",
            ),
            ("1709287200000", Rounding::Up, 0, "2024-03-01T10:00:00.000Z"),
            // an anchor of date math is read as it is, its math rounded
            (
                "2024-03-05||+1d",
                Rounding::Up,
                0,
                "2024-03-06T00:00:00.000Z",
            ),
        ] {
            assert_eq!(bound(text, rounding, zone), read, "{text} at {zone}");
        }
        // date math alone (the dashboard's ranges) leaves the date as it is
        assert_eq!(at("2024-03-05", Rounding::Up), "2024-03-05T00:00:00.000Z");
    }

    #[test]
    fn relative_to_now() {
        assert_eq!(at("now", Rounding::Down), "2025-11-25T03:10:45.678Z");
        assert_eq!(at("now-15m", Rounding::Down), "2025-11-25T02:55:45.678Z");
        assert_eq!(at("now+1h", Rounding::Down), "2025-11-25T04:10:45.678Z");
        assert_eq!(at("now-7d", Rounding::Down), "2025-11-18T03:10:45.678Z");
        assert_eq!(at("now-1M", Rounding::Down), "2025-10-25T03:10:45.678Z");
        assert_eq!(at("now-1y", Rounding::Down), "2024-11-25T03:10:45.678Z");
    }

    /// Found by the `view_link` fuzz target: a link's `from=now\u{fffd}-24h` panicked
    /// (slicing inside a multi-byte character), which aborts the whole dashboard.
    #[test]
    fn an_operator_that_is_no_ascii_character_is_refused_not_a_panic() {
        for text in [
            "now\u{fffd}-24h",
            "now-1d\u{e9}",
            "now€",
            "2025-01-01||\u{1f600}1d",
        ] {
            assert!(
                parse_date_math(text, NOW, Rounding::Down).is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn rounds_down_or_up_like_range_bounds() {
        assert_eq!(at("now/d", Rounding::Down), "2025-11-25T00:00:00.000Z");
        assert_eq!(at("now/d", Rounding::Up), "2025-11-25T23:59:59.999Z");
        assert_eq!(at("now-1d/d", Rounding::Down), "2025-11-24T00:00:00.000Z");
        assert_eq!(at("now/w", Rounding::Down), "2025-11-24T00:00:00.000Z");
        assert_eq!(at("now/M", Rounding::Down), "2025-11-01T00:00:00.000Z");
        assert_eq!(at("now/M", Rounding::Up), "2025-11-30T23:59:59.999Z");
        assert_eq!(at("now/y", Rounding::Down), "2025-01-01T00:00:00.000Z");
        assert_eq!(at("now/m", Rounding::Down), "2025-11-25T03:10:00.000Z");
    }

    #[test]
    fn anchored_dates_and_epoch_millis() {
        assert_eq!(
            at("2025-01-31||+1M", Rounding::Down),
            "2025-02-28T00:00:00.000Z"
        );
        assert_eq!(
            at("2024-02-29||+1y", Rounding::Down),
            "2025-02-28T00:00:00.000Z"
        );
        assert_eq!(
            at("2025-11-25T10:00:00Z", Rounding::Down),
            "2025-11-25T10:00:00.000Z"
        );
        assert_eq!(
            at("1764040245678", Rounding::Down),
            "2025-11-25T03:10:45.678Z"
        );
    }

    #[test]
    fn time_zone_moves_rounding_and_naive_dates() {
        let zoned = |text: &str, rounding| {
            format_iso8601(parse_date_math_in_zone(text, NOW, rounding, 60).expect(text))
        };
        // midnight in UTC+01:00 is 23:00 UTC the day before
        assert_eq!(zoned("now/d", Rounding::Down), "2025-11-24T23:00:00.000Z");
        assert_eq!(
            zoned("2025-11-25", Rounding::Down),
            "2025-11-24T23:00:00.000Z"
        );
        assert_eq!(
            zoned("2025-11-25T10:00:00Z", Rounding::Down),
            "2025-11-25T10:00:00.000Z"
        );
        assert_eq!(zoned("now-15m", Rounding::Down), "2025-11-25T02:55:45.678Z");
    }

    #[test]
    fn explains_what_is_wrong() {
        assert_eq!(
            parse_date_math("now-15x", NOW, Rounding::Down),
            Err(DateMathError::BadUnit {
                text: "now-15x".into(),
                unit: 'x'
            })
        );
        assert!(matches!(
            parse_date_math("yesterday", NOW, Rounding::Down),
            Err(DateMathError::NotADate(_))
        ));
        assert!(matches!(
            parse_date_math("now-", NOW, Rounding::Down),
            Err(DateMathError::NotADate(_))
        ));
        assert!(parse_date_math("now-99999999999999999y", NOW, Rounding::Down).is_err());
    }
}
