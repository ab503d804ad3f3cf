//! The query string as tokens: words (with their escapes resolved), phrases, operators,
//! range brackets, comparisons, and each token's character position for error messages.

use std::fmt;

use super::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    Word {
        text: String,
        wildcard: bool,
    },
    Phrase(String),
    Colon,
    Open,
    Close,
    And,
    Or,
    Not,
    Plus,
    Minus,
    RangeOpen(bool),
    RangeClose(bool),
    Compare(&'static str),
    /// `/regular expression/`
    Regex(String),
    /// `^2` after a clause.
    Boost(f32),
    /// `~` or `~N` after a word (fuzzy) or a phrase (proximity).
    Tilde(Option<f32>),
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::Word { text, .. } => write!(f, "word [{text}]"),
            Kind::Phrase(text) => write!(f, "phrase [\"{text}\"]"),
            Kind::Colon => f.write_str("':'"),
            Kind::Open => f.write_str("'('"),
            Kind::Close => f.write_str("')'"),
            Kind::And => f.write_str("AND"),
            Kind::Or => f.write_str("OR"),
            Kind::Not => f.write_str("NOT"),
            Kind::Plus => f.write_str("'+'"),
            Kind::Minus => f.write_str("'-'"),
            Kind::RangeOpen(_) => f.write_str("range start"),
            Kind::RangeClose(_) => f.write_str("range end"),
            Kind::Compare(op) => write!(f, "'{op}'"),
            Kind::Regex(text) => write!(f, "regular expression [/{text}/]"),
            Kind::Boost(_) => f.write_str("'^'"),
            Kind::Tilde(_) => f.write_str("'~'"),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub kind: Kind,
    pub position: usize,
}

const SPECIAL: &[char] = &['(', ')', ':', '"', '[', ']', '{', '}', '\\', '^', '~', '/'];

pub(super) fn tokenize(query: &str) -> Result<Vec<Token>, ParseError> {
    let error = |position: usize, message: &str| ParseError {
        query: query.to_string(),
        position,
        message: message.to_string(),
    };
    let chars: Vec<(usize, char)> = query.char_indices().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    // between `[` and `]` a bound is everything up to a space or the end of the range, as
    // Lucene reads it: `[2025-11-02T01:00:00 TO *]`, `[-5 TO 5]`
    let mut in_range = false;
    while i < chars.len() {
        let (position, c) = chars[i];
        let push = |tokens: &mut Vec<Token>, kind| tokens.push(Token { kind, position });
        match c {
            c if c.is_whitespace() => i += 1,
            c if in_range && !matches!(c, ']' | '}' | '"') => {
                let mut text = String::new();
                while let Some(&(_, ch)) = chars.get(i) {
                    if ch.is_whitespace() || matches!(ch, ']' | '}') {
                        break;
                    }
                    text.push(ch);
                    i += 1;
                }
                let wildcard = text == "*";
                push(&mut tokens, Kind::Word { text, wildcard });
            }
            '(' => {
                push(&mut tokens, Kind::Open);
                i += 1;
            }
            ')' => {
                push(&mut tokens, Kind::Close);
                i += 1;
            }
            ':' => {
                push(&mut tokens, Kind::Colon);
                i += 1;
            }
            '[' | '{' => {
                push(&mut tokens, Kind::RangeOpen(c == '['));
                in_range = true;
                i += 1;
            }
            ']' | '}' => {
                push(&mut tokens, Kind::RangeClose(c == ']'));
                in_range = false;
                i += 1;
            }
            '+' => {
                push(&mut tokens, Kind::Plus);
                i += 1;
            }
            '-' => {
                push(&mut tokens, Kind::Minus);
                i += 1;
            }
            '!' => {
                push(&mut tokens, Kind::Not);
                i += 1;
            }
            '&' if chars.get(i + 1).map(|c| c.1) == Some('&') => {
                push(&mut tokens, Kind::And);
                i += 2;
            }
            '|' if chars.get(i + 1).map(|c| c.1) == Some('|') => {
                push(&mut tokens, Kind::Or);
                i += 2;
            }
            '>' | '<' => {
                let with_eq = chars.get(i + 1).map(|c| c.1) == Some('=');
                let op = match (c, with_eq) {
                    ('>', true) => ">=",
                    ('>', false) => ">",
                    ('<', true) => "<=",
                    _ => "<",
                };
                push(&mut tokens, Kind::Compare(op));
                i += if with_eq { 2 } else { 1 };
            }
            '"' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(error(position, "unterminated phrase (missing '\"')")),
                        Some((_, '"')) => {
                            i += 1;
                            break;
                        }
                        Some((_, '\\')) => {
                            let (_, next) = *chars
                                .get(i + 1)
                                .ok_or_else(|| error(position, "a '\\' ends the query"))?;
                            text.push(next);
                            i += 2;
                        }
                        Some((_, ch)) => {
                            text.push(*ch);
                            i += 1;
                        }
                    }
                }
                push(&mut tokens, Kind::Phrase(text));
            }
            '/' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(error(
                                position,
                                "unterminated regular expression (missing '/')",
                            ))
                        }
                        Some((_, '/')) => {
                            i += 1;
                            break;
                        }
                        Some((_, '\\')) => {
                            // an escaped '/' is a '/'; other escapes belong to the expression
                            let (_, next) = *chars
                                .get(i + 1)
                                .ok_or_else(|| error(position, "a '\\' ends the query"))?;
                            if next != '/' {
                                text.push('\\');
                            }
                            text.push(next);
                            i += 2;
                        }
                        Some((_, ch)) => {
                            text.push(*ch);
                            i += 1;
                        }
                    }
                }
                push(&mut tokens, Kind::Regex(text));
            }
            '^' | '~' => {
                let start = i + 1;
                let mut end = start;
                while chars
                    .get(end)
                    .is_some_and(|c| c.1.is_ascii_digit() || c.1 == '.')
                {
                    end += 1;
                }
                let digits: String = chars[start..end].iter().map(|c| c.1).collect();
                let number = if digits.is_empty() {
                    None
                } else {
                    Some(digits.parse::<f32>().map_err(|_| {
                        error(
                            position,
                            &format!("'{c}' needs a number like {c}2, not {c}{digits}"),
                        )
                    })?)
                };
                let kind = match (c, number) {
                    ('^', Some(boost)) => Kind::Boost(boost),
                    ('^', None) => {
                        return Err(error(
                            position,
                            "'^' needs a number after it (a boost, like ^2)",
                        ))
                    }
                    (_, number) => Kind::Tilde(number),
                };
                push(&mut tokens, kind);
                i = end;
            }
            _ => {
                let mut text = String::new();
                let mut wildcard = false;
                while let Some(&(at, ch)) = chars.get(i) {
                    if ch.is_whitespace() || (SPECIAL.contains(&ch) && ch != '\\') {
                        break;
                    }
                    if ch == '\\' {
                        let (_, next) = *chars
                            .get(i + 1)
                            .ok_or_else(|| error(at, "a '\\' ends the query"))?;
                        text.push(next);
                        i += 2;
                        continue;
                    }
                    wildcard |= ch == '*' || ch == '?';
                    text.push(ch);
                    i += 1;
                }
                let kind = match text.as_str() {
                    "AND" => Kind::And,
                    "OR" => Kind::Or,
                    "NOT" => Kind::Not,
                    _ => Kind::Word { text, wildcard },
                };
                push(&mut tokens, kind);
            }
        }
    }
    Ok(tokens)
}
