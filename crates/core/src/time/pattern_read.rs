//! Dates read in a format Elasticsearch names (a range bound's `format`, a histogram's
//! bounds), as `java.time` reads them for it: numbers as wide as their letters say
//! (`dd` two digits, `d` one or two, `yyyy` four or more), names of months and days as
//! written, the text read to its end; fields left out default to the start of what is
//! given (January, the 1st, midnight), and when rounding up (`lte`, `gt`) the time of day
//! left out is its last millisecond, as Elasticsearch's round-up parser fills it.

use super::civil::days_from_civil;
use super::pattern::{DatePattern, OffsetStyle, Piece, DAYS, MONTHS};
use super::{EpochMillis, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND};

/// A date read in a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadDate {
    /// Its wall-clock time, as epoch milliseconds of a clock at UTC.
    pub local: EpochMillis,
    /// The offset it states (minutes east of UTC), or none: a time in the query's zone.
    pub offset_minutes: Option<i32>,
    /// What the time of day it leaves out adds when the date is rounded up.
    pub left_out: i64,
}

impl ReadDate {
    /// The instant, given the offset of a wall-clock time that states none.
    pub fn instant(&self, to_utc: impl Fn(EpochMillis) -> EpochMillis) -> EpochMillis {
        match self.offset_minutes {
            Some(minutes) => self.local - i64::from(minutes) * MS_PER_MINUTE,
            None => to_utc(self.local),
        }
    }
}

/// The fields a pattern read, before they make a date.
#[derive(Default)]
struct Fields {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    day_of_year: Option<i64>,
    hour: Option<i64>,
    clock_hour: Option<i64>,
    afternoon: Option<bool>,
    minute: Option<i64>,
    second: Option<i64>,
    nanos: Option<i64>,
    offset: Option<i32>,
}

impl DatePattern {
    /// `text` read in this pattern, all of it; `None` when it does not fit.
    pub fn read(&self, text: &str) -> Option<ReadDate> {
        let pieces = match self {
            DatePattern::EpochMillis => {
                return Some(ReadDate {
                    local: whole_number(text)?,
                    offset_minutes: Some(0),
                    left_out: 0,
                })
            }
            DatePattern::EpochSecond => {
                let (seconds, fraction) = text.split_once('.').unwrap_or((text, ""));
                let millis: String = format!("{fraction:0<3}").chars().take(3).collect();
                let fraction = match fraction {
                    "" => 0,
                    _ if fraction.bytes().all(|b| b.is_ascii_digit()) => millis.parse().ok()?,
                    _ => return None,
                };
                let seconds = whole_number(seconds)?;
                let sign = if seconds < 0 || seconds == 0 && text.starts_with('-') {
                    -1
                } else {
                    1
                };
                return Some(ReadDate {
                    local: seconds.checked_mul(1_000)? + sign * fraction,
                    offset_minutes: Some(0),
                    left_out: 0,
                });
            }
            DatePattern::Pieces(pieces) => pieces,
        };
        let chars: Vec<char> = text.chars().collect();
        let mut at = 0;
        let mut fields = Fields::default();
        for (index, piece) in pieces.iter().enumerate() {
            // a number followed at once by another is as wide as its letters
            let adjacent = pieces.get(index + 1).is_some_and(is_number);
            let mut number = |least: usize, most: usize| digits(&chars, &mut at, least, most);
            match piece {
                Piece::Literal(literal) => {
                    for expected in literal.chars() {
                        (chars.get(at) == Some(&expected)).then_some(())?;
                        at += 1;
                    }
                }
                Piece::Year(2) => fields.year = Some(2000 + number(2, 2)?),
                Piece::Year(width) => {
                    let most = if adjacent { *width } else { 19 };
                    fields.year = Some(number(*width, most)?);
                }
                Piece::Month(width @ (1 | 2)) => fields.month = Some(number(*width, 2)?),
                Piece::Month(width) => {
                    let month = MONTHS.iter().position(|name| {
                        let name = if *width == 3 { &name[..3] } else { name };
                        starts_with(&chars, at, name)
                    })?;
                    let name = MONTHS[month];
                    at += if *width == 3 { 3 } else { name.len() };
                    fields.month = Some(month as i64 + 1);
                }
                Piece::Day(width) => fields.day = Some(number(*width, 2)?),
                Piece::DayOfYear(width) => fields.day_of_year = Some(number(*width, 3)?),
                Piece::DayName(width) => {
                    // the name is read, not checked against the date
                    let name = DAYS.iter().find_map(|name| {
                        let name = if *width >= 4 { *name } else { &name[..3] };
                        starts_with(&chars, at, name).then_some(name)
                    })?;
                    at += name.len();
                }
                Piece::Hour(width) => fields.hour = Some(number(*width, 2)?),
                Piece::ClockHour(width) => fields.clock_hour = Some(number(*width, 2)?),
                Piece::Minute(width) => fields.minute = Some(number(*width, 2)?),
                Piece::Second(width) => fields.second = Some(number(*width, 2)?),
                Piece::Fraction(width) => {
                    let fraction = number(*width, *width)?;
                    fields.nanos = Some(fraction * 10_i64.pow(9 - *width as u32));
                }
                Piece::HalfDay => {
                    let afternoon = match chars.get(at..at + 2) {
                        Some(['A', 'M']) => false,
                        Some(['P', 'M']) => true,
                        _ => return None,
                    };
                    at += 2;
                    fields.afternoon = Some(afternoon);
                }
                Piece::Offset(style) => fields.offset = Some(offset(&chars, &mut at, *style)?),
                Piece::Quarter(_) => return None,
            }
        }
        (at == chars.len()).then_some(())?;
        fields.date()
    }
}

