//! `simple_query_string`'s syntax, as Lucene's `SimpleQueryParser` reads it: `+` and, `|`
//! or, `-` not, `"phrases"`, `prefix*`, `( )`, `\` escapes, `word~N` (fuzzy) and
//! `"phrase"~N` (slop), and words side by side joined by the default operator; read left
//! to right, with no precedence, and never an error for what people type (a stray operator
//! is skipped, a `~` followed by no number reads as Lucene reads it).

use crate::lucene::{Node, Value};

use super::{Operator, QueryError};

/// Reads `text` (never an error: the `Result` is the query readers' common shape).
pub fn parse(text: &str, default_operator: Operator) -> Result<Node, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    let node = group(&chars, &mut at, default_operator)?;
    Ok(node.unwrap_or(Node::Or(Vec::new())))
}

#[derive(Clone, Copy, PartialEq)]
enum Joiner {
    And,
    Or,
}

fn group(
    chars: &[char],
    at: &mut usize,
    default_operator: Operator,
) -> Result<Option<Node>, QueryError> {
    let mut top: Option<Node> = None;
    let mut joiner: Option<Joiner> = None;
    let mut negate = false;
    while let Some(&c) = chars.get(*at) {
        let branch = match c {
            c if c.is_whitespace() => {
                *at += 1;
                continue;
            }
            '+' => {
                *at += 1;
                joiner = Some(Joiner::And);
                continue;
            }
            '|' => {
                *at += 1;
                joiner = Some(Joiner::Or);
                continue;
            }
            '-' => {
                *at += 1;
                negate = !negate;
                continue;
            }
            ')' => {
                *at += 1;
                break;
            }
            '(' => {
                *at += 1;
                match group(chars, at, default_operator)? {
                    Some(node) => node,
                    None => continue,
                }
            }
            '"' => {
                *at += 1;
                let mut phrase = String::new();
                while let Some(&c) = chars.get(*at) {
                    *at += 1;
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(&next) = chars.get(*at) {
                                phrase.push(next);
                                *at += 1;
                            }
                        }
                        c => phrase.push(c),
                    }
                }
                // `"…"~N`: a slop, when something follows the `~`
                if chars.get(*at) == Some(&'~') {
                    *at += 1;
                    match *at < chars.len() {
                        true => term(Value::Proximity {
                            text: phrase,
                            slop: edits(chars, at),
                        }),
                        false => term(Value::Phrase(phrase)),
                    }
                } else {
                    term(Value::Phrase(phrase))
                }
            }
            _ => {
                let mut word = String::new();
                let mut fuzzy = None;
                while let Some(&c) = chars.get(*at) {
                    if finishes(c) {
                        break;
                    }
                    if c == '-' && !word.is_empty() {
                        // a hyphen inside a word is part of it
                        word.push(c);
                        *at += 1;
                        continue;
                    }
                    if c == '~' && !word.is_empty() {
                        *at += 1;
                        // (at most the edits a fuzzy term can have)
                        fuzzy = Some(edits(chars, at).min(2) as u8);
                        break;
                    }
                    *at += 1;
                    if c == '\\' {
                        if let Some(&next) = chars.get(*at) {
                            word.push(next);
                            *at += 1;
                        }
                        continue;
                    }
                    word.push(c);
                }
                if word.is_empty() {
                    continue;
                }
                match (fuzzy, word.strip_suffix('*')) {
                    // a fuzzy term is taken as typed, a `*` in it too
                    (Some(0), _) => term(Value::Word(word)),
                    (Some(edits), _) => term(Value::Fuzzy {
                        text: word,
                        edits: Some(edits),
                    }),
                    (None, Some(prefix)) if !prefix.is_empty() => term(Value::Wildcard(format!(
                        "{}*",
                        prefix.replace(['*', '?'], "")
                    ))),
                    (None, Some(_)) => continue,
                    (None, None) => term(Value::Word(word)),
                }
            }
        };
        let branch = if std::mem::take(&mut negate) {
            Node::Not(Box::new(branch))
        } else {
            branch
        };
        let how = joiner.take().unwrap_or(match default_operator {
            Operator::And => Joiner::And,
            Operator::Or => Joiner::Or,
        });
        top = Some(match top {
            None => branch,
            Some(left) => join(left, how, branch),
        });
    }
    Ok(top)
}

