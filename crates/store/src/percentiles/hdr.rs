//! Percentiles by `hdr`, as Elasticsearch computes them: HdrHistogram's `DoubleHistogram`
//! (auto-resizing, `number_of_significant_value_digits` of precision, 3 by default) read as
//! its version 2.1.9 reads it.
//!
//! The histogram is never built here. Its buckets follow from two facts:
//! - Values are held as whole numbers, `value / unit` cut to a whole. The unit is a power of
//!   two, set by the smallest positive value: that value's whole lands in
//!   `[half, 2 * half)`, where `half` is half the histogram's sub-buckets (1024 at three
//!   digits). The order values come in does not change it, since every shift of the covered
//!   range is by a power of two.
//! - A whole `x` is in a bucket of `2^s` wholes, `s` = the bits `x` has past those of
//!   `2 * half`, starting at `x` with its low `s` bits cleared.
//!
//! Buckets grow with their values, so sorted values are in sorted buckets: the n-th value's
//! bucket is the bucket the histogram's walk stops in.

/// Elasticsearch's default `number_of_significant_value_digits`.
pub(crate) const DEFAULT_DIGITS: u8 = 3;
/// The most digits HdrHistogram takes.
pub(crate) const MAX_DIGITS: u8 = 5;

/// One bucket's values, sorted, on the scale their smallest positive value sets.
pub(crate) struct Scale<'a> {
    sorted: &'a [f64],
    /// The bits of half the sub-buckets: 10 at three digits.
    half_bits: u32,
    /// What one whole stands for (a power of two).
    unit: f64,
}

impl<'a> Scale<'a> {
    /// `sorted`: ascending, none negative (a negative value cannot be recorded). `None`
    /// when the values span more than the histogram's 63 bits can hold at their smallest
    /// positive one's resolution: Elasticsearch's search fails then.
    pub(crate) fn new(sorted: &'a [f64], digits: u8) -> Option<Self> {
        // the sub-buckets hold 2 * 10^digits values at unit resolution, rounded up to a
        // power of two
        let single_unit = 2.0 * 10_f64.powi(i32::from(digits));
        let count_bits = single_unit.log2().ceil() as u32;
        let half_bits = count_bits.max(1) - 1;
        let unit = match sorted.iter().find(|v| **v > 0.0) {
            Some(&smallest) => power_of_two(binary_exponent(smallest) - half_bits as i32)?,
            None => 1.0,
        };
        let largest = sorted.last().copied().unwrap_or(0.0);
        if largest / unit >= 2_f64.powi(63) {
            return None;
        }
        Some(Scale {
            sorted,
            half_bits,
            unit,
        })
    }

    /// The whole `value` is held as (Java's cast: cut toward zero, saturating).
    fn whole(&self, value: f64) -> u64 {
        (value / self.unit) as u64
    }

    /// The first whole of `x`'s bucket, and the bucket's width.
    fn bucket(&self, x: u64) -> (u64, u64) {
        let bits = u64::BITS - x.leading_zeros();
        let shift = bits.saturating_sub(self.half_bits + 1);
        ((x >> shift) << shift, 1 << shift)
    }

    /// HdrHistogram's `getValueAtPercentile`: the highest value of the bucket holding the
    /// value at `percent` (the lowest, at 0); `None` without values.
    pub(crate) fn percentile(&self, percent: f64) -> Option<f64> {
        let total = self.sorted.len();
        if total == 0 {
            return None;
        }
        let wanted = percent.min(100.0);
        let count = ((wanted / 100.0 * total as f64 + 0.5) as usize).clamp(1, total);
        let (first, width) = self.bucket(self.whole(self.sorted[count - 1]));
        let whole = if percent == 0.0 {
            first
        } else {
            first + (width - 1)
        };
        Some(whole as f64 * self.unit)
    }

    /// HdrHistogram's `getPercentileAtOrBelowValue`: the percent of values in buckets up to
    /// `value`'s, at most 100; `None` without values.
    pub(crate) fn rank(&self, value: f64) -> Option<f64> {
        let total = self.sorted.len();
        if total == 0 {
            return None;
        }
        if value < 0.0 {
            return Some(0.0);
        }
        let (last, _) = self.bucket(self.whole(value));
        let at_or_below = self
            .sorted
            .partition_point(|v| self.bucket(self.whole(*v)).0 <= last);
        Some((100.0 * at_or_below as f64 / total as f64).min(100.0))
    }
}

/// `2^e`, where a double holds it (subnormal too).
fn power_of_two(e: i32) -> Option<f64> {
    match e {
        -1022..=1023 => Some(f64::from_bits(((e + 1023) as u64) << 52)),
        -1074..=-1023 => Some(f64::from_bits(1 << (e + 1074))),
        _ => None,
    }
}

