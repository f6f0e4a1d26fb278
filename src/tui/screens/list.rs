//! The appeal list: quick filters by state, sorting, and `/` filtering as you type. Filtering
//! runs in slices between keystrokes so the screen never blocks, and only the rows in view are
//! built each frame.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row as TableRow, Table, Tabs};

use crate::desk::Row;
use crate::domain::{Card, Status};
use crate::search::SearchKey;
use crate::strings::Lang;
use crate::text::sanitize;
use crate::tui::theme::Theme;
use crate::tui::widgets::text_field::TextField;

/// The quick filters, in the order of their tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Listed,
    InProgress,
    Answered,
    Overdue,
    Closed,
    All,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Listed,
        Tab::InProgress,
        Tab::Answered,
        Tab::Overdue,
        Tab::Closed,
        Tab::All,
    ];

    fn admits(self, r: &Row) -> bool {
        match self {
            Tab::Listed => r.appeal.status == Status::Listed,
            Tab::InProgress => matches!(r.appeal.status, Status::Assigned | Status::InProgress),
            Tab::Answered => r.appeal.status == Status::Answered,
            Tab::Overdue => r.card == Card::Red,
            Tab::Closed => !r.appeal.status.is_open(),
            Tab::All => true,
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    Due,
    Age,
    Enterprise,
    Number,
}

impl Sort {
    const ALL: [Sort; 4] = [Sort::Due, Sort::Age, Sort::Enterprise, Sort::Number];

    fn next(self) -> Sort {
        let i = Sort::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Sort::ALL[(i + 1) % Sort::ALL.len()]
    }
}

/// Names are matched by text and pinyin initials; the appeal's own text by text only, which
/// keeps the key small and quick to build for a million appeals.
fn search_key(row: &Row) -> SearchKey {
    let a = &row.appeal;
    let steward = a.steward.as_deref().unwrap_or_default();
    let lead = a.lead_dept.as_deref().unwrap_or_default();
    SearchKey::new(&a.enterprise, &[&a.category, steward, lead], Some(a.number)).with_text(&a.text)
}

pub struct Entry {
    pub row: Row,
    /// Built the first time a filter needs it, not at startup.
    key: Option<SearchKey>,
}

/// A filter being worked through, a slice at a time.
struct Job {
    query: String,
    next: usize,
    found: Vec<usize>,
}

/// How many entries one slice of filtering looks at before input is read again.
const SLICE: usize = 20_000;

pub struct ListScreen {
    pub entries: Vec<Entry>,
    pub tab: Tab,
    pub sort: Sort,
    /// The `/` filter; `filtering` while it is being typed.
    pub filter: TextField,
    pub filtering: bool,
    /// Indexes into `entries`, in display order.
    pub view: Vec<usize>,
    pub selected: usize,
    /// How many entries each tab admits, counted once per load rather than per frame.
    counts: [usize; 6],
    job: Option<Job>,
}

impl ListScreen {
    pub fn new() -> ListScreen {
        ListScreen {
            entries: Vec::new(),
            tab: Tab::InProgress,
            sort: Sort::Due,
            filter: TextField::single(),
            filtering: false,
            view: Vec::new(),
            selected: 0,
            counts: [0; 6],
            job: None,
        }
    }

    /// New rows from the desk; the selection stays on the same appeal where it can.
    pub fn load(&mut self, rows: Vec<Row>) {
        let keep = self.selected_number();
        self.entries = rows
            .into_iter()
            .map(|row| Entry { key: None, row })
            .collect();
        self.counts = Tab::ALL.map(|t| self.entries.iter().filter(|e| t.admits(&e.row)).count());
        self.restart();
        self.settle();
        if let Some(n) = keep {
            self.select_number(n);
        }
    }

    /// Puts one appeal's new state in place (or adds it) without reading everything again.
    pub fn update(&mut self, row: Row) {
        let key = None;
        match self
            .entries
            .iter()
            .position(|e| e.row.appeal.id == row.appeal.id)
        {
            Some(i) => self.entries[i] = Entry { row, key },
            None => self.entries.push(Entry { row, key }),
        }
        self.counts = Tab::ALL.map(|t| self.entries.iter().filter(|e| t.admits(&e.row)).count());
        let keep = self.selected_number();
        self.restart();
        self.settle();
        if let Some(n) = keep {
            self.select_number(n);
        }
    }

    pub fn selected_number(&self) -> Option<u64> {
        self.view
            .get(self.selected)
            .and_then(|&i| self.entries.get(i))
            .map(|e| e.row.appeal.number)
    }

    pub fn select_number(&mut self, n: u64) {
        if let Some(p) = self
            .view
            .iter()
            .position(|&i| self.entries[i].row.appeal.number == n)
        {
            self.selected = p;
        }
    }

    /// Starts filtering again from the first entry (after a keystroke, a tab or a reload).
    pub fn restart(&mut self) {
        self.job = Some(Job {
            query: self.filter.text(),
            next: 0,
            found: Vec::new(),
        });
    }

    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// One slice of filtering; returns whether more remains.
    pub fn work(&mut self) -> bool {
        let Some(job) = &mut self.job else {
            return false;
        };
        let end = (job.next + SLICE).min(self.entries.len());
        let filtering = !job.query.trim().is_empty();
        for i in job.next..end {
            let e = &mut self.entries[i];
            if !self.tab.admits(&e.row) {
                continue;
            }
            let matches = !filtering
                || e.key
                    .get_or_insert_with(|| search_key(&e.row))
                    .matches(&job.query);
            if matches {
                job.found.push(i);
            }
        }
        job.next = end;
        if end < self.entries.len() {
            return true;
        }
        let mut found = std::mem::take(&mut job.found);
        self.job = None;
        let entries = &self.entries;
        let a = |i: &usize| &entries[*i].row.appeal;
        match self.sort {
            Sort::Due => found.sort_by_key(|i| {
                (
                    a(i).running_due().or(a(i).due).is_none(),
                    a(i).running_due().or(a(i).due),
                    a(i).number,
                )
            }),
            Sort::Age => found.sort_by_key(|i| (a(i).captured_at, a(i).number)),
            Sort::Enterprise => found.sort_by(|x, y| {
                a(x).enterprise
                    .cmp(&a(y).enterprise)
                    .then(a(x).number.cmp(&a(y).number))
            }),
            Sort::Number => found.sort_by_key(|i| a(i).number),
        }
        self.view = found;
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
        false
    }

    /// Finishes any filtering at once (tests, and after a reload).
    pub fn settle(&mut self) {
        while self.work() {}
    }

    pub fn set_tab(&mut self, tab: Tab) {
        self.tab = tab;
        self.selected = 0;
        self.restart();
    }

    pub fn step_tab(&mut self, dir: isize) {
        let i = (self.tab.index() as isize + dir).rem_euclid(Tab::ALL.len() as isize);
        self.set_tab(Tab::ALL[i as usize]);
    }

    pub fn next_sort(&mut self) {
        self.sort = self.sort.next();
        self.restart();
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.view.is_empty() {
            self.selected = 0;
            return;
        }
        let max = self.view.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, max) as usize;
    }

    pub fn draw(
        &self,
        frame: &mut Frame,
        area: Rect,
        lang: Lang,
        theme: Theme,
        today: chrono::NaiveDate,
    ) -> Option<Position> {
        let [tabs_area, filter_area, table_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        let titles: Vec<Line> = lang
            .list_tabs()
            .iter()
            .zip(Tab::ALL)
            .map(|(name, tab)| Line::from(format!("{name} {}", self.counts[tab.index()])))
            .collect();
        frame.render_widget(
            Tabs::new(titles)
                .select(self.tab.index())
                .highlight_style(theme.selected())
                .divider("│"),
            tabs_area,
        );
        // The filter line: what is typed, how many are shown, and the sort.
        let shown = lang.shown_of(self.view.len(), self.entries.len());
        let status = if self.busy() {
            lang.filtering().to_string()
        } else {
            shown
        };
        let sort = lang.sort_names()[Sort::ALL.iter().position(|s| *s == self.sort).unwrap_or(0)];
        let right = format!("{status} · {sort}");
        let right_w = crate::text::width(&right) as u16;
        let prompt = format!("/{} ", lang.filter_prompt());
        let prompt_w = crate::text::width(&prompt) as u16;
        let buf = frame.buffer_mut();
        buf.set_string(
            filter_area.x,
            filter_area.y,
            &prompt,
            if self.filtering {
                theme.focused_label()
            } else {
                theme.dim()
            },
        );
        let input = Rect::new(
            filter_area.x + prompt_w,
            filter_area.y,
            filter_area.width.saturating_sub(prompt_w + right_w + 1),
            1,
        );
        let caret = self.filter.render(input, buf, theme.input(self.filtering));
        buf.set_string(
            filter_area.right().saturating_sub(right_w),
            filter_area.y,
            &right,
            theme.dim(),
        );

        let height = table_area.height.saturating_sub(1) as usize;
        let offset = self.selected.saturating_sub(height.saturating_sub(1));
        // Only the rows in view are built.
        let rows: Vec<TableRow> = self
            .view
            .iter()
            .skip(offset)
            .take(height)
            .enumerate()
            .map(|(k, &i)| {
                let r = &self.entries[i].row;
                let a = &r.appeal;
                let card_style = match r.card {
                    Card::Red => theme.red(),
                    Card::Yellow => theme.yellow(),
                    Card::None => theme.normal(),
                };
                let age = (today - a.captured_at.date_naive()).num_days().max(0);
                let style = if offset + k == self.selected {
                    theme.selected()
                } else {
                    theme.normal()
                };
                TableRow::new(vec![
                    Line::from(r.label.clone()),
                    Line::from(sanitize(&a.enterprise)),
                    Line::from(sanitize(&a.category)),
                    Line::from(sanitize(a.steward.as_deref().unwrap_or(""))),
                    Line::from(
                        a.due
                            .map(|d| d.format("%m-%d").to_string())
                            .unwrap_or_default(),
                    ),
                    Line::from(Span::styled(
                        lang.card_short(r.card, r.days_overdue),
                        card_style,
                    )),
                    Line::from(age.to_string()),
                    Line::from(lang.urges_short(a.urges)),
                ])
                .style(style)
            })
            .collect();
        let widths = [
            Constraint::Length(5),
            Constraint::Min(12),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(5),
            Constraint::Length(10),
            Constraint::Length(4),
            Constraint::Length(5),
        ];
        let header = TableRow::new(lang.table_headers().map(Line::from)).style(theme.title());
        if rows.is_empty() && !self.busy() {
            frame.render_widget(
                Table::new(Vec::<TableRow>::new(), widths).header(header),
                table_area,
            );
            if table_area.height > 2 {
                let msg = Rect::new(
                    table_area.x + 1,
                    table_area.y + 2,
                    table_area.width.saturating_sub(1),
                    1,
                );
                frame.render_widget(
                    Paragraph::new(Span::styled(lang.no_rows(), theme.dim())),
                    msg,
                );
            }
        } else {
            frame.render_widget(
                Table::new(rows, widths).header(header).column_spacing(1),
                table_area,
            );
        }
        self.filtering.then_some(caret)
    }
}

impl Default for ListScreen {
    fn default() -> Self {
        ListScreen::new()
    }
}
