//! Percentiles as Elasticsearch 8 computes them: its default "hybrid" t-digest keeps every
//! value while there are fewer than `20 × compression` of them (2,000 by default) and answers
//! exactly, interpolating between the two nearest values; past that it merges them into a
//! t-digest with the K_2 scale function. Following its steps (and its order of floating-point
//! operations) gives the same numbers on small samples and numbers within a fraction of a
//! per cent on large ones.

/// Elasticsearch's default `tdigest.compression`.
pub(crate) const DEFAULT_COMPRESSION: f64 = 100.0;

/// One percentiles aggregation's values, exact until the digest has to merge.
pub(crate) enum Digest {
    Exact { values: Vec<f64>, limit: usize },
    Merging(Box<Merging>),
}

impl Digest {
    pub(crate) fn new(compression: f64) -> Self {
        Digest::Exact {
            values: Vec::new(),
            limit: (compression.round() as usize).saturating_mul(20).max(1),
        }
    }

    /// How many values make the digest stop answering exactly.
    pub(crate) fn merges_at(&self) -> usize {
        match self {
            Digest::Exact { limit, .. } => *limit,
            Digest::Merging(_) => 0,
        }
    }

    pub(crate) fn add(&mut self, value: f64) {
        match self {
            Digest::Exact { values, limit } => {
                if values.len() + 1 >= *limit {
                    let compression = *limit as f64 / 20.0;
                    let mut merging = Merging::new(compression);
                    for kept in values.drain(..) {
                        merging.add(kept);
                    }
                    merging.add(value);
                    *self = Digest::Merging(Box::new(merging));
                } else {
                    values.push(value);
                }
            }
            Digest::Merging(merging) => merging.add(value),
        }
    }

    /// The value below which `percent` % of the values fall; `None` without values.
    pub(crate) fn percentile(&mut self, percent: f64) -> Option<f64> {
        let q = percent / 100.0;
        match self {
            Digest::Exact { values, .. } => {
                if values.is_empty() {
                    return None;
                }
                values.sort_by(f64::total_cmp);
                let n = values.len();
                let index = q * (n - 1) as f64;
                if index <= 0.0 {
                    return Some(values[0]);
                }
                if index >= (n - 1) as f64 {
                    return Some(values[n - 1]);
                }
                let low = index.floor() as usize;
                let fraction = index - low as f64;
                Some(values[low] + fraction * (values[low + 1] - values[low]))
            }
            Digest::Merging(merging) => merging.quantile(q),
        }
    }
}

impl Digest {
    /// The fraction of the values at or below `x`, as Elasticsearch's `percentile_ranks`
    /// asks its digest; `None` without values. Exactly, each value is spread evenly from
    /// halfway to the one before it to halfway to the one after (the first and last as wide
    /// on both sides), and values equal to the smallest or largest count half.
    pub(crate) fn cdf(&mut self, x: f64) -> Option<f64> {
        match self {
            Digest::Exact { values, .. } => {
                values.sort_by(f64::total_cmp);
                exact_cdf(x, values)
            }
            Digest::Merging(merging) => merging.cdf(x),
        }
    }
}

/// The rank of `x` among sorted `values`, as Elasticsearch's sorting digest reads it.
fn exact_cdf(x: f64, values: &[f64]) -> Option<f64> {
    let (first, last) = (*values.first()?, *values.last()?);
    let n = values.len() as f64;
    if values.len() == 1 {
        return Some(if x < first {
            0.0
        } else if x > first {
            1.0
        } else {
            0.5
        });
    }
    if x < first {
        return Some(0.0);
    }
    if x > last {
        return Some(1.0);
    }
    let equal = |v: &&f64| **v == x;
    if x == first {
        return Some(values.iter().take_while(equal).count() as f64 / 2.0 / n);
    }
    if x == last {
        let at_x = values.iter().rev().take_while(equal).count() as f64;
        return Some((n - at_x / 2.0) / n);
    }
    let mut left = (values[1] - values[0]) / 2.0;
    for (i, pair) in values.windows(2).enumerate() {
        let right = (pair[1] - pair[0]) / 2.0;
        if x < pair[0] + right {
            let (from, to) = (pair[0] - left, pair[0] + right);
            let within = (x - from) / (to - from);
            return Some(((i as f64 + within) / n).max(0.0));
        }
        left = right;
    }
    // the last value, as wide on its right as on its left
    let (from, to) = (last - left, last + left);
    let within = (x - from) / (to - from);
    Some((n - 1.0 + within) / n)
}

