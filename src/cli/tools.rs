//! The conventions of a well-kept command-line tool: version and paths, completions, the manual,
//! the configuration and calendar files, and the log.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use chrono::{Datelike, NaiveDate};
use clap::CommandFactory;

use super::{CalendarCmd, Cli, ConfigCmd};
use crate::desk::settings::{Settings, load_calendar};
use crate::desk::{DeskError, DeskOptions, paths};
use crate::strings::Lang;

fn fail(msg: String) -> ExitCode {
    eprintln!("zhuqi: {}", crate::text::for_output(&msg));
    ExitCode::from(1)
}

fn shown(p: Option<&Path>) -> String {
    p.map_or_else(|| "-".to_string(), |p| p.display().to_string())
}

/// The log file: `ZHUQI_LOG_FILE`, else `zhuqi.log` in the XDG state directory, else in the data directory.
pub fn log_file(data_dir: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ZHUQI_LOG_FILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "zhuqi")
        .and_then(|d| d.state_dir().map(|s| s.join("zhuqi.log")))
        .or_else(|| paths::data_dir(data_dir).map(|d| d.join("zhuqi.log")))
}

/// `zhuqi --version`: the version and every path in use.
pub fn version(cli: &Cli, config: Option<&Path>) -> String {
    let data = paths::data_dir(cli.data_dir.as_deref());
    let journal = data.as_ref().map(|d| d.join("journal.jsonl"));
    let calendar = data.as_ref().map(|d| d.join("calendar.toml"));
    format!(
        "zhuqi {}\nconfig:   {}\ndata:     {}\njournal:  {}\ncalendar: {}\nlog:      {}\n",
        env!("CARGO_PKG_VERSION"),
        shown(config),
        shown(data.as_deref()),
        shown(journal.as_deref()),
        shown(calendar.as_deref()),
        shown(log_file(cli.data_dir.as_deref()).as_deref()),
    )
}

pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "zhuqi", &mut std::io::stdout());
    ExitCode::SUCCESS
}

pub fn man() -> ExitCode {
    let cmd = Cli::command();
    let mut out = Vec::new();
    let man = clap_mangen::Man::new(cmd);
    let rendered = man
        .render_title(&mut out)
        .and_then(|_| man.render_name_section(&mut out))
        .and_then(|_| man.render_synopsis_section(&mut out))
        .and_then(|_| man.render_description_section(&mut out))
        .and_then(|_| man.render_options_section(&mut out))
        .and_then(|_| man.render_subcommands_section(&mut out))
        .and_then(|_| man.render_extra_section(&mut out))
        .and_then(|_| man.render_version_section(&mut out));
    if let Err(e) = rendered {
        return fail(format!("cannot write the manual: {e}"));
    }
    let exit = super::EXIT_CODES
        .lines()
        .skip(1)
        .map(|l| format!(".TP\n{}\n", l.trim().replacen("  ", "\n", 1)))
        .collect::<String>();
    let files = ".SH FILES\n.TP\nconfig.toml\nthe configuration, in the XDG config directory (--config, ZHUQI_CONFIG)\n.TP\njournal.jsonl, journal.sealed/, store/, calendar.toml\nin the data directory (--data-dir, ZHUQI_DATA_DIR)\n.TP\nzhuqi.log\nthe log, in the XDG state directory (ZHUQI_LOG=debug for more)\n";
    let text = format!(
        "{}.SH \"EXIT STATUS\"\n{exit}{files}",
        String::from_utf8_lossy(&out)
    );
    out!("{text}");
    ExitCode::SUCCESS
}

/// Logs go to a file, never to the terminal the desk is drawing on. `ZHUQI_LOG` sets the level.
pub fn start_log(data_dir: Option<&Path>) -> Option<()> {
    let path = log_file(data_dir)?;
    if let Some(parent) = path.parent() {
        paths::create_private_dir(parent).ok()?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    // Owner only, whatever the umask: it says who acted when.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path).ok()?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("ZHUQI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .ok()
}

pub fn config(cmd: ConfigCmd, settings: &Settings, path: Option<&Path>, lang: Lang) -> ExitCode {
    match cmd {
        ConfigCmd::Path => out!("{}\n", shown(path)),
        ConfigCmd::Check => {
            // Loading already checked it; say so plainly.
            out!("{}\n", lang.config_ok(&shown(path)));
        }
        ConfigCmd::Show => {
            let categories: Vec<String> = settings
                .rules
                .categories
                .iter()
                .map(|c| format!("[[category]]\nname = {:?}\ndays = {}\n", c.name, c.days))
                .collect();
            let head = toml::to_string(settings).unwrap_or_default();
            out!(
                "# {}\n{head}warning_days = {}\nack_days = {}\n\n{}\n",
                shown(path),
                settings.rules.warning_days,
                settings.rules.ack_days,
                categories.join("\n")
            );
        }
    }
    ExitCode::SUCCESS
}

pub fn calendar(cmd: CalendarCmd, options: &DeskOptions, lang: Lang) -> ExitCode {
    let Some(dir) = paths::data_dir(options.data_dir.as_deref()) else {
        return fail(lang.error(&DeskError::NoDataDir));
    };
    if let Err(source) = paths::create_private_dir(&dir) {
        return fail(lang.error(&DeskError::DataDir { path: dir, source }));
    }
    let (cal, path) = match load_calendar(&dir) {
        Ok(c) => c,
        Err(e) => return fail(lang.error(&DeskError::File(e))),
    };
    match cmd {
        CalendarCmd::Check => {
            let years: Vec<String> = cal.years().map(|y| y.to_string()).collect();
            out!(
                "{}\n",
                lang.calendar_ok(&path.display().to_string(), &years.join(", "))
            );
        }
        CalendarCmd::Show { year } => {
            let year = year.unwrap_or_else(|| {
                options
                    .now
                    .map_or_else(|| chrono::Local::now().year(), |n| n.year())
            });
            out!("{}", year_grid(&cal, year, lang));
            if !cal.years().any(|y| y == year) {
                out!(
                    "{}\n",
                    lang.calendar_gap(year.to_string(), &path.display().to_string())
                );
            }
        }
    }
    ExitCode::SUCCESS
}

/// A year as twelve month grids; holidays and make-up working days marked.
fn year_grid(cal: &crate::domain::Calendar, year: i32, lang: Lang) -> String {
    let (holiday, workday) = lang.calendar_marks();
    let mut out = format!("{year}  {}\n", lang.calendar_legend());
    let mut working = 0;
    for month in 1..=12u32 {
        let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
            continue;
        };
        out.push_str(&format!("\n{year}-{month:02}\n{}\n", lang.weekday_header()));
        let mut line = "     ".repeat(first.weekday().num_days_from_monday() as usize);
        for day in first.iter_days().take_while(|d| d.month() == month) {
            let mark = if cal.is_makeup_workday(day) {
                workday
            } else if cal.is_holiday(day) {
                holiday
            } else {
                "  "
            };
            if cal.is_working_day(day) {
                working += 1;
            }
            line.push_str(&format!("{:>3}{mark}", day.day()));
            if day.weekday() == chrono::Weekday::Sun {
                out.push_str(line.trim_end());
                out.push('\n');
                line.clear();
            }
        }
        if !line.trim().is_empty() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out.push_str(&format!("\n{}\n", lang.working_days_in_year(year, working)));
    out
}
