//! The appeal list: quick filters by state, sorting, and `/` filtering as you type. Filtering
//! runs in slices between keystrokes so the screen never blocks, and only the rows in view are
//! built each frame. Reading the rows is in `readers`, filtering in `filter`, drawing in `draw`,
//! the rows themselves in `row`.

mod draw;
mod filter;
mod readers;
pub mod row;

use filter::Job;
use readers::Reading;

use std::collections::HashSet;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row as TableRow, Table, Tabs};

use crate::desk::DeskError;
use crate::domain::{AppealId, Brief, Card, Status};
use crate::search::Query;
use crate::strings::Lang;
use crate::text::sanitize;
use crate::tui::theme::Theme;
use crate::tui::widgets::text_field::TextField;
use row::{CardRules, ListLoader, ListRow, Names, RowBatch, Texts};

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

    fn admits(self, r: &ListRow) -> bool {
        match self {
            Tab::Listed => r.status == Status::Listed,
            Tab::InProgress => matches!(r.status, Status::Assigned | Status::InProgress),
            Tab::Answered => r.status == Status::Answered,
            Tab::Overdue => r.card == Card::Red,
            Tab::Closed => !r.status.is_open(),
            Tab::All => true,
        }
    }

    pub fn index(self) -> usize {
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

pub struct ListScreen {
    pub entries: Vec<ListRow>,
    /// The entries' texts.
    texts: Texts,
    pub tab: Tab,
    pub sort: Sort,
    /// The `/` filter; `filtering` while it is being typed.
    pub filter: TextField,
    pub filtering: bool,
    /// Indexes into `entries`, in display order.
    pub view: Vec<usize>,
    pub selected: usize,
    /// The district's number prefix, for the labels drawn.
    pub prefix: String,
    /// Appeals changed on another desk since they were last opened here: marked.
    pub changed_elsewhere: std::collections::HashSet<crate::domain::AppealId>,
    /// How many entries each tab admits, kept as rows come and change rather than per frame.
    counts: [usize; 6],
    /// How many entries match the filter, tab by tab (the filter runs across every tab).
    matched: [usize; 6],
    /// Until the person picks a tab, the list moves to the first that has appeals as they come.
    pub tab_chosen: bool,
    job: Option<Job>,
    names: Names,
    reading: Option<Reading>,
}

impl ListScreen {
    pub fn new() -> ListScreen {
        ListScreen {
            entries: Vec::new(),
            texts: Texts::default(),
            tab: Tab::InProgress,
            sort: Sort::Due,
            filter: TextField::single(),
            filtering: false,
            view: Vec::new(),
            selected: 0,
            prefix: String::new(),
            matched: [0; 6],
            tab_chosen: false,
            changed_elsewhere: std::collections::HashSet::new(),
            counts: [0; 6],
            job: None,
            names: Names::default(),
            reading: None,
        }
    }

    fn count(&mut self, row: &ListRow, sign: isize) {
        for t in Tab::ALL {
            if t.admits(row) {
                let c = &mut self.counts[t.index()];
                *c = c.saturating_add_signed(sign);
            }
        }
    }

    /// A row made here (an appeal just changed), sharing the names of the rows read. Its text is
    /// added anew; the one it replaces stays until the list is read again (a few dozen bytes a
    /// step).
    pub fn row(&mut self, rules: &CardRules, brief: &Brief<'_>) -> ListRow {
        rules.list_row(brief, &mut self.names, &mut self.texts)
    }

    /// Puts appeals' new states in place (or adds them) without reading everything again. A
    /// few are moved to where they now sort; many, or any while the filter is still working
    /// through the list, have it run again once. Running it again for each step cost the desk
    /// about 12 ms a step at a million appeals, and a sync that brought 2,000 a pass each.
    pub fn update(&mut self, rows: Vec<ListRow>) {
        if rows.is_empty() {
            return;
        }
        let keep = self.selected_number();
        let one_by_one = self.job.is_none() && rows.len() <= PLACED_ONE_BY_ONE;
        let query = one_by_one.then(|| Query::new(&self.filter.text()));
        // Many rows are found through an index made once, not a pass over the list each.
        let mut index: Option<std::collections::HashMap<AppealId, usize>> =
            (rows.len() > PLACED_ONE_BY_ONE).then(|| {
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.id, i))
                    .collect()
            });
        for row in rows {
            if let Some(r) = &mut self.reading {
                r.changed.insert(row.id);
            }
            let found = match &index {
                Some(index) => index.get(&row.id).copied(),
                None => self.entries.iter().position(|e| e.id == row.id),
            };
            self.count(&row, 1);
            let (i, old) = match found {
                Some(i) => {
                    let old = std::mem::replace(&mut self.entries[i], row);
                    self.count(&old, -1);
                    (i, Some(old))
                }
                None => {
                    if let Some(index) = &mut index {
                        index.insert(row.id, self.entries.len());
                    }
                    self.entries.push(row);
                    (self.entries.len() - 1, None)
                }
            };
            if let Some(query) = &query {
                self.place(query, i, old.as_ref());
            }
        }
        if !one_by_one {
            self.restart();
            self.settle();
        }
        if let Some(n) = keep {
            self.select_number(n);
        }
    }

    /// Entry `i` changed (from `old`, or is new), the view complete: the filter's tallies and
    /// the view follow, as running the filter again would leave them.
    fn place(&mut self, query: &Query, i: usize, old: Option<&ListRow>) {
        let matches = |row: &ListRow| query.is_empty() || row.matches(query, &self.texts);
        let mut matched = self.matched;
        if let Some(old) = old.filter(|old| matches(old)) {
            for t in Tab::ALL.into_iter().filter(|t| t.admits(old)) {
                matched[t.index()] = matched[t.index()].saturating_sub(1);
            }
        }
        let row = &self.entries[i];
        let shown = matches(row);
        if shown {
            for t in Tab::ALL.into_iter().filter(|t| t.admits(row)) {
                matched[t.index()] += 1;
            }
        }
        self.matched = matched;
        if let Some(p) = self.view.iter().position(|&v| v == i) {
            self.view.remove(p);
        }
        if shown && self.tab.admits(&self.entries[i]) {
            let at = self
                .view
                .partition_point(|&v| order(self.sort, &self.entries, v, i).is_lt());
            self.view.insert(at, i);
        }
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
    }

    pub fn selected_row(&self) -> Option<&ListRow> {
        self.view
            .get(self.selected)
            .and_then(|&i| self.entries.get(i))
    }

    pub fn selected_number(&self) -> Option<u64> {
        self.selected_row().map(|r| r.number)
    }

    pub fn select_number(&mut self, n: u64) {
        if let Some(p) = self.view.iter().position(|&i| self.entries[i].number == n) {
            self.selected = p;
        }
    }

    pub fn set_tab(&mut self, tab: Tab) {
        self.tab = tab;
        self.selected = 0;
        self.restart();
    }

    /// How many appeals a tab shows now: those matching the filter when there is one.
    pub fn shown_in(&self, tab: Tab) -> usize {
        if self.filter.is_empty() {
            self.counts[tab.index()]
        } else {
            self.matched[tab.index()]
        }
    }

    /// Opens on the first tab that has appeals, while the person has not chosen one: the list
    /// never opens on an empty tab when another has appeals.
    pub fn open_on_a_tab_with_appeals(&mut self) {
        if self.tab_chosen || self.counts[self.tab.index()] > 0 {
            return;
        }
        if let Some(t) = Tab::ALL.into_iter().find(|t| self.counts[t.index()] > 0) {
            self.tab = t;
            self.selected = 0;
            self.restart();
        }
    }

    pub fn step_tab(&mut self, dir: isize) {
        self.tab_chosen = true;
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
}

