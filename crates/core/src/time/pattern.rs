//! Date formats as Elasticsearch names them, for writing dates: its built-in names
//! (`epoch_millis`, `strict_date_optional_time`, `basic_date`, ...) and `java.time`
//! patterns (`yyyy-MM-dd HH:mm`, `dd MMM yyyy`, `hh:mm a`), in a zone's offset. A format
//! of several (`yyyy-MM-dd||epoch_millis`) writes with its first, as Elasticsearch does.

use super::civil::{civil_from_days, days_from_civil};
use super::{EpochMillis, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND};

/// A format dates are written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatePattern {
    EpochMillis,
    /// Seconds, with the milliseconds as a decimal fraction when there are any.
    EpochSecond,
    Pieces(Vec<Piece>),
}

/// How dates are written: in a zone, in ISO 8601 or in a format Elasticsearch names.
#[derive(Debug, Clone, PartialEq)]
pub struct DateWriter {
    pub zone: super::AnyZone,
    /// `None`: ISO 8601 with the zone's offset, Elasticsearch's default.
    pub pattern: Option<DatePattern>,
}

impl DateWriter {
    /// ISO 8601 in UTC.
    pub const UTC: DateWriter = DateWriter {
        zone: super::AnyZone::UTC,
        pattern: None,
    };

    /// `utc` written in this writer's format, at its zone's offset then.
    pub fn format(&self, utc: EpochMillis) -> String {
        use super::Zone;
        match &self.pattern {
            None => self.zone.format(utc),
            Some(pattern) => {
                let minutes = self.zone.offset_at(utc).div_euclid(MS_PER_MINUTE);
                pattern.write(utc, i32::try_from(minutes).unwrap_or(0))
            }
        }
    }

    /// Whether `text`, read as ISO 8601 or date math to the instant `utc`, means that
    /// instant in this writer's format too: date math (`now-1d`) is read whatever the
    /// format, a date must be written as the format writes it. Where it is not, reading
    /// it as ISO 8601 may have read it otherwise than the format would have.
    pub fn reads_back(&self, text: &str, utc: EpochMillis) -> bool {
        match &self.pattern {
            None | Some(DatePattern::EpochMillis) => true,
            Some(_) => text.starts_with("now") || self.format(utc) == text,
        }
    }
}

/// One piece of a pattern: a field of the date, written `width` wide, or text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Literal(String),
    /// `y` or `u`; two letters write the last two digits.
    Year(usize),
    /// `M` or `L`: one or two letters a number, three a short name, four the full name.
    Month(usize),
    Day(usize),
    DayOfYear(usize),
    /// `q` or `Q`: one or two letters a number, three `Q1`, four `1st quarter`.
    Quarter(usize),
    /// `E`: up to three letters a short name, four the full name.
    DayName(usize),
    Hour(usize),
    /// `h`: 1 to 12.
    ClockHour(usize),
    Minute(usize),
    Second(usize),
    /// `S`: this many digits of the fraction of a second.
    Fraction(usize),
    /// `a`: AM or PM.
    HalfDay,
    Offset(OffsetStyle),
}

/// How an offset is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetStyle {
    /// `Z`: `+0000`, `+0530`.
    Basic,
    /// `X`: `Z`, `+05`, `+0530`.
    ShortOrZ,
    /// `XX`: `Z`, `+0530`; `xx`: `+0000` (`zero_z` false).
    Hours4 { zero_z: bool },
    /// `XXX` and `ZZZZZ`: `Z`, `+05:30`; `xxx`: `+00:00`.
    Colon { zero_z: bool },
    /// `x`: `+00`, `+05`, `+0530`.
    Short,
}

pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(super) const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Built-in names and the patterns they write (a `strict_` prefix writes the same).
const NAMED: [(&str, &str); 22] = [
    ("date_optional_time", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
    ("date_optional_time_nanos", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
    ("date_time", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
    ("basic_date", "yyyyMMdd"),
    ("basic_date_time", "yyyyMMdd'T'HHmmss.SSSXXX"),
    ("date", "yyyy-MM-dd"),
    ("year_month_day", "yyyy-MM-dd"),
    ("year_month", "yyyy-MM"),
    ("year", "yyyy"),
    ("date_hour", "yyyy-MM-dd'T'HH"),
    ("date_hour_minute", "yyyy-MM-dd'T'HH:mm"),
    ("date_hour_minute_second", "yyyy-MM-dd'T'HH:mm:ss"),
    (
        "date_hour_minute_second_millis",
        "yyyy-MM-dd'T'HH:mm:ss.SSS",
    ),
    (
        "date_hour_minute_second_fraction",
        "yyyy-MM-dd'T'HH:mm:ss.SSS",
    ),
    ("hour", "HH"),
    ("hour_minute", "HH:mm"),
    ("hour_minute_second", "HH:mm:ss"),
    ("hour_minute_second_millis", "HH:mm:ss.SSS"),
    ("hour_minute_second_fraction", "HH:mm:ss.SSS"),
    ("time", "HH:mm:ss.SSSXXX"),
    ("t_time", "'T'HH:mm:ss.SSSXXX"),
    ("ordinal_date", "yyyy-DDD"),
];

/// Pattern letters `java.time` knows that logdash does not write (weeks, eras, zone names...).
const KNOWN_LETTERS: &str = "GYwWecFKkAnNVzOp";

impl DatePattern {
    /// Reads a format as Elasticsearch takes it. An error is Elasticsearch's reason for a
    /// pattern it cannot read, or names what logdash does not write.
    pub fn parse(format: &str) -> Result<DatePattern, String> {
        let first = format.split("||").next().unwrap_or(format).trim();
        let name = first.strip_prefix("strict_").unwrap_or(first);
        match name {
            "epoch_millis" => return Ok(DatePattern::EpochMillis),
            "epoch_second" => return Ok(DatePattern::EpochSecond),
            _ => {}
        }
        if let Some((_, pattern)) = NAMED.iter().find(|(named, _)| *named == name) {
            return pieces(pattern).map(DatePattern::Pieces);
        }
        if name.contains('_') && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(format!(
                "the date format [{first}] is not supported by logdash: it writes epoch_millis, epoch_second, the ISO 8601 names (strict_date_optional_time, date, date_hour_minute_second, basic_date, ...) and java.time patterns"
            ));
        }
        pieces(first)
            .map(DatePattern::Pieces)
            .map_err(|reason| format!("Invalid format: [{format}]: {reason}"))
    }

    /// `utc` written in this format, at `offset_minutes` east of UTC.
    pub fn write(&self, utc: EpochMillis, offset_minutes: i32) -> String {
        let pieces = match self {
            DatePattern::EpochMillis => return utc.to_string(),
            // the sign, then the seconds and their fraction as a length of time
            DatePattern::EpochSecond => {
                let sign = if utc < 0 { "-" } else { "" };
                let length = utc.unsigned_abs();
                let (seconds, fraction) = (length / 1_000, length % 1_000);
                return match fraction {
                    0 => format!("{sign}{seconds}"),
                    fraction => {
                        let digits = format!("{fraction:03}");
                        format!("{sign}{seconds}.{}", digits.trim_end_matches('0'))
                    }
                };
            }
            DatePattern::Pieces(pieces) => pieces,
        };
        let local = utc + i64::from(offset_minutes) * MS_PER_MINUTE;
        let days = local.div_euclid(MS_PER_DAY);
        let in_day = local.rem_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let hour = in_day / MS_PER_HOUR;
        let mut out = String::new();
        for piece in pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Year(2) => out.push_str(&format!("{:02}", year.rem_euclid(100))),
                // as Java's `yyyy` (and wider) writes a year of more digits: signed
                Piece::Year(width)
                    if *width >= 4
                        && u32::try_from(*width).is_ok_and(|w| year >= 10_i64.pow(w.min(18))) =>
                {
                    out.push_str(&format!("+{year}"))
                }
                Piece::Year(width) => out.push_str(&padded(year, *width)),
                Piece::Month(width @ (1 | 2)) => out.push_str(&padded(month.into(), *width)),
                Piece::Month(3) => out.push_str(&MONTHS[month as usize - 1][..3]),
                Piece::Month(_) => out.push_str(MONTHS[month as usize - 1]),
                Piece::Day(width) => out.push_str(&padded(day.into(), *width)),
                Piece::DayOfYear(width) => {
                    let first = days_from_civil(year, 1, 1);
                    out.push_str(&padded(days - first + 1, *width));
                }
                Piece::Quarter(width) => {
                    let quarter = (month - 1) / 3 + 1;
                    out.push_str(&match width {
                        1 | 2 => padded(quarter.into(), *width),
                        3 => format!("Q{quarter}"),
                        _ => format!("{}{} quarter", quarter, ordinal_suffix(quarter)),
                    });
                }
                Piece::DayName(width) => {
                    // 1970-01-01 was a Thursday
                    let name = DAYS[(days + 3).rem_euclid(7) as usize];
                    out.push_str(if *width >= 4 { name } else { &name[..3] });
                }
                Piece::Hour(width) => out.push_str(&padded(hour, *width)),
                Piece::ClockHour(width) => {
                    let clock = match hour % 12 {
                        0 => 12,
                        h => h,
                    };
                    out.push_str(&padded(clock, *width));
                }
                Piece::Minute(width) => {
                    out.push_str(&padded(in_day % MS_PER_HOUR / MS_PER_MINUTE, *width))
                }
                Piece::Second(width) => {
                    out.push_str(&padded(in_day % MS_PER_MINUTE / MS_PER_SECOND, *width))
                }
                Piece::Fraction(digits) => {
                    let millis = format!("{:03}", in_day % MS_PER_SECOND);
                    let mut fraction: String = millis.chars().take(*digits).collect();
                    while fraction.len() < *digits {
                        fraction.push('0');
                    }
                    out.push_str(&fraction);
                }
                Piece::HalfDay => out.push_str(if hour < 12 { "AM" } else { "PM" }),
                Piece::Offset(style) => out.push_str(&offset(*style, offset_minutes)),
            }
        }
        out
    }
}

