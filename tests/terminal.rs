//! The built binary in a real terminal (tmux), driven like a person would: keys in, the screen
//! read back. CI installs tmux (`.ci/run`); without it these tests fail and say so.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "common/strace.rs"]
mod strace;
#[path = "common/tmux.rs"]
mod tmux;
use strace::{ensure_strace, syncs_in};
use tmux::Tmux;

fn zhuqi_line(dir: &Path, extra: &str) -> String {
    format!(
        "{extra} ZHUQI_CONFIG={cfg} {bin} --data-dir {dir} --now 2024-01-10T09:00 --lang zh --actor 测试员",
        cfg = dir.join("no-config.toml").display(),
        bin = env!("CARGO_BIN_EXE_zhuqi"),
        dir = dir.display()
    )
}

fn data_dir() -> (tempfile::TempDir, PathBuf) {
    let t = common::tempdir();
    let d = t.path().join("data");
    (t, d)
}

/// Ctrl-S on a capture naming an enterprise the desk does not know: the form says it is new
/// first, and the second Ctrl-S saves.
fn save_with_a_new_enterprise(tmux: &Tmux) {
    tmux.keys(&["C-s"]);
    tmux.wait_for("新企业");
    tmux.keys(&["C-s"]);
}

/// Welcome → new meeting → the capture form, focused on the enterprise.
fn open_meeting(tmux: &Tmux) {
    tmux.wait_for("从空白开始");
    tmux.keys(&["Enter"]);
    tmux.wait_for("新建现场会");
    tmux.keys(&["Tab"]);
    tmux.text("嘉兴机场建设工地");
    tmux.keys(&["C-s"]);
    tmux.wait_for("现场会 #1");
}

