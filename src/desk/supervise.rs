//! What supervisors read: the board, the figures for a period, the urges of an appeal, and the
//! weekly report's lists.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::{Desk, DeskError};
use crate::domain::board::{BoardEntry, board};
use crate::domain::figures::{Context, Dimension, Figures, Period};
use crate::domain::{Appeal, AppealChange, EventBody, Level, Status};
use crate::store::StoreError;

/// An earlier urge (督办) on an appeal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Urge {
    pub at: DateTime<FixedOffset>,
    pub actor: String,
    pub note: Option<String>,
}

/// An escalation (上报) made in a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escalation {
    pub number: u64,
    pub enterprise: String,
    pub text: String,
    pub level: Level,
    pub to: String,
    pub at: DateTime<FixedOffset>,
}

/// The summaries the board or the figures are worked out from, with the rules they need, owned
/// so that the work can go on another thread; see [`Desk::supervision`].
pub struct Supervision {
    appeals: Vec<crate::store::SummariesApart>,
    pub today: NaiveDate,
    calendar: crate::domain::Calendar,
    warning_days: u32,
    ack_days: u32,
    prefix: String,
}

impl Supervision {
    /// Reads the summaries (once: a second call has none), their parts side by side.
    pub fn appeals(&mut self) -> Result<Vec<Appeal>, DeskError> {
        let read = |part: crate::store::SummariesApart| part.collect::<Result<Vec<Appeal>, _>>();
        let parts = std::mem::take(&mut self.appeals);
        let read_parts: Vec<Result<Vec<Appeal>, StoreError>> = std::thread::scope(|scope| {
            let started: Vec<_> = parts
                .into_iter()
                .map(|part| {
                    std::thread::Builder::new()
                        .name("summaries".into())
                        .spawn_scoped(scope, move || read(part))
                })
                .collect();
            started
                .into_iter()
                .map(|handle| match handle {
                    Ok(h) => h.join().unwrap_or_else(|_| {
                        Err(StoreError::Corrupt("a reader of summaries stopped".into()))
                    }),
                    Err(e) => Err(StoreError::Corrupt(format!(
                        "no thread to read summaries: {e}"
                    ))),
                })
                .collect()
        });
        let mut all = Vec::new();
        for part in read_parts {
            all.extend(part?);
        }
        Ok(all)
    }

    /// The board, with each entry's number as people read it.
    pub fn board(mut self) -> Result<(Vec<BoardEntry>, Vec<String>), DeskError> {
        let appeals = self.appeals()?;
        let entries = board(
            &appeals,
            self.today,
            &self.calendar,
            self.warning_days,
            self.ack_days,
        );
        let labels = entries
            .iter()
            .map(|e| super::label(&self.prefix, e.appeal.number))
            .collect();
        Ok((entries, labels))
    }

    pub fn context(&self, period: Period) -> Context<'_> {
        Context {
            period,
            today: self.today,
            calendar: &self.calendar,
            warning_days: self.warning_days,
        }
    }
}

/// The weekly report: the figures, their breakdowns, and the lists a meeting goes through.
pub struct Report {
    pub period: Period,
    pub figures: Figures,
    pub breakdowns: Vec<(Dimension, Vec<(String, Figures)>)>,
    /// Red cards today, most days overdue first.
    pub red: Vec<BoardEntry>,
    /// Closed in the period.
    pub closed: Vec<Appeal>,
    pub escalated: Vec<Escalation>,
}

impl Desk {
    /// Every appeal whole (the long texts too): for reports and exports.
    pub fn all_appeals(&self) -> Result<Vec<Appeal>, DeskError> {
        Ok(self.store.appeals().collect::<Result<_, _>>()?)
    }

    /// Every appeal's summary ([`Appeal::summary`]): what the list and the figures need, read
    /// several times faster than the whole appeals.
    pub fn summaries(&self) -> Result<Vec<Appeal>, DeskError> {
        Ok(self.store.summaries().collect::<Result<_, _>>()?)
    }

