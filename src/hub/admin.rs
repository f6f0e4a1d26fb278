//! Setting a hub up: its schema (`zhuqi hub init`) and its desks (`zhuqi hub desk add`), each a
//! login role of its own. Run with an administrator's connection string.

use postgres::Client;
use postgres::config::Host;

use super::{HubError, SCHEMA_VERSION, connect, parse_url};

const SCHEMA_V1: &str = include_str!("schema.sql");

/// What a desk may do on the hub.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeskRole {
    /// Captures at meetings.
    Officer,
    /// Follows appeals: acknowledges, notes, answers.
    Steward,
    /// Reviews and urges.
    Supervisor,
    /// Reads only.
    Viewer,
}

impl DeskRole {
    pub const ALL: [DeskRole; 4] = [
        DeskRole::Officer,
        DeskRole::Steward,
        DeskRole::Supervisor,
        DeskRole::Viewer,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DeskRole::Officer => "officer",
            DeskRole::Steward => "steward",
            DeskRole::Supervisor => "supervisor",
            DeskRole::Viewer => "viewer",
        }
    }

    pub fn from_key(key: &str) -> Option<DeskRole> {
        DeskRole::ALL.into_iter().find(|r| r.key() == key.trim())
    }

    pub fn writes(self) -> bool {
        self != DeskRole::Viewer
    }
}

/// What `hub init` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitReport {
    Created { version: i32 },
    AlreadyCurrent { version: i32 },
}

/// A desk just added, with the one connection string it joins with (shown once).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDesk {
    pub desk: String,
    pub role: DeskRole,
    pub url: String,
}

/// The schema version of the hub in this database, if it has one.
pub(super) fn schema_version(client: &mut Client) -> Result<Option<i32>, HubError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('zhuqi_hub') IS NOT NULL", &[])
        .map_err(HubError::from_pg)?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let row = client
        .query_opt("SELECT max(version) FROM zhuqi_hub", &[])
        .map_err(HubError::from_pg)?;
    Ok(row.and_then(|r| r.get::<_, Option<i32>>(0)))
}

/// Creates the hub's schema, or says that it is there already; run twice, it changes nothing.
pub fn init(url: &str) -> Result<InitReport, HubError> {
    let mut client = connect(url)?;
    let mut tx = client.transaction().map_err(HubError::from_pg)?;
    // Two `hub init` at once: the second waits for the first, then finds its work done.
    tx.execute("SELECT pg_advisory_xact_lock(7326140020)", &[])
        .map_err(HubError::from_pg)?;
    let version: Option<i32> = {
        let exists: bool = tx
            .query_one("SELECT to_regclass('zhuqi_hub') IS NOT NULL", &[])
            .map_err(HubError::from_pg)?
            .get(0);
        if exists {
            tx.query_one("SELECT max(version) FROM zhuqi_hub", &[])
                .map_err(HubError::from_pg)?
                .get(0)
        } else {
            None
        }
    };
    match version {
        Some(v) if v > SCHEMA_VERSION => Err(HubError::NewerSchema(v)),
        Some(v) if v == SCHEMA_VERSION => Ok(InitReport::AlreadyCurrent { version: v }),
        // Versions to come upgrade here, one step at a time, in this same transaction.
        Some(v) => Err(HubError::OlderSchema(v)),
        None => {
            tx.batch_execute(SCHEMA_V1).map_err(HubError::from_pg)?;
            tx.commit().map_err(HubError::from_pg)?;
            Ok(InitReport::Created {
                version: SCHEMA_VERSION,
            })
        }
    }
}

/// Checks a desk's name: it becomes part of a database role's.
fn check_desk_name(name: &str) -> Result<String, HubError> {
    let n = name.trim();
    let ok = !n.is_empty()
        && n.chars().count() <= 40
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(n.to_string())
    } else {
        Err(HubError::BadDeskName(name.to_string()))
    }
}

