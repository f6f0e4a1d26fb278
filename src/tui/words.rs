//! Words only the desk in the terminal says (the team desk's status line, the first start's
//! question, the conflicts box), kept with the face that says them.

use crate::strings::Lang;

impl Lang {
    /// Said in the desk when sync gave final numbers.
    pub fn renumbered(self, pairs: &str) -> String {
        match self {
            Lang::Zh => format!("已同步，编号确定：{pairs}"),
            Lang::En => format!("synced; numbers made final: {pairs}"),
        }
    }

    /// The status line's word on sync (已同步 10:32 · 离线，3 条待上传 · 冲突 1).
    pub fn sync_status(self, s: &super::sync::SyncStatus) -> String {
        let mut parts = Vec::new();
        match (self, s.offline, s.last_ok) {
            (Lang::Zh, true, _) => parts.push(format!("离线，{} 条待上传", s.waiting)),
            (Lang::En, true, _) => parts.push(format!("offline, {} to send", s.waiting)),
            (Lang::Zh, false, Some(t)) => parts.push(format!("已同步 {}", t.format("%H:%M"))),
            (Lang::En, false, Some(t)) => parts.push(format!("synced {}", t.format("%H:%M"))),
            (Lang::Zh, false, None) => parts.push("同步中…".to_string()),
            (Lang::En, false, None) => parts.push("syncing…".to_string()),
        }
        if !s.offline && s.waiting > 0 {
            parts.push(match self {
                Lang::Zh => format!("{} 条待上传", s.waiting),
                Lang::En => format!("{} to send", s.waiting),
            });
        }
        if s.refused > 0 {
            parts.push(match self {
                Lang::Zh => format!("拒收 {}", s.refused),
                Lang::En => format!("refused {}", s.refused),
            });
        }
        if s.conflicts > 0 {
            parts.push(match self {
                Lang::Zh => format!("冲突 {}", s.conflicts),
                Lang::En => format!("conflicts {}", s.conflicts),
            });
        }
        parts.join(" · ")
    }

