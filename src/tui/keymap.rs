//! The desk's one key table: for each screen, form and box, which key does what, in 中文 and
//! English. The app dispatches keys through it, and the hint line and the help screen are made
//! from it, so the three cannot drift apart. Keys a form's own fields handle (moving between
//! fields, completion, choices) are listed for the help but dispatched by the form.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::ChangeKind;
use crate::strings::Lang;

/// Where the keys go: a screen, a form, or a box on top of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    Welcome,
    Meeting,
    /// Typing in the capture form.
    Capture,
    List,
    /// Typing the list's filter.
    Filter,
    Detail,
    Board,
    Figures,
    /// The registry: stewards, enterprises, departments, meetings.
    Records,
    /// A form in a box: a step on an appeal, a new meeting, a period, the person's name.
    Form,
    /// A list to choose from in a box: meetings, conflicts.
    Picker,
    Confirm,
    Draft,
    Duplicate,
    Notice,
    Help,
}

impl Context {
    pub const ALL: [Context; 16] = [
        Context::Welcome,
        Context::Meeting,
        Context::Capture,
        Context::List,
        Context::Filter,
        Context::Detail,
        Context::Board,
        Context::Figures,
        Context::Records,
        Context::Form,
        Context::Picker,
        Context::Confirm,
        Context::Draft,
        Context::Duplicate,
        Context::Notice,
        Context::Help,
    ];

    /// Whether keys are text here (letters are typed, not commands).
    pub fn typing(self) -> bool {
        matches!(self, Context::Capture | Context::Filter | Context::Form)
    }

    /// Whether this is a screen (not a box on top of one): the screen keys F2–F5 work there.
    fn screen(self) -> bool {
        matches!(
            self,
            Context::Meeting
                | Context::Capture
                | Context::List
                | Context::Filter
                | Context::Detail
                | Context::Board
                | Context::Figures
                | Context::Records
        )
    }
}

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Act {
    Quit,
    Help,
    CloseHelp,
    ToMeeting,
    ToList,
    ToBoard,
    ToFigures,
    ToRecords,
    NewRecord,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    ScrollUp,
    ScrollDown,
    PrevTab,
    NextTab,
    Open,
    Back,
    StartFilter,
    EndFilter,
    ClearFilter,
    Sort,
    ExportView,
    Conflicts,
    LoadDemo,
    StartEmpty,
    NewMeeting,
    PickMeeting,
    StartCapture,
    LeaveForm,
    Save,
    Cancel,
    EditInEditor,
    Urge,
    PrevPeriod,
    NextPeriod,
    NextBreakdown,
    PrevBreakdown,
    CustomPeriod,
    Step(ChangeKind),
    Yes,
    No,
    Restore,
    Discard,
    SaveAsNew,
    AddAsNote,
    WriteNotice,
    Choose,
    // Handled by a form's fields; listed for the help.
    NextField,
    PrevField,
    TakeSuggestion,
    PickSuggestion,
    SaveNew,
    ChangeChoice,
    FilterByInitials,
}

/// A key, as the table names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

impl Key {
    fn matches(&self, key: &KeyEvent) -> bool {
        let is_ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        self.code == key.code && self.ctrl == is_ctrl
    }
}

/// What a binding is called, in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Words {
    Said(&'static str, &'static str),
    /// A lifecycle step, in the words the rest of the desk uses for it.
    Step(ChangeKind),
}

/// One line of the table.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub keys: &'static [Key],
    /// How the keys are written in the hint line and the help.
    pub label: &'static str,
    pub act: Act,
    pub words: Words,
    /// Shown on the hint line (everything is in the help).
    pub hint: bool,
    /// Dispatched by the focused form's fields, not by the app.
    pub by_field: bool,
}

const fn b(
    keys: &'static [Key],
    label: &'static str,
    act: Act,
    zh: &'static str,
    en: &'static str,
) -> Binding {
    Binding {
        keys,
        label,
        act,
        words: Words::Said(zh, en),
        hint: true,
        by_field: false,
    }
}

/// In the help only.
const fn quiet(binding: Binding) -> Binding {
    Binding {
        hint: false,
        ..binding
    }
}

