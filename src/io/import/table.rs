//! Reading a ledger into rows of cells: CSV in UTF-8 (with or without a BOM) or in GB18030/GBK as
//! Chinese Excel writes it, or XLSX through calamine (dates as dates, numbers as numbers).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

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
        self.as_text().into_owned()
    }

    /// As [`Cell::text`], a text cell not copied (an import looks at every cell).
    pub fn as_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Empty => "".into(),
            Cell::Text(t) => t.as_str().into(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                format!("{}", *n as i64).into()
            }
            Cell::Number(n) => n.to_string().into(),
            Cell::DateTime(d) => d.format("%Y-%m-%d %H:%M:%S").to_string().into(),
        }
    }
}

/// A source row with the number people see for it (the line in a CSV, the row in a sheet).
#[derive(Clone)]
pub struct SourceRow {
    pub number: usize,
    pub cells: Vec<Cell>,
    /// A CSV row whose fields do not match the header: refused whole, never read as if right.
    pub malformed: Option<Malformed>,
}

/// A CSV row with more or fewer fields than the header (a quote left open swallows the lines
/// after it; a stray comma or quote splits a field), or whose quotes are broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub expected: usize,
    pub found: usize,
    /// The row's first characters, as read.
    pub start: String,
    pub quote: Option<QuoteFault>,
}

/// How a CSV record's quotes are broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuoteFault {
    /// A quoted field "closes" and text follows before the comma: the quote that closed it
    /// was another field's opening one, and the lines between were swallowed.
    TextAfterClosingQuote,
    /// A quote opens and the file ends before it closes.
    NeverClosed,
}

/// Finds the records (by the line they begin on) whose quotes are broken, in one pass over the
/// bytes: the CSV reader itself takes such a record as it comes, lines swallowed and all.
fn quote_faults(
    source: impl Read,
    delimiter: u8,
) -> std::io::Result<std::collections::HashMap<u64, QuoteFault>> {
    use std::io::BufRead;
    let mut faults = std::collections::HashMap::new();
    let mut reader = std::io::BufReader::with_capacity(1 << 16, source);
    let (mut line, mut record_line) = (1u64, 1u64);
    let mut in_quotes = false;
    // Just after a closing quote (or a doubled one, inside).
    let mut after_quote = false;
    let mut field_start = true;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let n = buf.len();
        let mut at = 0;
        while at < n {
            // Only quotes, delimiters and line ends change anything: the bytes between them are
            // passed over at memchr's speed (most of a ledger is text between them).
            let b = buf[at];
            if in_quotes {
                match memchr::memchr2(b'"', b'\n', &buf[at..]) {
                    Some(i) if buf[at + i] == b'"' => {
                        in_quotes = false;
                        after_quote = true;
                        at += i + 1;
                    }
                    Some(i) => {
                        line += 1;
                        at += i + 1;
                    }
                    None => at = n,
                }
                continue;
            }
            at += 1;
            if after_quote {
                after_quote = false;
                match b {
                    // A doubled quote: still inside.
                    b'"' => {
                        in_quotes = true;
                        continue;
                    }
                    b'\r' | b'\n' => {}
                    b if b == delimiter => {}
                    _ => {
                        faults
                            .entry(record_line)
                            .or_insert(QuoteFault::TextAfterClosingQuote);
                    }
                }
            }
            match b {
                b'"' if field_start => in_quotes = true,
                b if b == delimiter => {
                    field_start = true;
                    continue;
                }
                b'\n' => {
                    line += 1;
                    record_line = line;
                    field_start = true;
                    continue;
                }
                _ => {}
            }
            field_start = false;
            if in_quotes {
                continue;
            }
            // Past this unquoted field's other bytes, to the next that may matter (a quote
            // there is not at a field's start, and changes nothing).
            at = memchr::memchr2(delimiter, b'\n', &buf[at..]).map_or(n, |i| at + i);
        }
        reader.consume(n);
    }
    if in_quotes {
        faults.insert(record_line, QuoteFault::NeverClosed);
    }
    Ok(faults)
}

