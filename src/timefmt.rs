//! Times as people read them: in the browser's zone or UTC, always with the offset shown.

use logdash_core::time::{format_with_offset, EpochMillis};

/// Minutes east of UTC of the browser's zone now.
pub fn local_offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// The offset to display in: 0 for UTC, else the browser's.
pub fn display_offset(utc: bool) -> i32 {
    if utc {
        0
    } else {
        local_offset_minutes()
    }
}

/// `2025-11-25 04:10:00.123 +01:00`
pub fn full(ms: EpochMillis, offset: i32) -> String {
    let (date, time) = parts(ms, offset);
    format!("{date} {}", with_zone(&time, offset))
}

/// `04:10:00.123 +01:00` (or `… UTC`) for the stream's compact column.
pub fn clock(ms: EpochMillis, offset: i32) -> String {
    let (_, time) = parts(ms, offset);
    with_zone(&time, offset)
}

/// `04:10:00.123+01:00` as `04:10:00.123 +01:00`, or `… UTC` at offset 0.
fn with_zone(time: &str, offset: i32) -> String {
    let (time, zone) = time.split_at(time.len().min(12));
    let zone = if offset == 0 { "UTC" } else { zone };
    format!("{time} {zone}")
}

/// `04:10` for chart axes.
pub fn hour_minute(ms: EpochMillis, offset: i32) -> String {
    let (_, time) = parts(ms, offset);
    time.chars().take(5).collect()
}

/// `11-25 04:10` for the axes of charts that span days.
pub fn day_hour_minute(ms: EpochMillis, offset: i32) -> String {
    let (date, time) = parts(ms, offset);
    let month_day: String = date.chars().skip(5).collect();
    format!("{month_day} {}", time.chars().take(5).collect::<String>())
}

/// The ISO text split at its `T`: (`2025-11-25`, `04:10:00.123+01:00`).
fn parts(ms: EpochMillis, offset: i32) -> (String, String) {
    let text = format_with_offset(ms, offset);
    match text.split_once('T') {
        Some((date, time)) => (date.to_string(), time.to_string()),
        None => (text, String::new()),
    }
}

/// `now` in epoch milliseconds.
pub fn now() -> EpochMillis {
    js_sys::Date::now() as EpochMillis
}
