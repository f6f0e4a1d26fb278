//! The hub: a PostgreSQL database that holds a district's events (append-only) and hands out
//! appeal and meeting numbers, nothing else (ARCHITECTURE.md, "The team desk"). This module is the wire
//! to it and knows nothing of appeals: events go up and come down as JSON text, and each desk
//! folds them itself. Checks that must hold whoever connects (a desk writes only as itself, a
//! viewer only reads, nothing is changed or removed, no event from the future) live in the hub,
//! in `schema.sql`.

mod admin;
mod error;
mod tls;

use std::str::FromStr;
use std::time::Duration;

use postgres::config::SslMode;
use postgres::{Client, Config};

pub use admin::{DeskRole, InitReport, NewDesk, add_desk, init};
pub use error::HubError;

/// The schema version this zhuqi writes and reads.
pub const SCHEMA_VERSION: i32 = 1;

/// How long to wait for the hub before working offline.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Events sent in one statement.
const PUSH_BATCH: usize = 500;

/// Parses a connection string (URL or `key=value`, a unix-socket directory as host included).
pub fn parse_url(url: &str) -> Result<Config, HubError> {
    let mut config = Config::from_str(url.trim()).map_err(|e| HubError::BadUrl(e.to_string()))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    Ok(config)
}

/// Connects with TLS when the connection string asks for it (`sslmode=require`; `prefer`, the
/// default, uses it when the server offers it). As libpq's `require` does without a root
/// certificate, the server's certificate is not checked against an authority.
pub fn connect(url: &str) -> Result<Client, HubError> {
    let config = parse_url(url)?;
    let client = if config.get_ssl_mode() == SslMode::Disable {
        config.connect(postgres::NoTls)
    } else {
        config.connect(tls::unchecked()?)
    };
    client.map_err(HubError::unreachable)
}

/// Which desk a connection is, by the hub's own account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Whoami {
    pub desk: String,
    pub role: DeskRole,
}

/// One event going up: its identity, its JSON text, and whether the meeting it names is one
/// this desk numbered before it joined (see `schema.sql`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub id: String,
    pub body: String,
    pub local_meeting: bool,
}

/// One event coming down, with what the hub added to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incoming {
    pub seq: u64,
    pub number: Option<u64>,
    pub meeting: Option<u64>,
    pub body: String,
}

/// An event the hub refused, and why (in the hub's words).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub id: String,
    pub reason: String,
}

/// What a push did: events the hub took now, events it had already, events it refused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pushed {
    pub taken: usize,
    pub already: usize,
    pub refused: Vec<Refused>,
}

/// A connection of one desk to its hub.
pub struct Session {
    client: Client,
}

impl Session {
    pub fn open(url: &str) -> Result<Session, HubError> {
        let mut client = connect(url)?;
        check_version(&mut client)?;
        Ok(Session { client })
    }

    /// The desk this connection is.
    pub fn whoami(&mut self) -> Result<Whoami, HubError> {
        let row = self
            .client
            .query_one("SELECT name, role FROM zhuqi_whoami()", &[])
            .map_err(HubError::from_pg)?;
        let desk: Option<String> = row.get(0);
        let role: Option<String> = row.get(1);
        match (desk, role.as_deref().and_then(DeskRole::from_key)) {
            (Some(desk), Some(role)) => Ok(Whoami { desk, role }),
            _ => Err(HubError::NotADesk),
        }
    }

