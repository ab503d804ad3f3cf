use super::*;
use crate::time::{format_iso8601, parse_iso8601};

fn at(text: &str) -> EpochMillis {
    parse_iso8601(text).unwrap_or_else(|| panic!("{text} is a date"))
}

fn zone(name: &str) -> AnyZone {
    AnyZone::parse(name).unwrap_or_else(|| panic!("{name} is a zone"))
}

fn edges(zone: &AnyZone, interval: Interval, from: &str, to: &str) -> Vec<String> {
    bucket_edges(zone, interval, 0, (at(from), at(to)), 100)
        .expect("within the limit")
        .into_iter()
        .map(|edge| zone.format(edge))
        .collect()
}

#[test]
fn zones_are_read_as_elasticsearch_names_them() {
    assert_eq!(AnyZone::parse("+01:00"), Some(AnyZone::Fixed(Fixed(60))));
    assert_eq!(AnyZone::parse("UTC"), Some(AnyZone::UTC));
    assert!(matches!(
        AnyZone::parse("Europe/Berlin"),
        Some(AnyZone::Named(_))
    ));
    assert!(matches!(
        AnyZone::parse("America/New_York"),
        Some(AnyZone::Named(_))
    ));
    assert_eq!(AnyZone::parse("Mars/Olympus_Mons"), None);
    assert_eq!(AnyZone::parse("+25:00"), None);
    assert_eq!(AnyZone::parse(""), None);
}

#[test]
fn a_named_zone_follows_its_clock_changes() {
    let berlin = zone("Europe/Berlin");
    // summer time begins at 01:00 UTC on the last Sunday of March
    assert_eq!(berlin.offset_at(at("2026-03-29T00:59:59Z")), 3_600_000);
    assert_eq!(berlin.offset_at(at("2026-03-29T01:00:00Z")), 7_200_000);
    assert_eq!(
        berlin.format(at("2026-03-29T01:00:00Z")),
        "2026-03-29T03:00:00.000+02:00"
    );
    assert_eq!(
        berlin.format(at("2026-01-15T12:00:00Z")),
        "2026-01-15T13:00:00.000+01:00"
    );
}

#[test]
fn wall_clock_times_a_change_skips_or_repeats_resolve_as_java_time_does() {
    let new_york = zone("America/New_York");
    // 02:30 does not exist on 2026-03-08: it is read as 03:30 EDT
    assert_eq!(
        new_york.to_utc(at("2026-03-08T02:30:00Z")),
        at("2026-03-08T07:30:00Z")
    );
    // 01:30 happens twice on 2026-11-01: the earlier (EDT) is taken
    assert_eq!(
        new_york.to_utc(at("2026-11-01T01:30:00Z")),
        at("2026-11-01T05:30:00Z")
    );
    assert_eq!(
        new_york.to_utc(at("2026-07-01T12:00:00Z")),
        at("2026-07-01T16:00:00Z")
    );
}

#[test]
fn calendar_units_floor_to_their_starts() {
    let now = at("2026-12-05T13:14:15.678Z"); // a Saturday
    let floor = |unit: CalendarUnit| format_iso8601(unit.floor(now));
    assert_eq!(floor(CalendarUnit::Minute), "2026-12-05T13:14:00.000Z");
    assert_eq!(floor(CalendarUnit::Hour), "2026-12-05T13:00:00.000Z");
    assert_eq!(floor(CalendarUnit::Day), "2026-12-05T00:00:00.000Z");
    assert_eq!(floor(CalendarUnit::Week), "2026-11-30T00:00:00.000Z");
    assert_eq!(floor(CalendarUnit::Month), "2026-12-01T00:00:00.000Z");
    assert_eq!(floor(CalendarUnit::Quarter), "2026-10-01T00:00:00.000Z");
    assert_eq!(floor(CalendarUnit::Year), "2026-01-01T00:00:00.000Z");
    // a Monday is its own week's start; the epoch's Thursday belongs to 1969-12-29's week
    assert_eq!(
        CalendarUnit::Week.floor(at("2026-11-30T00:00:00Z")),
        at("2026-11-30T00:00:00Z")
    );
    assert_eq!(CalendarUnit::Week.floor(0), at("1969-12-29T00:00:00Z"));
    assert_eq!(
        CalendarUnit::Quarter.next(at("2026-10-01T00:00:00Z")),
        at("2027-01-01T00:00:00Z")
    );
    assert_eq!(
        CalendarUnit::Month.next(at("2024-02-01T00:00:00Z")),
        at("2024-03-01T00:00:00Z")
    );
}

#[test]
fn unit_names_are_elasticsearchs() {
    for (name, unit) in [
        ("1M", CalendarUnit::Month),
        ("month", CalendarUnit::Month),
        ("1q", CalendarUnit::Quarter),
        ("1w", CalendarUnit::Week),
        ("year", CalendarUnit::Year),
        ("1m", CalendarUnit::Minute),
    ] {
        assert_eq!(CalendarUnit::parse(name), Some(unit), "{name}");
    }
    assert_eq!(CalendarUnit::parse("2d"), None);
    assert_eq!(CalendarUnit::parse("months"), None);
}