#[test]
fn capture_in_chinese_quit_and_find_it_on_the_list() {
    let (_t, dir) = data_dir();
    let tmux = Tmux::start(&dir);
    tmux.text(&zhuqi_line(&dir, ""));
    tmux.keys(&["Enter"]);
    open_meeting(&tmux);
    tmux.text("浙江圆通航空投资发展有限公司");
    tmux.keys(&["Tab"]);
    tmux.text("宋敏生");
    tmux.keys(&["Tab"]);
    tmux.text("消防");
    tmux.keys(&["Tab"]);
    tmux.text("空港物流园区特殊消防审批进度慢");
    save_with_a_new_enterprise(&tmux);
    tmux.wait_for("已保存：诉求 1，待交办。");
    // The terminal's cursor is back at the start of the enterprise field for the next appeal.
    let cursor = tmux.display("#{cursor_x},#{cursor_y}");
    assert_eq!(cursor, "11,3", "{}", tmux.screen());
    tmux.keys(&["Escape", "q"]);
    tmux.wait_for_shell();
    assert_eq!(tmux.display("#{alternate_on}"), "0");

    tmux.text(&zhuqi_line(&dir, ""));
    tmux.keys(&["Enter"]);
    tmux.wait_for("现场会 #1");
    tmux.keys(&["F3"]);
    tmux.wait_for("待交办 1");
    tmux.keys(&["Left"]);
    let screen = tmux.wait_for("浙江圆通航空投资发展有限公司");
    assert!(screen.contains("消防"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for_shell();
}

#[test]
fn a_draft_survives_sigkill_and_is_offered_back_intact() {
    let (_t, dir) = data_dir();
    let tmux = Tmux::start(&dir);
    tmux.text(&zhuqi_line(&dir, ""));
    tmux.keys(&["Enter"]);
    open_meeting(&tmux);
    tmux.text("嘉兴佳利电子有限公司");
    tmux.keys(&["Tab", "Tab"]);
    tmux.text("用地");
    tmux.keys(&["Tab"]);
    tmux.text("二期厂房用地指标尚未落实");
    tmux.keys(&["Enter"]);
    tmux.text("希望加快土地出让");
    // More than a second of idle: the draft is written.
    std::thread::sleep(Duration::from_millis(1600));
    let killed = Command::new("pkill")
        .args(["-KILL", "-f", &dir.display().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("pkill: {e}"));
    assert!(killed.success(), "no zhuqi process to kill");
    drop(tmux);

    let tmux = Tmux::start(&dir);
    tmux.text(&zhuqi_line(&dir, ""));
    tmux.keys(&["Enter"]);
    let offer = tmux.wait_for("Enter 恢复草稿");
    assert!(offer.contains("嘉兴佳利电子有限公司"), "{offer}");
    tmux.keys(&["Enter"]);
    let form = tmux.wait_for("草稿已恢复");
    assert!(form.contains("企业      嘉兴佳利电子有限公司"), "{form}");
    assert!(form.contains("类别      用地"), "{form}");
    assert!(
        form.contains("诉求内容  二期厂房用地指标尚未落实"),
        "{form}"
    );
    assert!(form.contains("希望加快土地出让"), "{form}");
    assert!(
        form.contains("现场会 #1"),
        "the draft keeps its meeting: {form}"
    );
    save_with_a_new_enterprise(&tmux);
    tmux.wait_for("已保存：诉求 1，待交办。");
    tmux.keys(&["C-c"]);
    tmux.wait_for_shell();
}

#[test]
fn a_panic_gives_the_terminal_back_in_cooked_mode_on_the_main_screen() {
    let (_t, dir) = data_dir();
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let tmux = Tmux::start(&dir);
    let stty = dir.join("stty.txt");
    tmux.text(&format!(
        "{}; stty -a > {}",
        zhuqi_line(&dir, "ZHUQI_INJECT_PANIC=1"),
        stty.display()
    ));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("ZHUQI_INJECT_PANIC is set");
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "0",
        "still on the alternate screen:\n{screen}"
    );
    // The shell makes the file before stty writes it: wait for what stty says, whole.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut modes = String::new();
    while !modes.contains("icanon") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        modes = std::fs::read_to_string(&stty).unwrap_or_default();
    }
    let words: Vec<&str> = modes.split_whitespace().collect();
    assert!(
        words.contains(&"icanon") && words.contains(&"echo"),
        "the terminal was left raw: {modes}"
    );
}

#[test]
fn the_appeal_text_can_be_written_in_editor_and_the_desk_comes_back() {
    let (_t, dir) = data_dir();
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let editor = dir.join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf '由编辑器写入的诉求\\n第二行' > \"$1\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let tmux = Tmux::start(&dir);
    tmux.text(&zhuqi_line(&dir, &format!("EDITOR={}", editor.display())));
    tmux.keys(&["Enter"]);
    open_meeting(&tmux);
    tmux.keys(&["Tab", "Tab", "Tab", "C-e"]);
    let screen = tmux.wait_for("由编辑器写入的诉求");
    assert!(screen.contains("第二行"), "{screen}");
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "1",
        "the desk is back on its screen"
    );
    tmux.keys(&["C-c"]);
    tmux.wait_for_shell();
}

