//! The registry in the desk (F6): stewards, enterprises, departments and meetings, each added
//! or corrected without leaving the desk. The forms are boxes the app opens (`Do::Record`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};

use crate::strings::Lang;
use crate::text::cell;
use crate::tui::registry::Registry;

/// One shelf of the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shelf {
    Stewards,
    Enterprises,
    Departments,
    Meetings,
}

impl Shelf {
    pub const ALL: [Shelf; 4] = [
        Shelf::Stewards,
        Shelf::Enterprises,
        Shelf::Departments,
        Shelf::Meetings,
    ];

    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Shelf::Stewards => lang.pick("服务管家", "Stewards"),
            Shelf::Enterprises => lang.pick("企业", "Enterprises"),
            Shelf::Departments => lang.pick("部门", "Departments"),
            Shelf::Meetings => lang.pick("现场会", "Meetings"),
        }
    }
}

/// A record's parts on one line, the empty ones left out.
fn parts(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

#[derive(Default)]
pub struct RecordsScreen {
    pub shelf: usize,
    pub selected: usize,
    /// Each shelf's rows as shown: (key, line). Taken from the registry when it changes.
    rows: [Vec<(String, String)>; 4],
}

impl RecordsScreen {
    pub fn shelf(&self) -> Shelf {
        Shelf::ALL[self.shelf % Shelf::ALL.len()]
    }

    /// The rows again, from the registry.
    pub fn load(&mut self, r: &Registry) {
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        self.rows = [
            r.stewards
                .iter()
                .map(|s| {
                    let line = format!(
                        "{} · {} · {} · {}",
                        s.name,
                        s.dept,
                        opt(&s.phone),
                        opt(&s.team)
                    );
                    (s.name.clone(), line)
                })
                .collect(),
            r.enterprises
                .iter()
                .map(|(e, _)| {
                    let code = e
                        .credit_code
                        .as_ref()
                        .map(|c| c.to_string())
                        .unwrap_or_default();
                    let line = format!(
                        "{} · {code} · {} · {}",
                        e.name,
                        opt(&e.contact),
                        opt(&e.phone)
                    );
                    (e.name.clone(), line)
                })
                .collect(),
            r.departments
                .iter()
                .map(|d| (d.clone(), d.clone()))
                .collect(),
            r.meetings
                .iter()
                .map(|m| {
                    let line = parts(&[
                        &format!("#{} {}", m.number, m.date),
                        &m.venue,
                        &opt(&m.host),
                        &m.depts.join("、"),
                    ]);
                    (m.number.to_string(), line)
                })
                .collect(),
        ];
        self.selected = self
            .selected
            .min(self.rows[self.shelf].len().saturating_sub(1));
    }

    /// The key of the selected record (a name, or a meeting's number).
    pub fn selected_key(&self) -> Option<String> {
        self.rows[self.shelf % 4]
            .get(self.selected)
            .map(|(k, _)| k.clone())
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, lang: Lang, theme: crate::tui::theme::Theme) {
        let [tabs, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        let titles: Vec<Line> = Shelf::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let text = format!("{} {}", s.name(lang), self.rows[i].len());
                if i == self.shelf {
                    Line::from(format!("[{text}]"))
                } else {
                    Line::from(format!(" {text} "))
                }
            })
            .collect();
        frame.render_widget(
            Tabs::new(titles)
                .select(self.shelf)
                .highlight_style(theme.selected())
                .padding("", "")
                .divider("│"),
            tabs,
        );
        let rows = &self.rows[self.shelf % 4];
        if rows.is_empty() {
            frame.render_widget(
                Paragraph::new(Span::styled(lang.no_records(), theme.dim())),
                body,
            );
            return;
        }
        let height = body.height as usize;
        let first = self.selected.saturating_sub(height.saturating_sub(1));
        let lines: Vec<Line> = rows
            .iter()
            .enumerate()
            .skip(first)
            .take(height)
            .map(|(i, (_, line))| {
                let style = if i == self.selected {
                    theme.selected()
                } else {
                    theme.normal()
                };
                Line::styled(cell(line, body.width as usize), style)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), body);
    }
}

impl crate::tui::component::Component for RecordsScreen {
    fn context(&self) -> crate::tui::keymap::Context {
        crate::tui::keymap::Context::Records
    }

    fn handle(&mut self, act: crate::tui::keymap::Act, queue: &mut Vec<crate::tui::component::Do>) {
        use crate::tui::component::Do;
        use crate::tui::keymap::Act;
        let n = self.rows[self.shelf % 4].len();
        match act {
            Act::PrevTab => {
                self.shelf = (self.shelf + 3) % 4;
                self.selected = 0;
            }
            Act::NextTab => {
                self.shelf = (self.shelf + 1) % 4;
                self.selected = 0;
            }
            Act::Up => self.selected = self.selected.saturating_sub(1),
            Act::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Act::NewRecord => queue.push(Do::Record {
                shelf: self.shelf(),
                key: None,
            }),
            Act::Open => {
                if let Some(key) = self.selected_key() {
                    queue.push(Do::Record {
                        shelf: self.shelf(),
                        key: Some(key),
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
        RecordsScreen::draw(self, frame, area, view.lang, view.theme);
        None
    }
}
