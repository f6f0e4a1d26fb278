//! Importing an existing ledger (台账): `zhuqi import FILE --map MAP.toml`. By choice, nothing is
//! written when any row is refused (every row is checked first), or the good rows are written as
//! they are read and the refused ones reported to a file. Rows already imported are skipped.

pub mod mapping;
pub mod rows;
pub mod table;
pub mod update;
mod words;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::desk::{Desk, DeskError};
use crate::domain::{Enterprise, Event, EventBody, Steward};
use mapping::{Mapping, Target};
use rows::{Planned, RowError, RowReader};
use table::TableError;

/// What to do when rows are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    /// Write nothing at all.
    Stop,
    /// Write the good rows; report the refused ones.
    Skip,
}

pub struct ImportOptions {
    pub dry_run: bool,
    pub on_error: OnError,
    /// Where the refused rows are written (with `Skip`).
    pub rejects: Option<PathBuf>,
    pub sheet: Option<String>,
    /// The language of the reasons in the file of refused rows.
    pub lang: crate::strings::Lang,
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub described: String,
    pub rows_read: usize,
    pub empty_rows: usize,
    /// Appeals created (or that would be, in a dry run) by their state.
    pub created: BTreeMap<Target, usize>,
    pub already_imported: usize,
    pub refused: Vec<RowError>,
    pub written: bool,
    pub rejects_file: Option<PathBuf>,
    /// Rows already here that brought in steps: (line, appeal number, steps).
    pub updated: Vec<(usize, u64, usize)>,
    /// What rows already here changed that cannot be a step: (line, appeal number, why).
    pub left_alone: Vec<(usize, u64, update::LeftAlone)>,
    /// How the ledger's times were read (`+08:00`, `America/New_York`), and whether the mapping
    /// said so.
    pub zone: String,
    pub zone_given: bool,
    /// Years of due dates worked out while the calendar has no holidays for them (only
    /// weekends were skipped).
    pub calendar_gaps: std::collections::BTreeSet<i32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Table(#[from] TableError),
    #[error(
        "the file has no column \"{column}\" that the mapping names; its columns are: {available}"
    )]
    MissingColumn { column: String, available: String },
    #[error(transparent)]
    Desk(#[from] DeskError),
    #[error("cannot write the report of refused rows to {path}: {error}")]
    Rejects { path: String, error: String },
    #[error(
        "the file changed while it was being imported: row {row} is not the row that was checked. \
         The rows before it were imported; run the same import again to bring in the rest"
    )]
    Changed { row: usize },
}

/// What a row said when it was checked: the second pass reads the file again, and a row that
/// says something else by then (the ledger saved again meanwhile) must not be written unchecked.
fn fingerprint(row: &table::SourceRow) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    row.number.hash(&mut h);
    for cell in &row.cells {
        match cell {
            table::Cell::Empty => 0u8.hash(&mut h),
            table::Cell::Text(t) => (1u8, t).hash(&mut h),
            table::Cell::Number(n) => (2u8, n.to_bits()).hash(&mut h),
            table::Cell::DateTime(d) => (3u8, d).hash(&mut h),
        }
    }
    h.finish()
}

/// How many appeals go to the store in one transaction. 1,000 rather than 2,000: the planner's
/// work on a batch stays in the cores' caches, and an import of 100k took 2.81-2.92 s against
/// 2.86-3.15 s, 50 MB less at its peak (BENCHMARKS.md, seventeenth round). Smaller batches had
/// cost room on disk until sled stopped leaving a blob file behind at each split of the
/// archive's last nodes (`vendor/sled/ZHUQI.md`).
const BATCH: usize = 1_000;

pub fn import(
    desk: &Desk,
    file: &Path,
    mapping: &Mapping,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let sheet = options.sheet.as_deref().or(mapping.sheet.as_deref());
    let table = table::read(
        file,
        table::ReadOptions {
            sheet,
            skip_lines: mapping.skip_lines,
            encoding: mapping.encoding,
        },
    )?;
    import_table(desk, &table, file, mapping, options)
}

