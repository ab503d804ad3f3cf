//! Percent-encoding for query strings: RFC 3986's unreserved characters and a few that
//! a query may hold as they are (`* , : / @`) pass through, a space is `+`, so a link
//! stays readable.

/// Encodes a query-string value.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('+'),
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'*'
            | b','
            | b':'
            | b'/'
            | b'@' => out.push(char::from(byte)),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Decodes a query-string value (`+` is a space); malformed escapes stay as they are.
pub fn decode(text: &str) -> String {
    let (bytes, _) = unescaped(text);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// [`decode`], but `None` where an escape is malformed or the bytes are no UTF-8: what a
/// server refuses rather than guesses at.
pub fn decode_strict(text: &str) -> Option<String> {
    match unescaped(text) {
        (bytes, true) => String::from_utf8(bytes).ok(),
        (_, false) => None,
    }
}

/// A query-string value's bytes, and whether every escape in it was whole.
fn unescaped(text: &str) -> (Vec<u8>, bool) {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut whole = true;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let digit = |at: usize| bytes.get(at).copied().and_then(hex);
                match (digit(i + 1), digit(i + 2)) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 3;
                        continue;
                    }
                    _ => {
                        out.push(b'%');
                        whole = false;
                    }
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    (out, whole)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Splits `a=1&b=2` (with or without a leading `?`) into decoded pairs.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_anything() {
        for text in [
            "",
            "a b",
            "level:ERROR AND \"x y\"",
            "100%",
            "é/ü?&=#+",
            "%zz",
            "%",
            "a+b c/d@e",
        ] {
            assert_eq!(decode(&encode(text)), text, "{text}");
        }
        assert_eq!(decode("a+b%2"), "a b%2");
        // strictly: a malformed escape or bytes that are no UTF-8 read as nothing
        assert_eq!(decode_strict("r%C3%A9sum%C3%A9+x"), Some("résumé x".into()));
        for malformed in ["%zz", "a%2", "%", "%ff"] {
            assert_eq!(decode_strict(malformed), None, "{malformed}");
        }
        assert_eq!(encode("path:/api AND user@x"), "path:/api+AND+user@x");
        assert_eq!(encode("1+1"), "1%2B1");
        assert_eq!(
            parse_query("?q=a%20b&x&y=1"),
            vec![
                ("q".into(), "a b".into()),
                ("x".into(), "".into()),
                ("y".into(), "1".into())
            ]
        );
    }
}
