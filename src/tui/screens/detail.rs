//! One appeal: every field, the whole timeline, and the lifecycle steps its state allows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::desk::Row;
use crate::domain::{Appeal, Card, ChangeKind, ClosedHow, Event, Status};
use crate::strings::Lang;
use crate::text::{cell, sanitize};
use crate::tui::theme::Theme;

pub struct DetailScreen {
    pub row: Row,
    pub events: Vec<Event>,
    /// Steps of the timeline not in effect (a conflict between desks), and why.
    pub not_in_effect: Vec<crate::domain::NotInEffect>,
    /// How far the timeline is scrolled from its end (0 = the latest in view).
    pub scroll: usize,
}

/// Whether the appeal's state allows the step (the same table the lifecycle checks).
pub fn allowed(a: &Appeal, kind: ChangeKind) -> bool {
    let from_state = kind.allowed_from().contains(&a.status);
    let reopenable = kind != ChangeKind::Reopen
        || a.status != Status::Closed
        || a.closed_how == Some(ClosedHow::Answered);
    from_state && reopenable
}

impl DetailScreen {
    pub fn draw(&self, frame: &mut Frame, area: Rect, lang: Lang, theme: Theme) {
        let r = &self.row;
        let a = &r.appeal;
        let card_style = match r.card {
            Card::Red => theme.red(),
            Card::Yellow => theme.yellow(),
            Card::None => theme.normal(),
        };
        let [title, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(lang.appeal_title(&r.label), theme.title()),
                Span::raw("  "),
                Span::styled(format!("[{}]", lang.status(a.status)), theme.key()),
                Span::raw("  "),
                Span::styled(lang.card(r.card, r.days_overdue), card_style),
            ])),
            title,
        );
        let fields: Vec<(&str, String)> = lang
            .appeal_fields(a)
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let wide = body.width >= 110;
        let (fields_area, timeline_area) = if wide {
            let [x, y] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(body);
            (x, y)
        } else {
            let h = (fields.len() as u16).min(body.height / 2 + 2);
            let [x, y] = Layout::vertical([Constraint::Length(h), Constraint::Min(0)]).areas(body);
            (x, y)
        };
        let label_w = 10;
        let lines: Vec<Line> = fields
            .iter()
            .map(|(label, value)| {
                Line::from(vec![
                    Span::styled(cell(label, label_w), theme.label()),
                    Span::raw(" "),
                    Span::raw(sanitize(value)),
                ])
            })
            .collect();
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }),
            fields_area,
        );

        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(theme.dim())
            .title(format!(" {} ", lang.timeline_title()));
        let inner = block.inner(timeline_area);
        frame.render_widget(block, timeline_area);
        let height = inner.height as usize;
        let end = self.events.len().saturating_sub(self.scroll);
        let start = end.saturating_sub(height);
        let lines: Vec<Line> = self.events[start..end]
            .iter()
            .map(|e| {
                let mut spans = vec![
                    Span::styled(e.at.format("%m-%d %H:%M").to_string(), theme.dim()),
                    Span::raw(" "),
                    Span::styled(cell(&e.actor, 6), theme.label()),
                    Span::raw(" "),
                ];
                match self.not_in_effect.iter().find(|n| n.event == e.id) {
                    Some(n) => {
                        spans.push(Span::styled(
                            format!("⚠ {} ", lang.not_in_effect()),
                            theme.yellow(),
                        ));
                        spans.push(Span::styled(sanitize(&lang.describe(&e.body)), theme.dim()));
                        spans.push(Span::styled(
                            format!(" ({})", sanitize(&lang.refusal(&n.refusal))),
                            theme.yellow(),
                        ));
                    }
                    None => spans.push(Span::raw(sanitize(&lang.describe(&e.body)))),
                }
                Line::from(spans)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

impl crate::tui::component::Component for DetailScreen {
    fn context(&self) -> crate::tui::keymap::Context {
        crate::tui::keymap::Context::Detail
    }

    fn handle(&mut self, act: crate::tui::keymap::Act, queue: &mut Vec<crate::tui::component::Do>) {
        use crate::tui::component::Do;
        use crate::tui::keymap::Act;
        match act {
            Act::Back => queue.push(Do::Back),
            Act::ScrollUp => {
                self.scroll = (self.scroll + 1).min(self.events.len().saturating_sub(1))
            }
            Act::ScrollDown => self.scroll = self.scroll.saturating_sub(1),
            Act::Step(kind) if allowed(&self.row.appeal, kind) => queue.push(Do::Step {
                kind,
                appeal: Box::new(self.row.appeal.clone()),
            }),
            _ => {}
        }
    }

    fn draw_in(
        &self,
        frame: &mut Frame,
        area: Rect,
        view: &crate::tui::component::View,
    ) -> Option<ratatui::layout::Position> {
        DetailScreen::draw(self, frame, area, view.lang, view.theme);
        None
    }
}
