//! Distinct values counted in buckets: a `cardinality` below a bucket aggregation is exact
//! up to its `precision_threshold` (Elasticsearch's 3,000 unless told), as Elasticsearch
//! promises, and a HyperLogLog's estimate past it, as there. The collector places each
//! event in the buckets above as it does for percentiles ([`super::path`]) and keeps each
//! bucket's values as a `terms` of the counted field keys them; a bucket of more values
//! than the threshold is hashed into a [`Sketch`] when the segment is harvested.

use std::collections::{BTreeMap, HashSet};

use rustc_hash::FxHashSet;

use super::path::{Key, SegmentKey, Step, StepReader};

/// One `cardinality` counted in the buckets above it.
#[derive(Debug, Clone)]
pub(crate) struct DistinctSpec {
    /// How an event's values are read: a `terms` step of the counted field (its `missing`
    /// too), so that values count alike where a `terms` would bucket them alike.
    pub counted: Step,
    /// The buckets it sits in, top down.
    pub path: Vec<Step>,
    /// Counts up to this are exact.
    pub threshold: usize,
}

/// A bucket's distinct values: listed while they are at most the threshold, else sketched.
#[derive(Debug, Clone)]
pub(crate) enum Counted {
    Listed(HashSet<Key>),
    Sketched(Sketch),
}

/// Per spec, per bucket (by path), its distinct values.
pub(crate) type Sets = Vec<BTreeMap<Vec<Key>, Counted>>;

/// One bucket's distinct values in a segment, keywords by their ordinals there (an event's
/// values are hashed into every bucket it is in: a fast hash).
pub(super) type SegmentSet = FxHashSet<SegmentKey>;

/// Adds an event's values (each once already) to its bucket's.
pub(super) fn add(set: &mut SegmentSet, values: &[SegmentKey]) {
    for value in values {
        if !set.contains(value) {
            set.insert(value.clone());
        }
    }
}

/// A segment's set of one bucket, its values named, listed or sketched by `threshold`.
pub(super) fn named(set: SegmentSet, counted: &StepReader, threshold: usize) -> Counted {
    let listed = set.len() <= threshold;
    let named = set.into_iter().map(|key| counted.name(key));
    if listed {
        Counted::Listed(named.collect())
    } else {
        let mut sketch = Sketch::default();
        named.for_each(|key| sketch.add(&key));
        Counted::Sketched(sketch)
    }
}

/// Adds one segment's sets into those of the segments before it.
pub(super) fn merge(
    into: &mut BTreeMap<Vec<Key>, Counted>,
    from: BTreeMap<Vec<Key>, Counted>,
    threshold: usize,
) {
    for (path, values) in from {
        match into.get_mut(&path) {
            Some(kept) => join(kept, values, threshold),
            None => {
                into.insert(path, values);
            }
        }
    }
}

/// Two countings of one bucket as one: listed while at most `threshold` values.
pub(super) fn join(kept: &mut Counted, more: Counted, threshold: usize) {
    match (&mut *kept, more) {
        (Counted::Listed(listed), Counted::Listed(values)) => {
            listed.extend(values);
            if listed.len() > threshold {
                let mut sketch = Sketch::default();
                listed.iter().for_each(|key| sketch.add(key));
                *kept = Counted::Sketched(sketch);
            }
        }
        (Counted::Sketched(sketch), Counted::Listed(values)) => {
            values.iter().for_each(|key| sketch.add(key));
        }
        (Counted::Listed(listed), Counted::Sketched(mut sketch)) => {
            listed.iter().for_each(|key| sketch.add(key));
            *kept = Counted::Sketched(sketch);
        }
        (Counted::Sketched(sketch), Counted::Sketched(other)) => sketch.merge(&other),
    }
}

/// Each bucket's count.
pub(crate) fn counts(sets: Sets) -> Vec<BTreeMap<Vec<Key>, u64>> {
    sets.into_iter()
        .map(|buckets| {
            buckets
                .into_iter()
                .map(|(path, counted)| {
                    let count = match counted {
                        Counted::Listed(values) => values.len() as u64,
                        Counted::Sketched(sketch) => sketch.estimate().round() as u64,
                    };
                    (path, count)
                })
                .collect()
        })
        .collect()
}

/// The HyperLogLog's precision: 2^14 registers, as Elasticsearch's at its default
/// threshold (a standard error of 0.8 %).
const PRECISION: u32 = 14;
const REGISTERS: usize = 1 << PRECISION;

/// A HyperLogLog of 64-bit hashes (so no correction for hashes colliding is needed), with
/// linear counting where few registers are set.
#[derive(Clone)]
pub(crate) struct Sketch {
    registers: Box<[u8]>,
}

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sketch(~{})", self.estimate().round())
    }
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch {
            registers: vec![0; REGISTERS].into_boxed_slice(),
        }
    }
}

