//! An appeal (诉求) is the fold of its events. `Appeal::apply` is the lifecycle of ARCHITECTURE.md: it
//! either returns the appeal after the change or a `Refusal` saying why not, and it is the one
//! place that decides — capture, replay from the journal and rebuild all go through it.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::event::{AppealChange, AppealId, Event, EventBody, EventId, Level, Satisfaction};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Captured,
    Listed,
    Assigned,
    InProgress,
    Answered,
    Closed,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Captured,
        Status::Listed,
        Status::Assigned,
        Status::InProgress,
        Status::Answered,
        Status::Closed,
        Status::Withdrawn,
    ];

    /// Every state but closed and withdrawn.
    pub const OPEN: [Status; 5] = [
        Status::Captured,
        Status::Listed,
        Status::Assigned,
        Status::InProgress,
        Status::Answered,
    ];

    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Withdrawn)
    }

    /// The name used in scripts, JSON and the CLI.
    pub fn key(self) -> &'static str {
        match self {
            Status::Captured => "captured",
            Status::Listed => "listed",
            Status::Assigned => "assigned",
            Status::InProgress => "in_progress",
            Status::Answered => "answered",
            Status::Closed => "closed",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn from_key(key: &str) -> Option<Status> {
        let key = key.trim().replace('-', "_");
        Status::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Stable one-byte code, used in index keys.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// How a closed appeal was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosedHow {
    OnSpot,
    Answered,
    Withdrawn,
}

impl ClosedHow {
    pub fn key(self) -> &'static str {
        match self {
            ClosedHow::OnSpot => "on_spot",
            ClosedHow::Answered => "answered",
            ClosedHow::Withdrawn => "withdrawn",
        }
    }
}

/// The kind of a change, without its payload: what a refusal names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    Capture,
    ResolveOnSpot,
    List,
    Assign,
    Acknowledge,
    Return,
    Reassign,
    Note,
    Escalate,
    Extend,
    Urge,
    Answer,
    Feedback,
    Reopen,
    Withdraw,
    Close,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 16] = [
        ChangeKind::Capture,
        ChangeKind::ResolveOnSpot,
        ChangeKind::List,
        ChangeKind::Assign,
        ChangeKind::Acknowledge,
        ChangeKind::Return,
        ChangeKind::Reassign,
        ChangeKind::Note,
        ChangeKind::Escalate,
        ChangeKind::Extend,
        ChangeKind::Urge,
        ChangeKind::Answer,
        ChangeKind::Feedback,
        ChangeKind::Reopen,
        ChangeKind::Withdraw,
        ChangeKind::Close,
    ];

    /// The states this change may start from (the diagram in ARCHITECTURE.md). `Capture` starts from nothing.
    pub fn allowed_from(self) -> &'static [Status] {
        use Status::*;
        match self {
            ChangeKind::Capture => &[],
            ChangeKind::ResolveOnSpot | ChangeKind::List => &[Captured],
            ChangeKind::Assign => &[Listed],
            ChangeKind::Acknowledge | ChangeKind::Return => &[Assigned],
            ChangeKind::Reassign | ChangeKind::Escalate | ChangeKind::Extend => {
                &[Assigned, InProgress]
            }
            ChangeKind::Note => &[Listed, Assigned, InProgress, Answered],
            ChangeKind::Urge => &[Listed, Assigned, InProgress],
            ChangeKind::Answer => &[InProgress],
            ChangeKind::Feedback | ChangeKind::Close => &[Answered],
            ChangeKind::Reopen => &[Answered, Closed],
            ChangeKind::Withdraw => &[Captured, Listed, Assigned, InProgress, Answered],
        }
    }
}

