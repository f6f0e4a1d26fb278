//! What supervisors read: the board, the figures for a period, the urges of an appeal, and the
//! weekly report's lists.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::{Desk, DeskError};
use crate::domain::board::{BoardEntry, board};
use crate::domain::figures::{Context, Dimension, Figures, Period, trend_span, weekly_trend};
use crate::domain::{Appeal, AppealChange, EventBody, Level, Status};
use crate::store::{DayIndex, DayKind, StoreError};

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
        read_apart(std::mem::take(&mut self.appeals))
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
}

/// Summaries read in parts side by side, put together in the order of the parts.
fn read_apart(parts: Vec<crate::store::SummariesApart>) -> Result<Vec<Appeal>, DeskError> {
    let read = |part: crate::store::SummariesApart| part.collect::<Result<Vec<Appeal>, _>>();
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

/// What a period's figures are worked out from, owned so that the work can go on another
/// thread; see [`Desk::figures_source`].
pub struct FiguresSource {
    index: DayIndex,
    pub today: NaiveDate,
    calendar: crate::domain::Calendar,
    warning_days: u32,
}

impl FiguresSource {
    /// From the first capture to today.
    pub fn all_time(&self) -> Result<Period, DeskError> {
        let first = self.index.span(DayKind::Captured)?.map(|(first, _)| first);
        Ok(Period::since(first, self.today))
    }

    /// The appeals a period's figures are worked out from: those captured in it (the cohort)
    /// and those open today (today's open, red and yellow). The figures count no others, so
    /// these give the figures of every appeal; at a million appeals a week is a few thousand
    /// of them. A period holding every capture reads every appeal, side by side.
    pub fn appeals(&self, period: Period) -> Result<Vec<Appeal>, DeskError> {
        match self.index.span(DayKind::Captured)? {
            None => Ok(Vec::new()),
            Some((first, last)) if period.from <= first && last <= period.to => {
                read_apart(self.index.all())
            }
            Some(_) => {
                let mut ids = self.index.ids(DayKind::Captured, period.from, period.to)?;
                ids.extend(self.index.open_ids()?);
                Ok(self.index.summaries(&ids)?)
            }
        }
    }

    /// A period's figures and their breakdown by `by`, from the figures kept by day (the sum
    /// of the period's days) and the appeals open today; the breakdown by enterprise, not kept,
    /// from the period's appeals.
    pub fn figures(
        &self,
        period: Period,
        by: Dimension,
    ) -> Result<(Figures, Vec<(String, Figures)>), DeskError> {
        let open = self.index.summaries(&self.index.open_ids()?)?;
        let open: Vec<&Appeal> = open.iter().collect();
        let ctx = self.context(period);
        let mut total = self
            .index
            .sums(None, period.from, period.to)?
            .unwrap_or_default();
        let figures = ctx.figures_of(&total.remove("").unwrap_or_default(), open.iter().copied());
        let breakdown = match self.index.sums(Some(by), period.from, period.to)? {
            Some(groups) => ctx.breakdown_of(groups, &open, by),
            None => {
                let appeals = self.appeals(period)?;
                let refs: Vec<&Appeal> = appeals.iter().collect();
                ctx.breakdown(&refs, by)
            }
        };
        Ok((figures, breakdown))
    }

    /// Appeals captured and closed in each of the `weeks` weeks up to today's, counted from
    /// the days' entries.
    pub fn trend(&self, weeks: usize) -> Result<Vec<(NaiveDate, usize, usize)>, DeskError> {
        let span = trend_span(self.today, weeks);
        let captured = self.index.counts(DayKind::Captured, span.from, span.to)?;
        let closed = self.index.counts(DayKind::Closed, span.from, span.to)?;
        Ok(weekly_trend(&captured, &closed, self.today, weeks))
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
        let (figures, _) = self.figures_source()?.figures(period, Dimension::Dept)?;
        Ok(figures)
    }

    /// What a period's figures are worked out from, to be done on another thread.
    pub fn figures_source(&self) -> Result<FiguresSource, DeskError> {
        Ok(FiguresSource {
            index: self.store.day_index()?,
            today: self.clock.today(),
            calendar: self.calendar.clone(),
            warning_days: self.settings.rules.warning_days,
        })
    }

    /// What the board is worked out from, to be done on another thread: the summaries of the
    /// open appeals (or of all of them).
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
        self.figures(self.figures_source()?.all_time()?)
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

    /// The report for a period, read through the days' entries: the appeals captured in it
    /// and those open (the figures), closed in it, escalated in it — not every appeal.
    pub fn report(&self, period: Period) -> Result<Report, DeskError> {
        let source = self.figures_source()?;
        let appeals = source.appeals(period)?;
        let ctx = source.context(period);
        let refs: Vec<&Appeal> = appeals.iter().collect();
        let breakdowns = Dimension::ALL
            .iter()
            .map(|d| (*d, ctx.breakdown(&refs, *d)))
            .collect();
        let red = self
            .board()?
            .into_iter()
            .filter(|e| e.card == crate::domain::Card::Red)
            .collect();
        let in_period =
            |d: Option<DateTime<FixedOffset>>| d.is_some_and(|d| period.contains(d.date_naive()));
        let mut closed = Vec::new();
        for id in source.index.ids(DayKind::Closed, period.from, period.to)? {
            if let Some(a) = self.store.appeal(id)?
                && a.status == crate::domain::Status::Closed
                && in_period(a.closed_at)
            {
                closed.push(a);
            }
        }
        closed.sort_by_key(|a| a.closed_at);
        let mut escalated = Vec::new();
        for id in source
            .index
            .ids(DayKind::Escalated, period.from, period.to)?
        {
            let events = self.store.events_of(id)?;
            let Some(a) = crate::domain::appeal::fold(id, &events).appeal else {
                continue;
            };
            if a.escalated_to.is_none() {
                continue;
            }
            for e in events {
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
