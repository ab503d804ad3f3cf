//! Lucene's grammar over the tokens: levels of (prefixed) clauses joined by AND, OR or
//! nothing, each clause's part in its level decided as Lucene's classic parser decides it,
//! as Elasticsearch's `query_string` reads it.

use super::tokens::{Kind, Token};
use super::{DefaultOperator, Node, ParseError, Value};

/// Parses the tokens of `query`; none matches everything.
/// Words side by side become one chunk when `chunked`, else a clause each.
pub(super) fn parse(
    query: &str,
    tokens: Vec<Token>,
    default_operator: DefaultOperator,
    chunked: bool,
) -> Result<Level, ParseError> {
    let mut parser = Parser {
        query,
        tokens,
        at: 0,
        default_operator,
        chunked,
    };
    if parser.tokens.is_empty() {
        return Ok(Level {
            required: vec![Node::All],
            ..Level::default()
        });
    }
    let level = parser.parse_clauses()?;
    if let Some(token) = parser.tokens.get(parser.at) {
        let message = match token.kind {
            Kind::Close => "unbalanced ')' (no '(' before it)".to_string(),
            ref kind => format!("unexpected {kind}"),
        };
        return Err(parser.error_at(token.position, message));
    }
    Ok(level)
}

struct Parser<'q> {
    query: &'q str,
    tokens: Vec<Token>,
    at: usize,
    default_operator: DefaultOperator,
    chunked: bool,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Kind> {
        self.tokens.get(self.at).map(|t| &t.kind)
    }

    fn position(&self) -> usize {
        self.tokens
            .get(self.at)
            .map_or(self.query.len(), |t| t.position)
    }

    fn error_at(&self, position: usize, message: String) -> ParseError {
        ParseError {
            query: self.query.to_string(),
            position,
            message,
        }
    }

    /// The clauses of one level (the whole query, or a group), each made required,
    /// optional or prohibited as Lucene's classic parser makes them: not by precedence,
    /// but clause by clause, from its own `+`/`-`/`NOT`, the `AND` or `OR` before it, and
    /// the default operator. `a OR b AND c` is `a +b +c`, as in Elasticsearch.
    fn parse_clauses(&mut self) -> Result<Level, ParseError> {
        let mut clauses: Vec<(Occur, Node)> = Vec::new();
        let mut conjunction = None;
        loop {
            match self.peek() {
                None | Some(Kind::Close) => break,
                Some(kind @ (Kind::And | Kind::Or)) => {
                    if clauses.is_empty() || conjunction.is_some() {
                        let message = format!("unexpected {kind}");
                        return Err(self.error_at(self.position(), message));
                    }
                    conjunction = Some(*kind == Kind::And);
                    self.at += 1;
                }
                // words side by side, with nothing between them: one chunk, as Lucene's
                // `MultiTerm` (its clause changes nothing before it)
                Some(_) if self.chunked && conjunction.is_none() && self.chunk_ahead() => {
                    let occur = match self.default_operator {
                        DefaultOperator::And => Occur::Must,
                        DefaultOperator::Or => Occur::Should,
                    };
                    let chunk = self.parse_chunk();
                    clauses.push((occur, chunk));
                }
                Some(_) => {
                    let (modifier, node) = self.parse_prefixed()?;
                    self.add_clause(&mut clauses, conjunction.take(), modifier, node);
                }
            }
        }
        if conjunction.is_some() {
            let message = "the query ends where a term was expected".to_string();
            return Err(self.error_at(self.position(), message));
        }
        if clauses.is_empty() {
            return Err(self.error_at(self.position(), "expected a term".to_string()));
        }
        let mut level = Level::default();
        for (occur, node) in clauses {
            match occur {
                Occur::Must => level.required.push(node),
                Occur::Should => level.optional.push(node),
                Occur::MustNot => level.prohibited.push(node),
            }
        }
        Ok(level)
    }

    /// Whether a chunk of words starts here: a plain word, then another that nothing
    /// binds to what follows it (no `:`, `*`, `~`, `^`, `AND` or `OR` after it).
    fn chunk_ahead(&self) -> bool {
        self.plain_word(self.at) && self.plain_word(self.at + 1) && self.free_after(self.at + 1)
    }

    /// Whether the token at `at` is a word without a pattern (Lucene's `TERM`).
    fn plain_word(&self, at: usize) -> bool {
        matches!(
            self.tokens.get(at).map(|t| &t.kind),
            Some(Kind::Word {
                wildcard: false,
                ..
            })
        )
    }

    /// Whether what follows the word at `at` leaves it to a chunk.
    fn free_after(&self, at: usize) -> bool {
        match self.tokens.get(at + 1).map(|t| &t.kind) {
            Some(Kind::Colon | Kind::Tilde(_) | Kind::Boost(_) | Kind::And | Kind::Or) => false,
            // (a lone `*` is Lucene's STAR; an escaped one, `\*`, a word)
            Some(Kind::Word { text, wildcard }) => !(*wildcard && text == "*"),
            _ => true,
        }
    }

    /// The chunk [`Parser::chunk_ahead`] found: its words, as one value each field reads
    /// whole (a text field analyses it; a keyword takes it as one term).
    fn parse_chunk(&mut self) -> Node {
        let mut words = Vec::new();
        while let Some(Kind::Word { text, .. }) = self.peek() {
            let more = words.is_empty() || (self.plain_word(self.at) && self.free_after(self.at));
            if !more {
                break;
            }
            words.push(text.clone());
            self.at += 1;
        }
        Node::Term {
            field: None,
            value: Value::Word(words.join(" ")),
        }
    }

    /// Lucene's `addClause`: `and` tells the conjunction before the clause (`None`: none).
    fn add_clause(
        &self,
        clauses: &mut Vec<(Occur, Node)>,
        and: Option<bool>,
        modifier: Modifier,
        node: Node,
    ) {
        let operator_and = self.default_operator == DefaultOperator::And;
        if let Some((last, _)) = clauses.last_mut() {
            // "a AND b" makes a required, "a OR b" under AND makes it optional again;
            // a prohibited clause stays prohibited
            match and {
                Some(true) if *last != Occur::MustNot => *last = Occur::Must,
                Some(false) if operator_and && *last != Occur::MustNot => *last = Occur::Should,
                _ => {}
            }
        }
        let prohibited = modifier == Modifier::Prohibited;
        let required = if operator_and {
            !prohibited && and != Some(false)
        } else {
            modifier == Modifier::Required || (and == Some(true) && !prohibited)
        };
        let occur = match (required, prohibited) {
            (_, true) => Occur::MustNot,
            (true, false) => Occur::Must,
            (false, false) => Occur::Should,
        };
        clauses.push((occur, node));
    }

    fn parse_prefixed(&mut self) -> Result<(Modifier, Node), ParseError> {
        let modifier = match self.peek() {
            Some(Kind::Plus) => {
                self.at += 1;
                Modifier::Required
            }
            Some(Kind::Minus | Kind::Not) => {
                self.at += 1;
                Modifier::Prohibited
            }
            _ => Modifier::None,
        };
        Ok((modifier, self.parse_clause()?))
    }

    /// A clause with what may follow it: `~` (fuzzy word, phrase proximity), then `^boost`.
    fn parse_clause(&mut self) -> Result<Node, ParseError> {
        let mut node = self.parse_bare_clause()?;
        if let Some(Kind::Tilde(number)) = self.peek().cloned() {
            let position = self.position();
            self.at += 1;
            node = match node {
                Node::Term {
                    field,
                    value: Value::Word(text),
                } => Node::Term {
                    field,
                    value: Value::Fuzzy {
                        text,
                        edits: number.map(|n| n.round().clamp(0.0, 2.0) as u8),
                    },
                },
                Node::Term {
                    field,
                    value: Value::Phrase(text),
                } => Node::Term {
                    field,
                    value: Value::Proximity {
                        text,
                        slop: number.map_or(0, |n| n.max(0.0) as u32),
                    },
                },
                _ => {
                    return Err(self.error_at(
                        position,
                        "'~' follows a word (fuzzy: word~1) or a phrase (proximity: \"a b\"~2)"
                            .to_string(),
                    ))
                }
            };
        }
        if let Some(Kind::Boost(boost)) = self.peek().cloned() {
            self.at += 1;
            node = Node::Boost(Box::new(node), boost);
        }
        Ok(node)
    }

    /// `( group )`, after its '(' (at `open`).
    fn parse_group(&mut self, open: usize) -> Result<Node, ParseError> {
        if self.peek().is_none() {
            return Err(self.error_at(open, "unbalanced '(' (missing ')')".to_string()));
        }
        let inner = self.parse_clauses()?.node();
        if self.peek() != Some(&Kind::Close) {
            return Err(self.error_at(open, "unbalanced '(' (missing ')')".to_string()));
        }
        self.at += 1;
        Ok(inner)
    }

    fn parse_bare_clause(&mut self) -> Result<Node, ParseError> {
        let position = self.position();
        let token = self.tokens.get(self.at).cloned().ok_or_else(|| {
            self.error_at(
                position,
                "the query ends where a term was expected".to_string(),
            )
        })?;
        self.at += 1;
        match token.kind {
            Kind::Open => self.parse_group(position),
            Kind::Regex(text) => Ok(Node::Term {
                field: None,
                value: Value::Regex(text),
            }),
            Kind::Word { text, wildcard } if self.peek() == Some(&Kind::Colon) => {
                self.at += 1;
                let field = text;
                if wildcard && field != "*" {
                    return Err(self.error_at(
                        position,
                        format!("wildcards in field names ([{field}]) are not supported"),
                    ));
                }
                if field == "_exists_" {
                    return match self.tokens.get(self.at).map(|t| t.kind.clone()) {
                        Some(Kind::Word { text, .. }) => {
                            self.at += 1;
                            Ok(Node::Exists(text))
                        }
                        _ => Err(self
                            .error_at(self.position(), "_exists_ needs a field name".to_string())),
                    };
                }
                if self.peek() == Some(&Kind::Open) {
                    // field:(a OR b): the group's terms without a field are the field's
                    let open = self.position();
                    self.at += 1;
                    let group = self.parse_group(open)?;
                    return Ok(if field == "*" {
                        group
                    } else {
                        with_field(group, &field)
                    });
                }
                let value = self.parse_value()?;
                if field == "*" {
                    return Ok(match value {
                        Value::Wildcard(w) if w == "*" => Node::All,
                        value => Node::Term { field: None, value },
                    });
                }
                if let Value::Wildcard(w) = &value {
                    if w == "*" {
                        return Ok(Node::Exists(field));
                    }
                }
                Ok(Node::Term {
                    field: Some(field),
                    value,
                })
            }
            Kind::Word { text, wildcard } => Ok(if wildcard {
                Node::Term {
                    field: None,
                    value: Value::Wildcard(text),
                }
            } else {
                Node::Term {
                    field: None,
                    value: Value::Word(text),
                }
            }),
            Kind::Phrase(text) => Ok(Node::Term {
                field: None,
                value: Value::Phrase(text),
            }),
            // a range without a field ranges over the default field(s)
            Kind::RangeOpen(_) | Kind::Compare(_) => {
                self.at -= 1;
                Ok(Node::Term {
                    field: None,
                    value: self.parse_value()?,
                })
            }
            kind => Err(self.error_at(position, format!("unexpected {kind}"))),
        }
    }

    fn parse_value(&mut self) -> Result<Value, ParseError> {
        let position = self.position();
        let token = self.tokens.get(self.at).cloned().ok_or_else(|| {
            self.error_at(position, "a field needs a value after ':'".to_string())
        })?;
        self.at += 1;
        match token.kind {
            Kind::Word {
                text,
                wildcard: true,
            } => Ok(Value::Wildcard(text)),
            Kind::Word { text, .. } => Ok(Value::Word(text)),
            Kind::Phrase(text) => Ok(Value::Phrase(text)),
            Kind::Compare(op) => {
                let bound = self.range_bound()?;
                Ok(match op {
                    ">" => Value::Range {
                        lower: bound,
                        upper: None,
                        include_lower: false,
                        include_upper: true,
                    },
                    ">=" => Value::Range {
                        lower: bound,
                        upper: None,
                        include_lower: true,
                        include_upper: true,
                    },
                    "<" => Value::Range {
                        lower: None,
                        upper: bound,
                        include_lower: true,
                        include_upper: false,
                    },
                    _ => Value::Range {
                        lower: None,
                        upper: bound,
                        include_lower: true,
                        include_upper: true,
                    },
                })
            }
            Kind::RangeOpen(include_lower) => {
                let lower = self.range_bound()?;
                match self.tokens.get(self.at).map(|t| &t.kind) {
                    Some(Kind::Word { text, .. }) if text == "TO" => self.at += 1,
                    _ => {
                        return Err(self.error_at(
                            self.position(),
                            "a range needs 'TO' between its bounds".to_string(),
                        ))
                    }
                }
                let upper = self.range_bound()?;
                match self.tokens.get(self.at).map(|t| t.kind.clone()) {
                    Some(Kind::RangeClose(include_upper)) => {
                        self.at += 1;
                        Ok(Value::Range {
                            lower,
                            upper,
                            include_lower,
                            include_upper,
                        })
                    }
                    _ => Err(self.error_at(
                        self.position(),
                        "unterminated range (missing ']' or '}')".to_string(),
                    )),
                }
            }
            Kind::Regex(text) => Ok(Value::Regex(text)),
            kind => Err(self.error_at(position, format!("unexpected {kind} after ':'"))),
        }
    }

    fn range_bound(&mut self) -> Result<Option<String>, ParseError> {
        let position = self.position();
        let token = self
            .tokens
            .get(self.at)
            .cloned()
            .ok_or_else(|| self.error_at(position, "a range bound is missing".to_string()))?;
        self.at += 1;
        match token.kind {
            Kind::Word { text, .. } if text == "*" => Ok(None),
            Kind::Word { text, .. } | Kind::Phrase(text) => Ok(Some(text)),
            // a negative number: "-" then the digits
            Kind::Minus => match self.tokens.get(self.at).map(|t| t.kind.clone()) {
                Some(Kind::Word { text, .. }) => {
                    self.at += 1;
                    Ok(Some(format!("-{text}")))
                }
                _ => Err(self.error_at(position, "a range bound is missing".to_string())),
            },
            kind => Err(self.error_at(position, format!("unexpected {kind} in a range"))),
        }
    }
}

