//! `simple_query_string`'s syntax, as Lucene's `SimpleQueryParser` reads it: `+` and, `|`
//! or, `-` not, `"phrases"`, `prefix*`, `( )`, `\` escapes, and words side by side joined
//! by the default operator; read left to right, with no precedence, and never an error for
//! what people type (a stray operator is skipped).

use crate::lucene::{Node, Value};

use super::{Operator, QueryError};

/// Reads `text`; `~N` (fuzzy words, sloppy phrases) is refused, as logdash cannot honour it.
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
                no_tilde(chars, *at)?;
                term(Value::Phrase(phrase))
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.get(*at) {
                    if c.is_whitespace() || matches!(c, '+' | '|' | '(' | ')' | '"') {
                        break;
                    }
                    if c == '-' && !word.is_empty() {
                        // a hyphen inside a word is part of it
                        word.push(c);
                        *at += 1;
                        continue;
                    }
                    if c == '~' {
                        no_tilde(chars, *at)?;
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
                match word.strip_suffix('*') {
                    Some(prefix) if !prefix.is_empty() => term(Value::Wildcard(format!(
                        "{}*",
                        prefix.replace(['*', '?'], "")
                    ))),
                    Some(_) => continue,
                    None => term(Value::Word(word)),
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

fn no_tilde(chars: &[char], at: usize) -> Result<(), QueryError> {
    if chars.get(at) == Some(&'~') {
        return Err(QueryError::illegal(
            "[simple_query_string] fuzzy words and sloppy phrases (~N) are not supported by logdash",
        ));
    }
    Ok(())
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
        assert!(
            parse("helo~1", Operator::Or).is_err(),
            "fuzzy is refused by name"
        );
    }
}
