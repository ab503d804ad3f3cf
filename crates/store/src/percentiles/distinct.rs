//! Distinct values counted in buckets: a `cardinality` below a bucket aggregation is exact
//! as far as Elasticsearch's is ([`exact_up_to`] its precision: 3,072 values unless a
//! `precision_threshold` asks for another), and a HyperLogLog's estimate past it (of the
//! same precision, not Elasticsearch's HyperLogLog++ estimate to the value). The collector
//! places each event in the buckets above as it does for percentiles ([`super::path`]) and
//! keeps each bucket's values as a `terms` of the counted field keys them; a bucket of more
//! is hashed into a [`Sketch`] from then on.

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
    /// Elasticsearch's precision for its `precision_threshold` (4 to 18).
    pub precision: u32,
}

impl DistinctSpec {
    /// Counts up to this are exact.
    pub(crate) fn threshold(&self) -> usize {
        exact_up_to(self.precision)
    }
}

/// How many distinct values a count of `precision` holds exactly: Elasticsearch counts them
/// in a hash table in its registers' room (a quarter as many 4-byte slots), exact until it
/// is 3/4 full (3,072 at the default precision, 14; 192 at a threshold of 100).
pub(crate) fn exact_up_to(precision: u32) -> usize {
    let capacity = (1_usize << precision) / 4;
    capacity * 3 / 4
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
/// values are hashed into every bucket it is in: a fast hash), until there are more than
/// the threshold: then a sketch of them.
pub(super) enum SegmentSet {
    Listed(FxHashSet<SegmentKey>),
    Sketched(Sketch),
}

impl Default for SegmentSet {
    fn default() -> Self {
        SegmentSet::Listed(FxHashSet::default())
    }
}

impl SegmentSet {
    /// Adds an event's values (each once already), `counted` naming them once sketched.
    pub(super) fn add(&mut self, values: &[SegmentKey], counted: &StepReader, spec: &DistinctSpec) {
        match self {
            SegmentSet::Listed(set) => {
                for value in values {
                    if !set.contains(value) {
                        set.insert(value.clone());
                    }
                }
                if set.len() > spec.threshold() {
                    let mut sketch = Sketch::new(spec.precision);
                    for key in std::mem::take(set) {
                        sketch.add(&counted.name(key));
                    }
                    *self = SegmentSet::Sketched(sketch);
                }
            }
            SegmentSet::Sketched(sketch) => {
                for value in values {
                    sketch.add(&counted.name(value.clone()));
                }
            }
        }
    }

    /// The values named, or their sketch.
    pub(super) fn named(self, counted: &StepReader) -> Counted {
        match self {
            SegmentSet::Listed(set) => {
                Counted::Listed(set.into_iter().map(|key| counted.name(key)).collect())
            }
            SegmentSet::Sketched(sketch) => Counted::Sketched(sketch),
        }
    }
}

/// Adds one segment's sets into those of the segments before it.
pub(super) fn merge(
    into: &mut BTreeMap<Vec<Key>, Counted>,
    from: BTreeMap<Vec<Key>, Counted>,
    spec: &DistinctSpec,
) {
    for (path, values) in from {
        match into.get_mut(&path) {
            Some(kept) => join(kept, values, spec),
            None => {
                into.insert(path, values);
            }
        }
    }
}

/// Two countings of one bucket as one: listed while at most the threshold of values.
pub(super) fn join(kept: &mut Counted, more: Counted, spec: &DistinctSpec) {
    match (&mut *kept, more) {
        (Counted::Listed(listed), Counted::Listed(values)) => {
            listed.extend(values);
            if listed.len() > spec.threshold() {
                let mut sketch = Sketch::new(spec.precision);
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

/// A HyperLogLog of 64-bit hashes (so no correction for hashes colliding is needed), with
/// linear counting where few registers are set: 2^precision registers (a standard error of
/// 0.8 % at the default 14).
#[derive(Clone)]
pub(crate) struct Sketch {
    precision: u32,
    registers: Box<[u8]>,
}

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sketch(~{})", self.estimate().round())
    }
}

impl Sketch {
    fn new(precision: u32) -> Sketch {
        Sketch {
            precision,
            registers: vec![0; 1 << precision].into_boxed_slice(),
        }
    }

    pub(super) fn add(&mut self, key: &Key) {
        let hash = hash(key);
        let register = (hash >> (64 - self.precision)) as usize;
        // the place of the first 1 in the bits left, counting from one (a sentinel bit
        // bounds it when they are all 0)
        let rest = (hash << self.precision) | (1 << (self.precision - 1));
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
        let m = self.registers.len() as f64;
        let alpha = match self.registers.len() {
            16 => 0.673,
            32 => 0.697,
            64 => 0.709,
            _ => 0.7213 / (1.0 + 1.079 / m),
        };
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

    /// A spec exact up to `threshold` values (3 at precision 4, 3,072 at 14).
    fn spec(precision: u32) -> DistinctSpec {
        DistinctSpec {
            counted: Step::Terms {
                column: "kw.user".into(),
                missing: None,
            },
            path: Vec::new(),
            precision,
        }
    }

    fn listed(values: &[i64]) -> Counted {
        Counted::Listed(values.iter().map(|v| Key::Int(*v)).collect())
    }

    #[test]
    fn exact_as_far_as_elasticsearch_is() {
        assert_eq!(exact_up_to(14), 3_072);
        assert_eq!(exact_up_to(10), 192);
        assert_eq!(exact_up_to(4), 3);
        assert_eq!(spec(18).threshold(), 49_152);
    }

    #[test]
    fn segments_join_by_bucket_listed_up_to_the_threshold_then_sketched() {
        let path = vec![Key::Int(0)];
        let other = vec![Key::Int(60_000)];
        let three = spec(4);
        let mut all = BTreeMap::new();
        merge(
            &mut all,
            BTreeMap::from([
                (path.clone(), listed(&[1, 2])),
                (other.clone(), listed(&[1])),
            ]),
            &three,
        );
        merge(
            &mut all,
            BTreeMap::from([
                (path.clone(), listed(&[2, 3])),
                (other.clone(), listed(&[1])),
            ]),
            &three,
        );
        let counted = counts(vec![all.clone()]);
        assert_eq!(counted[0][&path], 3);
        assert_eq!(counted[0][&other], 1);
        // four together: past a threshold of 3, sketched in 16 registers (a coarse
        // estimate, as Elasticsearch's at that precision)
        merge(
            &mut all,
            BTreeMap::from([(path.clone(), listed(&[4]))]),
            &three,
        );
        assert!(matches!(all[&path], Counted::Sketched(_)));
        let estimate = counts(vec![all])[0][&path];
        assert!((3..=6).contains(&estimate), "{estimate}");
    }

    #[test]
    fn a_sketch_estimates_within_its_error_and_merges_as_one() {
        for n in [10_i64, 1_000, 20_000, 200_000] {
            let mut one = Sketch::new(14);
            let (mut low, mut high) = (Sketch::new(14), Sketch::new(14));
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
        // few registers: a coarse estimate, but one
        let mut small = Sketch::new(4);
        (0..100).for_each(|v| small.add(&Key::Int(v)));
        let estimate = small.estimate();
        assert!((50.0..200.0).contains(&estimate), "{estimate}");
        // each kind of key is its own value
        assert_ne!(hash(&Key::Int(5)), hash(&Key::Text("5".into())));
    }
}
