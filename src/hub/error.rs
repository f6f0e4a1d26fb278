//! What can go wrong between a desk and its hub, each said with what to do.

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("the hub's address cannot be read: {0}")]
    BadUrl(String),
    #[error("TLS could not be set up: {0}")]
    Tls(String),
    /// The hub could not be reached, or the connection broke: the desk works offline.
    #[error("the hub cannot be reached ({0}); the desk goes on offline and syncs when it can")]
    Unreachable(String),
    #[error("the hub refused: {0}")]
    Refused(String),
    #[error("this database has no zhuqi hub yet; create it with `zhuqi hub init URL`")]
    NotInitialised,
    #[error("the hub was set up by a newer zhuqi (schema {0}, this one knows {SCHEMA}); update zhuqi", SCHEMA = super::SCHEMA_VERSION)]
    NewerSchema(i32),
    #[error("the hub has an older schema ({0}); upgrade it with `zhuqi hub init URL`")]
    OlderSchema(i32),
    #[error("this login is not a desk of the hub; ask for a desk with `zhuqi hub desk add`")]
    NotADesk,
    #[error("a desk named {0} exists already on this hub; choose another name")]
    DeskExists(String),
    #[error(
        "a desk name is 1 to 40 letters, digits, '.', '-' or '_' (like xz-laptop-3), not {0:?}"
    )]
    BadDeskName(String),
    #[error("the role {0:?} is not one of officer, steward, supervisor, viewer")]
    BadRole(String),
}

impl HubError {
    /// A failure to connect: the hub is down, or the address or the password is wrong.
    pub fn unreachable(e: postgres::Error) -> HubError {
        match e.as_db_error() {
            Some(db) => HubError::Refused(db.message().to_string()),
            None => HubError::Unreachable(first_line(&e.to_string())),
        }
    }

    /// An error from a statement: the server's word is a refusal, anything else a broken link.
    pub fn from_pg(e: postgres::Error) -> HubError {
        match e.as_db_error() {
            Some(db) => HubError::Refused(db.message().trim_start_matches("zhuqi: ").to_string()),
            None => HubError::Unreachable(first_line(&e.to_string())),
        }
    }

    /// Whether the desk should carry on offline (the link broke, nothing was refused).
    pub fn is_offline(&self) -> bool {
        matches!(self, HubError::Unreachable(_))
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}