fn term(value: Value) -> Node {
    Node::Term { field: None, value }
}

/// Where a word ends.
fn finishes(c: char) -> bool {
    c.is_whitespace() || matches!(c, '+' | '|' | '(' | ')' | '"')
}

/// The number after a `~` (`at` just past it), read to the end of the word as Lucene
/// reads it: none is 2, one that is no whole number is 0, a negative one 0.
fn edits(chars: &[char], at: &mut usize) -> u32 {
    let start = *at;
    while chars.get(*at).is_some_and(|&c| !finishes(c)) {
        *at += 1;
    }
    let text: String = chars[start..*at].iter().collect();
    match text.as_str() {
        "" => 2,
        number => number
            .parse::<i64>()
            .map_or(0, |n| u32::try_from(n.max(0)).unwrap_or(u32::MAX)),
    }
}

fn join(left: Node, how: Joiner, right: Node) -> Node {
    match (how, left) {
        (Joiner::And, Node::And(mut items)) => {
            items.push(right);
            Node::And(items)
        }
        (Joiner::Or, Node::Or(mut items)) if !items.is_empty() => {
            items.push(right);
            Node::Or(items)
        }
        (Joiner::And, left) => Node::And(vec![left, right]),
        (Joiner::Or, left) => Node::Or(vec![left, right]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Node {
        term(Value::Word(text.to_string()))
    }

    fn read(text: &str) -> Node {
        parse(text, Operator::Or).expect("never an error")
    }

    #[test]
    fn operators_apply_left_to_right() {
        assert_eq!(read("a b"), Node::Or(vec![word("a"), word("b")]));
        assert_eq!(read("a + b"), Node::And(vec![word("a"), word("b")]));
        assert_eq!(
            read("a | b + c"),
            Node::And(vec![Node::Or(vec![word("a"), word("b")]), word("c")])
        );
        assert_eq!(
            parse("a b", Operator::And).expect("reads"),
            Node::And(vec![word("a"), word("b")])
        );
    }

    #[test]
    fn negation_phrases_prefixes_and_groups() {
        assert_eq!(read("-a"), Node::Not(Box::new(word("a"))));
        assert_eq!(
            read("\"said hello\" nat*"),
            Node::Or(vec![
                term(Value::Phrase("said hello".into())),
                term(Value::Wildcard("nat*".into()))
            ])
        );
        assert_eq!(
            read("(a | b) + c"),
            Node::And(vec![Node::Or(vec![word("a"), word("b")]), word("c")])
        );
        assert_eq!(read("wi-fi"), word("wi-fi"));
        assert_eq!(read("a\\+b"), word("a+b"));
    }

    #[test]
    fn what_people_type_is_never_an_error() {
        for text in ["", "+", "((a", "a |", "\"open", "*", ") a"] {
            parse(text, Operator::Or).unwrap_or_else(|err| panic!("{text}: {err}"));
        }
        assert_eq!(read("((a"), word("a"));
    }

    #[test]
    fn tildes_make_fuzzy_words_and_sloppy_phrases_as_lucene_reads_them() {
        let fuzzy = |text: &str, edits| {
            term(Value::Fuzzy {
                text: text.to_string(),
                edits: Some(edits),
            })
        };
        assert_eq!(read("helo~1"), fuzzy("helo", 1));
        assert_eq!(read("helo~"), fuzzy("helo", 2));
        assert_eq!(read("helo~5"), fuzzy("helo", 2));
        assert_eq!(read("helo~0"), word("helo"));
        assert_eq!(read("helo~x"), word("helo"));
        assert_eq!(read("helo~-1"), word("helo"));
        assert_eq!(read("qu*~1"), fuzzy("qu*", 1));
        assert_eq!(read("~a"), word("~a"));
        let slop = |slop| {
            term(Value::Proximity {
                text: "quick fox".into(),
                slop,
            })
        };
        assert_eq!(read("\"quick fox\"~3"), slop(3));
        assert_eq!(read("\"quick fox\"~x"), slop(0));
        assert_eq!(
            read("\"quick fox\"~"),
            term(Value::Phrase("quick fox".into()))
        );
        assert_eq!(read("\"quick fox\"~ a"), Node::Or(vec![slop(2), word("a")]));
    }
}
