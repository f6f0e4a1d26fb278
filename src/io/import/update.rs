//! A ledger imported again: a row already here brings in what changed since, as steps "from the
//! ledger" at the ledger's times — answered, closed, a new due date, a new steward. What cannot
//! be a step (the text rewritten, a closed row open again without a reopen) is said, by row, and
//! left alone.

use chrono::{DateTime, FixedOffset};

use crate::domain::{Appeal, AppealChange, Event, EventBody, Refusal, Status};

/// What a row already imported changes.
#[derive(Debug, Default)]
pub struct Update {
    /// The steps to record, with their times.
    pub changes: Vec<(DateTime<FixedOffset>, AppealChange)>,
    /// Why something in the row could not become a step.
    pub left_alone: Vec<LeftAlone>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeftAlone {
    TextRewritten,
    ReopenedWithoutReopen,
    DueEarlier,
    Refused(Refusal),
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Captured => 0,
        Status::Listed => 1,
        Status::Assigned => 2,
        Status::InProgress => 3,
        Status::Answered => 4,
        Status::Closed | Status::Withdrawn => 5,
    }
}

/// What the ledger's row (`planned`, its whole history as the import plans it) changes in the
/// appeal here (`here`). `now` dates a change the ledger gives no time for (a new steward, a new
/// due date).
pub fn changes(
    here: &Appeal,
    planned: &[Event],
    now: DateTime<FixedOffset>,
    actor: &str,
    lang: crate::strings::Lang,
) -> Update {
    let mut update = Update::default();
    let folded = crate::domain::appeal::fold(here.id, planned);
    let Some(there) = folded.appeal else {
        return update;
    };
    if there.text != here.text || there.enterprise != here.enterprise {
        update.left_alone.push(LeftAlone::TextRewritten);
    }
    let (rank_here, rank_there) = (rank(here.status), rank(there.status));
    if rank_here == 5 && rank_there < 5 {
        update.left_alone.push(LeftAlone::ReopenedWithoutReopen);
        return update;
    }
    let mut wanted: Vec<(DateTime<FixedOffset>, AppealChange)> = Vec::new();
    // A steward or a due date the ledger now gives differently.
    if (2..5).contains(&rank_here) {
        if let Some(steward) = there
            .steward
            .clone()
            .filter(|s| here.steward.as_ref() != Some(s))
        {
            wanted.push((
                now,
                AppealChange::Reassigned {
                    steward,
                    lead_dept: there.lead_dept.clone(),
                },
            ));
        }
        match (here.due, there.due) {
            (Some(a), Some(b)) if b > a => wanted.push((
                now,
                AppealChange::Extended {
                    due: b,
                    reason: lang.ledger_note(super::rows::LedgerNote::DueFromLedger),
                },
            )),
            (Some(a), Some(b)) if b < a => update.left_alone.push(LeftAlone::DueEarlier),
            _ => {}
        }
    }
    // The steps the ledger's history has past where this appeal stands, at the ledger's times.
    for e in planned {
        let EventBody::Appeal { change, .. } = &e.body else {
            continue;
        };
        let past = match change {
            AppealChange::Assigned(_) => rank_here < 2,
            AppealChange::Acknowledged => rank_here < 3,
            AppealChange::Answered { .. } => rank_here < 4,
            AppealChange::Feedback { .. }
            | AppealChange::Closed { .. }
            | AppealChange::Withdrawn { .. } => rank_here < 5,
            _ => false,
        };
        if past {
            wanted.push((e.at, change.clone()));
        }
    }
    // Each judged by the lifecycle, as a live step would be.
    let mut state = here.clone();
    for (at, change) in wanted {
        match Appeal::apply(Some(&state), here.id, at, actor, &change) {
            Ok(next) => {
                state = next;
                update.changes.push((at, change));
            }
            Err(r) => {
                update.left_alone.push(LeftAlone::Refused(r));
                break;
            }
        }
    }
    update
}
