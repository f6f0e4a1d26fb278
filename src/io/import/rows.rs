//! One source row becomes one appeal whose events reproduce its history: captured and listed at
//! the received time, assigned and acknowledged then too when the source says it was handled,
//! answered and closed at the answer time when the source says so. A row is refused whole, with
//! its row number, column and reason; never half of it.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime, NaiveTime};

use super::mapping::{Mapping, Target};
use super::table::{Cell, SourceRow, excel_serial};
use crate::domain::{
    Appeal, AppealChange, AppealId, Assignment, Calendar, Capture, Event, EventBody, Refusal,
    Rules, Satisfaction,
};

/// Why a row was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Missing,
    BadDate,
    UnknownStatus,
    BadRating,
    UnknownCategory,
    AnswerBeforeReceived,
    ClosedUnsatisfied,
    DuplicateId,
    /// A local time the ledger's zone skips (the hour summer time begins).
    NoSuchLocalTime,
    /// The row has `found` fields where the header has `expected`.
    FieldCount {
        expected: usize,
        found: usize,
    },
    /// The row's quotes are broken (lines swallowed, or never closed).
    BrokenQuote(super::table::QuoteFault),
    Refused(Refusal),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub problem: Problem,
    /// The row's cells as the ledger gave them (for the file of refused rows).
    pub cells: Vec<String>,
}

/// What an import writes into a timeline, in the language of the one who runs it.
pub enum LedgerNote<'a> {
    Closed,
    ClosedUndated(&'a str),
    AnsweredUndated(&'a str),
    Withdrawn,
    DueFromLedger,
}

/// A row turned into the events of its appeal.
pub struct Planned {
    pub target: Target,
    pub external_id: String,
    pub enterprise: String,
    pub department: Option<String>,
    pub steward: Option<String>,
    pub events: Vec<Event>,
}

pub struct RowReader<'a> {
    pub mapping: &'a Mapping,
    pub index: HashMap<String, usize>,
    pub calendar: &'a Calendar,
    pub rules: &'a Rules,
    pub actor: String,
    /// The language of the notes the import writes into timelines.
    pub lang: crate::strings::Lang,
}

/// `_x000D_` (Excel's escaped carriage return) and stray control characters out, ends trimmed.
pub fn clean(text: &str) -> String {
    cleaned(text).into_owned()
}

/// As [`clean`], not copied when there is nothing to take out but spaces around it.
fn cleaned(text: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = text.trim();
    // Most cells have nothing to take out: one copy, not four. (0xC2 leads the C1 controls,
    // and other characters too: those go the long way.)
    let plain = !trimmed
        .bytes()
        .any(|b| (b < 0x20 && b != b'\n') || b == 0x7f || b == 0xc2)
        && !trimmed.contains("_x000D_");
    match plain {
        true => trimmed.into(),
        false => clean_the_long_way(text).into(),
    }
}