/// At most this many changed appeals are moved in the view one by one; more run the filter again.
const PLACED_ONE_BY_ONE: usize = 64;

/// The order of entries `x` and `y` in the view: by the sort chosen, then by number, then by
/// where they are in the list, so that no two are equal and a row moved alone lands where a
/// whole sort would put it.
fn order(sort: Sort, e: &[ListRow], x: usize, y: usize) -> std::cmp::Ordering {
    let (a, b) = (&e[x], &e[y]);
    match sort {
        Sort::Due => (a.due.is_none(), a.due, a.number).cmp(&(b.due.is_none(), b.due, b.number)),
        Sort::Age => (a.captured_at, a.number).cmp(&(b.captured_at, b.number)),
        Sort::Enterprise => a
            .enterprise
            .as_str()
            .cmp(b.enterprise.as_str())
            .then(a.number.cmp(&b.number)),
        Sort::Number => a.number.cmp(&b.number),
    }
    .then(x.cmp(&y))
}

impl Default for ListScreen {
    fn default() -> Self {
        ListScreen::new()
    }
}

impl crate::tui::component::Component for ListScreen {
    fn context(&self) -> crate::tui::keymap::Context {
        if self.filtering {
            crate::tui::keymap::Context::Filter
        } else {
            crate::tui::keymap::Context::List
        }
    }

