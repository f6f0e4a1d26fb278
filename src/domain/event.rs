//! Events: the only thing the desk ever writes. Appeals, enterprises, stewards, departments and
//! meetings are all folds of these, and the journal is these, one JSON object a line.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::records::{Enterprise, Meeting, Steward};

/// The globally unique identity of an event (a ULID: sortable, unique across desks).
pub type EventId = ulid::Ulid;
/// The globally unique identity of an appeal; the short number people read sits on top of it.
pub type AppealId = ulid::Ulid;

/// One recorded fact: who did what, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    #[serde(with = "super::wire::id")]
    pub id: EventId,
    #[serde(with = "super::wire::time")]
    pub at: DateTime<FixedOffset>,
    pub actor: String,
    pub body: EventBody,
    /// The desk that wrote it (the laptop or office, `desk = "xz-laptop-3"`); events written
    /// before a desk had a name carry none. The hub accepts an event only from the desk it names.
    #[serde(default)]
    pub desk: Option<String>,
    /// Where the hub put the event in the district's history, once it has been there.
    #[serde(default)]
    pub hub: Option<HubStamp>,
}

/// What the hub added to an event when it took it in: its place in the district's history and,
/// for captures and meetings, the numbers it handed out. Every desk folds an appeal's events in
/// the hub's order (`seq`), then its own not yet sent, in the order they were taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HubStamp {
    pub seq: u64,
    /// A capture's appeal number, or a meeting's number, as the hub gave it.
    #[serde(default)]
    pub number: Option<u64>,
    /// A capture's meeting, by the number the hub gave that meeting.
    #[serde(default)]
    pub meeting: Option<u64>,
}

/// An event as text (the journal, bundles, the hub): the same fields, without the desk and the
/// hub's stamp when it has none, so that a desk without a hub writes the lines it always wrote.
#[derive(Serialize)]
pub struct EventText<'a> {
    #[serde(with = "super::wire::id")]
    id: EventId,
    #[serde(with = "super::wire::time")]
    at: DateTime<FixedOffset>,
    actor: &'a str,
    body: &'a EventBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    desk: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hub: Option<HubStamp>,
}

impl Event {
    /// See [`EventText`].
    pub fn as_text(&self) -> EventText<'_> {
        EventText {
            id: self.id,
            at: self.at,
            actor: &self.actor,
            body: &self.body,
            desk: self.desk.as_deref(),
            hub: self.hub,
        }
    }

    /// Where the event stands in an appeal's order: the hub's place, or after every event the
    /// hub has placed (those not yet sent keep the order they were taken in).
    pub fn order_key(&self) -> u64 {
        self.hub.map_or(u64::MAX, |h| h.seq)
    }
}

/// What an event is about: one appeal, or the registry of enterprises, stewards and meetings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventBody {
    Appeal {
        #[serde(with = "super::wire::id")]
        appeal: AppealId,
        change: AppealChange,
    },
    EnterpriseSaved(Enterprise),
    StewardSaved(Steward),
    DepartmentAdded {
        name: String,
    },
    MeetingAdded(Meeting),
    /// A meeting's venue, host or departments corrected (its number and date stay).
    MeetingEdited(Meeting),
}

/// The level an appeal is handled at; escalation (上报) only ever goes up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    District,
    City,
    Province,
}

/// One step of an appeal's lifecycle (ARCHITECTURE.md, "The lifecycle").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealChange {
    /// 诉求 raised by an enterprise; `number` is the short number people read.
    Captured(Capture),
    /// 当场解决, with the answer given at the meeting.
    ResolvedOnSpot { answer: String },
    /// Put on the 诉求清单.
    Listed,
    /// 交办 to a steward and departments, with a due date.
    Assigned(Assignment),
    /// 签收: the steward takes the assignment on.
    Acknowledged,
    /// 退回: "not ours", back to the list.
    Returned { reason: String },
    /// Handed to another steward (and possibly another lead department); needs a new 签收.
    Reassigned {
        steward: String,
        lead_dept: Option<String>,
    },
    /// 办理进展.
    Noted { text: String },
    /// 上报 to city or province.
    Escalated {
        level: Level,
        to: String,
        note: Option<String>,
    },
    /// 延期, asked for before the due date.
    Extended {
        #[serde(with = "super::wire::date")]
        due: NaiveDate,
        reason: String,
    },
    /// 督办: a supervisor's recorded push.
    Urged { note: Option<String> },
    /// 答复: the result reported to the enterprise.
    Answered { text: String },
    /// 回访 with a 好差评 rating; a rating of 不满意 or worse reopens (重办) with `reopen_due`.
    Feedback {
        rating: Satisfaction,
        comment: Option<String>,
        #[serde(with = "super::wire::date_opt", default)]
        reopen_due: Option<NaiveDate>,
    },
    /// 重办: back to work under the same steward.
    Reopened {
        reason: String,
        #[serde(with = "super::wire::date")]
        due: NaiveDate,
    },
    /// 撤回: the enterprise no longer needs it.
    Withdrawn { reason: String },
    /// 办结 without feedback (none to be had), with a note saying why.
    Closed { note: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    pub number: u64,
    /// Where an imported appeal came from (`source:id`), so that importing again adds nothing.
    /// (Always serialised: the store's codec is not self-describing.)
    #[serde(default)]
    pub external_id: Option<String>,
    pub enterprise: String,
    pub category: String,
    pub text: String,
    pub contact: Option<String>,
    pub meeting: Option<u64>,
    pub departments: Vec<String>,
    /// Which of a ledger's times were days only (no time of day): shown as days everywhere.
    #[serde(default)]
    pub day_only: DayOnly,
}

/// Which times of an imported appeal its ledger gave as days only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayOnly {
    pub received: bool,
    pub answered: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub steward: String,
    pub lead_dept: String,
    pub co_depts: Vec<String>,
    #[serde(with = "super::wire::date")]
    pub due: NaiveDate,
}

/// The five levels of the government 好差评 scale, 5 best.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    VeryDissatisfied = 1,
    Dissatisfied = 2,
    Basic = 3,
    Satisfied = 4,
    VerySatisfied = 5,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 5] = [
        Satisfaction::VerySatisfied,
        Satisfaction::Satisfied,
        Satisfaction::Basic,
        Satisfaction::Dissatisfied,
        Satisfaction::VeryDissatisfied,
    ];

    pub fn from_score(score: u8) -> Option<Satisfaction> {
        Self::ALL.into_iter().find(|s| s.score() == score)
    }

    pub fn score(self) -> u8 {
        self as u8
    }

    /// 基本满意 and better close the loop; worse sends the appeal back to work (重办).
    pub fn closes(self) -> bool {
        self >= Satisfaction::Basic
    }
}