/// A merging t-digest (Dunning's, as Elasticsearch's `MergingDigest` runs it).
pub(crate) struct Merging {
    /// The public compression, used when the result is compressed for answering.
    compression: f64,
    /// The compression buffered values are merged with (twice the public one by default).
    internal: f64,
    capacity: usize,
    buffer_size: usize,
    means: Vec<f64>,
    weights: Vec<f64>,
    buffer: Vec<f64>,
    /// The room a merge sorts the buffer in and lays it out with the centroids in, kept
    /// between merges.
    keys: Vec<i64>,
    items: Vec<(f64, f64)>,
    total: f64,
    merges: u64,
    min: f64,
    max: f64,
}

impl Merging {
    fn new(compression: f64) -> Self {
        let size_fudge = if compression < 30.0 { 30.0 } else { 10.0 };
        let size = (compression + size_fudge).ceil() as usize;
        let buffer_size = 5 * size;
        let scale = (buffer_size / size).saturating_sub(1).max(1);
        let internal = (scale as f64).sqrt() * compression;
        let capacity = (internal + size_fudge).ceil() as usize;
        Merging {
            compression,
            internal,
            capacity,
            buffer_size,
            means: Vec::with_capacity(capacity),
            weights: Vec::with_capacity(capacity),
            buffer: Vec::with_capacity(buffer_size),
            keys: Vec::with_capacity(buffer_size),
            items: Vec::with_capacity(buffer_size + capacity),
            total: 0.0,
            merges: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    fn add(&mut self, value: f64) {
        if self.buffer.len() + self.means.len() + 1 >= self.buffer_size {
            self.merge(self.internal);
        }
        self.buffer.push(value);
        self.min = self.min.min(value);
        self.max = self.max.max(value);
    }

    /// Folds the buffered values into the centroids, in one pass over them sorted. Called
    /// every few hundred values: it reuses its room rather than allocating.
    fn merge(&mut self, compression: f64) {
        if self.buffer.is_empty() {
            return;
        }
        self.total += self.buffer.len() as f64;
        // values equal under `total_cmp` are the same bits: any order of them is the same
        sort_values(&mut self.buffer, &mut self.keys);
        // the buffer and the centroids (in order already) as one sorted list; as a stable
        // sort of the buffer followed by the centroids, a buffered value goes first on a tie
        let items = &mut self.items;
        items.clear();
        let mut centroids = self
            .means
            .iter()
            .copied()
            .zip(self.weights.iter().copied())
            .peekable();
        for value in self.buffer.drain(..) {
            while let Some(&centroid) = centroids.peek() {
                if centroid.0.total_cmp(&value).is_lt() {
                    items.push(centroid);
                    centroids.next();
                } else {
                    break;
                }
            }
            items.push((value, 1.0));
        }
        items.extend(centroids);
        let backwards = self.merges % 2 == 1;
        if backwards {
            items.reverse();
        }
        self.merges += 1;
        let normalizer = compression / (4.0 * (self.total / compression).ln() + 24.0);
        let (means, weights) = (&mut self.means, &mut self.weights);
        means.clear();
        weights.clear();
        means.push(items[0].0);
        weights.push(items[0].1);
        let mut so_far = 0.0;
        let last = items.len() - 1;
        for (i, &(mean, weight)) in items.iter().enumerate().skip(1) {
            let current = weights.len() - 1;
            let proposed = weights[current] + weight;
            let q0 = so_far / self.total;
            let q2 = (so_far + proposed) / self.total;
            let limit = self.total * (q0 * (1.0 - q0)).min(q2 * (1.0 - q2)) / normalizer;
            let mut join = proposed <= limit && i != 1 && i != last;
            if means.len() == self.capacity {
                join = true;
            }
            if join {
                weights[current] += weight;
                means[current] += (mean - means[current]) * weight / weights[current];
            } else {
                so_far += weights[current];
                means.push(mean);
                weights.push(weight);
            }
        }
        if backwards {
            means.reverse();
            weights.reverse();
        }
        self.min = self.min.min(means[0]);
        self.max = self.max.max(means[means.len() - 1]);
    }

    fn quantile(&mut self, q: f64) -> Option<f64> {
        // as the aggregation compresses its result before answering
        self.merge(self.compression);
        let (means, weights) = (&self.means, &self.weights);
        let m = means.len();
        match m {
            0 => return None,
            1 => return Some(means[0]),
            _ => {}
        }
        let total = self.total;
        let index = q * total;
        if index >= total {
            return Some(self.max);
        }
        let mut so_far = weights[0] / 2.0;
        if weights[0] > 1.0 && index < so_far {
            return Some(weighted(self.min, so_far - index, means[0], index));
        }
        if weights[m - 1] > 1.0 && total - index <= weights[m - 1] / 2.0 {
            return Some(
                self.max
                    - (total - index - 1.0) / (weights[m - 1] / 2.0 - 1.0)
                        * (self.max - means[m - 1]),
            );
        }
        for i in 0..m - 1 {
            let step = (weights[i] + weights[i + 1]) / 2.0;
            if so_far + step > index {
                let z1 = index - so_far;
                let z2 = so_far + step - index;
                return Some(weighted(means[i], z2, means[i + 1], z1));
            }
            so_far += step;
        }
        let z1 = index - so_far;
        let z2 = weights[m - 1] / 2.0 - z1;
        Some(weighted(means[m - 1], z1, self.max, z2))
    }
}

impl Merging {
    /// The fraction of the values below `x`: interpolated between centroids, each centroid
    /// holding half its weight on either side of its mean, singletons exactly at theirs.
    fn cdf(&mut self, x: f64) -> Option<f64> {
        self.merge(self.compression);
        let (means, weights, total) = (&self.means, &self.weights, self.total);
        let n = means.len();
        if n == 0 {
            return None;
        }
        if x < self.min {
            return Some(0.0);
        }
        if x > self.max {
            return Some(1.0);
        }
        if n == 1 {
            return Some(if self.max - self.min <= 0.0 {
                0.5
            } else {
                (x - self.min) / (self.max - self.min)
            });
        }
        if x < means[0] {
            if means[0] - self.min <= 0.0 {
                return Some(0.0);
            }
            if x == self.min {
                return Some(0.5 / total);
            }
            return Some(
                (1.0 + (x - self.min) / (means[0] - self.min) * (weights[0] / 2.0 - 1.0)) / total,
            );
        }
        if x > means[n - 1] {
            if self.max - means[n - 1] <= 0.0 {
                return Some(1.0);
            }
            if x == self.max {
                return Some(1.0 - 0.5 / total);
            }
            let tail = (1.0
                + (self.max - x) / (self.max - means[n - 1]) * (weights[n - 1] / 2.0 - 1.0))
                / total;
            return Some(1.0 - tail);
        }
        let mut so_far = 0.0;
        let mut i = 0;
        while i < n - 1 {
            if means[i] == x {
                let mut equal = 0.0;
                while i < n && means[i] == x {
                    equal += weights[i];
                    i += 1;
                }
                return Some((so_far + equal / 2.0) / total);
            }
            if means[i] <= x && x < means[i + 1] {
                let gap = means[i + 1] - means[i];
                let both = (weights[i] + weights[i + 1]) / 2.0;
                if gap <= 0.0 {
                    return Some((so_far + both) / total);
                }
                // a singleton's weight sits at its mean, not spread around it
                let (left_out, right_out) = match (weights[i] == 1.0, weights[i + 1] == 1.0) {
                    (true, true) => return Some((so_far + 1.0) / total),
                    (true, false) => (0.5, 0.0),
                    (false, true) => (0.0, 0.5),
                    (false, false) => (0.0, 0.0),
                };
                let base = so_far + weights[i] / 2.0 + left_out;
                let spread = both - left_out - right_out;
                return Some((base + spread * (x - means[i]) / gap) / total);
            }
            so_far += weights[i];
            i += 1;
        }
        Some(1.0 - 0.5 / total)
    }
}

/// Sorts `values` as `f64::total_cmp` orders them, as integers: the bits of a float, with
/// the sign's meaning turned over, order as the float does (values equal this way are the
/// same bits, so the sort need not be stable).
fn sort_values(values: &mut [f64], keys: &mut Vec<i64>) {
    let flip = |bits: u64| bits ^ ((((bits as i64) >> 63) as u64) >> 1);
    keys.clear();
    keys.extend(values.iter().map(|v| flip(v.to_bits()) as i64));
    keys.sort_unstable();
    for (value, key) in values.iter_mut().zip(keys.iter()) {
        *value = f64::from_bits(flip(*key as u64));
    }
}

/// The weighted mean of two points, kept between them.
fn weighted(x1: f64, w1: f64, x2: f64, w2: f64) -> f64 {
    let ((x1, w1), (x2, w2)) = if x1 <= x2 {
        ((x1, w1), (x2, w2))
    } else {
        ((x2, w2), (x1, w1))
    };
    ((x1 * w1 + x2 * w2) / (w1 + w2)).clamp(x1, x2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest_of(values: impl IntoIterator<Item = f64>) -> Digest {
        let mut digest = Digest::new(DEFAULT_COMPRESSION);
        for value in values {
            digest.add(value);
        }
        digest
    }

    #[test]
    fn small_samples_interpolate_between_the_nearest_values() {
        // Elasticsearch 8.19 answers these for [1, 51, 101, 151]
        let mut digest = digest_of([151.0, 1.0, 101.0, 51.0]);
        assert_eq!(digest.percentile(95.0), Some(143.5));
        assert_eq!(digest.percentile(50.0), Some(76.0));
        assert_eq!(digest.percentile(0.0), Some(1.0));
        assert_eq!(digest.percentile(100.0), Some(151.0));
        assert_eq!(digest_of([7.0]).percentile(99.0), Some(7.0));
        assert_eq!(digest_of([]).percentile(50.0), None);
    }

    #[test]
    fn the_digest_merges_from_the_two_thousandth_value() {
        let below = digest_of((0..1999).map(f64::from));
        assert!(matches!(below, Digest::Exact { .. }));
        let at = digest_of((0..2000).map(f64::from));
        assert!(matches!(at, Digest::Merging(_)));
    }

    #[test]
    fn large_samples_stay_close_to_the_true_percentiles() {
        // a spread like response times: many fast, a long slow tail
        let values: Vec<f64> = (0..100_000)
            .map(|i| {
                let u = (f64::from(i) * 0.618_033_988_75).fract();
                10.0 + 5.0 / (1.0 - u * 0.999)
            })
            .collect();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let mut digest = digest_of(values);
        // a t-digest bounds the error in rank, tighter towards the tails: with K_2 and
        // compression 100, a centroid near the quartiles holds up to 8 % of 100,000 values
        for percent in [1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0, 99.9] {
            let got = digest.percentile(percent).expect("a value");
            let rank = sorted.partition_point(|v| *v < got) as f64 / sorted.len() as f64;
            let q = percent / 100.0;
            assert!(
                (rank - q).abs() <= 0.002 + 0.05 * q * (1.0 - q),
                "p{percent}: {got} sits at rank {rank}"
            );
        }
        assert_eq!(digest.percentile(0.0), Some(sorted[0]));
        assert_eq!(digest.percentile(100.0), Some(sorted[sorted.len() - 1]));
    }

    #[test]
    fn values_sort_as_total_cmp_orders_them() {
        let mut values = vec![
            3.5,
            -0.0,
            f64::NAN,
            0.0,
            -2.0,
            f64::INFINITY,
            1e-300,
            f64::NEG_INFINITY,
            -f64::NAN,
            3.5,
        ];
        let mut expected = values.clone();
        expected.sort_by(f64::total_cmp);
        sort_values(&mut values, &mut Vec::new());
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&values), bits(&expected));
    }

    #[test]
    fn weighted_means_stay_between_their_points() {
        assert_eq!(weighted(1.0, 1.0, 3.0, 1.0), 2.0);
        assert_eq!(weighted(3.0, 1.0, 1.0, 3.0), 1.5);
        assert_eq!(weighted(1.0, 2.0, 3.0, -1.0), 1.0);
    }

    #[test]
    fn ranks_spread_each_value_between_its_neighbours_and_stay_close_on_large_samples() {
        let mut small = digest_of([350.0, 450.0, 500.0, 550.0]);
        assert_eq!(small.cdf(500.0), Some(0.625));
        assert_eq!(small.cdf(100.0), Some(0.0));
        assert_eq!(small.cdf(1000.0), Some(1.0));
        assert_eq!(small.cdf(350.0), Some(0.125));
        assert_eq!(small.cdf(550.0), Some(0.875));
        assert_eq!(digest_of([]).cdf(1.0), None);
        assert_eq!(digest_of([7.0]).cdf(7.0), Some(0.5));
        // as Elasticsearch 8.19 answers for 15, 31, 48, 95, 260 (in any order)
        let mut spread = digest_of([95.0, 15.0, 260.0, 31.0, 48.0]);
        assert_eq!(spread.cdf(30.0), Some(0.284_848_484_848_484_84));
        assert_eq!(spread.cdf(100.0), Some(0.653_773_584_905_660_4));
        // 100,000 values 0..99,999 in a scrambled order: ranks within 0.5 % of the truth
        let mut large = digest_of((0..100_000u64).map(|i| ((i * 7_919) % 100_000) as f64));
        assert!(matches!(large, Digest::Merging(_)));
        for x in [100.0, 5_000.0, 50_000.0, 95_000.0, 99_900.0] {
            let rank = large.cdf(x).expect("values");
            assert!((rank - x / 100_000.0).abs() < 0.005, "rank of {x}: {rank}");
        }
    }
}