impl Fields {
    fn date(self) -> Option<ReadDate> {
        let year = self.year.unwrap_or(1970);
        let days = match self.day_of_year {
            Some(day) => {
                let first = days_from_civil(year, 1, 1);
                let length = days_from_civil(year + 1, 1, 1) - first;
                (1..=length).contains(&day).then_some(())?;
                first + day - 1
            }
            None => {
                let month = self.month.unwrap_or(1);
                let day = self.day.unwrap_or(1);
                (1..=12).contains(&month).then_some(())?;
                let month = u32::try_from(month).ok()?;
                let first = days_from_civil(year, month, 1);
                let next = match month {
                    12 => days_from_civil(year + 1, 1, 1),
                    _ => days_from_civil(year, month + 1, 1),
                };
                (1..=next - first).contains(&day).then_some(())?;
                first + day - 1
            }
        };
        let hour = match (self.clock_hour, self.afternoon, self.hour) {
            (Some(clock), afternoon, _) => {
                (1..=12).contains(&clock).then_some(())?;
                clock % 12 + if afternoon == Some(true) { 12 } else { 0 }
            }
            (None, _, hour) => hour.unwrap_or(0),
        };
        let (minute, second) = (self.minute.unwrap_or(0), self.second.unwrap_or(0));
        let nanos = self.nanos.unwrap_or(0);
        ((0..24).contains(&hour) && (0..60).contains(&minute) && (0..60).contains(&second))
            .then_some(())?;
        let hour_given = self.hour.is_some() || self.clock_hour.is_some();
        // rounded up, the time of day left out is its last millisecond
        let left_out = if !hour_given {
            MS_PER_DAY - 1
        } else if self.minute.is_none() {
            MS_PER_HOUR - 1
        } else if self.second.is_none() {
            MS_PER_MINUTE - 1
        } else if self.nanos.is_none() {
            MS_PER_SECOND - 1
        } else {
            0
        };
        Some(ReadDate {
            local: days.checked_mul(MS_PER_DAY)?
                + hour * MS_PER_HOUR
                + minute * MS_PER_MINUTE
                + second * MS_PER_SECOND
                + nanos / 1_000_000,
            offset_minutes: self.offset,
            left_out,
        })
    }
}

fn is_number(piece: &Piece) -> bool {
    matches!(
        piece,
        Piece::Year(_)
            | Piece::Month(1 | 2)
            | Piece::Day(_)
            | Piece::DayOfYear(_)
            | Piece::Hour(_)
            | Piece::ClockHour(_)
            | Piece::Minute(_)
            | Piece::Second(_)
            | Piece::Fraction(_)
    )
}

/// `least` to `most` ASCII digits at `at`, as many as there are.
fn digits(chars: &[char], at: &mut usize, least: usize, most: usize) -> Option<i64> {
    let run = chars[*at..]
        .iter()
        .take(most)
        .take_while(|c| c.is_ascii_digit())
        .count();
    (run >= least).then_some(())?;
    let text: String = chars[*at..*at + run].iter().collect();
    *at += run;
    text.parse().ok()
}

fn starts_with(chars: &[char], at: usize, text: &str) -> bool {
    let mut position = at;
    text.chars().all(|expected| {
        let fits = chars.get(position) == Some(&expected);
        position += 1;
        fits
    })
}

fn whole_number(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(())?;
    text.parse().ok()
}

