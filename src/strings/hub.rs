//! The team desk's sentences: the hub, joining it, sync and conflicts, in both languages.

use super::Lang;
use crate::desk::sync::SyncReport;
use crate::hub::{DeskRole, HubError, InitReport, NewDesk};

impl Lang {
    pub fn hub_error(self, e: &HubError) -> String {
        match (self, e) {
            (Lang::Zh, HubError::BadUrl(m)) => format!("无法读取枢纽（hub）地址：{m}。"),
            (Lang::Zh, HubError::Tls(m)) => format!("无法建立 TLS 加密连接：{m}。"),
            (Lang::Zh, HubError::Unreachable(m)) => {
                format!("无法连接枢纽（{m}）；本机继续离线工作，联网后再同步。")
            }
            (Lang::Zh, HubError::Refused(m)) => format!("枢纽拒绝：{m}。"),
            (Lang::Zh, HubError::NotInitialised) => {
                "该数据库还没有 zhuqi 枢纽；先用 `zhuqi hub init URL` 创建。".into()
            }
            (Lang::Zh, HubError::NewerSchema(v)) => {
                format!("枢纽由更新版本的 zhuqi 建立（结构版本 {v}）；请先升级 zhuqi。")
            }
            (Lang::Zh, HubError::OlderSchema(v)) => {
                format!("枢纽结构版本较旧（{v}）；用 `zhuqi hub init URL` 升级。")
            }
            (Lang::Zh, HubError::NotADesk) => {
                "该登录不是枢纽的工作台；请管理员用 `zhuqi hub desk add` 添加。".into()
            }
            (Lang::Zh, HubError::DeskExists(n)) => {
                format!("枢纽上已有名为 {n} 的工作台；请换一个名字。")
            }
            (Lang::Zh, HubError::BadDeskName(n)) => format!(
                "工作台名称须为 1 至 40 个字母、数字或 . - _（如 xz-laptop-3），而不是 {n:?}。"
            ),
            (Lang::Zh, HubError::BadRole(r)) => {
                format!("角色 {r:?} 无效：可用 officer、steward、supervisor、viewer。")
            }
            (Lang::En, e) => format!("{e}."),
        }
    }

    pub fn role(self, role: DeskRole) -> &'static str {
        match (self, role) {
            (Lang::Zh, DeskRole::Officer) => "服务专员",
            (Lang::Zh, DeskRole::Steward) => "服务管家",
            (Lang::Zh, DeskRole::Supervisor) => "督办",
            (Lang::Zh, DeskRole::Viewer) => "只读",
            (Lang::En, r) => r.key(),
        }
    }

    pub fn hub_initialised(self, report: InitReport) -> String {
        match (self, report) {
            (Lang::Zh, InitReport::Created { version }) => {
                format!("已建立枢纽（结构版本 {version}）。")
            }
            (Lang::En, InitReport::Created { version }) => {
                format!("hub created (schema version {version}).")
            }
            (Lang::Zh, InitReport::AlreadyCurrent { version }) => {
                format!("枢纽已是结构版本 {version}，未作改动。")
            }
            (Lang::En, InitReport::AlreadyCurrent { version }) => {
                format!("the hub is at schema version {version} already; nothing changed.")
            }
        }
    }

    pub fn desk_added(self, d: &NewDesk) -> String {
        match self {
            Lang::Zh => format!(
                "已添加工作台 {}（{}）。该工作台用下面的地址加入枢纽（只显示这一次，含密码，请妥善交付）：\n  zhuqi hub join \"{}\"",
                d.desk,
                self.role(d.role),
                d.url
            ),
            Lang::En => format!(
                "desk {} added ({}). It joins the hub with this address (shown this once; it holds the password):\n  zhuqi hub join \"{}\"",
                d.desk,
                self.role(d.role),
                d.url
            ),
        }
    }

    pub fn hub_joined(self, desk: &str, role: DeskRole) -> String {
        match self {
            Lang::Zh => format!(
                "已加入枢纽：本机是工作台 {desk}（{}）。用 `zhuqi sync` 同步。",
                self.role(role)
            ),
            Lang::En => format!(
                "joined the hub: this is desk {desk} ({}). `zhuqi sync` syncs.",
                self.role(role)
            ),
        }
    }

    /// What a sync moved, a line each; `label` shows a number as people read it.
    pub fn sync_report(self, r: &SyncReport, label: &dyn Fn(u64) -> String) -> String {
        let mut out = match self {
            Lang::Zh => format!(
                "已同步：上传 {} 条，下载 {} 条，新诉求 {} 件，冲突 {} 处。\n",
                r.pushed, r.pulled, r.new_appeals, r.conflicts
            ),
            Lang::En => format!(
                "synced: {} sent, {} received, {} new appeals, {} conflicts.\n",
                r.pushed, r.pulled, r.new_appeals, r.conflicts
            ),
        };
        for (before, after) in &r.renumbered {
            out.push_str(&match self {
                Lang::Zh => format!("  编号 {} → {}\n", label(*before), label(*after)),
                Lang::En => format!("  number {} → {}\n", label(*before), label(*after)),
            });
        }
        if r.conflicts > 0 {
            out.push_str(match self {
                Lang::Zh => "  有步骤未生效（冲突）：`zhuqi conflicts` 列出，需由人处理。\n",
                Lang::En => "  some steps are not in effect (conflicts): `zhuqi conflicts` lists them for a person to settle.\n",
            });
        }
        out
    }

    /// The refused events of a sync (stderr; the sync exits 1).
    pub fn sync_refused(self, r: &SyncReport) -> String {
        let mut out = match self {
            Lang::Zh => format!(
                "枢纽拒收了本机的 {} 条记录（仍留在本机，其余已同步）：",
                r.refused.len()
            ),
            Lang::En => format!(
                "the hub refused {} of this desk's events (they stay here; the rest went):",
                r.refused.len()
            ),
        };
        for e in &r.refused {
            out.push_str(&format!("\n  {} ({}): {}", e.what, e.id, e.reason));
        }
        out
    }

    pub fn sync_offline(self, waiting: usize) -> String {
        match self {
            Lang::Zh => format!("离线：{waiting} 条记录待上传。"),
            Lang::En => format!("offline: {waiting} events wait to be sent."),
        }
    }

    pub fn no_conflicts(self) -> String {
        match self {
            Lang::Zh => "没有未生效的步骤（无冲突）。".into(),
            Lang::En => "no steps out of effect (no conflicts).".into(),
        }
    }

    /// `zh` or `en`, as `--lang` takes it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn desk_already_in_terminal(self) -> String {
        match self {
            Lang::Zh => "该数据目录的工作台已在另一个终端中打开。".into(),
            Lang::En => "the desk of this data directory is open in another terminal.".into(),
        }
    }

    pub fn not_while_open(self) -> String {
        match self {
            Lang::Zh => "工作台打开时不能执行该命令；请先关闭终端中的工作台。".into(),
            Lang::En => "this command cannot run while the desk is open; close the desk in the terminal first.".into(),
        }
    }

    pub fn command_done(self, argv: &[String]) -> String {
        let shown: Vec<&str> = argv.iter().skip(1).map(String::as_str).collect();
        match self {
            Lang::Zh => format!("已执行命令：zhuqi {}", shown.join(" ")),
            Lang::En => format!("command carried out: zhuqi {}", shown.join(" ")),
        }
    }

    pub fn not_in_effect(self) -> &'static str {
        match self {
            Lang::Zh => "未生效",
            Lang::En => "not in effect",
        }
    }
}
