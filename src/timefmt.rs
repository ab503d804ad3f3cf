//! Times as people read them: in the browser's zone, UTC or a named one, always with the
//! offset shown.

use logdash_core::time::{format_with_offset, parse_fixed_offset, EpochMillis};
use logdash_core::view::Zone;
use wasm_bindgen::prelude::wasm_bindgen;

/// Minutes east of UTC of the browser's zone now.
pub fn local_offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// The offset to display in, now: the browser's, 0 for UTC, a named zone's (UTC when the
/// browser does not know the name).
pub fn display_offset(zone: &Zone) -> i32 {
    match zone {
        Zone::Local => local_offset_minutes(),
        Zone::Utc => 0,
        Zone::Named(name) => named_offset(name, now()).unwrap_or(0),
    }
}

/// The name to bucket by on the cluster: a named zone the browser knows (`None` for the
/// browser's own zone, sent as its offset).
pub fn es_zone(zone: &Zone) -> Option<String> {
    match zone {
        Zone::Named(name) if named_offset(name, now()).is_none() => Some("UTC".into()),
        other => other.es_name().map(str::to_string),
    }
}

/// A zone's offset at `ms` in minutes east, by the browser's own tz database
/// (`Intl.DateTimeFormat`); `None` when it does not know the name.
pub fn named_offset(name: &str, ms: EpochMillis) -> Option<i32> {
    parse_fixed_offset(name).or_else(|| {
        let minutes = intl_offset(name, ms as f64);
        minutes.is_finite().then_some(minutes as i32)
    })
}

// "12/6/2026, GMT+05:45" (or "…, GMT" at offset 0) read as minutes; an unknown zone
// throws, and is NaN
#[wasm_bindgen(inline_js = "export function intl_offset(zone, ms) {
  try {
    const text = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).format(ms);
    const m = /GMT(?:([+-])(\\d\\d):(\\d\\d))?$/.exec(text);
    return m ? (m[1] ? (m[1] == '-' ? -1 : 1) * (m[2] * 60 + +m[3]) : 0) : NaN;
  } catch (e) {
    return NaN;
  }
}")]
extern "C" {
    fn intl_offset(zone: &str, ms: f64) -> f64;
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

/// `+05:45`, `-03:00`, `+00:00`.
pub fn offset_text(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let abs = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", abs / 60, abs % 60)
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
