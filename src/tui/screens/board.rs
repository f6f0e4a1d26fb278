//! The supervisors' board: open appeals by urgency, each with its lateness, its urges and a flag
//! for assignments not acknowledged in time.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row as TableRow, Table};

use crate::desk::{Desk, DeskError};
use chrono::NaiveDate;

use crate::domain::board::BoardEntry;
use crate::domain::{Card, Status};
use crate::strings::Lang;
use crate::text::sanitize;
use crate::tui::background::Background;
use crate::tui::theme::Theme;

#[derive(Default)]
pub struct BoardScreen {
    pub entries: Vec<BoardEntry>,
    pub labels: Vec<String>,
    pub selected: usize,
    /// Something changed since the board was worked out.
    pub stale: bool,
    /// The board being worked out on another thread.
    pub pending: Option<Background<(Vec<BoardEntry>, Vec<String>)>>,
}

impl BoardScreen {
    /// Works the board out again, on another thread.
    pub fn start(&mut self, desk: &Desk) -> Result<(), DeskError> {
        let supervision = desk.supervision(true);
        self.pending = Some(Background::start("the board", move || supervision.board())?);
        self.stale = false;
        Ok(())
    }

    /// Takes in the board once it is worked out; returns whether it is still being worked out.
    pub fn receive(&mut self) -> Result<bool, DeskError> {
        let Some(result) = Background::take_from(&mut self.pending) else {
            return Ok(self.pending.is_some());
        };
        let (entries, labels) = result?;
        self.entries = entries;
        self.labels = labels;
        self.selected = self.selected.min(self.entries.len().saturating_sub(1));
        Ok(false)
    }

    pub fn selected_number(&self) -> Option<u64> {
        self.entries.get(self.selected).map(|e| e.appeal.number)
    }

    pub fn move_by(&mut self, delta: isize) {
        let max = self.entries.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, max.max(0)) as usize;
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, lang: Lang, theme: Theme, today: NaiveDate) {
        if self.entries.is_empty() {
            let note = if self.pending.is_some() {
                lang.working()
            } else {
                lang.no_rows()
            };
            frame.render_widget(Paragraph::new(Span::styled(note, theme.dim())), area);
            return;
        }
        let wide = area.width >= 110;
        let height = area.height.saturating_sub(1) as usize;
        let offset = self.selected.saturating_sub(height.saturating_sub(1));
        let rows: Vec<TableRow> = self
            .entries
            .iter()
            .enumerate()
            .skip(offset)
            .take(height)
            .map(|(i, e)| {
                let a = &e.appeal;
                let card_style = match e.card {
                    Card::Red => theme.red(),
                    Card::Yellow => theme.yellow(),
                    Card::None => theme.normal(),
                };
                let style = if i == self.selected {
                    theme.selected()
                } else {
                    theme.normal()
                };
                let due = a.running_due();
                // Without a due date running, how long it has waited since it was listed or
                // answered.
                let waited_since = match a.status {
                    Status::Listed => a.listed_at,
                    Status::Answered => a.answered_at,
                    _ => None,
                };
                let lateness = match waited_since {
                    Some(at) if due.is_none() => {
                        lang.waited((today - at.date_naive()).num_days().max(0))
                    }
                    _ => lang.lateness(
                        e.days_overdue,
                        e.working_days_left,
                        due.is_some(),
                        e.ack_late,
                    ),
                };
                let mut cells = vec![
                    Line::from(Span::styled(
                        lang.card_short(e.card, e.days_overdue),
                        card_style,
                    )),
                    Line::from(self.labels.get(i).cloned().unwrap_or_default()),
                    Line::from(lang.status(a.status)),
                    Line::from(sanitize(&a.enterprise)),
                    Line::from(sanitize(a.steward.as_deref().unwrap_or(""))),
                ];
                if wide {
                    cells.push(Line::from(sanitize(a.lead_dept.as_deref().unwrap_or(""))));
                }
                cells.extend([
                    Line::from(
                        due.map(|d| d.format("%m-%d").to_string())
                            .unwrap_or_default(),
                    ),
                    Line::from(Span::styled(
                        lateness,
                        if e.ack_late {
                            theme.yellow()
                        } else {
                            theme.dim()
                        },
                    )),
                    Line::from(lang.next_step(a.status, e.ack_late)),
                    Line::from(lang.urges_short(a.urges)),
                ]);
                TableRow::new(cells).style(style)
            })
            .collect();
        let mut widths = vec![
            Constraint::Length(9),
            Constraint::Length(5),
            Constraint::Length(6),
            Constraint::Min(14),
            Constraint::Length(8),
        ];
        let mut headers: Vec<&str> = lang.board_headers()[..5].to_vec();
        if wide {
            widths.push(Constraint::Length(14));
            headers.push(lang.lead_header());
        }
        widths.extend([
            Constraint::Length(5),
            Constraint::Length(16),
            Constraint::Length(10),
            Constraint::Length(4),
        ]);
        headers.extend([
            lang.board_headers()[5],
            lang.board_headers()[6],
            lang.next_step_header(),
            lang.board_headers()[7],
        ]);
        let header = TableRow::new(headers.into_iter().map(Line::from)).style(theme.title());
        frame.render_widget(
            Table::new(rows, widths).header(header).column_spacing(1),
            area,
        );
    }
}

impl crate::tui::component::Component for BoardScreen {
    fn context(&self) -> crate::tui::keymap::Context {
        crate::tui::keymap::Context::Board
    }

    fn handle(&mut self, act: crate::tui::keymap::Act, queue: &mut Vec<crate::tui::component::Do>) {
        use crate::tui::component::Do;
        use crate::tui::keymap::Act;
        match act {
            Act::Up => self.move_by(-1),
            Act::Down => self.move_by(1),
            Act::PageUp => self.move_by(-10),
            Act::PageDown => self.move_by(10),
            Act::Open => {
                if let Some(number) = self.selected_number() {
                    queue.push(Do::Open {
                        number,
                        back_to: crate::tui::app::Screen::Board,
                    });
                }
            }
            Act::Urge => {
                if let Some(entry) = self.entries.get(self.selected) {
                    queue.push(Do::Step {
                        kind: crate::domain::ChangeKind::Urge,
                        appeal: Box::new(entry.appeal.clone()),
                    });
                }
            }
            _ => {}
        }
    }

    fn draw_in(
        &self,
        frame: &mut Frame,
        area: Rect,
        view: &crate::tui::component::View,
    ) -> Option<ratatui::layout::Position> {
        BoardScreen::draw(self, frame, area, view.lang, view.theme, view.today);
        None
    }
}
