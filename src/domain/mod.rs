//! The pure rules of the desk: appeals and their lifecycle, the registry, the working-day
//! calendar, cards and credit codes. No I/O here; everything is a function of its inputs.

pub mod appeal;
pub mod board;
pub mod calendar;
pub mod card;
pub mod credit_code;
pub mod event;
pub mod figures;
pub mod number;
pub mod records;
pub mod rules;
pub mod similar;
pub mod wire;

pub use appeal::{
    Appeal, Brief, ChangeKind, ClosedHow, Conflicted, Field, Folded, NotInEffect, Refusal,
    SUMMARY_TEXT_CHARS, Status,
};
pub use calendar::Calendar;
pub use card::Card;
pub use credit_code::CreditCode;
pub use event::{
    AppealChange, AppealId, Assignment, Capture, DayOnly, Event, EventBody, EventId, HubStamp,
    Level, Satisfaction,
};
pub use records::{Enterprise, Meeting, Steward};
pub use rules::Rules;
