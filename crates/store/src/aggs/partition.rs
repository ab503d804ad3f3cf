//! A `terms`' `include: {partition, num_partitions}`: the terms split into groups by a
//! hash of each, so that a client can page through every term of a field a group at a
//! time. The hashes are Elasticsearch's, so a partition holds the same terms there:
//! MurmurHash3 (x86, 32 bits, seed 31) of a string's UTF-8 bytes, HPPC's `mix64` of a
//! whole number.

use serde_json::{Map, Value};

use super::place::Place;
use crate::mapping::FieldKind;
use crate::query::Target;
use crate::RequestError;

/// Elasticsearch's seed for hashing strings into partitions.
const SEED: u32 = 31;

/// One partition of a `terms`' keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Partition {
    pub number: u32,
    pub of: u32,
}

impl Partition {
    /// Takes `include: {partition, num_partitions}` out of a `terms` body; `None` when its
    /// `include` is none, a pattern or a list.
    pub(super) fn take(
        name: &str,
        body: &mut Map<String, Value>,
    ) -> Result<Option<Partition>, RequestError> {
        let Some(Value::Object(include)) = body.get("include") else {
            return Ok(None);
        };
        let read = |key: &str| include.get(key).and_then(Value::as_u64);
        let partition = match (read("partition"), read("num_partitions")) {
            (Some(number), Some(of)) if of > 0 && number < of && include.len() == 2 => {
                Partition {
                    number: u32::try_from(number).unwrap_or(u32::MAX),
                    of: u32::try_from(of).unwrap_or(u32::MAX),
                }
            }
            _ => {
                return Err(RequestError::illegal_argument(format!(
                    "[include] of terms [{name}] must be a pattern, a list of terms, or {{\"partition\": p, \"num_partitions\": n}} with 0 <= p < n"
                )))
            }
        };
        body.remove("include");
        Ok(Some(partition))
    }

    /// Whether a bucket's key (a string or a whole number) is in this partition.
    pub(super) fn holds(&self, key: &Value) -> bool {
        let of = i64::from(self.of);
        let hash = match key {
            Value::String(text) => i64::from(murmur3_32(text.as_bytes(), SEED) as i32),
            Value::Number(n) => match n.as_i64() {
                Some(whole) => mix64(whole),
                None => return false,
            },
            _ => return false,
        };
        hash.rem_euclid(of) == i64::from(self.number)
    }
}

/// Partitions are of strings and whole numbers (dates too), and at the top of a request:
/// every term of the field is read to find a partition's, which below another bucket
/// would be every term of every bucket.
pub(super) fn check(
    name: &str,
    field: &str,
    target: &Target,
    place: &Place,
) -> Result<(), RequestError> {
    let hashed = matches!(
        target,
        Target::Timestamp
            | Target::Unmapped(_)
            | Target::Whole(
                _,
                FieldKind::Text | FieldKind::Keyword | FieldKind::Long | FieldKind::Date
            )
    );
    if !hashed {
        return Err(RequestError::illegal_argument(format!(
            "[include] partitions of terms [{name}] on [{field}] are not supported by logdash: only of strings, whole numbers and dates"
        )));
    }
    if !place.is_top() {
        return Err(RequestError::illegal_argument(format!(
            "[include] partitions of terms [{name}] below another bucket aggregation are not supported by logdash"
        )));
    }
    Ok(())
}

/// MurmurHash3's x86 32-bit hash: four-byte blocks read little-endian, then the tail.
fn murmur3_32(bytes: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mix = |k: u32| k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
    let mut h = seed;
    let mut blocks = bytes.chunks_exact(4);
    for block in blocks.by_ref() {
        let k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        h ^= mix(k);
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let k = tail
            .iter()
            .enumerate()
            .fold(0_u32, |k, (i, byte)| k ^ (u32::from(*byte) << (8 * i)));
        h ^= mix(k);
    }
    h ^= bytes.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// HPPC's `BitMixer.mix64`, as Elasticsearch spreads whole numbers over partitions.
fn mix64(value: i64) -> i64 {
    let mut z = value as u64;
    z = (z ^ (z >> 32)).wrapping_mul(0x4cd6_944c_5cc2_0b6d);
    z = (z ^ (z >> 29)).wrapping_mul(0xfc12_c5b1_9d32_59e9);
    (z ^ (z >> 32)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn murmur3_gives_the_reference_hashes() {
        // MurmurHash3_x86_32's published test values
        assert_eq!(murmur3_32(b"", 0), 0);
        assert_eq!(murmur3_32(b"", 1), 0x514e_28b7);
        assert_eq!(murmur3_32(b"hello", 0), 0x248b_fa47);
        assert_eq!(
            murmur3_32(b"The quick brown fox jumps over the lazy dog", 0),
            0x2e4f_f723
        );
    }

    #[test]
    fn terms_fall_in_the_partitions_elasticsearch_puts_them_in() {
        // as Elasticsearch 8.19 answers for 3 partitions
        let of = |key: Value| (0..3).find(|n| Partition { number: *n, of: 3 }.holds(&key));
        assert_eq!(of(json!("web-1")), Some(0));
        assert_eq!(of(json!("web-2")), Some(0));
        assert_eq!(of(json!("worker-1")), Some(1));
        assert_eq!(of(json!("web-3")), Some(2));
        assert_eq!(of(json!(404)), Some(0));
        assert_eq!(of(json!(200)), Some(1));
        assert_eq!(of(json!(500)), Some(1));
        assert_eq!(of(json!(503)), Some(2));
    }

    #[test]
    fn a_partition_is_read_and_checked() {
        let mut body = json!({"field": "f", "include": {"partition": 1, "num_partitions": 4}})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let read = Partition::take("t", &mut body).expect("read");
        assert_eq!(read, Some(Partition { number: 1, of: 4 }));
        assert!(!body.contains_key("include"));
        for bad in [
            json!({"partition": 4, "num_partitions": 4}),
            json!({"partition": 0}),
        ] {
            let mut body = json!({"include": bad})
                .as_object()
                .cloned()
                .unwrap_or_default();
            assert!(Partition::take("t", &mut body).is_err());
        }
        let mut listed = json!({"include": ["a"]})
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert_eq!(Partition::take("t", &mut listed).ok(), Some(None));
    }
}
