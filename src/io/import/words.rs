//! The words of imports and bundles: they live with the import, which says them through the
//! language the desk speaks.

use super::rows::{Problem, RowError};
use super::table::QuoteFault;
use super::{ImportError, table::TableError};
use crate::strings::Lang;

impl Lang {
    pub fn import_read(self, described: &str, rows: usize, empty: usize) -> String {
        match self {
            Lang::Zh => format!("读取 {described}：{rows} 行（另有空行 {empty} 行）。"),
            Lang::En => format!("read {described}: {rows} rows ({empty} empty rows passed over)."),
        }
    }

    pub fn import_created(self, target: &str, n: usize, would: bool) -> String {
        match (self, would) {
            (Lang::Zh, true) => format!("将新建 {n} 条诉求：{target}"),
            (Lang::Zh, false) => format!("已新建 {n} 条诉求：{target}"),
            (Lang::En, true) => format!("would create {n} appeal(s): {target}"),
            (Lang::En, false) => format!("created {n} appeal(s): {target}"),
        }
    }

    pub fn import_already(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("已导入过、跳过 {n} 行"),
            Lang::En => format!("{n} row(s) already imported, passed over"),
        }
    }

    pub fn import_refused_count(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("拒收 {n} 行："),
            Lang::En => format!("{n} row(s) refused:"),
        }
    }

    pub fn import_more(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("……另有 {n} 行"),
            Lang::En => format!("… and {n} more"),
        }
    }

    pub fn import_updated(self, n: usize, would: bool) -> String {
        match (self, would) {
            (Lang::Zh, false) => format!("按台账的变化更新了 {n} 条已导入的诉求："),
            (Lang::Zh, true) => format!("将按台账的变化更新 {n} 条已导入的诉求："),
            (Lang::En, false) => {
                format!("brought what changed in the ledger into {n} appeal(s) imported before:")
            }
            (Lang::En, true) => format!(
                "would bring what changed in the ledger into {n} appeal(s) imported before:"
            ),
        }
    }

    pub fn import_updated_row(self, line: usize, number: u64, steps: usize) -> String {
        match self {
            Lang::Zh => format!("第 {line} 行 → 诉求 {number}：{steps} 个步骤（台账更新）"),
            Lang::En => format!("row {line} → appeal {number}: {steps} step(s) from the ledger"),
        }
    }

    pub fn import_left_alone(
        self,
        line: usize,
        number: u64,
        why: &super::update::LeftAlone,
    ) -> String {
        use super::update::LeftAlone;
        let why = match (self, why) {
            (Lang::Zh, LeftAlone::TextRewritten) => "台账中的企业或诉求内容改写了，不能作为步骤，未改动".to_string(),
            (Lang::En, LeftAlone::TextRewritten) => "the enterprise or the text was rewritten in the ledger; that is no step, left as it was".to_string(),
            (Lang::Zh, LeftAlone::ReopenedWithoutReopen) => "此处已办结，台账却记为未办结（没有重办记录），未改动".to_string(),
            (Lang::En, LeftAlone::ReopenedWithoutReopen) => "closed here, open in the ledger with no reopening said; left as it was".to_string(),
            (Lang::Zh, LeftAlone::DueEarlier) => "台账中的办理期限提前了；期限只能延后，未改动".to_string(),
            (Lang::En, LeftAlone::DueEarlier) => "the ledger's due date is earlier; a due date only moves later, left as it was".to_string(),
            (_, LeftAlone::Refused(r)) => self.refusal(r),
        };
        match self {
            Lang::Zh => format!("第 {line} 行（诉求 {number}）：{why}"),
            Lang::En => format!("row {line} (appeal {number}): {why}"),
        }
    }

    /// When an undated answer was taken to be.
    pub fn ledger_time_assumed(self, day: Option<chrono::NaiveDate>) -> String {
        match (self, day) {
            (Lang::Zh, None) => "按受理时间记".into(),
            (Lang::Zh, Some(d)) => format!("按 {d} 记"),
            (Lang::En, None) => "taken as the time it was received".into(),
            (Lang::En, Some(d)) => format!("taken as {d}"),
        }
    }

    pub fn ledger_note(self, note: super::rows::LedgerNote<'_>) -> String {
        use super::rows::LedgerNote;
        match (self, note) {
            (Lang::Zh, LedgerNote::Closed) => "台账导入：原台账记为已办结".into(),
            (Lang::En, LedgerNote::Closed) => "imported from the ledger: closed there".into(),
            (Lang::Zh, LedgerNote::ClosedUndated(how)) => {
                format!("台账导入：原台账记为已办结，未记办结时间，{how}")
            }
            (Lang::En, LedgerNote::ClosedUndated(how)) => {
                format!("imported from the ledger: closed there, with no time given; {how}")
            }
            (Lang::Zh, LedgerNote::AnsweredUndated(how)) => {
                format!("台账导入：原台账未记答复时间，{how}")
            }
            (Lang::En, LedgerNote::AnsweredUndated(how)) => {
                format!("imported from the ledger: answered with no time given; {how}")
            }
            (Lang::Zh, LedgerNote::Withdrawn) => "台账导入：原台账记为撤回".into(),
            (Lang::En, LedgerNote::Withdrawn) => "imported from the ledger: withdrawn there".into(),
            (Lang::Zh, LedgerNote::DueFromLedger) => "台账更新：台账中的办理期限".into(),
            (Lang::En, LedgerNote::DueFromLedger) => {
                "from the ledger: the due date it gives".into()
            }
        }
    }

    /// Who the steps an updated ledger brings in are shown as done by.
    pub fn ledger_actor(self) -> &'static str {
        self.pick("台账更新", "ledger")
    }

    /// How the ledger's times were read.
    pub fn import_zone(self, zone: &str, given: bool) -> String {
        match (self, given) {
            (Lang::Zh, true) => format!("时间按 {zone} 读取（映射文件所定）"),
            (Lang::Zh, false) => format!(
                "时间按 {zone}（北京时间）读取；其他地方的台账请在映射文件中写 timezone = \"地区/城市\""
            ),
            (Lang::En, true) => format!("times read as {zone} (as the mapping says)"),
            (Lang::En, false) => format!(
                "times read as {zone} (China's time); for a ledger from elsewhere, give timezone = \"Region/City\" in the mapping"
            ),
        }
    }

    pub fn import_dry_run(self) -> &'static str {
        self.pick("试运行：未写入任何数据。", "dry run: nothing was written.")
    }

    pub fn import_stopped(self) -> &'static str {
        self.pick(
            "有被拒收的行，未写入任何数据。请修改后重试，或用 --on-error skip 只导入无误的行。",
            "rows were refused, so nothing was written. Fix them and run again, or use --on-error skip to import the good rows.",
        )
    }

    /// No row came in: all refused, or (`some_here`) the rest imported before.
    pub fn import_all_refused(self, rejects: Option<String>, some_here: bool) -> String {
        let rejects = rejects.unwrap_or_default();
        match (self, some_here) {
            (Lang::Zh, false) => {
                format!("每一行都被拒收，未导入任何诉求；被拒收的行已写入 {rejects}。")
            }
            (Lang::Zh, true) => {
                format!("没有新导入任何诉求：其余各行此前已导入；被拒收的行已写入 {rejects}。")
            }
            (Lang::En, false) => format!(
                "every row was refused, so nothing was imported; the refused rows are listed in {rejects}."
            ),
            (Lang::En, true) => format!(
                "nothing new was imported: the other rows were imported before; the refused rows are listed in {rejects}."
            ),
        }
    }

    pub fn import_done(self, rejects: Option<String>) -> String {
        match (self, rejects) {
            (Lang::Zh, Some(p)) => format!("导入完成；被拒收的行已写入 {p}。"),
            (Lang::Zh, None) => "导入完成。".into(),
            (Lang::En, Some(p)) => format!("imported; the refused rows are listed in {p}."),
            (Lang::En, None) => "imported.".into(),
        }
    }

    fn problem(self, p: &Problem) -> String {
        match (self, p) {
            (Lang::Zh, Problem::Missing) => "为空，但这一项是必需的".into(),
            (Lang::En, Problem::Missing) => "is empty, and it is needed".into(),
            (Lang::Zh, Problem::BadDate) => {
                "不是可识别的日期（映射文件的 date_formats 列出可接受的格式）".into()
            }
            (Lang::En, Problem::BadDate) => {
                "is not a date in any accepted format (date_formats in the mapping)".into()
            }
            (Lang::Zh, Problem::UnknownStatus) => "不是映射文件 [status_map] 中列出的状态".into(),
            (Lang::En, Problem::UnknownStatus) => {
                "is not a status listed in the mapping's [status_map]".into()
            }
            (Lang::Zh, Problem::BadRating) => "不是满意度（1–5 或 非常满意…非常不满意）".into(),
            (Lang::En, Problem::BadRating) => {
                "is not a rating (1–5, or 非常满意 … 非常不满意)".into()
            }
            (Lang::Zh, Problem::UnknownCategory) => "不是配置中的诉求类别".into(),
            (Lang::En, Problem::UnknownCategory) => {
                "is not one of the configured categories".into()
            }
            (Lang::Zh, Problem::AnswerBeforeReceived) => "答复时间早于受理时间".into(),
            (Lang::En, Problem::AnswerBeforeReceived) => {
                "the answer is dated before the appeal was received".into()
            }
            (Lang::Zh, Problem::ClosedUnsatisfied) => {
                "记为已办结，但满意度为不满意（应为重办中）".into()
            }
            (Lang::En, Problem::ClosedUnsatisfied) => {
                "closed with an unsatisfied rating (that would be reopened, not closed)".into()
            }
            (Lang::Zh, Problem::DuplicateId) => "与本文件中前面一行的编号重复".into(),
            (Lang::En, Problem::DuplicateId) => {
                "repeats the id of an earlier row of this file".into()
            }
            (Lang::Zh, Problem::NoSuchLocalTime) => {
                "这个时刻在台账所在时区不存在（夏令时开始时跳过的一小时）".into()
            }
            (Lang::En, Problem::NoSuchLocalTime) => {
                "is a time the ledger's time zone skips (the hour summer time begins)".into()
            }
            (Lang::Zh, Problem::FieldCount { expected, found }) => format!(
                "有 {found} 个字段，表头有 {expected} 个（引号没有闭合，或多了逗号？），整行未导入"
            ),
            (Lang::En, Problem::FieldCount { expected, found }) => format!(
                "has {found} fields where the header has {expected} (a quote left open, or a comma too many?); the row was not read"
            ),
            (Lang::Zh, Problem::BrokenQuote(QuoteFault::TextAfterClosingQuote)) => {
                "引号没有在字段结束处闭合（闭合引号后还有文字）：这一行吞并了后面的行，整行未导入".into()
            }
            (Lang::En, Problem::BrokenQuote(QuoteFault::TextAfterClosingQuote)) => {
                "a quote in it does not close where its field ends (text follows the closing quote): the row swallows the lines after it; it was not read".into()
            }
            (Lang::Zh, Problem::BrokenQuote(QuoteFault::NeverClosed)) => {
                "引号一直到文件末尾都没有闭合：整行（及其后所有行）未导入".into()
            }
            (Lang::En, Problem::BrokenQuote(QuoteFault::NeverClosed)) => {
                "a quote in it never closes before the file ends: it (and every line after it) was not read".into()
            }
            (_, Problem::Refused(r)) => self.refusal(r),
        }
    }

    /// `row 12, column 答复时间 ("2019/13/01"): is not a date …`
    pub fn row_error(self, e: &RowError) -> String {
        if matches!(
            e.problem,
            Problem::FieldCount { .. } | Problem::BrokenQuote(_)
        ) {
            return match self {
                Lang::Zh => format!(
                    "第 {} 行（“{}…”）：{}",
                    e.row,
                    e.value,
                    self.problem(&e.problem)
                ),
                Lang::En => format!(
                    "line {} (\"{}…\"): {}",
                    e.row,
                    e.value,
                    self.problem(&e.problem)
                ),
            };
        }
        match self {
            Lang::Zh => format!(
                "第 {} 行，列“{}”（“{}”）：{}",
                e.row,
                e.column,
                e.value,
                self.problem(&e.problem)
            ),
            Lang::En => format!(
                "row {}, column {} (\"{}\"): {}",
                e.row,
                e.column,
                e.value,
                self.problem(&e.problem)
            ),
        }
    }

    pub fn import_error(self, e: &ImportError) -> String {
        match (self, e) {
            (Lang::Zh, ImportError::MissingColumn { column, available }) => {
                format!("文件中没有映射文件所说的列“{column}”；文件的列为：{available}")
            }
            (
                Lang::Zh,
                ImportError::Table(TableError::Encoding {
                    file,
                    expected,
                    line,
                    byte,
                }),
            ) => format!(
                "{file} 不是 {expected} 编码的文本：第 {line} 行（自文件开头第 {byte} 字节）无法读取；请另存为 UTF-8，或在映射文件中写明编码（encoding = …）"
            ),
            (
                Lang::Zh,
                ImportError::Table(TableError::NoSheet {
                    file,
                    sheet,
                    sheets,
                }),
            ) => {
                format!("{file} 中没有名为 {sheet} 的工作表；现有：{sheets}")
            }
            (Lang::Zh, ImportError::Changed { row }) => format!(
                "导入过程中文件被改动：第 {row} 行已不是检查过的那一行。此前的行已导入；\
                 请再次运行同一导入，导入其余各行"
            ),
            _ => e.to_string(),
        }
    }
}