/// As [`import`], from a table already opened (`file` names it in the report of refused rows).
fn import_table(
    desk: &Desk,
    table: &table::Table,
    file: &Path,
    mapping: &Mapping,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let index: HashMap<String, usize> = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.clone(), i))
        .collect();
    for column in mapping.named_columns() {
        if !index.contains_key(column) {
            return Err(ImportError::MissingColumn {
                column: column.to_string(),
                available: table.headers.join(", "),
            });
        }
    }
    let reader = RowReader {
        mapping,
        index,
        calendar: desk.calendar(),
        rules: desk.rules(),
        actor: mapping
            .defaults
            .actor
            .clone()
            .unwrap_or_else(|| desk.actor().to_string()),
        lang: options.lang,
    };
    let mut report = ImportReport {
        zone: mapping.zone.said(),
        zone_given: mapping.zone_given,
        described: table.described.clone(),
        ..ImportReport::default()
    };
    let mut checks = Checks {
        desk,
        reader: &reader,
        mapping,
        lang: options.lang,
        seen: HashSet::new(),
        updates: Vec::new(),
        imported_before: desk.holds_imported()?,
    };
    if options.on_error == OnError::Skip && !options.dry_run {
        in_one_pass(table, file, options, &mut checks, &mut report)?;
    } else {
        in_two_passes(table, file, options, &mut checks, &mut report)?;
        if !report.written_when_checked(options) {
            return Ok(report);
        }
    }
    if !checks.updates.is_empty() {
        desk.append_commands(std::mem::take(&mut checks.updates))?;
    }
    report.written = true;
    Ok(report)
}

impl ImportReport {
    /// Whether rows are written after they are all checked: not in a dry run, nor when a row
    /// was refused and nothing is to be written then.
    fn written_when_checked(&self, options: &ImportOptions) -> bool {
        !(options.dry_run || (options.on_error == OnError::Stop && !self.refused.is_empty()))
    }
}

/// Checks rows one at a time, noting in the report what each is.
struct Checks<'a> {
    desk: &'a Desk,
    reader: &'a RowReader<'a>,
    mapping: &'a Mapping,
    lang: crate::strings::Lang,
    /// The ledger ids of the rows checked so far: a second row with one is refused.
    seen: HashSet<String>,
    /// The steps rows imported before bring in (one command a row).
    updates: Vec<Vec<Event>>,
    /// The desk held appeals from a ledger when the import began. If not, no row can have
    /// been imported before (one imported twice in this file is refused by `seen`), and the
    /// store is not asked for each: 3% of an import's time.
    imported_before: bool,
}

