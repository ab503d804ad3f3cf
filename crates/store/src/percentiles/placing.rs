//! Where a segment's events go, for the collector beside tantivy's aggregations: the
//! buckets above an aggregation ([`Placement`]), the room reused to find an event's
//! buckets ([`Placing`]), and one aggregation's buckets in a segment ([`Buckets`]).

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};

use tantivy::{DocId, SegmentReader};

use super::path::{Key, SegmentKey, StepReader};
use super::{Bucketing, Step};

/// The most buckets an aggregation is collected in, in a segment (Elasticsearch's default
/// `search.max_buckets`): below a `terms` of a field holding a value for each event, every
/// event would otherwise have a bucket of its own. Past it the search is refused.
pub(super) const MAX_BUCKETS: usize = 65_536;

/// The buckets above an aggregation, reading one segment.
pub(super) struct Placement {
    pub(super) steps: Vec<StepReader>,
    /// The buckets of a histogram of `@timestamp` when that is all it sits in.
    pub(super) by_time: Option<Bucketing>,
}

impl Placement {
    pub(super) fn open(path: &[Step], reader: &SegmentReader) -> tantivy::Result<Placement> {
        let by_time = match path {
            [Step::Time {
                column, bucketing, ..
            }] if column == "ts" => Some(bucketing.clone()),
            _ => None,
        };
        Ok(Placement {
            steps: path
                .iter()
                .map(|step| StepReader::open(step, reader))
                .collect::<tantivy::Result<Vec<_>>>()?,
            by_time,
        })
    }
}

/// The room reused to find an event's buckets: per step, the event's keys; the path of a
/// bucket; the turning of every combination of keys.
#[derive(Default)]
pub(super) struct Placing {
    keys: Vec<Vec<SegmentKey>>,
    numbers: Vec<f64>,
    path: Vec<SegmentKey>,
    odometer: Vec<usize>,
}

impl Placing {
    /// Fills each bucket of `buckets` that `doc` (at `millis`) is in by `place`, with `fill`.
    pub(super) fn place<T: Default>(
        &mut self,
        place: &Placement,
        doc: DocId,
        millis: Option<i64>,
        buckets: &mut Buckets<T>,
        mut fill: impl FnMut(&mut T),
    ) {
        if let Some(bucketing) = &place.by_time {
            // in no bucket outside the histogram's time
            if let Some(key) = millis.and_then(|millis| bucketing.key(millis)) {
                fill(buckets.of_time(key));
            }
            return;
        }
        let steps = &place.steps;
        if self.keys.len() < steps.len() {
            self.keys.resize(steps.len(), Vec::new());
        }
        let mut one_bucket = true;
        for (step, keys) in steps.iter().zip(self.keys.iter_mut()) {
            step.keys(doc, millis, keys, &mut self.numbers);
            match keys.len() {
                // in no bucket of this step (outside a histogram's time, say)
                0 => return,
                1 => {}
                _ => one_bucket = false,
            }
        }
        let keys = &self.keys[..steps.len()];
        if one_bucket {
            // the usual case: one bucket
            self.path.clear();
            self.path.extend(keys.iter().map(|keys| keys[0].clone()));
            fill(buckets.of(&self.path));
            return;
        }
        // in several buckets (an event with two terms is in both): every combination
        let odometer = &mut self.odometer;
        odometer.clear();
        odometer.resize(steps.len(), 0);
        loop {
            self.path.clear();
            self.path.extend(
                odometer
                    .iter()
                    .zip(keys)
                    .map(|(at, keys)| keys[*at].clone()),
            );
            fill(buckets.of(&self.path));
            let turned = odometer.iter_mut().zip(keys).rev().find_map(|(at, keys)| {
                *at += 1;
                if *at < keys.len() {
                    Some(())
                } else {
                    *at = 0;
                    None
                }
            });
            if turned.is_none() {
                break;
            }
        }
    }
}

/// One spec's buckets in a segment. A segment's events come about in time order, so the
/// bucket of the last event is checked before the index of paths.
pub(super) struct Buckets<T> {
    paths: HashMap<Vec<SegmentKey>, usize>,
    held: Vec<(Vec<SegmentKey>, T)>,
    last: Option<usize>,
    /// The last bucket of a histogram of `@timestamp` alone, by its key.
    last_time: Option<(i64, usize)>,
    /// Set when an event would have made more than [`MAX_BUCKETS`]; its values go to
    /// `dropped`, and the request is refused.
    pub(super) overflowed: bool,
    dropped: T,
}

impl<T: Default> Default for Buckets<T> {
    fn default() -> Self {
        Buckets {
            paths: HashMap::new(),
            held: Vec::new(),
            last: None,
            last_time: None,
            overflowed: false,
            dropped: T::default(),
        }
    }
}

impl<T: Default> Buckets<T> {
    pub(super) fn of(&mut self, path: &[SegmentKey]) -> &mut T {
        let slot = match self.last {
            Some(slot) if self.held[slot].0 == path => slot,
            _ => {
                let slot = match self.paths.get(path) {
                    Some(slot) => *slot,
                    None if self.held.len() >= MAX_BUCKETS => {
                        self.overflowed = true;
                        self.dropped = T::default();
                        return &mut self.dropped;
                    }
                    None => {
                        self.held.push((path.to_vec(), T::default()));
                        self.paths.insert(path.to_vec(), self.held.len() - 1);
                        self.held.len() - 1
                    }
                };
                self.last = Some(slot);
                slot
            }
        };
        &mut self.held[slot].1
    }

    /// The bucket of a histogram of `@timestamp` keyed `key`, found without a path for
    /// each event (the dashboard's panels ask for these at every refresh).
    pub(super) fn of_time(&mut self, key: i64) -> &mut T {
        let slot = match self.last_time {
            Some((last, slot)) if last == key => slot,
            _ => {
                self.of(&[SegmentKey::Key(Key::Int(key))]);
                if self.overflowed {
                    return &mut self.dropped;
                }
                let slot = self.last.unwrap_or(0);
                self.last_time = Some((key, slot));
                slot
            }
        };
        &mut self.held[slot].1
    }

    /// Each bucket's holding by its path, named.
    pub(super) fn named<N>(
        self,
        steps: &[StepReader],
        mut name: impl FnMut(T) -> N,
        mut join: impl FnMut(&mut N, N),
    ) -> BTreeMap<Vec<Key>, N> {
        let mut named: BTreeMap<Vec<Key>, N> = BTreeMap::new();
        for (path, held) in self.held {
            let path = path
                .into_iter()
                .zip(steps)
                .map(|(key, step)| step.name(key))
                .collect();
            let held = name(held);
            match named.entry(path) {
                Entry::Vacant(vacant) => {
                    vacant.insert(held);
                }
                Entry::Occupied(mut kept) => join(kept.get_mut(), held),
            }
        }
        named
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::percentiles::collect::Timed;

    #[test]
    fn a_spec_is_collected_in_at_most_max_buckets() {
        let mut buckets: Buckets<Timed> = Buckets::default();
        for key in 0..MAX_BUCKETS as i64 {
            buckets.of_time(key).push((key, 1.0));
        }
        assert!(!buckets.overflowed);
        // the same bucket again is still found
        buckets.of(&[SegmentKey::Key(Key::Int(7))]).push((7, 2.0));
        assert_eq!(buckets.held[7].1.len(), 2);
        buckets.of_time(-1).push((0, 3.0));
        assert!(buckets.overflowed);
        assert_eq!(buckets.held.len(), MAX_BUCKETS);
    }
}
