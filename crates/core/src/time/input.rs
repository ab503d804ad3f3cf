//! An absolute time range as people type it into the range picker: ISO 8601 with or without
//! the `T` and the seconds, a date alone, epoch milliseconds, or date math (`now-1h`); a time
//! without an offset is in the view's zone. What the view keeps is unambiguous: a relative
//! end stays date math, an absolute one becomes UTC ISO 8601.

use super::{format_iso8601, parse_date_math_in_zone, EpochMillis, Rounding};

/// Reads the two ends of a range typed in a zone `offset_minutes` east of UTC; `from` must
/// come before `to`. The error names what was wrong, for the picker to show.
pub fn read_range(
    from: &str,
    to: &str,
    offset_minutes: i32,
    now: EpochMillis,
) -> Result<(String, String), String> {
    let (from_text, from_ms) = read_end("From", from, offset_minutes, now, Rounding::Down)?;
    let (to_text, to_ms) = read_end("To", to, offset_minutes, now, Rounding::Up)?;
    if from_ms >= to_ms {
        return Err(format!(
            "From ({}) must be before To ({})",
            format_iso8601(from_ms),
            format_iso8601(to_ms)
        ));
    }
    Ok((from_text, to_text))
}

fn read_end(
    which: &str,
    text: &str,
    offset_minutes: i32,
    now: EpochMillis,
    rounding: Rounding,
) -> Result<(String, EpochMillis), String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!(
            "{which} is empty: write a time like 2025-11-25 10:00 or now-1h"
        ));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let ms: EpochMillis = text
            .parse()
            .map_err(|_| format!("{which} [{text}] is too large for epoch milliseconds"))?;
        return Ok((format_iso8601(ms), ms));
    }
    let ms = parse_date_math_in_zone(text, now, rounding, offset_minutes).map_err(|err| {
        format!("{which} [{text}] is not a time ({err}): write 2025-11-25 10:00, 2025-11-25T10:00:00Z or now-1h")
    })?;
    if text.starts_with("now") {
        return Ok((text.to_string(), ms));
    }
    Ok((format_iso8601(ms), ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_iso8601;

    const NOW: EpochMillis = 1_764_064_800_000; // 2025-11-25T10:00:00Z

    #[test]
    fn iso_times_with_or_without_t_and_seconds_in_the_view_s_zone() {
        assert_eq!(
            read_range("2025-11-25 08:00", "2025-11-25T09:30:15", 0, NOW),
            Ok((
                "2025-11-25T08:00:00.000Z".into(),
                "2025-11-25T09:30:15.000Z".into()
            ))
        );
        // at +01:00, 08:00 is 07:00 UTC; an explicit offset wins
        assert_eq!(
            read_range("2025-11-25 08:00", "2025-11-25T09:00:00Z", 60, NOW),
            Ok((
                "2025-11-25T07:00:00.000Z".into(),
                "2025-11-25T09:00:00.000Z".into()
            ))
        );
    }

    #[test]
    fn dates_alone_epoch_millis_and_date_math() {
        let (from, to) = read_range("2025-11-24", "now", 0, NOW).expect("valid");
        assert_eq!(from, "2025-11-24T00:00:00.000Z");
        assert_eq!(to, "now", "a relative end stays relative");
        let (from, _) = read_range("1764061200000", "now", 0, NOW).expect("valid");
        assert_eq!(parse_iso8601(&from), Some(1_764_061_200_000));
        assert_eq!(
            read_range("now-1h", "now", 0, NOW).map(|r| r.0),
            Ok("now-1h".into())
        );
    }

    #[test]
    fn errors_say_which_end_and_what_is_wrong() {
        let err = read_range("2025-11-25 11:00", "2025-11-25 10:00", 0, NOW).expect_err("reversed");
        assert!(err.contains("must be before"), "{err}");
        let err = read_range("yesterday", "now", 0, NOW).expect_err("not a time");
        assert!(err.starts_with("From [yesterday] is not a time"), "{err}");
        let err = read_range("now-1h", "", 0, NOW).expect_err("empty");
        assert!(err.starts_with("To is empty"), "{err}");
        let err =
            read_range("2025-11-25 10:00", "2025-11-25 10:00", 0, NOW).expect_err("empty range");
        assert!(err.contains("must be before"), "{err}");
    }
}