impl Checks<'_> {
    /// Checks a row and notes in `report` what it is; the plan of the appeal it creates, if
    /// it creates one.
    fn check(
        &mut self,
        row: &table::SourceRow,
        report: &mut ImportReport,
    ) -> Result<Option<Planned>, ImportError> {
        if row.cells.iter().all(|c| c.is_empty()) {
            report.empty_rows += 1;
            return Ok(None);
        }
        report.rows_read += 1;
        let p = match self.reader.plan(row) {
            Ok(p) => p,
            Err(e) => {
                report.refused.push(e);
                return Ok(None);
            }
        };
        let calendar = self.desk.calendar();
        for due in p.events.iter().filter_map(|e| match &e.body {
            EventBody::Appeal { change, .. } => match change {
                crate::domain::AppealChange::Assigned(a) => Some(a.due),
                crate::domain::AppealChange::Extended { due, .. }
                | crate::domain::AppealChange::Reopened { due, .. } => Some(*due),
                _ => None,
            },
            _ => None,
        }) {
            if !calendar.covers(due) {
                report.calendar_gaps.insert(chrono::Datelike::year(&due));
            }
        }
        if !self.seen.insert(p.external_id.clone()) {
            report.refused.push(RowError {
                cells: row.cells.iter().map(|c| c.text()).collect(),
                row: row.number,
                column: self.mapping.columns.external_id.clone().unwrap_or_default(),
                value: p.external_id.clone(),
                problem: rows::Problem::DuplicateId,
            });
            return Ok(None);
        }
        let here = match self.imported_before {
            true => self.desk.appeal_by_external_id(&p.external_id)?,
            false => None,
        };
        let Some(here) = here else {
            *report.created.entry(p.target).or_default() += 1;
            return Ok(Some(p));
        };
        // Imported before: what the ledger says now that it did not then.
        let found = update::changes(
            &here,
            &p.events,
            self.desk.clock().now(),
            &self.reader.actor,
            self.lang,
        );
        for why in found.left_alone {
            report.left_alone.push((row.number, here.number, why));
        }
        if found.changes.is_empty() {
            report.already_imported += 1;
        } else {
            report
                .updated
                .push((row.number, here.number, found.changes.len()));
            // The timeline shows them as the ledger's, not a person's.
            let by = self.lang.ledger_actor().to_string();
            self.updates.push(
                found
                    .changes
                    .into_iter()
                    .map(|(at, change)| Event {
                        id: crate::ids::next(),
                        at,
                        actor: by.clone(),
                        body: EventBody::Appeal {
                            appeal: here.id,
                            change,
                        },
                        desk: None,
                        hub: None,
                    })
                    .collect(),
            );
        }
        Ok(None)
    }
}

/// The good rows written and the refused ones reported, reading the file once: with
/// `--on-error skip` nothing waits on the last row's verdict. Each row is checked and planned on
/// another thread, a batch at a time, while the batch before is written. The file of refused
/// rows is written last, inside the bulk write: if it cannot be, nothing is imported.
fn in_one_pass(
    table: &table::Table,
    file: &Path,
    options: &ImportOptions,
    checks: &mut Checks,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let desk = checks.desk;
    desk.bulk(
        |_: &ImportError| false,
        || {
            write_while_planning(desk, |handing| {
                let mut batches = Batches::new(desk, &checks.reader.actor, handing);
                for row in table.rows() {
                    if let Some(p) = checks.check(&row?, report)?
                        && !batches.push(p)?
                    {
                        return Ok(());
                    }
                }
                batches.hand_on().map(|_| ())
            })?;
            write_rejects(table, file, checks.mapping, options, report)
        },
    )
}

/// Every row checked first, nothing kept but the verdicts (memory stays small); then, unless
/// this is a dry run or a row was refused and nothing is to be written, the file read again and
/// its accepted rows written.
fn in_two_passes(
    table: &table::Table,
    file: &Path,
    options: &ImportOptions,
    checks: &mut Checks,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    // Each accepted row's place among the rows, its line, and its fingerprint.
    let mut accepted: Vec<(usize, usize, u64)> = Vec::new();
    for (i, row) in table.rows().enumerate() {
        let row = row?;
        if checks.check(&row, report)?.is_some() {
            accepted.push((i, row.number, fingerprint(&row)));
        }
    }
    if !report.written_when_checked(options) {
        return Ok(());
    }
    write_rejects(table, file, checks.mapping, options, report)?;
    // Second pass: the file read again and its accepted rows planned again a batch at a time, on
    // another thread, while the batch before is written (sled's writes are about half the time).
    if !accepted.is_empty() {
        let (desk, reader) = (checks.desk, checks.reader);
        // All or nothing across a crash; a ledger changed under the import keeps what was read
        // the same (the error says where it stopped).
        let changed = |e: &ImportError| matches!(e, ImportError::Changed { .. });
        desk.bulk(changed, || {
            write_while_planning(desk, |handing| {
                plan_again(
                    table,
                    reader,
                    &accepted,
                    Batches::new(desk, &reader.actor, handing),
                )
            })
        })?;
    }
    Ok(())
}

