//! The command line: clap subcommands for scripting, the same desk underneath.
//! Exit codes: 0 done; 1 refused or failed (the reason on stderr); 2 usage.

/// Writes to standard output, never a control, bidi or zero-width character raw (they are
/// written as escapes); a reader that went away (`zhuqi list | head`) is not an error, any other
/// failure is said on standard error.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        if let Err(e) = std::io::stdout().write_all(crate::text::for_output(&text).as_bytes())
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            eprintln!("zhuqi: cannot write the output: {e}");
        }
    }};
}

mod args;
mod output;
mod registry;
mod steps;
mod tools;

pub use args::*;

/// Why a command failed: the desk's refusals and errors, and those of the files it writes and
/// reads (kept as they are, said in the user's language by `Failed::say`).
#[derive(Debug)]
pub enum Failed {
    Desk(DeskError),
    Export(crate::io::export::ExportError),
    Import(crate::io::import::ImportError),
    /// An import that stopped before writing anything: its report says which rows and why.
    /// Rows were refused and nothing, or not all that could be, was imported (a dry run with
    /// refused rows says so too): its report says which rows and why.
    ImportStopped(Box<crate::io::import::ImportReport>, bool),
}

impl From<DeskError> for Failed {
    fn from(e: DeskError) -> Failed {
        Failed::Desk(e)
    }
}

impl Failed {
    pub fn say(&self, lang: Lang) -> String {
        match self {
            Failed::Desk(e) => lang.error(e),
            Failed::Export(e) => lang.export_error(e),
            Failed::Import(e) => lang.import_error(e),
            Failed::ImportStopped(report, dry_run) => output::import_report(lang, report, *dry_run)
                .trim_end()
                .to_string(),
        }
    }
}

use std::process::ExitCode;

use crate::desk::clock::parse_date;
use crate::desk::{Desk, DeskError, DeskOptions, Due, Filter, StatusFilter};
use crate::io::export::{self, ExportError, ExportFormat};
use crate::strings::Lang;

fn date(text: &str) -> Result<chrono::NaiveDate, DeskError> {
    parse_date(text).ok_or_else(|| DeskError::BadDate(text.trim().to_string()))
}

fn due(args: &DueArgs) -> Result<Due, DeskError> {
    Ok(match (&args.due, args.days) {
        (Some(d), _) => Due::Date(date(d)?),
        (None, Some(k)) => Due::WorkingDays(k),
        (None, None) => Due::CategoryDefault,
    })
}

/// A file written to a pipe whose reader went away (`-o /dev/stdout | head`): not an error, as
/// for what commands print.
fn reader_went_away(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), DeskError> {
    crate::desk::paths::write_private(path, bytes).map_err(|source| DeskError::WriteFile {
        path: path.to_path_buf(),
        source,
    })
}

fn period_of(desk: &Desk, p: &PeriodArgs) -> Result<crate::domain::figures::Period, DeskError> {
    let range = match (&p.from, &p.to) {
        (Some(f), Some(t)) => Some((date(f)?, date(t)?)),
        _ => None,
    };
    let week_of = match &p.date {
        Some(d) => date(d)?,
        None => desk.clock().today(),
    };
    if let Some((from, to)) = range
        && to < from
    {
        return Err(DeskError::BadPeriod(from.to_string(), to.to_string()));
    }
    Ok(crate::desk::supervise::report_period(range, week_of))
}

fn report(desk: &Desk, lang: Lang, r: ReportArgs) -> Result<String, Failed> {
    let period = period_of(desk, &r.period)?;
    let report = desk.report(period)?;
    let label = |n: u64| desk.label(n);
    let text = match r.format {
        ReportFormat::Md => {
            crate::io::report::markdown(&report, lang, desk.settings().district.as_deref(), &label)
        }
        ReportFormat::Json => crate::io::to_json(&crate::io::report::json(&report, &label)),
        ReportFormat::Xlsx => {
            let Some(path) = &r.output else {
                return Err(DeskError::NeedsOutput.into());
            };
            crate::io::report::xlsx(&report, lang, &label, path)
                .map_err(|e| Failed::Export(crate::io::export::ExportError::Xlsx(e)))?;
            return Ok(output::confirm_written(path, output::written(lang, path)));
        }
    };
    match &r.output {
        Some(path) => {
            match write_file(path, crate::text::for_output(&text).as_bytes()) {
                Err(DeskError::WriteFile { source, .. }) if reader_went_away(&source) => {
                    return Ok(String::new());
                }
                written => written?,
            }
            Ok(output::confirm_written(path, output::written(lang, path)))
        }
        None => Ok(text),
    }
}

