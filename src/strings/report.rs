//! The words of the figures, the report, the exports and the 催办 notice.

use super::Lang;
use crate::domain::figures::Dimension;

impl Lang {
    /// The label of a figure, by its JSON key.
    pub fn figure_label(self, key: &str) -> &'static str {
        match key {
            "captured" => self.pick("登记诉求", "appeals captured"),
            "on_spot_rate" => self.pick("当场解决率", "on-the-spot rate"),
            "close_rate" => self.pick("办结率", "close rate"),
            "on_time_rate" => self.pick("按时办结率", "on-time rate"),
            "satisfaction_rate" => self.pick("满意率", "satisfaction rate"),
            "reopen_rate" => self.pick("重办率", "reopen rate"),
            "urge_rate" => self.pick("催办率", "urge rate"),
            "followup_rate" => self.pick("回访率", "follow-up rate"),
            "median_days_to_close" => {
                self.pick("办结用时中位数（工作日）", "median working days to close")
            }
            "p90_days_to_close" => self.pick(
                "办结用时90分位（工作日）",
                "90th percentile working days to close",
            ),
            "open" => self.pick("未办结", "open now"),
            "red" => self.pick("红牌", "red cards"),
            "yellow" => self.pick("黄牌", "yellow cards"),
            _ => "",
        }
    }

    /// How each figure is computed, for the 统计 sheet.
    pub fn figure_formula(self, key: &str) -> &'static str {
        match key {
            "captured" => self.pick("本期登记的诉求数", "appeals captured in the period"),
            "on_spot_rate" => self.pick("当场解决 ÷ 登记", "resolved on the spot ÷ captured"),
            "close_rate" => self.pick(
                "已办结（当场解决或答复后办结，不含撤回）÷ 登记",
                "closed (on the spot or after an answer; not withdrawn) ÷ captured",
            ),
            "on_time_rate" => self.pick(
                "清单诉求中在期限内办结 ÷ 清单诉求中已办结",
                "closed from the list on or before the due date ÷ closed from the list",
            ),
            "satisfaction_rate" => self.pick(
                "基本满意及以上 ÷ 已评价",
                "rated basically satisfied or better ÷ rated",
            ),
            "reopen_rate" => self.pick("重办过 ÷ 已答复", "reopened at least once ÷ answered"),
            "urge_rate" => self.pick("督办过 ÷ 列入清单", "urged at least once ÷ listed"),
            "followup_rate" => self.pick("已回访 ÷ 已答复", "with feedback ÷ answered"),
            "median_days_to_close" => self.pick(
                "列入清单到办结的工作日数，中位数（就近秩）",
                "working days from listing to close, median (nearest rank)",
            ),
            "p90_days_to_close" => self.pick(
                "列入清单到办结的工作日数，90分位（就近秩）",
                "working days from listing to close, 90th percentile (nearest rank)",
            ),
            "open" => self.pick("当前未办结的诉求（全部）", "appeals open today (all)"),
            "red" => self.pick("当前超期", "open and overdue today"),
            "yellow" => self.pick(
                "当前临期（预警窗口内）",
                "open and due within the warning window",
            ),
            _ => "",
        }
    }

    pub fn dimension(self, d: Dimension) -> &'static str {
        match d {
            Dimension::Dept => self.pick("按主办部门", "by lead department"),
            Dimension::Steward => self.pick("按服务管家", "by steward"),
            Dimension::Category => self.pick("按类别", "by category"),
            Dimension::Meeting => self.pick("按现场会", "by meeting"),
            Dimension::Enterprise => self.pick("按企业", "by enterprise"),
        }
    }

    pub fn report_title(self, from: &str, to: &str) -> String {
        match self {
            Lang::Zh => format!("助企服务周报（{from} 至 {to}）"),
            Lang::En => format!("Enterprise service report, {from} to {to}"),
        }
    }

    pub fn figures_heading(self) -> &'static str {
        self.pick("主要指标", "Figures")
    }

    pub fn red_heading(self) -> &'static str {
        self.pick("红牌（超期）诉求", "Red cards (overdue)")
    }

    pub fn closed_heading(self) -> &'static str {
        self.pick("本期办结", "Closed in the period")
    }

    pub fn escalated_heading(self) -> &'static str {
        self.pick("本期上报", "Escalated in the period")
    }

    pub fn none_line(self) -> &'static str {
        self.pick("（无）", "(none)")
    }

    pub fn figure_column(self) -> [&'static str; 3] {
        match self {
            Lang::Zh => ["指标", "数值", "计算方法"],
            Lang::En => ["Figure", "Value", "Formula"],
        }
    }

    pub fn red_columns(self) -> [&'static str; 6] {
        match self {
            Lang::Zh => ["编号", "企业", "诉求", "服务管家", "期限", "超期天数"],
            Lang::En => [
                "No.",
                "Enterprise",
                "Appeal",
                "Steward",
                "Due",
                "Days overdue",
            ],
        }
    }

    pub fn closed_columns(self) -> [&'static str; 5] {
        match self {
            Lang::Zh => ["编号", "企业", "诉求", "办结时间", "满意度"],
            Lang::En => ["No.", "Enterprise", "Appeal", "Closed", "Satisfaction"],
        }
    }

    pub fn escalated_columns(self) -> [&'static str; 5] {
        match self {
            Lang::Zh => ["编号", "企业", "诉求", "上报至", "时间"],
            Lang::En => ["No.", "Enterprise", "Appeal", "To", "When"],
        }
    }

    pub fn breakdown_columns(self) -> [&'static str; 8] {
        match self {
            Lang::Zh => [
                "名称",
                "登记",
                "当场解决率",
                "办结率",
                "按时办结率",
                "满意率",
                "未办结",
                "红牌",
            ],
            Lang::En => [
                "Name",
                "Captured",
                "On the spot",
                "Closed",
                "On time",
                "Satisfied",
                "Open",
                "Red",
            ],
        }
    }

    /// The columns of the 诉求清单 sheet.
    pub fn export_columns(self) -> [&'static str; 26] {
        match self {
            Lang::Zh => [
                "编号",
                "状态",
                "牌",
                "超期天数",
                "企业",
                "类别",
                "诉求内容",
                "联系人",
                "现场会",
                "登记时间",
                "涉及部门",
                "服务管家",
                "主办部门",
                "协办部门",
                "办理期限",
                "上报",
                "督办次数",
                "延期次数",
                "重办次数",
                "最新进展",
                "答复",
                "答复时间",
                "满意度",
                "办结时间",
                "办结方式",
                "台账编号",
            ],
            Lang::En => [
                "No.",
                "Status",
                "Card",
                "Days overdue",
                "Enterprise",
                "Category",
                "Appeal",
                "Contact",
                "Meeting",
                "Captured",
                "Departments",
                "Steward",
                "Lead dept",
                "Co-handling",
                "Due",
                "Escalated",
                "Urges",
                "Extensions",
                "Reopens",
                "Last note",
                "Answer",
                "Answered",
                "Satisfaction",
                "Closed",
                "Closed how",
                "Ledger id",
            ],
        }
    }

    pub fn card_word(self, card: crate::domain::Card) -> &'static str {
        match card {
            crate::domain::Card::None => "",
            crate::domain::Card::Yellow => self.pick("黄牌", "yellow"),
            crate::domain::Card::Red => self.pick("红牌", "red"),
        }
    }

    pub fn figures_sheet(self) -> &'static str {
        "统计"
    }

    /// The text of a 催办 notice to the steward.
    #[allow(clippy::too_many_arguments)]
    pub fn urge_notice(
        self,
        label: &str,
        enterprise: &str,
        text: &str,
        steward: &str,
        lead: &str,
        due: &str,
        days_overdue: i64,
        earlier: &[(String, String, String)],
        note: &str,
        by: &str,
        at: &str,
    ) -> String {
        let mut out = String::new();
        match self {
            Lang::Zh => {
                out.push_str(&format!("催办通知\n\n{steward}（{lead}）：\n\n"));
                out.push_str(&format!(
                    "诉求编号：{label}\n企业：{enterprise}\n事项：{text}\n办理期限：{due}"
                ));
                if days_overdue > 0 {
                    out.push_str(&format!("（已超期 {days_overdue} 天）"));
                }
                out.push_str(&format!("\n本次为第 {} 次督办。\n", earlier.len() + 1));
                if !note.is_empty() {
                    out.push_str(&format!("督办意见：{note}\n"));
                }
                if !earlier.is_empty() {
                    out.push_str("此前督办：\n");
                    for (when, who, note) in earlier {
                        out.push_str(&format!("  {when} {who} {note}\n"));
                    }
                }
                out.push_str(&format!("\n请抓紧办理，并及时向企业答复、在系统中记录办理进展。\n\n督办人：{by}\n时间：{at}\n"));
            }
            Lang::En => {
                out.push_str(&format!(
                    "Notice of urging (催办)\n\nTo {steward} ({lead}):\n\n"
                ));
                out.push_str(&format!(
                    "Appeal: {label}\nEnterprise: {enterprise}\nMatter: {text}\nDue: {due}"
                ));
                if days_overdue > 0 {
                    out.push_str(&format!(" ({days_overdue} days overdue)"));
                }
                out.push_str(&format!("\nThis is urge number {}.\n", earlier.len() + 1));
                if !note.is_empty() {
                    out.push_str(&format!("Note: {note}\n"));
                }
                if !earlier.is_empty() {
                    out.push_str("Earlier urges:\n");
                    for (when, who, note) in earlier {
                        out.push_str(&format!("  {when} {who} {note}\n"));
                    }
                }
                out.push_str(&format!("\nPlease act on it, answer the enterprise and record the progress.\n\nUrged by: {by}\nAt: {at}\n"));
            }
        }
        out
    }
}