/// Writes the batches `plan` sends while it plans the next on another thread (the desk writes
/// one while it prepares the next, on a third); then its error, if it had one. A failed write
/// stops the planner at its next send.
fn write_while_planning(
    desk: &Desk,
    plan: impl FnOnce(Handing) -> Result<(), ImportError> + Send,
) -> Result<(), ImportError> {
    // Room for one: one batch read and checked ahead while one is planned and one written.
    let (send, batches) = std::sync::mpsc::sync_channel(1);
    // Each batch written comes back to be let go where its events were made: mimalloc frees a
    // block another thread gave through a slower, shared path, which the rows' thread then
    // has to gather before its own allocations.
    let (give_back, spent) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        // The sender is the planner's own: when it is done, the batches end.
        let planning = scope.spawn(move || plan(Handing { send, spent }));
        // Returning drops `batches`, which makes the planner's next send fail. A batch that
        // cannot go back (the planner is done) is let go here.
        let written = desk.append_batches(batches.into_iter(), |events| {
            let _ = give_back.send(events);
        });
        // A panic there is a bug: it goes on here, as it would have on this thread.
        let planned = planning
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written?;
        planned
    })
}

/// Where batches go to be written, and where they come back once they are.
struct Handing {
    send: std::sync::mpsc::SyncSender<Vec<Event>>,
    spent: std::sync::mpsc::Receiver<Vec<Event>>,
}

/// Planned rows handed to the writer a batch at a time, each with the enterprises, departments
/// and stewards it first names.
struct Batches<'a> {
    desk: &'a Desk,
    actor: &'a str,
    handing: Handing,
    registry: Registry,
    planned: Vec<Planned>,
}

impl<'a> Batches<'a> {
    fn new(desk: &'a Desk, actor: &'a str, handing: Handing) -> Batches<'a> {
        Batches {
            desk,
            actor,
            handing,
            registry: Registry::default(),
            planned: Vec::with_capacity(BATCH),
        }
    }

    /// Adds a row's plan, handing on a full batch; false once the writer has stopped.
    fn push(&mut self, planned: Planned) -> Result<bool, ImportError> {
        self.planned.push(planned);
        match self.planned.len() == BATCH {
            true => self.hand_on(),
            false => Ok(true),
        }
    }

    /// Hands on what is planned; false once the writer has stopped (it failed): nothing more is
    /// wanted.
    fn hand_on(&mut self) -> Result<bool, ImportError> {
        if self.planned.is_empty() {
            return Ok(true);
        }
        // Batches written since the last are let go here, where their events were made.
        self.handing.spent.try_iter().for_each(drop);
        let batch = std::mem::replace(&mut self.planned, Vec::with_capacity(BATCH));
        let events = with_registry(self.desk, batch, self.actor, &mut self.registry)?;
        Ok(self.handing.send.send(events).is_ok())
    }
}

/// The refused rows, if any, written to their file (in the ledger's own format).
fn write_rejects(
    table: &table::Table,
    file: &Path,
    mapping: &Mapping,
    options: &ImportOptions,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    if report.refused.is_empty() {
        return Ok(());
    }
    let extension = match table.source {
        table::Source::Sheet => "rejected.xlsx",
        table::Source::Csv { .. } => "rejected.csv",
    };
    let path = options
        .rejects
        .clone()
        .unwrap_or_else(|| file.with_extension(extension));
    let rejects = Rejects {
        table,
        skip_lines: mapping.skip_lines,
        lang: options.lang,
    };
    rejects
        .write(&path, &report.refused)
        .map_err(|error| ImportError::Rejects {
            path: path.display().to_string(),
            error,
        })?;
    report.rejects_file = Some(path);
    Ok(())
}