/// Dispatched by the form's fields (listed for the help).
const fn field(binding: Binding) -> Binding {
    Binding {
        by_field: true,
        ..binding
    }
}

const fn step(keys: &'static [Key], label: &'static str, kind: ChangeKind) -> Binding {
    Binding {
        keys,
        label,
        act: Act::Step(kind),
        words: Words::Step(kind),
        hint: true,
        by_field: false,
    }
}

/// Keys that work everywhere.
const ALWAYS: &[Binding] = &[
    quiet(b(
        &[ctrl('c')],
        "Ctrl-C",
        Act::Quit,
        "退出（草稿保留）",
        "quit (drafts kept)",
    )),
    quiet(b(&[code(KeyCode::F(1))], "F1", Act::Help, "帮助", "help")),
];

/// The screens, from any screen (typing or not).
const SCREENS: &[Binding] = &[
    quiet(b(
        &[code(KeyCode::F(2))],
        "F2",
        Act::ToMeeting,
        "现场会",
        "meeting",
    )),
    quiet(b(
        &[code(KeyCode::F(3))],
        "F3",
        Act::ToList,
        "诉求清单",
        "appeal list",
    )),
    quiet(b(
        &[code(KeyCode::F(4))],
        "F4",
        Act::ToBoard,
        "督办",
        "board",
    )),
    quiet(b(
        &[code(KeyCode::F(5))],
        "F5",
        Act::ToFigures,
        "统计",
        "figures",
    )),
    quiet(b(
        &[code(KeyCode::F(6))],
        "F6",
        Act::ToRecords,
        "登记册",
        "registry",
    )),
];

/// `?` is help wherever letters are not text.
const QUESTION: Binding = b(&[ch('?')], "?", Act::Help, "帮助", "help");
/// Moving through rows and pages reads the same on every screen that has them.
const MOVE_UP: Binding = b(
    &[code(KeyCode::Up), ch('k')],
    "↑/↓",
    Act::Up,
    "移动",
    "move",
);
const MOVE_DOWN: Binding = quiet(b(
    &[code(KeyCode::Down), ch('j')],
    "↓/j",
    Act::Down,
    "下移",
    "down",
));
const PAGE_UP: Binding = quiet(b(
    &[code(KeyCode::PageUp)],
    "PgUp",
    Act::PageUp,
    "上翻一页",
    "page up",
));
const PAGE_DOWN: Binding = quiet(b(
    &[code(KeyCode::PageDown)],
    "PgDn",
    Act::PageDown,
    "下翻一页",
    "page down",
));

const WELCOME: &[Binding] = &[
    b(&[ch('d')], "d", Act::LoadDemo, "载入示例", "load the demo"),
    b(
        &[code(KeyCode::Enter)],
        "Enter",
        Act::StartEmpty,
        "从空白开始",
        "start empty",
    ),
    b(&[ch('q')], "q", Act::Quit, "退出", "quit"),
];

const MEETING: &[Binding] = &[
    b(
        &[code(KeyCode::Enter), ch('i')],
        "Enter/i",
        Act::StartCapture,
        "登记诉求",
        "capture",
    ),
    b(
        &[ctrl('n')],
        "Ctrl-N",
        Act::NewMeeting,
        "新建现场会",
        "new meeting",
    ),
    b(
        &[ctrl('o')],
        "Ctrl-O",
        Act::PickMeeting,
        "选择现场会",
        "pick meeting",
    ),
    quiet(b(&[ch('l')], "l", Act::ToList, "诉求清单", "appeal list")),
    b(
        &[code(KeyCode::F(3))],
        "F3",
        Act::ToList,
        "诉求清单",
        "appeal list",
    ),
    QUESTION,
    b(&[ch('q')], "q", Act::Quit, "退出", "quit"),
];

