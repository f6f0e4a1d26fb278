//! The words of the terminal desk, in both languages.

use super::Lang;
use crate::domain::{Card, ChangeKind};

/// A key and what it does, for the hint bar and the help screen.
pub type KeyHelp = (&'static str, &'static str);

impl Lang {
    pub fn outcome_options(self) -> Vec<String> {
        vec![
            self.pick("列入诉求清单", "onto the appeal list")
                .to_string(),
            self.pick("当场解决", "resolved on the spot").to_string(),
        ]
    }

    /// An export of the view has started; it is written on another thread.
    pub fn exporting(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("正在导出 {n} 条诉求……可继续操作，完成后在此告知。"),
            Lang::En => format!("exporting {n} appeal(s)… keep working; this line says when done."),
        }
    }

    pub fn export_under_way(self) -> &'static str {
        self.pick(
            "上一次导出尚未完成，请稍候。",
            "an export is still being written; wait for it first.",
        )
    }

    pub fn quit_after_export(self) -> &'static str {
        self.pick(
            "导出完成后自动退出；再按 q 立即退出（放弃这次导出）。",
            "quitting once the export is written; q again quits now (without it).",
        )
    }

    pub fn app_title(self) -> &'static str {
        self.pick("助企 · 周三助企服务日", "zhuqi · enterprise service day")
    }

    pub fn app_title_short(self) -> &'static str {
        self.pick("助企", "zhuqi")
    }

    pub fn tab_meeting(self) -> &'static str {
        self.pick("F2 现场会", "F2 Meeting")
    }

    pub fn tab_list(self) -> &'static str {
        self.pick("F3 诉求清单", "F3 Appeal list")
    }

    pub fn tab_board(self) -> &'static str {
        self.pick("F4 督办", "F4 Board")
    }

    pub fn tab_figures(self) -> &'static str {
        self.pick("F5 统计", "F5 Figures")
    }

    pub fn period_names(self) -> [&'static str; 5] {
        match self {
            Lang::Zh => ["本周", "上周", "本月", "全部", "自定义 (c)"],
            Lang::En => [
                "This week",
                "Last week",
                "This month",
                "All time",
                "Custom (c)",
            ],
        }
    }

    pub fn period_title(self) -> &'static str {
        self.pick("统计时间段", "Period of the figures")
    }

    pub fn trend_title(self) -> &'static str {
        self.pick(
            "每周登记(黄) / 办结(绿)",
            "Weekly captured (yellow) / closed (green)",
        )
    }

    pub fn urges_short(self, n: u32) -> String {
        match (self, n) {
            (_, 0) => String::new(),
            (Lang::Zh, n) => format!("督{n}"),
            (Lang::En, n) => format!("×{n}"),
        }
    }

    pub fn notice_title(self) -> &'static str {
        self.pick("催办通知", "Notice of urging")
    }

    pub fn weekday(self, d: chrono::Weekday) -> &'static str {
        use chrono::Weekday::*;
        match d {
            Mon => self.pick("周一", "Mon"),
            Tue => self.pick("周二", "Tue"),
            Wed => self.pick("周三", "Wed"),
            Thu => self.pick("周四", "Thu"),
            Fri => self.pick("周五", "Fri"),
            Sat => self.pick("周六", "Sat"),
            Sun => self.pick("周日", "Sun"),
        }
    }

    pub fn welcome(self) -> Vec<&'static str> {
        match self {
            Lang::Zh => vec![
                "助企 —— 周三“助企服务日”工作台",
                "",
                "在现场会上登记企业提出的诉求：能当场解决的当场办结，",
                "其余列入诉求清单，交办给服务管家，跟踪到闭环：",
                "签收、办理进展、上报市/省、延期、督办、答复、回访满意度。",
                "",
                "数据目前是空的。",
                "",
                "  d      载入示例（机场物流园区消防审批一事及三十条诉求）",
                "  Enter  从空白开始",
                "  q      退出",
            ],
            Lang::En => vec![
                "zhuqi — the Wednesday enterprise service desk",
                "",
                "Capture the appeals enterprises raise at on-site meetings: close what is",
                "solved on the spot, put the rest on the appeal list, assign it to a service",
                "steward and follow it until the loop closes: acknowledge, progress notes,",
                "escalation to city or province, extensions, urging, answer, satisfaction.",
                "",
                "The store is empty.",
                "",
                "  d      load the demo (the airport fire-approval story and thirty more)",
                "  Enter  start empty",
                "  q      quit",
            ],
        }
    }

    pub fn no_meeting(self) -> &'static str {
        self.pick(
            "未选现场会 —— Ctrl-N 新建，Ctrl-O 选择",
            "no meeting chosen — Ctrl-N new, Ctrl-O pick one",
        )
    }

    pub fn meeting_line(self, number: u64, date: &str, venue: &str) -> String {
        match self {
            Lang::Zh => format!("现场会 #{number} · {date} · {venue}"),
            Lang::En => format!("Meeting #{number} · {date} · {venue}"),
        }
    }

    pub fn capture_title(self) -> &'static str {
        self.pick("登记诉求", "Capture an appeal")
    }

    pub fn tally_title(self) -> &'static str {
        self.pick("本场诉求", "This meeting")
    }

    pub fn tally(self, total: usize, on_spot: usize, listed: usize) -> String {
        match self {
            Lang::Zh => format!("共 {total} 条 · 当场解决 {on_spot} · 列入清单 {listed}"),
            Lang::En => format!("{total} in all · {on_spot} on the spot · {listed} listed"),
        }
    }

    pub fn new_meeting_title(self) -> &'static str {
        self.pick("新建现场会", "New meeting")
    }

    pub fn pick_meeting_title(self) -> &'static str {
        self.pick("选择现场会", "Pick a meeting")
    }

    pub fn list_tabs(self) -> [&'static str; 6] {
        match self {
            Lang::Zh => ["待交办", "办理中", "待回访", "超期", "已办结", "全部"],
            Lang::En => [
                "Listed",
                "In progress",
                "Answered",
                "Overdue",
                "Closed",
                "All",
            ],
        }
    }

    pub fn sort_names(self) -> [&'static str; 4] {
        match self {
            Lang::Zh => ["按期限", "按时长", "按企业", "按编号"],
            Lang::En => ["by due date", "by age", "by enterprise", "by number"],
        }
    }

    /// The list's days column: days since received (open), days taken to close (closed, ✓).
    pub fn days_header(self, closed: bool, all: bool) -> &'static str {
        match (closed, all) {
            (true, _) => self.pick("用时✓", "Took ✓"),
            (false, true) => self.pick("天数", "Days"),
            (false, false) => self.pick("已受理", "Age"),
        }
    }

    pub fn status_header(self) -> &'static str {
        self.pick("状态", "Status")
    }

    pub fn lead_header(self) -> &'static str {
        self.pick("主办部门", "Lead dept")
    }

    pub fn table_headers(self) -> [&'static str; 8] {
        match self {
            Lang::Zh => [
                "编号",
                "企业",
                "类别",
                "服务管家",
                "期限",
                "牌",
                "天数",
                "督办",
            ],
            Lang::En => [
                "No.",
                "Enterprise",
                "Category",
                "Steward",
                "Due",
                "Card",
                "Age",
                "Urged",
            ],
        }
    }

    /// A card in a narrow column: a symbol and a word, so it reads without colour.
    pub fn card_short(self, card: Card, days_overdue: i64) -> String {
        match (self, card) {
            (_, Card::None) => String::new(),
            (Lang::Zh, Card::Yellow) => "▲黄牌".into(),
            (Lang::En, Card::Yellow) => "▲ soon".into(),
            (Lang::Zh, Card::Red) => format!("●超{days_overdue}天"),
            (Lang::En, Card::Red) => format!("● {days_overdue}d late"),
        }
    }

    pub fn filter_prompt(self) -> &'static str {
        self.pick("筛选", "Filter")
    }

    pub fn opening(self) -> &'static str {
        self.pick("助企 · 正在打开诉求库…", "zhuqi · opening the desk…")
    }

    pub fn working(self) -> &'static str {
        self.pick("计算中…", "working it out…")
    }

    pub fn filtering(self) -> &'static str {
        self.pick("筛选中…", "filtering…")
    }

    pub fn reading(self, read: usize, total: u64) -> String {
        match self {
            Lang::Zh => format!("读取中 {read} / {total} 条"),
            Lang::En => format!("reading {read} of {total}"),
        }
    }

    pub fn shown_of(self, shown: usize, total: usize) -> String {
        match self {
            Lang::Zh => format!("{shown} / {total} 条"),
            Lang::En => format!("{shown} of {total}"),
        }
    }

    pub fn action_title(self, kind: ChangeKind, number: impl std::fmt::Display) -> String {
        match self {
            Lang::Zh => format!("{} · 诉求 #{number}", self.change(kind)),
            Lang::En => format!("{} · appeal #{number}", capitalize(self.change(kind))),
        }
    }

    pub fn confirm(self, what: &str) -> String {
        match self {
            Lang::Zh => format!("确定要{what}吗？此操作不可撤销。  y 确定 · n 返回"),
            Lang::En => format!("Really {what}? This cannot be undone.  y yes · n back"),
        }
    }

    pub fn duplicate(self, number: impl std::fmt::Display, text: &str) -> String {
        match self {
            Lang::Zh => format!("可能重复：该企业已有未办结诉求 #{number}「{text}」"),
            Lang::En => {
                format!("Possible duplicate: this enterprise has open appeal #{number} “{text}”")
            }
        }
    }

    pub fn draft_found(self, summary: &str) -> String {
        match self {
            Lang::Zh => format!("上次有未保存的草稿：{summary}"),
            Lang::En => format!("An unsaved draft was left: {summary}"),
        }
    }

    pub fn draft_title(self) -> &'static str {
        self.pick("草稿", "Draft")
    }

    pub fn draft_restored(self) -> &'static str {
        self.pick("草稿已恢复。", "draft restored.")
    }

    pub fn draft_discarded(self) -> &'static str {
        self.pick("草稿已丢弃。", "draft discarded.")
    }

    pub fn noted_on(self, number: impl std::fmt::Display) -> String {
        match self {
            Lang::Zh => format!("已保存：已作为办理进展追加到诉求 {number}。"),
            Lang::En => format!("saved: added as a progress note to appeal {number}."),
        }
    }

    pub fn due_preview(self, date: chrono::NaiveDate) -> String {
        match self {
            Lang::Zh => format!(
                "→ {date} {}",
                self.weekday(chrono::Datelike::weekday(&date))
            ),
            Lang::En => format!(
                "→ {date} {}",
                self.weekday(chrono::Datelike::weekday(&date))
            ),
        }
    }

    pub fn due_hint(self) -> &'static str {
        self.pick(
            "写日期 2024-01-24 或工作日数 10",
            "a date 2024-01-24 or working days 10",
        )
    }

    pub fn editor_failed(self, e: &str) -> String {
        match self {
            Lang::Zh => format!("无法打开编辑器：{e}（请设置 $EDITOR）"),
            Lang::En => format!("cannot open the editor: {e} (set $EDITOR)"),
        }
    }

    pub fn levels(self) -> Vec<String> {
        vec![
            self.pick("市级", "city").to_string(),
            self.pick("省级", "province").to_string(),
        ]
    }

    pub fn help_title(self) -> &'static str {
        self.pick("按键 (Esc 关闭)", "Keys (Esc closes)")
    }

    pub fn timeline_title(self) -> &'static str {
        self.pick("时间线", "Timeline")
    }

    pub fn no_rows(self) -> &'static str {
        self.pick("（没有诉求）", "(no appeals)")
    }

    // ----- keys -----
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
