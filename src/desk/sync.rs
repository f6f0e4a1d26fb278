//! The desk and its hub: which hub and which desk this data directory is (`hub.toml`, readable
//! by its owner only), and sync: this desk's own events up, in the order it took them, then
//! every event of the hub's it lacks down, in the hub's order. Both halves can be cut at any
//! point and run again: the hub takes an event once (by identity), the store takes a place once.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Desk, DeskError};
use crate::domain::{Event, HubStamp};
use crate::hub::{Incoming, Outgoing, Pushed, Session, Whoami};

/// The file in the data directory that says which hub and which desk this is.
pub const HUB_FILE: &str = "hub.toml";

/// Own events sent in one go, and hub events taken in one go (one transaction each).
const PUSH_PAGE: usize = 5_000;
const PULL_PAGE: usize = 10_000;

/// Which hub this desk syncs with, and how far it has come.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubLink {
    /// The connection string `hub desk add` gave (it holds the desk's password).
    pub url: String,
    /// The desk this is, by the hub's account.
    pub desk: String,
    pub role: String,
    /// The journal's length when the desk joined: meetings named by captures before it are the
    /// desk's own numbering.
    pub joined_at: u64,
    /// The journal offset before which every own event is on the hub (or refused by it).
    pub pushed_to: u64,
}

impl HubLink {
    fn path(dir: &Path) -> PathBuf {
        dir.join(HUB_FILE)
    }

    /// The data directory's link, if it has joined a hub.
    pub fn load(dir: &Path) -> Result<Option<HubLink>, DeskError> {
        let path = HubLink::path(dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(DeskError::HubFile { path, source }),
        };
        toml::from_str(&text)
            .map(Some)
            .map_err(|e| DeskError::HubFile {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    e.message().to_string(),
                ),
            })
    }

    /// Writes the link whole (a temporary file, synced, renamed), readable by its owner only.
    pub fn save(&self, dir: &Path) -> Result<(), DeskError> {
        let path = HubLink::path(dir);
        let fail = |source| DeskError::HubFile {
            path: path.clone(),
            source,
        };
        let text = toml::to_string(self)
            .map_err(|e| fail(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
        let tmp = dir.join(format!("{HUB_FILE}.new"));
        super::paths::write_private(&tmp, text.as_bytes()).map_err(fail)?;
        std::fs::rename(&tmp, &path).map_err(fail)?;
        Ok(())
    }
}

/// An own event the hub refused, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RefusedEvent {
    pub id: String,
    /// What it was: the appeal's number and the step, or the registry record.
    pub what: String,
    pub reason: String,
}

/// What one sync moved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Own events the hub took.
    pub pushed: usize,
    /// Events the hub took from the others and this desk now holds.
    pub pulled: usize,
    pub new_appeals: usize,
    /// Steps found not in effect.
    pub conflicts: u32,
    /// Own appeals (and any seen before) whose number became final: (before, after).
    pub renumbered: Vec<(u64, u64)>,
    pub refused: Vec<RefusedEvent>,
    /// Where the push had to stop for a refused event (the link stays there).
    #[serde(skip)]
    pub held_at: Option<u64>,
}

/// One round of sync: what goes up (from journal offset `from`), where the pull starts, and the
/// hub's address. Made on the desk's thread; [`exchange`] may run on another.
pub struct Round {
    pub url: String,
    pub from: u64,
    pub outbox: Outbox,
    pub hub_seq: u64,
}

/// What a round brought back from the hub.
pub struct Exchange {
    pub pushed: Pushed,
    pub pulled: Vec<Incoming>,
}

/// The network half of a round: sends the round's events, then takes up to `max_pull` events
/// after the desk's last place. Touches no store, so it can run off the desk's thread.
pub fn exchange(
    session: &mut Session,
    round: &Round,
    max_pull: usize,
) -> Result<Exchange, crate::hub::HubError> {
    let outgoing: Vec<Outgoing> = round.outbox.events.iter().map(|(o, _)| o.clone()).collect();
    let pushed = if outgoing.is_empty() {
        Pushed::default()
    } else {
        session.push(&outgoing)?
    };
    let pulled = if max_pull == 0 {
        Vec::new()
    } else {
        session.pull(round.hub_seq, max_pull)?
    };
    Ok(Exchange { pushed, pulled })
}

/// Reads a page of hub events: each event's text, with what the hub added as its stamp.
pub fn read_page(page: Vec<Incoming>) -> Result<Vec<Event>, DeskError> {
    page.into_iter()
        .map(|i| {
            let mut e: Event =
                serde_json::from_str(&i.body).map_err(|err| DeskError::HubEventUnreadable {
                    seq: i.seq,
                    message: err.to_string(),
                })?;
            e.hub = Some(HubStamp {
                seq: i.seq,
                number: i.number,
                meeting: i.meeting,
            });
            Ok(e)
        })
        .collect()
}