const CAPTURE: &[Binding] = &[
    field(b(
        &[code(KeyCode::Tab), code(KeyCode::Down)],
        "Tab/↓",
        Act::NextField,
        "下一项",
        "next field",
    )),
    field(b(
        &[code(KeyCode::BackTab), code(KeyCode::Up)],
        "⇧Tab/↑",
        Act::PrevField,
        "上一项",
        "previous field",
    )),
    field(b(
        &[code(KeyCode::Enter)],
        "Enter",
        Act::TakeSuggestion,
        "下一项/选中补全",
        "next / take completion",
    )),
    b(&[ctrl('s')], "Ctrl-S", Act::Save, "保存", "save"),
    b(
        &[ctrl('e')],
        "Ctrl-E",
        Act::EditInEditor,
        "用 $EDITOR 编辑诉求内容",
        "edit the text in $EDITOR",
    ),
    field(b(
        &[code(KeyCode::Left), code(KeyCode::Right)],
        "←/→",
        Act::ChangeChoice,
        "切换选项",
        "change a choice",
    )),
    b(
        &[code(KeyCode::Esc)],
        "Esc",
        Act::LeaveForm,
        "离开表单（草稿保留）",
        "leave the form (draft kept)",
    ),
    quiet(b(
        &[ctrl('n')],
        "Ctrl-N",
        Act::NewMeeting,
        "新建现场会",
        "new meeting",
    )),
    quiet(b(
        &[ctrl('o')],
        "Ctrl-O",
        Act::PickMeeting,
        "选择现场会",
        "pick meeting",
    )),
    b(&[code(KeyCode::F(1))], "F1", Act::Help, "帮助", "help"),
];

const LIST: &[Binding] = &[
    b(
        &[code(KeyCode::Left)],
        "←/→",
        Act::PrevTab,
        "切换分类",
        "tab",
    ),
    quiet(b(
        &[code(KeyCode::Right), code(KeyCode::Tab)],
        "→/Tab",
        Act::NextTab,
        "下一分类",
        "next tab",
    )),
    MOVE_UP,
    MOVE_DOWN,
    PAGE_UP,
    PAGE_DOWN,
    quiet(b(
        &[code(KeyCode::Home)],
        "Home",
        Act::Home,
        "第一条",
        "first",
    )),
    quiet(b(
        &[code(KeyCode::End)],
        "End",
        Act::End,
        "最后一条",
        "last",
    )),
    b(&[code(KeyCode::Enter)], "Enter", Act::Open, "查看", "open"),
    b(&[ch('/')], "/", Act::StartFilter, "筛选", "filter"),
    b(&[ch('s')], "s", Act::Sort, "排序", "sort"),
    b(
        &[ch('x')],
        "x",
        Act::ExportView,
        "导出当前视图",
        "export this view",
    ),
    b(&[ch('c')], "c", Act::Conflicts, "冲突", "conflicts"),
    quiet(b(
        &[code(KeyCode::Esc)],
        "Esc",
        Act::ClearFilter,
        "清除筛选",
        "clear the filter",
    )),
    quiet(b(&[ch('m')], "m", Act::ToMeeting, "现场会", "meeting")),
    b(
        &[code(KeyCode::F(2))],
        "F2",
        Act::ToMeeting,
        "现场会",
        "meeting",
    ),
    QUESTION,
    b(&[ch('q')], "q", Act::Quit, "退出", "quit"),
];

const FILTER: &[Binding] = &[
    b(
        &[code(KeyCode::Enter)],
        "Enter",
        Act::EndFilter,
        "完成",
        "done",
    ),
    b(
        &[code(KeyCode::Esc)],
        "Esc",
        Act::ClearFilter,
        "清除筛选",
        "clear",
    ),
    field(b(
        &[],
        "拼音首字母",
        Act::FilterByInitials,
        "如 ytjt",
        "e.g. ytjt (pinyin initials)",
    )),
];

const DETAIL: &[Binding] = &[
    step(&[ch('a')], "a", ChangeKind::Assign),
    step(&[ch('k')], "k", ChangeKind::Acknowledge),
    step(&[ch('b')], "b", ChangeKind::Return),
    step(&[ch('r')], "r", ChangeKind::Reassign),
    step(&[ch('n')], "n", ChangeKind::Note),
    step(&[ch('e')], "e", ChangeKind::Escalate),
    step(&[ch('x')], "x", ChangeKind::Extend),
    step(&[ch('u')], "u", ChangeKind::Urge),
    step(&[ch('w')], "w", ChangeKind::Answer),
    step(&[ch('f')], "f", ChangeKind::Feedback),
    step(&[ch('o')], "o", ChangeKind::Reopen),
    step(&[ch('d')], "d", ChangeKind::Withdraw),
    step(&[ch('c')], "c", ChangeKind::Close),
    b(&[code(KeyCode::Up)], "↑/↓", Act::ScrollUp, "滚动", "scroll"),
    quiet(b(
        &[code(KeyCode::Down)],
        "↓",
        Act::ScrollDown,
        "向下滚动",
        "scroll down",
    )),
    PAGE_UP,
    PAGE_DOWN,
    b(
        &[code(KeyCode::Esc), ch('q')],
        "Esc/q",
        Act::Back,
        "返回",
        "back",
    ),
    QUESTION,
];