impl AppealChange {
    pub fn kind(&self) -> ChangeKind {
        match self {
            AppealChange::Captured(_) => ChangeKind::Capture,
            AppealChange::ResolvedOnSpot { .. } => ChangeKind::ResolveOnSpot,
            AppealChange::Listed => ChangeKind::List,
            AppealChange::Assigned(_) => ChangeKind::Assign,
            AppealChange::Acknowledged => ChangeKind::Acknowledge,
            AppealChange::Returned { .. } => ChangeKind::Return,
            AppealChange::Reassigned { .. } => ChangeKind::Reassign,
            AppealChange::Noted { .. } => ChangeKind::Note,
            AppealChange::Escalated { .. } => ChangeKind::Escalate,
            AppealChange::Extended { .. } => ChangeKind::Extend,
            AppealChange::Urged { .. } => ChangeKind::Urge,
            AppealChange::Answered { .. } => ChangeKind::Answer,
            AppealChange::Feedback { .. } => ChangeKind::Feedback,
            AppealChange::Reopened { .. } => ChangeKind::Reopen,
            AppealChange::Withdrawn { .. } => ChangeKind::Withdraw,
            AppealChange::Closed { .. } => ChangeKind::Close,
        }
    }
}

/// A field a change needs and did not get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Enterprise,
    Category,
    Text,
    Answer,
    Reason,
    Steward,
    LeadDept,
    EscalationTarget,
    Note,
    Due,
}

/// Why a change was refused. Nothing is written when a change is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The appeal's state does not allow this change.
    NotAllowed {
        change: ChangeKind,
        status: Status,
    },
    /// A capture for an appeal that already exists.
    AlreadyCaptured,
    /// A change for an appeal that was never captured.
    NotCaptured,
    Missing(Field),
    /// A due date before the day it is set on.
    DueInPast {
        due: NaiveDate,
        today: NaiveDate,
    },
    /// Extensions are asked for before the due date passes.
    ExtendAfterDue {
        due: NaiveDate,
        today: NaiveDate,
    },
    /// An extension must move the due date later.
    ExtendNotLater {
        due: NaiveDate,
        requested: NaiveDate,
    },
    /// Escalation goes up only: district → city → province.
    EscalateNotHigher {
        current: Level,
        requested: Level,
    },
    /// Reassigning to the steward who already has it.
    SameSteward {
        steward: String,
    },
    /// Only an appeal closed after an answer can be reopened (重办).
    CannotReopen {
        how: ClosedHow,
    },
    /// An event dated before the appeal's last event: the timeline only moves forward.
    BeforeLastEvent {
        last: DateTime<FixedOffset>,
    },
    /// A time no desk may write: more than a day ahead of the machine's clock, or before 2000.
    ImplausibleTime {
        at: DateTime<FixedOffset>,
    },
    /// An appeal or meeting number out of every sane range (0 given as a number, or beyond
    /// [`crate::domain::number::MAX_NUMBER`]).
    ImplausibleNumber {
        number: u64,
    },
    /// A due date no desk could mean: before 2000 or more than five years on.
    ImplausibleDate {
        date: chrono::NaiveDate,
    },
}

/// How much of an appeal's text its summary keeps: what a list row shows and its filter matches.
pub const SUMMARY_TEXT_CHARS: usize = 40;

/// The projection of an appeal: everything the list, the detail view and the figures read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appeal {
    #[serde(with = "super::wire::id")]
    pub id: AppealId,
    pub number: u64,
    /// The id in the ledger it was imported from (`source:id`).
    pub external_id: Option<String>,
    pub enterprise: String,
    pub category: String,
    pub text: String,
    pub contact: Option<String>,
    pub meeting: Option<u64>,
    /// Departments concerned, as noted at capture.
    pub departments: Vec<String>,
    #[serde(with = "super::wire::time")]
    pub captured_at: DateTime<FixedOffset>,
    /// Which of its times its ledger gave as days only.
    pub day_only: crate::domain::event::DayOnly,
    pub captured_by: String,
    pub status: Status,
    pub closed_how: Option<ClosedHow>,
    pub steward: Option<String>,
    pub lead_dept: Option<String>,
    pub co_depts: Vec<String>,
    #[serde(with = "super::wire::date_opt", default)]
    pub due: Option<NaiveDate>,
    #[serde(with = "super::wire::time_opt", default)]
    pub listed_at: Option<DateTime<FixedOffset>>,
    #[serde(with = "super::wire::time_opt", default)]
    pub assigned_at: Option<DateTime<FixedOffset>>,
    #[serde(with = "super::wire::time_opt", default)]
    pub acknowledged_at: Option<DateTime<FixedOffset>>,
    pub level: Level,
    pub escalated_to: Option<String>,
    pub extensions: u32,
    pub urges: u32,
    pub reopens: u32,
    pub returns: u32,
    pub answer: Option<String>,
    #[serde(with = "super::wire::time_opt", default)]
    pub answered_at: Option<DateTime<FixedOffset>>,
    pub rating: Option<Satisfaction>,
    pub feedback_comment: Option<String>,
    #[serde(with = "super::wire::time_opt", default)]
    pub closed_at: Option<DateTime<FixedOffset>>,
    /// The reason or note given when it was withdrawn or closed without feedback.
    pub closing_note: Option<String>,
    pub last_note: Option<String>,
    /// How many events the appeal has: its version.
    pub events: u32,
    /// Steps in its timeline that are not in effect: taken on another desk while this one was
    /// offline, and made impossible by a step the hub had placed before them (see [`fold`]).
    pub conflicts: u32,
    #[serde(with = "super::wire::time")]
    pub last_event_at: DateTime<FixedOffset>,
}