pub struct Table {
    pub headers: Vec<String>,
    body: Body,
    /// CSV records whose quotes are broken, by the line they begin on.
    quote_faults: std::collections::HashMap<u64, QuoteFault>,
    /// Lines above the header that were passed over (added to the numbers rows are shown by).
    line_offset: usize,
    /// `,`, or a tab for Excel's Unicode text.
    delimiter: u8,
    /// What the ledger is, to write its refused rows back the same way.
    pub source: Source,
    /// What the file turned out to be, for the report (`UTF-8`, `GBK`, sheet name…).
    pub described: String,
}

/// Rows are parsed each time they are read rather than held, which keeps an import of 100,000
/// rows in a fraction of the memory.
enum Body {
    /// A UTF-8 file, read from disk on each pass (`skip`: the length of its BOM).
    Utf8File {
        path: PathBuf,
        skip: u64,
        name: String,
    },
    /// A GB18030/GBK file, decoded once.
    Csv {
        text: String,
        name: String,
    },
    Sheet(Vec<SourceRow>),
    /// Different rows on each reading, as a file saved again during an import gives (tests).
    #[cfg(test)]
    Passes(std::sync::Mutex<std::collections::VecDeque<Vec<SourceRow>>>),
}

impl Table {
    /// The rows after the header, in order. A CSV row that cannot be parsed is an error.
    pub fn rows(&self) -> Box<dyn Iterator<Item = Result<SourceRow, TableError>> + '_> {
        match &self.body {
            Body::Sheet(rows) => Box::new(rows.iter().cloned().map(Ok)),
            #[cfg(test)]
            Body::Passes(passes) => {
                let rows = passes
                    .lock()
                    .map(|mut p| p.pop_front().unwrap_or_default())
                    .unwrap_or_default();
                Box::new(rows.into_iter().map(Ok))
            }
            Body::Csv { text, name } => {
                let expected = self.headers.len();
                Box::new(
                    csv_reader(text.as_bytes(), self.delimiter)
                        .into_records()
                        .skip(1)
                        .map(move |record| {
                            self.shifted(csv_row(record, name, expected, &self.quote_faults))
                        }),
                )
            }
            Body::Utf8File { path, skip, name } => match open_past(path, *skip, name) {
                Ok(file) => {
                    let expected = self.headers.len();
                    Box::new(csv_reader(file, self.delimiter).into_records().skip(1).map(
                        move |record| {
                            self.shifted(csv_row(record, name, expected, &self.quote_faults))
                        },
                    ))
                }
                Err(e) => Box::new(std::iter::once(Err(e))),
            },
        }
    }
}

impl Table {
    /// A row numbered as the file shows it, the lines passed over above the header counted.
    fn shifted(&self, row: Result<SourceRow, TableError>) -> Result<SourceRow, TableError> {
        row.map(|mut r| {
            r.number += self.line_offset;
            r
        })
    }

    /// A table that gives `passes[0]` when first read, `passes[1]` next, and so on.
    #[cfg(test)]
    pub fn passes(headers: Vec<String>, passes: Vec<Vec<SourceRow>>) -> Table {
        Table {
            headers,
            quote_faults: Default::default(),
            line_offset: 0,
            delimiter: b',',
            source: Source::Csv {
                encoding: None,
                bom: false,
                delimiter: b',',
            },
            body: Body::Passes(std::sync::Mutex::new(passes.into())),
            described: "test".into(),
        }
    }
}

fn csv_reader<R: Read>(source: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(source)
}

/// The file, buffered, from byte `skip` on.
fn open_past(path: &Path, skip: u64, name: &str) -> Result<BufReader<File>, TableError> {
    let read_error = |e: std::io::Error| TableError::Read(name.to_string(), e.to_string());
    let mut file = BufReader::new(File::open(path).map_err(read_error)?);
    std::io::copy(&mut (&mut file).take(skip), &mut std::io::sink()).map_err(read_error)?;
    Ok(file)
}

/// Whether everything `source` gives is UTF-8, read a block at a time.
fn is_utf8(mut source: impl Read) -> std::io::Result<bool> {
    let mut buf = vec![0u8; 1 << 16];
    // Bytes of a character cut by the end of the last block, moved to the front.
    let mut carry = 0;
    loop {
        let n = source.read(&mut buf[carry..])?;
        if n == 0 {
            return Ok(carry == 0);
        }
        let filled = carry + n;
        // With SIMD: a ledger's Chinese text is checked about five times as fast as by `std`
        // (the 100k ledger's 62 MB: 50 ms).
        carry = match simdutf8::compat::from_utf8(&buf[..filled]) {
            Ok(_) => 0,
            Err(e) if e.error_len().is_none() => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..filled, 0);
                filled - valid
            }
            Err(_) => return Ok(false),
        };
    }
}