const BOARD: &[Binding] = &[
    MOVE_UP,
    MOVE_DOWN,
    PAGE_UP,
    PAGE_DOWN,
    b(&[ch('u')], "u", Act::Urge, "督办", "urge"),
    b(&[code(KeyCode::Enter)], "Enter", Act::Open, "查看", "open"),
    b(
        &[code(KeyCode::F(5))],
        "F5",
        Act::ToFigures,
        "统计",
        "figures",
    ),
    QUESTION,
    b(&[ch('q')], "q", Act::Quit, "退出", "quit"),
];

const FIGURES: &[Binding] = &[
    b(
        &[code(KeyCode::Left)],
        "←/→",
        Act::PrevPeriod,
        "时间段",
        "period",
    ),
    quiet(b(
        &[code(KeyCode::Right)],
        "→",
        Act::NextPeriod,
        "下一时间段",
        "next period",
    )),
    b(
        &[ch('c')],
        "c",
        Act::CustomPeriod,
        "自定义时间段",
        "custom period",
    ),
    b(
        &[code(KeyCode::Tab)],
        "Tab",
        Act::NextBreakdown,
        "分项",
        "breakdown",
    ),
    quiet(b(
        &[code(KeyCode::BackTab)],
        "⇧Tab",
        Act::PrevBreakdown,
        "上一分项",
        "previous breakdown",
    )),
    b(&[code(KeyCode::Up)], "↑/↓", Act::ScrollUp, "滚动", "scroll"),
    quiet(b(
        &[code(KeyCode::Down)],
        "↓",
        Act::ScrollDown,
        "向下滚动",
        "scroll down",
    )),
    b(&[code(KeyCode::F(4))], "F4", Act::ToBoard, "督办", "board"),
    QUESTION,
    b(&[ch('q')], "q", Act::Quit, "退出", "quit"),
];

const RECORDS: &[Binding] = &[
    b(
        &[code(KeyCode::Left)],
        "←/→",
        Act::PrevTab,
        "服务管家/企业/部门/现场会",
        "stewards/enterprises/departments/meetings",
    ),
    quiet(b(
        &[code(KeyCode::Right), code(KeyCode::Tab)],
        "→/Tab",
        Act::NextTab,
        "下一类",
        "next shelf",
    )),
    MOVE_UP,
    MOVE_DOWN,
    b(&[ch('n')], "n", Act::NewRecord, "新增", "add"),
    b(
        &[code(KeyCode::Enter)],
        "Enter",
        Act::Open,
        "修改",
        "correct",
    ),
    QUESTION,
    b(&[ch('q')], "q", Act::Quit, "退出", "quit"),
];

const FORM: &[Binding] = &[
    field(b(
        &[code(KeyCode::Tab)],
        "Tab",
        Act::NextField,
        "下一项",
        "next field",
    )),
    quiet(field(b(
        &[code(KeyCode::BackTab)],
        "⇧Tab",
        Act::PrevField,
        "上一项",
        "previous field",
    ))),
    quiet(field(b(
        &[code(KeyCode::Up), code(KeyCode::Down)],
        "↑/↓",
        Act::PickSuggestion,
        "在补全列表中移动",
        "move in the completions",
    ))),
    quiet(field(b(
        &[code(KeyCode::Enter)],
        "Enter",
        Act::TakeSuggestion,
        "选用高亮的补全（Esc 保留所输入的）",
        "take the highlighted completion (Esc keeps what was typed)",
    ))),
    quiet(field(b(
        &[],
        "Ctrl-S ×2",
        Act::SaveNew,
        "新名称：表单先说明，再按一次 Ctrl-S 新建",
        "a new name: the form says so, Ctrl-S again creates it",
    ))),
    b(&[ctrl('s')], "Ctrl-S", Act::Save, "提交", "submit"),
    b(&[code(KeyCode::Esc)], "Esc", Act::Cancel, "取消", "cancel"),
    quiet(b(
        &[ctrl('e')],
        "Ctrl-E",
        Act::EditInEditor,
        "用 $EDITOR 编辑长文本",
        "edit a long text in $EDITOR",
    )),
    quiet(b(
        &[code(KeyCode::F(1))],
        "F1",
        Act::Help,
        "帮助（含补全用法）",
        "help (and how completion works)",
    )),
];

