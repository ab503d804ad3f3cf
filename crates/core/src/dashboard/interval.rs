//! The histogram interval for a range: a round step giving about 60 to 120 buckets.

/// Round steps, in milliseconds, with Elasticsearch's `fixed_interval` spelling.
const STEPS: &[(i64, &str)] = &[
    (1_000, "1s"),
    (2_000, "2s"),
    (5_000, "5s"),
    (10_000, "10s"),
    (15_000, "15s"),
    (30_000, "30s"),
    (60_000, "1m"),
    (120_000, "2m"),
    (300_000, "5m"),
    (600_000, "10m"),
    (900_000, "15m"),
    (1_800_000, "30m"),
    (3_600_000, "1h"),
    (7_200_000, "2h"),
    (10_800_000, "3h"),
    (21_600_000, "6h"),
    (43_200_000, "12h"),
    (86_400_000, "1d"),
];

/// The smallest round step that keeps the range within 120 buckets.
pub fn choose(range_ms: i64) -> (i64, &'static str) {
    STEPS
        .iter()
        .copied()
        .find(|(step, _)| range_ms / step <= 120)
        .unwrap_or((86_400_000, "1d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_get_60_to_120_buckets() {
        for (range, expected) in [
            (5 * 60_000, "5s"),
            (15 * 60_000, "10s"),
            (3_600_000, "30s"),
            (86_400_000, "15m"),
            (7 * 86_400_000, "2h"),
        ] {
            let (step, name) = choose(range);
            assert_eq!(name, expected, "range {range}");
            let buckets = range / step;
            assert!((60..=120).contains(&buckets), "{range}: {buckets} buckets");
        }
        assert_eq!(choose(1_000).1, "1s");
    }
}
