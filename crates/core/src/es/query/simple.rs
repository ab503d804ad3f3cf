//! `simple_query_string`'s syntax, as Lucene's `SimpleQueryParser` reads it: `+` and, `|`
//! or, `-` not, `"phrases"`, `prefix*`, `( )`, `\` escapes, `word~N` (fuzzy) and
//! `"phrase"~N` (slop), and words side by side joined by the default operator; read left
//! to right, with no precedence, and never an error for what people type (a stray operator
//! is skipped, a `~` followed by no number reads as Lucene reads it).

use crate::lucene::{Node, Value};

use super::{Operator, QueryError};

/// Reads `text` with every operator (never an error: the `Result` is the query readers'
/// common shape).
pub fn parse(text: &str, default_operator: Operator) -> Result<Node, QueryError> {
    parse_with(text, default_operator, Flags::ALL)
}

/// Reads `text` with the operators `flags` names; the others are read as text.
pub fn parse_with(
    text: &str,
    default_operator: Operator,
    flags: Flags,
) -> Result<Node, QueryError> {
    // a lone `*` is every document, as Lucene's `SimpleQueryParser` has it
    if text.trim() == "*" {
        return Ok(Node::All);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    let node = group(&chars, &mut at, default_operator, flags)?;
    Ok(node.unwrap_or(Node::Or(Vec::new())))
}

/// `flags`: which of the syntax's operators are read, as Lucene's `SimpleQueryParser`
/// numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags(u16);

impl Flags {
    pub const AND: Flags = Flags(1);
    pub const NOT: Flags = Flags(1 << 1);
    pub const OR: Flags = Flags(1 << 2);
    pub const PREFIX: Flags = Flags(1 << 3);
    pub const PHRASE: Flags = Flags(1 << 4);
    pub const PRECEDENCE: Flags = Flags(1 << 5);
    pub const ESCAPE: Flags = Flags(1 << 6);
    pub const WHITESPACE: Flags = Flags(1 << 7);
    pub const FUZZY: Flags = Flags(1 << 8);
    /// `"a b"~N` (Elasticsearch's `NEAR`, also named `SLOP`).
    pub const NEAR: Flags = Flags(1 << 9);
    pub const ALL: Flags = Flags((1 << 10) - 1);
    pub const NONE: Flags = Flags(0);

    const NAMES: [(&'static str, Flags); 13] = [
        ("ALL", Flags::ALL),
        ("NONE", Flags::NONE),
        ("AND", Flags::AND),
        ("NOT", Flags::NOT),
        ("OR", Flags::OR),
        ("PREFIX", Flags::PREFIX),
        ("PHRASE", Flags::PHRASE),
        ("PRECEDENCE", Flags::PRECEDENCE),
        ("ESCAPE", Flags::ESCAPE),
        ("WHITESPACE", Flags::WHITESPACE),
        ("FUZZY", Flags::FUZZY),
        ("NEAR", Flags::NEAR),
        ("SLOP", Flags::NEAR),
    ];

    /// `OR|AND|PREFIX` (names in any case, `|` between them), as Elasticsearch reads it;
    /// the name it does not know, if any.
    pub fn parse(text: &str) -> Result<Flags, String> {
        if text.trim().is_empty() {
            return Ok(Flags::ALL);
        }
        let mut flags = Flags::NONE;
        for name in text
            .split('|')
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            let upper = name.to_ascii_uppercase();
            let (_, flag) = Flags::NAMES
                .iter()
                .find(|(known, _)| *known == upper)
                .ok_or_else(|| name.to_string())?;
            flags.0 |= flag.0;
        }
        Ok(flags)
    }

    /// The names that make these flags again (`ALL` for all).
    pub fn to_text(self) -> String {
        if self == Flags::ALL {
            return "ALL".into();
        }
        let named: Vec<&str> = Flags::NAMES[2..12]
            .iter()
            .filter(|(_, flag)| self.has(*flag))
            .map(|(name, _)| *name)
            .collect();
        match named.is_empty() {
            true => "NONE".into(),
            false => named.join("|"),
        }
    }

    /// Lucene's bits (a negative number: every flag).
    pub fn of_bits(bits: i64) -> Flags {
        match u16::try_from(bits) {
            Ok(bits) => Flags(bits & Flags::ALL.0),
            Err(_) => Flags::ALL,
        }
    }

    pub fn has(self, flag: Flags) -> bool {
        self.0 & flag.0 == flag.0
    }
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
    flags: Flags,
) -> Result<Option<Node>, QueryError> {
    let mut top: Option<Node> = None;
    let mut joiner: Option<Joiner> = None;
    let mut negate = false;
    while let Some(&c) = chars.get(*at) {
        let branch = match c {
            c if c.is_whitespace() && flags.has(Flags::WHITESPACE) => {
                *at += 1;
                continue;
            }
            '+' if flags.has(Flags::AND) => {
                *at += 1;
                joiner = Some(Joiner::And);
                continue;
            }
            '|' if flags.has(Flags::OR) => {
                *at += 1;
                joiner = Some(Joiner::Or);
                continue;
            }
            '-' if flags.has(Flags::NOT) => {
                *at += 1;
                negate = !negate;
                continue;
            }
            ')' if flags.has(Flags::PRECEDENCE) => {
                *at += 1;
                break;
            }
            '(' if flags.has(Flags::PRECEDENCE) => {
                *at += 1;
                match group(chars, at, default_operator, flags)? {
                    Some(node) => node,
                    None => continue,
                }
            }
            '"' if flags.has(Flags::PHRASE) => {
                *at += 1;
                let mut phrase = String::new();
                while let Some(&c) = chars.get(*at) {
                    *at += 1;
                    match c {
                        '"' => break,
                        '\\' if flags.has(Flags::ESCAPE) => {
                            if let Some(&next) = chars.get(*at) {
                                phrase.push(next);
                                *at += 1;
                            }
                        }
                        c => phrase.push(c),
                    }
                }
                // `"…"~N`: a slop, when something follows the `~`
                if chars.get(*at) == Some(&'~') && flags.has(Flags::NEAR) {
                    *at += 1;
                    match *at < chars.len() {
                        true => term(Value::Proximity {
                            text: phrase,
                            slop: edits(chars, at, flags),
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
                    if finishes(c, flags) {
                        break;
                    }
                    if c == '-' && !word.is_empty() {
                        // a hyphen inside a word is part of it
                        word.push(c);
                        *at += 1;
                        continue;
                    }
                    if c == '~' && !word.is_empty() && flags.has(Flags::FUZZY) {
                        *at += 1;
                        // (at most the edits a fuzzy term can have)
                        fuzzy = Some(edits(chars, at, flags).min(2) as u8);
                        break;
                    }
                    *at += 1;
                    if c == '\\' && flags.has(Flags::ESCAPE) {
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
                let prefix = word.strip_suffix('*').filter(|_| flags.has(Flags::PREFIX));
                match (fuzzy, prefix) {
                    // a fuzzy term is taken as typed, a `*` in it too
                    (Some(0), _) => term(Value::Word(word)),
                    (Some(edits), _) => term(Value::Fuzzy {
                        text: word,
                        edits: Some(edits),
                    }),
                    // a prefix is literal: its own `*` and `?` are characters
                    (None, Some(prefix)) if !prefix.is_empty() => term(Value::Wildcard(format!(
                        "{}*",
                        prefix
                            .replace('\\', "\\\\")
                            .replace('*', "\\*")
                            .replace('?', "\\?")
                    ))),
                    // a `*` alone among other terms: an empty prefix (a pattern of
                    // nothing), for the fields to read
                    (None, Some(_)) => term(Value::Wildcard(String::new())),
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

/// Where a word ends: at an operator `flags` reads.
fn finishes(c: char, flags: Flags) -> bool {
    (c.is_whitespace() && flags.has(Flags::WHITESPACE))
        || (c == '+' && flags.has(Flags::AND))
        || (c == '|' && flags.has(Flags::OR))
        || (matches!(c, '(' | ')') && flags.has(Flags::PRECEDENCE))
        || (c == '"' && flags.has(Flags::PHRASE))
}

/// The number after a `~` (`at` just past it), read to the end of the word as Lucene
/// reads it: none is 2, one that is no whole number is 0, a negative one 0.
fn edits(chars: &[char], at: &mut usize, flags: Flags) -> u32 {
    let start = *at;
    while chars.get(*at).is_some_and(|&c| !finishes(c, flags)) {
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

    #[test]
    fn flags_turn_operators_into_text() {
        let with = |text: &str, flags: &str| {
            let flags = Flags::parse(flags).expect("known flags");
            parse_with(text, Operator::Or, flags).expect("never an error")
        };
        // without NOT, a leading `-` is part of the word; without AND, `+` is
        assert_eq!(
            with("orders -timeout", "OR|AND|WHITESPACE"),
            Node::Or(vec![word("orders"), word("-timeout")])
        );
        assert_eq!(with("a+b", "OR|NOT"), word("a+b"));
        // without WHITESPACE, the words are one term
        assert_eq!(with("a b", "AND"), word("a b"));
        // without PREFIX, a trailing `*` is text; without PHRASE, quotes are
        assert_eq!(with("nat*", "NONE"), word("nat*"));
        assert_eq!(with("\"a\"", "WHITESPACE"), word("\"a\""));
        // without FUZZY, a tilde is text; without PRECEDENCE, parentheses are
        assert_eq!(with("helo~1", "whitespace|or"), word("helo~1"));
        assert_eq!(with("(a)", "WHITESPACE"), word("(a)"));
        assert_eq!(Flags::parse("OR|NOPE"), Err("NOPE".to_string()));
        assert_eq!(Flags::parse(""), Ok(Flags::ALL));
        assert_eq!(Flags::of_bits(-1), Flags::ALL);
        assert_eq!(Flags::of_bits(5), Flags::parse("AND|OR").expect("known"));
        assert_eq!(
            Flags::parse("or|and").map(Flags::to_text),
            Ok("AND|OR".to_string())
        );
    }
}
