//! The desk: commands in, events validated and stored, queries out. The CLI and the terminal UI
//! both work through it; it is the only user of the store.

pub mod clock;
pub mod demo;
pub mod error;
pub mod keys;
pub mod merge;
pub mod paths;
pub mod query;
pub mod settings;
pub mod supervise;
pub mod sync;
pub mod view_export;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::domain::records::non_empty;
use crate::domain::{
    Appeal, AppealChange, AppealId, Assignment, Calendar, Capture, CreditCode, Enterprise, Event,
    EventBody, Level, Meeting, Rules, Satisfaction, Steward,
};
pub use crate::store::BriefCursor;
use crate::store::{Cache, OpenReport, Store};

pub use clock::Clock;
pub use error::DeskError;
pub use query::{Filter, Row, StatusFilter};
use settings::Settings;

/// How the desk is opened: where, with which settings, at what time, by whom.
#[derive(Clone, Debug, Default)]
pub struct DeskOptions {
    pub data_dir: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub now: Option<DateTime<FixedOffset>>,
    pub actor: Option<String>,
    /// How much of the store is kept in memory (the desk in the terminal keeps less).
    pub cache: Cache,
    /// The command only reads: a data directory it cannot write (a backup on a read-only
    /// medium) is read from a private copy.
    pub reads_only: bool,
}

/// When an assignment (or a reopened appeal) is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    Date(NaiveDate),
    WorkingDays(u32),
    /// The category's default limit, in working days from today.
    CategoryDefault,
}

/// A lifecycle step on an appeal that is already captured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Assign {
        steward: String,
        lead: String,
        co: Vec<String>,
        due: Due,
    },
    Acknowledge,
    Return {
        reason: String,
    },
    Reassign {
        steward: String,
        lead: Option<String>,
    },
    Note {
        text: String,
    },
    Escalate {
        level: Level,
        to: String,
        note: Option<String>,
    },
    Extend {
        due: NaiveDate,
        reason: String,
    },
    Urge {
        note: Option<String>,
    },
    Answer {
        text: String,
    },
    Feedback {
        rating: Satisfaction,
        comment: Option<String>,
    },
    Reopen {
        reason: String,
        due: Due,
    },
    Withdraw {
        reason: String,
    },
    Close {
        note: String,
    },
}

/// What an officer records at a meeting.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaptureInput {
    pub enterprise: String,
    pub category: String,
    pub text: String,
    pub contact: Option<String>,
    pub meeting: Option<u64>,
    pub departments: Vec<String>,
    /// The answer given, when it was resolved on the spot; otherwise it goes onto the list.
    pub resolved: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnterpriseInput {
    pub name: String,
    pub credit_code: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub town: Option<String>,
    pub industry: Option<String>,
}

pub struct Desk {
    store: Store,
    settings: Settings,
    calendar: Calendar,
    calendar_path: PathBuf,
    clock: Clock,
    actor: String,
    /// This desk's name: the hub's once joined, else the configuration's.
    desk_name: Option<String>,
    /// Whether the person acting was said (`--actor` or the configuration), not guessed.
    actor_said: bool,
    /// The configuration file in force (where the person is kept once asked).
    config_path: Option<PathBuf>,
    opened: OpenReport,
    /// What this desk's steps wrote since it was last asked (`take_steps_written`).
    steps_written: std::sync::Mutex<StepsWritten>,
    /// The private copy a read-only data directory is read from (removed when the desk closes;
    /// last, so the store is closed first).
    _read_only_copy: Option<tempfile::TempDir>,
}

/// The steps on single appeals a desk wrote (`Desk::take_steps_written`): the journal's bytes
/// they took and the appeals as they left them. Whoever compares the bytes with how far the
/// journal moved knows whether they were all that was written.
#[derive(Debug, Default)]
pub struct StepsWritten {
    pub journal_bytes: u64,
    pub appeals: Vec<Appeal>,
    /// More steps than are worth putting in place one by one: read everything again instead.
    pub too_many: bool,
}

/// More steps than this since it was last asked, and a desk keeps no more of them.
const STEPS_KEPT: usize = 64;

/// How far ahead a due date may be set, in calendar days (five years).
pub const MAX_DUE_DAYS: u64 = 5 * 366;

/// The times a desk may write: after 2000, and at most a day ahead of this machine's own clock
/// as it was read once for a command or a batch (an import's 600,000 events read it once each
/// before).
struct PlausibleTimes {
    earliest: Option<DateTime<chrono::Utc>>,
    latest: DateTime<chrono::Utc>,
}

impl PlausibleTimes {
    fn now() -> PlausibleTimes {
        PlausibleTimes {
            earliest: chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc()),
            latest: chrono::Utc::now() + chrono::Duration::days(1),
        }
    }

    fn hold(&self, at: DateTime<FixedOffset>) -> bool {
        at <= self.latest && self.earliest.is_none_or(|e| at >= e)
    }
}