#[test]
fn the_first_start_asks_who_is_at_the_desk_once_and_signs_steps_with_it() {
    let (_t, dir) = data_dir();
    let cfg = dir.with_extension("config.toml");
    let line = |extra: &str| {
        format!(
            "{extra} ZHUQI_CONFIG={cfg} {bin} --data-dir {dir} --now 2024-01-10T09:00 --lang zh",
            cfg = cfg.display(),
            bin = env!("CARGO_BIN_EXE_zhuqi"),
            dir = dir.display()
        )
    };
    let tmux = Tmux::start(&dir);
    tmux.text(&line("USER=officer"));
    tmux.keys(&["Enter"]);
    let asked = tmux.wait_for("您是谁");
    assert!(
        asked.contains("officer"),
        "the system user is offered: {asked}"
    );
    // The caret is in the field, so that the IME composes in place.
    for _ in 0.."officer".len() {
        tmux.keys(&["BSpace"]);
    }
    tmux.text("朱洁");
    tmux.keys(&["Enter"]);
    let title = tmux.wait_for("已保存：本机由 朱洁 使用。");
    assert!(
        title.lines().next().is_some_and(|l| l.contains("朱洁")),
        "{title}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("新建现场会");
    tmux.keys(&["Tab"]);
    tmux.text("嘉兴机场建设工地");
    tmux.keys(&["C-s"]);
    tmux.wait_for("现场会 #1");
    tmux.text("浙江圆通航空投资发展有限公司");
    tmux.keys(&["Tab", "Tab"]);
    tmux.text("消防");
    tmux.keys(&["Tab"]);
    tmux.text("审批慢");
    save_with_a_new_enterprise(&tmux);
    tmux.wait_for("已保存：诉求 1");
    tmux.keys(&["Escape", "q"]);
    tmux.wait_for_shell();
    let kept = std::fs::read_to_string(&cfg).unwrap_or_default();
    assert!(kept.lines().any(|l| l == "actor = \"朱洁\""), "{kept}");
    // Asked once: the next start goes straight to the desk, signed by the same person.
    tmux.text(&line("USER=officer"));
    tmux.keys(&["Enter"]);
    let again = tmux.wait_for("现场会 #1");
    assert!(!again.contains("您是谁"), "{again}");
    assert!(
        again.lines().next().is_some_and(|l| l.contains("朱洁")),
        "{again}"
    );
    tmux.keys(&["Escape", "q"]);
    tmux.wait_for_shell();
    let shown = common::zhuqi(&dir, &["show", "1", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&shown)).unwrap_or_default();
    assert_eq!(v["timeline"][0]["actor"], "朱洁", "{v}");
}

#[test]
fn a_command_run_while_the_desk_is_open_is_carried_out_by_it() {
    let (_t, dir) = data_dir();
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(common::zhuqi(&dir, &["demo"]).status.success());
    let open = first_open(&dir);
    let tmux = Tmux::start(&dir);
    tmux.text(&format!(
        "ZHUQI_CONFIG={cfg} {bin} --data-dir {dir} --lang zh --actor 测试员",
        cfg = dir.join("no-config.toml").display(),
        bin = env!("CARGO_BIN_EXE_zhuqi"),
        dir = dir.display()
    ));
    tmux.keys(&["Enter"]);
    tmux.wait_for("F3");
    // Another terminal: a note on an open appeal and a read, while the desk has the store.
    let noted = common::zhuqi(&dir, &["--lang", "zh", "note", &open, "远程记录的进展"]);
    assert_eq!(noted.status.code(), Some(0), "{}", common::stderr(&noted));
    assert!(
        common::stdout(&noted).contains("已保存"),
        "{}",
        common::stdout(&noted)
    );
    let shown = common::zhuqi(&dir, &["show", &open, "--format", "json"]);
    assert_eq!(shown.status.code(), Some(0), "{}", common::stderr(&shown));
    assert!(common::stdout(&shown).contains("远程记录的进展"));
    // A mistake is told as it would be, with its exit code.
    let refused = common::zhuqi(&dir, &["note", "999", "x"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        common::stderr(&refused).contains("999"),
        "{}",
        common::stderr(&refused)
    );
    // The desk says what was done and shows it.
    tmux.wait_for("已执行命令：zhuqi");
    tmux.keys(&["q"]);
    tmux.wait_for_shell();
    // With the desk closed, commands open the store themselves again.
    let after = common::zhuqi(&dir, &["show", &open, "--format", "json"]);
    assert!(common::stdout(&after).contains("远程记录的进展"));
    assert!(
        !dir.join("desk.sock").exists(),
        "the socket goes with the desk"
    );
}

#[test]
fn commands_without_a_desk_take_turns_instead_of_failing() {
    let (_t, dir) = data_dir();
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(common::zhuqi(&dir, &["demo"]).status.success());
    let open = first_open(&dir);
    let children: Vec<_> = (0..6)
        .map(|i| {
            std::process::Command::new(env!("CARGO_BIN_EXE_zhuqi"))
                .args(["note", &open, &format!("同时写入的进展{i}")])
                .env("ZHUQI_DATA_DIR", &dir)
                .env("ZHUQI_CONFIG", dir.join("no-config.toml"))
                .env("ZHUQI_LOG_FILE", dir.join("zhuqi.log"))
                .output()
        })
        .collect();
    for (i, c) in children.into_iter().enumerate() {
        let out = c.unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "writer {i}: {}", common::stderr(&out));
    }
    let shown = common::stdout(&common::zhuqi(&dir, &["show", &open, "--format", "json"]));
    for i in 0..6 {
        assert!(shown.contains(&format!("同时写入的进展{i}")), "{i}");
    }
}

/// The number of an appeal of the demo that is in progress (a note can be added to it).
fn first_open(dir: &Path) -> String {
    let listed = common::zhuqi(
        dir,
        &["list", "--status", "in_progress", "--format", "json"],
    );
    let rows: serde_json::Value =
        serde_json::from_str(&common::stdout(&listed)).unwrap_or_default();
    rows[0]["number"]
        .as_u64()
        .map(|n| n.to_string())
        .unwrap_or_else(|| panic!("the demo has no appeal in progress"))
}

#[test]
fn a_steward_added_in_the_desk_is_assigned_without_leaving_it() {
    let (_t, dir) = data_dir();
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let captured = common::zhuqi(
        &dir,
        &[
            "--now",
            "2024-01-10T09:00",
            "capture",
            "--enterprise",
            "嘉兴佳利电子有限公司",
            "--category",
            "用地",
            "--text",
            "二期厂房用地指标尚未落实",
        ],
    );
    assert!(captured.status.success(), "{}", common::stderr(&captured));
    let tmux = Tmux::start(&dir);
    tmux.text(&zhuqi_line(&dir, ""));
    tmux.keys(&["Enter"]);
    tmux.wait_for("F6");
    tmux.keys(&["F6"]);
    tmux.wait_for("服务管家 0");
    tmux.keys(&["n"]);
    tmux.wait_for("新增服务管家");
    tmux.text("王磊");
    tmux.keys(&["Tab"]);
    tmux.text("区自然资源和规划分局");
    tmux.keys(&["C-s"]);
    tmux.wait_for("已保存：王磊。");
    tmux.keys(&["F3"]);
    tmux.wait_for("待交办 1");
    tmux.keys(&["Left", "Left", "Left", "Left", "Left", "Left"]);
    tmux.wait_for("[待交办 1]");
    tmux.keys(&["Enter"]);
    tmux.wait_for("二期厂房用地指标尚未落实");
    tmux.keys(&["a"]);
    tmux.wait_for("交办");
    tmux.text("王磊");
    tmux.keys(&["Tab"]);
    // The steward's department comes as the lead.
    tmux.wait_for("区自然资源和规划分局");
    tmux.keys(&["C-s"]);
    tmux.wait_for("已保存：诉求 1，待签收。");
    tmux.keys(&["Escape", "q"]);
    tmux.wait_for_shell();
    let shown = common::zhuqi(&dir, &["show", "1", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&shown)).unwrap_or_default();
    assert_eq!(v["steward"], "王磊");
    assert_eq!(v["lead_dept"], "区自然资源和规划分局");
}

/// A desk left open with nothing to do leaves the disk alone. sled synced both of its files
/// twice a second whether anything was written or not (on ext4 each a flush of the disk's cache),
/// for as long as the desk stayed open.
#[test]
fn an_idle_desk_does_not_sync_its_files_and_a_step_still_is_synced() {
    ensure_strace();
    let (_t, dir) = data_dir();
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(common::zhuqi(&dir, &["demo"]).status.success());
    let open = first_open(&dir);
    let trace = dir.with_extension("strace");
    let tmux = Tmux::start(&dir);
    tmux.text(&format!(
        "ZHUQI_CONFIG={cfg} strace -f -qq -e trace=fsync,fdatasync -o {trace} {bin} --data-dir {dir} --lang zh --actor 测试员",
        cfg = dir.join("no-config.toml").display(),
        trace = trace.display(),
        bin = env!("CARGO_BIN_EXE_zhuqi"),
        dir = dir.display()
    ));
    tmux.keys(&["Enter"]);
    tmux.wait_for("F3");
    // What the desk does as it opens settles first (sled's flusher ticks every 0.5 s).
    std::thread::sleep(Duration::from_millis(1500));
    let settled = syncs_in(&trace);
    std::thread::sleep(Duration::from_millis(2500));
    let idle = syncs_in(&trace);
    assert_eq!(
        idle,
        settled,
        "the idle desk synced its files {} times in 2.5 s",
        idle - settled
    );
    // A step is still on disk when it is reported.
    let noted = common::zhuqi(&dir, &["--lang", "zh", "note", &open, "空闲之后的进展"]);
    assert_eq!(noted.status.code(), Some(0), "{}", common::stderr(&noted));
    assert!(
        syncs_in(&trace) >= idle + 2,
        "the journal and the store are synced for a step"
    );
    tmux.keys(&["q"]);
    tmux.wait_for_shell();
}
