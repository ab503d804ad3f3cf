//! Time zones as Elasticsearch takes them (`time_zone`): UTC, fixed offsets (`+01:00`,
//! `-0530`) and, with the `zones` feature, IANA names (`Europe/Berlin`) with their daylight
//! saving rules. Local wall-clock time is kept as "epoch milliseconds as if the wall clock
//! were UTC", so calendar arithmetic runs on it unchanged.

use super::{
    civil_from_days, days_from_civil, EpochMillis, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE,
};

/// How local wall-clock time relates to UTC.
pub trait Zone {
    /// How far (ms) local time is ahead of UTC at the instant `utc`.
    fn offset_at(&self, utc: EpochMillis) -> i64;

    /// The instant of the wall-clock time `local`. A time a clock change skips is moved on
    /// by the gap, and one it repeats is the earlier of the two, as in `java.time` (and so
    /// in Elasticsearch).
    fn to_utc(&self, local: EpochMillis) -> EpochMillis;

    /// The wall-clock time at the instant `utc`.
    fn to_local(&self, utc: EpochMillis) -> EpochMillis {
        utc + self.offset_at(utc)
    }
}

/// A fixed offset, in minutes east of UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixed(pub i32);

impl Zone for Fixed {
    fn offset_at(&self, _utc: EpochMillis) -> i64 {
        i64::from(self.0) * MS_PER_MINUTE
    }

    fn to_utc(&self, local: EpochMillis) -> EpochMillis {
        local - i64::from(self.0) * MS_PER_MINUTE
    }
}

/// Any zone Elasticsearch names: a fixed offset, or (with `zones`) a named one.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyZone {
    Fixed(Fixed),
    #[cfg(feature = "zones")]
    Named(jiff::tz::TimeZone),
}

impl AnyZone {
    pub const UTC: AnyZone = AnyZone::Fixed(Fixed(0));

    /// Reads a `time_zone` value: `Z`, `UTC`, `+01:00`, `-0530`, `+02`, and (with `zones`)
    /// an IANA name such as `Europe/Berlin` or `America/New_York`.
    pub fn parse(text: &str) -> Option<AnyZone> {
        if let Some(minutes) = super::parse_fixed_offset(text) {
            return Some(AnyZone::Fixed(Fixed(minutes)));
        }
        #[cfg(feature = "zones")]
        if text.contains('/') || text.chars().all(|c| c.is_ascii_alphabetic()) {
            return jiff::tz::TimeZone::get(text).ok().map(AnyZone::Named);
        }
        None
    }

    /// Whether its offset never changes (a fixed offset, or a name without clock changes
    /// is still treated as named).
    pub fn fixed_minutes(&self) -> Option<i32> {
        match self {
            AnyZone::Fixed(Fixed(minutes)) => Some(*minutes),
            #[cfg(feature = "zones")]
            AnyZone::Named(_) => None,
        }
    }

    /// Formats as Elasticsearch writes a date in this zone:
    /// `2026-03-29T03:00:00.000+02:00` (or `Z` where the offset is zero).
    pub fn format(&self, utc: EpochMillis) -> String {
        let minutes = self.offset_at(utc).div_euclid(MS_PER_MINUTE);
        super::format_with_offset(utc, i32::try_from(minutes).unwrap_or(0))
    }
}

impl Zone for AnyZone {
    fn offset_at(&self, utc: EpochMillis) -> i64 {
        match self {
            AnyZone::Fixed(fixed) => fixed.offset_at(utc),
            #[cfg(feature = "zones")]
            AnyZone::Named(zone) => named::offset_at(zone, utc),
        }
    }

    fn to_utc(&self, local: EpochMillis) -> EpochMillis {
        match self {
            AnyZone::Fixed(fixed) => fixed.to_utc(local),
            #[cfg(feature = "zones")]
            AnyZone::Named(zone) => named::to_utc(zone, local),
        }
    }
}

#[cfg(feature = "zones")]
mod named {
    use super::{EpochMillis, MS_PER_DAY};
    use jiff::civil::DateTime;
    use jiff::tz::{AmbiguousOffset, TimeZone};
    use jiff::Timestamp;

    pub(super) fn offset_at(zone: &TimeZone, utc: EpochMillis) -> i64 {
        Timestamp::from_millisecond(utc)
            .map(|at| i64::from(zone.to_offset(at).seconds()) * 1_000)
            .unwrap_or(0)
    }

    pub(super) fn to_utc(zone: &TimeZone, local: EpochMillis) -> EpochMillis {
        let Some(civil) = civil_of(local) else {
            return local - offset_at(zone, local);
        };
        let offset = match zone.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset,
            // a repeated hour: the earlier instant, i.e. the offset before the change
            AmbiguousOffset::Fold { before, .. } => before,
            // a skipped hour: moved on by the gap, i.e. read with the offset before it
            AmbiguousOffset::Gap { before, .. } => before,
        };
        local - i64::from(offset.seconds()) * 1_000
    }

    /// A wall-clock time in ms as jiff's civil date-time (`None` past jiff's years).
    fn civil_of(local: EpochMillis) -> Option<DateTime> {
        let (year, month, day) = super::civil_from_days(local.div_euclid(MS_PER_DAY));
        let in_day = local.rem_euclid(MS_PER_DAY);
        DateTime::new(
            i16::try_from(year).ok()?,
            i8::try_from(month).ok()?,
            i8::try_from(day).ok()?,
            i8::try_from(in_day / 3_600_000).ok()?,
            i8::try_from(in_day / 60_000 % 60).ok()?,
            i8::try_from(in_day / 1_000 % 60).ok()?,
            i32::try_from(in_day % 1_000 * 1_000_000).ok()?,
        )
        .ok()
    }
}