/// What no desk could have written, however the events came (typed, imported, bundled): a time
/// more than a day ahead or before 2000, a number out of range, a due date before 2000 or more
/// than five years after the event. One number or date like that would freeze an appeal or
/// wrap the next number given.
fn implausible(events: &[Event], times: &PlausibleTimes) -> Option<crate::domain::Refusal> {
    use crate::domain::Refusal;
    let sane_date = |date: NaiveDate, at: DateTime<FixedOffset>| {
        chrono::Datelike::year(&date) >= 2000
            && date <= at.date_naive() + chrono::Days::new(MAX_DUE_DAYS)
    };
    for e in events {
        if !times.hold(e.at) {
            return Some(Refusal::ImplausibleTime { at: e.at });
        }
        let numbers: [Option<u64>; 2] = match &e.body {
            EventBody::MeetingAdded(m) | EventBody::MeetingEdited(m) => [Some(m.number), None],
            EventBody::Appeal {
                change: AppealChange::Captured(c),
                ..
            } => [Some(c.number), c.meeting],
            _ => [None, None],
        };
        // 0 is "the next number" (given when the command is written), never kept as a number.
        if let Some(number) = numbers
            .into_iter()
            .flatten()
            .find(|n| *n != 0 && !crate::domain::number::plausible(*n))
        {
            return Some(Refusal::ImplausibleNumber { number });
        }
        let due = match &e.body {
            EventBody::Appeal { change, .. } => match change {
                AppealChange::Assigned(a) => Some(a.due),
                AppealChange::Extended { due, .. } | AppealChange::Reopened { due, .. } => {
                    Some(*due)
                }
                AppealChange::Feedback { reopen_due, .. } => *reopen_due,
                _ => None,
            },
            _ => None,
        };
        if let Some(date) = due.filter(|d| !sane_date(*d, e.at)) {
            return Some(Refusal::ImplausibleDate { date });
        }
    }
    None
}

/// Who is acting when nobody said: the operating-system user.
pub fn default_actor() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "zhuqi".to_string())
}

impl Desk {
    /// Opens the desk with the configuration `options` point at.
    pub fn open(options: &DeskOptions) -> Result<Desk, DeskError> {
        let settings = settings::load_settings_named(
            paths::config_file(options.config.as_deref()).as_deref(),
            options.config.is_some(),
        )?;
        Desk::open_with(options, settings)
    }

    /// Opens the desk with settings already loaded (the CLI reads them first for the language).
    pub fn open_with(options: &DeskOptions, settings: Settings) -> Result<Desk, DeskError> {
        let dir = paths::data_dir(options.data_dir.as_deref()).ok_or(DeskError::NoDataDir)?;
        paths::create_private_dir(&dir).map_err(|source| DeskError::DataDir {
            path: dir.clone(),
            source,
        })?;
        let writable = paths::writable(&dir);
        if !writable && !options.reads_only {
            return Err(DeskError::ReadOnlyDataDir(dir));
        }
        let read_only_copy = if !writable {
            Some(
                paths::private_copy(&dir).map_err(|source| DeskError::DataDir {
                    path: dir.clone(),
                    source,
                })?,
            )
        } else {
            None
        };
        let dir = read_only_copy
            .as_ref()
            .map_or(dir, |copy| copy.path().to_path_buf());
        let (calendar, calendar_path) = settings::load_calendar(&dir)?;
        let (store, opened) = Store::open_with(&dir, options.cache)?;
        let hub = sync::HubLink::load(&dir)?;
        store.set_provisional_numbers(hub.is_some());
        let mut settings = settings;
        if let Some(h) = &hub {
            settings.desk = Some(h.desk.clone());
        }
        let actor_said = options
            .actor
            .as_deref()
            .and_then(|a| non_empty(Some(a)))
            .is_some()
            || settings.actor.is_some();
        let config_path = paths::config_file(options.config.as_deref());
        let actor = options
            .actor
            .as_deref()
            .and_then(|a| non_empty(Some(a)))
            .or_else(|| settings.actor.clone())
            .unwrap_or_else(default_actor);
        Ok(Desk {
            store,
            desk_name: settings.desk.clone(),
            settings,
            calendar,
            calendar_path,
            clock: options.now.map_or_else(Clock::system, Clock::fixed),
            actor,
            actor_said,
            config_path,
            opened,
            steps_written: Default::default(),
            _read_only_copy: read_only_copy,
        })
    }

    pub fn data_dir(&self) -> &Path {
        self.store.data_dir()
    }

    pub fn journal_path(&self) -> PathBuf {
        self.store.journal_path()
    }