/// A value for a `key=value` connection string, quoted when it must be.
fn conn_value(v: &str) -> String {
    if !v.is_empty()
        && v.chars()
            .all(|c| !c.is_whitespace() && c != '\'' && c != '\\')
    {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

/// Creates the desk's own login role with a new password, records it, and gives the connection
/// string it joins with: the administrator's, with the desk's login and password instead.
pub fn add_desk(admin_url: &str, name: &str, role: DeskRole) -> Result<NewDesk, HubError> {
    let desk = check_desk_name(name)?;
    let config = parse_url(admin_url)?;
    let mut client = connect(admin_url)?;
    match schema_version(&mut client)? {
        Some(SCHEMA_VERSION) => {}
        Some(v) if v > SCHEMA_VERSION => return Err(HubError::NewerSchema(v)),
        Some(v) => return Err(HubError::OlderSchema(v)),
        None => return Err(HubError::NotInitialised),
    }
    let db: String = client
        .query_one("SELECT current_database()", &[])
        .map_err(HubError::from_pg)?
        .get(0);
    let login: String = format!("zhuqi_{db}_{desk}")
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(63)
        .collect();
    // The password: 160 random bits in ULID letters (no quote can be among them).
    let password = format!("{}{}", ulid::Ulid::new(), ulid::Ulid::new()).to_lowercase();
    let mut tx = client.transaction().map_err(HubError::from_pg)?;
    let taken = tx
        .query_opt("SELECT 1 FROM zhuqi_desks WHERE name = $1", &[&desk])
        .map_err(HubError::from_pg)?;
    if taken.is_some() {
        return Err(HubError::DeskExists(desk));
    }
    let ident = format!("\"{login}\"");
    let role_exists = tx
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&login])
        .map_err(HubError::from_pg)?
        .is_some();
    let create = if role_exists {
        format!("ALTER ROLE {ident} LOGIN PASSWORD '{password}'")
    } else {
        format!("CREATE ROLE {ident} LOGIN PASSWORD '{password}'")
    };
    tx.batch_execute(&create).map_err(HubError::from_pg)?;
    let mut grants = format!(
        "GRANT CONNECT ON DATABASE \"{db}\" TO {ident}; GRANT SELECT ON zhuqi_events, zhuqi_hub TO {ident};"
    );
    if role.writes() {
        grants.push_str(&format!(" GRANT INSERT ON zhuqi_events TO {ident};"));
    }
    tx.batch_execute(&grants).map_err(HubError::from_pg)?;
    tx.execute(
        "INSERT INTO zhuqi_desks (name, role, login) VALUES ($1, $2, $3)",
        &[&desk, &role.key(), &login],
    )
    .map_err(HubError::from_pg)?;
    tx.commit().map_err(HubError::from_pg)?;

    let mut parts = Vec::new();
    if let Some(host) = config.get_hosts().first() {
        let h = match host {
            Host::Tcp(h) => h.clone(),
            Host::Unix(p) => p.display().to_string(),
        };
        parts.push(format!("host={}", conn_value(&h)));
    }
    if let Some(port) = config.get_ports().first() {
        parts.push(format!("port={port}"));
    }
    parts.push(format!("dbname={}", conn_value(&db)));
    parts.push(format!("user={}", conn_value(&login)));
    parts.push(format!("password={password}"));
    match config.get_ssl_mode() {
        postgres::config::SslMode::Require => parts.push("sslmode=require".into()),
        postgres::config::SslMode::Disable => parts.push("sslmode=disable".into()),
        _ => {}
    }
    Ok(NewDesk {
        desk,
        role,
        url: parts.join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desk_names_and_connection_values() {
        assert!(check_desk_name("xz-laptop-3").is_ok());
        assert!(check_desk_name("").is_err());
        assert!(check_desk_name("秀洲 1").is_err());
        assert!(check_desk_name("a\"; DROP ROLE x; --").is_err());
        assert_eq!(conn_value("/tmp/pg"), "/tmp/pg");
        assert_eq!(conn_value("a b"), "'a b'");
        assert_eq!(conn_value("it's"), "'it\\'s'");
        assert_eq!(DeskRole::from_key("viewer"), Some(DeskRole::Viewer));
        assert!(!DeskRole::Viewer.writes());
        assert_eq!(DeskRole::from_key("boss"), None);
    }
}