/// Own events waiting to go up, each with the journal offset just after its command.
pub struct Outbox {
    pub events: Vec<(Outgoing, u64)>,
    /// Where reading stopped: the next page starts here.
    pub end: u64,
}

impl Desk {
    /// The hub this desk syncs with, if it has joined one.
    pub fn hub_link(&self) -> Result<Option<HubLink>, DeskError> {
        HubLink::load(self.data_dir())
    }

    /// Joins the hub at `url`: checks the connection, learns which desk this is, and keeps the
    /// link in the data directory. Joining again (a new password) keeps how far sync has come.
    pub fn join_hub(&mut self, url: &str) -> Result<Whoami, DeskError> {
        let mut session = Session::open(url)?;
        let me = session.whoami()?;
        let old = self.hub_link()?;
        if let Some(old) = &old
            && old.desk != me.desk
        {
            return Err(DeskError::OtherDesk {
                joined: old.desk.clone(),
                offered: me.desk,
            });
        }
        let link = HubLink {
            url: url.trim().to_string(),
            desk: me.desk.clone(),
            role: me.role.key().to_string(),
            joined_at: old
                .as_ref()
                .map_or_else(|| self.store.journal_len(), |o| o.joined_at),
            pushed_to: old.as_ref().map_or(0, |o| o.pushed_to),
        };
        link.save(self.data_dir())?;
        self.desk_name = Some(me.desk.clone());
        self.settings.desk = Some(me.desk.clone());
        self.store.set_provisional_numbers(true);
        tracing::info!(desk = %me.desk, "joined a hub");
        Ok(me)
    }

    /// Own events from journal offset `from` on that may not be on the hub yet (a page).
    pub fn outbox(&self, link: &HubLink, from: u64) -> Result<Outbox, DeskError> {
        let (commands, end) = self.store.own_commands(from, PUSH_PAGE)?;
        let mut out = Outbox {
            events: Vec::new(),
            end,
        };
        for (events, end) in commands {
            for e in events {
                let body = serde_json::to_string(&e.as_text()).map_err(|err| {
                    crate::store::StoreError::Corrupt(format!("cannot encode an event: {err}"))
                })?;
                out.events.push((
                    Outgoing {
                        id: e.id.to_string(),
                        body,
                        local_meeting: end <= link.joined_at,
                    },
                    end,
                ));
            }
        }
        Ok(out)
    }

    /// What an event is, for a message: `appeal 临3: note`, or the registry record.
    fn describe_event(&self, id: &str, outbox: &Outbox) -> String {
        let found = outbox.events.iter().find(|(o, _)| o.id == id);
        let Some((o, _)) = found else {
            return id.to_string();
        };
        match serde_json::from_str::<Event>(&o.body) {
            Ok(e) => match &e.body {
                crate::domain::EventBody::Appeal { appeal, .. } => {
                    let number = self
                        .store
                        .summary(*appeal)
                        .ok()
                        .flatten()
                        .map_or_else(|| appeal.to_string(), |a| self.label(a.number));
                    format!(
                        "{number} · {} · {}",
                        super::event_name(&e),
                        e.at.to_rfc3339()
                    )
                }
                _ => format!("{} · {}", super::event_name(&e), e.at.to_rfc3339()),
            },
            Err(_) => id.to_string(),
        }
    }

    /// What the next round of sync sends, from journal offset `from` (the link's mark when
    /// `None`), and where the pull starts; `None` without a hub.
    pub fn round(&self, from: Option<u64>) -> Result<Option<Round>, DeskError> {
        let Some(link) = self.hub_link()? else {
            return Ok(None);
        };
        let from = from.unwrap_or(link.pushed_to);
        let outbox = self.outbox(&link, from)?;
        Ok(Some(Round {
            url: link.url,
            from,
            outbox,
            hub_seq: self.store.hub_seq(),
        }))
    }

    /// Takes in what a round brought: keeps how far the push came (before the first refused
    /// command, which the next sync names again until a person settles it) and takes the
    /// pulled events in. Returns the appeals that changed.
    pub fn settle(
        &self,
        round: &Round,
        exchange: Exchange,
        report: &mut SyncReport,
    ) -> Result<Vec<crate::domain::Appeal>, DeskError> {
        let Some(mut link) = self.hub_link()? else {
            return Err(DeskError::NoHub);
        };
        report.pushed += exchange.pushed.taken;
        for r in &exchange.pushed.refused {
            let events = &round.outbox.events;
            let start = events
                .iter()
                .position(|(o, _)| o.id == r.id)
                .map_or(round.from, |i| {
                    if i == 0 { round.from } else { events[i - 1].1 }
                });
            report.held_at = Some(report.held_at.map_or(start, |h| h.min(start)));
            report.refused.push(RefusedEvent {
                id: r.id.clone(),
                what: self.describe_event(&r.id, &round.outbox),
                reason: r.reason.clone(),
            });
        }
        // Nothing of the desk's own came after what this round read: the lines the intake adds
        // need not be read again by the next round.
        let nothing_since = self.store.journal_len() == round.outbox.end;
        let appeals = self.take_pulled(exchange.pulled, report)?;
        let mark = match report.held_at {
            Some(held) => held,
            None if nothing_since => self.store.journal_len(),
            None => round.outbox.end,
        };
        if mark != link.pushed_to {
            link.pushed_to = mark;
            link.save(self.data_dir())?;
        }
        Ok(appeals)
    }

