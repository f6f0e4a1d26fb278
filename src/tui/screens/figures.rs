//! The figures screen: a period's figures, broken down by one dimension, and the weekly trend of
//! captured against closed. Everything is computed when the period or data change, not per frame.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Block, Borders, Paragraph, Row as TableRow, Table, Tabs,
};

use crate::desk::supervise::FiguresSource;
use crate::desk::{Desk, DeskError};
use crate::domain::figures::{Dimension, Figures, Period};
use crate::strings::Lang;
use crate::text::{cell, sanitize};
use crate::tui::background::Background;
use crate::tui::theme::Theme;

/// The periods offered, in the order ←/→ step through them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodChoice {
    ThisWeek,
    LastWeek,
    ThisMonth,
    AllTime,
    /// A range of days the supervisor gives (`c`).
    Custom,
}

impl PeriodChoice {
    pub const ALL: [PeriodChoice; 5] = [
        PeriodChoice::ThisWeek,
        PeriodChoice::LastWeek,
        PeriodChoice::ThisMonth,
        PeriodChoice::AllTime,
        PeriodChoice::Custom,
    ];
}

#[derive(Default)]
pub struct FiguresScreen {
    pub choice: usize,
    pub dimension: usize,
    pub period: Option<Period>,
    pub figures: Figures,
    pub breakdown: Vec<(String, Figures)>,
    pub trend: Vec<(chrono::NaiveDate, usize, usize)>,
    pub scroll: usize,
    /// The data changed since the figures were worked out.
    pub stale: bool,
    /// The range given for the custom period.
    pub custom: Option<Period>,
    /// The figures being worked out on another thread.
    pending: Option<Background<Computed>>,
    /// The meetings, to name the by-meeting breakdown by date and venue.
    pub meetings: Vec<crate::domain::Meeting>,
}

/// What the screen shows, worked out together.
struct Computed {
    period: Period,
    figures: Figures,
    breakdown: Vec<(String, Figures)>,
    trend: Vec<(chrono::NaiveDate, usize, usize)>,
}

const TREND_WEEKS: usize = 8;

impl Computed {
    fn work_out(
        source: FiguresSource,
        choice: usize,
        dimension: usize,
        custom: Option<Period>,
    ) -> Result<Computed, DeskError> {
        let today = source.today;
        let period = match PeriodChoice::ALL[choice % PeriodChoice::ALL.len()] {
            PeriodChoice::ThisWeek => Period::week_of(today),
            PeriodChoice::LastWeek => Period::last_week(today),
            PeriodChoice::ThisMonth => Period::month_of(today),
            PeriodChoice::AllTime => source.all_time()?,
            PeriodChoice::Custom => match custom {
                Some(p) => p,
                None => source.all_time()?,
            },
        };
        // The sums of the period's days and the open appeals; the trend from counts by day.
        let by = Dimension::ALL[dimension % Dimension::ALL.len()];
        let (figures, breakdown) = source.figures(period, by)?;
        Ok(Computed {
            period,
            figures,
            breakdown,
            trend: source.trend(TREND_WEEKS)?,
        })
    }
}

impl FiguresScreen {
    /// Works everything out again from the desk's appeals, on another thread.
    pub fn compute(&mut self, desk: &Desk) -> Result<(), DeskError> {
        self.meetings = desk.meetings()?;
        let source = desk.figures_source()?;
        let (choice, dimension, custom) = (self.choice, self.dimension, self.custom);
        self.pending = Some(Background::start("the figures", move || {
            Computed::work_out(source, choice, dimension, custom)
        })?);
        self.stale = false;
        Ok(())
    }

    /// Takes in the figures once they are worked out; returns whether they are still being
    /// worked out.
    pub fn receive(&mut self) -> Result<bool, DeskError> {
        let Some(result) = Background::take_from(&mut self.pending) else {
            return Ok(self.pending.is_some());
        };
        let c = result?;
        self.period = Some(c.period);
        self.figures = c.figures;
        self.breakdown = c.breakdown;
        self.trend = c.trend;
        self.scroll = 0;
        Ok(false)
    }