/// The second pass's planning: each batch's commands sent on as it is ready, then an error if a
/// row was not read again as it was checked.
fn plan_again(
    table: &table::Table,
    reader: &RowReader,
    accepted: &[(usize, usize, u64)],
    mut batches: Batches,
) -> Result<(), ImportError> {
    let mut wanted = accepted.iter().copied().peekable();
    for (i, row) in table.rows().enumerate() {
        let Some(&(_, _, checked)) = wanted.peek().filter(|(at, ..)| *at == i) else {
            continue;
        };
        let row = row?;
        if fingerprint(&row) != checked {
            break;
        }
        wanted.next();
        // Planned once already: a row that passed then passes now.
        if let Ok(p) = reader.plan(&row)
            && !batches.push(p)?
        {
            return Ok(());
        }
        if wanted.peek().is_none() {
            break;
        }
    }
    // What was checked and read again the same is written, even if the file changed after it.
    if !batches.hand_on()? {
        return Ok(());
    }
    // A row not read again as it was checked: changed, or the file cut short.
    match wanted.peek() {
        Some(&(_, line, _)) => Err(ImportError::Changed { row: line }),
        None => Ok(()),
    }
}

/// The enterprises, departments and stewards this import has already created.
#[derive(Default)]
struct Registry {
    enterprises: HashSet<String>,
    departments: HashSet<String>,
    stewards: HashSet<String>,
}

/// Each appeal's command, preceded by the enterprises, departments and stewards it first names.
fn with_registry(
    desk: &Desk,
    planned: Vec<Planned>,
    actor: &str,
    known: &mut Registry,
) -> Result<Vec<Event>, DeskError> {
    let Registry {
        enterprises,
        departments,
        stewards,
    } = known;
    // Each row's events, after the registry's it first names: one command a row, one after
    // another, made here on the rows' thread and let go here too (`Handing`).
    let mut out = Vec::with_capacity(planned.iter().map(|p| p.events.len() + 1).sum());
    for p in planned {
        let at = p
            .events
            .first()
            .map(|e| e.at)
            .unwrap_or_else(|| desk.clock().now());
        let registry = |body: EventBody| Event {
            id: crate::ids::next(),
            at,
            actor: actor.to_string(),
            body,
            desk: None,
            hub: None,
        };
        // Each name is asked of the desk once an import, and copied once.
        if !enterprises.contains(&p.enterprise) {
            if !desk.has_enterprise(&p.enterprise)? {
                out.push(registry(EventBody::EnterpriseSaved(Enterprise::named(
                    &p.enterprise,
                ))));
            }
            enterprises.insert(p.enterprise.clone());
        }
        if let Some(d) = p.department.as_ref().filter(|d| !departments.contains(*d)) {
            if !desk.has_department(d)? {
                out.push(registry(EventBody::DepartmentAdded { name: d.clone() }));
            }
            departments.insert(d.clone());
        }
        if let Some(s) = p.steward.as_ref().filter(|s| !stewards.contains(*s)) {
            if !desk.has_steward(s)? {
                out.push(registry(EventBody::StewardSaved(Steward {
                    name: s.clone(),
                    dept: p.department.clone().unwrap_or_default(),
                    phone: None,
                    team: None,
                })));
            }
            stewards.insert(s.clone());
        }
        out.extend(p.events);
    }
    Ok(out)
}

/// The refused rows themselves, as the ledger has them (its header, its format, its encoding),
/// each with the reason added as a last column: fixed, the file imports with the same mapping.
/// Written whole and readable by its owner only (the rows name people).
struct Rejects<'a> {
    table: &'a table::Table,
    skip_lines: usize,
    lang: crate::strings::Lang,
}