fn csv_error(name: &str, e: &csv::Error, line: u64) -> TableError {
    TableError::Csv {
        file: name.to_string(),
        line: e.position().map_or(line, |p| p.line()),
        message: e.to_string(),
    }
}

fn csv_row(
    record: csv::Result<csv::StringRecord>,
    name: &str,
    expected: usize,
    quote_faults: &std::collections::HashMap<u64, QuoteFault>,
) -> Result<SourceRow, TableError> {
    let record = record.map_err(|e| csv_error(name, &e, 0))?;
    // A row of empty fields (`,,,`) is passed over as empty, however many commas it has.
    let blank = record.iter().all(|f| f.trim().is_empty());
    let quote = record
        .position()
        .and_then(|p| quote_faults.get(&p.line()))
        .copied();
    let malformed = ((record.len() != expected && !blank) || quote.is_some()).then(|| Malformed {
        quote,
        expected,
        found: record.len(),
        start: record
            .iter()
            .collect::<Vec<_>>()
            .join(",")
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(40)
            .collect(),
    });
    Ok(SourceRow {
        malformed,
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
    #[error(
        "{file} is not {expected} text: line {line}, byte {byte} (from the start of the file) \
         cannot be read; save it again as UTF-8, or say its encoding in the mapping (encoding = …)"
    )]
    Encoding {
        file: String,
        expected: String,
        line: usize,
        byte: usize,
    },
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

/// Where the first byte `encoding` cannot read is in `bytes` (their length when there is none).
fn first_unreadable(bytes: &[u8], encoding: &'static encoding_rs::Encoding) -> usize {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len().saturating_mul(3).min(1 << 26));
    let mut read_total = 0;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut out, true);
        read_total += read;
        match result {
            encoding_rs::DecoderResult::InputEmpty => return bytes.len(),
            encoding_rs::DecoderResult::OutputFull => out.reserve(1 << 20),
            encoding_rs::DecoderResult::Malformed(bad, _) => {
                return read_total.saturating_sub(usize::from(bad));
            }
        }
    }
}

/// The error for text that `expected` cannot read, naming the line and the byte.
fn unreadable(name: &str, expected: &str, bytes: &[u8], byte: usize) -> TableError {
    TableError::Encoding {
        file: name.to_string(),
        expected: expected.to_string(),
        line: 1 + bytes[..byte.min(bytes.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        byte,
    }
}

/// Decodes with the encoding a mapping names, or says where it cannot.
fn decode_as(
    bytes: &[u8],
    encoding: &'static encoding_rs::Encoding,
    name: &str,
) -> Result<String, TableError> {
    let (text, _, malformed) = encoding.decode(bytes);
    if malformed {
        let at = first_unreadable(bytes, encoding);
        return Err(unreadable(name, encoding.name(), bytes, at));
    }
    Ok(text.into_owned())
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
        Err(e) if bom => {
            let at = e.utf8_error().valid_up_to();
            Err(unreadable(name, "UTF-8", e.as_bytes(), at + 3))
        }
        Err(e) => {
            let bytes = e.as_bytes();
            let (text, _, malformed) = encoding_rs::GB18030.decode(bytes);
            if malformed {
                let at = first_unreadable(bytes, encoding_rs::GB18030);
                return Err(unreadable(name, "UTF-8 or GB18030/GBK", bytes, at));
            }
            Ok((text.into_owned(), "GB18030/GBK"))
        }
    }
}

/// A ledger's format, as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Csv {
        /// `None`: UTF-8.
        encoding: Option<&'static encoding_rs::Encoding>,
        bom: bool,
        delimiter: u8,
    },
    Sheet,
}

/// How the mapping says to read a ledger.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReadOptions<'a> {
    pub sheet: Option<&'a str>,
    /// Lines (or sheet rows) above the header: a title, a date.
    pub skip_lines: usize,
    /// The encoding of a CSV file, when the mapping says; otherwise it is found out.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