    /// Open appeals in the order they need attention, whole; only the open ones are read.
    pub fn board(&self) -> Result<Vec<BoardEntry>, DeskError> {
        let mut ids = Vec::new();
        let mut briefs = self.store.briefs(&Status::OPEN);
        while let Some(id) = briefs.next_with(|b| b.id) {
            ids.push(id?);
        }
        let open = ids
            .into_iter()
            .map(|id| self.appeal_by_id(id))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.board_of(&open))
    }

    fn board_of(&self, appeals: &[Appeal]) -> Vec<BoardEntry> {
        let rules = &self.settings.rules;
        board(
            appeals,
            self.clock.today(),
            &self.calendar,
            rules.warning_days,
            rules.ack_days,
        )
    }

    pub fn figures_context(&self, period: Period) -> Context<'_> {
        Context {
            period,
            today: self.clock.today(),
            calendar: &self.calendar,
            warning_days: self.settings.rules.warning_days,
        }
    }

    /// The figures of every appeal for a period.
    pub fn figures(&self, period: Period) -> Result<Figures, DeskError> {
        let appeals = self.summaries()?;
        Ok(self.figures_context(period).figures(&appeals))
    }

    /// From the first capture among `appeals` to today.
    pub fn all_time_of(&self, appeals: &[Appeal]) -> Period {
        Period::all_time(appeals, self.clock.today())
    }

    /// What the board or the figures are worked out from, to be done on another thread: the
    /// summaries of the open appeals (for the board) or of all of them (for the figures).
    pub fn supervision(&self, open_only: bool) -> Supervision {
        Supervision {
            appeals: self
                .store
                .summaries_apart(open_only.then_some(&Status::OPEN[..])),
            today: self.clock.today(),
            calendar: self.calendar.clone(),
            warning_days: self.settings.rules.warning_days,
            ack_days: self.settings.rules.ack_days,
            prefix: self.settings.number_prefix.clone(),
        }
    }

    /// The figures of the whole history (one read of the summaries).
    pub fn figures_all_time(&self) -> Result<Figures, DeskError> {
        let appeals = self.summaries()?;
        Ok(self
            .figures_context(self.all_time_of(&appeals))
            .figures(&appeals))
    }

    /// The urges recorded on an appeal, oldest first.
    pub fn urges(&self, reference: &str) -> Result<Vec<Urge>, DeskError> {
        let (_, events) = self.show(reference)?;
        Ok(events
            .into_iter()
            .filter_map(|e| match e.body {
                EventBody::Appeal {
                    change: AppealChange::Urged { note },
                    ..
                } => Some(Urge {
                    at: e.at,
                    actor: e.actor,
                    note,
                }),
                _ => None,
            })
            .collect())
    }

    pub fn report(&self, period: Period) -> Result<Report, DeskError> {
        let appeals = self.all_appeals()?;
        let ctx = self.figures_context(period);
        let refs: Vec<&Appeal> = appeals.iter().collect();
        let breakdowns = Dimension::ALL
            .iter()
            .map(|d| (*d, ctx.breakdown(&refs, *d)))
            .collect();
        let red = self
            .board_of(&appeals)
            .into_iter()
            .filter(|e| e.card == crate::domain::Card::Red)
            .collect();
        let in_period =
            |d: Option<DateTime<FixedOffset>>| d.is_some_and(|d| period.contains(d.date_naive()));
        let mut closed: Vec<Appeal> = appeals
            .iter()
            .filter(|a| a.status == crate::domain::Status::Closed && in_period(a.closed_at))
            .cloned()
            .collect();
        closed.sort_by_key(|a| a.closed_at);
        let mut escalated = Vec::new();
        for a in &appeals {
            if a.escalated_to.is_none() {
                continue;
            }
            for e in self.store.events_of(a.id)? {
                if let EventBody::Appeal {
                    change: AppealChange::Escalated { level, to, .. },
                    ..
                } = e.body
                    && period.contains(e.at.date_naive())
                {
                    escalated.push(Escalation {
                        number: a.number,
                        enterprise: a.enterprise.clone(),
                        text: a.text.clone(),
                        level,
                        to,
                        at: e.at,
                    });
                }
            }
        }
        escalated.sort_by_key(|e| e.at);
        Ok(Report {
            period,
            figures: ctx.figures(&appeals),
            breakdowns,
            red,
            closed,
            escalated,
        })
    }
}

/// The period a report covers: `from..=to` when given, else the week of `week_of`.
pub fn report_period(range: Option<(NaiveDate, NaiveDate)>, week_of: NaiveDate) -> Period {
    match range {
        Some((from, to)) => Period { from, to },
        None => Period::week_of(week_of),
    }
}
