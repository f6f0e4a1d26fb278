//! The terminal's export of the rows in view: everything it needs taken from the desk at once,
//! so that reading the appeals whole and making the workbook happen on another thread while the
//! desk keeps answering keys (a view of the whole list at 100,000 appeals takes seconds).

use crate::domain::AppealId;
use crate::domain::figures::{Dimension, Figures};
use crate::store::AppealReader;

use super::query::row_of;
use super::supervise::FiguresSource;
use super::{Desk, DeskError, Row};

/// Appeals read whole per look at the databases.
const PART: usize = 256;

/// The appeals of a view as they are when it is read, with what makes their rows and the
/// figures of all time that go with them.
pub struct ViewExport {
    ids: Vec<AppealId>,
    reader: AppealReader,
    figures: FiguresSource,
    calendar: crate::domain::Calendar,
    warning_days: u32,
    prefix: String,
}

impl ViewExport {
    /// How many appeals it holds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The rows, whole and in the order of the view, and the figures of all time.
    pub fn read(self) -> Result<(Vec<Row>, Figures), DeskError> {
        let today = self.figures.today;
        let mut rows = Vec::with_capacity(self.ids.len());
        for part in self.ids.chunks(PART) {
            for appeal in self.reader.appeals_of(part)? {
                rows.push(row_of(
                    appeal,
                    today,
                    &self.calendar,
                    self.warning_days,
                    &self.prefix,
                ));
            }
        }
        let all_time = self.figures.all_time()?;
        let (figures, _) = self.figures.figures(all_time, Dimension::Dept)?;
        Ok((rows, figures))
    }
}

impl Desk {
    /// The export of these appeals (the rows in view, in their order), to be read elsewhere.
    pub fn view_export(&self, ids: Vec<AppealId>) -> Result<ViewExport, DeskError> {
        Ok(ViewExport {
            ids,
            reader: self.store.appeal_reader()?,
            figures: self.figures_source()?,
            calendar: self.calendar.clone(),
            warning_days: self.settings.rules.warning_days,
            prefix: self.settings.number_prefix.clone(),
        })
    }
}
