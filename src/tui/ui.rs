//! Drawing: a function of the app's state alone. No store access and no heavy work here.

use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::app::{App, MessageKind, Modal, Screen};
use super::component::{Component, View};
use super::widgets::clear_overlay;
use crate::strings::Lang;
use crate::text::{cell, sanitize, width};

/// What the terminal shows while the store opens.
pub fn draw_opening(frame: &mut Frame, lang: Lang) {
    let area = frame.area();
    frame.render_widget(
        Paragraph::new(Span::styled(
            lang.opening(),
            ratatui::style::Style::default().add_modifier(ratatui::style::Modifier::DIM),
        )),
        Rect::new(
            area.x + 1,
            area.y,
            area.width.saturating_sub(1),
            area.height.min(1),
        ),
    );
}

pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let [header, body, message, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(app, frame, header);
    let active = app.modal.is_none() && !app.help;
    let view = View {
        lang: app.lang,
        theme: app.theme,
        today: app.desk.clock().today(),
        active,
        prefix: app.desk.number_prefix().to_string(),
    };
    let mut caret: Option<Position> = match app.screen {
        Screen::Welcome => app.welcome.draw_in(frame, body, &view),
        Screen::Meeting => app.meeting.draw_in(frame, body, &view),
        Screen::List => app.list.draw_in(frame, body, &view),
        Screen::Detail => app
            .detail
            .as_ref()
            .and_then(|d| d.draw_in(frame, body, &view)),
        Screen::Board => app.board.draw_in(frame, body, &view),
        Screen::Figures => app.figures.draw_in(frame, body, &view),
        Screen::Records => app.records.draw_in(frame, body, &view),
    };
    if let Some(m) = &app.message {
        let style = match m.kind {
            MessageKind::Saved => app.theme.ok(),
            MessageKind::Refused => app.theme.yellow(),
            MessageKind::Error => app.theme.error(),
            MessageKind::Info => app.theme.normal(),
        };
        let mark = match m.kind {
            MessageKind::Saved => "✓ ",
            MessageKind::Refused | MessageKind::Error => "✗ ",
            MessageKind::Info => "· ",
        };
        frame.render_widget(
            Paragraph::new(Span::styled(format!("{mark}{}", sanitize(&m.text)), style)),
            message,
        );
    }
    draw_hints(app, frame, hints);
    if let Some(modal) = &app.modal {
        caret = modal.draw_in(frame, body, &view);
    }
    if app.help {
        draw_help(app, frame, body);
        caret = None;
    }
    // The terminal's own cursor sits at the caret, so that an IME composes in place.
    if let Some(p) = caret {
        frame.set_cursor_position(p);
    }
    neutralise(frame.buffer_mut());
}

/// The last word before the terminal: no cell carries a control, bidi or zero-width character,
/// whatever a widget let through (ratatui drops controls, but a zero-width joiner rides along
/// in the cell before it).
fn neutralise(buffer: &mut ratatui::buffer::Buffer) {
    for cell in buffer.content.iter_mut() {
        if cell.symbol().chars().any(crate::text::is_hazard) {
            let kept: String = cell
                .symbol()
                .chars()
                .filter(|c| !crate::text::is_hazard(*c))
                .collect();
            let shown = if kept.is_empty() { " " } else { kept.as_str() };
            cell.set_symbol(shown);
        }
    }
}

fn draw_header(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let today = app.desk.clock().today();
    let tab = |name: &str, on: bool| {
        if on {
            Span::styled(format!(" {name} "), theme.selected())
        } else {
            Span::styled(format!(" {name} "), theme.dim())
        }
    };
    let on_meeting = app.screen == Screen::Meeting;
    let on_list = matches!(app.screen, Screen::List | Screen::Detail);
    let on_board = app.screen == Screen::Board;
    let on_figures = app.screen == Screen::Figures;
    let on_records = app.screen == Screen::Records;
    // Who is acting, on which desk: written on every step.
    let who = match app.desk.desk_name() {
        Some(d) => format!("{} @ {d}", app.desk.actor()),
        None => app.desk.actor().to_string(),
    };
    let date = format!(
        "{}  {} {} ",
        sanitize(&who),
        today,
        app.lang.weekday(today.weekday())
    );
    // The full title where there is room; the tabs matter more.
    let title = if area.width >= 110 {
        app.lang.app_title()
    } else {
        app.lang.app_title_short()
    };
    let left = Line::from(vec![
        Span::styled(format!(" {title} "), theme.title()),
        tab(app.lang.tab_meeting(), on_meeting),
        tab(app.lang.tab_list(), on_list),
        tab(app.lang.tab_board(), on_board),
        tab(app.lang.tab_figures(), on_figures),
        tab(app.lang.tab_records(), on_records),
    ]);
    let left_width = left.width();
    frame.render_widget(Paragraph::new(left), area);
    let w = width(&date) as u16;
    let used: usize = left_width;
    if area.width as usize > used + w as usize {
        let r = Rect::new(area.right() - w, area.y, w, 1);
        frame.render_widget(Paragraph::new(Span::styled(date, theme.dim())), r);
    }
}

