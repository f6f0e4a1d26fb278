//! Widgets the screens are built from.

pub mod form;
pub mod text_field;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Widget};
use unicode_width::UnicodeWidthStr;

/// Clears `area` for an overlay. A wide character just left of it would otherwise spill its
/// second column over the overlay's border, so it is blanked too.
pub fn clear_overlay(area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    Clear.render(area, buf);
    if area.x > buf.area.x {
        for y in area.top()..area.bottom() {
            let cell = &mut buf[(area.x - 1, y)];
            if cell.symbol().width() > 1 {
                cell.set_symbol(" ");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    #[test]
    fn an_overlay_never_sits_under_half_a_wide_character() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        buf.set_string(0, 0, "企业诉", Style::default());
        clear_overlay(Rect::new(3, 0, 3, 1), &mut buf);
        buf.set_string(3, 0, "│", Style::default());
        assert_eq!(buf, Buffer::with_lines(["企 │  "]));
    }
}