    pub fn working(&self) -> bool {
        self.pending.is_some()
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, lang: Lang, theme: Theme) {
        let [tabs, top, bottom] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(15),
            Constraint::Min(0),
        ])
        .areas(area);
        let names = lang.period_names();
        frame.render_widget(
            Tabs::new(names.to_vec())
                .select(self.choice)
                .highlight_style(theme.selected())
                .divider("│"),
            tabs,
        );
        let range = match self.period {
            _ if self.pending.is_some() => Some(lang.working().to_string()),
            Some(p) => Some(format!("{} – {}", p.from, p.to)),
            None => None,
        };
        if let Some(range) = range {
            let w = crate::text::width(&range) as u16;
            if tabs.width > w + 30 {
                let r = Rect::new(tabs.right() - w, tabs.y, w, 1);
                frame.render_widget(Paragraph::new(Span::styled(range, theme.dim())), r);
            }
        }
        if self.period.is_none() && self.pending.is_some() {
            // Worked out for the first time: nothing to show yet but that it is coming.
            frame.render_widget(
                Paragraph::new(Span::styled(lang.working(), theme.dim())),
                top,
            );
            return;
        }
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top);
        let figure_lines = crate::io::figure_lines(&self.figures, lang);
        // Labels as wide as the longest of the language, as far as the box allows.
        let label_w = figure_lines
            .iter()
            .map(|(_, l, _)| crate::text::width(l))
            .max()
            .unwrap_or(20)
            .min((left.width as usize).saturating_sub(10))
            + 1;
        let lines: Vec<Line> = figure_lines
            .into_iter()
            .map(|(_, label, value)| {
                Line::from(vec![
                    Span::styled(cell(&label, label_w), theme.label()),
                    Span::styled(value, theme.normal()),
                ])
            })
            .collect();
        frame.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.dim())
                    .title(format!(" {} ", lang.figures_heading())),
            ),
            left,
        );
        // As many weeks as fit: a group is two bars of three columns and a gap.
        let fit = (right.width.saturating_sub(2) as usize + 1) / 7;
        let weeks = &self.trend[self.trend.len().saturating_sub(fit)..];
        let mut chart = BarChart::default()
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.dim())
                    .title(format!(" {} ", lang.trend_title())),
            )
            .bar_width(3)
            .bar_gap(0)
            .group_gap(1)
            .value_style(Style::default());
        for (week, captured, closed) in weeks {
            chart = chart.data(
                BarGroup::default()
                    .label(Line::from(week.format("%m-%d").to_string()))
                    .bars(&[
                        Bar::default().value(*captured as u64).style(theme.yellow()),
                        Bar::default().value(*closed as u64).style(theme.ok()),
                    ]),
            );
        }
        frame.render_widget(chart, right);

        let dim = Dimension::ALL[self.dimension % Dimension::ALL.len()];
        let header = TableRow::new(lang.breakdown_columns().map(Line::from)).style(theme.title());
        let height = bottom.height.saturating_sub(3) as usize;
        let rows: Vec<TableRow> = self
            .breakdown
            .iter()
            .skip(self.scroll)
            .take(height)
            .map(|(name, f)| {
                TableRow::new(vec![
                    Line::from(sanitize(&lang.group_name(dim, name, &self.meetings))),
                    Line::from(f.captured.to_string()),
                    Line::from(f.on_spot_rate.percent()),
                    Line::from(f.close_rate.percent()),
                    Line::from(f.on_time_rate.percent()),
                    Line::from(f.satisfaction_rate.percent()),
                    Line::from(f.open.to_string()),
                    Line::from(Span::styled(
                        f.red.to_string(),
                        if f.red > 0 {
                            theme.red()
                        } else {
                            theme.normal()
                        },
                    )),
                ])
            })
            .collect();
        // Each column as wide as its header (at least the width of its figures).
        let heads = lang.breakdown_columns();
        let w = |i: usize, least: u16| {
            Constraint::Length((crate::text::width(heads[i]) as u16).max(least))
        };
        let widths = [
            Constraint::Min(14),
            w(1, 6),
            w(2, 6),
            w(3, 6),
            w(4, 6),
            w(5, 6),
            w(6, 5),
            w(7, 4),
        ];
        frame.render_widget(
            Table::new(rows, widths).header(header).block(
                Block::default()
                    .borders(Borders::TOP)
                    .border_style(theme.dim())
                    .title(format!(" {} (Tab) ", lang.dimension(dim))),
            ),
            bottom,
        );
    }
}

impl crate::tui::component::Component for FiguresScreen {
    fn context(&self) -> crate::tui::keymap::Context {
        crate::tui::keymap::Context::Figures
    }

    fn handle(&mut self, act: crate::tui::keymap::Act, queue: &mut Vec<crate::tui::component::Do>) {
        use crate::tui::component::Do;
        use crate::tui::keymap::Act;
        let periods = PeriodChoice::ALL.len();
        let dims = crate::domain::figures::Dimension::ALL.len();
        match act {
            Act::PrevPeriod => self.choice = (self.choice + periods - 1) % periods,
            Act::NextPeriod => self.choice = (self.choice + 1) % periods,
            Act::NextBreakdown => self.dimension = (self.dimension + 1) % dims,
            Act::PrevBreakdown => self.dimension = (self.dimension + dims - 1) % dims,
            Act::ScrollUp => return self.scroll = self.scroll.saturating_sub(1),
            Act::ScrollDown => {
                self.scroll = (self.scroll + 1).min(self.breakdown.len().saturating_sub(1));
                return;
            }
            Act::CustomPeriod => return queue.push(Do::AskPeriod),
            _ => return,
        }
        queue.push(Do::Recompute);
    }

    fn draw_in(
        &self,
        frame: &mut Frame,
        area: Rect,
        view: &crate::tui::component::View,
    ) -> Option<ratatui::layout::Position> {
        FiguresScreen::draw(self, frame, area, view.lang, view.theme);
        None
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    fn screen_text(screen: &FiguresScreen) -> String {
        let mut t = match Terminal::new(TestBackend::new(80, 20)) {
            Ok(t) => t,
            Err(never) => match never {},
        };
        if let Err(never) = t.draw(|f| screen.draw(f, f.area(), Lang::Zh, Theme { color: false })) {
            match never {}
        }
        let cells = t.backend().buffer().content();
        cells
            .iter()
            .map(|c| c.symbol())
            .collect::<String>()
            .replace(' ', "")
    }

    #[test]
    fn figures_being_worked_out_the_first_time_are_not_shown_as_zeros() -> Result<(), DeskError> {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let mut screen = FiguresScreen {
            pending: Some(Background::start("test", move || {
                let _ = wait.recv();
                Err(DeskError::ListUnread)
            })?),
            ..FiguresScreen::default()
        };
        let text = screen_text(&screen);
        assert!(text.contains("计算中"), "{text}");
        assert!(!text.contains("登记诉求"), "{text}");
        // Once the work ends (here refused), the refusal is given and nothing is pending.
        drop(release);
        while matches!(screen.receive(), Ok(true)) {
            std::thread::yield_now();
        }
        assert!(!screen.working());
        assert!(screen_text(&screen).contains("登记诉求"));
        Ok(())
    }
}