/// `e` with `2^e <= value < 2^(e + 1)`, for a positive value.
fn binary_exponent(value: f64) -> i32 {
    let biased = ((value.to_bits() >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // subnormal: no implicit leading bit
        let fraction = value.to_bits() & ((1 << 52) - 1);
        return -1074 + (63 - fraction.leading_zeros() as i32);
    }
    biased - 1023
}

#[cfg(test)]
mod tests {
    use super::*;

    fn percentiles(values: &[f64], digits: u8, percents: &[f64]) -> Vec<Option<f64>> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let scale = Scale::new(&sorted, digits).expect("in range");
        percents.iter().map(|p| scale.percentile(*p)).collect()
    }

    #[test]
    fn answers_as_elasticsearch_does() {
        // each answer as Elasticsearch 8.19 gave it for these values
        let values = [1.0, 51.0, 101.0, 151.0];
        assert_eq!(
            percentiles(&values, 3, &[0.0, 10.0, 50.0, 60.0, 75.0, 95.0, 100.0]),
            [
                1.0,
                1.0,
                51.030_273_437_5,
                51.030_273_437_5,
                101.061_523_437_5
            ]
            .into_iter()
            .chain([151.124_023_437_5; 2])
            .map(Some)
            .collect::<Vec<_>>()
        );
        let spread = [0.37, 12.5, 3000.25, 99999.9];
        assert_eq!(
            percentiles(&spread, 3, &[0.0, 50.0, 75.0, 99.0]),
            [
                Some(0.369_873_046_875),
                Some(12.507_568_359_375),
                Some(3_001.999_755_859_375),
                Some(100_031.999_755_859_38)
            ]
        );
        assert_eq!(
            percentiles(&[0.0, 7.0], 2, &[0.0, 50.0, 75.0]),
            [Some(0.0), Some(0.0), Some(7.0)]
        );
        let all = [
            1.0, 51.0, 101.0, 151.0, 0.37, 12.5, 3000.25, 99999.9, 0.0, 7.0,
        ];
        assert_eq!(
            percentiles(&all, 1, &[1.0, 25.0, 50.0, 75.0, 95.0]),
            [
                Some(0.0),
                Some(1.046_875),
                Some(12.984_375),
                Some(151.984_375),
                Some(102_399.984_375)
            ]
        );
        assert_eq!(percentiles(&[], 3, &[50.0]), [None]);
    }

    #[test]
    fn ranks_count_the_buckets_up_to_a_value() {
        let mut sorted = vec![
            1.0, 51.0, 101.0, 151.0, 0.37, 12.5, 3000.25, 99999.9, 0.0, 7.0,
        ];
        sorted.sort_by(f64::total_cmp);
        let scale = Scale::new(&sorted, 3).expect("in range");
        let ranks: Vec<Option<f64>> = [0.0, 1.0, 50.0, 51.0, 151.1, 3002.1, 1e6, 1e300]
            .iter()
            .map(|v| scale.rank(*v))
            .collect();
        let expected = [10.0, 30.0, 50.0, 60.0, 80.0, 90.0, 100.0, 100.0];
        assert_eq!(ranks, expected.map(Some));
        let small = [1.0, 51.0, 101.0, 151.0];
        let scale = Scale::new(&small, 3).expect("in range");
        assert_eq!(
            [0.5, 1.0, 1.0009].map(|v| scale.rank(v)),
            [Some(0.0), Some(25.0), Some(25.0)]
        );
        assert_eq!(Scale::new(&[], 3).expect("empty").rank(1.0), None);
    }

    #[test]
    fn values_the_histogram_cannot_span_are_refused() {
        // a millionth and 10^13: 2^63 wholes of 2^-30 do not reach it
        assert!(Scale::new(&[1e-6, 1e13], 3).is_none());
        assert!(Scale::new(&[1e-6, 1e6], 3).is_some());
        // the tiniest values still get a unit
        let tiny = [f64::MIN_POSITIVE, f64::MIN_POSITIVE * 2.0];
        assert!(Scale::new(&tiny, 0).is_some());
        assert_eq!(power_of_two(-1074), Some(f64::from_bits(1)));
        assert_eq!(power_of_two(3), Some(8.0));
        assert_eq!(power_of_two(-1075), None);
    }

    #[test]
    fn the_exponent_of_normal_and_subnormal_values() {
        for (value, exponent) in [
            (1.0, 0),
            (0.37, -2),
            (1024.0, 10),
            (1023.9, 9),
            (f64::MIN_POSITIVE, -1022),
            (f64::MIN_POSITIVE / 4.0, -1024),
        ] {
            assert_eq!(binary_exponent(value), exponent, "{value}");
        }
    }
}