    fn handle(&mut self, act: crate::tui::keymap::Act, queue: &mut Vec<crate::tui::component::Do>) {
        use crate::tui::component::Do;
        use crate::tui::keymap::Act;
        match act {
            Act::PrevTab | Act::NextTab => {
                self.step_tab(if act == Act::PrevTab { -1 } else { 1 });
                queue.push(Do::RememberTab(self.tab.index()));
            }
            Act::Up => self.move_by(-1),
            Act::Down => self.move_by(1),
            Act::PageUp => self.move_by(-10),
            Act::PageDown => self.move_by(10),
            Act::Home => self.move_by(isize::MIN / 2),
            Act::End => self.move_by(isize::MAX / 2),
            Act::StartFilter => self.filtering = true,
            Act::EndFilter => self.filtering = false,
            Act::Sort => self.next_sort(),
            Act::ExportView => queue.push(Do::ExportView),
            Act::Conflicts => queue.push(Do::ShowConflicts),
            Act::ClearFilter => {
                self.filtering = false;
                if !self.filter.is_empty() {
                    self.filter.set_text("");
                    self.restart();
                }
            }
            Act::Open => {
                if let Some(number) = self.selected_number() {
                    queue.push(Do::Open {
                        number,
                        back_to: crate::tui::app::Screen::List,
                    });
                }
            }
            _ => {}
        }
    }

    fn type_key(
        &mut self,
        key: ratatui::crossterm::event::KeyEvent,
        _queue: &mut Vec<crate::tui::component::Do>,
    ) {
        if self.filtering
            && self.filter.handle_key(key) == crate::tui::widgets::text_field::Edit::Changed
        {
            self.selected = 0;
            self.restart();
        }
    }

    fn draw_in(
        &self,
        frame: &mut Frame,
        area: Rect,
        view: &crate::tui::component::View,
    ) -> Option<ratatui::layout::Position> {
        ListScreen::draw(self, frame, area, view.lang, view.theme, view.today)
            .filter(|_| view.active)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::{Sender, channel};

    use super::readers::{Batch, Reading};

    use super::*;

    fn row(
        names: &mut Names,
        texts: &mut Texts,
        number: u64,
        status: Status,
        enterprise: &str,
    ) -> ListRow {
        let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 10).unwrap_or_default();
        ListRow {
            id: ulid::Ulid(u128::from(number)),
            number,
            captured_at: 0,
            enterprise: names.get(enterprise),
            category: names.get("消防"),
            steward: None,
            lead_dept: None,
            meeting: None,
            due: None,
            captured_on: day,
            text: texts.push(&format!("厂区道路施工 第{number}号 Road")),
            urges: 0,
            status,
            card: Card::None,
            closed_on: None,
        }
    }

    /// Rows as a reader sends them, with their own texts.
    fn batch(names: &mut Names, rows: &[(u64, Status, &str)]) -> Batch {
        let mut texts = Texts::default();
        let rows = rows
            .iter()
            .map(|&(n, s, e)| row(names, &mut texts, n, s, e))
            .collect();
        Batch::Rows(RowBatch { rows, texts })
    }

    /// Puts an appeal in place as a step taken here would.
    fn put(list: &mut ListScreen, names: &mut Names, number: u64, status: Status, e: &str) {
        let r = row(names, &mut list.texts, number, status, e);
        list.update(vec![r]);
    }

    /// A list fed by hand, as the reader thread would feed it.
    fn reading_list(total: u64) -> (ListScreen, Sender<Batch>) {
        let (send, batches) = channel();
        let mut list = ListScreen::new();
        list.reading = Some(Reading {
            batches,
            total,
            changed: HashSet::new(),
            readers: 1,
        });
        (list, send)
    }

    fn numbers(list: &ListScreen) -> Vec<u64> {
        list.view.iter().map(|&i| list.entries[i].number).collect()
    }