/// A step kept in an appeal's timeline that is not in effect: the state it met, in the hub's
/// order, did not allow it. Every desk that holds the same events finds the same ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotInEffect {
    pub event: EventId,
    pub refusal: Refusal,
}

/// An appeal folded from its history, with the steps that are not in effect.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Folded {
    /// `None` when the history holds no capture that took effect.
    pub appeal: Option<Appeal>,
    pub not_in_effect: Vec<NotInEffect>,
}

/// An appeal with steps not in effect: the appeal, its whole timeline, and those steps.
#[derive(Clone, Debug)]
pub struct Conflicted {
    pub appeal: Appeal,
    pub events: Vec<Event>,
    pub not_in_effect: Vec<NotInEffect>,
}

/// Puts an appeal's events in the district's order: the hub's first, by its place, then those
/// not yet sent, in the order they were taken. Stable, so a desk alone keeps its own order.
pub fn order_events(events: &mut [Event]) {
    events.sort_by_key(Event::order_key);
}

/// An appeal from its events, taken in the order given (see [`order_events`]). A step the
/// appeal's state refuses at its place stays in the timeline as [`NotInEffect`] instead of
/// stopping the fold: two desks offline can each take a step that only one of them can keep.
/// The numbers the hub gave (the appeal's and its meeting's) replace the ones it was taken with.
pub fn fold(id: AppealId, events: &[Event]) -> Folded {
    let mut folded = Folded::default();
    for e in events {
        let EventBody::Appeal { change, .. } = &e.body else {
            continue;
        };
        // Each step is taken in place: a refused one leaves the appeal as it was.
        let taken = match folded.appeal.as_mut() {
            Some(appeal) => appeal.step(e.at, change),
            None => Appeal::captured(id, e.at, &e.actor, change).map(|mut captured| {
                if let Some(stamp) = e.hub {
                    captured.number = stamp.number.unwrap_or(captured.number);
                    captured.meeting = stamp.meeting.or(captured.meeting);
                }
                folded.appeal = Some(captured);
            }),
        };
        if let Err(refusal) = taken {
            folded.not_in_effect.push(NotInEffect {
                event: e.id,
                refusal,
            });
        }
    }
    if let Some(a) = folded.appeal.as_mut() {
        a.conflicts = u32::try_from(folded.not_in_effect.len()).unwrap_or(u32::MAX);
    }
    folded
}

/// Only assigned and in-progress appeals have a deadline to meet.
pub fn running_due(status: Status, due: Option<NaiveDate>) -> Option<NaiveDate> {
    match status {
        Status::Assigned | Status::InProgress => due,
        _ => None,
    }
}

/// What the list shows, sorts and filters on of an appeal: a view of it, kept by the store
/// beside the appeal so that a list of a million is read in one pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Brief<'a> {
    pub id: AppealId,
    pub number: u64,
    pub status: Status,
    pub enterprise: &'a str,
    pub category: &'a str,
    pub steward: Option<&'a str>,
    pub lead_dept: Option<&'a str>,
    pub co_depts: Vec<&'a str>,
    pub due: Option<NaiveDate>,
    /// Seconds since the epoch.
    pub captured_at: i64,
    /// The day of capture where it was captured.
    pub captured_on: NaiveDate,
    pub urges: u32,
    pub meeting: Option<u64>,
    /// The text's first [`SUMMARY_TEXT_CHARS`] characters.
    pub text: &'a str,
    /// The day it was closed (or withdrawn), where it was closed.
    pub closed_on: Option<NaiveDate>,
}

