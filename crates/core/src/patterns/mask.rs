//! A message cut into words, the variable ones masked before mining: numbers (with their
//! unit kept, `<num>ms`), hex ids, UUIDs, IP addresses, paths and URLs, and quoted values
//! (`"<str>"`, however many words they hold). `key=value` keeps its key.

/// What a masked word becomes.
pub const NUM: &str = "<num>";
pub const HEX: &str = "<hex>";
pub const UUID: &str = "<uuid>";
pub const IP: &str = "<ip>";
pub const PATH: &str = "<path>";
pub const URL: &str = "<url>";
pub const STR: &str = "<str>";

/// Characters that may wrap a word without being part of it: `(42)`, `id=7,` `[x]:`.
const WRAPPING: &[char] = &[
    '(', ')', '[', ']', '{', '}', '<', '>', ',', ';', ':', '.', '!', '?',
];

/// The message cut at whitespace, a quoted value (`"a b"`, `'a b'`) kept as one word when
/// it opens a word (or follows `=` or `:`) and closes before the message ends.
pub fn words(message: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = message.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c.is_whitespace() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let opens = matches!(c, '"' | '\'')
            && (current.is_empty() || current.ends_with(['=', ':', '(', '[']));
        if opens {
            if let Some(close) = message[at + 1..].find(c) {
                let end = at + 1 + close;
                current.push_str(&message[at..=end]);
                while chars.peek().is_some_and(|(i, _)| *i <= end) {
                    chars.next();
                }
                continue;
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// One word, masked if variable, its wrapping punctuation kept.
pub fn mask(word: &str) -> String {
    let core = word.trim_matches(WRAPPING);
    if core.is_empty() {
        return word.to_string();
    }
    let start = word.len() - word.trim_start_matches(WRAPPING).len();
    let (head, tail) = (&word[..start], &word[start + core.len()..]);
    let masked = match core.split_once('=') {
        Some((key, value)) if !key.is_empty() && !value.is_empty() && is_key(key) => {
            format!("{key}={}", mask_value(value))
        }
        _ => mask_value(core),
    };
    format!("{head}{masked}{tail}")
}

fn is_key(key: &str) -> bool {
    key.chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A word without wrapping: its mask, or itself.
fn mask_value(value: &str) -> String {
    if let Some(quote @ ('"' | '\'')) = value.chars().next() {
        if value.len() >= 2 && value.ends_with(quote) {
            return format!("{quote}{STR}{quote}");
        }
    }
    if value.contains("://") {
        return URL.to_string();
    }
    if value.starts_with('/') && value.len() > 1 || is_windows_path(value) {
        return PATH.to_string();
    }
    if is_uuid(value) {
        return UUID.to_string();
    }
    if is_ip(value) {
        return IP.to_string();
    }
    if let Some(unit) = number_unit(value) {
        return format!("{NUM}{unit}");
    }
    if is_hex(value) {
        return HEX.to_string();
    }
    value.to_string()
}

fn is_windows_path(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() > 3 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":\\"
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(part, len)| part.len() == len && part.chars().all(|c| c.is_ascii_hexdigit()))
}

/// An IPv4 address (with a port or not), or an IPv6 one.
fn is_ip(value: &str) -> bool {
    let host = match value.rsplit_once(':') {
        Some((host, port)) if host.contains('.') && port.chars().all(|c| c.is_ascii_digit()) => {
            host
        }
        _ => value,
    };
    let octets: Vec<&str> = host.split('.').collect();
    if octets.len() == 4 {
        return octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok());
    }
    value.matches(':').count() >= 2
        && value.chars().all(|c| c.is_ascii_hexdigit() || c == ':')
        && value.chars().any(|c| c.is_ascii_hexdigit())
}

/// A number, with the unit that follows it (`12.5ms` → `ms`, `42` → ``, `-3` → ``).
fn number_unit(value: &str) -> Option<&str> {
    let unsigned = value.strip_prefix(['-', '+']).unwrap_or(value);
    let digits_end = unsigned
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(unsigned.len());
    let number = &unsigned[..digits_end];
    if !number.starts_with(|c: char| c.is_ascii_digit())
        || !number.ends_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    let unit = &unsigned[digits_end..];
    let is_unit = unit.is_empty()
        || unit == "%"
        || (unit.len() <= 3 && unit.chars().all(|c| c.is_ascii_alphabetic()));
    is_unit.then_some(unit)
}

/// `0x1f`, or eight or more hex digits with at least one digit (a commit, a request id).
fn is_hex(value: &str) -> bool {
    if let Some(rest) = value.strip_prefix("0x") {
        return !rest.is_empty() && rest.chars().all(|c| c.is_ascii_hexdigit());
    }
    value.len() >= 8
        && value.chars().all(|c| c.is_ascii_hexdigit())
        && value.chars().any(|c| c.is_ascii_digit())
}
