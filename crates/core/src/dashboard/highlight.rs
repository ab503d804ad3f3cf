//! Where a query's terms occur in a line, for highlighting (case-insensitive, ASCII folding).

/// Splits `text` into pieces, each marked whether it matches one of `terms`.
pub fn spans(text: &str, terms: &[String]) -> Vec<(String, bool)> {
    let lower = text.to_lowercase();
    // lowercasing can change byte lengths outside ASCII: then only exact-case matches are safe
    let haystack = if lower.len() == text.len() {
        lower.as_str()
    } else {
        text
    };
    let needles: Vec<String> = terms
        .iter()
        .map(|t| {
            if haystack.len() == text.len() && lower.len() == text.len() {
                t.to_lowercase()
            } else {
                t.clone()
            }
        })
        .filter(|t| !t.is_empty())
        .collect();
    let mut marks = vec![false; text.len()];
    for needle in &needles {
        let mut from = 0;
        while let Some(at) = haystack[from..].find(needle.as_str()) {
            let start = from + at;
            marks[start..start + needle.len()]
                .iter_mut()
                .for_each(|m| *m = true);
            from = start + needle.len().max(1);
        }
    }
    let mut out: Vec<(String, bool)> = Vec::new();
    for (i, ch) in text.char_indices() {
        let marked = marks[i];
        match out.last_mut() {
            Some((piece, m)) if *m == marked => piece.push(ch),
            _ => out.push((ch.to_string(), marked)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_every_occurrence_ignoring_case() {
        let pieces = spans(
            "Connection refused: connection reset",
            &["connection".into()],
        );
        assert_eq!(
            pieces,
            vec![
                ("Connection".into(), true),
                (" refused: ".into(), false),
                ("connection".into(), true),
                (" reset".into(), false)
            ]
        );
        assert_eq!(spans("abc", &[]), vec![("abc".into(), false)]);
        assert_eq!(spans("", &["x".into()]), vec![]);
        // non-ASCII text never panics
        assert_eq!(
            spans("İstanbul café", &["café".into()])
                .iter()
                .filter(|p| p.1)
                .count(),
            1
        );
    }
}