/// What [`clean`] does to a cell that has something to take out.
fn clean_the_long_way(text: &str) -> String {
    text.replace("_x000D_", "")
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

fn sha_id(cells: &[Cell]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for c in cells {
        h.update(c.as_text().as_bytes());
        h.update([0x1f]);
    }
    let digest = h.finalize();
    digest.iter().take(10).map(|b| format!("{b:02x}")).collect()
}

impl RowReader<'_> {
    fn cell<'r>(&self, row: &'r SourceRow, column: &str) -> &'r Cell {
        self.index
            .get(column)
            .and_then(|&i| row.cells.get(i))
            .unwrap_or(&Cell::Empty)
    }

    fn text(&self, row: &SourceRow, column: Option<&String>) -> Option<String> {
        column
            .map(|c| clean(&self.cell(row, c).as_text()))
            .filter(|t| !t.is_empty())
    }

    fn fail(&self, row: &SourceRow, column: &str, problem: Problem) -> RowError {
        RowError {
            cells: row.cells.iter().map(|c| c.text()).collect(),
            row: row.number,
            column: column.to_string(),
            value: clean(&self.cell(row, column).as_text())
                .chars()
                .take(60)
                .collect(),
            problem,
        }
    }

    /// A date or time in any accepted form; `true` when the source gave a day only.
    fn date(
        &self,
        row: &SourceRow,
        column: &str,
    ) -> Result<Option<(NaiveDateTime, bool)>, RowError> {
        let midnight = NaiveTime::from_hms_opt(0, 0, 0).unwrap_or_default();
        match self.cell(row, column) {
            Cell::Empty => Ok(None),
            Cell::DateTime(d) => Ok(Some((*d, d.time() == midnight))),
            Cell::Number(n) => excel_serial(*n)
                .map(|d| Some((d, d.time() == midnight)))
                .ok_or_else(|| self.fail(row, column, Problem::BadDate)),
            Cell::Text(t) => {
                let t = cleaned(t);
                if t.is_empty() {
                    return Ok(None);
                }
                if let Some(read) = self.mapping.date_formats.iter().find_map(|f| f.read(&t)) {
                    return Ok(Some(read));
                }
                // A serial number kept as text by a CSV export.
                match t.parse::<f64>().ok().and_then(excel_serial) {
                    Some(d) => Ok(Some((d, false))),
                    None => Err(self.fail(row, column, Problem::BadDate)),
                }
            }
        }
    }

    /// A local time of the ledger as a moment; a time its zone skips (summer time beginning)
    /// refuses the row, naming the column.
    fn local_in(
        &self,
        row: &SourceRow,
        column: &str,
        d: NaiveDateTime,
    ) -> Result<DateTime<FixedOffset>, RowError> {
        self.mapping
            .zone
            .local(d)
            .ok_or_else(|| self.fail(row, column, Problem::NoSuchLocalTime))
    }

    fn rating(&self, row: &SourceRow, column: &str) -> Result<Option<Satisfaction>, RowError> {
        let cell = self.cell(row, column).as_text();
        let text = cleaned(&cell);
        if text.is_empty() {
            return Ok(None);
        }
        let by_word = [
            ("非常满意", Satisfaction::VerySatisfied),
            ("非常不满意", Satisfaction::VeryDissatisfied),
            ("基本满意", Satisfaction::Basic),
            ("不满意", Satisfaction::Dissatisfied),
            ("满意", Satisfaction::Satisfied),
        ];
        if let Some((_, s)) = by_word.iter().find(|(w, _)| *w == text) {
            return Ok(Some(*s));
        }
        text.parse::<u8>()
            .ok()
            .and_then(Satisfaction::from_score)
            .map(Some)
            .ok_or_else(|| self.fail(row, column, Problem::BadRating))
    }

    /// The events of one row, or why it is refused.
    pub fn plan(&self, row: &SourceRow) -> Result<Planned, RowError> {
        if let Some(bad) = &row.malformed {
            return Err(RowError {
                cells: row.cells.iter().map(|c| c.text()).collect(),
                row: row.number,
                column: String::new(),
                value: bad.start.clone(),
                problem: match bad.quote {
                    Some(fault) => Problem::BrokenQuote(fault),
                    None => Problem::FieldCount {
                        expected: bad.expected,
                        found: bad.found,
                    },
                },
            });
        }
        let m = self.mapping;
        let c = &m.columns;
        // The column as the mapping names it; a field it gives no column is named as the
        // mapping's key, so that a message always says which field it means.
        let col = |o: &Option<String>, field: &str| {
            o.clone()
                .unwrap_or_else(|| format!("[columns] {field} (none given)"))
        };

        let external_id = match self.text(row, c.external_id.as_ref()) {
            Some(id) => format!("{}:{id}", m.source),
            None if c.external_id.is_some() => {
                return Err(self.fail(row, &col(&c.external_id, "external_id"), Problem::Missing));
            }
            None => format!("{}:#{}", m.source, sha_id(&row.cells)),
        };
        let enterprise = self
            .text(row, c.enterprise.as_ref())
            .or_else(|| m.defaults.enterprise.clone())
            .ok_or_else(|| self.fail(row, &col(&c.enterprise, "enterprise"), Problem::Missing))?;
        let text_columns: Vec<&str> = c.text.as_ref().map(|t| t.names()).unwrap_or_default();
        let text = text_columns
            .iter()
            .filter_map(|name| {
                Some(clean(&self.cell(row, name).as_text())).filter(|t| !t.is_empty())
            })
            .collect::<Vec<_>>()
            .join(&m.text_separator);
        if text.is_empty() {
            return Err(self.fail(
                row,
                text_columns.first().copied().unwrap_or(""),
                Problem::Missing,
            ));
        }
        let received_col = col(&c.received, "received");
        let (received, received_day_only) = self
            .date(row, &received_col)?
            .ok_or_else(|| self.fail(row, &received_col, Problem::Missing))?;
        // The ledger's word, through [category_map] when there is one (a word it lacks takes
        // [defaults] category).
        let word = self.text(row, c.category.as_ref());
        let word = if m.category_map.is_empty() {
            word
        } else {
            word.and_then(|w| m.category_map.get(&w).cloned())
        };
        let category = match word.or_else(|| m.defaults.category.clone()) {
            Some(cat) => match self.rules.category(&cat) {
                Some(known) => known.name.clone(),
                None => {
                    return Err(self.fail(
                        row,
                        &col(&c.category, "category"),
                        Problem::UnknownCategory,
                    ));
                }
            },
            None => return Err(self.fail(row, &col(&c.category, "category"), Problem::Missing)),
        };
        let target = match self.text(row, c.status.as_ref()) {
            Some(s) => *m
                .status_map
                .get(&s)
                .ok_or_else(|| self.fail(row, &col(&c.status, "status"), Problem::UnknownStatus))?,
            None => m
                .defaults
                .status
                .ok_or_else(|| self.fail(row, &col(&c.status, "status"), Problem::Missing))?,
        };
        let department = self.text(row, c.department.as_ref());
        let department = if m.department_map.is_empty() {
            department
        } else {
            department.and_then(|w| m.department_map.get(&w).cloned())
        }
        .or_else(|| m.defaults.department.clone());
        let steward = self
            .text(row, c.steward.as_ref())
            .or_else(|| m.defaults.steward.clone());
        let contact = self.text(row, c.contact.as_ref());
        let answer = self.text(row, c.answer.as_ref());
        let answered_col = col(&c.answered, "answered");
        let answered = match c.answered.as_ref() {
            Some(a) => self.date(row, a)?,
            None => None,
        };
        let rating = match c.rating.as_ref() {
            Some(r) => self.rating(row, r)?,
            None => None,
        };
        let due = match c.due.as_ref() {
            Some(d) => self.date(row, d)?.map(|(d, _)| d.date()),
            None => None,
        };

        let at_received = self.local_in(row, &received_col, received)?;
        // A day-only answer time on the day of receipt means "that day", not before receipt.
        let at_answered = match answered {
            Some((a, day_only)) if day_only && a.date() == received.date() => Some(at_received),
            Some((a, _)) => Some(self.local_in(row, &answered_col, a)?),
            None => None,
        };
        if let Some(a) = at_answered
            && a < at_received
        {
            return Err(self.fail(row, &answered_col, Problem::AnswerBeforeReceived));
        }
        let needs_answer = matches!(target, Target::OnSpot | Target::Answered | Target::Closed);
        let answer_text = match (&answer, needs_answer) {
            (Some(t), _) => t.clone(),
            (None, true) if m.defaults.answer.is_some() => {
                m.defaults.answer.clone().unwrap_or_default()
            }
            (None, true) => {
                return Err(self.fail(row, &col(&c.answer, "answer"), Problem::Missing));
            }
            (None, false) => String::new(),
        };
        // A ledger without the time a closed row was answered: [defaults] closed_at says when,
        // and the timeline says it was not the ledger's.
        let mut time_assumed: Option<String> = None;
        let answer_time = match (at_answered, needs_answer) {
            (Some(a), _) => a,
            (None, true) if target == Target::OnSpot => at_received,
            (None, true) => match m.closed_at {
                Some(super::mapping::ClosedAt::Received) => {
                    time_assumed = Some(self.lang.ledger_time_assumed(None));
                    at_received
                }
                Some(super::mapping::ClosedAt::Day(day)) => {
                    time_assumed = Some(self.lang.ledger_time_assumed(Some(day)));
                    self.local_in(row, &answered_col, day.and_time(chrono::NaiveTime::MIN))?
                        .max(at_received)
                }
                None => return Err(self.fail(row, &answered_col, Problem::Missing)),
            },
            (None, false) => at_received,
        };
        let handled = matches!(
            target,
            Target::Assigned | Target::InProgress | Target::Answered | Target::Closed
        );
        if handled && steward.is_none() {
            return Err(self.fail(row, &col(&c.steward, "steward"), Problem::Missing));
        }
        if handled && department.is_none() {
            return Err(self.fail(row, &col(&c.department, "department"), Problem::Missing));
        }
        if target == Target::Closed && rating.is_some_and(|r| !r.closes()) {
            return Err(self.fail(row, &col(&c.rating, "rating"), Problem::ClosedUnsatisfied));
        }

        let id: AppealId = crate::ids::next();
        // Room for every step a row can bring: grown as they came, it was moved twice.
        let mut changes: Vec<(DateTime<FixedOffset>, AppealChange)> = Vec::with_capacity(8);
        changes.push((
            at_received,
            AppealChange::Captured(Capture {
                number: 0,
                external_id: Some(external_id.clone()),
                enterprise: enterprise.clone(),
                category: category.clone(),
                text,
                contact,
                meeting: None,
                departments: department.iter().cloned().collect(),
                day_only: crate::domain::DayOnly {
                    received: received_day_only,
                    answered: match (answered, m.closed_at) {
                        (Some((_, day_only)), _) => day_only,
                        (None, Some(super::mapping::ClosedAt::Day(_))) => true,
                        (None, _) => received_day_only,
                    },
                },
            }),
        ));
        if target == Target::OnSpot {
            changes.push((
                answer_time,
                AppealChange::ResolvedOnSpot {
                    answer: answer_text.clone(),
                },
            ));
        } else {
            changes.push((at_received, AppealChange::Listed));
        }
        if handled {
            let due = due.unwrap_or_else(|| {
                self.calendar
                    .add_working_days(received.date(), self.rules.days_for(&category))
            });
            changes.push((
                at_received,
                AppealChange::Assigned(Assignment {
                    steward: steward.clone().unwrap_or_default(),
                    lead_dept: department.clone().unwrap_or_default(),
                    co_depts: Vec::new(),
                    due,
                }),
            ));
        }
        if matches!(
            target,
            Target::InProgress | Target::Answered | Target::Closed
        ) {
            changes.push((at_received, AppealChange::Acknowledged));
        }
        if matches!(target, Target::Answered | Target::Closed) {
            changes.push((answer_time, AppealChange::Answered { text: answer_text }));
        }
        // An answered row whose time the ledger lacks says so in its timeline (a closed one says
        // it in its closing note).
        if let (Target::Answered, Some(how)) = (target, &time_assumed) {
            changes.push((
                answer_time,
                AppealChange::Noted {
                    text: self.lang.ledger_note(LedgerNote::AnsweredUndated(how)),
                },
            ));
        }
        match (target, rating) {
            (Target::Closed, Some(r)) => changes.push((
                answer_time,
                AppealChange::Feedback {
                    rating: r,
                    comment: None,
                    reopen_due: None,
                },
            )),
            (Target::Closed, None) => changes.push((
                answer_time,
                AppealChange::Closed {
                    note: match &time_assumed {
                        Some(how) => self.lang.ledger_note(LedgerNote::ClosedUndated(how)),
                        None => self.lang.ledger_note(LedgerNote::Closed),
                    },
                },
            )),
            (Target::Withdrawn, _) => changes.push((
                answer_time,
                AppealChange::Withdrawn {
                    reason: self.lang.ledger_note(LedgerNote::Withdrawn),
                },
            )),
            _ => {}
        }
        // The lifecycle judges the history, exactly as it judges a live command.
        let mut appeal: Option<Appeal> = None;
        for (at, change) in &changes {
            // Each step taken in place (a copy of the appeal a step cost 2% of an import).
            if let Err(r) = Appeal::take_into(&mut appeal, id, *at, &self.actor, change) {
                return Err(self.fail(row, &col(&c.status, "status"), Problem::Refused(r)));
            }
        }
        let events = changes
            .into_iter()
            .map(|(at, change)| Event {
                id: crate::ids::next(),
                at,
                actor: self.actor.clone(),
                body: EventBody::Appeal { appeal: id, change },
                desk: None,
                hub: None,
            })
            .collect();
        Ok(Planned {
            target,
            external_id,
            enterprise,
            department,
            steward: if handled { steward } else { None },
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{clean, clean_the_long_way as the_long_way};

    #[test]
    fn a_cell_is_cleaned_the_same_whichever_way_it_goes() {
        let mut cells: Vec<String> = [
            "企业反映用地指标不足",
            "  前后有空格  ",
            "第一行\r\n第二行",
            "Excel 的回车_x000D_在这里",
            "\t制表符开头",
            "中间\t制表符",
            "\u{85}下一行\u{85}",
            "£ 与 © 不是控制字符",
            "",
            " \n ",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for c in (0u32..0x20).chain(0x7f..0xa0) {
            let c = char::from_u32(c).unwrap_or('?');
            cells.push(format!("前{c}后"));
            cells.push(format!("{c}开头"));
            cells.push(format!("结尾{c}"));
        }
        for cell in &cells {
            assert_eq!(clean(cell), the_long_way(cell), "{cell:?}");
        }
        assert_eq!(clean("  办理中 "), "办理中");
        assert_eq!(clean("甲_x000D_\r\n乙\u{7}"), "甲\n乙");
    }
}
