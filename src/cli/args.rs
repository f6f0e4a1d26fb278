//! The command line's words: every subcommand and option, as clap reads them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::desk::clock::parse_local;
use crate::desk::{DeskError, DeskOptions};
use crate::strings::Lang;

#[derive(Parser, Debug)]
#[command(
    name = "zhuqi",
    version,
    disable_version_flag = true,
    after_long_help = EXIT_CODES,
    about = "助企 — the Wednesday enterprise service desk",
    long_about = "助企 — the Wednesday enterprise service desk.\n\nCapture the appeals (诉求) raised at on-site meetings, put those not solved on the spot on the appeal list, assign them to service stewards and follow them until the loop closes.\n\nWithout a subcommand, opens the desk in the terminal."
)]
pub struct Cli {
    /// Print the version and the configuration, data, journal and log paths in use
    #[arg(short = 'V', long)]
    pub version: bool,
    /// Where the store, journal and calendar live [env: ZHUQI_DATA_DIR] [default: the XDG data directory]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The configuration file [env: ZHUQI_CONFIG] [default: config.toml in the XDG config directory]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Act as if it were this local time: YYYY-MM-DD or YYYY-MM-DDTHH:MM [env: ZHUQI_NOW]
    #[arg(long, global = true, value_name = "TIME")]
    pub now: Option<String>,
    /// Who is acting, recorded on every event [default: the OS user]
    #[arg(long, global = true, value_name = "NAME", value_parser = named)]
    pub actor: Option<String>,
    /// With the store busy (another command writing), wait at most this long for it
    #[arg(long, global = true, value_name = "SECS", default_value_t = 5)]
    pub wait: u64,
    /// Language of messages: zh or en [default: from LANG / LC_ALL]
    #[arg(long, global = true, value_name = "zh|en", value_parser = language)]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// `--actor`: a person is named by something.
fn named(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() || name.chars().any(crate::text::is_hazard) {
        return Err("give the name of the person acting (not empty, no control characters)".into());
    }
    Ok(name.to_string())
}

/// `--lang`: one the desk speaks.
fn language(text: &str) -> Result<String, String> {
    match Lang::parse(text) {
        Some(_) => Ok(text.to_string()),
        None => Err("zhuqi speaks zh (简体中文) and en (English)".into()),
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Fill an empty store with the airport story and a few dozen more appeals; with --appeals,
    /// add that many generated appeals instead (for measurements)
    Demo {
        /// How many appeals to generate
        #[arg(long, value_name = "N")]
        appeals: Option<usize>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How much is still open: backlog (about 16%, the stress case) or realistic (nearly all
        /// closed, as districts are)
        #[arg(long, value_enum, default_value_t = MixArg::Backlog)]
        mix: MixArg,
        /// Where the TipDM data is (texts are drawn from it)
        #[arg(long, value_name = "DIR", default_value = "../shared/data/tipdm2020c")]
        texts: PathBuf,
    },
    /// Service-day meetings (现场会)
    #[command(subcommand)]
    Meeting(MeetingCmd),
    /// Service stewards (服务管家)
    #[command(subcommand)]
    Steward(StewardCmd),
    /// Enterprises (企业)
    #[command(subcommand)]
    Enterprise(EnterpriseCmd),
    /// Record an appeal (诉求): onto the appeal list, or resolved on the spot with --resolved
    Capture(CaptureArgs),
    /// Assign (交办) to a steward and departments, with a due date
    Assign(AssignArgs),
    /// Acknowledge (签收) an assignment
    Ack { appeal: String },
    /// Return (退回) an assignment: "not ours"
    Return {
        appeal: String,
        #[arg(long)]
        reason: String,
    },
    /// Hand an appeal to another steward (改派)
    Reassign {
        appeal: String,
        #[arg(long)]
        steward: String,
        /// A new lead department
        #[arg(long)]
        lead: Option<String>,
    },
    /// Add a progress note (办理进展)
    Note { appeal: String, text: String },
    /// Escalate (上报) to the city or the province
    Escalate {
        appeal: String,
        #[arg(long, value_enum)]
        level: LevelArg,
        /// The body it goes to, e.g. 省住建厅
        #[arg(long)]
        to: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Extend (延期) the due date, before it passes
    Extend {
        appeal: String,
        #[arg(long, value_name = "DATE")]
        due: String,
        #[arg(long)]
        reason: String,
    },
    /// Urge (督办) an appeal; prints the 催办 notice for the steward
    Urge {
        appeal: String,
        #[arg(long)]
        note: Option<String>,
        /// Also write the notice to this file
        #[arg(short = 'o', long = "notice", value_name = "FILE")]
        notice: Option<PathBuf>,
    },
    /// Record the answer (答复) given to the enterprise
    Answer { appeal: String, text: String },
    /// Record the enterprise's satisfaction (回访): 5 非常满意 … 1 非常不满意; 1–2 reopen it
    Feedback {
        appeal: String,
        #[arg(long, value_name = "1..5")]
        rating: String,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Reopen (重办) an answered or closed appeal
    Reopen {
        appeal: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        due: DueArgs,
    },
    /// Withdraw (撤回): the enterprise no longer needs it
    Withdraw {
        appeal: String,
        #[arg(long)]
        reason: String,
    },
    /// Close (办结) an answered appeal when no feedback is to be had, saying why
    Close {
        appeal: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// The appeal list, filtered
    List(ListArgs),
    /// Open appeals by urgency: red cards, yellow cards, then the rest by due date
    Board {
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// The figures and lists for the next meeting (this week by default)
    Report(ReportArgs),
    /// The appeal list as a spreadsheet (with the figures) or as CSV / JSON Lines
    Export(ExportArgs),
    /// Bring in an existing ledger (台账) from CSV or XLSX, as a mapping file says
    Import(ImportArgs),
    /// Carry appeals between desks (an offline laptop and the district desk)
    #[command(subcommand)]
    Bundle(BundleCmd),
    /// One appeal: its fields and its whole timeline
    Show {
        appeal: String,
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Recreate the store from the journal alone; refused when the journal is missing or shorter
    /// than the store (see `journal rewrite`)
    Rebuild {
        /// Bring back the store the last rebuild replaced (the current one is set aside)
        #[arg(long)]
        undo: bool,
    },
    /// The journal (the record of every event) itself
    #[command(subcommand)]
    Journal(JournalCmd),
    /// Write a consistent copy of the store and journal into DIR (new or empty)
    Backup { dir: PathBuf },
    /// Check that every appeal agrees with its events and the indexes with the appeals
    Verify,
    /// The team desk's hub on PostgreSQL: set it up, add desks, join one
    #[command(subcommand)]
    Hub(HubCmd),
    /// Send this desk's steps to the hub and take everyone else's
    Sync {
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Steps not in effect: taken on two desks offline where only one could hold
    Conflicts {
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// The configuration file: where it is, what is in force, whether it is sound
    #[command(subcommand)]
    Config(ConfigCmd),
    /// The working-day calendar (工作日历)
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff)
    Man,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCmd {
    /// Print the path of the configuration file in use
    Path,
    /// Print the settings in force
    Show,
    /// Check the configuration file and report its first mistake with line and column
    Check,
}

#[derive(Subcommand, Debug)]
pub enum CalendarCmd {
    /// Print a year's working days, holidays and make-up working days
    Show {
        #[arg(long)]
        year: Option<i32>,
    },
    /// Check the calendar file and report its first mistake with line and column
    Check,
}

/// The exit codes, in `--help` and the manual page.
pub const EXIT_CODES: &str = "EXIT STATUS:\n  0  done\n  1  refused or failed: the reason is on standard error (an illegal step, bad input, a broken configuration or calendar file, the store open elsewhere)\n  2  usage: an unknown subcommand or option, or a missing argument";

#[derive(Subcommand, Debug)]
pub enum MeetingCmd {
    /// Record a service-day meeting
    Add {
        #[arg(long, value_name = "DATE")]
        date: String,
        #[arg(long)]
        venue: String,
        #[arg(long)]
        host: Option<String>,
        /// A department present (repeat for each)
        #[arg(long = "dept", value_name = "DEPT")]
        depts: Vec<String>,
    },
    List {
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
}

#[derive(Subcommand, Debug)]
pub enum StewardCmd {
    Add {
        name: String,
        #[arg(long)]
        dept: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        team: Option<String>,
    },
    List {
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
}

#[derive(Subcommand, Debug)]
pub enum EnterpriseCmd {
    /// Add an enterprise, or fill in the details of a known one
    Add {
        name: String,
        /// 统一社会信用代码 (18 characters, checked)
        #[arg(long)]
        credit_code: Option<String>,
        #[arg(long)]
        contact: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// Town or park (镇街 / 园区)
        #[arg(long)]
        town: Option<String>,
        #[arg(long)]
        industry: Option<String>,
    },
    List {
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
}

#[derive(Args, Debug)]
pub struct CaptureArgs {
    #[arg(long)]
    pub enterprise: String,
    #[arg(long)]
    pub category: String,
    #[arg(long)]
    pub text: String,
    /// The meeting's number, or its date when only one was held that day
    #[arg(long)]
    pub meeting: Option<String>,
    #[arg(long)]
    pub contact: Option<String>,
    /// A department concerned (repeat for each)
    #[arg(long = "dept", value_name = "DEPT")]
    pub depts: Vec<String>,
    /// Resolved on the spot, with this answer
    #[arg(long, value_name = "ANSWER")]
    pub resolved: Option<String>,
}

#[derive(Args, Debug)]
pub struct AssignArgs {
    pub appeal: String,
    #[arg(long)]
    pub steward: String,
    /// The lead department (主办)
    #[arg(long)]
    pub lead: String,
    /// A co-handling department (协办; repeat for each)
    #[arg(long = "co", value_name = "DEPT")]
    pub co: Vec<String>,
    #[command(flatten)]
    pub due: DueArgs,
}

/// A due date, or working days from today; neither means the category's default limit.
#[derive(Args, Debug)]
#[group(multiple = false)]
pub struct DueArgs {
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    #[arg(long, value_name = "K")]
    pub days: Option<u32>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// captured, listed, assigned, in_progress, answered, closed, withdrawn, or open
    #[arg(long)]
    pub status: Option<String>,
    #[arg(long)]
    pub steward: Option<String>,
    /// Lead or co-handling department
    #[arg(long)]
    pub dept: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long)]
    pub meeting: Option<String>,
    #[arg(long)]
    pub enterprise: Option<String>,
    /// Overdue (red card) only
    #[arg(long)]
    pub overdue: bool,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// A period: `--from D --to D`, else the week of `--date` (or of today).
#[derive(Args, Debug)]
pub struct PeriodArgs {
    /// The week holding this day (the default period is the current week)
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// The week (Monday to Sunday); the default
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub week: bool,
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
    /// Write to this file (needed for xlsx) instead of standard output
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    pub format: ExportFormatArg,
    /// Only appeals in this status (see `list --status`)
    #[arg(long)]
    pub status: Option<String>,
    /// Only overdue (red card) appeals
    #[arg(long)]
    pub overdue: bool,
    /// Start a CSV with a byte-order mark, so that Excel reads the Chinese correctly
    #[arg(long)]
    pub bom: bool,
    /// The period of the figures sheet: `--from D --to D` (default: all time)
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum BundleCmd {
    /// Write this desk's events (the journal's format) to a bundle file
    Export {
        /// Commands on or after this day
        #[arg(
            long,
            value_name = "DATE",
            conflicts_with = "all",
            required_unless_present = "all"
        )]
        since: Option<String>,
        /// Every command
        #[arg(long)]
        all: bool,
        #[arg(short = 'o', long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Merge a bundle from another desk; importing it twice changes nothing
    Import {
        file: PathBuf,
        /// Say what merging would do (new appeals, steps on appeals here, records replaced),
        /// and write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Print this desk's public key, for the desks that take its bundles to trust
    Key,
    /// Take bundles signed by this key (from `zhuqi bundle key` on that desk) under NAME
    Trust { name: String, key: String },
    /// The desks whose bundles this desk takes
    Trusted,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// A .csv (UTF-8 or GBK) or .xlsx ledger
    pub file: PathBuf,
    /// The mapping file: columns, date formats, statuses, defaults (see examples/)
    #[arg(long = "map", value_name = "MAP.toml")]
    pub map: PathBuf,
    /// The sheet of an XLSX file (default: the mapping's, else the first)
    #[arg(long)]
    pub sheet: Option<String>,
    /// Say what would happen and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// When rows are refused: stop (write nothing) or skip (write the good rows, report the rest)
    #[arg(long, value_enum, default_value_t = OnErrorArg::Stop)]
    pub on_error: OnErrorArg,
    /// Where to report refused rows with --on-error skip [default: FILE.rejected.csv]
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnErrorArg {
    Stop,
    Skip,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Xlsx,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    Xlsx,
    Csv,
    Jsonl,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LevelArg {
    City,
    Province,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Csv,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum MixArg {
    Backlog,
    Realistic,
}

#[derive(Subcommand, Debug)]
pub enum JournalCmd {
    /// Write the journal anew from the store's histories (they hold every event), when it was
    /// lost or cut short; the old one is kept beside
    Rewrite,
    /// Seal the journal's lines so far into compressed parts in journal.sealed/ now (a desk does
    /// it by itself once the live file passes 64 MiB)
    Seal,
}

#[derive(Subcommand, Debug)]
pub enum HubCmd {
    /// Create (or upgrade) the hub's schema in the database URL names; run twice, changes nothing
    Init {
        /// A PostgreSQL connection string (URL or key=value; host may be a socket directory)
        url: String,
    },
    /// The hub's desks
    #[command(subcommand)]
    Desk(HubDeskCmd),
    /// Join this desk to a hub, with the address `hub desk add` gave
    Join { url: String },
}

#[derive(Subcommand, Debug)]
pub enum HubDeskCmd {
    /// Create a desk's own login and print, once, the address it joins with
    Add {
        /// An administrator's connection string
        admin_url: String,
        /// The desk's name: the laptop or office, like xz-laptop-3
        name: String,
        #[arg(long, value_enum, default_value_t = RoleArg::Officer)]
        role: RoleArg,
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Officer,
    Steward,
    Supervisor,
    Viewer,
}

impl From<RoleArg> for crate::hub::DeskRole {
    fn from(r: RoleArg) -> crate::hub::DeskRole {
        match r {
            RoleArg::Officer => crate::hub::DeskRole::Officer,
            RoleArg::Steward => crate::hub::DeskRole::Steward,
            RoleArg::Supervisor => crate::hub::DeskRole::Supervisor,
            RoleArg::Viewer => crate::hub::DeskRole::Viewer,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

/// A failure with the sentence to print; exit code 1.
pub struct Failure(pub String);

impl Command {
    /// Whether the command works on the store (the rest need none, or replace it).
    pub fn needs_the_store(&self) -> bool {
        !matches!(
            self,
            Command::Rebuild { .. }
                | Command::Journal(_)
                | Command::Config(_)
                | Command::Calendar(_)
                | Command::Completions { .. }
                | Command::Man
                | Command::Hub(HubCmd::Init { .. })
                | Command::Hub(HubCmd::Desk(_))
        )
    }
}

impl Command {
    /// Whether the command only reads the desk (it can read one it cannot write).
    pub fn only_reads(&self) -> bool {
        matches!(
            self,
            Command::List(_)
                | Command::Show { .. }
                | Command::Board { .. }
                | Command::Report(_)
                | Command::Export(_)
                | Command::Verify
                | Command::Conflicts { .. }
                | Command::Bundle(BundleCmd::Export { .. })
                | Command::Meeting(MeetingCmd::List { .. })
                | Command::Steward(StewardCmd::List { .. })
                | Command::Enterprise(EnterpriseCmd::List { .. })
        )
    }

    /// What the command is (`Note`, `Bundle Import`), without its arguments: for the log.
    pub fn name(&self) -> String {
        let debug = format!("{self:?}");
        debug
            .split([' ', '{', ')'])
            .next()
            .unwrap_or_default()
            .replace('(', " ")
    }
}

impl Cli {
    /// An import, a rebuild from the journal or a generated demo: their threads (reading,
    /// planning, committing) allocate and free all at once.
    pub fn writes_in_bulk(&self) -> bool {
        matches!(
            self.command,
            Some(Command::Import(_) | Command::Rebuild { undo: false })
                | Some(Command::Demo {
                    appeals: Some(_),
                    ..
                })
        )
    }

    /// `--lang`, else the configuration's language, else the locale.
    pub fn lang(&self, settings: Option<&crate::desk::settings::Settings>) -> Lang {
        use crate::desk::settings::LanguageSetting;
        if let Some(l) = self.lang.as_deref().and_then(Lang::parse) {
            return l;
        }
        match settings.map(|s| s.language) {
            Some(LanguageSetting::Zh) => Lang::Zh,
            Some(LanguageSetting::En) => Lang::En,
            _ => Lang::from_env(),
        }
    }

    /// The desk options, with `--now` / `ZHUQI_NOW` checked.
    pub fn desk_options(&self, lang: Lang) -> Result<DeskOptions, Failure> {
        let now_text = self.now.clone().or_else(|| {
            std::env::var("ZHUQI_NOW")
                .ok()
                .filter(|s| !s.trim().is_empty())
        });
        let now = match now_text {
            Some(t) => Some(
                parse_local(&t)
                    .ok_or_else(|| Failure(lang.error(&DeskError::BadDate(t.clone()))))?,
            ),
            None => None,
        };
        Ok(DeskOptions {
            data_dir: self.data_dir.clone(),
            config: self.config.clone(),
            now,
            actor: self.actor.clone(),
            cache: crate::store::Cache::default(),
            reads_only: self.command.as_ref().is_some_and(Command::only_reads),
        })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    fn in_bulk(args: &[&str]) -> bool {
        Cli::try_parse_from(args)
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
            .writes_in_bulk()
    }

    #[test]
    fn imports_rebuilds_and_generated_demos_write_in_bulk_and_nothing_else_does() {
        assert!(in_bulk(&[
            "zhuqi",
            "import",
            "台账.csv",
            "--map",
            "map.toml"
        ]));
        assert!(in_bulk(&["zhuqi", "rebuild"]));
        assert!(in_bulk(&["zhuqi", "demo", "--appeals", "1000"]));
        // A rebuild undone puts a store back; the demo's story is a few dozen appeals.
        assert!(!in_bulk(&["zhuqi", "rebuild", "--undo"]));
        assert!(!in_bulk(&["zhuqi", "demo"]));
        assert!(!in_bulk(&["zhuqi", "note", "12", "已联系供电公司"]));
        assert!(!in_bulk(&["zhuqi"]));
    }
}
