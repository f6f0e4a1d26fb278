//! The appeal list as a document: XLSX (a sheet 诉求清单 with real dates, coloured cards, a frozen
//! header and an autofilter, and a sheet 统计 with the figures), CSV (UTF-8, optionally with a BOM
//! for Excel) or JSON Lines.

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use rust_xlsxwriter::{Color, Format, Workbook, XlsxError};
use serde::Serialize;

use crate::desk::Row;
use crate::domain::figures::Figures;
use crate::domain::{Card, Level};
use crate::strings::Lang;
use crate::text::width;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Csv,
    Jsonl,
}

/// One appeal as scripts read it (`list --format json`, `show --format json`, JSON Lines).
#[derive(Serialize)]
pub struct RowJson<'a> {
    pub number: u64,
    pub label: &'a str,
    /// Captured offline on a desk of a hub: the number is this desk's until the hub gives one.
    pub provisional: bool,
    /// Steps of its timeline not in effect (conflicts between desks).
    pub conflicts: u32,
    pub id: String,
    pub status: &'static str,
    pub enterprise: &'a str,
    pub category: &'a str,
    pub steward: Option<&'a str>,
    pub lead_dept: Option<&'a str>,
    pub co_depts: &'a [String],
    pub due: Option<String>,
    pub card: &'static str,
    pub days_overdue: i64,
    pub closed_how: Option<&'static str>,
    pub rating: Option<u8>,
    pub urges: u32,
    pub reopens: u32,
    pub extensions: u32,
    pub level: Level,
    pub meeting: Option<u64>,
    pub captured_at: String,
    /// When it was answered and closed, to the second.
    pub answered_at: Option<String>,
    pub closed_at: Option<String>,
    /// The ledger it was imported from and its id there (`source:id`).
    pub external_id: Option<&'a str>,
    pub text: &'a str,
    pub answer: Option<&'a str>,
    pub last_note: Option<&'a str>,
}

pub fn row_json(r: &Row) -> RowJson<'_> {
    let a = &r.appeal;
    RowJson {
        number: crate::domain::number::provisional_part(a.number).unwrap_or(a.number),
        label: &r.label,
        provisional: crate::domain::number::is_provisional(a.number),
        conflicts: a.conflicts,
        id: a.id.to_string(),
        status: a.status.key(),
        enterprise: &a.enterprise,
        category: &a.category,
        steward: a.steward.as_deref(),
        lead_dept: a.lead_dept.as_deref(),
        co_depts: &a.co_depts,
        due: a.due.map(|d| d.to_string()),
        card: r.card.key(),
        days_overdue: r.days_overdue,
        closed_how: a.closed_how.map(|h| h.key()),
        rating: a.rating.map(|s| s.score()),
        urges: a.urges,
        reopens: a.reopens,
        extensions: a.extensions,
        level: a.level,
        meeting: a.meeting,
        captured_at: a.time_text(a.captured_at),
        answered_at: a.answered_at.map(|t| a.time_text(t)),
        closed_at: a.closed_at.map(|t| a.time_text(t)),
        external_id: a.external_id.as_deref(),
        text: &a.text,
        answer: a.answer.as_deref(),
        last_note: a.last_note.as_deref(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the spreadsheet: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("cannot put an appeal into the file: {0}")]
    Encode(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Lang {
    /// An export that failed, said in the desk's language.
    pub fn export_error(self, e: &ExportError) -> String {
        match (self, e) {
            (Lang::Zh, ExportError::Xlsx(x)) => format!("无法写出表格：{x}"),
            (Lang::Zh, ExportError::Io { path, source }) => format!("无法写入 {path}：{source}"),
            (Lang::Zh, ExportError::Encode(why)) => format!("无法把诉求写入文件：{why}"),
            (Lang::En, e) => format!("the export failed: {e}"),
        }
    }
}

/// One cell of the appeal sheet.
enum Cell {
    Text(String),
    Number(f64),
    Time(Option<DateTime<FixedOffset>>),
    Date(Option<chrono::NaiveDate>),
    Card(Card, String),
}

fn cells(r: &Row, lang: Lang) -> Vec<Cell> {
    let a = &r.appeal;
    let t = |s: &str| Cell::Text(s.to_string());
    // A time the ledger gave as a day stays a day.
    let time = |at: DateTime<FixedOffset>| {
        if a.is_day_only(at) {
            Cell::Date(Some(at.date_naive()))
        } else {
            Cell::Time(Some(at))
        }
    };
    let o = |s: &Option<String>| Cell::Text(s.clone().unwrap_or_default());
    let escalated = match (&a.escalated_to, a.level) {
        (Some(to), level) => format!("{} · {to}", lang.level(level)),
        (None, _) => String::new(),
    };
    vec![
        t(&r.label),
        t(lang.status(a.status)),
        Cell::Card(r.card, lang.card_word(r.card).to_string()),
        Cell::Number(r.days_overdue as f64),
        t(&a.enterprise),
        t(&a.category),
        t(&a.text),
        o(&a.contact),
        Cell::Text(a.meeting.map(|m| m.to_string()).unwrap_or_default()),
        time(a.captured_at),
        t(&a.departments.join("、")),
        o(&a.steward),
        o(&a.lead_dept),
        t(&a.co_depts.join("、")),
        Cell::Date(a.due),
        Cell::Text(escalated),
        Cell::Number(f64::from(a.urges)),
        Cell::Number(f64::from(a.extensions)),
        Cell::Number(f64::from(a.reopens)),
        o(&a.last_note),
        o(&a.answer),
        a.answered_at.map_or(Cell::Time(None), time),
        Cell::Text(
            a.rating
                .map(|s| lang.satisfaction(s).to_string())
                .unwrap_or_default(),
        ),
        a.closed_at.map_or(Cell::Time(None), time),
        Cell::Text(
            a.closed_how
                .map(|h| lang.closed_how(h).to_string())
                .unwrap_or_default(),
        ),
        o(&a.external_id),
    ]
}

fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Text(s) | Cell::Card(_, s) => crate::text::spreadsheet_cell(s),
        Cell::Number(n) => n.to_string(),
        Cell::Time(t) => t
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        Cell::Date(d) => d.map(|d| d.to_string()).unwrap_or_default(),
    }
}