fn export(desk: &Desk, lang: Lang, e: ExportArgs) -> Result<String, Failed> {
    let status = match &e.status {
        Some(s) => Some(StatusFilter::parse(s).ok_or_else(|| DeskError::UnknownStatus(s.clone()))?),
        None => None,
    };
    let filter = Filter {
        status,
        overdue: e.overdue,
        ..Filter::default()
    };
    let format = match e.format {
        ExportFormatArg::Xlsx => ExportFormat::Xlsx,
        ExportFormatArg::Csv => ExportFormat::Csv,
        ExportFormatArg::Jsonl => ExportFormat::Jsonl,
    };
    let exported = if format == ExportFormat::Xlsx {
        // A workbook is made whole in memory, and its second sheet holds the figures.
        let rows = desk.list(&filter)?;
        let figures = match (&e.from, &e.to) {
            (Some(f), Some(t)) => desk.figures(crate::domain::figures::Period {
                from: date(f)?,
                to: date(t)?,
            })?,
            _ => desk.figures_all_time()?,
        };
        crate::io::export::export(&rows, &figures, lang, format, e.bom, &e.output)
            .map_err(Failed::Export)?;
        rows.len()
    } else {
        let io = |source| {
            Failed::Export(ExportError::Io {
                path: e.output.display().to_string(),
                source,
            })
        };
        let mut exported = 0;
        let written = crate::desk::paths::write_private_with(&e.output, io, |out| {
            out.write_all(&export::head(lang, format, e.bom).map_err(Failed::Export)?)
                .map_err(io)?;
            exported = desk.render_rows(
                &filter,
                |rows| export::lines(&rows, lang, format).map_err(Failed::Export),
                |lines| out.write_all(&lines).map_err(io),
            )?;
            Ok::<_, Failed>(())
        });
        match written {
            // `zhuqi export -o /dev/stdout | head`: the reader had what it wanted.
            Err(Failed::Export(ExportError::Io { source, .. })) if reader_went_away(&source) => {
                return Ok(String::new());
            }
            written => written?,
        }
        exported
    };
    Ok(output::confirm_written(
        &e.output,
        output::exported(lang, exported, &e.output),
    ))
}

fn import(desk: &Desk, lang: Lang, i: ImportArgs) -> Result<String, Failed> {
    use crate::io::import::{ImportError, ImportOptions, OnError, import, mapping::Mapping};
    let mapping = Mapping::load(&i.map).map_err(DeskError::File)?;
    let options = ImportOptions {
        dry_run: i.dry_run,
        on_error: match i.on_error {
            OnErrorArg::Stop => OnError::Stop,
            OnErrorArg::Skip => OnError::Skip,
        },
        rejects: i.rejects,
        sheet: i.sheet,
        lang,
    };
    let report = import(desk, &i.file, &mapping, &options).map_err(|e| match e {
        ImportError::Desk(d) => Failed::Desk(d),
        other => Failed::Import(other),
    })?;
    // Exit 0 only for a clean import, or one that skipped refused rows and brought in at least
    // one: the rows and reasons are the message otherwise.
    let created: usize = report.created.values().sum();
    let refused = !report.refused.is_empty();
    if (i.dry_run && refused) || (!i.dry_run && (!report.written || (refused && created == 0))) {
        return Err(Failed::ImportStopped(Box::new(report), i.dry_run));
    }
    Ok(output::import_report(lang, &report, i.dry_run))
}

