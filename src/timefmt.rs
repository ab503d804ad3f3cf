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
    let text = format_with_offset(ms, offset);
    let (date, rest) = text.split_at(10);
    let time = &rest[1..13];
    let zone = if offset == 0 {
        "UTC".to_string()
    } else {
        rest[13..].to_string()
    };
    format!("{date} {time} {zone}")
}

/// `04:10:00.123` for the stream's compact column.
pub fn clock(ms: EpochMillis, offset: i32) -> String {
    format_with_offset(ms, offset)[11..23].to_string()
}

/// `now` in epoch milliseconds.
pub fn now() -> EpochMillis {
    js_sys::Date::now() as EpochMillis
}