/// Writes the rows (and, for XLSX, the figures) to `path`.
pub fn export(
    rows: &[Row],
    figures: &Figures,
    lang: Lang,
    format: ExportFormat,
    bom: bool,
    path: &Path,
) -> Result<(), ExportError> {
    let io = |source| ExportError::Io {
        path: path.display().to_string(),
        source,
    };
    match format {
        ExportFormat::Xlsx => xlsx(rows, figures, lang, path),
        ExportFormat::Csv | ExportFormat::Jsonl => {
            let mut out = head(lang, format, bom)?;
            out.extend_from_slice(&lines(rows, lang, format)?);
            crate::desk::paths::write_private(path, &out).map_err(io)
        }
    }
}

/// What a CSV or JSON Lines file begins with: the BOM if asked and the header row (CSV).
pub fn head(lang: Lang, format: ExportFormat, bom: bool) -> Result<Vec<u8>, ExportError> {
    let mut out: Vec<u8> = Vec::new();
    if format == ExportFormat::Csv {
        if bom {
            out.extend_from_slice("\u{feff}".as_bytes());
        }
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(lang.export_columns())
            .map_err(lines_failed)?;
        w.flush().map_err(lines_failed)?;
    }
    Ok(out)
}

/// The rows as CSV records or JSON lines, without the file's head: an export is written a part
/// at a time.
pub fn lines(rows: &[Row], lang: Lang, format: ExportFormat) -> Result<Vec<u8>, ExportError> {
    let mut out: Vec<u8> = Vec::new();
    match format {
        ExportFormat::Jsonl => {
            for r in rows {
                crate::text::push_json(&mut out, &row_json(r)).map_err(lines_failed)?;
                out.push(b'\n');
            }
        }
        ExportFormat::Csv | ExportFormat::Xlsx => {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(&mut out);
            for r in rows {
                let record: Vec<String> = cells(r, lang).iter().map(cell_text).collect();
                w.write_record(&record).map_err(lines_failed)?;
            }
            w.flush().map_err(lines_failed)?;
        }
    }
    Ok(out)
}

/// Writing into memory fails only if a row cannot be put into the format.
fn lines_failed(e: impl std::fmt::Display) -> ExportError {
    ExportError::Encode(e.to_string())
}

fn xlsx(rows: &[Row], figures: &Figures, lang: Lang, path: &Path) -> Result<(), ExportError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("诉求清单")?;
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7));
    let time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let red = Format::new()
        .set_bold()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(0xC00000));
    let yellow = Format::new().set_background_color(Color::RGB(0xFFEB3B));
    let columns = lang.export_columns();
    let mut widths: Vec<usize> = columns.iter().map(|c| width(c)).collect();
    for (c, h) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &header)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = 1 + i as u32;
        for (c, cell) in cells(r, lang).into_iter().enumerate() {
            let col = c as u16;
            let shown = cell_text(&cell);
            widths[c] = widths[c].max(width(&shown));
            match cell {
                Cell::Text(s) => {
                    ws.write_string(row, col, crate::text::sanitize(&s))?;
                }
                Cell::Number(n) => {
                    ws.write_number(row, col, n)?;
                }
                Cell::Time(Some(t)) => {
                    ws.write_datetime_with_format(row, col, t.naive_local(), &time)?;
                }
                Cell::Date(Some(d)) => {
                    ws.write_datetime_with_format(row, col, d, &date)?;
                }
                Cell::Time(None) | Cell::Date(None) => {}
                Cell::Card(card, word) => match card {
                    Card::Red => {
                        ws.write_string_with_format(row, col, word, &red)?;
                    }
                    Card::Yellow => {
                        ws.write_string_with_format(row, col, word, &yellow)?;
                    }
                    Card::None => {}
                },
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 60) as f64 + 2.0)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.len() as u32, (columns.len() - 1) as u16)?;
    super::report::figures_sheet(&mut wb, figures, lang)?;
    let bytes = wb.save_to_buffer()?;
    crate::desk::paths::write_private(path, &bytes).map_err(|source| ExportError::Io {
        path: path.display().to_string(),
        source,
    })
}
