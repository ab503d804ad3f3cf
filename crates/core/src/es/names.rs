//! Field names as Elasticsearch's mappings read them: dotted paths through objects, and
//! how long a string dynamic mapping's `.keyword` indexes.

/// Strings longer than this are not indexed whole (the `.keyword` sub-field's `ignore_above`).
pub const KEYWORD_IGNORE_ABOVE: usize = 256;

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
    fn a_name_is_inside_each_of_its_prefixes_nearest_first() {
        assert_eq!(enclosing("a.b.c").collect::<Vec<_>>(), ["a.b", "a"]);
        assert_eq!(enclosing("a").count(), 0);
    }
}
