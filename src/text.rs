//! Text as a terminal shows it: display widths (CJK is two columns), truncation that never
//! splits a character, and sanitising so that nothing from a file reaches the terminal raw.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Characters that must never reach a reader raw: control characters (escape sequences that
/// retitle a terminal or write its clipboard), bidirectional overrides and isolates (which turn
/// what is shown around), zero-width characters (which hide what is there), and the Unicode
/// line separators.
pub fn is_hazard(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Whether `s` holds a hazard (see [`is_hazard`]), by its bytes: a chunk is looked at closer only
/// if a pair of its bytes can begin one, a test written without branches so that it runs on
/// many bytes at once. Chinese text, most of what the desk writes, is passed over quickly (an
/// export checks every appeal's JSON): its own punctuation (，“”…) shares lead bytes with
/// hazards, but not the bytes after them.
pub fn has_hazard(s: &str) -> bool {
    has_hazard_in(s.as_bytes())
}

/// As [`has_hazard`], for text already written out as UTF-8 (a journal line, as serde_json
/// writes it into the journal's buffer).
pub fn has_hazard_in(bytes: &[u8]) -> bool {
    const CHUNK: usize = 64;
    let mut start = 0;
    while start + CHUNK < bytes.len() {
        let end = start + CHUNK;
        let (these, next) = (&bytes[start..end], &bytes[start + 1..end + 1]);
        let suspect = these
            .iter()
            .zip(next)
            .fold(false, |any, (&b, &after)| any | may_begin_hazard(b, after));
        if suspect && (start..end).any(|i| hazard_at(bytes, i)) {
            return true;
        }
        start = end;
    }
    (start..bytes.len()).any(|i| hazard_at(bytes, i))
}

/// Whether the bytes `b`, `after` can begin a hazard: ASCII and C1 controls (U+0080–U+009F),
/// U+061C, U+180E, U+200B–U+206F and U+FEFF. Never false where [`hazard_at`] is true.
fn may_begin_hazard(b: u8, after: u8) -> bool {
    (b < 0x20)
        | (b == 0x7F)
        | ((b == 0xC2) & (after < 0xA0))
        | ((b == 0xD8) & (after == 0x9C))
        | ((b == 0xE1) & (after == 0xA0))
        | ((b == 0xE2) & ((after & 0xFE) == 0x80))
        | ((b == 0xEF) & (after == 0xBB))
}

/// Whether a hazard begins at byte `i` of the UTF-8 `bytes`.
fn hazard_at(bytes: &[u8], i: usize) -> bool {
    let length = match bytes[i] {
        0x00..=0x1F | 0x7F => return true,
        // The lead bytes of U+0080–U+00BF, U+061C, U+180E (two bytes), U+2000–U+20FF and U+FEFF
        // (three).
        0xC2 | 0xD8 => 2,
        0xE1 | 0xE2 | 0xEF => 3,
        _ => return false,
    };
    bytes
        .get(i..i + length)
        .and_then(|c| std::str::from_utf8(c).ok())
        .and_then(|c| c.chars().next())
        .is_some_and(is_hazard)
}

/// For one line (a table cell, a title): line breaks become spaces, every other hazard a
/// visible placeholder.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\t' | '\r' => ' ',
            c if is_hazard(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// For text of several lines (what a command prints, a notice file): line breaks and tabs stay,
/// every other hazard is written as its escape (`\u{202e}`), so it is seen, never obeyed.
pub fn for_output(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && c != '\t' && is_hazard(c)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if c != '\n' && c != '\t' && is_hazard(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// JSON text with every hazard inside its strings written as a JSON escape (`\u202e`): the
/// same value to a parser, nothing raw to a terminal or an editor. (serde_json escapes C0
/// controls itself; this adds DEL, C1 and the invisible ones.)
pub fn json_escaped(json: String) -> String {
    if !has_hazard(&json) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_hazard(c) && c != '\n' {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", u));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Appends `value` as JSON to `out`: written in place, and escaped (as [`json_escaped`]) only if
/// it holds a hazard, which most lines of a journal or an export do not.
pub fn push_json(out: &mut Vec<u8>, value: &impl serde::Serialize) -> serde_json::Result<()> {
    let start = out.len();
    serde_json::to_writer(&mut *out, value)?;
    if has_hazard_in(&out[start..]) {
        // serde_json writes UTF-8.
        let json = String::from_utf8(out.split_off(start))
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        out.extend_from_slice(json_escaped(json).as_bytes());
    }
    Ok(())
}

/// A cell for a spreadsheet file (CSV): sanitised, and one that a spreadsheet would run as a
/// formula (it begins, after any spaces, with `=`, `+`, `-` or `@`) is kept as text by a leading
/// apostrophe, as OWASP's rule for CSV injection says.
pub fn spreadsheet_cell(s: &str) -> String {
    let clean = sanitize(s);
    match clean.trim_start().chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{clean}"),
        _ => clean,
    }
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

/// Sanitised and cut into lines of at most `cols` columns (never inside a character, at a space
/// where one is near); every line after the first is meant to be drawn after an indent.
pub fn wrap(s: &str, cols: usize) -> Vec<String> {
    let cols = cols.max(2);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for c in sanitize(s).chars() {
        let w = c.width().unwrap_or(0);
        if used + w > cols && c == ' ' {
            // The line ends here; the space that would not fit goes with it.
            lines.push(std::mem::take(&mut line));
            used = 0;
            continue;
        }
        if used + w > cols {
            // Break at the last space of the line when it is in its second half.
            let cut = line.rfind(' ').filter(|&i| width(&line[..i]) * 2 >= cols);
            match cut {
                Some(i) => {
                    let rest = line[i + 1..].to_string();
                    line.truncate(i);
                    lines.push(std::mem::replace(&mut line, rest));
                    used = width(&line);
                }
                None => {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
            }
        }
        line.push(c);
        used += w;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn a_hazard_is_found_by_its_bytes_as_by_its_characters(
            s in "(\\PC|[\u{0}-\u{1f}\u{7f}-\u{9f}\u{61c}\u{180e}\u{2000}-\u{206f}\u{feff}\u{fffd}文字A])*"
        ) {
            proptest::prop_assert_eq!(has_hazard(&s), s.chars().any(is_hazard));
        }
    }

    #[test]
    fn every_hazard_is_found_by_its_bytes() {
        // Alone; and those whose lead byte a hazard's shares, at every place across a chunk's
        // end (64 bytes), inside Chinese text with its own punctuation.
        let text = "企业反映，“用电”问题……已协调！".repeat(3);
        let near = |c: u32| {
            [
                0..=0xFF,
                0x600..=0x6FF,
                0x1800..=0x18FF,
                0x2000..=0x20FF,
                0xFE00..=0xFFFF,
            ]
            .iter()
            .any(|r| r.contains(&c))
        };
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let s = format!("文{c}字");
            assert_eq!(has_hazard(&s), is_hazard(c), "{:04x}", c as u32);
            if !near(c as u32) {
                continue;
            }
            for at in [0, 60, 61, 62, 63, 64, 65] {
                let mut s = String::from(&"x".repeat(3)[..at % 3]);
                while s.len() < at {
                    s.push('文');
                }
                s.push(c);
                s.push_str(&text);
                assert_eq!(has_hazard(&s), is_hazard(c), "{:04x} at {at}", c as u32);
            }
        }
    }

    #[test]
    fn output_keeps_lines_and_writes_hazards_as_escapes() {
        let said = "第一行\n\t缩进 \u{1b}]0;标题\u{7} \u{202e}倒 \u{200b}藏 \u{9b}31m";
        let shown = for_output(said);
        assert_eq!(
            shown,
            "第一行\n\t缩进 \\u{1b}]0;标题\\u{7} \\u{202e}倒 \\u{200b}藏 \\u{9b}31m"
        );
        assert!(matches!(
            for_output("平常的字"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn json_keeps_the_value_and_nothing_raw() {
        let value = serde_json::json!({ "text": "倒\u{202e}转\u{9b}\u{feff}😀\u{200d}" });
        let escaped = json_escaped(serde_json::to_string_pretty(&value).unwrap_or_default());
        assert!(
            !escaped.chars().any(|c| c != '\n' && is_hazard(c)),
            "{escaped}"
        );
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap_or_default();
        assert_eq!(back, value);
    }

    #[test]
    fn wrapping_keeps_every_character_and_every_line_fits() {
        let text = "区住建局、区自然资源和规划分局现场踏勘完毕，省住建厅已出具特殊消防设计审查意见";
        let lines = wrap(text, 20);
        assert!(lines.iter().all(|l| width(l) <= 20), "{lines:?}");
        assert_eq!(lines.concat(), text);
        let english = wrap("noted progress: the housing bureau inspected the site", 16);
        assert!(english.iter().all(|l| width(l) <= 16), "{english:?}");
        assert_eq!(
            english.join(" "),
            "noted progress: the housing bureau inspected the site"
        );
        assert_eq!(wrap("", 10), vec![String::new()]);
    }

    #[test]
    fn cjk_is_two_columns_and_never_split() {
        assert_eq!(width("企业诉求ab"), 10);
        assert_eq!(truncate("浙江圆通航空", 7), "浙江圆…");
        assert_eq!(width(&truncate("浙江圆通航空", 7)), 7);
        assert_eq!(cell("圆通", 6), "圆通  ");
        assert_eq!(cell("浙江圆通航空", 6), "浙江… ");
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_kept_as_text() {
        assert_eq!(spreadsheet_cell("=1+1"), "'=1+1");
        assert_eq!(
            spreadsheet_cell("\t=HYPERLINK(\"x\")"),
            "' =HYPERLINK(\"x\")"
        );
        assert_eq!(spreadsheet_cell("+86 573"), "'+86 573");
        assert_eq!(spreadsheet_cell("-2"), "'-2");
        assert_eq!(spreadsheet_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_cell("消防审批慢"), "消防审批慢");
        assert_eq!(spreadsheet_cell("a=b"), "a=b");
    }

    #[test]
    fn escape_sequences_never_pass() {
        assert_eq!(sanitize("A\u{1b}[2Jb\nc"), "A\u{FFFD}[2Jb c");
    }
}