/// A `calendar_interval`: one calendar unit, whose length varies with the calendar and the
/// zone's clock changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarUnit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl CalendarUnit {
    /// Elasticsearch's names: `minute`/`1m`, `hour`/`1h`, `day`/`1d`, `week`/`1w`,
    /// `month`/`1M`, `quarter`/`1q`, `year`/`1y`.
    pub fn parse(text: &str) -> Option<CalendarUnit> {
        Some(match text {
            "minute" | "1m" => CalendarUnit::Minute,
            "hour" | "1h" => CalendarUnit::Hour,
            "day" | "1d" => CalendarUnit::Day,
            "week" | "1w" => CalendarUnit::Week,
            "month" | "1M" => CalendarUnit::Month,
            "quarter" | "1q" => CalendarUnit::Quarter,
            "year" | "1y" => CalendarUnit::Year,
            _ => return None,
        })
    }

    /// The start of the unit holding the wall-clock time `local` (weeks start on Monday).
    pub fn floor(self, local: EpochMillis) -> EpochMillis {
        let days = local.div_euclid(MS_PER_DAY);
        let (year, month, _) = civil_from_days(days);
        let month_start = |month: u32| days_from_civil(year, month, 1) * MS_PER_DAY;
        match self {
            CalendarUnit::Minute => local - local.rem_euclid(MS_PER_MINUTE),
            CalendarUnit::Hour => local - local.rem_euclid(MS_PER_HOUR),
            CalendarUnit::Day => days * MS_PER_DAY,
            // 1970-01-01 was a Thursday: Mondays are 4 days after a multiple of 7
            CalendarUnit::Week => (days - (days - 4).rem_euclid(7)) * MS_PER_DAY,
            CalendarUnit::Month => month_start(month),
            CalendarUnit::Quarter => month_start((month - 1) / 3 * 3 + 1),
            CalendarUnit::Year => month_start(1),
        }
    }

    /// The start of the unit after the one starting at `start` (a [`CalendarUnit::floor`]).
    pub fn next(self, start: EpochMillis) -> EpochMillis {
        let months = |n: u32| {
            let (year, month, _) = civil_from_days(start.div_euclid(MS_PER_DAY));
            let index = i64::from(month - 1) + i64::from(n);
            let (year, month) = (year + index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
            days_from_civil(year, month, 1) * MS_PER_DAY
        };
        match self {
            CalendarUnit::Minute => start + MS_PER_MINUTE,
            CalendarUnit::Hour => start + MS_PER_HOUR,
            CalendarUnit::Day => start + MS_PER_DAY,
            CalendarUnit::Week => start + 7 * MS_PER_DAY,
            CalendarUnit::Month => months(1),
            CalendarUnit::Quarter => months(3),
            CalendarUnit::Year => months(12),
        }
    }
}

/// How a date_histogram cuts time into buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Calendar(CalendarUnit),
    /// A fixed length in ms, counted in local time from the epoch.
    Fixed(i64),
}

/// The start (UTC) of the bucket holding `utc`, in `zone`, with the buckets moved by
/// `offset` ms, as Elasticsearch's date_histogram rounds: in local time, then back to UTC
/// with the instant's own offset where it still holds (so the two runs of an hour a clock
/// change repeats are two buckets), else as the zone reads the wall-clock start.
pub fn bucket_start(
    zone: &impl Zone,
    interval: Interval,
    offset: i64,
    utc: EpochMillis,
) -> EpochMillis {
    let at = utc - offset;
    let own = zone.offset_at(at);
    let floor = match interval {
        Interval::Calendar(unit) => unit.floor(at + own),
        Interval::Fixed(length) => (at + own) - (at + own).rem_euclid(length),
    };
    let with_own = floor - own;
    let start = if zone.offset_at(with_own) == own {
        with_own
    } else {
        zone.to_utc(floor)
    };
    start + offset
}

/// The start of the bucket after the one starting at `start`.
fn next_start(
    zone: &impl Zone,
    interval: Interval,
    offset: i64,
    start: EpochMillis,
) -> EpochMillis {
    let short = match interval {
        Interval::Calendar(CalendarUnit::Minute) => Some(MS_PER_MINUTE),
        Interval::Calendar(CalendarUnit::Hour) => Some(MS_PER_HOUR),
        Interval::Fixed(length) if length <= MS_PER_HOUR => Some(length),
        _ => None,
    };
    let next = match short {
        // an hour or less: the next bucket begins where this one's length in real time ends
        Some(length) => bucket_start(zone, interval, offset, start + length),
        // days and longer: at the next wall-clock start (23 or 25 hours across a change)
        None => {
            let local = zone.to_local(start - offset);
            let next_local = match interval {
                Interval::Calendar(unit) => unit.next(unit.floor(local)),
                Interval::Fixed(length) => local - local.rem_euclid(length) + length,
            };
            zone.to_utc(next_local) + offset
        }
    };
    next.max(start + 1)
}

/// The starts of every bucket from the one holding `from` to the one holding `to`, then the
/// end of the last: `n + 1` edges of `n` buckets. `None` past `limit` buckets.
pub fn bucket_edges(
    zone: &impl Zone,
    interval: Interval,
    offset: i64,
    (from, to): (EpochMillis, EpochMillis),
    limit: usize,
) -> Option<Vec<EpochMillis>> {
    let mut edges = vec![bucket_start(zone, interval, offset, from)];
    loop {
        let next = next_start(zone, interval, offset, *edges.last()?);
        edges.push(next);
        if next > to {
            return Some(edges);
        }
        if edges.len() > limit + 1 {
            return None;
        }
    }
}

// (the named zones' cases need the tz database: `cargo test --workspace` has it)
#[cfg(all(test, feature = "zones"))]
mod tests;