pub fn read(path: &Path, options: ReadOptions<'_>) -> Result<Table, TableError> {
    let sheet = options.sheet;
    let name = path.display().to_string();
    let is_sheet = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "xlsx" | "xlsm" | "xls" | "ods"
        )
    });
    if is_sheet {
        read_sheet(path, &name, sheet, options.skip_lines)
    } else {
        read_csv(path, &name, options)
    }
}

/// Where the text after `lines` lines begins.
fn past_lines(text: &[u8], lines: usize) -> usize {
    let mut at = 0;
    for _ in 0..lines {
        match text[at..].iter().position(|&b| b == b'\n') {
            Some(i) => at += i + 1,
            None => return text.len(),
        }
    }
    at
}

/// A UTF-8 file is only checked here and read from disk as its rows are wanted (a ledger of
/// 100,000 rows is 60 MB); one in another encoding (GB18030/GBK, Big5, UTF-16 as Excel writes
/// its Unicode text) is decoded once.
fn read_csv(path: &Path, name: &str, options: ReadOptions<'_>) -> Result<Table, TableError> {
    let read_error = |e: std::io::Error| TableError::Read(name.to_string(), e.to_string());
    let mut start = [0u8; 3];
    let mut file = File::open(path).map_err(read_error)?;
    let got = read_up_to(&mut file, &mut start).map_err(read_error)?;
    let bom = start[..got] == *b"\xEF\xBB\xBF";
    let utf16 = encoding_rs::Encoding::for_bom(&start[..got])
        .and_then(|(e, _)| (e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE).then_some(e));
    let chosen = options.encoding.or(utf16);
    let as_utf8 = match chosen.map(|e| e == encoding_rs::UTF_8) {
        Some(true) => Some(utf8_rows(path, name, bom, options.skip_lines)?),
        Some(false) => None,
        // Most ledgers are UTF-8: their rows are looked at as such on another thread while the
        // whole file is checked, the two passes over it in the time of one.
        None => std::thread::scope(|scope| {
            let rows = scope.spawn(|| utf8_rows(path, name, bom, options.skip_lines));
            let utf8 = is_utf8(open_past(path, if bom { 3 } else { 0 }, name)?);
            // A panic there is a bug: it goes on here, as it would have on this thread.
            let rows = rows
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            match utf8.map_err(read_error)? {
                true => rows.map(Some),
                false => Ok(None),
            }
        })?,
    };
    let utf8 = as_utf8.is_some();
    let (body, encoding, delimiter, quote_faults) = match as_utf8 {
        Some(rows) => {
            let body = Body::Utf8File {
                path: path.to_path_buf(),
                skip: rows.skip,
                name: name.to_string(),
            };
            let said = if bom { "UTF-8 (BOM)" } else { "UTF-8" };
            (body, said.to_string(), rows.delimiter, rows.quote_faults)
        }
        None => {
            let bytes = std::fs::read(path).map_err(read_error)?;
            let (text, encoding) = match chosen {
                Some(e) => {
                    let text = decode_as(&bytes, e, name)?;
                    let how = if options.encoding.is_some() {
                        "as the mapping says"
                    } else {
                        "by its byte-order mark"
                    };
                    (text, format!("{} ({how})", e.name()))
                }
                None => {
                    let (text, e) = decode(bytes, name)?;
                    (
                        text,
                        format!(
                            "{e} (found out; give encoding = \"big5\" or another in the mapping if the text looks wrong)"
                        ),
                    )
                }
            };
            let text = text[past_lines(text.as_bytes(), options.skip_lines)..].to_string();
            let delimiter = delimiter_of(text.lines().next().unwrap_or_default());
            let quote_faults = quote_faults(text.as_bytes(), delimiter).map_err(read_error)?;
            let body = Body::Csv {
                text,
                name: name.to_string(),
            };
            (body, encoding, delimiter, quote_faults)
        }
    };
    let table = Table {
        headers: Vec::new(),
        body,
        quote_faults,
        line_offset: options.skip_lines,
        delimiter,
        source: Source::Csv {
            encoding: (!utf8).then(|| chosen.unwrap_or(encoding_rs::GB18030)),
            bom,
            delimiter,
        },
        described: format!("CSV, {encoding}"),
    };
    let first = match &table.body {
        Body::Csv { text, .. } => csv_reader(text.as_bytes(), delimiter).records().next(),
        Body::Utf8File { skip, .. } => csv_reader(open_past(path, *skip, name)?, delimiter)
            .records()
            .next(),
        // No other body comes from a CSV file.
        _ => None,
    };
    let headers: Vec<String> = match first {
        Some(Ok(h)) => h.iter().map(|c| c.trim().to_string()).collect(),
        Some(Err(e)) => return Err(csv_error(name, &e, 1)),
        None => return Err(TableError::Empty(name.to_string())),
    };
    Ok(Table { headers, ..table })
}

