//! The desk's sync with its hub, in the background: after every saved step and every 30 s, the
//! network half of a round runs on another thread while keys go on being answered; the desk's
//! thread prepares the round and takes in what it brought (a local write of milliseconds).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, Local};

use super::background::Background;
use crate::desk::sync::{Exchange, Round, SyncReport};
use crate::desk::{Desk, DeskError};
use crate::domain::{Appeal, AppealId};

/// How often the desk syncs when nothing is saved (`ZHUQI_SYNC_SECS` overrides it, for demos
/// and tests).
pub const EVERY: Duration = Duration::from_secs(30);

fn every() -> Duration {
    std::env::var("ZHUQI_SYNC_SECS")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(EVERY, Duration::from_secs)
}
/// Hub events taken in one round (more come in the rounds after, at once).
const ROUND_PULL: usize = 20_000;

/// Where sync stands, for the status line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// When the last round went through.
    pub last_ok: Option<DateTime<Local>>,
    /// Why the last round did not (the hub out of reach): the desk works offline.
    pub offline: bool,
    /// Own events waiting to go up.
    pub waiting: usize,
    /// Appeals with steps not in effect.
    pub conflicts: u64,
    /// Own events the hub refused in the last round.
    pub refused: usize,
}

pub struct Sync {
    /// Whether this desk has a hub at all.
    pub linked: bool,
    job: Option<(Round, Background<(crate::hub::Session, Exchange)>)>,
    /// The connection kept between rounds (opening one costs more than a small round).
    session: Option<crate::hub::Session>,
    wanted: bool,
    next_at: Option<Instant>,
    pub status: SyncStatus,
    /// Appeals changed on another desk since this one last looked at them.
    pub changed_elsewhere: HashSet<AppealId>,
}

/// What a round taken in changed, for the screens to follow.
pub struct Settled {
    pub appeals: Vec<Appeal>,
    pub report: SyncReport,
}

impl Sync {
    pub fn new(desk: &Desk) -> Sync {
        let linked = desk.hub_link().ok().flatten().is_some();
        let mut s = Sync {
            linked,
            job: None,
            session: None,
            wanted: linked,
            next_at: None,
            status: SyncStatus::default(),
            changed_elsewhere: HashSet::new(),
        };
        s.count(desk);
        s
    }

    fn count(&mut self, desk: &Desk) {
        if self.linked {
            self.status.waiting = desk.waiting_to_send().unwrap_or(0);
            self.status.conflicts = desk.conflicted();
        }
    }

    /// A step was saved: sync soon.
    pub fn want(&mut self) {
        self.wanted = self.linked;
    }

    /// Whether a round is out.
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// Starts a round when one is due and none is out; takes in a round that came back.
    pub fn tick(&mut self, desk: &Desk, now: Instant) -> Result<Option<Settled>, DeskError> {
        if !self.linked {
            return Ok(None);
        }
        if let Some((_, job)) = &self.job {
            let Some(result) = job.take() else {
                return Ok(None);
            };
            let Some((round, _)) = self.job.take() else {
                return Ok(None);
            };
            return self.settle(desk, &round, result, now).map(Some);
        }
        let due = self.wanted || self.next_at.is_none_or(|t| now >= t);
        if due {
            self.start(desk, now)?;
        }
        Ok(None)
    }

    fn start(&mut self, desk: &Desk, now: Instant) -> Result<(), DeskError> {
        self.wanted = false;
        self.next_at = Some(now + every());
        let Some(round) = desk.round(None)? else {
            self.linked = false;
            return Ok(());
        };
        let url = round.url.clone();
        let outbox: Vec<_> = round.outbox.events.iter().map(|(o, _)| o.clone()).collect();
        let hub_seq = round.hub_seq;
        let kept = self.session.take();
        let job = Background::start("sync", move || {
            let mut session = match kept {
                Some(s) => s,
                None => crate::hub::Session::open(&url)?,
            };
            let pushed = if outbox.is_empty() {
                crate::hub::Pushed::default()
            } else {
                session.push(&outbox)?
            };
            let pulled = session.pull(hub_seq, ROUND_PULL)?;
            Ok((session, Exchange { pushed, pulled }))
        })?;
        self.job = Some((round, job));
        Ok(())
    }

    fn settle(
        &mut self,
        desk: &Desk,
        round: &Round,
        result: Result<(crate::hub::Session, Exchange), DeskError>,
        now: Instant,
    ) -> Result<Settled, DeskError> {
        let result = result.map(|(session, exchange)| {
            self.session = Some(session);
            exchange
        });
        let mut report = SyncReport::default();
        // Appeals another desk changed: marked until looked at (own steps coming back are not
        // news).
        let me = desk.desk_name().map(str::to_string);
        if let Ok(exchange) = &result {
            for i in &exchange.pulled {
                if let Ok(e) = serde_json::from_str::<crate::domain::Event>(&i.body)
                    && e.desk != me
                    && let crate::domain::EventBody::Appeal { appeal, .. } = e.body
                {
                    self.changed_elsewhere.insert(appeal);
                }
            }
        }
        let outcome = result.and_then(|exchange| {
            let more = exchange.pulled.len() >= ROUND_PULL;
            let appeals = desk.settle(round, exchange, &mut report)?;
            Ok((appeals, more))
        });
        match outcome {
            Ok((appeals, more)) => {
                self.status.offline = false;
                self.status.last_ok = Some(Local::now());
                self.status.refused = report.refused.len();
                // A step saved while the round was out wants a round of its own.
                self.wanted = self.wanted || more;
                self.next_at = Some(now + every());
                self.count(desk);
                Ok(Settled { appeals, report })
            }
            Err(DeskError::Hub(h)) if h.is_offline() => {
                self.status.offline = true;
                self.count(desk);
                Ok(Settled {
                    appeals: Vec::new(),
                    report,
                })
            }
            Err(e) => {
                self.count(desk);
                Err(e)
            }
        }
    }

    /// The appeal was looked at: its mark goes.
    pub fn seen(&mut self, id: AppealId) {
        self.changed_elsewhere.remove(&id);
    }
}
