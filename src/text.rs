//! Text as a terminal shows it: display widths (CJK is two columns), truncation that never
//! splits a character, and sanitising so that nothing from a file reaches the terminal raw.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Control characters (escape sequences above all) become visible placeholders or spaces.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\t' | '\r' => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// At most `max` columns; an ellipsis marks what was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// Sanitised, truncated and padded with spaces to exactly `cols` columns.
pub fn cell(s: &str, cols: usize) -> String {
    let t = truncate(&sanitize(s), cols);
    let pad = cols.saturating_sub(width(&t));
    format!("{t}{}", " ".repeat(pad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_is_two_columns_and_never_split() {
        assert_eq!(width("企业诉求ab"), 10);
        assert_eq!(truncate("浙江圆通航空", 7), "浙江圆…");
        assert_eq!(width(&truncate("浙江圆通航空", 7)), 7);
        assert_eq!(cell("圆通", 6), "圆通  ");
        assert_eq!(cell("浙江圆通航空", 6), "浙江… ");
    }

    #[test]
    fn escape_sequences_never_pass() {
        assert_eq!(sanitize("A\u{1b}[2Jb\nc"), "A\u{FFFD}[2Jb c");
    }
}