#[test]
fn a_day_in_a_zone_with_summer_time_is_23_or_25_hours() {
    let berlin = zone("Europe/Berlin");
    let day = Interval::Calendar(CalendarUnit::Day);
    assert_eq!(
        edges(&berlin, day, "2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z"),
        [
            "2026-03-28T00:00:00.000+01:00",
            "2026-03-29T00:00:00.000+01:00",
            "2026-03-30T00:00:00.000+02:00"
        ]
    );
    let length = |from: &str| {
        let edges = bucket_edges(&berlin, day, 0, (at(from), at(from)), 10).expect("edges");
        (edges[1] - edges[0]) / 3_600_000
    };
    assert_eq!(length("2026-03-29T12:00:00Z"), 23);
    assert_eq!(length("2026-10-25T12:00:00Z"), 25);
    assert_eq!(length("2026-06-01T12:00:00Z"), 24);
}

#[test]
fn months_start_at_local_midnight_whatever_their_length() {
    let berlin = zone("Europe/Berlin");
    assert_eq!(
        edges(
            &berlin,
            Interval::Calendar(CalendarUnit::Month),
            "2026-01-20T00:00:00Z",
            "2026-03-31T23:30:00Z"
        ),
        [
            "2026-01-01T00:00:00.000+01:00",
            "2026-02-01T00:00:00.000+01:00",
            "2026-03-01T00:00:00.000+01:00",
            "2026-04-01T00:00:00.000+02:00",
            "2026-05-01T00:00:00.000+02:00"
        ]
    );
}

#[test]
fn fixed_intervals_count_in_local_time_and_offsets_move_every_bucket() {
    let hours = edges(
        &zone("+05:30"),
        Interval::Fixed(3_600_000),
        "2026-01-01T00:10:00Z",
        "2026-01-01T01:10:00Z",
    );
    assert_eq!(
        hours,
        [
            "2026-01-01T05:00:00.000+05:30",
            "2026-01-01T06:00:00.000+05:30",
            "2026-01-01T07:00:00.000+05:30"
        ]
    );
    let six_am = bucket_start(
        &AnyZone::UTC,
        Interval::Calendar(CalendarUnit::Day),
        6 * 3_600_000,
        at("2026-01-02T03:00:00Z"),
    );
    assert_eq!(format_iso8601(six_am), "2026-01-01T06:00:00.000Z");
}

#[test]
fn too_many_buckets_are_refused_not_made() {
    let minute = Interval::Calendar(CalendarUnit::Minute);
    assert_eq!(
        bucket_edges(&AnyZone::UTC, minute, 0, (0, 1_000 * 60_000), 100),
        None
    );
    assert_eq!(
        bucket_edges(&AnyZone::UTC, minute, 0, (0, 99 * 60_000), 100).map(|e| e.len()),
        Some(101)
    );
}

#[test]
fn date_math_rounds_and_reads_dates_in_the_named_zone() {
    use crate::time::{parse_date_math_zoned, Rounding};
    let berlin = zone("Europe/Berlin");
    let now = at("2026-07-15T21:30:00Z"); // 23:30 in Berlin
    let math = |text: &str, rounding| {
        format_iso8601(parse_date_math_zoned(text, now, rounding, &berlin).expect(text))
    };
    assert_eq!(math("now/d", Rounding::Down), "2026-07-14T22:00:00.000Z");
    assert_eq!(math("now/d", Rounding::Up), "2026-07-15T21:59:59.999Z");
    assert_eq!(
        math("2026-07-01", Rounding::Down),
        "2026-06-30T22:00:00.000Z"
    );
    assert_eq!(
        math("2026-01-01T10:00:00", Rounding::Down),
        "2026-01-01T09:00:00.000Z"
    );
    // a date with its own offset is that instant, whatever the zone
    assert_eq!(
        math("2026-01-01T10:00:00Z", Rounding::Down),
        "2026-01-01T10:00:00.000Z"
    );
    // a month back from summer into winter keeps the wall-clock time
    assert_eq!(
        math("2026-04-15T12:00:00||-1M", Rounding::Down),
        "2026-03-15T11:00:00.000Z"
    );
}

#[test]
fn an_hour_a_clock_change_repeats_is_two_buckets() {
    let berlin = zone("Europe/Berlin");
    let hour = Interval::Calendar(CalendarUnit::Hour);
    assert_eq!(
        edges(
            &berlin,
            hour,
            "2025-10-26T00:30:00Z",
            "2025-10-26T01:30:00Z"
        ),
        [
            "2025-10-26T02:00:00.000+02:00",
            "2025-10-26T02:00:00.000+01:00",
            "2025-10-26T03:00:00.000+01:00"
        ]
    );
    assert_eq!(
        bucket_start(&berlin, hour, 0, at("2025-10-26T01:30:00Z")),
        at("2025-10-26T01:00:00Z")
    );
    // and the day that holds it is one bucket of 25 hours
    let day = Interval::Calendar(CalendarUnit::Day);
    assert_eq!(
        bucket_start(&berlin, day, 0, at("2025-10-26T10:00:00Z")),
        at("2025-10-25T22:00:00Z")
    );
}
