//! Lucene query syntax, as Elasticsearch's `query_string` reads what people type:
//! terms, `"phrases"`, `field:value`, `AND`/`OR`/`NOT`/`&&`/`||`/`!`, `+`/`-`, `( )`,
//! wildcards `*` `?`, ranges `[a TO b]` `{a TO b}` `>=a`, `_exists_:field`, `\` escapes.

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
    /// Matches everything (`*`, `*:*`, or an empty string).
    All,
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
    let tokens = tokenize(query)?;
    let mut parser = Parser {
        query,
        tokens,
        at: 0,
        default_operator,
    };
    if parser.tokens.is_empty() {
        return Ok(Node::All);
    }
    let node = parser.parse_or()?;
    if let Some(token) = parser.tokens.get(parser.at) {
        return Err(parser.error_at(token.position, format!("unexpected {}", token.kind)));
    }
    Ok(node)
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
        Node::Term {
            value: Value::Word(text) | Value::Phrase(text),
            ..
        } if !negated => {
            out.push(text.clone());
        }
        Node::Term {
            value: Value::Wildcard(text),
            ..
        } if !negated => {
            let fixed = text.trim_matches(|c| c == '*' || c == '?');
            if !fixed.is_empty() && !fixed.contains(['*', '?']) {
                out.push(fixed.to_string());
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Word { text: String, wildcard: bool },
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
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    position: usize,
}

const SPECIAL: &[char] = &['(', ')', ':', '"', '[', ']', '{', '}', '\\', '^', '~', '/'];

fn tokenize(query: &str) -> Result<Vec<Token>, ParseError> {
    let error = |position: usize, message: &str| ParseError {
        query: query.to_string(),
        position,
        message: message.to_string(),
    };
    let chars: Vec<(usize, char)> = query.char_indices().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (position, c) = chars[i];
        let push = |tokens: &mut Vec<Token>, kind| tokens.push(Token { kind, position });
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => { push(&mut tokens, Kind::Open); i += 1; }
            ')' => { push(&mut tokens, Kind::Close); i += 1; }
            ':' => { push(&mut tokens, Kind::Colon); i += 1; }
            '[' | '{' => { push(&mut tokens, Kind::RangeOpen(c == '[')); i += 1; }
            ']' | '}' => { push(&mut tokens, Kind::RangeClose(c == ']')); i += 1; }
            '+' => { push(&mut tokens, Kind::Plus); i += 1; }
            '-' => { push(&mut tokens, Kind::Minus); i += 1; }
            '!' => { push(&mut tokens, Kind::Not); i += 1; }
            '&' if chars.get(i + 1).map(|c| c.1) == Some('&') => { push(&mut tokens, Kind::And); i += 2; }
            '|' if chars.get(i + 1).map(|c| c.1) == Some('|') => { push(&mut tokens, Kind::Or); i += 2; }
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
                        Some((_, '"')) => { i += 1; break; }
                        Some((_, '\\')) => {
                            let (_, next) = *chars.get(i + 1).ok_or_else(|| error(position, "a '\\' ends the query"))?;
                            text.push(next);
                            i += 2;
                        }
                        Some((_, ch)) => { text.push(*ch); i += 1; }
                    }
                }
                // a trailing ~N (proximity) is accepted and has no effect on which lines match here
                push(&mut tokens, Kind::Phrase(text));
            }
            '^' | '~' | '/' => return Err(error(position, &format!("'{c}' (boosts, fuzzy and regex queries) is not supported; escape it as '\\{c}'"))),
            _ => {
                let mut text = String::new();
                let mut wildcard = false;
                while let Some(&(at, ch)) = chars.get(i) {
                    if ch.is_whitespace() || (SPECIAL.contains(&ch) && ch != '\\') {
                        break;
                    }
                    if ch == '\\' {
                        let (_, next) = *chars.get(i + 1).ok_or_else(|| error(at, "a '\\' ends the query"))?;
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

struct Parser<'q> {
    query: &'q str,
    tokens: Vec<Token>,
    at: usize,
    default_operator: DefaultOperator,
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

    fn parse_or(&mut self) -> Result<Node, ParseError> {
        let mut parts = vec![self.parse_and()?];
        while self.peek() == Some(&Kind::Or) {
            self.at += 1;
            parts.push(self.parse_and()?);
        }
        Ok(flatten(parts, Node::Or))
    }

    /// Clauses joined by AND, or side by side (then the default operator decides).
    fn parse_and(&mut self) -> Result<Node, ParseError> {
        let mut required = Vec::new();
        let mut optional = Vec::new();
        let mut prohibited = Vec::new();
        loop {
            match self.peek() {
                None | Some(Kind::Close | Kind::Or) => break,
                Some(Kind::And) => {
                    self.at += 1;
                    // "a AND b": both sides required
                    if let Some(last) = optional.pop() {
                        required.push(last);
                    }
                    let (occur, node) = self.parse_prefixed()?;
                    match occur {
                        Occur::MustNot => prohibited.push(node),
                        _ => required.push(node),
                    }
                }
                Some(_) => {
                    let (occur, node) = self.parse_prefixed()?;
                    match occur {
                        Occur::Must => required.push(node),
                        Occur::MustNot => prohibited.push(node),
                        Occur::Default if self.default_operator == DefaultOperator::And => {
                            required.push(node)
                        }
                        Occur::Default => optional.push(node),
                    }
                }
            }
        }
        if required.is_empty() && optional.is_empty() && prohibited.is_empty() {
            return Err(self.error_at(self.position(), "expected a term".to_string()));
        }
        let mut all = required;
        match optional.len() {
            0 => {}
            1 if all.is_empty() => all.push(optional.remove(0)),
            // optional clauses beside required ones only score in Lucene: they don't filter
            _ if !all.is_empty() => {}
            _ => all.push(flatten(optional, Node::Or)),
        }
        if all.is_empty() {
            all.push(Node::All);
        }
        all.extend(prohibited.into_iter().map(|n| Node::Not(Box::new(n))));
        Ok(flatten(all, Node::And))
    }

    fn parse_prefixed(&mut self) -> Result<(Occur, Node), ParseError> {
        let occur = match self.peek() {
            Some(Kind::Plus) => {
                self.at += 1;
                Occur::Must
            }
            Some(Kind::Minus | Kind::Not) => {
                self.at += 1;
                Occur::MustNot
            }
            _ => Occur::Default,
        };
        Ok((occur, self.parse_clause()?))
    }

    fn parse_clause(&mut self) -> Result<Node, ParseError> {
        let position = self.position();
        let token = self.tokens.get(self.at).cloned().ok_or_else(|| {
            self.error_at(
                position,
                "the query ends where a term was expected".to_string(),
            )
        })?;
        self.at += 1;
        match token.kind {
            Kind::Open => {
                let inner = self.parse_or()?;
                if self.peek() != Some(&Kind::Close) {
                    return Err(self.error_at(position, "unbalanced '(' (missing ')')".to_string()));
                }
                self.at += 1;
                Ok(inner)
            }
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
            Kind::Word { text, wildcard } => Ok(if text == "*" {
                Node::All
            } else if wildcard {
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
            Kind::Open => Err(self.error_at(
                position,
                "field:(grouped terms) is not supported; repeat the field for each term"
                    .to_string(),
            )),
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

#[derive(Clone, Copy)]
enum Occur {
    Must,
    MustNot,
    Default,
}

fn flatten(mut parts: Vec<Node>, wrap: fn(Vec<Node>) -> Node) -> Node {
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        wrap(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(field: Option<&str>, text: &str) -> Node {
        Node::Term {
            field: field.map(String::from),
            value: Value::Word(text.into()),
        }
    }

    fn p(query: &str) -> Node {
        parse(query, DefaultOperator::Or).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn empty_matches_all() {
        assert_eq!(p(""), Node::All);
        assert_eq!(p("   "), Node::All);
        assert_eq!(p("*"), Node::All);
        assert_eq!(p("*:*"), Node::All);
    }

    #[test]
    fn words_fields_and_phrases() {
        assert_eq!(p("error"), word(None, "error"));
        assert_eq!(p("level:ERROR"), word(Some("level"), "ERROR"));
        assert_eq!(
            p("message:\"connection refused\""),
            Node::Term {
                field: Some("message".into()),
                value: Value::Phrase("connection refused".into())
            }
        );
        assert_eq!(
            p("url.path:\\/hello\\/N"),
            word(Some("url.path"), "/hello/N")
        );
    }

    #[test]
    fn boolean_operators() {
        assert_eq!(p("a b"), Node::Or(vec![word(None, "a"), word(None, "b")]));
        assert_eq!(
            parse("a b", DefaultOperator::And).expect("parses"),
            Node::And(vec![word(None, "a"), word(None, "b")])
        );
        assert_eq!(
            p("a AND b"),
            Node::And(vec![word(None, "a"), word(None, "b")])
        );
        assert_eq!(
            p("a && b"),
            Node::And(vec![word(None, "a"), word(None, "b")])
        );
        assert_eq!(
            p("a OR b AND c"),
            Node::Or(vec![
                word(None, "a"),
                Node::And(vec![word(None, "b"), word(None, "c")])
            ])
        );
        assert_eq!(
            p("NOT a"),
            Node::And(vec![Node::All, Node::Not(Box::new(word(None, "a")))])
        );
        assert_eq!(
            p("+a -b"),
            Node::And(vec![word(None, "a"), Node::Not(Box::new(word(None, "b")))])
        );
        assert_eq!(
            p("(a OR b) AND NOT c"),
            Node::And(vec![
                Node::Or(vec![word(None, "a"), word(None, "b")]),
                Node::Not(Box::new(word(None, "c")))
            ])
        );
    }

    #[test]
    fn ranges_wildcards_and_exists() {
        assert_eq!(
            p("status:[500 TO 599]"),
            Node::Term {
                field: Some("status".into()),
                value: Value::Range {
                    lower: Some("500".into()),
                    upper: Some("599".into()),
                    include_lower: true,
                    include_upper: true
                }
            }
        );
        assert_eq!(
            p("ms:{* TO 100}"),
            Node::Term {
                field: Some("ms".into()),
                value: Value::Range {
                    lower: None,
                    upper: Some("100".into()),
                    include_lower: false,
                    include_upper: false
                }
            }
        );
        assert_eq!(
            p("ms:>=250"),
            Node::Term {
                field: Some("ms".into()),
                value: Value::Range {
                    lower: Some("250".into()),
                    upper: None,
                    include_lower: true,
                    include_upper: true
                }
            }
        );
        assert_eq!(
            p("path:\\/hel*"),
            Node::Term {
                field: Some("path".into()),
                value: Value::Wildcard("/hel*".into())
            }
        );
        assert_eq!(p("_exists_:user.id"), Node::Exists("user.id".into()));
        assert_eq!(p("user.id:*"), Node::Exists("user.id".into()));
        // without a field, a range is over the default field(s)
        assert_eq!(
            p(">=12"),
            Node::Term {
                field: None,
                value: Value::Range {
                    lower: Some("12".into()),
                    upper: None,
                    include_lower: true,
                    include_upper: true
                }
            }
        );
    }

    #[test]
    fn errors_say_what_and_where() {
        for (query, needle) in [
            ("a AND", "ends where a term was expected"),
            ("(a OR b", "missing ')'"),
            ("\"open", "unterminated phrase"),
            ("status:[1 TO", "range bound is missing"),
            ("a^2", "boosts"),
            ("a)", "unexpected ')'"),
        ] {
            let err = parse(query, DefaultOperator::Or).expect_err(query);
            assert!(err.to_string().contains(needle), "{query}: {err}");
            assert!(err
                .to_string()
                .starts_with(&format!("Failed to parse query [{query}]")));
        }
    }

    #[test]
    fn terms_for_highlighting_skip_negated_ones() {
        let node = p("error \"timed out\" -debug path:\\/api*");
        assert_eq!(positive_terms(&node), vec!["error", "timed out", "/api"]);
    }

    #[test]
    fn never_panics_on_arbitrary_input() {
        // a deterministic sweep over short strings of the syntax's own characters
        let alphabet: Vec<char> = "a:()\"[]{}*?\\+-!&|<>= TOANDORNOT^~/".chars().collect();
        let mut seed: u64 = 42;
        for _ in 0..20_000 {
            let len = (seed % 12) as usize;
            let text: String = (0..len)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    alphabet[(seed >> 33) as usize % alphabet.len()]
                })
                .collect();
            let _ = parse(&text, DefaultOperator::Or);
            seed = seed.wrapping_add(1);
        }
    }
}
