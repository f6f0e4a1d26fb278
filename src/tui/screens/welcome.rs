//! The first screen of an empty desk: what it is, and one key to the demo or to an empty start.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::tui::component::{Component, Do, View};
use crate::tui::keymap::{Act, Context};

#[derive(Default)]
pub struct WelcomeScreen;

impl Component for WelcomeScreen {
    fn context(&self) -> Context {
        Context::Welcome
    }

    fn handle(&mut self, act: Act, queue: &mut Vec<Do>) {
        match act {
            Act::LoadDemo => queue.push(Do::LoadDemo),
            Act::StartEmpty => queue.push(Do::StartEmpty),
            _ => {}
        }
    }

    fn draw_in(&self, frame: &mut Frame, area: Rect, view: &View) -> Option<Position> {
        let lines: Vec<Line> = view.lang.welcome().into_iter().map(Line::from).collect();
        let w = 84.min(area.width);
        let h = (lines.len() as u16 + 2).min(area.height);
        let inner = Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        );
        frame.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(view.theme.title()),
            ),
            inner,
        );
        None
    }
}