fn draw_hints(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let mut area = area;
    // With a hub, the right end says where sync stands.
    if app.sync.linked {
        let status = format!(" {} ", app.lang.sync_status(&app.sync.status));
        let w = (width(&status) as u16).min(area.width);
        let style = if app.sync.status.offline || app.sync.status.conflicts > 0 {
            theme.yellow()
        } else {
            theme.dim()
        };
        let r = Rect::new(area.right() - w, area.y, w, 1);
        frame.render_widget(Paragraph::new(Span::styled(status, style)), r);
        area.width -= w;
    }
    // The help's key is always shown: what does not fit gives way to it.
    let mut keys = app.keys();
    let help = keys
        .iter()
        .position(|(k, _)| k == "?" || k == "F1")
        .map(|i| keys.remove(i));
    let piece = |(k, w): &(String, String)| width(k) + width(w) + 3;
    let room = (area.width as usize).saturating_sub(help.as_ref().map_or(0, piece));
    let mut spans = Vec::new();
    let mut used = 0usize;
    for entry in keys.iter().chain(help.iter()) {
        let is_help = help.as_ref() == Some(entry);
        if !is_help && used + piece(entry) > room {
            continue;
        }
        used += piece(entry);
        let (key, what) = entry;
        spans.push(Span::styled(key.clone(), theme.key()));
        spans.push(Span::styled(format!(" {what}   "), theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A rectangle of at most `w`×`h` in the middle of `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn popup(frame: &mut Frame, area: Rect, title: &str, theme: crate::tui::theme::Theme) -> Rect {
    clear_overlay(area, frame.buffer_mut());
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.title())
        .title(Span::styled(format!(" {title} "), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// A box over the screen, drawn from its own state (see `Component for Modal`).
pub(crate) fn draw_box(
    modal: &Modal,
    frame: &mut Frame,
    body: Rect,
    view: &View,
) -> Option<Position> {
    let lang = view.lang;
    let theme = view.theme;
    match modal {
        Modal::DraftOffer { summary, .. } => {
            let area = centered(body, 70, 6);
            let inner = popup(frame, area, lang.draft_title(), theme);
            // The keys stay on the last line whatever the length of the summary.
            let [text, keys] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
            frame.render_widget(
                Paragraph::new(lang.draft_found(summary)).wrap(Wrap { trim: false }),
                text,
            );
            frame.render_widget(
                Paragraph::new(Line::styled(
                    key_line(crate::tui::keymap::Context::Draft, lang),
                    theme.key(),
                )),
                keys,
            );
            None
        }
        Modal::Duplicate { number, text } => {
            let area = centered(body, 76, 7);
            let title = lang.change(crate::domain::ChangeKind::Capture);
            let inner = popup(frame, area, title, theme);
            let [above, keys] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(inner);
            let warning = Line::styled(
                lang.duplicate(crate::desk::label(&view.prefix, *number), &sanitize(text)),
                theme.yellow(),
            );
            frame.render_widget(Paragraph::new(warning).wrap(Wrap { trim: false }), above);
            let hint = Line::styled(
                key_line(crate::tui::keymap::Context::Duplicate, lang),
                theme.key(),
            );
            frame.render_widget(Paragraph::new(hint).wrap(Wrap { trim: false }), keys);
            None
        }
        Modal::Confirm { prompt, .. } => {
            let area = centered(body, 64, 4);
            let inner = popup(frame, area, "?", theme);
            frame.render_widget(
                Paragraph::new(Line::styled(prompt.clone(), theme.yellow()))
                    .wrap(Wrap { trim: false }),
                inner,
            );
            None
        }
        Modal::Action(a) => {
            let h = a.form.height().max(3) + 2;
            let area = centered(body, 74, h + 1);
            let inner = popup(
                frame,
                area,
                &lang.action_title(a.kind, crate::desk::label(&view.prefix, a.number)),
                theme,
            );
            if a.form.fields.is_empty() {
                let hint = Line::from(vec![
                    Span::styled("Enter", theme.key()),
                    Span::raw(format!(" {}", lang.change(a.kind))),
                ]);
                let mut lines = vec![hint];
                if let Some(e) = &a.form.error {
                    lines.push(Line::styled(format!("✗ {}", sanitize(e)), theme.error()));
                }
                frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
                return None;
            }
            a.form.render(inner, frame.buffer_mut(), theme, true)
        }
        Modal::Period(form) => {
            let area = centered(body, 50, form.height() + 3);
            let inner = popup(frame, area, lang.period_title(), theme);
            form.render(inner, frame.buffer_mut(), theme, true)
        }
        Modal::WhoAreYou(form) => {
            let explained = Paragraph::new(lang.who_explained()).wrap(Wrap { trim: false });
            let area = centered(body, 60, form.height() + 6);
            let inner = popup(frame, area, lang.who_title(), theme);
            let [text, fields] =
                Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(inner);
            frame.render_widget(explained, text);
            form.render(fields, frame.buffer_mut(), theme, true)
        }
        Modal::Record { shelf, key, form } => {
            let area = centered(body, 72, form.height() + 3);
            let title = lang.record_title(shelf.name(lang), key.is_some());
            let inner = popup(frame, area, &title, theme);
            form.render(inner, frame.buffer_mut(), theme, true)
        }
        Modal::NewMeeting(form) => {
            let area = centered(body, 70, form.height() + 3);
            let inner = popup(frame, area, lang.new_meeting_title(), theme);
            form.render(inner, frame.buffer_mut(), theme, true)
        }
        Modal::Notice { text, .. } => {
            let lines: Vec<Line> = text.lines().map(|l| Line::from(sanitize(l))).collect();
            let area = centered(body, 76, (lines.len() as u16 + 3).min(body.height));
            let inner = popup(frame, area, lang.notice_title(), theme);
            let [text_area, keys] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text_area);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    key_line(crate::tui::keymap::Context::Notice, lang),
                    theme.key(),
                )),
                keys,
            );
            None
        }
        Modal::Conflicts { entries, selected } => {
            let area = centered(body, 100, (entries.len() as u16).clamp(1, 12) + 3);
            let inner = popup(frame, area, lang.conflicts_title(), theme);
            let [list, keys] =
                Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
            let first = selected.saturating_sub(list.height.saturating_sub(1) as usize);
            let lines: Vec<Line> = entries
                .iter()
                .enumerate()
                .skip(first)
                .take(list.height as usize)
                .map(|(i, (_, text))| {
                    let style = if i == *selected {
                        theme.selected()
                    } else {
                        theme.normal()
                    };
                    Line::styled(cell(&sanitize(text), list.width as usize), style)
                })
                .collect();
            frame.render_widget(Paragraph::new(lines), list);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    key_line(crate::tui::keymap::Context::Picker, lang),
                    theme.key(),
                )),
                keys,
            );
            None
        }
        Modal::PickMeeting { selected, meetings } => {
            let area = centered(body, 70, (meetings.len() as u16).clamp(1, 12) + 2);
            let inner = popup(frame, area, lang.pick_meeting_title(), theme);
            let first = selected.saturating_sub(inner.height.saturating_sub(1) as usize);
            let lines: Vec<Line> = meetings
                .iter()
                .enumerate()
                .skip(first)
                .take(inner.height as usize)
                .map(|(i, m)| {
                    let text =
                        lang.meeting_line(m.number, &m.date.to_string(), &sanitize(&m.venue));
                    let style = if i == *selected {
                        theme.selected()
                    } else {
                        theme.normal()
                    };
                    Line::styled(cell(&text, inner.width as usize), style)
                })
                .collect();
            frame.render_widget(Paragraph::new(lines), inner);
            None
        }
    }
}

/// The help, over whatever has the keys: that context's keys, from the key table.
fn draw_help(app: &App, frame: &mut Frame, body: Rect) {
    let keys = app.help_keys();
    let area = centered(body, 96, keys.len() as u16 + 2);
    let inner = popup(frame, area, app.lang.help_title(), app.theme);
    let lines: Vec<Line> = keys
        .iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(cell(k, 14), app.theme.key()),
                Span::raw(d.clone()),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A box's keys on one line, from the key table.
fn key_line(context: crate::tui::keymap::Context, lang: Lang) -> String {
    crate::tui::keymap::hints(context, lang, |_| true)
        .into_iter()
        .map(|(k, w)| format!("{k} {w}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod neutralise_tests {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    #[test]
    fn a_cell_loses_what_no_terminal_should_obey() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 4, 1));
        // What a widget lets through: a zero-width joiner riding on a character, an override
        // left alone in a cell.
        buffer[(0, 0)].set_symbol("司\u{200d}");
        buffer[(2, 0)].set_symbol("\u{202e}");
        buffer[(3, 0)].set_symbol("a");
        super::neutralise(&mut buffer);
        assert_eq!(buffer[(0, 0)].symbol(), "司");
        assert_eq!(buffer[(2, 0)].symbol(), " ");
        assert_eq!(buffer[(3, 0)].symbol(), "a");
    }
}