    #[test]
    fn rows_come_in_batches_and_the_view_follows() -> Result<(), DeskError> {
        let mut names = Names::default();
        let (mut list, send) = reading_list(3);
        list.set_tab(Tab::All);
        let _ = send.send(batch(&mut names, &[(2, Status::InProgress, "圆通")]));
        assert!(list.receive()?, "more to come");
        list.settle();
        assert_eq!(numbers(&list), [2]);
        let _ = send.send(batch(
            &mut names,
            &[(3, Status::Closed, "中通"), (1, Status::Listed, "申通")],
        ));
        let _ = send.send(Batch::Done(names));
        assert!(!list.receive()?, "everything read");
        list.settle();
        list.sort = Sort::Number;
        list.restart();
        list.settle();
        assert_eq!(numbers(&list), [1, 2, 3]);
        assert_eq!(list.counts, [1, 1, 0, 0, 1, 3]);
        // Each row's text is found where its batch's texts were put.
        for n in [1, 2, 3] {
            list.filter = TextField::single().with_text(&format!("第{n}号"));
            list.restart();
            list.settle();
            assert_eq!(numbers(&list), [n]);
        }
        Ok(())
    }

    /// The view, the tallies and the appeal selected, as the person sees them.
    fn seen(list: &ListScreen) -> (Vec<u64>, [usize; 6], [usize; 6], Option<u64>) {
        (
            numbers(list),
            list.matched,
            list.counts,
            list.selected_number(),
        )
    }

    #[test]
    fn a_step_put_in_place_leaves_the_list_as_filtering_again_would() {
        const STATUSES: [Status; 5] = [
            Status::Listed,
            Status::Assigned,
            Status::InProgress,
            Status::Answered,
            Status::Closed,
        ];
        const ENTERPRISES: [&str; 4] = ["圆通", "中通", "申通", "韵达"];
        let mut seed = 0x5eed_2026_1201_u64;
        let mut next = |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        let mut names = Names::default();
        let mut list = ListScreen::new();
        let mut rows = Vec::new();
        for n in 1..=120 {
            let mut r = row(
                &mut names,
                &mut list.texts,
                n,
                STATUSES[(n % 5) as usize],
                "圆通",
            );
            r.due = chrono::NaiveDate::from_ymd_opt(2024, 2, 1 + (n % 20) as u32);
            r.captured_at = (n % 17) as i64;
            rows.push(r);
        }
        list.update(rows);
        let mut moved_alone = 0;
        for step in 0..600 {
            // Now and then the tab, the sort or the filter changes, as the person works.
            match step % 50 {
                0 => list.set_tab(Tab::ALL[next(6) as usize]),
                10 => list.next_sort(),
                20 => {
                    list.filter =
                        TextField::single().with_text(["", "第1", "中通"][next(3) as usize])
                }
                _ => {}
            }
            list.restart();
            list.settle();
            list.move_by(next(40) as isize - 20);
            // A step on an appeal already there, or one new, or (now and then) many at once.
            let many = if next(25) == 0 { 80 } else { 1 };
            let mut changed = Vec::new();
            for _ in 0..many {
                let number = 1 + next(140);
                let mut r = row(
                    &mut names,
                    &mut list.texts,
                    number,
                    STATUSES[next(5) as usize],
                    ENTERPRISES[next(4) as usize],
                );
                r.due = (next(4) > 0)
                    .then(|| chrono::NaiveDate::from_ymd_opt(2024, 2, 1 + next(20) as u32))
                    .flatten();
                r.captured_at = next(17) as i64;
                r.card = if next(3) == 0 { Card::Red } else { Card::None };
                changed.push(r);
            }
            moved_alone += usize::from(many == 1);
            list.update(changed);
            let put = seen(&list);
            let entries = list.entries.len();
            list.restart();
            list.settle();
            assert_eq!(
                put,
                seen(&list),
                "step {step}, {:?}, {:?}",
                list.tab,
                list.sort
            );
            assert_eq!(entries, list.entries.len());
        }
        assert!(
            moved_alone > 500,
            "most steps moved one row alone: {moved_alone}"
        );
    }

