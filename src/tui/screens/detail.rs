//! One appeal: every field, the whole timeline, and the lifecycle steps its state allows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::desk::Row;
use crate::domain::{Appeal, Card, ChangeKind, ClosedHow, Event, Status};
use crate::strings::Lang;
use crate::text::cell;
use crate::tui::theme::Theme;

pub struct DetailScreen {
    pub row: Row,
    pub events: Vec<Event>,
    /// Steps of the timeline not in effect (a conflict between desks), and why.
    pub not_in_effect: Vec<crate::domain::NotInEffect>,
    /// How many lines the view is scrolled down (the timeline alone when side by side).
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
        // Labels as wide as the longest of the language; long values wrap under themselves.
        let label_w = fields
            .iter()
            .map(|(l, _)| crate::text::width(l))
            .max()
            .unwrap_or(8)
            .min(16);
        let field_lines = |cols: u16| -> Vec<Line<'static>> {
            let value_w = (cols as usize).saturating_sub(label_w + 1).max(8);
            let mut out = Vec::new();
            for (label, value) in &fields {
                for (k, part) in crate::text::wrap(value, value_w).into_iter().enumerate() {
                    let head = if k == 0 {
                        cell(label, label_w)
                    } else {
                        " ".repeat(label_w)
                    };
                    out.push(Line::from(vec![
                        Span::styled(head, theme.label()),
                        Span::raw(" "),
                        Span::raw(part),
                    ]));
                }
            }
            out
        };
        let timeline_lines = |cols: u16| -> Vec<Line<'static>> {
            // "MM-DD HH:MM actor  what", what wrapped under itself.
            let indent = 11 + 1 + 6 + 1;
            let text_w = (cols as usize).saturating_sub(indent).max(8);
            let mut out = vec![Line::styled(
                format!("── {} ──", lang.timeline_title()),
                theme.dim(),
            )];
            for e in &self.events {
                let refused = self.not_in_effect.iter().find(|n| n.event == e.id);
                let what = match refused {
                    Some(n) => format!(
                        "⚠ {} {} ({})",
                        lang.not_in_effect(),
                        lang.describe(&e.body),
                        lang.refusal(&n.refusal)
                    ),
                    None => lang.describe(&e.body),
                };
                let style = if refused.is_some() {
                    theme.yellow()
                } else {
                    theme.normal()
                };
                for (k, part) in crate::text::wrap(&what, text_w).into_iter().enumerate() {
                    let head = if k == 0 {
                        vec![
                            // A day the ledger gave stays a day (padded to the column).
                            Span::styled(format!("{:<11}", a.shown_time(e.at, false)), theme.dim()),
                            Span::raw(" "),
                            Span::styled(cell(&e.actor, 6), theme.label()),
                            Span::raw(" "),
                        ]
                    } else {
                        vec![Span::raw(" ".repeat(indent))]
                    };
                    let mut spans = head;
                    spans.push(Span::styled(part, style));
                    out.push(Line::from(spans));
                }
            }
            out
        };
        let scroll = |lines: &[Line], height: u16| -> u16 {
            let most = lines.len().saturating_sub(height as usize);
            u16::try_from(self.scroll.min(most)).unwrap_or(u16::MAX)
        };
        if body.width >= 110 {
            // Side by side: the fields, and the timeline scrolled on its own.
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(body);
            frame.render_widget(Paragraph::new(field_lines(left.width)), left);
            let lines = timeline_lines(right.width.saturating_sub(1));
            let at = scroll(&lines, right.height);
            frame.render_widget(Paragraph::new(lines).scroll((at, 0)), right);
        } else {
            // One column, scrolled as a whole: every field and the whole timeline reachable.
            let mut lines = field_lines(body.width);
            lines.push(Line::raw(""));
            lines.extend(timeline_lines(body.width));
            let at = scroll(&lines, body.height);
            frame.render_widget(Paragraph::new(lines).scroll((at, 0)), body);
        }
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
            Act::ScrollUp => self.scroll = self.scroll.saturating_sub(1),
            // Bounded when drawn (the lines depend on the width).
            Act::ScrollDown => self.scroll = (self.scroll + 1).min(10_000),
            Act::PageUp => self.scroll = self.scroll.saturating_sub(10),
            Act::PageDown => self.scroll = (self.scroll + 10).min(10_000),
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
