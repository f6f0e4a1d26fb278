//! Reading a ledger into rows of cells: CSV in UTF-8 (with or without a BOM) or in GB18030/GBK as
//! Chinese Excel writes it, or XLSX through calamine (dates as dates, numbers as numbers).

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use chrono::{NaiveDate, NaiveDateTime};

/// One cell, as the source gives it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    DateTime(NaiveDateTime),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text: numbers without a needless ".0", dates as `YYYY-MM-DD HH:MM:SS`.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::DateTime(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }
}

/// A source row with the number people see for it (the line in a CSV, the row in a sheet).
#[derive(Clone)]
pub struct SourceRow {
    pub number: usize,
    pub cells: Vec<Cell>,
}

pub struct Table {
    pub headers: Vec<String>,
    body: Body,
    /// What the file turned out to be, for the report (`UTF-8`, `GBK`, sheet name…).
    pub described: String,
}

enum Body {
    /// The decoded text: its rows are parsed each time they are read rather than held, which
    /// keeps an import of 100,000 rows in a fraction of the memory.
    Csv {
        text: String,
        name: String,
    },
    Sheet(Vec<SourceRow>),
}

impl Table {
    /// The rows after the header, in order. A CSV row that cannot be parsed is an error.
    pub fn rows(&self) -> Box<dyn Iterator<Item = Result<SourceRow, TableError>> + '_> {
        match &self.body {
            Body::Sheet(rows) => Box::new(rows.iter().cloned().map(Ok)),
            Body::Csv { text, name } => Box::new(
                csv_reader(text)
                    .into_records()
                    .skip(1)
                    .map(move |record| csv_row(record, name)),
            ),
        }
    }
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

fn csv_error(name: &str, e: &csv::Error, line: u64) -> TableError {
    TableError::Csv {
        file: name.to_string(),
        line: e.position().map_or(line, |p| p.line()),
        message: e.to_string(),
    }
}

fn csv_row(record: csv::Result<csv::StringRecord>, name: &str) -> Result<SourceRow, TableError> {
    let record = record.map_err(|e| csv_error(name, &e, 0))?;
    Ok(SourceRow {
        number: record.position().map_or(0, |p| p.line() as usize),
        cells: record
            .iter()
            .map(|c| {
                if c.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(c.to_string())
                }
            })
            .collect(),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("cannot read {0}: {1}")]
    Read(String, String),
    #[error("{0} is neither UTF-8 nor GB18030/GBK text")]
    Encoding(String),
    #[error("{file}: there is no sheet named {sheet}; the sheets are: {sheets}")]
    NoSheet {
        file: String,
        sheet: String,
        sheets: String,
    },
    #[error("{0} has no header row")]
    Empty(String),
    #[error("{file}, line {line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
}

/// Excel's serial day 0 is 1899-12-30 (its 1900 leap-year bug included).
pub fn excel_serial(serial: f64) -> Option<NaiveDateTime> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let seconds = (serial * 86_400.0).round() as i64;
    base.checked_add_signed(chrono::Duration::seconds(seconds))
}

/// Decodes CSV bytes: a UTF-8 BOM is dropped; text that is not UTF-8 is read as GB18030. UTF-8
/// is taken over without a copy.
pub fn decode(mut bytes: Vec<u8>, name: &str) -> Result<(String, &'static str), TableError> {
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    if bom {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, if bom { "UTF-8 (BOM)" } else { "UTF-8" })),
        Err(_) if bom => Err(TableError::Encoding(name.to_string())),
        Err(e) => {
            let (text, _, malformed) = encoding_rs::GB18030.decode(e.as_bytes());
            if malformed {
                return Err(TableError::Encoding(name.to_string()));
            }
            Ok((text.into_owned(), "GB18030/GBK"))
        }
    }
}

pub fn read(path: &Path, sheet: Option<&str>) -> Result<Table, TableError> {
    let name = path.display().to_string();
    let is_sheet = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "xlsx" | "xlsm" | "xls" | "ods"
        )
    });
    if is_sheet {
        read_sheet(path, &name, sheet)
    } else {
        read_csv(path, &name)
    }
}

fn read_csv(path: &Path, name: &str) -> Result<Table, TableError> {
    let bytes =
        std::fs::read(path).map_err(|e| TableError::Read(name.to_string(), e.to_string()))?;
    let (text, encoding) = decode(bytes, name)?;
    let headers: Vec<String> = match csv_reader(&text).records().next() {
        Some(Ok(h)) => h.iter().map(|c| c.trim().to_string()).collect(),
        Some(Err(e)) => return Err(csv_error(name, &e, 1)),
        None => return Err(TableError::Empty(name.to_string())),
    };
    Ok(Table {
        headers,
        body: Body::Csv {
            text,
            name: name.to_string(),
        },
        described: format!("CSV, {encoding}"),
    })
}

fn read_sheet(path: &Path, name: &str, sheet: Option<&str>) -> Result<Table, TableError> {
    let mut wb =
        open_workbook_auto(path).map_err(|e| TableError::Read(name.to_string(), e.to_string()))?;
    let names = wb.sheet_names();
    let chosen = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| TableError::NoSheet {
                file: name.to_string(),
                sheet: s.to_string(),
                sheets: names.join(", "),
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| TableError::Empty(name.to_string()))?,
    };
    let range = wb
        .worksheet_range(&chosen)
        .map_err(|e| TableError::Read(name.to_string(), e.to_string()))?;
    let start_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows_iter = range.rows();
    let headers: Vec<String> = rows_iter
        .next()
        .ok_or_else(|| TableError::Empty(name.to_string()))?
        .iter()
        .map(|c| convert(c).text().trim().to_string())
        .collect();
    let rows = rows_iter
        .enumerate()
        .map(|(i, r)| SourceRow {
            // Row numbers as the spreadsheet shows them (1-based, the header included).
            number: start_row + i + 2,
            cells: r.iter().map(convert).collect(),
        })
        .collect();
    Ok(Table {
        headers,
        body: Body::Sheet(rows),
        described: format!("XLSX, sheet {chosen}"),
    })
}

fn convert(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map_or_else(|| Cell::Number(dt.as_f64()), Cell::DateTime),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serial_dates() {
        assert_eq!(
            excel_serial(45301.5).map(|d| d.to_string()).as_deref(),
            Some("2024-01-10 12:00:00")
        );
        assert_eq!(excel_serial(0.0), None);
    }

    #[test]
    fn encodings() -> Result<(), TableError> {
        let (text, enc) = decode("\u{feff}企业,诉求".as_bytes().to_vec(), "t")?;
        assert_eq!((text.as_str(), enc), ("企业,诉求", "UTF-8 (BOM)"));
        let (gbk, _, _) = encoding_rs::GBK.encode("嘉兴市秀洲区,消防审批");
        let (text, enc) = decode(gbk.to_vec(), "t")?;
        assert_eq!(
            (text.as_str(), enc),
            ("嘉兴市秀洲区,消防审批", "GB18030/GBK")
        );
        assert!(matches!(
            decode(vec![0xFF, 0xFF, 0x81], "t"),
            Err(TableError::Encoding(_))
        ));
        Ok(())
    }
}