/// Runs one subcommand against an open desk; returns what to print on stdout.
pub fn run(desk: &mut Desk, command: Command, lang: Lang) -> Result<String, Failed> {
    match command {
        Command::Report(r) => report(desk, lang, r),
        Command::Export(e) => export(desk, lang, e),
        Command::Import(i) => import(desk, lang, i),
        other => run_on_desk(desk, other, lang).map_err(Failed::Desk),
    }
}

/// The commands whose failures are the desk's own.
fn run_on_desk(desk: &mut Desk, command: Command, lang: Lang) -> Result<String, DeskError> {
    match command {
        step @ (Command::Capture(_)
        | Command::Assign(_)
        | Command::Ack { .. }
        | Command::Return { .. }
        | Command::Reassign { .. }
        | Command::Note { .. }
        | Command::Escalate { .. }
        | Command::Extend { .. }
        | Command::Urge { .. }
        | Command::Answer { .. }
        | Command::Feedback { .. }
        | Command::Reopen { .. }
        | Command::Withdraw { .. }
        | Command::Close { .. }) => steps::run(desk, step, lang),
        registry @ (Command::Demo { .. }
        | Command::Meeting(_)
        | Command::Steward(_)
        | Command::Enterprise(_)) => registry::run(desk, registry, lang),

        Command::Board { format } => Ok(output::board(lang, desk, &desk.board()?, format)),
        // Handled by `run`.
        Command::Report(_) | Command::Export(_) | Command::Import(_) => Ok(String::new()),
        Command::Bundle(BundleCmd::Export {
            since,
            all: _,
            output,
        }) => {
            let since = match since {
                Some(s) => Some(date(&s)?),
                None => None,
            };
            let (bytes, commands) = crate::io::bundle::export(desk, since)?;
            write_file(&output, &bytes)?;
            Ok(format!(
                "{}\n",
                lang.bundle_written(commands, &output.display().to_string())
            ))
        }
        Command::Bundle(BundleCmd::Import { file, dry_run }) => {
            let bytes = std::fs::read(&file).map_err(|source| DeskError::DataDir {
                path: file.clone(),
                source,
            })?;
            let report = crate::io::bundle::import(desk, &bytes, dry_run)?;
            Ok(format!("{}\n", lang.bundle_merged(&report)))
        }
        Command::Bundle(BundleCmd::Key) => {
            let key = crate::desk::keys::DeskKey::load_or_create(desk.data_dir())?;
            Ok(format!("{}\n", key.public()))
        }
        Command::Bundle(BundleCmd::Trust { name, key }) => {
            crate::desk::keys::trust(desk.data_dir(), &name, &key)?;
            Ok(format!(
                "{}\n",
                lang.trusted_desk(&name, &crate::desk::keys::fingerprint(&key))
            ))
        }
        Command::Bundle(BundleCmd::Trusted) => {
            let desks = crate::desk::keys::trusted(desk.data_dir())?;
            Ok(desks
                .iter()
                .map(|(name, key)| {
                    format!("{name}\t{}\t{key}\n", crate::desk::keys::fingerprint(key))
                })
                .collect())
        }
        Command::List(l) => {
            let status = match &l.status {
                Some(s) => Some(
                    StatusFilter::parse(s).ok_or_else(|| DeskError::UnknownStatus(s.clone()))?,
                ),
                None => None,
            };
            let meeting = match &l.meeting {
                Some(m) => Some(desk.find_meeting(m)?.number),
                None => None,
            };
            let rows = desk.list(&Filter {
                status,
                steward: l.steward,
                dept: l.dept,
                category: l.category,
                meeting,
                enterprise: l.enterprise,
                overdue: l.overdue,
            })?;
            Ok(output::list(lang, &rows, l.format))
        }
        Command::Show { appeal, format } => {
            let (a, events) = desk.show(&appeal)?;
            let not_in_effect = desk.not_in_effect(&a, &events);
            let row = desk.row(a);
            Ok(output::show(lang, &row, &events, &not_in_effect, format))
        }
        Command::Conflicts { format } => {
            let found = desk.conflicts()?;
            Ok(output::conflicts(lang, desk, &found, format))
        }
        Command::Hub(HubCmd::Join { url }) => {
            let me = desk.join_hub(&url)?;
            Ok(format!("{}\n", lang.hub_joined(&me.desk, me.role)))
        }
        Command::Backup { dir } => {
            desk.backup(&dir)?;
            Ok(output::backed_up(lang, &dir))
        }
        Command::Verify => {
            let problems = desk.verify()?;
            if problems.is_empty() {
                Ok(output::verified(lang))
            } else {
                Err(DeskError::Inconsistent(problems))
            }
        }
        // Handled before the desk is opened: they need no store, or replace it.
        Command::Sync { .. }
        | Command::Hub(HubCmd::Init { .. })
        | Command::Hub(HubCmd::Desk(_))
        | Command::Rebuild { .. }
        | Command::Journal(_)
        | Command::Config(_)
        | Command::Calendar(_)
        | Command::Completions { .. }
        | Command::Man => Ok(String::new()),
    }
}