impl Brief<'_> {
    /// As [`Appeal::running_due`].
    pub fn running_due(&self) -> Option<NaiveDate> {
        running_due(self.status, self.due)
    }
}

/// A reopening's due date, refused if it is already past.
fn reopen_due_allowed(due: NaiveDate, today: NaiveDate) -> Result<NaiveDate, Refusal> {
    if due < today {
        return Err(Refusal::DueInPast { due, today });
    }
    Ok(due)
}

fn required(value: &str, field: Field) -> Result<String, Refusal> {
    let v = value.trim();
    if v.is_empty() {
        Err(Refusal::Missing(field))
    } else {
        Ok(v.to_string())
    }
}

fn optional(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// Trimmed, without empties or repeats, in the order given.
pub fn clean_names<'a>(names: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let n = n.trim();
        if !n.is_empty() && !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    out
}

impl Appeal {
    /// The lifecycle, in place: the step is taken on the appeal in `slot` (a refused one leaves
    /// it as it was), or, with none there yet, `change` must capture it. As [`Appeal::apply`]
    /// without a copy of the appeal for each step.
    pub fn take_into(
        slot: &mut Option<Appeal>,
        id: AppealId,
        at: DateTime<FixedOffset>,
        actor: &str,
        change: &AppealChange,
    ) -> Result<(), Refusal> {
        match slot {
            Some(appeal) => appeal.take_step(at, change),
            None => {
                *slot = Some(Appeal::captured(id, at, actor, change)?);
                Ok(())
            }
        }
    }

    /// The lifecycle: `current` is the appeal before the change (`None` before its capture).
    pub fn apply(
        current: Option<&Appeal>,
        id: AppealId,
        at: DateTime<FixedOffset>,
        actor: &str,
        change: &AppealChange,
    ) -> Result<Appeal, Refusal> {
        match current {
            None => Appeal::captured(id, at, actor, change),
            Some(current) => {
                let mut next = current.clone();
                next.take_step(at, change)?;
                Ok(next)
            }
        }
    }

    /// As [`Appeal::apply`], in place, for an appeal already captured: a step refused leaves
    /// it as it was.
    pub fn take_step(
        &mut self,
        at: DateTime<FixedOffset>,
        change: &AppealChange,
    ) -> Result<(), Refusal> {
        if change.kind() != ChangeKind::Capture && at < self.last_event_at {
            return Err(Refusal::BeforeLastEvent {
                last: self.last_event_at,
            });
        }
        self.step(at, change)
    }

    /// A new appeal from its capture.
    fn captured(
        id: AppealId,
        at: DateTime<FixedOffset>,
        actor: &str,
        change: &AppealChange,
    ) -> Result<Appeal, Refusal> {
        match change {
            AppealChange::Captured(c) => Ok(Appeal {
                id,
                number: c.number,
                external_id: c.external_id.clone(),
                enterprise: required(&c.enterprise, Field::Enterprise)?,
                category: required(&c.category, Field::Category)?,
                text: required(&c.text, Field::Text)?,
                contact: optional(&c.contact),
                meeting: c.meeting,
                departments: clean_names(&c.departments),
                captured_at: at,
                day_only: c.day_only,
                captured_by: actor.to_string(),
                status: Status::Captured,
                closed_how: None,
                steward: None,
                lead_dept: None,
                co_depts: Vec::new(),
                due: None,
                listed_at: None,
                assigned_at: None,
                acknowledged_at: None,
                level: Level::District,
                escalated_to: None,
                extensions: 0,
                urges: 0,
                reopens: 0,
                returns: 0,
                answer: None,
                answered_at: None,
                rating: None,
                feedback_comment: None,
                closed_at: None,
                closing_note: None,
                last_note: None,
                events: 1,
                conflicts: 0,
                last_event_at: at,
            }),
            _ => Err(Refusal::NotCaptured),
        }
    }