    /// Sends events, in order. A batch goes in one statement; when the hub refuses one event of
    /// a batch, the batch is sent again an event at a time, each under a savepoint, so that the
    /// refused ones are named and nothing else is lost.
    pub fn push(&mut self, events: &[Outgoing]) -> Result<Pushed, HubError> {
        let mut pushed = Pushed::default();
        for batch in events.chunks(PUSH_BATCH) {
            let ids: Vec<&str> = batch.iter().map(|e| e.id.as_str()).collect();
            let bodies: Vec<&str> = batch.iter().map(|e| e.body.as_str()).collect();
            let locals: Vec<bool> = batch.iter().map(|e| e.local_meeting).collect();
            let mut tx = self.client.transaction().map_err(HubError::from_pg)?;
            let all = tx.query(INSERT_MANY, &[&bodies, &locals]);
            match all {
                Ok(rows) => {
                    tx.commit().map_err(HubError::from_pg)?;
                    pushed.taken += rows.len();
                    pushed.already += batch.len() - rows.len();
                    continue;
                }
                Err(e) if e.as_db_error().is_none() => return Err(HubError::from_pg(e)),
                Err(_) => {
                    tx.rollback().map_err(HubError::from_pg)?;
                }
            }
            let mut tx = self.client.transaction().map_err(HubError::from_pg)?;
            for (i, e) in batch.iter().enumerate() {
                let mut sp = tx.savepoint("one").map_err(HubError::from_pg)?;
                match sp.query(INSERT_ONE, &[&e.body, &e.local_meeting]) {
                    Ok(rows) => {
                        sp.commit().map_err(HubError::from_pg)?;
                        if rows.is_empty() {
                            pushed.already += 1;
                        } else {
                            pushed.taken += 1;
                        }
                    }
                    Err(err) => {
                        let Some(db) = err.as_db_error() else {
                            return Err(HubError::from_pg(err));
                        };
                        let reason = match db.message().strip_prefix("zhuqi: ") {
                            Some(ours) => ours.to_string(),
                            None if *db.code()
                                == postgres::error::SqlState::INSUFFICIENT_PRIVILEGE =>
                            {
                                format!(
                                    "this desk may not write: a viewer reads only ({})",
                                    db.message()
                                )
                            }
                            None => db.message().to_string(),
                        };
                        sp.rollback().map_err(HubError::from_pg)?;
                        // An event another desk sent already is not refused for being sent
                        // again (a desk may hold others' events from a bundle).
                        let here = tx
                            .query_opt("SELECT 1 FROM zhuqi_events WHERE id = $1", &[&ids[i]])
                            .map_err(HubError::from_pg)?;
                        if here.is_some() {
                            pushed.already += 1;
                        } else {
                            pushed.refused.push(Refused {
                                id: e.id.clone(),
                                reason,
                            });
                        }
                    }
                }
            }
            tx.commit().map_err(HubError::from_pg)?;
        }
        Ok(pushed)
    }

    /// Up to `limit` events after place `after`, in the hub's order.
    pub fn pull(&mut self, after: u64, limit: usize) -> Result<Vec<Incoming>, HubError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .client
            .query(
                "SELECT seq, number, meeting, body::text FROM zhuqi_events \
                 WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &limit],
            )
            .map_err(HubError::from_pg)?;
        Ok(rows
            .iter()
            .map(|r| Incoming {
                seq: u64::try_from(r.get::<_, i64>(0)).unwrap_or(0),
                number: r
                    .get::<_, Option<i64>>(1)
                    .and_then(|n| u64::try_from(n).ok()),
                meeting: r
                    .get::<_, Option<i64>>(2)
                    .and_then(|n| u64::try_from(n).ok()),
                body: r.get(3),
            })
            .collect())
    }
}

const INSERT_MANY: &str = "INSERT INTO zhuqi_events (body, local_meeting, seq, id, desk, actor, at, kind) \
     SELECT b::jsonb, l, 0, '', '', '', now(), '' FROM unnest($1::text[], $2::bool[]) AS u(b, l) \
     ON CONFLICT (id) DO NOTHING RETURNING seq";
const INSERT_ONE: &str = "INSERT INTO zhuqi_events (body, local_meeting, seq, id, desk, actor, at, kind) \
     VALUES ($1::text::jsonb, $2, 0, '', '', '', now(), '') \
     ON CONFLICT (id) DO NOTHING RETURNING seq";

/// The hub's schema version, refused when it is not this zhuqi's.
fn check_version(client: &mut Client) -> Result<(), HubError> {
    let version = admin::schema_version(client)?;
    match version {
        Some(SCHEMA_VERSION) => Ok(()),
        Some(v) if v > SCHEMA_VERSION => Err(HubError::NewerSchema(v)),
        Some(v) => Err(HubError::OlderSchema(v)),
        None => Err(HubError::NotInitialised),
    }
}