/// The whole program: parse, open, run, print; returns the exit code.
pub fn main_with(cli: Cli) -> ExitCode {
    let fail = |msg: String| {
        eprintln!("zhuqi: {}", crate::text::for_output(&msg));
        ExitCode::from(1)
    };
    let config_path = crate::desk::paths::config_file(cli.config.as_deref());
    if cli.version {
        out!("{}", tools::version(&cli, config_path.as_deref()));
        return ExitCode::SUCCESS;
    }
    match &cli.command {
        Some(Command::Completions { shell }) => return tools::completions(*shell),
        Some(Command::Man) => return tools::man(),
        Some(Command::Config(ConfigCmd::Path)) => {
            match &config_path {
                Some(p) => out!("{}\n", p.display()),
                None => {
                    return fail(
                        "no configuration directory; give one with --config or ZHUQI_CONFIG".into(),
                    );
                }
            }
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let settings = match crate::desk::settings::load_settings_named(
        config_path.as_deref(),
        cli.config.is_some(),
    ) {
        Ok(s) => s,
        Err(e) => return fail(cli.lang(None).error(&DeskError::File(e))),
    };
    let lang = cli.lang(Some(&settings));
    let _log = tools::start_log(cli.data_dir.as_deref());
    let options = match cli.desk_options(lang) {
        Ok(o) => o,
        Err(Failure(msg)) => return fail(msg),
    };
    let Some(command) = cli.command else {
        // No subcommand: the desk in the terminal.
        tracing::info!("desk opened in the terminal");
        let color = settings.color;
        let options = DeskOptions {
            cache: crate::store::Cache::Lean,
            ..options
        };
        let open = || Desk::open_with(&options, settings);
        return match crate::tui::run(open, lang, color, Box::new(serve)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(lang.tui_error(&e)),
        };
    };
    // The command's name only: its arguments name enterprises and people, and say what they said.
    tracing::info!(command = %command.name(), "command");
    match command {
        Command::Rebuild { undo: false } => {
            return match crate::desk::rebuild(&options) {
                Ok((count, old)) => {
                    out!("{}", output::rebuilt(lang, count, &old));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(lang.error(&e)),
            };
        }
        Command::Rebuild { undo: true } => {
            return match crate::desk::undo_rebuild(&options) {
                Ok(undone) => {
                    out!(
                        "{}\n",
                        lang.rebuild_undone(&undone.restored, &undone.set_aside)
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(lang.error(&e)),
            };
        }
        Command::Journal(JournalCmd::Rewrite) => {
            return match crate::desk::rewrite_journal(&options) {
                Ok(done) => {
                    out!(
                        "{}\n",
                        lang.journal_rewritten(done.events, done.old_journal.as_deref())
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(lang.error(&e)),
            };
        }
        Command::Journal(JournalCmd::Seal) => {
            return match crate::desk::seal_journal(&options) {
                Ok(sealed_to) => {
                    out!("{}\n", lang.journal_sealed(sealed_to));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(lang.error(&e)),
            };
        }
        Command::Config(cmd) => return tools::config(cmd, &settings, config_path.as_deref(), lang),
        Command::Hub(HubCmd::Init { url }) => {
            return match crate::hub::init(&url) {
                Ok(report) => {
                    out!("{}\n", lang.hub_initialised(report));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(lang.hub_error(&e)),
            };
        }
        Command::Hub(HubCmd::Desk(HubDeskCmd::Add {
            admin_url,
            name,
            role,
            format,
        })) => {
            return match crate::hub::add_desk(&admin_url, &name, role.into()) {
                Ok(d) if format == ShowFormat::Json => {
                    out!(
                        "{}\n",
                        serde_json::json!({"desk": d.desk, "role": d.role.key(), "url": d.url})
                    );
                    ExitCode::SUCCESS
                }
                Ok(d) => {
                    out!("{}\n", lang.desk_added(&d));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(lang.hub_error(&e)),
            };
        }
        Command::Calendar(cmd) => return tools::calendar(cmd, &options, lang),
        _ => {}
    }
    let wait = std::time::Duration::from_secs(cli.wait);
    let mut desk = match open_or_ask(&options, &settings, lang, wait) {
        Ok(d) => d,
        Err(Ok(reply)) => return print(reply),
        Err(Err(e)) => return fail(lang.error(&e)),
    };
    if let Some(old) = &desk.open_report().upgraded_from {
        eprintln!("zhuqi: {}", lang.upgraded(old));
    }
    if let Some(old) = &desk.open_report().rebuilt_from_damaged {
        eprintln!("zhuqi: {}", lang.rebuilt_from_damaged(old));
    }
    if let Some(undone) = &desk.open_report().undone_bulk {
        eprintln!("zhuqi: {}", lang.undone_bulk(undone));
    }
    if let Some(to) = desk.open_report().sealed_to {
        eprintln!("zhuqi: {}", lang.journal_sealed(Some(to)));
    }
    if desk.open_report().replayed > 0 {
        eprintln!("zhuqi: {}", lang.replayed(desk.open_report().replayed));
    }
    if let Command::Sync { format } = command {
        return print(sync(&desk, lang, format));
    }
    match run(&mut desk, command, lang) {
        Ok(out) => {
            out!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e.say(lang)),
    }
}

/// `zhuqi sync`: what moved on stdout; refused events, or the hub out of reach, on stderr with
/// exit 1 (what could go, went).
fn sync(desk: &Desk, lang: Lang, format: ShowFormat) -> crate::remote::Reply {
    use std::fmt::Write as _;
    let mut reply = crate::remote::Reply::default();
    let report = desk.sync();
    let label = |n: u64| desk.label(n);
    match report {
        Ok(r) => {
            if format == ShowFormat::Json {
                let renumbered: Vec<serde_json::Value> = r
                    .renumbered
                    .iter()
                    .map(|(b, a)| serde_json::json!({"from": label(*b), "to": label(*a)}))
                    .collect();
                let _ = writeln!(
                    reply.stdout,
                    "{}",
                    serde_json::json!({
                        "pushed": r.pushed,
                        "pulled": r.pulled,
                        "new_appeals": r.new_appeals,
                        "conflicts": r.conflicts,
                        "renumbered": renumbered,
                        "refused": r.refused,
                    })
                );
            } else {
                reply.stdout = lang.sync_report(&r, &label);
            }
            if !r.refused.is_empty() {
                reply.stderr = format!("zhuqi: {}\n", lang.sync_refused(&r));
                reply.code = 1;
            }
        }
        Err(e) => {
            let waiting = desk.waiting_to_send().unwrap_or(0);
            let offline = matches!(&e, DeskError::Hub(h) if h.is_offline());
            reply.stderr = if offline {
                format!("zhuqi: {} {}\n", lang.error(&e), lang.sync_offline(waiting))
            } else {
                format!("zhuqi: {}\n", lang.error(&e))
            };
            reply.code = 1;
        }
    }
    reply
}

/// Prints what a command would have printed, and gives its exit code.
fn print(reply: crate::remote::Reply) -> ExitCode {
    out!("{}", reply.stdout);
    if !reply.stderr.is_empty() {
        eprint!("{}", crate::text::for_output(&reply.stderr));
    }
    ExitCode::from(reply.code)
}

/// Carries out a command for the desk that has the store open (it came over the data
/// directory's socket): the same commands, the same words, on the desk already open.
pub fn serve(desk: &mut Desk, request: crate::remote::Request) -> crate::remote::Reply {
    let lang = Lang::parse(&request.lang).unwrap_or(Lang::Zh);
    let failed = |msg: String| crate::remote::Reply {
        stderr: format!("zhuqi: {msg}\n"),
        code: 1,
        ..Default::default()
    };
    let cli = match <Cli as clap::Parser>::try_parse_from(&request.argv) {
        Ok(c) => c,
        Err(e) => {
            return crate::remote::Reply {
                stderr: e.to_string(),
                code: 2,
                ..Default::default()
            };
        }
    };
    let options = match cli.desk_options(lang) {
        Ok(o) => o,
        Err(Failure(msg)) => return failed(msg),
    };
    let Some(command) = cli.command else {
        return failed(lang.desk_already_in_terminal());
    };
    // This command's clock and person, then the desk's own again.
    let (clock, actor) = (desk.clock(), desk.actor().to_string());
    desk.set_clock(
        options
            .now
            .map_or_else(crate::desk::Clock::system, crate::desk::Clock::fixed),
    );
    if let Some(a) = options.actor.as_deref().filter(|a| !a.trim().is_empty()) {
        desk.set_actor(a);
    }
    let reply = match command {
        Command::Sync { format } => sync(desk, lang, format),
        command if !command.needs_the_store() => failed(lang.not_while_open()),
        command => match run(desk, command, lang) {
            Ok(stdout) => crate::remote::Reply {
                stdout,
                ..Default::default()
            },
            Err(e) => failed(e.say(lang)),
        },
    };
    desk.set_clock(clock);
    desk.set_actor(&actor);
    reply
}

/// A desk that another process has open: the command goes to it (a desk in a terminal answers on
/// the data directory's socket), or waits its turn (another command holds the store) for at
/// most `wait`.
fn open_or_ask(
    options: &DeskOptions,
    settings: &crate::desk::settings::Settings,
    lang: Lang,
    wait: std::time::Duration,
) -> Result<Desk, Result<crate::remote::Reply, DeskError>> {
    let deadline = std::time::Instant::now() + wait;
    let request = crate::remote::Request {
        argv: std::env::args().collect(),
        lang: lang.code().to_string(),
    };
    // A desk open in a terminal is asked at once: it holds the store until it closes, so there
    // is nothing to gain from the moment the desk lock is asked again (a lock lent to a child
    // process), which took 0.1 s a command.
    if let Some(dir) = crate::desk::paths::data_dir(options.data_dir.as_deref())
        && crate::remote::socket_path(&dir).exists()
    {
        match crate::remote::ask(&dir, &request) {
            Some(Ok(reply)) => return Err(Ok(reply)),
            Some(Err(e)) => tracing::warn!("the open desk did not answer: {e}"),
            // A socket left by a desk that did not close: the store is opened as usual.
            None => {}
        }
    }
    loop {
        match Desk::open_with(options, settings.clone()) {
            Ok(d) => return Ok(d),
            Err(DeskError::Store(crate::store::StoreError::AlreadyOpen { dir, pid })) => {
                match crate::remote::ask(&dir, &request) {
                    Some(Ok(reply)) => return Err(Ok(reply)),
                    Some(Err(e)) => {
                        tracing::warn!("the open desk did not answer: {e}");
                    }
                    None => {}
                }
                if std::time::Instant::now() >= deadline {
                    return Err(Err(DeskError::Store(
                        crate::store::StoreError::AlreadyOpen { dir, pid },
                    )));
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => return Err(Err(e)),
        }
    }
}
