//! The supervisors' board: open appeals in the order they need attention — red cards (most days
//! overdue first), yellow cards (least time left first), then the rest by due date — with
//! assignments not acknowledged in time flagged.

use chrono::NaiveDate;

use super::appeal::{Appeal, Status};
use super::calendar::Calendar;
use super::card::{Card, days_overdue};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardEntry {
    pub appeal: Appeal,
    pub card: Card,
    pub days_overdue: i64,
    /// Working days from today to the due date (0 when due today or past).
    pub working_days_left: u32,
    /// Assigned, and not acknowledged within the acknowledgement limit.
    pub ack_late: bool,
}

/// Whether an assignment has gone unacknowledged past `ack_days` working days.
pub fn ack_late(a: &Appeal, today: NaiveDate, cal: &Calendar, ack_days: u32) -> bool {
    match (a.status, a.assigned_at) {
        (Status::Assigned, Some(at)) => today > cal.add_working_days(at.date_naive(), ack_days),
        _ => false,
    }
}

pub fn board<'a>(
    appeals: impl IntoIterator<Item = &'a Appeal>,
    today: NaiveDate,
    cal: &Calendar,
    warning_days: u32,
    ack_days: u32,
) -> Vec<BoardEntry> {
    let mut entries: Vec<BoardEntry> = appeals
        .into_iter()
        .filter(|a| a.status.is_open())
        .map(|a| {
            let due = a.running_due();
            BoardEntry {
                card: Card::of(due, today, cal, warning_days),
                days_overdue: days_overdue(due, today),
                working_days_left: due.map_or(0, |d| cal.working_days_between(today, d)),
                ack_late: ack_late(a, today, cal, ack_days),
                appeal: a.clone(),
            }
        })
        .collect();
    entries.sort_by(|x, y| {
        let group = |e: &BoardEntry| match e.card {
            Card::Red => 0,
            Card::Yellow => 1,
            Card::None => 2,
        };
        group(x)
            .cmp(&group(y))
            .then_with(|| match x.card {
                Card::Red => y.days_overdue.cmp(&x.days_overdue),
                Card::Yellow => x.working_days_left.cmp(&y.working_days_left),
                Card::None => std::cmp::Ordering::Equal,
            })
            // Then by due date (none last), then by number.
            .then_with(|| {
                (x.appeal.running_due().is_none(), x.appeal.running_due())
                    .cmp(&(y.appeal.running_due().is_none(), y.appeal.running_due()))
            })
            .then(x.appeal.number.cmp(&y.appeal.number))
    });
    entries
}
