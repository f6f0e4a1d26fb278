//! A text field that measures in display columns (CJK is two), never splits a character when it
//! scrolls, and reports where the terminal's own cursor belongs so that an IME composes in place.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use unicode_width::UnicodeWidthChar;

use crate::text::sanitize;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextField {
    chars: Vec<char>,
    /// The caret, as an index into `chars` (0 = before the first).
    caret: usize,
    multiline: bool,
}

fn cw(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// What a key did to a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the caret moved.
    Moved,
    /// Not a key for the field.
    Ignored,
}

impl TextField {
    pub fn single() -> TextField {
        TextField::default()
    }

    pub fn multiline() -> TextField {
        TextField {
            multiline: true,
            ..TextField::default()
        }
    }

    pub fn with_text(mut self, text: &str) -> TextField {
        self.set_text(text);
        self
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.iter().all(|c| c.is_whitespace())
    }

    pub fn is_multiline(&self) -> bool {
        self.multiline
    }

    /// Replaces the text; the caret goes to the end.
    pub fn set_text(&mut self, text: &str) {
        self.chars = Vec::new();
        self.caret = 0;
        self.insert_str(text);
    }

    pub fn caret(&self) -> usize {
        self.caret
    }

    /// Inserts typed or pasted text: control characters are dropped, and in a single-line field a
    /// line break becomes a space.
    pub fn insert_str(&mut self, text: &str) {
        let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
        for c in normalized.chars() {
            let c = match c {
                '\n' if self.multiline => '\n',
                '\n' | '\t' => ' ',
                c if c.is_control() => continue,
                c => c,
            };
            self.chars.insert(self.caret, c);
            self.caret += 1;
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('a') if ctrl => self.move_to(self.line_start()),
            KeyCode::Char('e') if ctrl && !self.multiline => self.move_to(self.line_end()),
            KeyCode::Char('u') if ctrl => {
                let start = self.line_start();
                self.chars.drain(start..self.caret);
                self.caret = start;
                Edit::Changed
            }
            KeyCode::Char('k') if ctrl => {
                let end = self.line_end();
                self.chars.drain(self.caret..end);
                Edit::Changed
            }
            KeyCode::Char(c) if !ctrl => {
                self.insert_str(&c.to_string());
                Edit::Changed
            }
            KeyCode::Enter if self.multiline && !ctrl => {
                self.insert_str("\n");
                Edit::Changed
            }
            KeyCode::Backspace if self.caret > 0 => {
                self.caret -= 1;
                self.chars.remove(self.caret);
                Edit::Changed
            }
            KeyCode::Delete if self.caret < self.chars.len() => {
                self.chars.remove(self.caret);
                Edit::Changed
            }
            KeyCode::Left if self.caret > 0 => self.move_to(self.caret - 1),
            KeyCode::Right if self.caret < self.chars.len() => self.move_to(self.caret + 1),
            KeyCode::Home => self.move_to(self.line_start()),
            KeyCode::End => self.move_to(self.line_end()),
            KeyCode::Up if self.multiline => self.vertical(-1),
            KeyCode::Down if self.multiline => self.vertical(1),
            _ => Edit::Ignored,
        }
    }

    fn move_to(&mut self, caret: usize) -> Edit {
        self.caret = caret.min(self.chars.len());
        Edit::Moved
    }

    fn line_start(&self) -> usize {
        self.chars[..self.caret]
            .iter()
            .rposition(|&c| c == '\n')
            .map_or(0, |i| i + 1)
    }

    fn line_end(&self) -> usize {
        self.chars[self.caret..]
            .iter()
            .position(|&c| c == '\n')
            .map_or(self.chars.len(), |i| self.caret + i)
    }