    pub fn calendar_path(&self) -> &Path {
        &self.calendar_path
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    pub fn rules(&self) -> &Rules {
        &self.settings.rules
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The district's prefix of appeal numbers (`label` puts it before a number).
    pub fn number_prefix(&self) -> &str {
        &self.settings.number_prefix
    }

    /// An appeal number as people read it, with the district's prefix (`XZ-12`).
    pub fn label(&self, number: u64) -> String {
        label(&self.settings.number_prefix, number)
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Moves the desk's clock (the demo tells its story over several weeks).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Whether the person acting was said rather than taken from the operating system.
    pub fn actor_said(&self) -> bool {
        self.actor_said
    }

    /// Keeps the person at this desk in the configuration file (asked once, at the first start
    /// of the desk in the terminal), and acts as them from now on.
    pub fn remember_actor(&mut self, name: &str) -> Result<(), DeskError> {
        let name = non_empty(Some(name)).ok_or(DeskError::Empty("name"))?;
        if let Some(path) = &self.config_path {
            settings::set_config_value(path, "actor", &name)?;
        }
        self.actor = name;
        self.actor_said = true;
        Ok(())
    }

    /// This desk's name, if it has one.
    pub fn desk_name(&self) -> Option<&str> {
        self.desk_name.as_deref()
    }

    pub fn set_actor(&mut self, actor: &str) {
        self.actor = actor.to_string();
    }

    /// What opening the store found (journal commands replayed after a crash).
    pub fn open_report(&self) -> &OpenReport {
        &self.opened
    }

    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }

    /// Runs a bulk write (an import, a generated demo) all or nothing across crashes: killed
    /// mid-way, what it wrote is taken out on the next open. An error it returns leaves the
    /// mark too (what it wrote is taken out on the next open), unless `keep` says the part
    /// written stands.
    pub fn bulk<T, E: From<DeskError>>(
        &self,
        keep: impl Fn(&E) -> bool,
        write: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        self.begin_bulk().map_err(E::from)?;
        let result = write();
        if result.as_ref().err().is_none_or(&keep) {
            self.end_bulk().map_err(E::from)?;
        } else {
            self.abandon_bulk();
        }
        result
    }

    /// See [`Desk::bulk`] (for a bulk write that needs the desk mutably).
    pub fn begin_bulk(&self) -> Result<(), DeskError> {
        Ok(self.store.begin_bulk()?)
    }

    pub fn end_bulk(&self) -> Result<(), DeskError> {
        Ok(self.store.end_bulk()?)
    }

    /// A bulk write stopped with an error: what it wrote is taken out on the next open, and
    /// nothing more is written until then (a step written after it would be taken out too).
    pub fn abandon_bulk(&self) {
        self.store.abandon_bulk()
    }

    #[cfg(test)]
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Whether the store was brought back (from the journal) after a write failed in it: said
    /// once.
    pub fn take_recovery(&self) -> Option<crate::store::Recovery> {
        self.store.take_recovery()
    }

    fn event(&self, body: EventBody) -> Event {
        Event {
            id: crate::ids::next(),
            at: self.clock.now(),
            actor: self.actor.clone(),
            body,
            desk: self.desk_name.clone(),
            hub: None,
        }
    }

    fn appeal_event(&self, appeal: AppealId, change: AppealChange) -> Event {
        self.event(EventBody::Appeal { appeal, change })
    }

    /// Events that create the departments in `names` that the desk does not know yet.
    fn new_departments<'a>(
        &self,
        names: impl IntoIterator<Item = &'a String>,
        events: &mut Vec<Event>,
    ) -> Result<(), DeskError> {
        let mut seen: Vec<String> = Vec::new();
        for name in crate::domain::appeal::clean_names(names) {
            if !seen.contains(&name) && !self.store.has_department(&name)? {
                events.push(self.event(EventBody::DepartmentAdded { name: name.clone() }));
            }
            seen.push(name);
        }
        Ok(())
    }

    fn commit(&self, events: Vec<Event>, id: AppealId) -> Result<Appeal, DeskError> {
        let what: Vec<&'static str> = events.iter().map(event_name).collect();
        let number = events.iter().find_map(|e| match &e.body {
            EventBody::Appeal {
                change: AppealChange::Captured(c),
                ..
            } if c.number > 0 => Some(c.number),
            _ => None,
        });
        match self.append(events) {
            Ok(appeals) => {
                let appeal = appeals
                    .into_iter()
                    .find(|a| a.id == id)
                    .ok_or_else(|| DeskError::AppealNotFound(id.to_string()))?;
                tracing::info!(appeal = appeal.number, events = ?what, "saved");
                Ok(appeal)
            }
            Err(e) => {
                let e = DeskError::from(e);
                let n = self
                    .store
                    .appeal(id)
                    .ok()
                    .flatten()
                    .map(|a| a.number)
                    .or(number);
                match &e {
                    DeskError::Refused(r) => {
                        tracing::warn!(appeal = ?n, events = ?what, refusal = ?r, actor = %self.actor, "refused")
                    }
                    other => tracing::error!(appeal = ?n, events = ?what, error = %other, "failed"),
                }
                Err(e)
            }
        }
    }

    /// Finds an appeal by its number (`12`, `#12`) or its identity (a 26-character ULID).
    pub fn find(&self, reference: &str) -> Result<Appeal, DeskError> {
        let r = strip_prefix(&self.settings.number_prefix, reference);
        let found = if let Some(n) = crate::domain::number::parse(r) {
            self.store.appeal_by_number(n)?
        } else if let Ok(id) = ulid::Ulid::from_string(r) {
            self.store.appeal(id)?
        } else {
            None
        };
        // The ledger's own id (`source:id`, as `show` and the exports give it).
        let found = match found {
            Some(a) => Some(a),
            None if reference.contains(':') => {
                self.store.appeal_by_external_id(reference.trim())?
            }
            None => None,
        };
        found.ok_or_else(|| DeskError::AppealNotFound(reference.trim().to_string()))
    }

    fn check_category(&self, category: &str) -> Result<String, DeskError> {
        let c = category.trim();
        match self.settings.rules.category(c) {
            Some(known) => Ok(known.name.clone()),
            None => Err(DeskError::UnknownCategory {
                given: c.to_string(),
                known: self
                    .settings
                    .rules
                    .categories
                    .iter()
                    .map(|k| k.name.clone())
                    .collect(),
            }),
        }
    }

    /// Records an appeal raised at a meeting: resolved on the spot, or onto the appeal list.
    pub fn capture(&self, input: &CaptureInput) -> Result<Appeal, DeskError> {
        let category = self.check_category(&input.category)?;
        if let Some(m) = input.meeting
            && self.store.meeting(m)?.is_none()
        {
            return Err(DeskError::UnknownMeeting(m.to_string()));
        }
        let mut events = Vec::new();
        let enterprise = input.enterprise.trim().to_string();
        if !enterprise.is_empty() && self.store.enterprise(&enterprise)?.is_none() {
            // Created on first use: a name is enough.
            let mut e = Enterprise::named(&enterprise);
            e.contact = non_empty(input.contact.as_deref());
            events.push(self.event(EventBody::EnterpriseSaved(e)));
        }
        self.new_departments(&input.departments, &mut events)?;
        let id = crate::ids::next();
        events.push(self.appeal_event(
            id,
            AppealChange::Captured(Capture {
                number: 0,
                external_id: None,
                enterprise,
                category,
                text: input.text.clone(),
                contact: non_empty(input.contact.as_deref()),
                meeting: input.meeting,
                departments: input.departments.clone(),
                day_only: Default::default(),
            }),
        ));
        let outcome = match &input.resolved {
            Some(answer) => AppealChange::ResolvedOnSpot {
                answer: answer.clone(),
            },
            None => AppealChange::Listed,
        };
        events.push(self.appeal_event(id, outcome));
        self.commit(events, id)
    }

    fn due_date(&self, due: Due, category: &str) -> Result<NaiveDate, DeskError> {
        let today = self.clock.today();
        let date = match due {
            Due::Date(d) => d,
            // Counted only as far as the limit: a typo of 100000 days is refused, not walked.
            Due::WorkingDays(k) if k > MAX_DUE_DAYS as u32 => {
                return Err(DeskError::ImplausibleDue(
                    today + chrono::Days::new(MAX_DUE_DAYS),
                ));
            }
            Due::WorkingDays(k) => self.calendar.add_working_days(today, k),
            Due::CategoryDefault => self
                .calendar
                .add_working_days(today, self.settings.rules.days_for(category)),
        };
        self.plausible_due(date)
    }

    /// A due date within [`MAX_DUE_DAYS`] of today (a typo in a year freezes nothing).
    fn plausible_due(&self, date: NaiveDate) -> Result<NaiveDate, DeskError> {
        if date > self.clock.today() + chrono::Days::new(MAX_DUE_DAYS) {
            return Err(DeskError::ImplausibleDue(date));
        }
        Ok(date)
    }

    /// Writes events after checking their times: none more than a day ahead of this machine's
    /// clock (`--now` included), none before 2000. An event dated far ahead would freeze its
    /// appeal: every later step would be "before the appeal's last event".
    fn append(&self, events: Vec<Event>) -> Result<Vec<Appeal>, crate::store::AppendError> {
        if let Some(refusal) = implausible(&events, &PlausibleTimes::now()) {
            return Err(crate::store::AppendError::Refused(refusal));
        }
        let before = self.store.journal_len();
        let appeals = self.store.append(events)?;
        let mut written = self.steps_written.lock().unwrap_or_else(|p| p.into_inner());
        written.journal_bytes += self.store.journal_len().saturating_sub(before);
        if written.appeals.len() + appeals.len() > STEPS_KEPT {
            written.too_many = true;
            written.appeals.clear();
        } else if !written.too_many {
            written.appeals.extend(appeals.iter().cloned());
        }
        Ok(appeals)
    }

    /// The steps on single appeals written since the last call (see [`StepsWritten`]).
    pub fn take_steps_written(&self) -> StepsWritten {
        std::mem::take(&mut *self.steps_written.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Where the journal ends: it moves with every write.
    pub fn journal_len(&self) -> u64 {
        self.store.journal_len()
    }

    fn known_steward(&self, name: &str) -> Result<String, DeskError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(DeskError::Empty("steward"));
        }
        match self.store.steward(name)? {
            Some(s) => Ok(s.name),
            None => Err(DeskError::UnknownSteward(name.to_string())),
        }
    }

    /// One lifecycle step on the appeal `reference` names.
    pub fn act(&self, reference: &str, action: Action) -> Result<Appeal, DeskError> {
        let appeal = self.find(reference)?;
        let mut events = Vec::new();
        let change = match action {
            Action::Assign {
                steward,
                lead,
                co,
                due,
            } => {
                let steward = self.known_steward(&steward)?;
                let mut depts = vec![lead.clone()];
                depts.extend(co.iter().cloned());
                self.new_departments(&depts, &mut events)?;
                AppealChange::Assigned(Assignment {
                    steward,
                    lead_dept: lead,
                    co_depts: co,
                    due: self.due_date(due, &appeal.category)?,
                })
            }
            Action::Acknowledge => AppealChange::Acknowledged,
            Action::Return { reason } => AppealChange::Returned { reason },
            Action::Reassign { steward, lead } => {
                let steward = self.known_steward(&steward)?;
                if let Some(l) = &lead {
                    self.new_departments([l], &mut events)?;
                }
                AppealChange::Reassigned {
                    steward,
                    lead_dept: lead,
                }
            }
            Action::Note { text } => AppealChange::Noted { text },
            Action::Escalate { level, to, note } => AppealChange::Escalated {
                level,
                to,
                note: non_empty(note.as_deref()),
            },
            Action::Extend { due, reason } => AppealChange::Extended {
                due: self.plausible_due(due)?,
                reason,
            },
            Action::Urge { note } => AppealChange::Urged {
                note: non_empty(note.as_deref()),
            },
            Action::Answer { text } => AppealChange::Answered { text },
            Action::Feedback { rating, comment } => AppealChange::Feedback {
                rating,
                comment: non_empty(comment.as_deref()),
                reopen_due: (!rating.closes())
                    .then(|| self.due_date(Due::CategoryDefault, &appeal.category))
                    .transpose()?,
            },
            Action::Reopen { reason, due } => AppealChange::Reopened {
                reason,
                due: self.due_date(due, &appeal.category)?,
            },
            Action::Withdraw { reason } => AppealChange::Withdrawn { reason },
            Action::Close { note } => AppealChange::Closed { note },
        };
        events.push(self.appeal_event(appeal.id, change));
        self.commit(events, appeal.id)
    }

    // ----- the registry -----

    pub fn add_steward(
        &self,
        name: &str,
        dept: &str,
        phone: Option<&str>,
        team: Option<&str>,
    ) -> Result<Steward, DeskError> {
        let name = non_empty(Some(name)).ok_or(DeskError::Empty("name"))?;
        non_empty(Some(dept)).ok_or(DeskError::Empty("dept"))?;
        if self.store.steward(&name)?.is_some() {
            return Err(DeskError::Exists {
                what: "steward",
                name,
            });
        }
        self.save_steward(name, dept, phone, team)
    }

    /// Adds an enterprise, or fills in the details of a known one.
    pub fn save_enterprise(&self, input: &EnterpriseInput) -> Result<Enterprise, DeskError> {
        let name = non_empty(Some(&input.name)).ok_or(DeskError::Empty("name"))?;
        let credit_code = match non_empty(input.credit_code.as_deref()) {
            Some(c) => Some(
                CreditCode::parse(&c).map_err(|error| DeskError::CreditCode {
                    given: c.clone(),
                    error,
                })?,
            ),
            None => None,
        };
        let newer = Enterprise {
            name: name.clone(),
            credit_code,
            contact: non_empty(input.contact.as_deref()),
            phone: non_empty(input.phone.as_deref()),
            town: non_empty(input.town.as_deref()),
            industry: non_empty(input.industry.as_deref()),
        };
        let record = match self.store.enterprise(&name)? {
            Some(known) => known.merged_with(&newer),
            None => newer,
        };
        self.append(vec![self.event(EventBody::EnterpriseSaved(record.clone()))])?;
        Ok(record)
    }

    /// Corrects a steward's department, phone or team (the name is who they are).
    pub fn edit_steward(
        &self,
        name: &str,
        dept: &str,
        phone: Option<&str>,
        team: Option<&str>,
    ) -> Result<Steward, DeskError> {
        let name = non_empty(Some(name)).ok_or(DeskError::Empty("name"))?;
        if self.store.steward(&name)?.is_none() {
            return Err(DeskError::UnknownSteward(name));
        }
        self.save_steward(name, dept, phone, team)
    }

    /// Records a steward (new or corrected), with a department the desk may not know yet.
    fn save_steward(
        &self,
        name: String,
        dept: &str,
        phone: Option<&str>,
        team: Option<&str>,
    ) -> Result<Steward, DeskError> {
        let dept = non_empty(Some(dept)).ok_or(DeskError::Empty("dept"))?;
        let steward = Steward {
            name,
            dept: dept.clone(),
            phone: non_empty(phone),
            team: non_empty(team),
        };
        let mut events = Vec::new();
        self.new_departments([&dept], &mut events)?;
        events.push(self.event(EventBody::StewardSaved(steward.clone())));
        self.append(events)?;
        Ok(steward)
    }

    /// A department the desk offers for completion from now on.
    pub fn add_department(&self, name: &str) -> Result<String, DeskError> {
        let name = non_empty(Some(name)).ok_or(DeskError::Empty("name"))?;
        if self.store.has_department(&name)? {
            return Err(DeskError::Exists {
                what: "department",
                name,
            });
        }
        let mut events = Vec::new();
        self.new_departments([&name], &mut events)?;
        self.append(events)?;
        Ok(name)
    }

    /// Corrects a meeting's venue, host or departments; its number and date stay.
    pub fn edit_meeting(
        &self,
        number: u64,
        venue: &str,
        host: Option<&str>,
        depts: &[String],
    ) -> Result<Meeting, DeskError> {
        let Some(old) = self.store.meeting(number)? else {
            return Err(DeskError::UnknownMeeting(number.to_string()));
        };
        let venue = non_empty(Some(venue)).ok_or(DeskError::Empty("venue"))?;
        let meeting = Meeting {
            number,
            date: old.date,
            venue,
            host: non_empty(host),
            depts: crate::domain::appeal::clean_names(depts),
        };
        let mut events = Vec::new();
        self.new_departments(depts, &mut events)?;
        events.push(self.event(EventBody::MeetingEdited(meeting.clone())));
        self.append(events)?;
        Ok(meeting)
    }

    /// A meeting already recorded on the same day at the same venue (pointed out before a
    /// second is recorded).
    pub fn same_meeting(&self, date: NaiveDate, venue: &str) -> Result<Option<Meeting>, DeskError> {
        Ok(self
            .meetings()?
            .into_iter()
            .find(|m| m.date == date && m.venue == venue.trim()))
    }

    pub fn add_meeting(
        &self,
        date: NaiveDate,
        venue: &str,
        host: Option<&str>,
        depts: &[String],
    ) -> Result<Meeting, DeskError> {
        let venue = non_empty(Some(venue)).ok_or(DeskError::Empty("venue"))?;
        let mut events = Vec::new();
        self.new_departments(depts, &mut events)?;
        events.push(self.event(EventBody::MeetingAdded(Meeting {
            number: 0,
            date,
            venue,
            host: non_empty(host),
            depts: crate::domain::appeal::clean_names(depts),
        })));
        self.append(events)?;
        self.meetings()?
            .into_iter()
            .max_by_key(|m| m.number)
            .ok_or_else(|| DeskError::UnknownMeeting(date.to_string()))
    }

    pub fn stewards(&self) -> Result<Vec<Steward>, DeskError> {
        Ok(self.store.stewards().collect::<Result<_, _>>()?)
    }

    pub fn enterprises(&self) -> Result<Vec<Enterprise>, DeskError> {
        Ok(self.store.enterprises().collect::<Result<_, _>>()?)
    }

    pub fn departments(&self) -> Result<Vec<String>, DeskError> {
        Ok(self.store.departments()?)
    }

    /// Moves each time a command writes enterprises, stewards, departments or meetings: what
    /// the forms complete from is read again only then.
    pub fn registry_writes(&self) -> u64 {
        self.store.registry_writes()
    }

    /// Departments on record and those the configuration names, for completion.
    pub fn known_departments(&self) -> Result<Vec<String>, DeskError> {
        let mut all = self.settings.departments.clone();
        for d in self.store.departments()? {
            if !all.contains(&d) {
                all.push(d);
            }
        }
        Ok(all)
    }

    pub fn meetings(&self) -> Result<Vec<Meeting>, DeskError> {
        Ok(self.store.meetings().collect::<Result<_, _>>()?)
    }

    /// Finds a meeting by number, or by date when exactly one meeting was held that day.
    pub fn find_meeting(&self, reference: &str) -> Result<Meeting, DeskError> {
        let r = reference.trim().trim_start_matches('#');
        if let Ok(n) = r.parse::<u64>()
            && let Some(m) = self.store.meeting(n)?
        {
            return Ok(m);
        }
        if let Some(date) = clock::parse_date(r) {
            let on_day: Vec<Meeting> = self
                .meetings()?
                .into_iter()
                .filter(|m| m.date == date)
                .collect();
            if let [only] = on_day.as_slice() {
                return Ok(only.clone());
            }
        }
        Err(DeskError::UnknownMeeting(reference.trim().to_string()))
    }

    /// The appeal with its whole timeline.
    /// The steps of an appeal's timeline that are not in effect, and why (see `domain::fold`).
    pub fn not_in_effect(
        &self,
        appeal: &Appeal,
        events: &[Event],
    ) -> Vec<crate::domain::NotInEffect> {
        crate::domain::appeal::fold(appeal.id, events).not_in_effect
    }

    /// Appeals with steps not in effect, for a person to settle, with their timelines.
    pub fn conflicts(&self) -> Result<Vec<crate::domain::Conflicted>, DeskError> {
        Ok(self.store.conflicts()?)
    }

    pub fn show(&self, reference: &str) -> Result<(Appeal, Vec<Event>), DeskError> {
        let appeal = self.find(reference)?;
        let events = self.store.events_of(appeal.id)?;
        Ok((appeal, events))
    }

    // ----- imports and bundles: many commands at once -----

    /// Commands checked elsewhere (an import), written in one transaction.
    pub fn append_commands(&self, mut commands: Vec<Vec<Event>>) -> Result<Vec<Appeal>, DeskError> {
        let n = commands.len();
        self.stamp_desk(commands.iter_mut().flatten());
        let times = PlausibleTimes::now();
        if let Some(refusal) = commands.iter().find_map(|c| implausible(c, &times)) {
            return Err(DeskError::Refused(refusal));
        }
        let appeals = self.store.append_batch(commands)?;
        tracing::info!(commands = n, "batch saved");
        Ok(appeals)
    }

    /// Writes each batch `batches` yields (the events of its commands, one after another), as
    /// [`Desk::append_commands`] would one after the other, each planned while the one before
    /// is written (an import's). Stops at the first refused or not written: those before it are
    /// written. Each batch's events, once written, are handed to `let_go`.
    pub fn append_batches(
        &self,
        batches: impl Iterator<Item = Vec<Event>>,
        let_go: impl FnMut(Vec<Event>),
    ) -> Result<(), DeskError> {
        let (mut refused, mut n) = (None, 0usize);
        let checked = batches.map_while(|mut events| {
            self.stamp_desk(&mut events);
            match implausible(&events, &PlausibleTimes::now()) {
                Some(refusal) => {
                    refused = Some(refusal);
                    None
                }
                None => {
                    n += events.len();
                    Some(events)
                }
            }
        });
        self.store.append_batches(checked, let_go)?;
        match refused {
            Some(refusal) => Err(DeskError::Refused(refusal)),
            None => {
                tracing::info!(events = n, "batches saved");
                Ok(())
            }
        }
    }

    /// Events that name no desk are this desk's to answer for.
    fn stamp_desk<'a>(&self, events: impl IntoIterator<Item = &'a mut Event>) {
        if let Some(name) = &self.desk_name {
            for e in events {
                if e.desk.is_none() {
                    e.desk = Some(name.clone());
                }
            }
        }
    }