/// `node` with `field` on each of its terms that names none.
fn with_field(node: Node, field: &str) -> Node {
    match node {
        Node::Term { field: None, value } => match value {
            Value::Wildcard(w) if w == "*" => Node::Exists(field.to_string()),
            value => Node::Term {
                field: Some(field.to_string()),
                value,
            },
        },
        Node::And(nodes) => Node::And(nodes.into_iter().map(|n| with_field(n, field)).collect()),
        Node::Or(nodes) => Node::Or(nodes.into_iter().map(|n| with_field(n, field)).collect()),
        Node::Not(inner) => Node::Not(Box::new(with_field(*inner, field))),
        Node::Boost(inner, boost) => Node::Boost(Box::new(with_field(*inner, field)), boost),
        other => other,
    }
}

/// What a clause's own prefix asks: `+`, `-` or `NOT`, or nothing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Modifier {
    Required,
    Prohibited,
    None,
}

/// How a clause takes part in its level.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Occur {
    Must,
    Should,
    MustNot,
}

/// One level's clauses (the whole query, or a group), by the part each takes in it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Level {
    pub required: Vec<Node>,
    pub optional: Vec<Node>,
    pub prohibited: Vec<Node>,
}

impl Level {
    /// How many clauses it has.
    pub fn len(&self) -> usize {
        self.required.len() + self.optional.len() + self.prohibited.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The level as a node. Optional clauses beside required ones only score in Lucene, so
    /// they filter nothing; alone, at least one must match. Prohibited clauses alone take
    /// out of everything, as Elasticsearch's query_string makes them.
    pub fn node(self) -> Node {
        let mut all = self.required;
        if all.is_empty() && !self.optional.is_empty() {
            all.push(flatten(self.optional, Node::Or));
        }
        if all.is_empty() {
            all.push(Node::All);
        }
        all.extend(
            self.prohibited
                .into_iter()
                .map(|node| Node::Not(Box::new(node))),
        );
        flatten(all, Node::And)
    }
}

fn flatten(mut parts: Vec<Node>, wrap: fn(Vec<Node>) -> Node) -> Node {
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        wrap(parts)
    }
}
