//! Addresses of `ip` fields: an address is indexed as a key that sorts as the address does (32 hex
//! digits of its IPv6 form, an IPv4 address as Elasticsearch holds it: IPv4-mapped), so
//! that an exact address is a term, a CIDR block or a range of addresses a range of keys,
//! and a key reads back as the address Elasticsearch writes (`10.1.2.3`, `2001:db8::1`).

use std::net::{IpAddr, Ipv6Addr};

/// An address as Elasticsearch reads one (`10.1.2.3`, `2001:db8::1`, `::ffff:10.1.2.3`).
pub fn parse(text: &str) -> Option<IpAddr> {
    text.trim().parse().ok()
}

/// The key an address is indexed under.
pub fn key(address: IpAddr) -> String {
    format!("{:032x}", u128::from(as_v6(address)))
}

/// The address a key stands for, as Elasticsearch writes it (`None` for what is no key).
pub fn address_of(key: &str) -> Option<String> {
    if key.len() != 32 {
        return None;
    }
    let v6 = Ipv6Addr::from(u128::from_str_radix(key, 16).ok()?);
    Some(match v6.to_ipv4_mapped() {
        Some(v4) => v4.to_string(),
        None => v6.to_string(),
    })
}

/// The first and last keys of a CIDR block (`10.0.0.0/8`, `2001:db8::/32`), or of one
/// address; `Err` says why the text is neither.
pub fn block(text: &str) -> Result<(String, String), String> {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    };
    let address = parse(address).ok_or_else(|| format!("'{text}' is not an IP string literal."))?;
    let Some(prefix) = prefix else {
        return Ok((key(address), key(address)));
    };
    let bits: u32 = prefix
        .parse()
        .ok()
        .filter(|bits| *bits <= if address.is_ipv4() { 32 } else { 128 })
        .ok_or_else(|| format!("invalid prefix length in CIDR [{text}]"))?;
    // an IPv4 block's bits count within the mapped form's last 32
    let bits = if address.is_ipv4() { bits + 96 } else { bits };
    let value = u128::from(as_v6(address));
    let host = if bits == 0 {
        u128::MAX
    } else {
        (1u128 << (128 - bits)) - 1
    };
    let first = value & !host;
    Ok((format!("{first:032x}"), format!("{:032x}", first | host)))
}

fn as_v6(address: IpAddr) -> Ipv6Addr {
    match address {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(text: &str) -> String {
        key(parse(text).expect("an address"))
    }

    #[test]
    fn keys_sort_as_addresses_and_read_back_as_elasticsearch_writes_them() {
        let sorted = [
            "0.0.0.0",
            "10.1.2.3",
            "10.1.2.4",
            "192.168.0.7",
            "255.255.255.255",
            "2001:db8::1",
        ];
        let keys: Vec<String> = sorted.iter().map(|a| key_of(a)).collect();
        let mut again = keys.clone();
        again.sort();
        assert_eq!(keys, again);
        for address in sorted {
            assert_eq!(address_of(&key_of(address)).as_deref(), Some(address));
        }
        assert_eq!(key_of("::ffff:10.1.2.4"), key_of("10.1.2.4"));
        assert_eq!(address_of("zz"), None);
    }

    #[test]
    fn blocks_span_their_addresses() {
        let (first, last) = block("10.0.0.0/8").expect("a block");
        assert_eq!(
            (first, last),
            (key_of("10.0.0.0"), key_of("10.255.255.255"))
        );
        let (first, last) = block("2001:db8::/32").expect("a block");
        assert_eq!(first, key_of("2001:db8::"));
        assert_eq!(last, key_of("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
        assert_eq!(
            block("10.1.2.3").expect("one"),
            (key_of("10.1.2.3"), key_of("10.1.2.3"))
        );
        assert_eq!(
            block("0.0.0.0/0").expect("all v4").1,
            key_of("255.255.255.255")
        );
        assert_eq!(
            block("abc").expect_err("no address"),
            "'abc' is not an IP string literal."
        );
        assert!(block("10.0.0.0/33").is_err());
    }
}