impl Rejects<'_> {
    fn reason_header(&self) -> &'static str {
        match self.lang {
            crate::strings::Lang::Zh => "拒收原因",
            crate::strings::Lang::En => "why refused",
        }
    }

    fn rows<'r>(&self, refused: &'r [RowError]) -> impl Iterator<Item = Vec<String>> + 'r {
        let lang = self.lang;
        refused.iter().map(move |r| {
            let mut cells = r.cells.clone();
            cells.push(lang.row_error(r));
            cells
        })
    }

    fn write(&self, path: &Path, refused: &[RowError]) -> Result<(), String> {
        let mut header = self.table.headers.clone();
        header.push(self.reason_header().to_string());
        // The lines the mapping passes over above the header, so that it reads this file too.
        let title = match self.lang {
            crate::strings::Lang::Zh => "（导入时被拒收的行）",
            crate::strings::Lang::En => "(rows refused by an import)",
        };
        let bytes = match self.table.source {
            table::Source::Csv {
                encoding,
                bom,
                delimiter,
            } => {
                let mut w = csv::WriterBuilder::new()
                    .delimiter(delimiter)
                    .flexible(true)
                    .from_writer(Vec::new());
                for _ in 0..self.skip_lines {
                    w.write_record([title]).map_err(|e| e.to_string())?;
                }
                w.write_record(&header).map_err(|e| e.to_string())?;
                for row in self.rows(refused) {
                    let row: Vec<String> = row
                        .iter()
                        .map(|c| crate::text::spreadsheet_cell(c))
                        .collect();
                    w.write_record(&row).map_err(|e| e.to_string())?;
                }
                let text = w.into_inner().map_err(|e| e.to_string())?;
                let text = String::from_utf8(text).map_err(|e| e.to_string())?;
                encode(&text, encoding, bom)
            }
            table::Source::Sheet => {
                let mut book = rust_xlsxwriter::Workbook::new();
                let sheet = book.add_worksheet();
                let mut at = 0u32;
                for _ in 0..self.skip_lines {
                    sheet
                        .write_string(at, 0, title)
                        .map_err(|e| e.to_string())?;
                    at += 1;
                }
                for row in std::iter::once(header).chain(self.rows(refused)) {
                    for (col, cell) in row.iter().enumerate() {
                        let col = u16::try_from(col).map_err(|e| e.to_string())?;
                        sheet
                            .write_string(at, col, crate::text::sanitize(cell))
                            .map_err(|e| e.to_string())?;
                    }
                    at += 1;
                }
                book.save_to_buffer().map_err(|e| e.to_string())?
            }
        };
        crate::desk::paths::write_private(path, &bytes).map_err(|e| e.to_string())
    }
}