    pub fn appeal_count(&self) -> u64 {
        self.store.appeal_count()
    }

    /// Whether any appeal here was imported from a ledger.
    pub fn holds_imported(&self) -> Result<bool, DeskError> {
        Ok(self.store.holds_ledger_ids()?)
    }

    /// The appeal imported from a ledger's row (`source:id`), whole.
    pub fn appeal_by_external_id(&self, external_id: &str) -> Result<Option<Appeal>, DeskError> {
        Ok(self.store.appeal_by_external_id(external_id)?)
    }

    pub fn has_enterprise(&self, name: &str) -> Result<bool, DeskError> {
        Ok(self.store.enterprise(name)?.is_some())
    }

    pub fn has_steward(&self, name: &str) -> Result<bool, DeskError> {
        Ok(self.store.steward(name)?.is_some())
    }

    pub fn has_department(&self, name: &str) -> Result<bool, DeskError> {
        Ok(self.store.has_department(name)?)
    }

    // ----- drafts: half-typed forms, kept until saved or discarded -----

    pub fn save_draft(&self, key: &str, body: &str) -> Result<(), DeskError> {
        Ok(self.store.save_draft(key, body.as_bytes())?)
    }

    pub fn draft(&self, key: &str) -> Result<Option<String>, DeskError> {
        Ok(self
            .store
            .draft(key)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    pub fn discard_draft(&self, key: &str) -> Result<(), DeskError> {
        Ok(self.store.discard_draft(key)?)
    }

    pub fn drafts(&self) -> Result<Vec<String>, DeskError> {
        Ok(self.store.draft_keys()?)
    }

    pub fn backup(&self, target: &Path) -> Result<(), DeskError> {
        let calendar = [self.calendar_path.as_path()];
        let also: &[&Path] = if self.calendar_path.exists() {
            &calendar
        } else {
            &[]
        };
        Ok(self.store.backup(target, also)?)
    }

    /// Problems found by checking every projection against its events (empty when all is well).
    /// The journal is read whole and compared with the store too.
    pub fn verify(&self) -> Result<Vec<String>, DeskError> {
        let mut problems = self.store.verify_journal()?;
        problems.extend(self.store.verify()?);
        Ok(problems)
    }
}

/// `12` with the prefix `XZ` is `XZ-12`; a provisional number is `临3` (its own mark, no prefix).
pub fn label(prefix: &str, number: u64) -> String {
    if crate::domain::number::is_provisional(number) {
        crate::domain::number::display(number)
    } else if prefix.is_empty() {
        number.to_string()
    } else {
        format!("{prefix}-{number}")
    }
}

/// What a person typed for a number, without `#`, the prefix or its dash.
fn strip_prefix<'a>(prefix: &str, reference: &'a str) -> &'a str {
    let r = reference.trim().trim_start_matches('#');
    if prefix.is_empty() {
        return r;
    }
    match r.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => {
            r[prefix.len()..].trim_start_matches(['-', ' '])
        }
        _ => r,
    }
}

