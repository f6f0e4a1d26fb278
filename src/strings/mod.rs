//! Every sentence a user reads, in 简体中文 and English, in one place: the words of the domain and
//! the command line here, the terminal desk's in `tui.rs`.

mod hub;
mod report;
mod tui;

pub use tui::KeyHelp;

use crate::desk::DeskError;
use crate::domain::credit_code::CreditCodeError;
use crate::domain::{
    Appeal, AppealChange, Card, ChangeKind, ClosedHow, EventBody, Field, Level, Refusal,
    Satisfaction, Status,
};
use crate::store::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// `zh` / `en` (also `zh_CN.UTF-8` and the like).
    pub fn parse(text: &str) -> Option<Lang> {
        let t = text.trim().to_ascii_lowercase();
        if t.starts_with("zh") {
            Some(Lang::Zh)
        } else if t.starts_with("en") || t == "c" || t == "posix" {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// From the locale: `LC_ALL`, then `LC_MESSAGES`, then `LANG`; English when none says.
    pub fn from_env() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .and_then(|v| Lang::parse(&v))
            .unwrap_or(Lang::En)
    }

    pub(crate) fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn status(self, s: Status) -> &'static str {
        match s {
            Status::Captured => self.pick("已登记", "captured"),
            Status::Listed => self.pick("待交办", "listed"),
            Status::Assigned => self.pick("待签收", "assigned"),
            Status::InProgress => self.pick("办理中", "in progress"),
            Status::Answered => self.pick("待回访", "answered"),
            Status::Closed => self.pick("已办结", "closed"),
            Status::Withdrawn => self.pick("已撤回", "withdrawn"),
        }
    }

    pub fn change(self, c: ChangeKind) -> &'static str {
        match c {
            ChangeKind::Capture => self.pick("登记", "capture"),
            ChangeKind::ResolveOnSpot => self.pick("当场解决", "resolve on the spot"),
            ChangeKind::List => self.pick("列入诉求清单", "put on the list"),
            ChangeKind::Assign => self.pick("交办", "assign"),
            ChangeKind::Acknowledge => self.pick("签收", "acknowledge"),
            ChangeKind::Return => self.pick("退回", "return"),
            ChangeKind::Reassign => self.pick("改派", "reassign"),
            ChangeKind::Note => self.pick("办理进展", "add a progress note"),
            ChangeKind::Escalate => self.pick("上报", "escalate"),
            ChangeKind::Extend => self.pick("延期", "extend"),
            ChangeKind::Urge => self.pick("督办", "urge"),
            ChangeKind::Answer => self.pick("答复", "answer"),
            ChangeKind::Feedback => self.pick("回访评价", "record feedback"),
            ChangeKind::Reopen => self.pick("重办", "reopen"),
            ChangeKind::Withdraw => self.pick("撤回", "withdraw"),
            ChangeKind::Close => self.pick("办结", "close"),
        }
    }

    /// A step as a thing done, for timelines ("noted progress", "recorded feedback").
    pub fn done(self, c: ChangeKind) -> &'static str {
        match self {
            Lang::Zh => self.change(c),
            Lang::En => match c {
                ChangeKind::Capture => "captured",
                ChangeKind::ResolveOnSpot => "resolved on the spot",
                ChangeKind::List => "put on the list",
                ChangeKind::Assign => "assigned",
                ChangeKind::Acknowledge => "acknowledged",
                ChangeKind::Return => "returned",
                ChangeKind::Reassign => "reassigned",
                ChangeKind::Note => "noted progress",
                ChangeKind::Escalate => "escalated",
                ChangeKind::Extend => "extended",
                ChangeKind::Urge => "urged",
                ChangeKind::Answer => "answered",
                ChangeKind::Feedback => "recorded feedback",
                ChangeKind::Reopen => "reopened",
                ChangeKind::Withdraw => "withdrew",
                ChangeKind::Close => "closed",
            },
        }
    }

    pub fn level(self, l: Level) -> &'static str {
        match l {
            Level::District => self.pick("区级", "district"),
            Level::City => self.pick("市级", "city"),
            Level::Province => self.pick("省级", "province"),
        }
    }

    pub fn satisfaction(self, s: Satisfaction) -> &'static str {
        match s {
            Satisfaction::VerySatisfied => self.pick("非常满意", "very satisfied"),
            Satisfaction::Satisfied => self.pick("满意", "satisfied"),
            Satisfaction::Basic => self.pick("基本满意", "basically satisfied"),
            Satisfaction::Dissatisfied => self.pick("不满意", "dissatisfied"),
            Satisfaction::VeryDissatisfied => self.pick("非常不满意", "very dissatisfied"),
        }
    }

    pub fn closed_how(self, h: ClosedHow) -> &'static str {
        match h {
            ClosedHow::OnSpot => self.pick("当场解决", "resolved on the spot"),
            ClosedHow::Answered => self.pick("答复办结", "closed after the answer"),
            ClosedHow::Withdrawn => self.pick("企业撤回", "withdrawn"),
        }
    }

    fn field(self, f: Field) -> &'static str {
        match f {
            Field::Enterprise => self.pick("企业名称", "the enterprise"),
            Field::Category => self.pick("诉求类别", "the category"),
            Field::Text => self.pick("内容", "the text"),
            Field::Answer => self.pick("答复内容", "the answer"),
            Field::Reason => self.pick("理由", "the reason"),
            Field::Steward => self.pick("服务管家", "the steward"),
            Field::LeadDept => self.pick("主办部门", "the lead department"),
            Field::EscalationTarget => self.pick("上报对象", "whom it goes to"),
            Field::Note => self.pick("说明", "the note"),
            Field::Due => self.pick("办理期限", "the due date"),
        }
    }

    fn joined_states(self, states: &[Status]) -> String {
        let names: Vec<&str> = states.iter().map(|s| self.status(*s)).collect();
        match self {
            Lang::Zh => names.join("”或“"),
            Lang::En => names.join(" or "),
        }
    }

    /// Why the lifecycle refused a step, and what to do.
    pub fn refusal(self, r: &Refusal) -> String {
        match (self, r) {
            (Lang::Zh, Refusal::NotAllowed { change, status }) => format!(
                "该诉求当前为“{}”，不能{}：{}只能在“{}”时进行。",
                self.status(*status),
                self.change(*change),
                self.change(*change),
                self.joined_states(change.allowed_from())
            ),
            (Lang::En, Refusal::NotAllowed { change, status }) => format!(
                "cannot {} an appeal that is {}: that is only possible when it is {}.",
                self.change(*change),
                self.status(*status),
                self.joined_states(change.allowed_from())
            ),
            (Lang::Zh, Refusal::AlreadyCaptured) => "该诉求已经登记过。".into(),
            (Lang::En, Refusal::AlreadyCaptured) => "this appeal was already captured.".into(),
            (Lang::Zh, Refusal::NotCaptured) => "该诉求尚未登记。".into(),
            (Lang::En, Refusal::NotCaptured) => "this appeal was never captured.".into(),
            (Lang::Zh, Refusal::Missing(f)) => format!("{}不能为空，请填写。", self.field(*f)),
            (Lang::En, Refusal::Missing(f)) => {
                format!("{} is empty: please give it.", self.field(*f))
            }
            (Lang::Zh, Refusal::DueInPast { due, today }) => {
                format!("办理期限 {due} 早于今天（{today}），请给出今天或以后的日期。")
            }
            (Lang::En, Refusal::DueInPast { due, today }) => {
                format!("the due date {due} is before today ({today}); give today or a later date.")
            }
            (Lang::Zh, Refusal::ExtendAfterDue { due, today }) => {
                format!("办理期限 {due} 已过（今天 {today}）：延期须在到期前申请。")
            }
            (Lang::En, Refusal::ExtendAfterDue { due, today }) => format!(
                "the due date {due} has passed (today is {today}): an extension must be asked for before the due date."
            ),
            (Lang::Zh, Refusal::ExtendNotLater { due, requested }) => {
                format!("新的期限 {requested} 不晚于现在的期限 {due}。")
            }
            (Lang::En, Refusal::ExtendNotLater { due, requested }) => {
                format!("the new due date {requested} is not later than the current one ({due}).")
            }
            (Lang::Zh, Refusal::EscalateNotHigher { current, requested }) => format!(
                "已在{}办理，不能上报到{}：上报只能逐级向上（区→市→省）。",
                self.level(*current),
                self.level(*requested)
            ),
            (Lang::En, Refusal::EscalateNotHigher { current, requested }) => format!(
                "it is already handled at {} level, so it cannot go to {}: escalation only goes up (district → city → province).",
                self.level(*current),
                self.level(*requested)
            ),
            (Lang::Zh, Refusal::SameSteward { steward }) => format!("该诉求已由 {steward} 负责。"),
            (Lang::En, Refusal::SameSteward { steward }) => {
                format!("{steward} already has this appeal.")
            }
            (Lang::Zh, Refusal::CannotReopen { how }) => format!(
                "以“{}”方式办结的诉求不能重办；如有新问题请重新登记。",
                self.closed_how(*how)
            ),
            (Lang::En, Refusal::CannotReopen { how }) => format!(
                "an appeal {} cannot be reopened; capture a new appeal instead.",
                self.closed_how(*how)
            ),
            (Lang::Zh, Refusal::BeforeLastEvent { last }) => format!(
                "给出的时间早于该诉求的最后一条记录（{}）：时间线只能向前，请检查 --now。",
                last.format("%Y-%m-%d %H:%M")
            ),
            (Lang::En, Refusal::BeforeLastEvent { last }) => format!(
                "the time given is before the appeal's last event ({}): its timeline only moves forward; check --now.",
                last.format("%Y-%m-%d %H:%M")
            ),
            (Lang::Zh, Refusal::ImplausibleTime { at }) => format!(
                "时间 {} 不可能：不能晚于本机时钟一天以上，也不能早于 2000 年；请检查 --now 或日期。未写入任何数据。",
                at.format("%Y-%m-%d %H:%M")
            ),
            (Lang::En, Refusal::ImplausibleTime { at }) => format!(
                "the time {} cannot be: no more than a day ahead of this machine's clock, and not before 2000; check --now or the date. Nothing was written.",
                at.format("%Y-%m-%d %H:%M")
            ),
            (Lang::Zh, Refusal::ImplausibleNumber { number }) => format!(
                "编号 {number} 不可能（应为 1 到 {}）：来源数据有误。未写入任何数据。",
                crate::domain::number::MAX_NUMBER
            ),
            (Lang::En, Refusal::ImplausibleNumber { number }) => format!(
                "the number {number} cannot be (numbers run from 1 to {}): the data it came in is wrong. Nothing was written.",
                crate::domain::number::MAX_NUMBER
            ),
            (Lang::Zh, Refusal::ImplausibleDate { date }) => {
                format!("期限 {date} 不可能：不能早于 2000 年，也不能在五年以后。未写入任何数据。")
            }
            (Lang::En, Refusal::ImplausibleDate { date }) => format!(
                "the due date {date} cannot be: not before 2000 and not more than five years on. Nothing was written."
            ),
        }
    }

    fn credit_code(self, e: &CreditCodeError) -> String {
        match (self, e) {
            (Lang::Zh, CreditCodeError::Length(n)) => format!("应为18位，实际{n}位"),
            (Lang::En, CreditCodeError::Length(n)) => {
                format!("it must have 18 characters, not {n}")
            }
            (Lang::Zh, CreditCodeError::Character { position, found }) => {
                format!("第{position}位“{found}”不是有效字符（不使用 I、O、S、V、Z）")
            }
            (Lang::En, CreditCodeError::Character { position, found }) => format!(
                "character {position} ('{found}') is not allowed (digits and capital letters except I, O, S, V, Z)"
            ),
            (Lang::Zh, CreditCodeError::CheckDigit { expected, found }) => {
                format!("校验位应为“{expected}”而不是“{found}”，请核对是否输错")
            }
            (Lang::En, CreditCodeError::CheckDigit { expected, found }) => format!(
                "the check character should be '{expected}', not '{found}'; check for a typing mistake"
            ),
        }
    }

    fn store_error(self, e: &StoreError) -> String {
        match (self, e) {
            (Lang::Zh, StoreError::AlreadyOpen { dir, pid }) => format!(
                "数据目录 {} 已被另一个 zhuqi{}打开。请先关闭它（或用 --data-dir 指定其他目录）。",
                dir.display(),
                pid.map(|p| format!("（进程 {p}）")).unwrap_or_default()
            ),
            (Lang::Zh, StoreError::TargetNotEmpty(p)) => {
                format!("{} 已存在且不为空，请指定一个新目录。", p.display())
            }
            (Lang::Zh, StoreError::Io { what, source }) if crate::store::disk_full(source) => {
                format!("{what}失败：磁盘已满，这一步没有保存。请腾出空间后再试。")
            }
            (Lang::Zh, StoreError::Io { what, source }) => format!("{what}失败：{source}"),
            (Lang::Zh, StoreError::Engine(m)) => format!("存储引擎出错：{m}"),
            (Lang::Zh, StoreError::Corrupt(m)) => {
                format!("诉求库已损坏：{m}；请用 `zhuqi rebuild` 从日志重建。")
            }
            (Lang::Zh, StoreError::NewerSchema { found, supported }) => format!(
                "这些数据由更新版本的 zhuqi 写入（格式 {found}，本版本最高读 {supported}）；请先升级 zhuqi。"
            ),
            (
                Lang::Zh,
                StoreError::Journal {
                    path,
                    line,
                    message,
                },
            ) => format!("日志 {} 第 {line} 行无法读取：{message}", path.display()),
            (Lang::Zh, StoreError::SealedPartMissing { dir, from }) => format!(
                "日志从第 {from} 字节起的封存部分不在 {} 中：请从备份恢复这个文件夹。",
                dir.display()
            ),
            (Lang::Zh, StoreError::SealedPartDamaged { path, why }) => format!(
                "日志的封存部分 {} 已损坏（{why}）：请从备份恢复它。",
                path.display()
            ),
            (Lang::Zh, StoreError::JournalBehind { journal, applied }) => format!(
                "日志（{journal} 字节）比诉求库已应用的（{applied} 字节）短：日志被截断或替换，本次未做任何改动。请从备份恢复日志，或用 `zhuqi journal rewrite` 按诉求库重写日志。"
            ),
            (Lang::Zh, StoreError::IncompleteBackup(dir)) => format!(
                "{} 中是一份没有完成的备份（磁盘已满或被中断），不是完整的数据：请删除后重新备份。",
                dir.display()
            ),
            (Lang::Zh, StoreError::NothingToUndo(dir)) => format!(
                "{} 中没有被重建替换下来的诉求库，无可恢复。",
                dir.display()
            ),
            (Lang::Zh, StoreError::Replay(r)) => format!(
                "日志中有一条生命周期不允许的记录（{}）；请从备份恢复日志。",
                self.refusal(r)
            ),
            (Lang::Zh, StoreError::NumberTaken(n)) => format!("诉求编号 {n} 已被占用。"),
            (Lang::Zh, StoreError::EngineDown) => {
                "写入磁盘失败（磁盘已满？），诉求库暂不能写入，本次未保存：请腾出空间，下一步操作时将从日志重新打开诉求库。".into()
            }
            (Lang::Zh, StoreError::BulkCutShort) => {
                "批量写入（导入或示例数据）中途停止：下次打开 zhuqi 时会撤回它已写入的内容。请先关闭 zhuqi 再打开，然后再记录。".into()
            }
            (Lang::Zh, StoreError::OldLayout { .. }) => {
                "诉求库由旧版本 zhuqi 写入；请用 `zhuqi rebuild` 重建。".into()
            }
            (Lang::En, e) => e.to_string(),
        }
    }

    /// Any desk error as one clear sentence (or two) saying what is wrong and what to do.
    pub fn error(self, e: &DeskError) -> String {
        match (self, e) {
            (_, DeskError::Refused(r)) => self.refusal(r),
            (Lang::Zh, DeskError::AppealNotFound(r)) => {
                format!("没有编号为 {r} 的诉求；用 `zhuqi list` 查看诉求清单。")
            }
            (Lang::En, DeskError::AppealNotFound(r)) => {
                format!("there is no appeal {r}; `zhuqi list` shows the appeal list.")
            }
            (Lang::Zh, DeskError::UnknownSteward(n)) => {
                format!("没有名为 {n} 的服务管家；先用 `zhuqi steward add {n} --dept 部门` 添加。")
            }
            (Lang::En, DeskError::UnknownSteward(n)) => format!(
                "there is no steward named {n}; add one first with `zhuqi steward add {n} --dept DEPT`."
            ),
            (Lang::Zh, DeskError::UnknownCategory { given, known }) => {
                format!("未知的诉求类别“{given}”；可用类别：{}。", known.join("、"))
            }
            (Lang::En, DeskError::UnknownCategory { given, known }) => format!(
                "unknown category \"{given}\"; the categories are: {}.",
                known.join(", ")
            ),
            (Lang::Zh, DeskError::UnknownMeeting(m)) => {
                format!("没有现场会 {m}；用 `zhuqi meeting list` 查看。")
            }
            (Lang::En, DeskError::UnknownMeeting(m)) => {
                format!("there is no meeting {m}; `zhuqi meeting list` shows them.")
            }
            (Lang::Zh, DeskError::CreditCode { given, error }) => format!(
                "统一社会信用代码“{given}”无效：{}。",
                self.credit_code(error)
            ),
            (Lang::En, DeskError::CreditCode { given, error }) => format!(
                "the credit code \"{given}\" is invalid: {}.",
                self.credit_code(error)
            ),
            (Lang::Zh, DeskError::Empty(what)) => format!("{what} 不能为空。"),
            (Lang::En, DeskError::Empty(what)) => format!("{what} must not be empty."),
            (Lang::Zh, DeskError::BadDate(d)) => {
                format!("“{d}”不是存在的日期；请写成 YYYY-MM-DD（时间写成 YYYY-MM-DDTHH:MM）。")
            }
            (Lang::En, DeskError::BadDate(d)) => format!(
                "\"{d}\" is not a date that exists; write YYYY-MM-DD (or YYYY-MM-DDTHH:MM for a time)."
            ),
            (Lang::Zh, DeskError::Exists { what, name }) => format!("{what} {name} 已存在。"),
            (Lang::En, DeskError::Exists { what, name }) => {
                format!("the {what} {name} already exists.")
            }
            (Lang::Zh, DeskError::BadRating(r)) => format!(
                "“{r}”不是有效评价：请给 1 到 5（5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意）。"
            ),
            (Lang::En, DeskError::BadRating(r)) => format!(
                "\"{r}\" is not a rating: give 1 to 5 (5 very satisfied, 4 satisfied, 3 basically satisfied, 2 dissatisfied, 1 very dissatisfied)."
            ),
            (Lang::Zh, DeskError::UnknownStatus(s)) => format!(
                "未知状态“{s}”；可用：captured、listed、assigned、in_progress、answered、closed、withdrawn、open。"
            ),
            (Lang::En, DeskError::UnknownStatus(s)) => format!(
                "unknown status \"{s}\"; use captured, listed, assigned, in_progress, answered, closed, withdrawn or open."
            ),
            (Lang::Zh, DeskError::Inconsistent(p)) => format!(
                "数据不一致：{}。请运行 `zhuqi rebuild` 从日志重建。",
                p.join("；")
            ),
            (Lang::En, DeskError::Inconsistent(p)) => format!(
                "the store disagrees with itself: {}. Run `zhuqi rebuild` to recreate it from the journal.",
                p.join("; ")
            ),
            (Lang::Zh, DeskError::DemoNeedsEmpty) => {
                "示例只能载入空的数据目录；请用 --data-dir 指定一个新目录。".into()
            }
            (Lang::En, DeskError::DemoNeedsEmpty) => {
                "the demo fills only an empty store; give a new directory with --data-dir.".into()
            }
            (Lang::Zh, DeskError::BadPeriod(from, to)) => {
                format!("时间段有误：结束日期 {to} 早于开始日期 {from}。")
            }
            (Lang::En, DeskError::BadPeriod(from, to)) => {
                format!("the period ends ({to}) before it starts ({from}).")
            }
            (Lang::Zh, DeskError::NeedsOutput) => "该格式只能写入文件：请用 -o 指定文件。".into(),
            (Lang::En, DeskError::NeedsOutput) => {
                "this format is written to a file: give -o FILE.".into()
            }
            (Lang::Zh, DeskError::Background(what)) => {
                format!("未能完成计算（{what}）：请退出后重新打开；原因记录在日志中")
            }
            (Lang::En, DeskError::Background(what)) => {
                format!("could not work out {what}: quit and open the desk again; the log has the reason")
            }
            (Lang::Zh, DeskError::ListUnread) => {
                "诉求清单未能读完：请退出后重新打开；原因记录在日志中".to_string()
            }
            (Lang::En, DeskError::ListUnread) => {
                "the appeal list could not be read to the end: quit and open the desk again; \
                 the log has the reason"
                    .to_string()
            }
            (Lang::Zh, DeskError::NotABundle) => "这不是 zhuqi 的数据包（bundle），未写入任何数据。".into(),
            (Lang::En, DeskError::NotABundle) => "this is not a zhuqi bundle; nothing was written.".into(),
            (Lang::Zh, DeskError::NewerBundle(v)) => format!("该数据包由更新版本的 zhuqi 生成（格式 {v}），请先升级；未写入任何数据。"),
            (Lang::En, DeskError::NewerBundle(v)) => format!("the bundle was written by a newer zhuqi (format {v}); update zhuqi first. Nothing was written."),
            (Lang::Zh, DeskError::TruncatedBundle) => "数据包不完整（末尾缺失），请重新导出；未写入任何数据。".into(),
            (Lang::En, DeskError::TruncatedBundle) => "the bundle is cut short; export it again. Nothing was written.".into(),
            (Lang::Zh, DeskError::AlteredBundle) => "数据包在导出后被改动过（校验不符），请重新导出；未写入任何数据。".into(),
            (Lang::En, DeskError::AlteredBundle) => "the bundle was changed after it was written (its checksum does not match); export it again. Nothing was written.".into(),
            (Lang::Zh, DeskError::BadBundle(m)) => format!("数据包无法使用：{m}；未写入任何数据。"),
            (Lang::En, DeskError::BadBundle(m)) => format!("the bundle cannot be used: {m}; nothing was written."),
            (_, DeskError::Store(s)) => self.store_error(s),
            (_, DeskError::Hub(h)) => self.hub_error(h),
            (Lang::Zh, DeskError::NoHub) => "本机还没有加入枢纽；用 `zhuqi hub join URL` 加入。".into(),
            (Lang::Zh, DeskError::OtherDesk { joined, offered }) => format!(
                "该数据目录是枢纽上的工作台 {joined}，不是 {offered}；请换用另一个 --data-dir。"
            ),
            (Lang::Zh, DeskError::HubFile { path, source }) => {
                format!("无法保存枢纽设置 {}：{source}", path.display())
            }
            (Lang::Zh, DeskError::HubEventUnreadable { seq, message }) => format!(
                "无法读取枢纽第 {seq} 条记录（{message}）；本机的 zhuqi 是否比其他工作台旧？"
            ),
            (Lang::Zh, DeskError::File(f)) => format!(
                "{}:{}:{}：{}（请修改该文件后重试）",
                f.path.display(),
                f.line,
                f.column,
                f.message
            ),
            (Lang::Zh, DeskError::DataDir { path, source }) => {
                format!("无法使用数据目录 {}：{source}", path.display())
            }
            (Lang::Zh, DeskError::ImplausibleDue(d)) => {
                format!("期限 {d} 在五年以后：请检查日期或工作日数。未写入任何数据。")
            }
            (Lang::Zh, DeskError::NoDataDir) => {
                "找不到数据目录；请用 --data-dir 或环境变量 ZHUQI_DATA_DIR 指定。".into()
            }
            (Lang::Zh, DeskError::WriteFile { path, source }) => format!(
                "无法写入 {}：{source}；该处未写入任何内容（请确认目录存在、有写权限、磁盘有空间）。",
                path.display()
            ),
            (Lang::Zh, DeskError::NoticeFile { path, source }) => format!(
                "无法写入催办通知 {}：{source}；本次督办未记录（请换一个文件，或不用 -o）。",
                path.display()
            ),
            (Lang::Zh, DeskError::UnsignedBundle) => {
                "该交换包没有签名（旧版本 zhuqi 或手工写成）：只接收本台信任的工作台签名的交换包；请对方重新导出。".into()
            }
            (Lang::Zh, DeskError::UntrustedBundle { key }) => format!(
                "该交换包由本台不信任的工作台签名（密钥 {}）；若确是预期的工作台，请与对方核对密钥后运行 `zhuqi bundle trust 名称 {key}`。",
                crate::desk::keys::fingerprint(key)
            ),
            (Lang::Zh, DeskError::BadKeyFile { path, why }) => {
                format!("{} 无法使用：{why}", path.display())
            }
            (Lang::Zh, DeskError::NotAKey(k)) => format!(
                "“{k}”不是工作台公钥（64 位十六进制，在对方工作台用 `zhuqi bundle key` 查看）。"
            ),
            (Lang::Zh, DeskError::ReadOnlyDataDir(dir)) => format!(
                "数据目录 {} 在这里不能写入（只读介质或他人的目录）：可以查看（list、show、board、report、export、verify），办理步骤需要可写的数据目录。",
                dir.display()
            ),
            (Lang::Zh, DeskError::RewriteOnHub) => {
                "本台已加入协同中心，已上传的每一步都在中心留存，可代替日志：请在新的数据目录加入中心并同步，即可全部取回。".into()
            }
            (Lang::En, other) => other.to_string(),
        }
    }

    // ----- CLI messages -----

    pub fn saved(self, number: impl std::fmt::Display, status: Status) -> String {
        match self {
            Lang::Zh => format!("已保存：诉求 {number}，{}。", self.status(status)),
            Lang::En => format!("saved: appeal {number}, {}.", self.status(status)),
        }
    }

    pub fn card(self, card: Card, days_overdue: i64) -> String {
        match (self, card) {
            (_, Card::None) => String::new(),
            (Lang::Zh, Card::Yellow) => "! 黄牌".into(),
            (Lang::En, Card::Yellow) => "! yellow".into(),
            (Lang::Zh, Card::Red) => format!("!! 红牌 超期{days_overdue}天"),
            (Lang::En, Card::Red) => format!("!! red {days_overdue}d overdue"),
        }
    }

    pub fn list_headers(self) -> [&'static str; 9] {
        match self {
            Lang::Zh => [
                "编号",
                "状态",
                "企业",
                "类别",
                "服务管家",
                "期限",
                "牌",
                "督办",
                "诉求",
            ],
            Lang::En => [
                "No.",
                "Status",
                "Enterprise",
                "Category",
                "Steward",
                "Due",
                "Card",
                "Urges",
                "Appeal",
            ],
        }
    }

    pub fn list_count(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("共 {n} 条"),
            Lang::En => format!("{n} appeal(s)"),
        }
    }

    pub fn list_empty(self) -> &'static str {
        self.pick("没有符合条件的诉求。", "no appeals match.")
    }

    pub fn list_sep(self) -> &'static str {
        self.pick("、", ", ")
    }

    pub fn appeal_title(self, number: impl std::fmt::Display) -> String {
        match self {
            Lang::Zh => format!("诉求 {number}"),
            Lang::En => format!("Appeal {number}"),
        }
    }

    pub fn timeline(self) -> &'static str {
        self.pick("时间线", "Timeline")
    }

    /// Labelled fields of the detail view (empty values are left out by the caller).
    pub fn appeal_fields(self, a: &Appeal) -> Vec<(&'static str, String)> {
        let sep = self.list_sep();
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        let time = |t: &Option<chrono::DateTime<chrono::FixedOffset>>| {
            t.map(|t| a.shown_time(t, true)).unwrap_or_default()
        };
        let handling = match (&a.lead_dept, a.co_depts.is_empty()) {
            (Some(l), true) => l.clone(),
            (Some(l), false) => match self {
                Lang::Zh => format!("{l}（协办：{}）", a.co_depts.join(sep)),
                Lang::En => format!("{l} (with {})", a.co_depts.join(sep)),
            },
            (None, _) => String::new(),
        };
        let counts = match self {
            Lang::Zh => format!(
                "督办 {} 次 · 延期 {} 次 · 重办 {} 次 · 退回 {} 次",
                a.urges, a.extensions, a.reopens, a.returns
            ),
            Lang::En => format!(
                "{} urge(s) · {} extension(s) · {} reopen(s) · {} return(s)",
                a.urges, a.extensions, a.reopens, a.returns
            ),
        };
        let escalation = match (&a.escalated_to, a.level) {
            (Some(to), level) => format!("{} · {to}", self.level(level)),
            (None, _) => String::new(),
        };
        vec![
            (self.pick("企业", "Enterprise"), a.enterprise.clone()),
            (self.pick("类别", "Category"), a.category.clone()),
            (self.pick("诉求内容", "Appeal"), a.text.clone()),
            (self.pick("联系人", "Contact"), opt(&a.contact)),
            (
                self.pick("现场会", "Meeting"),
                a.meeting.map(|m| m.to_string()).unwrap_or_default(),
            ),
            (
                self.pick("涉及部门", "Departments"),
                a.departments.join(sep),
            ),
            (
                self.pick("登记", "Captured"),
                format!("{} · {}", a.shown_time(a.captured_at, true), a.captured_by),
            ),
            (self.pick("台账编号", "Ledger id"), opt(&a.external_id)),
            (self.pick("服务管家", "Steward"), opt(&a.steward)),
            (self.pick("主办部门", "Lead dept"), handling),
            (
                self.pick("办理期限", "Due"),
                a.due.map(|d| d.to_string()).unwrap_or_default(),
            ),
            (self.pick("签收", "Acknowledged"), time(&a.acknowledged_at)),
            (self.pick("上报", "Escalated"), escalation),
            (self.pick("最新进展", "Last note"), opt(&a.last_note)),
            (self.pick("答复", "Answer"), opt(&a.answer)),
            (
                self.pick("满意度", "Satisfaction"),
                a.rating
                    .map(|r| self.satisfaction(r).to_string())
                    .unwrap_or_default(),
            ),
            (self.pick("回访意见", "Feedback"), opt(&a.feedback_comment)),
            (
                self.pick("办结", "Closed"),
                match a.closed_how {
                    Some(h) => format!("{} · {}", time(&a.closed_at), self.closed_how(h)),
                    None => String::new(),
                },
            ),
            (self.pick("说明", "Note"), opt(&a.closing_note)),
            (self.pick("统计", "Counts"), counts),
        ]
    }

    /// One line of the timeline.
    pub fn describe(self, body: &EventBody) -> String {
        let change = match body {
            EventBody::Appeal { change, .. } => change,
            EventBody::EnterpriseSaved(e) => {
                return format!("{}：{}", self.pick("企业", "enterprise"), e.name);
            }
            EventBody::StewardSaved(s) => {
                return format!("{}：{}", self.pick("服务管家", "steward"), s.name);
            }
            EventBody::DepartmentAdded { name } => {
                return format!("{}：{name}", self.pick("部门", "department"));
            }
            EventBody::MeetingEdited(m) => {
                return format!(
                    "{}：{} {}",
                    self.pick("现场会修改", "meeting corrected"),
                    m.date,
                    m.venue
                );
            }
            EventBody::MeetingAdded(m) => {
                return format!("{}：{} {}", self.pick("现场会", "meeting"), m.date, m.venue);
            }
        };
        let what = self.done(change.kind());
        let sep = self.list_sep();
        let detail = match change {
            AppealChange::Captured(c) => format!("{} · {} · {}", c.enterprise, c.category, c.text),
            AppealChange::ResolvedOnSpot { answer } => answer.clone(),
            AppealChange::Listed | AppealChange::Acknowledged => String::new(),
            AppealChange::Assigned(a) => {
                let mut d = format!(
                    "{} · {} · {} {}",
                    a.steward,
                    a.lead_dept,
                    self.pick("期限", "due"),
                    a.due
                );
                if !a.co_depts.is_empty() {
                    d.push_str(&format!(
                        " · {} {}",
                        self.pick("协办", "with"),
                        a.co_depts.join(sep)
                    ));
                }
                d
            }
            AppealChange::Returned { reason } => reason.clone(),
            AppealChange::Reassigned { steward, lead_dept } => match lead_dept {
                Some(l) => format!("{steward} · {l}"),
                None => steward.clone(),
            },
            AppealChange::Noted { text } => text.clone(),
            AppealChange::Escalated { level, to, note } => {
                let mut d = format!("{} · {to}", self.level(*level));
                if let Some(n) = note {
                    d.push_str(&format!(" · {n}"));
                }
                d
            }
            AppealChange::Extended { due, reason } => {
                format!("{} {due} · {reason}", self.pick("新期限", "new due date"))
            }
            AppealChange::Urged { note } => note.clone().unwrap_or_default(),
            AppealChange::Answered { text } => text.clone(),
            AppealChange::Feedback {
                rating, comment, ..
            } => {
                let mut d = self.satisfaction(*rating).to_string();
                if let Some(c) = comment {
                    d.push_str(&format!(" · {c}"));
                }
                if !rating.closes() {
                    d.push_str(&format!(" · {}", self.change(ChangeKind::Reopen)));
                }
                d
            }
            AppealChange::Reopened { reason, due } => {
                format!("{reason} · {} {due}", self.pick("期限", "due"))
            }
            AppealChange::Withdrawn { reason } => reason.clone(),
            AppealChange::Closed { note } => note.clone(),
        };
        if detail.is_empty() {
            what.to_string()
        } else {
            format!("{what}{}{detail}", self.pick("：", ": "))
        }
    }

    pub fn meeting_headers(self) -> [&'static str; 5] {
        match self {
            Lang::Zh => ["编号", "日期", "地点", "主持", "参加部门"],
            Lang::En => ["No.", "Date", "Venue", "Host", "Departments"],
        }
    }

    pub fn steward_headers(self) -> [&'static str; 4] {
        match self {
            Lang::Zh => ["姓名", "部门", "电话", "管家团"],
            Lang::En => ["Name", "Department", "Phone", "Team"],
        }
    }

    pub fn enterprise_headers(self) -> [&'static str; 5] {
        match self {
            Lang::Zh => ["企业", "统一社会信用代码", "联系人", "电话", "镇街/园区"],
            Lang::En => ["Enterprise", "Credit code", "Contact", "Phone", "Town/park"],
        }
    }

    pub fn meeting_added(self, number: u64, date: &str, venue: &str) -> String {
        match self {
            Lang::Zh => format!("已保存：现场会 {number}（{date}，{venue}）。"),
            Lang::En => format!("saved: meeting {number} ({date}, {venue})."),
        }
    }

    pub fn steward_added(self, name: &str, dept: &str) -> String {
        match self {
            Lang::Zh => format!("已保存：服务管家 {name}（{dept}）。"),
            Lang::En => format!("saved: steward {name} ({dept})."),
        }
    }

    pub fn enterprise_saved(self, name: &str) -> String {
        match self {
            Lang::Zh => format!("已保存：企业 {name}。"),
            Lang::En => format!("saved: enterprise {name}."),
        }
    }

    pub fn demo_loaded(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("已载入示例：{n} 条诉求（含机场物流园区消防审批一事）。"),
            Lang::En => {
                format!("demo loaded: {n} appeals, the airport fire-approval story among them.")
            }
        }
    }

    pub fn backed_up(self, dir: &str) -> String {
        match self {
            Lang::Zh => format!("已备份到 {dir}（日志、数据库和工作日历）。"),
            Lang::En => format!("backed up to {dir} (journal, store and calendar)."),
        }
    }

    pub fn rebuilt(self, count: u64, old: &str) -> String {
        match self {
            Lang::Zh => format!(
                "已从日志重建数据库：{count} 条诉求。旧数据库保留在 {old}，确认无误后可删除。"
            ),
            Lang::En => format!(
                "rebuilt the store from the journal: {count} appeals. The old store is kept in {old}; remove it once satisfied."
            ),
        }
    }

    pub fn rebuild_undone(self, restored: &std::path::Path, aside: &std::path::Path) -> String {
        match self {
            Lang::Zh => format!(
                "已恢复被替换的诉求库 {}；原先的诉求库移到了 {}。",
                restored.display(),
                aside.display()
            ),
            Lang::En => format!(
                "brought back the store {}; the one it replaced was moved to {}.",
                restored.display(),
                aside.display()
            ),
        }
    }

    pub fn journal_rewritten(self, events: usize, old: Option<&std::path::Path>) -> String {
        match (self, old) {
            (Lang::Zh, Some(old)) => format!(
                "已按诉求库重写日志：{events} 条记录。原日志保留在 {}。",
                old.display()
            ),
            (Lang::Zh, None) => format!("已按诉求库重写日志：{events} 条记录。"),
            (Lang::En, Some(old)) => format!(
                "wrote the journal anew from the store: {events} events. The old journal is kept in {}.",
                old.display()
            ),
            (Lang::En, None) => format!("wrote the journal anew from the store: {events} events."),
        }
    }

    pub fn journal_sealed(self, sealed_to: Option<u64>) -> String {
        match (self, sealed_to) {
            (Lang::Zh, Some(to)) => {
                format!("日志的前 {to} 字节已压缩封存到 journal.sealed/。")
            }
            (Lang::Zh, None) => "没有可封存的内容：日志文件里还没有新的完整记录。".to_string(),
            (Lang::En, Some(to)) => {
                format!("sealed the journal's first {to} bytes, compressed, in journal.sealed/.")
            }
            (Lang::En, None) => {
                "nothing to seal: the live journal file holds no whole command yet.".to_string()
            }
        }
    }

    pub fn verified(self) -> &'static str {
        self.pick(
            "检查通过：每条诉求都与其记录一致，索引完整。",
            "all well: every appeal agrees with its events, and the indexes with the appeals.",
        )
    }

    /// The calendar file, named where its path is not at hand.
    pub fn calendar_file_word(self) -> String {
        self.pick(
            "数据目录中的 calendar.toml",
            "calendar.toml in the data directory",
        )
        .to_string()
    }

    pub fn calendar_gap(self, year: String, path: &str) -> String {
        match self {
            Lang::Zh => format!(
                "注意：工作日历没有 {year} 年的节假日安排，期限只跳过了周末；请在 {path} 中补充。"
            ),
            Lang::En => format!(
                "note: the calendar has no holidays for {year}, so only weekends were skipped; add them to {path}."
            ),
        }
    }

    pub fn written(self, path: &str) -> String {
        match self {
            Lang::Zh => format!("已写入 {path}。"),
            Lang::En => format!("written to {path}."),
        }
    }

    pub fn exported(self, n: usize, path: &str) -> String {
        match self {
            Lang::Zh => format!("已导出 {n} 条诉求到 {path}。"),
            Lang::En => format!("exported {n} appeal(s) to {path}."),
        }
    }

    pub fn board_headers(self) -> [&'static str; 8] {
        match self {
            Lang::Zh => [
                "牌",
                "编号",
                "状态",
                "企业",
                "服务管家",
                "期限",
                "超期/剩余",
                "督办",
            ],
            Lang::En => [
                "Card",
                "No.",
                "Status",
                "Enterprise",
                "Steward",
                "Due",
                "Late/left",
                "Urges",
            ],
        }
    }

    /// Days overdue, or working days left, and an unacknowledged assignment flagged.
    pub fn lateness(
        self,
        days_overdue: i64,
        working_days_left: u32,
        has_due: bool,
        ack_late: bool,
    ) -> String {
        let mut s = match (self, days_overdue > 0, has_due) {
            (_, _, false) => String::new(),
            (Lang::Zh, true, _) => format!("超期{days_overdue}天"),
            (Lang::En, true, _) => format!("{days_overdue}d late"),
            (Lang::Zh, false, _) => format!("剩{working_days_left}个工作日"),
            (Lang::En, false, _) => format!("{working_days_left} wd left"),
        };
        if ack_late {
            s.push_str(self.pick(" · 未按时签收", " · not acknowledged"));
        }
        s
    }

    pub fn bundle_written(self, commands: usize, path: &str) -> String {
        match self {
            Lang::Zh => format!("已写出数据包 {path}：{commands} 条操作记录。"),
            Lang::En => format!("wrote the bundle {path}: {commands} command(s)."),
        }
    }

    pub fn bundle_merged(self, r: &crate::desk::merge::MergeReport) -> String {
        use crate::desk::merge::Replaced;
        let numbers = r
            .steps_here
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let replaced = |zh: bool| {
            r.replaced
                .iter()
                .map(|x| match (x, zh) {
                    (Replaced::Enterprise(n), true) => format!("企业 {n}"),
                    (Replaced::Steward(n), true) => format!("服务管家 {n}"),
                    (Replaced::Enterprise(n), false) => format!("enterprise {n}"),
                    (Replaced::Steward(n), false) => format!("steward {n}"),
                })
                .collect::<Vec<_>>()
                .join(if zh { "、" } else { ", " })
        };
        let mut out = match (self, r.dry_run) {
            (Lang::Zh, false) => format!(
                "已合并：{} 条操作记录，其中 {} 条本机已有；新增诉求 {} 条，其中 {} 条因编号已被占用而重新编号。",
                r.commands, r.already_here, r.appeals_added, r.renumbered
            ),
            (Lang::Zh, true) => format!(
                "试合并（未写入）：{} 条操作记录，其中 {} 条本机已有；将新增诉求 {} 条，其中 {} 条将因编号已被占用而重新编号。",
                r.commands, r.already_here, r.appeals_added, r.renumbered
            ),
            (Lang::En, false) => format!(
                "merged: {} command(s), {} already here; {} new appeal(s), {} renumbered because their number was taken here.",
                r.commands, r.already_here, r.appeals_added, r.renumbered
            ),
            (Lang::En, true) => format!(
                "dry run, nothing written: {} command(s), {} already here; {} new appeal(s) would come in, {} renumbered because their number is taken here.",
                r.commands, r.already_here, r.appeals_added, r.renumbered
            ),
        };
        if !r.steps_here.is_empty() {
            out.push_str(&match self {
                Lang::Zh => format!("\n本机已有诉求上的新步骤：{numbers}。"),
                Lang::En => format!("\nsteps on appeals already here: {numbers}."),
            });
        }
        if !r.replaced.is_empty() {
            out.push_str(&match self {
                Lang::Zh => format!("\n替换本机名录记录：{}。", replaced(true)),
                Lang::En => format!("\nregistry records here replaced: {}.", replaced(false)),
            });
        }
        out
    }

    pub fn trusted_desk(self, name: &str, fingerprint: &str) -> String {
        match self {
            Lang::Zh => {
                format!("已信任工作台 {name}（密钥 {fingerprint}）：今后接收其签名的交换包。")
            }
            Lang::En => format!(
                "now trusting desk {name} (key {fingerprint}): its signed bundles are taken in."
            ),
        }
    }

    pub fn generated(self, n: usize, total: usize, seconds: f64) -> String {
        match self {
            Lang::Zh => format!("已生成 {n} 条诉求，用时 {seconds:.1} 秒；现共 {total} 条。"),
            Lang::En => format!("generated {n} appeals in {seconds:.1} s; {total} in all."),
        }
    }

    pub fn config_ok(self, path: &str) -> String {
        match self {
            Lang::Zh => format!("配置文件无误：{path}"),
            Lang::En => format!("the configuration is sound: {path}"),
        }
    }

    pub fn calendar_ok(self, path: &str, years: &str) -> String {
        match self {
            Lang::Zh => format!("工作日历无误：{path}（含 {years} 年的节假日安排）"),
            Lang::En => format!("the calendar is sound: {path} (holidays listed for {years})"),
        }
    }

    /// How a holiday and a make-up working day are marked in `calendar show`.
    pub fn calendar_marks(self) -> (&'static str, &'static str) {
        match self {
            Lang::Zh => ("休", "班"),
            Lang::En => (" *", " +"),
        }
    }

    pub fn calendar_legend(self) -> &'static str {
        self.pick(
            "休 = 节假日  班 = 调休上班",
            "* = public holiday  + = make-up working day",
        )
    }

    pub fn weekday_header(self) -> &'static str {
        self.pick(
            "  一   二   三   四   五   六   日",
            "  Mo   Tu   We   Th   Fr   Sa   Su",
        )
    }

    pub fn working_days_in_year(self, year: i32, n: usize) -> String {
        match self {
            Lang::Zh => format!("{year} 年共 {n} 个工作日。"),
            Lang::En => format!("{year} has {n} working days."),
        }
    }

    /// The store no longer opened and was laid out anew from the journal.
    pub fn rebuilt_from_damaged(self, old: &std::path::Path) -> String {
        match self {
            Lang::Zh => format!(
                "诉求库曾写入中断（如磁盘已满）而无法打开，已从日志完整重建，已保存的记录无一丢失；\
                 受损的诉求库保留在 {}，确认无误后可删除。",
                old.display()
            ),
            Lang::En => format!(
                "the store had a write cut short (a full disk?) and no longer opened; it has been \
                 rebuilt from the journal with everything saved. The damaged one is kept in {} and \
                 can be removed once you are satisfied.",
                old.display()
            ),
        }
    }

    /// A bulk write killed mid-way was taken out on opening.
    pub fn undone_bulk(self, undone: &crate::store::UndoneBulk) -> String {
        match self {
            Lang::Zh => format!(
                "上次的导入（或演示数据生成）中途被中断，已整体撤销：它写入的 {} 条诉求已移除，诉求库回到导入之前。被撤销的记录保留在 {}；请重新导入。",
                undone.appeals,
                undone.kept_in.display()
            ),
            Lang::En => format!(
                "the last import (or demo generation) was cut off mid-way and has been undone whole: \
                 the {} appeal(s) it had written were taken out, and the store is as it was before it. \
                 What it wrote is kept in {}; run the import again.",
                undone.appeals,
                undone.kept_in.display()
            ),
        }
    }

    /// The engine failed in a write and was brought back, from the journal.
    pub fn recovered(self, rebuilt_from: Option<&std::path::Path>) -> String {
        match (self, rebuilt_from) {
            (_, Some(old)) => self.rebuilt_from_damaged(old),
            (Lang::Zh, None) => {
                "写入诉求库时出错（如磁盘已满），已从日志重新打开，已保存的记录无一丢失。".into()
            }
            (Lang::En, None) => "a write to the store failed (a full disk?); it has been reopened \
                 from the journal with everything saved."
                .into(),
        }
    }

    pub fn upgraded(self, old: &std::path::Path) -> String {
        match self {
            Lang::Zh => format!(
                "数据库来自旧版本，已按新格式从日志重建；旧数据库保留在 {}，确认无误后可删除。",
                old.display()
            ),
            Lang::En => format!(
                "the store was written by an older zhuqi and has been rebuilt from the journal; \
                 the old one is kept in {} and can be removed once you are satisfied.",
                old.display()
            ),
        }
    }

    pub fn replayed(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("已从日志恢复 {n} 条未入库的记录。"),
            Lang::En => format!("recovered {n} command(s) from the journal."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_names_choose_the_language() {
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(Lang::parse("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("C"), Some(Lang::En));
        assert_eq!(Lang::parse("fr_FR"), None);
    }

    #[test]
    fn a_refusal_names_the_state_and_what_is_needed_in_both_languages() {
        let r = Refusal::NotAllowed {
            change: ChangeKind::Answer,
            status: Status::Assigned,
        };
        assert_eq!(
            Lang::En.refusal(&r),
            "cannot answer an appeal that is assigned: that is only possible when it is in progress."
        );
        assert_eq!(
            Lang::Zh.refusal(&r),
            "该诉求当前为“待签收”，不能答复：答复只能在“办理中”时进行。"
        );
    }
}
