//! The cluster's address, read once from `--elasticsearch` so that no request parses a URL.

/// Where the cluster listens, split into what a connection and a request need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `https://`: connections speak TLS.
    pub tls: bool,
    /// Name or address to connect to (an IPv6 address without its brackets).
    pub host: String,
    pub port: u16,
    /// The `Host` header: host and port as written in the URL.
    pub authority: String,
    /// A path the cluster sits under behind a reverse proxy (`""` or `/elasticsearch`).
    pub prefix: String,
    /// The URL as given, without a trailing `/`, for messages and `/healthz`.
    pub url: String,
}

/// Reads `http[s]://host[:port][/prefix]`, naming what is wrong when it is not that.
pub fn parse(url: &str) -> Result<Target, String> {
    let url = url.trim().trim_end_matches('/');
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!(
            "--elasticsearch {url:?} is not a URL like http://localhost:9200"
        ));
    };
    let tls = match scheme.to_ascii_lowercase().as_str() {
        "http" => false,
        "https" => true,
        _ => {
            return Err(format!(
                "--elasticsearch must be an http:// or https:// URL, not {url:?}"
            ))
        }
    };
    let (authority, prefix) = rest.find('/').map_or((rest, ""), |at| rest.split_at(at));
    if authority.contains('@') {
        return Err(
            "--elasticsearch must not carry credentials; use --es-username/--es-password or --es-api-key"
                .to_string(),
        );
    }
    if prefix.contains(['?', '#']) || authority.contains(['?', '#']) {
        return Err(format!(
            "--elasticsearch {url:?} must not carry a query or fragment"
        ));
    }
    if !prefix.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "--elasticsearch {url:?} has a path with spaces or non-ASCII characters; percent-encode them"
        ));
    }
    let (host, port) = split_host_port(authority)
        .ok_or_else(|| format!("--elasticsearch {url:?} is not a URL: no valid host[:port]"))?;
    Ok(Target {
        tls,
        host: host.to_string(),
        port: port.unwrap_or(if tls { 443 } else { 80 }),
        authority: authority.to_string(),
        prefix: prefix.to_string(),
        url: url.to_string(),
    })
}

/// `es:9200` -> (`es`, 9200); `[::1]:9200` -> (`::1`, 9200); `es` -> (`es`, none).
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']')?;
        if host.is_empty() || !host.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return None;
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (host, port)
    } else {
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let name_like = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_');
        if host.is_empty() || !host.bytes().all(name_like) {
            return None;
        }
        (host, port)
    };
    match port {
        None => Some((host, None)),
        Some(port) => port
            .parse::<u16>()
            .ok()
            .filter(|&p| p != 0)
            .map(|p| (host, Some(p))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Target {
        parse(url).unwrap_or_else(|err| panic!("{url}: {err}"))
    }

    #[test]
    fn ports_default_by_scheme_and_the_host_header_keeps_what_was_written() {
        let plain = target("http://es");
        assert_eq!(
            (plain.tls, plain.host.as_str(), plain.port),
            (false, "es", 80)
        );
        assert_eq!(plain.authority, "es");
        let secure = target("HTTPS://es.example.com:9243/");
        assert_eq!((secure.tls, secure.port), (true, 9243));
        assert_eq!(secure.authority, "es.example.com:9243");
        assert_eq!(secure.url, "HTTPS://es.example.com:9243");
        let v6 = target("http://[::1]:9200");
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 9200));
        assert_eq!(v6.authority, "[::1]:9200");
    }

    #[test]
    fn a_path_prefix_is_kept_for_clusters_behind_a_reverse_proxy() {
        let behind = target("https://portal.example.com/elasticsearch/");
        assert_eq!(behind.prefix, "/elasticsearch");
        assert_eq!(target("http://es:9200").prefix, "");
    }

    #[test]
    fn what_is_not_a_cluster_url_is_named() {
        let message = |url: &str| parse(url).err().unwrap_or_default();
        assert!(message("elasticsearch:9200").contains("is not a URL like"));
        assert!(message("not a url").contains("is not a URL like"));
        assert!(message("ftp://es:21").contains("http:// or https://"));
        assert!(message("http://user:pw@es:9200").contains("must not carry credentials"));
        assert!(message("http://es:9200/?pretty").contains("query or fragment"));
        assert!(message("http://").contains("is not a URL like"));
        for bad in [
            "http://:9200",
            "http://es:0",
            "http://es:99999",
            "http://es:port",
            "http://e s:9200",
            "http://[::1",
            "http://[::1]x",
        ] {
            assert!(
                message(bad).contains("no valid host"),
                "{bad}: {}",
                message(bad)
            );
        }
        assert!(message("http://es/a b").contains("percent-encode"));
    }
}