impl Sketch {
    pub(super) fn add(&mut self, key: &Key) {
        let hash = hash(key);
        let register = (hash >> (64 - PRECISION)) as usize;
        // the place of the first 1 in the bits left, counting from one (a sentinel bit
        // bounds it when they are all 0)
        let rest = (hash << PRECISION) | (1 << (PRECISION - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        if self.registers[register] < rank {
            self.registers[register] = rank;
        }
    }

    fn merge(&mut self, other: &Sketch) {
        for (mine, theirs) in self.registers.iter_mut().zip(other.registers.iter()) {
            *mine = (*mine).max(*theirs);
        }
    }

    fn estimate(&self) -> f64 {
        let m = REGISTERS as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self
            .registers
            .iter()
            .map(|rank| (-f64::from(*rank)).exp2())
            .sum();
        let raw = alpha * m * m / sum;
        let empty = self.registers.iter().filter(|rank| **rank == 0).count();
        if raw <= 2.5 * m && empty > 0 {
            m * (m / empty as f64).ln()
        } else {
            raw
        }
    }
}

/// A key's 64-bit hash, the same in every segment: FNV-1a over its kind and bytes, then
/// MurmurHash3's finalizer to spread them over every bit.
fn hash(key: &Key) -> u64 {
    let mut state: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for byte in bytes {
            state ^= u64::from(*byte);
            state = state.wrapping_mul(0x0100_0000_01b3);
        }
    };
    match key {
        Key::Int(value) => {
            eat(b"i");
            eat(&value.to_le_bytes());
        }
        Key::Float(bits) => {
            eat(b"f");
            eat(&bits.to_le_bytes());
        }
        Key::Text(text) => {
            eat(b"t");
            eat(text.as_bytes());
        }
        Key::Nth(nth) => {
            eat(b"n");
            eat(&(*nth as u64).to_le_bytes());
        }
    }
    let mut mixed = state;
    mixed ^= mixed >> 33;
    mixed = mixed.wrapping_mul(0xff51_afd7_ed55_8ccd);
    mixed ^= mixed >> 33;
    mixed = mixed.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    mixed ^ (mixed >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(values: &[i64]) -> Counted {
        Counted::Listed(values.iter().map(|v| Key::Int(*v)).collect())
    }

    fn count(counted: Counted) -> u64 {
        counts(vec![BTreeMap::from([(Vec::new(), counted)])])[0][&Vec::new()]
    }

    #[test]
    fn a_set_counts_each_value_once() {
        let mut set = SegmentSet::default();
        let keys = |values: &[i64]| -> Vec<SegmentKey> {
            values
                .iter()
                .map(|value| SegmentKey::Key(Key::Int(*value)))
                .collect()
        };
        add(&mut set, &keys(&[1, 2]));
        add(&mut set, &keys(&[2, 3]));
        assert_eq!(set.len(), 3);
    }

    #[test]
    fn segments_join_by_bucket_listed_up_to_the_threshold_then_sketched() {
        let path = vec![Key::Int(0)];
        let other = vec![Key::Int(60_000)];
        let mut all = BTreeMap::new();
        merge(
            &mut all,
            BTreeMap::from([
                (path.clone(), listed(&[1, 2])),
                (other.clone(), listed(&[1])),
            ]),
            3,
        );
        merge(
            &mut all,
            BTreeMap::from([
                (path.clone(), listed(&[2, 3])),
                (other.clone(), listed(&[1])),
            ]),
            3,
        );
        let counted = counts(vec![all.clone()]);
        assert_eq!(counted[0][&path], 3);
        assert_eq!(counted[0][&other], 1);
        // four together: past a threshold of 3, sketched, and still about 4
        merge(&mut all, BTreeMap::from([(path.clone(), listed(&[4]))]), 3);
        assert!(matches!(all[&path], Counted::Sketched(_)));
        assert_eq!(counts(vec![all])[0][&path], 4);
    }

    #[test]
    fn a_sketch_estimates_within_its_error_and_merges_as_one() {
        for n in [10_i64, 1_000, 20_000, 200_000] {
            let mut one = Sketch::default();
            let (mut low, mut high) = (Sketch::default(), Sketch::default());
            for value in 0..n {
                one.add(&Key::Text(format!("u{value}")));
                // halves that share a fifth of the values
                if value < n * 3 / 5 {
                    low.add(&Key::Text(format!("u{value}")));
                }
                if value >= n * 2 / 5 {
                    high.add(&Key::Text(format!("u{value}")));
                }
            }
            let estimate = one.estimate();
            let error = (estimate - n as f64).abs() / n as f64;
            assert!(error < 0.03, "{n}: {estimate}");
            low.merge(&high);
            assert_eq!(low.estimate(), estimate, "{n}: merged as one");
        }
        // each kind of key is its own value
        assert_ne!(hash(&Key::Int(5)), hash(&Key::Text("5".into())));
        assert_eq!(count(listed(&[])), 0);
    }
}