    /// Takes in a page of hub events; returns the appeals that changed.
    pub fn take_pulled(
        &self,
        page: Vec<Incoming>,
        report: &mut SyncReport,
    ) -> Result<Vec<crate::domain::Appeal>, DeskError> {
        if page.is_empty() {
            return Ok(Vec::new());
        }
        self.take_events(read_page(page)?, report)
    }

    /// Takes in hub events already read (each with its stamp), as one command.
    fn take_events(
        &self,
        events: Vec<Event>,
        report: &mut SyncReport,
    ) -> Result<Vec<crate::domain::Appeal>, DeskError> {
        let n = events.len();
        let intake = self.store.take_from_hub(events)?;
        report.pulled += n;
        report.new_appeals += intake.new_appeals;
        report.conflicts += intake.new_conflicts;
        report.renumbered.extend(intake.renumbered);
        Ok(intake.appeals)
    }

    /// One whole sync: every own event up, then every hub event down, round after round.
    pub fn sync(&self) -> Result<SyncReport, DeskError> {
        let Some(link) = self.hub_link()? else {
            return Err(DeskError::NoHub);
        };
        let mut session = Session::open(&link.url)?;
        self.sync_with(&mut session)
    }

    /// As [`Desk::sync`], over a connection already open (a desk that syncs often keeps one:
    /// opening one, with its password exchange, costs more than a small sync).
    pub fn sync_with(&self, session: &mut Session) -> Result<SyncReport, DeskError> {
        let mut report = SyncReport::default();
        // Up: own events, a page a round, until none is left.
        let mut from = None;
        loop {
            let Some(round) = self.round(from)? else {
                return Err(DeskError::NoHub);
            };
            if round.outbox.events.is_empty() {
                break;
            }
            let exchange = exchange(session, &round, 0)?;
            self.settle(&round, exchange, &mut report)?;
            from = Some(round.outbox.end);
        }
        // Down: the hub's events, a page a transaction; the next page is fetched and read on
        // another thread while this one is taken in.
        let before = self.store.journal_len();
        let own_since = self.hub_link()?.is_none_or(|l| l.pushed_to != before);
        self.pull_pipelined(session, &mut report)?;
        if !own_since
            && report.held_at.is_none()
            && let Some(mut link) = self.hub_link()?
        {
            link.pushed_to = self.store.journal_len();
            link.save(self.data_dir())?;
        }
        if report.pulled > 0 {
            self.store.seal_journal_if_due();
        }
        tracing::info!(
            pushed = report.pushed,
            pulled = report.pulled,
            refused = report.refused.len(),
            "synced"
        );
        Ok(report)
    }

    /// Pulls every hub event after the desk's last place: one thread fetches and reads pages,
    /// this one takes them in, one page behind at most.
    fn pull_pipelined(
        &self,
        session: &mut Session,
        report: &mut SyncReport,
    ) -> Result<(), DeskError> {
        let start = self.store.hub_seq();
        std::thread::scope(|scope| {
            let (send, pages) = std::sync::mpsc::sync_channel::<Result<Vec<Event>, DeskError>>(1);
            scope.spawn(move || {
                let mut after = start;
                loop {
                    let page = match session.pull(after, PULL_PAGE) {
                        Ok(p) => p,
                        Err(e) => {
                            let _ = send.send(Err(e.into()));
                            return;
                        }
                    };
                    let last = page.len() < PULL_PAGE;
                    after = page.last().map_or(after, |i| i.seq);
                    if page.is_empty() {
                        return;
                    }
                    let read = read_page(page);
                    let failed = read.is_err();
                    // The taker stopped (an error of its own): nothing more to do.
                    if send.send(read).is_err() || failed || last {
                        return;
                    }
                }
            });
            for page in pages {
                self.take_events(page?, report)?;
            }
            Ok(())
        })
    }

    /// How many appeals have steps not in effect (conflicts for a person to settle).
    pub fn conflicted(&self) -> u64 {
        self.store.conflicted()
    }

    /// Own events not yet on the hub (an estimate for the status line: events of own commands
    /// after the link's mark).
    pub fn waiting_to_send(&self) -> Result<usize, DeskError> {
        let Some(link) = self.hub_link()? else {
            return Ok(0);
        };
        Ok(self
            .store
            .own_commands(link.pushed_to, usize::MAX)?
            .0
            .iter()
            .map(|(events, _)| events.len())
            .sum())
    }
}