const PICKER: &[Binding] = &[
    b(&[code(KeyCode::Up)], "↑/↓", Act::Up, "移动", "move"),
    quiet(b(&[code(KeyCode::Down)], "↓", Act::Down, "下移", "down")),
    b(
        &[code(KeyCode::Enter)],
        "Enter",
        Act::Choose,
        "选择",
        "choose",
    ),
    b(
        &[code(KeyCode::Esc), ch('q')],
        "Esc",
        Act::Cancel,
        "取消",
        "cancel",
    ),
];

const CONFIRM: &[Binding] = &[
    b(
        &[ch('y'), code(KeyCode::Enter)],
        "y",
        Act::Yes,
        "确认",
        "yes",
    ),
    b(
        &[ch('n'), code(KeyCode::Esc)],
        "n/Esc",
        Act::No,
        "返回修改",
        "no, back",
    ),
];

const DRAFT: &[Binding] = &[
    b(
        &[code(KeyCode::Enter), code(KeyCode::Esc)],
        "Enter",
        Act::Restore,
        "恢复草稿",
        "restore it",
    ),
    b(
        &[code(KeyCode::Delete), code(KeyCode::Backspace)],
        "Del",
        Act::Discard,
        "丢弃",
        "discard it",
    ),
];

const DUPLICATE: &[Binding] = &[
    b(
        &[ch('s')],
        "s",
        Act::SaveAsNew,
        "仍然登记为新诉求",
        "save as a new appeal",
    ),
    b(
        &[ch('a')],
        "a",
        Act::AddAsNote,
        "作为办理进展追加到该诉求",
        "add it as a note to that appeal",
    ),
    b(
        &[code(KeyCode::Esc)],
        "Esc",
        Act::Cancel,
        "返回修改",
        "back to the form",
    ),
];

const NOTICE: &[Binding] = &[
    b(
        &[ch('w')],
        "w",
        Act::WriteNotice,
        "写入文件",
        "write it to a file",
    ),
    b(
        &[code(KeyCode::Esc), ch('q'), code(KeyCode::Enter)],
        "Esc",
        Act::Cancel,
        "关闭",
        "close",
    ),
];

const HELP: &[Binding] = &[b(
    &[
        code(KeyCode::Esc),
        ch('q'),
        ch('?'),
        code(KeyCode::F(1)),
        code(KeyCode::Enter),
    ],
    "Esc",
    Act::CloseHelp,
    "关闭帮助",
    "close the help",
)];

/// The table of a context.
pub fn table(context: Context) -> &'static [Binding] {
    match context {
        Context::Welcome => WELCOME,
        Context::Meeting => MEETING,
        Context::Capture => CAPTURE,
        Context::List => LIST,
        Context::Filter => FILTER,
        Context::Detail => DETAIL,
        Context::Board => BOARD,
        Context::Figures => FIGURES,
        Context::Records => RECORDS,
        Context::Form => FORM,
        Context::Picker => PICKER,
        Context::Confirm => CONFIRM,
        Context::Draft => DRAFT,
        Context::Duplicate => DUPLICATE,
        Context::Notice => NOTICE,
        Context::Help => HELP,
    }
}

/// Every binding that answers keys in a context: its own, then the screens' and the ones that
/// work everywhere.
fn answering(context: Context) -> impl Iterator<Item = &'static Binding> {
    let screens: &'static [Binding] = if context.screen() { SCREENS } else { &[] };
    table(context).iter().chain(screens).chain(ALWAYS)
}