    /// Takes one step after the capture, in place, for a step whose place in the timeline is
    /// already decided (the hub's order): its own date may be earlier than the last step's,
    /// taken on a desk whose clock was behind or that was offline, and that alone refuses
    /// nothing. Every check comes before the first change, so a step refused leaves the appeal
    /// as it was (and a fold copies nothing).
    fn step(&mut self, at: DateTime<FixedOffset>, change: &AppealChange) -> Result<(), Refusal> {
        let kind = change.kind();
        if kind == ChangeKind::Capture {
            return Err(Refusal::AlreadyCaptured);
        }
        if !kind.allowed_from().contains(&self.status) {
            return Err(Refusal::NotAllowed {
                change: kind,
                status: self.status,
            });
        }
        let today = at.date_naive();
        match change {
            AppealChange::Captured(_) => return Err(Refusal::AlreadyCaptured),
            AppealChange::ResolvedOnSpot { answer } => {
                self.answer = Some(required(answer, Field::Answer)?);
                self.answered_at = Some(at);
                self.close(at, ClosedHow::OnSpot);
            }
            AppealChange::Listed => {
                self.status = Status::Listed;
                self.listed_at = Some(at);
            }
            AppealChange::Assigned(a) => {
                let steward = required(&a.steward, Field::Steward)?;
                let lead = required(&a.lead_dept, Field::LeadDept)?;
                if a.due < today {
                    return Err(Refusal::DueInPast { due: a.due, today });
                }
                self.co_depts = clean_names(&a.co_depts);
                self.co_depts.retain(|d| *d != lead);
                self.steward = Some(steward);
                self.lead_dept = Some(lead);
                self.due = Some(a.due);
                self.assigned_at = Some(at);
                self.acknowledged_at = None;
                self.status = Status::Assigned;
            }
            AppealChange::Acknowledged => {
                self.acknowledged_at = Some(at);
                self.status = Status::InProgress;
            }
            AppealChange::Returned { reason } => {
                self.last_note = Some(required(reason, Field::Reason)?);
                self.steward = None;
                self.lead_dept = None;
                self.co_depts.clear();
                self.due = None;
                self.assigned_at = None;
                self.acknowledged_at = None;
                self.returns += 1;
                self.status = Status::Listed;
            }
            AppealChange::Reassigned { steward, lead_dept } => {
                let steward = required(steward, Field::Steward)?;
                if self.steward.as_deref() == Some(steward.as_str()) {
                    return Err(Refusal::SameSteward { steward });
                }
                self.steward = Some(steward);
                if let Some(lead) = optional(lead_dept) {
                    self.co_depts.retain(|d| *d != lead);
                    self.lead_dept = Some(lead);
                }
                self.assigned_at = Some(at);
                self.acknowledged_at = None;
                self.status = Status::Assigned;
            }
            AppealChange::Noted { text } => {
                self.last_note = Some(required(text, Field::Text)?);
            }
            AppealChange::Escalated { level, to, .. } => {
                if *level <= self.level {
                    return Err(Refusal::EscalateNotHigher {
                        current: self.level,
                        requested: *level,
                    });
                }
                self.escalated_to = Some(required(to, Field::EscalationTarget)?);
                self.level = *level;
            }
            AppealChange::Extended { due, reason } => {
                required(reason, Field::Reason)?;
                // Assigned and in-progress appeals always have a due date.
                let Some(old) = self.due else {
                    return Err(Refusal::Missing(Field::Due));
                };
                if today > old {
                    return Err(Refusal::ExtendAfterDue { due: old, today });
                }
                if *due <= old {
                    return Err(Refusal::ExtendNotLater {
                        due: old,
                        requested: *due,
                    });
                }
                self.due = Some(*due);
                self.extensions += 1;
            }
            AppealChange::Urged { .. } => {
                self.urges += 1;
            }
            AppealChange::Answered { text } => {
                self.answer = Some(required(text, Field::Answer)?);
                self.answered_at = Some(at);
                self.status = Status::Answered;
            }
            AppealChange::Feedback {
                rating,
                comment,
                reopen_due,
            } => {
                let reopen = match (rating.closes(), *reopen_due) {
                    (true, _) => None,
                    (false, Some(due)) => Some(reopen_due_allowed(due, today)?),
                    (false, None) => return Err(Refusal::Missing(Field::Due)),
                };
                self.rating = Some(*rating);
                self.feedback_comment = optional(comment);
                match reopen {
                    None => self.close(at, ClosedHow::Answered),
                    Some(due) => self.reopen(due),
                }
            }
            AppealChange::Reopened { reason, due } => {
                if let Some(how) = self.closed_how
                    && how != ClosedHow::Answered
                {
                    return Err(Refusal::CannotReopen { how });
                }
                let reason = required(reason, Field::Reason)?;
                let due = reopen_due_allowed(*due, today)?;
                self.last_note = Some(reason);
                self.rating = None;
                self.feedback_comment = None;
                self.reopen(due);
            }
            AppealChange::Withdrawn { reason } => {
                self.closing_note = Some(required(reason, Field::Reason)?);
                self.close(at, ClosedHow::Withdrawn);
                self.status = Status::Withdrawn;
            }
            AppealChange::Closed { note } => {
                self.closing_note = Some(required(note, Field::Note)?);
                self.close(at, ClosedHow::Answered);
            }
        }
        self.events += 1;
        self.last_event_at = at.max(self.last_event_at);
        Ok(())
    }