/// How a UTF-8 file's rows are read.
struct Utf8Rows {
    /// Where they begin: past the byte-order mark and the title lines.
    skip: u64,
    delimiter: u8,
    quote_faults: std::collections::HashMap<u64, QuoteFault>,
}

fn utf8_rows(
    path: &Path,
    name: &str,
    bom: bool,
    skip_lines: usize,
) -> Result<Utf8Rows, TableError> {
    let read_error = |e: std::io::Error| TableError::Read(name.to_string(), e.to_string());
    let bom_len = if bom { 3 } else { 0 };
    // Title lines and the header are short: the first megabyte holds them. Read as bytes: its
    // end may cut a character.
    let mut head = Vec::new();
    open_past(path, bom_len, name)?
        .take(1 << 20)
        .read_to_end(&mut head)
        .map_err(read_error)?;
    let titles = past_lines(&head, skip_lines);
    let skip = bom_len + titles as u64;
    let line = head[titles..]
        .split(|&b| b == b'\n')
        .next()
        .unwrap_or_default();
    let delimiter = delimiter_of(&String::from_utf8_lossy(line));
    let quote_faults = quote_faults(open_past(path, skip, name)?, delimiter).map_err(read_error)?;
    Ok(Utf8Rows {
        skip,
        delimiter,
        quote_faults,
    })
}

/// Excel's Unicode text is tab-separated.
fn delimiter_of(header_line: &str) -> u8 {
    if header_line.contains('\t') && !header_line.contains(',') {
        b'\t'
    } else {
        b','
    }
}

