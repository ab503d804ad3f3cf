//! Lucene query syntax, as Elasticsearch's `query_string` reads what people type:
//! terms, `"phrases"`, `field:value`, `field:(grouped OR terms)`, `AND`/`OR`/`NOT`/`&&`/
//! `||`/`!`, `+`/`-`, `( )`, wildcards `*` `?`, `/regular expressions/`, fuzzy `word~1`,
//! proximity `"two words"~3`, boosts `^2`, ranges `[a TO b]` `{a TO b}` `>=a`,
//! `_exists_:field`, `\` escapes; errors say where (the character position).

mod parser;
mod tokens;

pub use parser::Level;

use std::fmt;

/// A parsed query string.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// All of these must match.
    And(Vec<Node>),
    /// At least one of these must match.
    Or(Vec<Node>),
    Not(Box<Node>),
    /// `field:value` or a bare value (`field` is `None`).
    Term {
        field: Option<String>,
        value: Value,
    },
    /// `_exists_:field`
    Exists(String),
    /// Matches everything (`*:*`, or an empty string). (A bare `*` is the pattern `*`
    /// without a field: every document over every field, over named fields those that
    /// hold one of them.)
    All,
    /// `clause^2`: the clause, its score multiplied.
    Boost(Box<Node>, f32),
}

/// What a term clause asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A word, possibly analyzed into several tokens.
    Word(String),
    /// `"quoted words"`, matched in order.
    Phrase(String),
    /// A word with `*` or `?`.
    Wildcard(String),
    /// `/regular expression/` over whole terms.
    Regex(String),
    /// `word~` or `word~N`: terms within N edits (none given: the query's fuzziness).
    Fuzzy { text: String, edits: Option<u8> },
    /// `"quoted words"~N`: in order, up to N moves apart.
    Proximity { text: String, slop: u32 },
    Range {
        lower: Option<String>,
        upper: Option<String>,
        include_lower: bool,
        include_upper: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub query: String,
    pub position: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Failed to parse query [{}]: {} at character {}",
            self.query, self.message, self.position
        )
    }
}

impl std::error::Error for ParseError {}

/// How juxtaposed clauses combine (`default_operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultOperator {
    Or,
    And,
}

/// Parses `query`; an empty or blank query matches everything.
pub fn parse(query: &str, default_operator: DefaultOperator) -> Result<Node, ParseError> {
    parse_level(query, default_operator).map(Level::node)
}

/// The top level of `query`'s clauses, each by its part; an empty query is one required
/// clause matching everything. Words side by side with nothing between them are one chunk
/// (`a b` is the value "a b" each field reads whole: a keyword takes it as one term), as
/// Elasticsearch's `query_string` reads them (whitespace is no operator there).
pub fn parse_level(query: &str, default_operator: DefaultOperator) -> Result<Level, ParseError> {
    parser::parse(query, tokens::tokenize(query)?, default_operator, true)
}

/// [`parse_level`] with a clause for each word of a chunk: what `minimum_should_match`
/// counts when one field reads the query (Lucene adds the terms a chunk analyses into to
/// the level).
pub fn parse_level_by_word(
    query: &str,
    default_operator: DefaultOperator,
) -> Result<Level, ParseError> {
    parser::parse(query, tokens::tokenize(query)?, default_operator, false)
}

/// The words and phrases `query` looks for (none negated), for highlighting matches in log
/// lines: what [`positive_terms`] finds in its parse, read from its tokens alone, so that the
/// dashboard carries no parser (the cluster reports a query's errors).
pub fn highlight_terms(query: &str) -> Vec<String> {
    use tokens::Kind;
    let Ok(tokens) = tokens::tokenize(query) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // whether each open group is negated, and whether the next clause is
    let mut groups = vec![false];
    let mut negate_next = false;
    let mut in_range = false;
    let mut at = 0;
    while let Some(token) = tokens.get(at) {
        let negated = groups.last().copied().unwrap_or(false) ^ negate_next;
        let before_colon = matches!(tokens.get(at + 1).map(|t| &t.kind), Some(Kind::Colon));
        match &token.kind {
            Kind::Minus | Kind::Not if !in_range => negate_next = !negate_next,
            Kind::Open => {
                groups.push(negated);
                negate_next = false;
            }
            Kind::Close => {
                groups.pop();
                if groups.is_empty() {
                    groups.push(false);
                }
                negate_next = false;
            }
            Kind::RangeOpen(_) => in_range = true,
            Kind::RangeClose(_) => {
                in_range = false;
                negate_next = false;
            }
            // `>=bound`: the bound is no term
            Kind::Compare(_) => {
                at += 1;
                negate_next = false;
            }
            // `field:` (the clause after it keeps any negation); `_exists_:field` has no term
            Kind::Word { text, .. } if before_colon => {
                at += 1;
                if text == "_exists_" {
                    at += 1;
                    negate_next = false;
                }
            }
            Kind::Word { text, wildcard } if !in_range => {
                if !negated {
                    push_term(text, *wildcard, &mut out);
                }
                negate_next = false;
            }
            Kind::Phrase(text) if !in_range => {
                if !negated {
                    out.push(text.clone());
                }
                negate_next = false;
            }
            Kind::Regex(_) => negate_next = false,
            _ => {}
        }
        at += 1;
    }
    out
}

/// A word for highlighting: whole, or a wildcard's fixed part when it has exactly one.
fn push_term(text: &str, wildcard: bool, out: &mut Vec<String>) {
    if !wildcard {
        out.push(text.to_string());
        return;
    }
    let fixed = text.trim_matches(|c| c == '*' || c == '?');
    if !fixed.is_empty() && !fixed.contains(['*', '?']) {
        out.push(fixed.to_string());
    }
}

/// The words and phrases a query looks for, for highlighting matches in log lines.
pub fn positive_terms(node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    collect_terms(node, false, &mut out);
    out
}

fn collect_terms(node: &Node, negated: bool, out: &mut Vec<String>) {
    match node {
        Node::And(nodes) | Node::Or(nodes) => {
            nodes.iter().for_each(|n| collect_terms(n, negated, out));
        }
        Node::Not(inner) => collect_terms(inner, !negated, out),
        Node::Boost(inner, _) => collect_terms(inner, negated, out),
        Node::Term {
            value:
                Value::Word(text)
                | Value::Phrase(text)
                | Value::Fuzzy { text, .. }
                | Value::Proximity { text, .. },
            ..
        } if !negated => {
            out.push(text.clone());
        }
        Node::Term {
            value: Value::Wildcard(text),
            ..
        } if !negated => push_term(text, true, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
