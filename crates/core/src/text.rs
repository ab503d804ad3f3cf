//! Words as Elasticsearch's `standard` analyzer makes them: Unicode's word boundaries
//! (UAX #29, which Lucene's `StandardTokenizer` follows), the segments holding a letter or
//! a digit, cut into pieces of at most 255 characters, lowercased. So `my_function`,
//! `v1.2.3`, `don't` and `_jsonparsefailure` are one word each; `user@example.com` is two.
//! The store indexes text with it and the push tail's matcher reads events with it, so
//! the two agree.

use unicode_segmentation::UnicodeSegmentation;

/// Longest word, in characters (Elasticsearch's `max_token_length`).
pub const MAX_WORD_CHARS: usize = 255;

/// Each word of `text` with its byte offset, as written (not lowercased).
pub fn word_spans(text: &str) -> Box<dyn Iterator<Item = (usize, &str)> + '_> {
    let words: Box<dyn Iterator<Item = (usize, &str)> + '_> = if text.is_ascii() {
        Box::new(AsciiWords { text, at: 0 })
    } else {
        Box::new(
            text.split_word_bound_indices()
                .filter(|(_, segment)| segment.chars().any(char::is_alphanumeric)),
        )
    };
    Box::new(
        words.flat_map(|(offset, word)| pieces(word).map(move |(at, piece)| (offset + at, piece))),
    )
}

/// What UAX #29 makes of an ASCII character.
#[derive(Clone, Copy, PartialEq)]
enum Class {
    Letter,
    Digit,
    /// `_` (ExtendNumLet): joins letters, digits and itself.
    Joiner,
    /// `:` (MidLetter): joins two letters.
    MidLetter,
    /// `.` and `'` (MidNumLet, Single_Quote): join two letters or two digits.
    MidBoth,
    /// `,` and `;` (MidNum): join two digits.
    MidDigits,
    Other,
}

fn class(byte: u8) -> Class {
    match byte {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Joiner,
        b':' => Class::MidLetter,
        b'.' | b'\'' => Class::MidBoth,
        b',' | b';' => Class::MidDigits,
        _ => Class::Other,
    }
}

/// UAX #29's word rules on ASCII text (most log lines): the same words as the Unicode
/// segmenter, several times faster (a property test holds the two equal).
struct AsciiWords<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for AsciiWords<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        let bytes = self.text.as_bytes();
        let word_class = |c: Class| matches!(c, Class::Letter | Class::Digit | Class::Joiner);
        loop {
            let start = self.at
                + bytes
                    .get(self.at..)?
                    .iter()
                    .position(|&b| word_class(class(b)))?;
            let mut end = start + 1;
            let mut previous = class(bytes[start]);
            let mut alphanumeric = previous != Class::Joiner;
            while let Some(&byte) = bytes.get(end) {
                let current = class(byte);
                if word_class(current) {
                    alphanumeric |= current != Class::Joiner;
                    previous = current;
                    end += 1;
                    continue;
                }
                // a middle character joins what is on both sides of it, when they agree
                let after = bytes.get(end + 1).map(|&b| class(b));
                let joins = matches!(
                    (previous, current, after),
                    (
                        Class::Letter,
                        Class::MidLetter | Class::MidBoth,
                        Some(Class::Letter)
                    ) | (
                        Class::Digit,
                        Class::MidDigits | Class::MidBoth,
                        Some(Class::Digit)
                    )
                );
                if !joins {
                    break;
                }
                previous = after.unwrap_or(Class::Other);
                end += 2;
            }
            self.at = end;
            // a run of `_` alone holds no letter or digit: no word
            if alphanumeric {
                return Some((start, &self.text[start..end]));
            }
        }
    }
}

/// The words of `text`, lowercased.
pub fn words(text: &str) -> Vec<String> {
    word_spans(text)
        .map(|(_, word)| word.to_lowercase())
        .collect()
}

/// `word` in pieces of at most [`MAX_WORD_CHARS`] characters, with their offsets in it.
fn pieces(word: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = Some((0, word));
    std::iter::from_fn(move || {
        let (at, text) = rest.take()?;
        // no more bytes than the limit's characters: whole (nearly every word)
        if text.len() <= MAX_WORD_CHARS {
            return Some((at, text));
        }
        match text.char_indices().nth(MAX_WORD_CHARS) {
            Some((cut, _)) => {
                rest = Some((at + cut, &text[cut..]));
                Some((at, &text[..cut]))
            }
            None => Some((at, text)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_as_the_standard_analyzer_makes_them() {
        // each as Elasticsearch 8.19's `_analyze` with the standard analyzer answers
        let cases: &[(&str, &[&str])] = &[
            ("_jsonparsefailure a_b", &["_jsonparsefailure", "a_b"]),
            ("my_function() failed", &["my_function", "failed"]),
            ("GET /api/v1.2.3 200", &["get", "api", "v1.2.3", "200"]),
            ("don't stop", &["don't", "stop"]),
            ("user@example.com", &["user", "example.com"]),
            (
                "ValueError: invalid literal for int() with base 10: 'abc'",
                &[
                    "valueerror",
                    "invalid",
                    "literal",
                    "for",
                    "int",
                    "with",
                    "base",
                    "10",
                    "abc",
                ],
            ),
            ("3.14 1,000 -5", &["3.14", "1,000", "5"]),
            ("Größe café", &["größe", "café"]),
            ("日本語", &["日", "本", "語"]),
            (
                "a:b level:ERROR 10:30 a.b. x'y 1;2 a_1.b",
                &[
                    "a:b",
                    "level:error",
                    "10",
                    "30",
                    "a.b",
                    "x'y",
                    "1;2",
                    "a_1",
                    "b",
                ],
            ),
            ("   ", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(words(text), *expected, "{text}");
        }
    }

    /// The ASCII rules against the Unicode segmenter, on generated text full of the
    /// characters whose rules differ (a small deterministic generator, xorshift).
    #[test]
    fn ascii_words_are_the_unicode_segmenters() {
        const ALPHABET: &[u8] = b"aZ09_:.',; -/@\"()x";
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut below = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..20_000 {
            let length = below(24);
            let text: String = (0..length)
                .map(|_| char::from(ALPHABET[below(ALPHABET.len())]))
                .collect();
            let unicode: Vec<(usize, &str)> = text
                .split_word_bound_indices()
                .filter(|(_, segment)| segment.chars().any(char::is_alphanumeric))
                .collect();
            let ascii: Vec<(usize, &str)> = AsciiWords { text: &text, at: 0 }.collect();
            assert_eq!(ascii, unicode, "{text:?}");
        }
    }

    #[test]
    fn long_words_are_cut_into_pieces_of_255_characters() {
        let long = "x".repeat(600);
        let spans: Vec<(usize, usize)> = word_spans(&format!("a {long}"))
            .map(|(at, word)| (at, word.chars().count()))
            .collect();
        assert_eq!(spans, [(0, 1), (2, 255), (257, 255), (512, 90)]);
    }
}
