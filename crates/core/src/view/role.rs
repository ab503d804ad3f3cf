//! What a field is for in the dashboard: one field a role, detected from the data unless
//! the view chooses it (`f.user=extra.user_id` in a link).

/// A field's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Message,
    Level,
    User,
    Latency,
    Status,
    Path,
    RequestId,
}

impl Role {
    /// Every role, in the order the fields editor lists them.
    pub const ALL: [Role; 7] = [
        Role::Message,
        Role::Level,
        Role::User,
        Role::Latency,
        Role::Status,
        Role::Path,
        Role::RequestId,
    ];

    /// Its name in links (`f.{key}`) and element ids.
    pub fn key(self) -> &'static str {
        match self {
            Role::Message => "message",
            Role::Level => "level",
            Role::User => "user",
            Role::Latency => "latency",
            Role::Status => "status",
            Role::Path => "path",
            Role::RequestId => "request_id",
        }
    }

    /// The role a link's key names.
    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.key() == key)
    }

    /// How the fields editor names it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Message => "Message",
            Role::Level => "Level",
            Role::User => "User",
            Role::Latency => "Response time (ms; event.duration in ns)",
            Role::Status => "HTTP status",
            Role::Path => "Path",
            Role::RequestId => "Request id (stream tiebreaker)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_is_found_again_by_its_key() {
        for role in Role::ALL {
            assert_eq!(Role::from_key(role.key()), Some(role));
        }
        assert_eq!(Role::from_key("colour"), None);
    }
}
