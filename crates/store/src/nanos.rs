//! `date_nanos` fields: instants kept to the nanosecond (epoch nanoseconds, which reach
//! the year 2262), read from ISO 8601 times with up to nine fraction digits or from epoch
//! milliseconds; sorted and searched to the nanosecond, aggregated in milliseconds, as
//! Elasticsearch does.

use logdash_core::time::{AnyZone, EpochMillis, Rounding};

use crate::RequestError;

const NANOS_A_MILLI: i64 = 1_000_000;

/// The nanoseconds of a fraction past its milliseconds (`.123456789` gives 456,789).
fn below_millis(text: &str) -> i64 {
    let Some(time) = text.split_once('T').map(|(_, time)| time) else {
        return 0;
    };
    let Some((_, fraction)) = time.split_once(['.', ',']) else {
        return 0;
    };
    let digits: String = fraction
        .chars()
        .take_while(char::is_ascii_digit)
        .skip(3)
        .take(6)
        .collect();
    format!("{digits:0<6}").parse().unwrap_or(0)
}

/// An ISO time's instant in epoch nanoseconds.
pub(crate) fn of_iso(text: &str) -> Option<i64> {
    let millis = crate::mapping::date_millis(text)?;
    millis
        .checked_mul(NANOS_A_MILLI)?
        .checked_add(below_millis(text))
}

/// Epoch milliseconds as epoch nanoseconds, where they fit.
pub(crate) fn of_millis(millis: EpochMillis) -> Option<i64> {
    millis.checked_mul(NANOS_A_MILLI)
}

/// A query's bound (date math too) in epoch nanoseconds: the fraction's nanoseconds kept;
/// rounded up (`||/d` on `lte`, `gt`, or a date that leaves fields out), the last
/// nanosecond of the unit.
pub(crate) fn bound(
    text: &str,
    now: EpochMillis,
    rounding: Rounding,
    zone: &AnyZone,
) -> Result<i64, RequestError> {
    let millis = crate::query::date_math_bound(text, now, rounding, zone)?;
    // rounded up by `/unit` or for the fields the date leaves out (`lte: 2024-03-05`)
    let rounded_up =
        rounding == Rounding::Up && (text.contains('/') || logdash_core::time::left_out(text) > 0);
    let below = if rounded_up {
        NANOS_A_MILLI - 1
    } else {
        below_millis(text)
    };
    of_millis(millis)
        .and_then(|nanos| nanos.checked_add(below))
        .ok_or_else(|| {
            RequestError::bad_request(format!(
                "[{text}] is outside the range of date_nanos (1970 to 2262)"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_kept_to_the_nanosecond() {
        let at = 1_764_064_800_123_000_000; // 2025-11-25T10:00:00.123Z
        assert_eq!(of_iso("2025-11-25T10:00:00.123Z"), Some(at));
        assert_eq!(of_iso("2025-11-25T10:00:00.123456Z"), Some(at + 456_000));
        assert_eq!(of_iso("2025-11-25T10:00:00.123456789Z"), Some(at + 456_789));
        assert_eq!(
            of_iso("2025-11-25T11:00:00.123456789+01:00"),
            Some(at + 456_789)
        );
        assert_eq!(of_millis(1_764_064_800_123), Some(at));
        assert_eq!(of_iso("yesterday"), None);
        let utc = AnyZone::UTC;
        let exact = bound("2025-11-25T10:00:00.123456Z", 0, Rounding::Up, &utc).expect("a bound");
        assert_eq!(exact, at + 456_000);
        let day_end = bound("2025-11-25||/d", 0, Rounding::Up, &utc).expect("a bound");
        assert_eq!(day_end, 1_764_115_199_999_999_999);
    }
}