/// A short name for an event, for the log.
pub(crate) fn event_name(e: &Event) -> &'static str {
    match &e.body {
        EventBody::Appeal { change, .. } => match change.kind() {
            crate::domain::ChangeKind::Capture => "capture",
            crate::domain::ChangeKind::ResolveOnSpot => "resolve_on_spot",
            crate::domain::ChangeKind::List => "list",
            crate::domain::ChangeKind::Assign => "assign",
            crate::domain::ChangeKind::Acknowledge => "acknowledge",
            crate::domain::ChangeKind::Return => "return",
            crate::domain::ChangeKind::Reassign => "reassign",
            crate::domain::ChangeKind::Note => "note",
            crate::domain::ChangeKind::Escalate => "escalate",
            crate::domain::ChangeKind::Extend => "extend",
            crate::domain::ChangeKind::Urge => "urge",
            crate::domain::ChangeKind::Answer => "answer",
            crate::domain::ChangeKind::Feedback => "feedback",
            crate::domain::ChangeKind::Reopen => "reopen",
            crate::domain::ChangeKind::Withdraw => "withdraw",
            crate::domain::ChangeKind::Close => "close",
        },
        EventBody::EnterpriseSaved(_) => "enterprise",
        EventBody::StewardSaved(_) => "steward",
        EventBody::DepartmentAdded { .. } => "department",
        EventBody::MeetingAdded(_) => "meeting",
        EventBody::MeetingEdited(_) => "meeting_edited",
    }
}