fn padded(value: i64, width: usize) -> String {
    format!("{value:0width$}")
}

fn ordinal_suffix(n: u32) -> &'static str {
    match n {
        1 => "st",
        2 => "nd",
        3 => "rd",
        _ => "th",
    }
}

fn offset(style: OffsetStyle, minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let (hours, minutes_part) = (minutes.unsigned_abs() / 60, minutes.unsigned_abs() % 60);
    match style {
        OffsetStyle::Basic => format!("{sign}{hours:02}{minutes_part:02}"),
        OffsetStyle::ShortOrZ
        | OffsetStyle::Hours4 { zero_z: true }
        | OffsetStyle::Colon { zero_z: true }
            if minutes == 0 =>
        {
            "Z".to_string()
        }
        OffsetStyle::ShortOrZ | OffsetStyle::Short if minutes_part == 0 => {
            format!("{sign}{hours:02}")
        }
        OffsetStyle::ShortOrZ | OffsetStyle::Short | OffsetStyle::Hours4 { .. } => {
            format!("{sign}{hours:02}{minutes_part:02}")
        }
        OffsetStyle::Colon { .. } => format!("{sign}{hours:02}:{minutes_part:02}"),
    }
}

/// A `java.time` pattern's pieces: runs of one letter, `'quoted text'` (`''` a quote), and
/// anything else as itself.
fn pieces(pattern: &str) -> Result<Vec<Piece>, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut pieces = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let letter = chars[at];
        if letter == '\'' {
            let mut text = String::new();
            at += 1;
            loop {
                match (chars.get(at), chars.get(at + 1)) {
                    (None, _) => {
                        return Err("Pattern ends with an incomplete string literal".into())
                    }
                    (Some('\''), Some('\'')) => {
                        text.push('\'');
                        at += 2;
                    }
                    (Some('\''), _) => {
                        at += 1;
                        break;
                    }
                    (Some(c), _) => {
                        text.push(*c);
                        at += 1;
                    }
                }
            }
            pieces.push(if text.is_empty() {
                Piece::Literal("'".into())
            } else {
                Piece::Literal(text)
            });
            continue;
        }
        let mut width = 1;
        while chars.get(at + width) == Some(&letter) {
            width += 1;
        }
        at += width;
        if !letter.is_ascii_alphabetic() {
            if matches!(letter, '[' | ']' | '{' | '}' | '#') {
                return Err(format!(
                    "optional sections and reserved characters ('{letter}') are not supported by logdash"
                ));
            }
            pieces.push(Piece::Literal(letter.to_string().repeat(width)));
            continue;
        }
        pieces.push(match (letter, width) {
            ('y' | 'u', _) => Piece::Year(width),
            ('M' | 'L', 1..=4) => Piece::Month(width),
            ('d', 1..=2) => Piece::Day(width),
            ('D', 1..=3) => Piece::DayOfYear(width),
            ('q' | 'Q', 1..=4) => Piece::Quarter(width),
            ('E', 1..=4) => Piece::DayName(width),
            ('H', 1..=2) => Piece::Hour(width),
            ('h', 1..=2) => Piece::ClockHour(width),
            ('m', 1..=2) => Piece::Minute(width),
            ('s', 1..=2) => Piece::Second(width),
            ('S', 1..=9) => Piece::Fraction(width),
            ('a', 1) => Piece::HalfDay,
            ('Z', 1..=3) => Piece::Offset(OffsetStyle::Basic),
            ('Z', 5) => Piece::Offset(OffsetStyle::Colon { zero_z: true }),
            ('X', 1) => Piece::Offset(OffsetStyle::ShortOrZ),
            ('X', 2) => Piece::Offset(OffsetStyle::Hours4 { zero_z: true }),
            ('X', 3) => Piece::Offset(OffsetStyle::Colon { zero_z: true }),
            ('x', 1) => Piece::Offset(OffsetStyle::Short),
            ('x', 2) => Piece::Offset(OffsetStyle::Hours4 { zero_z: false }),
            ('x', 3) => Piece::Offset(OffsetStyle::Colon { zero_z: false }),
            (letter, _) if "yuMLdDqQEHhmsSaZXx".contains(letter) => {
                return Err(format!("Too many pattern letters: {letter}"))
            }
            (letter, _) if KNOWN_LETTERS.contains(letter) => {
                return Err(format!(
                    "the pattern letter '{letter}' is not supported by logdash (weeks, eras, zone names)"
                ))
            }
            (letter, _) => return Err(format!("Unknown pattern letter: {letter}")),
        });
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-03-05T14:07:09.045Z, the instant the engine wrote these from.
    const AT: EpochMillis = 1_709_647_629_045;

    /// A sum of dates (`sum_as_string` in a `format`) may pass the year 9999: Java signs a
    /// year wider than `yyyy`, as the engine wrote one (`+18741-03-16`).
    #[test]
    fn a_year_past_four_digits_is_signed() {
        let at = days_from_civil(18741, 3, 16) * 86_400_000;
        let written = |pattern: &str| DatePattern::parse(pattern).expect("pattern").write(at, 0);
        assert_eq!(written("yyyy-MM-dd"), "+18741-03-16");
        assert_eq!(written("yy"), "41");
        let before = days_from_civil(9999, 12, 31) * 86_400_000;
        assert_eq!(
            DatePattern::parse("yyyy-MM-dd")
                .expect("pattern")
                .write(before, 0),
            "9999-12-31"
        );
    }

    /// Each format as Elasticsearch 8.19 wrote AT in UTC and at +05:30.
    #[test]
    fn formats_write_as_elasticsearch_writes_them() {
        for (format, utc, india) in [
            ("epoch_millis", "1709647629045", "1709647629045"),
            ("epoch_second", "1709647629.045", "1709647629.045"),
            (
                "strict_date_optional_time",
                "2024-03-05T14:07:09.045Z",
                "2024-03-05T19:37:09.045+05:30",
            ),
            (
                "date_time",
                "2024-03-05T14:07:09.045Z",
                "2024-03-05T19:37:09.045+05:30",
            ),
            ("basic_date", "20240305", "20240305"),
            (
                "basic_date_time",
                "20240305T140709.045Z",
                "20240305T193709.045+05:30",
            ),
            ("date", "2024-03-05", "2024-03-05"),
            (
                "date_hour_minute_second_millis",
                "2024-03-05T14:07:09.045",
                "2024-03-05T19:37:09.045",
            ),
            ("hour_minute", "14:07", "19:37"),
            ("time", "14:07:09.045Z", "19:37:09.045+05:30"),
            ("t_time", "T14:07:09.045Z", "T19:37:09.045+05:30"),
            ("ordinal_date", "2024-065", "2024-065"),
            ("year_month", "2024-03", "2024-03"),
            (
                "yyyy/MM/dd HH:mm:ss",
                "2024/03/05 14:07:09",
                "2024/03/05 19:37:09",
            ),
            ("dd MMM yyyy", "05 Mar 2024", "05 Mar 2024"),
            ("EEE, d MMMM yyyy", "Tue, 5 March 2024", "Tue, 5 March 2024"),
            ("hh:mm a", "02:07 PM", "07:37 PM"),
            (
                "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
                "2024-03-05T14:07:09.045+0000",
                "2024-03-05T19:37:09.045+0530",
            ),
            (
                "yyyy-MM-dd'T'HH:mm:ssXXX",
                "2024-03-05T14:07:09Z",
                "2024-03-05T19:37:09+05:30",
            ),
            (
                "yyyy-MM-dd HH:mm:ss.SSSSSS",
                "2024-03-05 14:07:09.045000",
                "2024-03-05 19:37:09.045000",
            ),
            ("yy-M-d H:m:s.S", "24-3-5 14:7:9.0", "24-3-5 19:37:9.0"),
            ("yyyy-MM-dd||epoch_millis", "2024-03-05", "2024-03-05"),
            ("qqq", "Q1", "Q1"),
            ("uuuu-MM-dd", "2024-03-05", "2024-03-05"),
            ("D", "65", "65"),
            ("xxx", "+00:00", "+05:30"),
            ("Z", "+0000", "+0530"),
            ("ZZZZZ", "Z", "+05:30"),
            ("X", "Z", "+0530"),
            (
                "yyyy-MM-dd EEEE",
                "2024-03-05 Tuesday",
                "2024-03-05 Tuesday",
            ),
            ("MMMM", "March", "March"),
        ] {
            let pattern = DatePattern::parse(format).expect(format);
            assert_eq!(pattern.write(AT, 0), utc, "{format} in UTC");
            assert_eq!(pattern.write(AT, 330), india, "{format} at +05:30");
        }
    }

    #[test]
    fn what_cannot_be_written_is_named() {
        assert_eq!(
            DatePattern::parse("foo"),
            Err("Invalid format: [foo]: Unknown pattern letter: f".into())
        );
        for format in ["week_date", "weekyear_week", "yyyy-ww", "VV", "yyyy[-MM]"] {
            let err = DatePattern::parse(format).expect_err(format);
            assert!(err.contains("not supported by logdash"), "{format}: {err}");
        }
        // whole seconds have no fraction; a date before 1970 counts back, its sign apart
        assert_eq!(DatePattern::EpochSecond.write(1_000, 0), "1");
        assert_eq!(DatePattern::EpochSecond.write(-1_500, 0), "-1.5");
        assert_eq!(DatePattern::EpochSecond.write(-250, 0), "-0.25");
        assert_eq!(DatePattern::EpochSecond.write(-2_000, 0), "-2");
        assert_eq!(
            DatePattern::parse("yyyy-MM-dd HH:mm")
                .expect("pattern")
                .write(-60_000, 0),
            "1969-12-31 23:59"
        );
    }
}