    /// Moves a line up or down, keeping the display column as near as the line allows.
    fn vertical(&mut self, dir: i32) -> Edit {
        let start = self.line_start();
        let col: usize = self.chars[start..self.caret].iter().map(|&c| cw(c)).sum();
        let (from, to) = if dir < 0 {
            if start == 0 {
                return Edit::Ignored;
            }
            let prev_end = start - 1;
            let prev_start = self.chars[..prev_end]
                .iter()
                .rposition(|&c| c == '\n')
                .map_or(0, |i| i + 1);
            (prev_start, prev_end)
        } else {
            let end = self.line_end();
            if end >= self.chars.len() {
                return Edit::Ignored;
            }
            let next_start = end + 1;
            let next_end = self.chars[next_start..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(self.chars.len(), |i| next_start + i);
            (next_start, next_end)
        };
        let mut used = 0;
        let mut caret = from;
        while caret < to && used + cw(self.chars[caret]) <= col {
            used += cw(self.chars[caret]);
            caret += 1;
        }
        self.move_to(caret)
    }

    /// The visual rows of the text wrapped at `width` columns: (start, end) char ranges.
    fn rows(&self, width: usize) -> Vec<(usize, usize)> {
        let width = width.max(2);
        let mut rows = Vec::new();
        let mut start = 0;
        let mut used = 0;
        for (i, &c) in self.chars.iter().enumerate() {
            if c == '\n' {
                rows.push((start, i));
                start = i + 1;
                used = 0;
                continue;
            }
            let w = cw(c);
            if used + w > width {
                rows.push((start, i));
                start = i;
                used = 0;
            }
            used += w;
        }
        rows.push((start, self.chars.len()));
        rows
    }

    /// Draws the field into `area` and returns where the caret is on screen. A single-line field
    /// scrolls so that the caret stays visible, starting its window at a whole character.
    pub fn render(&self, area: Rect, buf: &mut Buffer, style: Style) -> Position {
        if area.width == 0 || area.height == 0 {
            return Position::new(area.x, area.y);
        }
        let width = area.width as usize;
        if !self.multiline {
            // Leave one column for the caret after the last character.
            let room = width.saturating_sub(1).max(1);
            let mut start = self.caret;
            let mut used = 0;
            while start > 0 && used + cw(self.chars[start - 1]) <= room {
                start -= 1;
                used += cw(self.chars[start]);
            }
            let visible: String = self.chars[start..].iter().collect();
            buf.set_stringn(area.x, area.y, sanitize(&visible), width, style);
            return Position::new(area.x + used.min(width - 1) as u16, area.y);
        }
        let rows = self.rows(width);
        let caret_row = rows
            .iter()
            .rposition(|&(s, _)| s <= self.caret)
            .unwrap_or(0);
        let height = area.height as usize;
        let first = caret_row.saturating_sub(height - 1);
        for (i, &(s, e)) in rows.iter().skip(first).take(height).enumerate() {
            let line: String = self.chars[s..e].iter().collect();
            buf.set_stringn(area.x, area.y + i as u16, sanitize(&line), width, style);
        }
        let (s, _) = rows[caret_row];
        let col: usize = self.chars[s..self.caret].iter().map(|&c| cw(c)).sum();
        Position::new(
            area.x + col.min(width - 1) as u16,
            area.y + (caret_row - first) as u16,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn typed(s: &str) -> TextField {
        let mut f = TextField::single();
        for c in s.chars() {
            f.handle_key(key(KeyCode::Char(c)));
        }
        f
    }

    #[test]
    fn the_caret_sits_at_the_display_width() {
        let f = typed("企业诉求ab");
        let mut buf = Buffer::empty(Rect::new(0, 0, 30, 1));
        let pos = f.render(Rect::new(3, 0, 20, 1), &mut buf, Style::default());
        assert_eq!(pos, Position::new(3 + 10, 0));
    }

    #[test]
    fn moving_left_over_cjk_moves_two_columns() {
        let mut f = typed("企业ab");
        f.handle_key(key(KeyCode::Left));
        f.handle_key(key(KeyCode::Left));
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 1));
        assert_eq!(
            f.render(Rect::new(0, 0, 20, 1), &mut buf, Style::default())
                .x,
            4
        );
        f.handle_key(key(KeyCode::Left));
        assert_eq!(
            f.render(Rect::new(0, 0, 20, 1), &mut buf, Style::default())
                .x,
            2
        );
        f.handle_key(key(KeyCode::Backspace));
        assert_eq!(f.text(), "业ab");
    }

    #[test]
    fn a_long_field_scrolls_without_splitting_a_character() {
        let f = typed("浙江圆通航空投资发展有限公司");
        let area = Rect::new(0, 0, 9, 1);
        let mut buf = Buffer::empty(area);
        let pos = f.render(area, &mut buf, Style::default());
        // 8 columns of room for text: the last four characters, whole, then the caret.
        assert_eq!(buf, Buffer::with_lines(["有限公司 "]));
        assert_eq!(pos.x, 8);
        // An odd width: 7 columns of room hold three whole characters, never half of a fourth.
        let area = Rect::new(0, 0, 8, 1);
        let mut buf = Buffer::empty(area);
        let pos = f.render(area, &mut buf, Style::default());
        assert_eq!(buf, Buffer::with_lines(["限公司  "]));
        assert_eq!(pos.x, 6);
    }

    #[test]
    fn paste_drops_control_characters_and_flattens_lines_in_single_fields() {
        let mut f = TextField::single();
        f.insert_str("圆通\u{1b}[31m\r\n航空\t集团");
        assert_eq!(f.text(), "圆通[31m 航空 集团");
        let mut m = TextField::multiline();
        m.insert_str("第一行\r\n第二行");
        assert_eq!(m.text(), "第一行\n第二行");
    }

    #[test]
    fn multiline_rows_wrap_by_width_and_the_caret_follows() {
        let mut m = TextField::multiline().with_text("审批慢\n消防验收标准不明确");
        let area = Rect::new(0, 0, 8, 3);
        let mut buf = Buffer::empty(area);
        let pos = m.render(area, &mut buf, Style::default());
        // Four visual rows in three: the view scrolled by one to keep the caret (after 确) in sight.
        assert_eq!(
            buf,
            Buffer::with_lines(["消防验收", "标准不明", "确      "])
        );
        assert_eq!(pos, Position::new(2, 2));
        m.handle_key(key(KeyCode::Up));
        m.handle_key(key(KeyCode::Up));
        assert_eq!(m.caret(), 3, "up onto the shorter line lands at its end");
    }
}
