//! The zone a view shows its times in: the browser's, UTC, or one the user names
//! (`Europe/Berlin`, or a fixed offset such as `+05:30`), as the link's `tz` says.

use crate::time::parse_fixed_offset;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Zone {
    /// The browser's zone (no `tz` in the link).
    #[default]
    Local,
    Utc,
    /// An IANA zone name or a fixed offset, as Elasticsearch's `time_zone` takes them.
    Named(String),
}

impl Zone {
    /// Reads a link's `tz`; says what was wrong when it names no zone.
    pub fn parse(text: &str) -> Result<Zone, String> {
        // `+05:30` typed into a link arrives as ` 05:30` (a `+` is a space there)
        let plus;
        let text = match text.strip_prefix(' ') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => {
                plus = format!("+{rest}");
                plus.as_str()
            }
            _ => text,
        };
        match text {
            "local" => Ok(Zone::Local),
            "utc" | "UTC" => Ok(Zone::Utc),
            name if parse_fixed_offset(name).is_some() || is_zone_name(name) => {
                Ok(Zone::Named(name.to_string()))
            }
            _ => Err(format!(
                "tz [{}] is not a time zone (local, utc, a name such as Europe/Berlin, or an offset such as +05:30): showing the browser's zone",
                text.chars().take(64).collect::<String>()
            )),
        }
    }

    /// The link's `tz`, or `None` for the default (the browser's zone).
    pub fn param(&self) -> Option<&str> {
        match self {
            Zone::Local => None,
            Zone::Utc => Some("utc"),
            Zone::Named(name) => Some(name),
        }
    }

    /// A name Elasticsearch takes as `time_zone` (`None` for the browser's, which the page
    /// turns into its offset).
    pub fn es_name(&self) -> Option<&str> {
        match self {
            Zone::Local => None,
            Zone::Utc => Some("UTC"),
            Zone::Named(name) => Some(name),
        }
    }
}

/// Whether `name` is spelled as a tz database name: `Area/Location[/More]` or a single
/// word such as `Japan`, each part a capital letter first, then letters, digits, `_`,
/// `+` and `-`.
fn is_zone_name(name: &str) -> bool {
    name.len() <= 64
        && name.split('/').all(|part| {
            part.starts_with(|c: char| c.is_ascii_uppercase())
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_a_link_or_a_person_writes() {
        assert_eq!(Zone::parse("local"), Ok(Zone::Local));
        assert_eq!(Zone::parse("utc"), Ok(Zone::Utc));
        assert_eq!(Zone::parse("UTC"), Ok(Zone::Utc));
        for name in [
            "Europe/Berlin",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+5",
            "Japan",
            "+05:30",
            "-0800",
        ] {
            assert_eq!(Zone::parse(name), Ok(Zone::Named(name.to_string())));
            assert_eq!(Zone::Named(name.to_string()).param(), Some(name));
        }
        for bad in [
            "",
            "Europe/",
            "/Berlin",
            "Europe Berlin",
            "<script>",
            "+25:00",
            "1Zone",
            "mars",
        ] {
            let error = Zone::parse(bad).expect_err(bad);
            assert!(error.starts_with("tz ["), "{error}");
        }
        assert_eq!(Zone::parse(" 05:30"), Ok(Zone::Named("+05:30".into())));
        assert_eq!(Zone::Local.param(), None);
        assert_eq!(Zone::Utc.es_name(), Some("UTC"));
    }
}