/// Recreates the store of the data directory from its journal alone.
/// Brings back the store the last rebuild replaced.
pub fn undo_rebuild(options: &DeskOptions) -> Result<crate::store::Undone, DeskError> {
    let dir = paths::data_dir(options.data_dir.as_deref()).ok_or(DeskError::NoDataDir)?;
    Ok(Store::undo_rebuild(&dir)?)
}

/// Writes the journal anew from the store. Not on a desk joined to a hub: where its journal
/// stands is how it knows what it has sent, and the hub holds what was sent anyway.
pub fn rewrite_journal(options: &DeskOptions) -> Result<crate::store::Rewritten, DeskError> {
    let dir = paths::data_dir(options.data_dir.as_deref()).ok_or(DeskError::NoDataDir)?;
    if sync::HubLink::load(&dir)?.is_some() {
        return Err(DeskError::RewriteOnHub);
    }
    Ok(Store::rewrite_journal(&dir)?)
}

/// Seals the journal's whole commands so far (see [`Store::seal_journal_now`]); returns where
/// the sealed parts now end, or `None` when the live file held nothing to seal.
pub fn seal_journal(options: &DeskOptions) -> Result<Option<u64>, DeskError> {
    let dir = paths::data_dir(options.data_dir.as_deref()).ok_or(DeskError::NoDataDir)?;
    let (store, _) = Store::open(&dir)?;
    Ok(store.seal_journal_now()?)
}

pub fn rebuild(options: &DeskOptions) -> Result<(u64, PathBuf), DeskError> {
    let dir = paths::data_dir(options.data_dir.as_deref()).ok_or(DeskError::NoDataDir)?;
    let (store, old) = Store::rebuild(&dir)?;
    Ok((store.appeal_count(), old))
}