/// An offset as `style` writes it: `Z` where the style writes zero so, else a sign and
/// hours, then minutes (with a colon in the colon style) where it has them.
fn offset(chars: &[char], at: &mut usize, style: OffsetStyle) -> Option<i32> {
    let zero_z = matches!(
        style,
        OffsetStyle::ShortOrZ
            | OffsetStyle::Hours4 { zero_z: true }
            | OffsetStyle::Colon { zero_z: true }
    );
    if zero_z && chars.get(*at) == Some(&'Z') {
        *at += 1;
        return Some(0);
    }
    let sign = match chars.get(*at) {
        Some('+') => 1,
        Some('-') => -1,
        _ => return None,
    };
    *at += 1;
    let hours = digits(chars, at, 2, 2)?;
    let minutes = match style {
        OffsetStyle::Colon { .. } => {
            (chars.get(*at) == Some(&':')).then_some(())?;
            *at += 1;
            digits(chars, at, 2, 2)?
        }
        OffsetStyle::Basic | OffsetStyle::Hours4 { .. } => digits(chars, at, 2, 2)?,
        OffsetStyle::ShortOrZ | OffsetStyle::Short => digits(chars, at, 0, 2).unwrap_or(0),
    };
    (hours < 24 && minutes < 60).then_some(())?;
    i32::try_from(sign * (hours * 60 + minutes)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(format: &str, text: &str) -> Option<ReadDate> {
        DatePattern::parse(format).ok()?.read(text)
    }

    fn utc(format: &str, text: &str) -> Option<EpochMillis> {
        read(format, text).map(|date| date.instant(|local| local))
    }

    /// 2024-03-05T10:30:00Z
    const AT: EpochMillis = 1_709_634_600_000;
    const DAY: EpochMillis = 1_709_596_800_000;

    #[test]
    fn patterns_read_dates_as_java_time_reads_them() {
        assert_eq!(utc("dd/MM/yyyy", "05/03/2024"), Some(DAY));
        assert_eq!(utc("d/M/yyyy", "5/3/2024"), Some(DAY));
        assert_eq!(utc("dd/MM/yyyy HH:mm", "05/03/2024 10:30"), Some(AT));
        assert_eq!(utc("basic_date", "20240305"), Some(DAY));
        assert_eq!(utc("MMM d yyyy", "Mar 5 2024"), Some(DAY));
        assert_eq!(utc("MMMM d, yyyy", "March 5, 2024"), Some(DAY));
        assert_eq!(utc("dd/MM/yy", "05/03/24"), Some(DAY));
        assert_eq!(utc("d/M/yyyy hh:mm:ss a", "5/3/2024 10:30:00 AM"), Some(AT));
        assert_eq!(utc("d/M/yyyy hh:mm a", "5/3/2024 12:00 AM"), Some(DAY));
        assert_eq!(
            utc("yyyy-MM-dd HH:mm:ss,SSS", "2024-03-05 10:30:00,250"),
            Some(AT + 250)
        );
        assert_eq!(utc("yyyy-DDD", "2024-065"), Some(DAY));
        assert_eq!(utc("EEE, dd MMM yyyy", "Tue, 05 Mar 2024"), Some(DAY));
        assert_eq!(utc("epoch_millis", "1709634600000"), Some(AT));
        assert_eq!(utc("epoch_second", "1709634600.5"), Some(AT + 500));
        // an offset states the instant
        assert_eq!(
            utc("dd/MM/yyyy HH:mm Z", "05/03/2024 11:30 +0100"),
            Some(AT)
        );
        assert_eq!(utc("dd/MM/yyyy HH:mm XXX", "05/03/2024 10:30 Z"), Some(AT));
        assert_eq!(
            utc("dd/MM/yyyy HH:mm XXX", "05/03/2024 05:00 -05:30"),
            Some(AT)
        );
    }

    #[test]
    fn what_does_not_fit_its_pattern_is_not_a_date() {
        for (format, text) in [
            ("dd/MM/yyyy", "1/1/2024"),
            ("dd/MM/yyyy", "05/03/2024 "),
            ("dd/MM/yyyy", "31/02/2024"),
            ("dd/MM/yyyy", "05-03-2024"),
            ("HH:mm", "24:00"),
            ("MMM yyyy", "mar 2024"),
            ("hh:mm a", "13:00 PM"),
            ("epoch_millis", "12a"),
        ] {
            assert_eq!(read(format, text), None, "{format}: {text}");
        }
    }

    #[test]
    fn rounded_up_the_time_of_day_left_out_is_its_last_millisecond() {
        // as Elasticsearch fills it: the month and day left out stay the first
        let left_out = |format, text| read(format, text).map(|date| date.left_out);
        assert_eq!(left_out("yyyy", "2024"), Some(MS_PER_DAY - 1));
        assert_eq!(left_out("dd/MM/yyyy", "05/03/2024"), Some(MS_PER_DAY - 1));
        assert_eq!(
            left_out("dd/MM/yyyy HH", "05/03/2024 10"),
            Some(MS_PER_HOUR - 1)
        );
        assert_eq!(
            left_out("dd/MM/yyyy HH:mm", "05/03/2024 10:30"),
            Some(59_999)
        );
        assert_eq!(left_out("HH:mm:ss", "10:30:00"), Some(999));
        assert_eq!(left_out("HH:mm:ss.SSS", "10:30:00.000"), Some(0));
        assert_eq!(utc("yyyy", "2024"), Some(1_704_067_200_000));
    }
}