/// Text in the ledger's own encoding (UTF-16 and a UTF-8 BOM as it had them).
fn encode(text: &str, encoding: Option<&'static encoding_rs::Encoding>, bom: bool) -> Vec<u8> {
    match encoding {
        Some(e) if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => {
            let mut out = if e == encoding_rs::UTF_16LE {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for unit in text.encode_utf16() {
                if e == encoding_rs::UTF_16LE {
                    out.extend_from_slice(&unit.to_le_bytes());
                } else {
                    out.extend_from_slice(&unit.to_be_bytes());
                }
            }
            out
        }
        Some(e) if e != encoding_rs::UTF_8 => e.encode(text).0.into_owned(),
        _ => {
            let mut out = if bom {
                b"\xEF\xBB\xBF".to_vec()
            } else {
                Vec::new()
            };
            out.extend_from_slice(text.as_bytes());
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::table::{Cell, SourceRow, Table};
    use super::*;
    use crate::desk::DeskOptions;

    fn row(line: usize, id: &str, text: &str) -> SourceRow {
        let cells = [id, "嘉兴佳利电子有限公司", "用地", text, "2024-01-08 09:00"];
        SourceRow {
            number: line,
            cells: cells.iter().map(|c| Cell::Text(c.to_string())).collect(),
            malformed: None,
        }
    }

    /// A desk in `dir`, read with no configuration file.
    fn desk_in(dir: &Path) -> DeskOptions {
        DeskOptions {
            data_dir: Some(dir.to_path_buf()),
            config: Some(dir.join("no-config.toml")),
            ..DeskOptions::default()
        }
    }

    /// The mapping of the rows of [`row`], and their header.
    fn ledger(dir: &Path) -> Result<(Mapping, Vec<String>), Box<dyn std::error::Error>> {
        let mapping = Mapping::parse(
            "source = \"ledger\"\ndate_formats = [\"%Y-%m-%d %H:%M\"]\n[columns]\n\
             external_id = \"编号\"\nenterprise = \"企业\"\ncategory = \"类别\"\n\
             text = \"诉求\"\nreceived = \"受理时间\"\n[defaults]\nstatus = \"listed\"\n",
            &dir.join("map.toml"),
        )?;
        let headers = ["编号", "企业", "类别", "诉求", "受理时间"];
        Ok((mapping, headers.map(String::from).to_vec()))
    }

    #[test]
    fn a_row_changed_between_the_passes_is_not_written() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let desk = Desk::open(&desk_in(dir.path()))?;
        let (mapping, headers) = ledger(dir.path())?;
        let checked = vec![
            row(2, "1", "二期用地"),
            row(3, "2", "厂房"),
            row(4, "3", "道路"),
        ];
        // Saved again between the passes: the second row now says something else.
        let read_again = vec![
            row(2, "1", "二期用地"),
            row(3, "2", "仓库"),
            row(4, "3", "道路"),
        ];
        let table = Table::passes(headers.clone(), vec![checked.clone(), read_again]);
        let options = ImportOptions {
            dry_run: false,
            on_error: OnError::Stop,
            rejects: None,
            sheet: None,
            lang: crate::strings::Lang::En,
        };
        let ledger = dir.path().join("台账.csv");
        let result = import_table(&desk, &table, &ledger, &mapping, &options);
        assert!(
            matches!(result, Err(ImportError::Changed { row: 3 })),
            "{result:?}"
        );
        assert_eq!(desk.appeal_count(), 1, "only the row read again as checked");
        // Cut short between the passes: the missing row is named.
        let table = Table::passes(
            headers.clone(),
            vec![checked.clone(), checked[..1].to_vec()],
        );
        let result = import_table(&desk, &table, &ledger, &mapping, &options);
        assert!(
            matches!(result, Err(ImportError::Changed { row: 3 })),
            "{result:?}"
        );
        // The same import again brings in the rest, once.
        let table = Table::passes(headers, vec![checked.clone(), checked]);
        let report = import_table(&desk, &table, &ledger, &mapping, &options)?;
        assert_eq!((report.already_imported, desk.appeal_count()), (1, 3));
        Ok(())
    }

    #[test]
    fn skipping_reads_the_file_once_and_a_report_it_cannot_write_undoes_the_import()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let options = desk_in(dir.path());
        let (mapping, headers) = ledger(dir.path())?;
        // The second row has the first one's ledger id.
        let rows = vec![
            row(2, "1", "二期用地"),
            row(3, "1", "厂房"),
            row(4, "3", "道路"),
        ];
        let ledger = dir.path().join("台账.csv");
        let skipping = |rejects: PathBuf| ImportOptions {
            dry_run: false,
            on_error: OnError::Skip,
            rejects: Some(rejects),
            sheet: None,
            lang: crate::strings::Lang::En,
        };
        {
            let desk = Desk::open(&options)?;
            // Given once only: a second read would find no rows.
            let table = Table::passes(headers.clone(), vec![rows.clone()]);
            let nowhere = skipping(dir.path().join("no such folder").join("refused.csv"));
            let result = import_table(&desk, &table, &ledger, &mapping, &nowhere);
            assert!(
                matches!(result, Err(ImportError::Rejects { .. })),
                "{result:?}"
            );
        }
        // Without its report the import did not happen.
        let desk = Desk::open(&options)?;
        assert_eq!(desk.appeal_count(), 0);
        let table = Table::passes(headers, vec![rows]);
        let refused = dir.path().join("refused.csv");
        let report = import_table(&desk, &table, &ledger, &mapping, &skipping(refused.clone()))?;
        assert_eq!(desk.appeal_count(), 2);
        assert_eq!(report.refused.len(), 1);
        assert!(matches!(
            report.refused[0].problem,
            rows::Problem::DuplicateId
        ));
        assert_eq!(report.rejects_file, Some(refused.clone()));
        assert!(std::fs::read_to_string(&refused)?.contains("厂房"));
        Ok(())
    }
}
