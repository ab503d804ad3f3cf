//! Field names as Elasticsearch's mappings read them: dotted paths through objects, and
//! how long a string dynamic mapping's `.keyword` indexes.

/// Strings longer than this are not indexed whole (the `.keyword` sub-field's `ignore_above`).
pub const KEYWORD_IGNORE_ABOVE: usize = 256;

/// Whether `text` is indexed whole under an `ignore_above` of `limit`: Elasticsearch
/// measures a string as Java does, in UTF-16 code units (so `é` is one and an emoji two),
/// not in bytes.
pub fn within_ignore_above(text: &str, limit: usize) -> bool {
    // a string is never longer in UTF-16 units than in UTF-8 bytes
    text.len() <= limit || text.encode_utf16().count() <= limit
}

/// The names of the objects a dotted name is inside, nearest first (`a.b.c`: `a.b`, `a`).
pub fn enclosing(name: &str) -> impl Iterator<Item = &str> {
    fn parent(path: &str) -> Option<&str> {
        path.rsplit_once('.').map(|(head, _)| head)
    }
    std::iter::successors(parent(name), |path| parent(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_above_counts_utf16_units_not_bytes() {
        assert!(within_ignore_above("abc", 3));
        assert!(!within_ignore_above("abcd", 3));
        // three characters of two bytes each: six bytes, three units
        assert!(within_ignore_above("ééé", 3));
        // an emoji is four bytes and two units, as Java's String.length() counts it
        assert!(within_ignore_above("a🙂", 3));
        assert!(!within_ignore_above("ab🙂", 3));
    }

    #[test]
    fn a_name_is_inside_each_of_its_prefixes_nearest_first() {
        assert_eq!(enclosing("a.b.c").collect::<Vec<_>>(), ["a.b", "a"]);
        assert_eq!(enclosing("a").count(), 0);
    }
}