/// Fills as much of `buf` as the source has.
fn read_up_to(source: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match source.read(&mut buf[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

fn read_sheet(
    path: &Path,
    name: &str,
    sheet: Option<&str>,
    skip_lines: usize,
) -> Result<Table, TableError> {
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
    // Rows above the header (a title) are passed over.
    for _ in 0..skip_lines {
        rows_iter.next();
    }
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
            number: start_row + skip_lines + i + 2,
            cells: r.iter().map(convert).collect(),
            malformed: None,
        })
        .collect();
    Ok(Table {
        headers,
        quote_faults: Default::default(),
        line_offset: 0,
        delimiter: b',',
        source: Source::Sheet,
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
    use std::collections::HashMap;

    #[test]
    fn excel_serial_dates() {
        assert_eq!(
            excel_serial(45301.5).map(|d| d.to_string()).as_deref(),
            Some("2024-01-10 12:00:00")
        );
        assert_eq!(excel_serial(0.0), None);
    }

    /// Gives its bytes a few at a time, as a slow disk might.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(2);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// The quote scan as it was before it passed over text with memchr: every byte in turn.
    fn quote_faults_byte_by_byte(bytes: &[u8], delimiter: u8) -> HashMap<u64, QuoteFault> {
        let mut faults = HashMap::new();
        let (mut line, mut record_line) = (1u64, 1u64);
        let (mut in_quotes, mut after_quote, mut field_start) = (false, false, true);
        for &b in bytes {
            if in_quotes {
                match b {
                    b'"' => (in_quotes, after_quote) = (false, true),
                    b'\n' => line += 1,
                    _ => {}
                }
                continue;
            }
            if after_quote {
                after_quote = false;
                match b {
                    b'"' => {
                        in_quotes = true;
                        continue;
                    }
                    b'\r' | b'\n' => {}
                    b if b == delimiter => {}
                    _ => {
                        faults
                            .entry(record_line)
                            .or_insert(QuoteFault::TextAfterClosingQuote);
                    }
                }
            }
            match b {
                b'"' if field_start => in_quotes = true,
                b if b == delimiter => {
                    field_start = true;
                    continue;
                }
                b'\n' => {
                    line += 1;
                    record_line = line;
                    field_start = true;
                    continue;
                }
                _ => {}
            }
            field_start = false;
        }
        if in_quotes {
            faults.insert(record_line, QuoteFault::NeverClosed);
        }
        faults
    }

    proptest::proptest! {
        /// Any mix of quotes, delimiters, line ends and text, read two bytes at a time (cut
        /// anywhere), finds the same broken records as a look at every byte.
        #[test]
        fn the_quote_scan_finds_what_a_look_at_every_byte_finds(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["\"", ",", "\t", "\n", "\r\n", "a", "企业", "\"\""]),
                0..120,
            ),
            tabs in proptest::bool::ANY,
        ) {
            let text = pieces.concat();
            let delimiter = if tabs { b'\t' } else { b',' };
            let found = quote_faults(Trickle(text.as_bytes()), delimiter)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            proptest::prop_assert_eq!(found, quote_faults_byte_by_byte(text.as_bytes(), delimiter));
        }
    }

    #[test]
    fn utf8_is_recognised_across_blocks() -> std::io::Result<()> {
        // Every character of three bytes is cut by the two-byte reads.
        assert!(is_utf8(Trickle("企业,诉求\n嘉兴".as_bytes()))?);
        let (gbk, _, _) = encoding_rs::GBK.encode("嘉兴市秀洲区,消防审批");
        assert!(!is_utf8(Trickle(&gbk))?);
        // A character cut off by the end of the file is not UTF-8.
        assert!(!is_utf8(Trickle(&"企业".as_bytes()[..5]))?);
        Ok(())
    }

    #[test]
    fn a_tab_separated_file_is_found_so_whatever_its_first_block_cuts()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("台账.txt");
        let mut text = String::from("企业\t诉求\n");
        while text.len() <= 1 << 20 {
            text.push_str("圆通\t道路施工\n");
        }
        // The header's first block ends inside a character.
        if text.is_char_boundary(1 << 20) {
            text.insert(6, 'x');
        }
        if text.is_char_boundary(1 << 20) {
            text.insert(6, 'x');
        }
        assert!(!text.is_char_boundary(1 << 20));
        std::fs::write(&path, &text)?;
        let table = read(&path, ReadOptions::default())?;
        assert_eq!(table.described, "CSV, UTF-8");
        assert_eq!(table.headers.len(), 2, "{:?}", table.headers);
        assert_eq!(table.headers[1], "诉求");
        let rows: Vec<SourceRow> = table.rows().collect::<Result<_, _>>()?;
        assert_eq!(rows.len(), text.lines().count() - 1);
        assert_eq!(rows[0].cells[1].text(), "道路施工");
        Ok(())
    }

    #[test]
    fn a_utf8_file_is_read_from_disk_on_each_pass() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("台账.csv");
        std::fs::write(&path, "\u{feff}企业,诉求\n圆通,\"道路,施工\"\n中通,消防\n")?;
        let table = read(&path, ReadOptions::default())?;
        assert_eq!(table.headers, ["企业", "诉求"]);
        assert_eq!(table.described, "CSV, UTF-8 (BOM)");
        for _pass in 0..2 {
            let rows: Vec<SourceRow> = table.rows().collect::<Result<_, _>>()?;
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| r.cells.iter().map(Cell::text).collect())
                .collect();
            assert_eq!(cells, [["圆通", "道路,施工"], ["中通", "消防"]]);
            assert_eq!(rows[1].number, 3, "the line people see");
        }
        let (gbk, _, _) = encoding_rs::GBK.encode("企业,诉求\n圆通,消防\n");
        std::fs::write(&path, &gbk)?;
        let table = read(&path, ReadOptions::default())?;
        assert!(
            table.described.starts_with("CSV, GB18030/GBK (found out"),
            "{}",
            table.described
        );
        assert_eq!(table.rows().count(), 1);
        Ok(())
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
            decode(b"a,b\nc,\xFF\xFF\x81".to_vec(), "t"),
            Err(TableError::Encoding {
                line: 2,
                byte: 6,
                ..
            })
        ));
        Ok(())
    }
}