    pub fn who_title(self) -> &'static str {
        match self {
            Lang::Zh => "您是谁？",
            Lang::En => "Who are you?",
        }
    }

    pub fn who_explained(self) -> &'static str {
        match self {
            Lang::Zh => {
                "您的姓名写在本机记录的每一步上（只问这一次，保存在配置文件中）。Enter 保存，Esc 暂用系统用户名。"
            }
            Lang::En => {
                "Your name is written on every step taken at this desk (asked once, kept in the configuration). Enter saves; Esc uses the system user for now."
            }
        }
    }

    pub fn who_saved(self, name: &str) -> String {
        match self {
            Lang::Zh => format!("已保存：本机由 {name} 使用。"),
            Lang::En => format!("saved: this desk is {name}'s."),
        }
    }

    pub fn conflicts_title(self) -> &'static str {
        match self {
            Lang::Zh => "冲突：未生效的步骤",
            Lang::En => "Conflicts: steps not in effect",
        }
    }

    /// What a new name in a field is (新企业, 新服务管家, 新部门).
    pub fn new_what(self, id: crate::tui::widgets::form::FieldId) -> &'static str {
        use crate::tui::widgets::form::FieldId;
        match (self, id) {
            (Lang::Zh, FieldId::Enterprise) => "新企业",
            (Lang::Zh, FieldId::Steward) => "新服务管家",
            (Lang::Zh, _) => "新部门",
            (Lang::En, FieldId::Enterprise) => "new enterprise ",
            (Lang::En, FieldId::Steward) => "new steward ",
            (Lang::En, _) => "new department ",
        }
    }

    /// Said in a form that holds names the desk does not know, before they are created.
    pub fn new_names(self, names: &[String]) -> String {
        match self {
            Lang::Zh => format!(
                "{}：确认无误请再按 Ctrl-S，将一并新建并保存（Esc 修改）。",
                names.join("、")
            ),
            Lang::En => format!(
                "{}: press Ctrl-S again to create and save (Esc to change).",
                names.join(", ")
            ),
        }
    }

    /// What a step will do, with its values, before it is done (withdrawing, closing, feedback
    /// and resolving on the spot ask first): "回访评价：非常满意，办结诉求 12？".
    pub fn confirm_step(self, appeal: &str, action: &crate::desk::Action) -> String {
        use crate::desk::Action;
        let keys = self.pick("  y 确定 · n 返回", "  y yes · n back");
        let what = match (self, action) {
            (Lang::Zh, Action::Feedback { rating, .. }) if rating.closes() => format!(
                "回访评价 {} 分（{}），办结诉求 {appeal}？",
                rating.score(),
                self.satisfaction(*rating)
            ),
            (Lang::Zh, Action::Feedback { rating, .. }) => format!(
                "回访评价 {} 分（{}），诉求 {appeal} 重办？",
                rating.score(),
                self.satisfaction(*rating)
            ),
            (Lang::En, Action::Feedback { rating, .. }) if rating.closes() => format!(
                "Record {} ({}) and close appeal {appeal}?",
                rating.score(),
                self.satisfaction(*rating)
            ),
            (Lang::En, Action::Feedback { rating, .. }) => format!(
                "Record {} ({}) and reopen appeal {appeal}?",
                rating.score(),
                self.satisfaction(*rating)
            ),
            (Lang::Zh, Action::Withdraw { reason }) => {
                format!("撤回诉求 {appeal}（理由：{reason}）？此操作不可撤销。")
            }
            (Lang::En, Action::Withdraw { reason }) => {
                format!("Withdraw appeal {appeal} ({reason})? This cannot be undone.")
            }
            (Lang::Zh, Action::Close { note }) => {
                format!("不经回访办结诉求 {appeal}（说明：{note}）？")
            }
            (Lang::En, Action::Close { note }) => {
                format!("Close appeal {appeal} without feedback ({note})?")
            }
            // Only the steps above ask first.
            _ => self.pick("确定吗？", "Really?").to_string(),
        };
        format!("{what}{keys}")
    }

    /// Resolving on the spot, with the answer given.
    pub fn confirm_on_spot(self, answer: &str) -> String {
        match self {
            Lang::Zh => format!("当场解决并办结（答复：{answer}）？  y 确定 · n 返回"),
            Lang::En => format!("Resolve on the spot and close ({answer})?  y yes · n back"),
        }
    }

    /// Said by a capture with no meeting chosen, before it is saved.
    pub fn outside_a_meeting(self) -> &'static str {
        self.pick(
            "未选现场会（将记为现场会之外登记；Ctrl-N 新建今天的现场会）",
            "no meeting chosen (recorded outside a meeting; Ctrl-N records today's)",
        )
    }

    /// How long an appeal with no due date running has waited (listed, or answered).
    pub fn waited(self, days: i64) -> String {
        match self {
            Lang::Zh => format!("已等 {days} 天"),
            Lang::En => format!("waited {days}d"),
        }
    }

    pub fn next_step_header(self) -> &'static str {
        self.pick("下一步", "Next step")
    }

    /// What the appeal waits for next, and from whom (待签收 → 催签收 when late).
    pub fn next_step(self, status: crate::domain::Status, ack_late: bool) -> &'static str {
        use crate::domain::Status;
        match status {
            Status::Captured => self.pick("列入清单", "list it"),
            Status::Listed => self.pick("交办", "assign"),
            Status::Assigned if ack_late => self.pick("催签收", "chase ack"),
            Status::Assigned => self.pick("签收", "acknowledge"),
            Status::InProgress => self.pick("答复", "answer"),
            Status::Answered => self.pick("回访", "feedback"),
            Status::Closed | Status::Withdrawn => "",
        }
    }

    /// A breakdown's group as people read it: a meeting by its date and venue, and the group of
    /// appeals that have none said in words (no meeting, not yet assigned).
    pub fn group_name(
        self,
        dim: crate::domain::figures::Dimension,
        key: &str,
        meetings: &[crate::domain::Meeting],
    ) -> String {
        use crate::domain::figures::Dimension;
        if key == "—" {
            return match dim {
                Dimension::Dept => {
                    self.pick("（未交办，无主办部门）", "(not assigned: no lead dept)")
                }
                Dimension::Steward => {
                    self.pick("（未交办，无服务管家）", "(not assigned: no steward)")
                }
                Dimension::Meeting => self.pick("（现场会之外登记）", "(outside a meeting)"),
                _ => self.pick("（无）", "(none)"),
            }
            .to_string();
        }
        match dim {
            Dimension::Meeting => match key
                .parse::<u64>()
                .ok()
                .and_then(|n| meetings.iter().find(|m| m.number == n))
            {
                Some(m) => format!("#{} {} {}", m.number, m.date.format("%m-%d"), m.venue),
                None => key.to_string(),
            },
            _ => key.to_string(),
        }
    }

    pub fn tab_records(self) -> &'static str {
        self.pick("F6 登记册", "F6 Registry")
    }

    pub fn no_records(self) -> &'static str {
        self.pick("（还没有记录；n 新增）", "(nothing yet; n adds one)")
    }

    pub fn record_title(self, shelf: &str, correcting: bool) -> String {
        match (self, correcting) {
            (Lang::Zh, true) => format!("修改{shelf}"),
            (Lang::Zh, false) => format!("新增{shelf}"),
            (Lang::En, true) => format!("Correct: {shelf}"),
            (Lang::En, false) => format!("Add: {shelf}"),
        }
    }

    pub fn record_saved(self, name: &str) -> String {
        match self {
            Lang::Zh => format!("已保存：{name}。"),
            Lang::En => format!("saved: {name}."),
        }
    }

    /// Said before a second meeting on the same day at the same venue is recorded.
    pub fn same_meeting(self, number: u64) -> String {
        match self {
            Lang::Zh => format!("同一天同一地点已有现场会 #{number}"),
            Lang::En => format!("meeting #{number} is on the same day at the same venue"),
        }
    }

    /// What stopped the desk in the terminal.
    pub fn tui_error(self, e: &super::TuiError) -> String {
        use super::TuiError;
        match (self, e) {
            (_, TuiError::Desk(d)) => self.error(d),
            (Lang::Zh, TuiError::NoTerminal) => {
                "工作台需要在终端中运行；脚本请使用子命令（zhuqi --help）。".into()
            }
            (Lang::En, TuiError::NoTerminal) => {
                "the desk needs a terminal; scripts use the subcommands (zhuqi --help).".into()
            }
            (Lang::Zh, TuiError::Terminal(e)) => format!("终端出错：{e}（终端已恢复）。"),
            (Lang::En, TuiError::Terminal(e)) => {
                format!("the terminal failed: {e} (it has been restored).")
            }
        }
    }
}