    #[test]
    fn a_change_while_the_list_is_read_is_neither_lost_nor_doubled() -> Result<(), DeskError> {
        let mut names = Names::default();
        let (mut list, send) = reading_list(3);
        list.set_tab(Tab::All);
        // Appeal 1 is read, then changed here; appeal 2 is changed here before the reader gets
        // to it, and the reader's older copy arrives after.
        let _ = send.send(batch(&mut names, &[(1, Status::Listed, "圆通")]));
        list.receive()?;
        put(&mut list, &mut names, 1, Status::Assigned, "圆通");
        put(&mut list, &mut names, 2, Status::Closed, "中通");
        let _ = send.send(batch(
            &mut names,
            &[(2, Status::Listed, "中通"), (3, Status::Listed, "申通")],
        ));
        let _ = send.send(Batch::Done(Names::default()));
        list.finish_reading()?;
        let mut got: Vec<(u64, Status)> =
            list.entries.iter().map(|r| (r.number, r.status)).collect();
        got.sort_by_key(|g| g.0);
        assert_eq!(
            got,
            [
                (1, Status::Assigned),
                (2, Status::Closed),
                (3, Status::Listed)
            ]
        );
        // The tabs count each appeal once, in its present state.
        assert_eq!(list.counts, [1, 1, 0, 0, 1, 3]);
        Ok(())
    }

    #[test]
    fn reading_ends_when_every_reader_is_done() -> Result<(), DeskError> {
        let mut names = Names::default();
        let (mut list, send) = reading_list(2);
        if let Some(r) = &mut list.reading {
            r.readers = 2;
        }
        let _ = send.send(batch(&mut names, &[(1, Status::Listed, "圆通")]));
        let _ = send.send(Batch::Done(Names::default()));
        assert!(list.receive()?, "the other reader is still going");
        let _ = send.send(batch(&mut names, &[(2, Status::Closed, "中通")]));
        let _ = send.send(Batch::Done(names));
        assert!(!list.receive()?, "both readers are done");
        assert_eq!(list.entries.len(), 2);
        Ok(())
    }

    #[test]
    fn the_selected_appeal_stays_selected_as_rows_come_in() -> Result<(), DeskError> {
        let mut names = Names::default();
        let (mut list, send) = reading_list(3);
        list.set_tab(Tab::All);
        list.sort = Sort::Number;
        let _ = send.send(batch(
            &mut names,
            &[(5, Status::Listed, "圆通"), (7, Status::Listed, "中通")],
        ));
        list.receive()?;
        list.settle();
        list.select_number(7);
        assert_eq!(list.selected, 1);
        let _ = send.send(batch(&mut names, &[(1, Status::Closed, "申通")]));
        let _ = send.send(Batch::Done(names));
        list.finish_reading()?;
        assert_eq!(numbers(&list), [1, 5, 7]);
        assert_eq!(
            list.selected_number(),
            Some(7),
            "the same appeal, now third"
        );
        Ok(())
    }

    #[test]
    fn a_reader_that_stops_short_is_reported() {
        let (mut list, send) = reading_list(10);
        drop(send);
        assert!(matches!(list.receive(), Err(DeskError::ListUnread)));
        assert!(!list.reading());
        let (mut list, send) = reading_list(10);
        let _ = send.send(Batch::Failed(DeskError::ListUnread));
        assert!(list.finish_reading().is_err());
        assert!(!list.reading());
    }

    #[test]
    fn the_filter_matches_names_initials_numbers_and_text() {
        let mut names = Names::default();
        let mut list = ListScreen::new();
        list.set_tab(Tab::All);
        put(
            &mut list,
            &mut names,
            7,
            Status::Listed,
            "嘉兴市南湖纺织有限公司",
        );
        put(&mut list, &mut names, 8, Status::Listed, "圆通速递");
        let shown = |list: &mut ListScreen, typed: &str| {
            list.filter = TextField::single().with_text(typed);
            list.restart();
            list.settle();
            let mut n = numbers(list);
            n.sort_unstable();
            n
        };
        assert_eq!(shown(&mut list, "jxnh"), [7], "pinyin initials, in order");
        assert_eq!(shown(&mut list, "圆通"), [8]);
        assert_eq!(shown(&mut list, "#8"), [8]);
        assert_eq!(shown(&mut list, "第7号"), [7], "text");
        assert_eq!(shown(&mut list, "ROAD"), [7, 8], "text, in any case");
        assert_eq!(
            shown(&mut list, "道路 xf"),
            [7, 8],
            "text and category initials"
        );
        assert!(
            shown(&mut list, "圆通 纺织").is_empty(),
            "every word must match"
        );
    }
}