/// What `key` asks for in `context`; `None` when the table has nothing for it (in a form, the
/// key then goes to the focused field).
pub fn dispatch(context: Context, key: &KeyEvent) -> Option<Act> {
    answering(context)
        .filter(|b| !b.by_field)
        .find(|b| b.keys.iter().any(|k| k.matches(key)))
        .map(|b| b.act)
}

impl Words {
    pub fn say(self, lang: Lang) -> String {
        match (self, lang) {
            (Words::Said(zh, _), Lang::Zh) => zh.to_string(),
            (Words::Said(_, en), Lang::En) => en.to_string(),
            (Words::Step(kind), lang) => lang.change(kind).to_string(),
        }
    }
}

/// The hint line of a context: its bindings marked as hints, those `offered` allows (a detail
/// screen offers the steps the appeal's state allows).
pub fn hints(context: Context, lang: Lang, offered: impl Fn(Act) -> bool) -> Vec<(String, String)> {
    table(context)
        .iter()
        .filter(|b| b.hint && offered(b.act))
        .map(|b| (b.label.to_string(), b.words.say(lang)))
        .collect()
}

/// The help of a context: every binding it answers (and those its fields answer), then the
/// keys that work everywhere.
pub fn help(context: Context, lang: Lang, offered: impl Fn(Act) -> bool) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for b in answering(context) {
        // A key listed by the context itself is not listed again from the keys of every screen.
        if !offered(b.act) || out.iter().any(|(label, _)| label == b.label) {
            continue;
        }
        out.push((b.label.to_string(), b.words.say(lang)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, ctrl: bool) -> KeyEvent {
        let m = if ctrl {
            KeyModifiers::CONTROL
        } else {
            KeyModifiers::NONE
        };
        KeyEvent::new(code, m)
    }

    /// Every key the table names for an action dispatches to that action (or to one listed
    /// before it for the same key), and the hint line and the help show only the table's words.
    #[test]
    fn dispatch_hints_and_help_come_from_the_same_table() {
        for context in Context::ALL {
            for binding in table(context) {
                for key in binding.keys {
                    let got = dispatch(context, &press(key.code, key.ctrl));
                    if binding.by_field {
                        // A field's key is not taken by the app, unless the context's own
                        // table dispatches it too.
                        continue;
                    }
                    let first = answering(context)
                        .filter(|b| !b.by_field)
                        .find(|b| b.keys.contains(key))
                        .map(|b| b.act);
                    assert_eq!(got, first, "{context:?} {key:?}");
                    assert!(got.is_some(), "{context:?} {key:?} dispatches nothing");
                }
            }
            for lang in [Lang::Zh, Lang::En] {
                let hints = hints(context, lang, |_| true);
                let help = help(context, lang, |_| true);
                for (label, words) in &hints {
                    let in_table = table(context)
                        .iter()
                        .any(|b| b.label == label && b.words.say(lang) == *words);
                    assert!(
                        in_table,
                        "{context:?}: hint {label} {words} is not in the table"
                    );
                    assert!(
                        help.iter().any(|(l, w)| l == label && w == words),
                        "{context:?}: hint {label} is missing from the help"
                    );
                }
                assert!(!help.is_empty(), "{context:?} has no help");
            }
        }
    }

    #[test]
    fn typing_contexts_leave_letters_to_the_fields() {
        for context in [Context::Capture, Context::Filter, Context::Form] {
            assert!(context.typing());
            for c in ['q', '?', 'a', '临'] {
                assert_eq!(dispatch(context, &press(KeyCode::Char(c), false)), None);
            }
            assert_eq!(
                dispatch(context, &press(KeyCode::Char('c'), true)),
                Some(Act::Quit)
            );
        }
        assert_eq!(
            dispatch(Context::List, &press(KeyCode::Char('?'), false)),
            Some(Act::Help)
        );
        assert_eq!(
            dispatch(Context::Detail, &press(KeyCode::Char('w'), false)),
            Some(Act::Step(ChangeKind::Answer))
        );
        // The screens from a screen, not from a box on top of it.
        assert_eq!(
            dispatch(Context::Capture, &press(KeyCode::F(4), false)),
            Some(Act::ToBoard)
        );
        assert_eq!(
            dispatch(Context::Confirm, &press(KeyCode::F(4), false)),
            None
        );
    }
}