    fn close(&mut self, at: DateTime<FixedOffset>, how: ClosedHow) {
        self.status = Status::Closed;
        self.closed_how = Some(how);
        self.closed_at = Some(at);
    }

    fn reopen(&mut self, due: NaiveDate) {
        self.due = Some(due);
        self.reopens += 1;
        self.status = Status::InProgress;
        self.closed_how = None;
        self.closed_at = None;
    }

    /// The appeal as lists, boards and figures hold it: every field but the long texts — the
    /// text clipped to its first [`SUMMARY_TEXT_CHARS`] characters, the answer and notes left
    /// out. A million of these fit in memory; the whole appeal is read when it is opened.
    /// Whether `t` is one of this appeal's times that its ledger gave as a day only.
    pub fn is_day_only(&self, t: DateTime<FixedOffset>) -> bool {
        (self.day_only.received && t == self.captured_at)
            || (self.day_only.answered
                && (Some(t) == self.answered_at || Some(t) == self.closed_at))
    }

    /// One of this appeal's times as people read it: a day only where the ledger gave a day.
    pub fn shown_time(&self, t: DateTime<FixedOffset>, with_year: bool) -> String {
        match (self.is_day_only(t), with_year) {
            (true, true) => t.format("%Y-%m-%d").to_string(),
            (true, false) => t.format("%m-%d").to_string(),
            (false, true) => t.format("%Y-%m-%d %H:%M").to_string(),
            (false, false) => t.format("%m-%d %H:%M").to_string(),
        }
    }

    /// One of this appeal's times for scripts: RFC 3339, or the day alone where the ledger gave
    /// a day.
    pub fn time_text(&self, t: DateTime<FixedOffset>) -> String {
        if self.is_day_only(t) {
            t.date_naive().to_string()
        } else {
            t.to_rfc3339()
        }
    }

    pub fn summary(&self) -> Appeal {
        Appeal {
            text: self.text.chars().take(SUMMARY_TEXT_CHARS).collect(),
            answer: None,
            feedback_comment: None,
            closing_note: None,
            last_note: None,
            ..self.clone()
        }
    }

    /// What the list shows, sorts and filters on (see [`Brief`]).
    pub fn brief(&self) -> Brief<'_> {
        let text_end = self
            .text
            .char_indices()
            .nth(SUMMARY_TEXT_CHARS)
            .map_or(self.text.len(), |(i, _)| i);
        Brief {
            id: self.id,
            number: self.number,
            status: self.status,
            enterprise: &self.enterprise,
            category: &self.category,
            steward: self.steward.as_deref(),
            lead_dept: self.lead_dept.as_deref(),
            co_depts: self.co_depts.iter().map(String::as_str).collect(),
            due: self.due,
            captured_at: self.captured_at.timestamp(),
            captured_on: self.captured_at.date_naive(),
            closed_on: self.closed_at.map(|t| t.date_naive()),
            urges: self.urges,
            meeting: self.meeting,
            text: &self.text[..text_end],
        }
    }

    /// The day the clock of this appeal's due date is counted against, if it has one running:
    /// only assigned and in-progress appeals have a deadline to meet.
    pub fn running_due(&self) -> Option<NaiveDate> {
        running_due(self.status, self.due)
    }
}
