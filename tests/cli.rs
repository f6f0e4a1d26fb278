//! The command line end to end, as a script would use it: the airport story from capture to
//! closed, bad input refused with exit 1 and nothing written, a second process turned away.

mod common;

use std::path::Path;

use common::{stderr, stdout, tempdir, zhuqi, zhuqi_command};
use serde_json::Value;

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = zhuqi(dir, args);
    assert!(
        out.status.success(),
        "zhuqi {args:?} failed: {}",
        stderr(&out)
    );
    stdout(&out)
}

fn json(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(dir, args)).unwrap_or_else(|e| panic!("zhuqi {args:?}: not JSON: {e}"))
}

fn show(dir: &Path, n: &str, now: &str) -> Value {
    json(dir, &["show", n, "--format", "json", "--now", now])
}

#[test]
fn the_airport_story_from_capture_to_closed() {
    let dir = tempdir();
    let d = dir.path();
    ok(
        d,
        &[
            "meeting",
            "add",
            "--date",
            "2024-01-10",
            "--venue",
            "嘉兴机场建设工地",
            "--host",
            "李斌",
            "--dept",
            "区住建局",
            "--dept",
            "区自然资源和规划分局",
            "--now",
            "2024-01-10T09:00",
        ],
    );
    ok(
        d,
        &[
            "steward",
            "add",
            "朱洁",
            "--dept",
            "区住建局",
            "--phone",
            "0573-82000000",
        ],
    );
    ok(
        d,
        &[
            "enterprise",
            "add",
            "浙江圆通航空投资发展有限公司",
            "--contact",
            "宋敏生",
            "--credit-code",
            "91330100799655058B",
        ],
    );
    // Global options work after the verb too.
    let captured = ok(
        d,
        &[
            "capture",
            "--enterprise",
            "浙江圆通航空投资发展有限公司",
            "--category",
            "消防",
            "--text",
            "空港物流园区特殊消防审批进度慢",
            "--meeting",
            "1",
            "--contact",
            "宋敏生",
            "--now",
            "2024-01-10T09:40",
            "--actor",
            "李斌",
        ],
    );
    assert_eq!(captured, "saved: appeal 1, listed.\n");
    let on_spot = ok(
        d,
        &[
            "--now",
            "2024-01-10T10:00",
            "capture",
            "--enterprise",
            "浙江圆通航空投资发展有限公司",
            "--category",
            "水电气",
            "--text",
            "临时用电报装",
            "--meeting",
            "2024-01-10",
            "--resolved",
            "供电公司现场受理",
        ],
    );
    assert_eq!(on_spot, "saved: appeal 2, closed.\n");

    ok(
        d,
        &[
            "--now",
            "2024-01-10T11:00",
            "assign",
            "1",
            "--steward",
            "朱洁",
            "--lead",
            "区住建局",
            "--co",
            "区自然资源和规划分局",
            "--days",
            "10",
        ],
    );
    let a = show(d, "1", "2024-01-10T11:00");
    assert_eq!(
        (a["status"].as_str(), a["due"].as_str()),
        (Some("assigned"), Some("2024-01-24"))
    );
    ok(
        d,
        &["--now", "2024-01-11T09:00", "ack", "1", "--actor", "朱洁"],
    );
    ok(
        d,
        &[
            "--now",
            "2024-01-11T15:00",
            "note",
            "1",
            "住建、国土现场踏勘完毕",
        ],
    );
    ok(
        d,
        &[
            "--now",
            "2024-01-12T10:00",
            "escalate",
            "1",
            "--level",
            "province",
            "--to",
            "省住建厅",
            "--note",
            "区政府提交省级部门",
        ],
    );
    // Two days before the due date: a yellow card.
    assert_eq!(
        show(d, "1", "2024-01-22T09:00")["card"].as_str(),
        Some("yellow")
    );
    ok(
        d,
        &[
            "--now",
            "2024-01-22T16:00",
            "answer",
            "1",
            "省住建厅已出具特殊消防设计审查意见",
        ],
    );
    ok(
        d,
        &[
            "--now",
            "2024-01-23T10:00",
            "feedback",
            "1",
            "--rating",
            "5",
            "--comment",
            "很满意",
        ],
    );

    let a = show(d, "1", "2024-01-30T10:00");
    assert_eq!(a["status"].as_str(), Some("closed"));
    assert_eq!(a["closed_how"].as_str(), Some("answered"));
    assert_eq!(a["rating"].as_u64(), Some(5));
    assert_eq!(a["level"].as_str(), Some("province"));
    assert_eq!(a["escalated_to"].as_str(), Some("省住建厅"));
    assert_eq!(a["card"].as_str(), Some("none"));
    let kinds: Vec<String> = a["timeline"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|e| {
                    e["body"]["appeal"]["change"]
                        .as_object()
                        .map(|o| o.keys().cloned().collect::<String>())
                        .or_else(|| e["body"]["appeal"]["change"].as_str().map(String::from))
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        kinds,
        [
            "captured",
            "listed",
            "assigned",
            "acknowledged",
            "noted",
            "escalated",
            "answered",
            "feedback"
        ]
    );
    let actors: Vec<&str> = a["timeline"]
        .as_array()
        .map(|t| t.iter().filter_map(|e| e["actor"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(actors[0], "李斌");
    assert_eq!(actors[3], "朱洁");

    let list = json(
        d,
        &["list", "--format", "json", "--now", "2024-01-30T10:00"],
    );
    let rows = list.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["closed_how"].as_str(), Some("on_spot"));
    for key in [
        "number",
        "status",
        "enterprise",
        "category",
        "steward",
        "lead_dept",
        "due",
        "card",
        "days_overdue",
        "closed_how",
        "rating",
        "urges",
        "reopens",
    ] {
        assert!(rows[0].get(key).is_some(), "list json lacks {key}");
    }
    let text = ok(
        d,
        &["show", "1", "--lang", "zh", "--now", "2024-01-30T10:00"],
    );
    assert!(text.contains("上报：省级 · 省住建厅"), "{text}");
    assert!(text.contains("满意度      非常满意"), "{text}");
    assert!(ok(d, &["verify"]).starts_with("all well"));
}

#[test]
fn overdue_and_filters_from_the_command_line() {
    let dir = tempdir();
    let d = dir.path();
    ok(d, &["steward", "add", "陈丽", "--dept", "区经信局"]);
    for (i, cat) in ["融资", "政策", "融资"].iter().enumerate() {
        ok(
            d,
            &[
                "--now",
                "2024-03-04T09:00",
                "capture",
                "--enterprise",
                &format!("企业{i}"),
                "--category",
                cat,
                "--text",
                "诉求",
            ],
        );
    }
    ok(
        d,
        &[
            "--now",
            "2024-03-04T10:00",
            "assign",
            "1",
            "--steward",
            "陈丽",
            "--lead",
            "区经信局",
            "--due",
            "2024-03-06",
        ],
    );
    ok(
        d,
        &[
            "--now",
            "2024-03-04T10:00",
            "assign",
            "2",
            "--steward",
            "陈丽",
            "--lead",
            "区金融办",
            "--co",
            "区经信局",
        ],
    );
    let overdue = json(
        d,
        &[
            "list",
            "--overdue",
            "--format",
            "json",
            "--now",
            "2024-03-08T09:00",
        ],
    );
    let numbers: Vec<u64> = overdue
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["number"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(numbers, [1]);
    assert_eq!(overdue[0]["days_overdue"].as_i64(), Some(2));
    let by_dept = json(d, &["list", "--dept", "区经信局", "--format", "json"]);
    assert_eq!(by_dept.as_array().map(|a| a.len()), Some(2));
    let listed = json(
        d,
        &[
            "list",
            "--status",
            "listed",
            "--category",
            "融资",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        listed.as_array().map(|a| a
            .iter()
            .filter_map(|r| r["number"].as_u64())
            .collect::<Vec<_>>()),
        Some(vec![3])
    );
    // Past the calendar's last year, the desk says that only weekends were counted.
    let far = ok(
        d,
        &[
            "--now",
            "2026-11-30T10:00",
            "assign",
            "3",
            "--steward",
            "陈丽",
            "--lead",
            "区经信局",
            "--days",
            "40",
        ],
    );
    assert!(far.contains("no holidays for 2027"), "{far}");
    assert!(!ok(d, &["--now", "2024-03-04T10:00", "note", "1", "x"]).contains("no holidays"));
    let csv = ok(d, &["list", "--format", "csv", "--status", "assigned"]);
    assert_eq!(csv.lines().count(), 4);
    assert!(csv.starts_with("number,status,enterprise"));
}

/// Each bad input: exit 1, a message that says what is wrong, and not one byte written.
#[test]
fn bad_input_is_refused_clearly_and_writes_nothing() {
    let dir = tempdir();
    let d = dir.path();
    ok(d, &["steward", "add", "朱洁", "--dept", "区住建局"]);
    capture_appeal_1(d);
    let journal = std::fs::read(common::journal(d)).unwrap_or_default();
    let cases: [(&[&str], &str); 10] = [
        (
            &[
                "enterprise",
                "add",
                "某公司",
                "--credit-code",
                "91330100799655058C",
            ],
            "check character should be 'B'",
        ),
        (
            &[
                "enterprise",
                "add",
                "某公司",
                "--credit-code",
                "9133010079965505",
            ],
            "18 characters, not 16",
        ),
        (
            &[
                "assign",
                "1",
                "--steward",
                "朱洁",
                "--lead",
                "区住建局",
                "--due",
                "2024-02-30",
            ],
            "\"2024-02-30\" is not a date that exists",
        ),
        (
            &["--now", "2024-13-01", "list"],
            "\"2024-13-01\" is not a date that exists",
        ),
        (
            &[
                "capture",
                "--enterprise",
                "嘉兴佳利电子有限公司",
                "--category",
                "用地",
                "--text",
                "   ",
            ],
            "the text is empty",
        ),
        (
            &[
                "capture",
                "--enterprise",
                "嘉兴佳利电子有限公司",
                "--category",
                "吃饭",
                "--text",
                "x",
            ],
            "unknown category \"吃饭\"",
        ),
        (&["note", "99", "进展"], "there is no appeal 99"),
        (
            &["--now", "2024-01-10T10:00", "answer", "1", "已答复"],
            "cannot answer an appeal that is listed",
        ),
        (
            &[
                "assign",
                "1",
                "--steward",
                "不存在",
                "--lead",
                "区住建局",
                "--days",
                "5",
            ],
            "there is no steward named 不存在",
        ),
        (&["feedback", "1", "--rating", "6"], "\"6\" is not a rating"),
    ];
    for (args, message) in cases {
        let out = zhuqi(d, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(message),
            "{args:?}: stderr was {}",
            stderr(&out)
        );
        assert_eq!(
            std::fs::read(common::journal(d)).unwrap_or_default(),
            journal,
            "{args:?} wrote to the journal"
        );
    }
    // Usage mistakes are exit 2.
    assert_eq!(zhuqi(d, &["assign", "1"]).status.code(), Some(2));
    assert_eq!(zhuqi(d, &["frobnicate"]).status.code(), Some(2));
    // And the messages speak Chinese when asked.
    let zh = zhuqi(
        d,
        &[
            "--lang",
            "zh",
            "--now",
            "2024-01-10T10:00",
            "answer",
            "1",
            "x",
        ],
    );
    assert!(
        stderr(&zh).contains("该诉求当前为“待交办”，不能答复"),
        "{}",
        stderr(&zh)
    );
    let json: Value =
        serde_json::from_str(&ok(d, &["list", "--format", "json"])).unwrap_or(Value::Null);
    assert_eq!(json.as_array().map(|a| a.len()), Some(1));
}

/// Appeal 1, captured on 2024-01-10 at 09:00.
fn capture_appeal_1(d: &Path) {
    ok(
        d,
        &[
            "--now",
            "2024-01-10T09:00",
            "capture",
            "--enterprise",
            "嘉兴佳利电子有限公司",
            "--category",
            "用地",
            "--text",
            "用地指标",
        ],
    );
}

#[test]
fn a_second_process_is_told_who_has_the_store() {
    let dir = tempdir();
    let d = dir.path();
    capture_appeal_1(d);
    let before = std::fs::read(common::journal(d)).unwrap_or_default();
    let desk = common::open(d, "2024-01-10T09:00");
    let out = zhuqi(d, &["--now", "2024-01-10T10:00", "note", "1", "第二个进程"]);
    assert_eq!(out.status.code(), Some(1));
    let msg = stderr(&out);
    assert!(msg.contains("is already open by process"), "{msg}");
    assert!(msg.contains(&std::process::id().to_string()), "{msg}");
    assert!(msg.contains("close the other zhuqi first"), "{msg}");
    assert!(!msg.contains("WouldBlock"), "{msg}");
    // The first process's data is untouched and it carries on.
    assert_eq!(
        std::fs::read(common::journal(d)).unwrap_or_default(),
        before
    );
    assert_eq!(desk.find("1").map(|a| a.events).ok(), Some(2));
    assert!(desk.verify().unwrap_or_default().is_empty());
    drop(desk);
    ok(
        d,
        &["--now", "2024-01-10T10:00", "note", "1", "第一个进程已关闭"],
    );
}

#[cfg(unix)]
#[test]
fn a_socket_left_by_a_desk_that_did_not_close_is_passed_over() {
    let dir = tempdir();
    let d = dir.path();
    capture_appeal_1(d);
    // A desk killed with its socket still in the data directory: nothing answers there.
    drop(
        std::os::unix::net::UnixListener::bind(d.join("desk.sock"))
            .unwrap_or_else(|e| panic!("{e}")),
    );
    assert!(d.join("desk.sock").exists());
    let noted = ok(d, &["--now", "2024-01-10T10:00", "note", "1", "桌面已关"]);
    assert!(noted.contains("saved"), "{noted}");
    assert!(
        show(d, "1", "2024-01-10T10:00")
            .to_string()
            .contains("桌面已关")
    );
    // With the store held by another process, the command is told so as before.
    let desk = common::open(d, "2024-01-10T10:00");
    let out = zhuqi(d, &["--now", "2024-01-10T10:00", "note", "1", "第二个进程"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is already open by process"),
        "{}",
        stderr(&out)
    );
    drop(desk);
}

#[test]
fn the_data_directory_is_private_and_the_calendar_is_written() {
    let dir = tempdir();
    let d = dir.path().join("nested").join("zhuqi");
    ok(&d, &["list"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&d)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o700);
    }
    let cal = std::fs::read_to_string(d.join("calendar.toml")).unwrap_or_default();
    assert!(cal.contains("[years.2026]"));
    // A broken calendar stops the program with the line, not a silent fallback.
    std::fs::write(
        d.join("calendar.toml"),
        "[years.2025]\nholidays = [\"2025-02-30\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = zhuqi(&d, &["list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("calendar.toml:2:13"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn rebuild_and_backup_from_the_command_line() {
    let dir = tempdir();
    let d = dir.path();
    ok(d, &["--now", "2026-11-27T10:00", "demo"]);
    let before = ok(
        d,
        &["list", "--format", "json", "--now", "2026-11-27T10:00"],
    );
    let rebuilt = ok(d, &["rebuild"]);
    assert!(rebuilt.contains("32 appeals"), "{rebuilt}");
    assert_eq!(
        ok(
            d,
            &["list", "--format", "json", "--now", "2026-11-27T10:00"]
        ),
        before
    );
    let target = tempdir();
    let copy = target.path().join("copy");
    ok(d, &["backup", copy.to_str().unwrap_or_default()]);
    assert_eq!(
        ok(
            &copy,
            &["list", "--format", "json", "--now", "2026-11-27T10:00"]
        ),
        before
    );
}

#[test]
fn without_a_terminal_the_desk_says_to_use_the_subcommands() {
    let dir = tempdir();
    let out = zhuqi(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the desk needs a terminal"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn a_reader_that_goes_away_is_not_a_crash() {
    use std::process::{Command, Stdio};
    let dir = tempdir();
    ok(dir.path(), &["--now", "2026-11-27T10:00", "demo"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhuqi"))
        .args(["list", "--now", "2026-11-27T10:00"])
        .env("ZHUQI_DATA_DIR", dir.path())
        .env("ZHUQI_CONFIG", dir.path().join("no-config.toml"))
        .env("ZHUQI_LOG_FILE", dir.path().join("zhuqi.log"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // Close the reading end before zhuqi writes, as `zhuqi list | head -1` does after a line.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn csv_cells_a_spreadsheet_would_run_are_written_as_text() {
    let dir = tempdir();
    let captured = zhuqi(
        dir.path(),
        &[
            "capture",
            "--enterprise",
            "=HYPERLINK(\"http://x\")",
            "--category",
            "消防",
            "--text",
            "+1+1 审批慢",
        ],
    );
    assert!(captured.status.success(), "{}", stderr(&captured));
    let listed = stdout(&zhuqi(dir.path(), &["list", "--format", "csv"]));
    assert!(listed.contains("'=HYPERLINK"), "{listed}");
    assert!(listed.contains("'+1+1 审批慢"), "{listed}");
    let file = dir.path().join("out.csv");
    let exported = zhuqi(
        dir.path(),
        &[
            "export",
            "--format",
            "csv",
            "-o",
            &file.display().to_string(),
        ],
    );
    assert!(exported.status.success(), "{}", stderr(&exported));
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(!text.contains(",=HYPERLINK"), "{text}");
    // What the desk writes names people: its owner alone reads it, whatever the umask.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let xlsx = dir.path().join("out.xlsx");
        let written = zhuqi(
            dir.path(),
            &[
                "export",
                "--format",
                "xlsx",
                "-o",
                &xlsx.display().to_string(),
            ],
        );
        assert!(written.status.success(), "{}", stderr(&written));
        for f in [&file, &xlsx] {
            let mode = std::fs::metadata(f)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0);
            assert_eq!(mode, 0o600, "{}", f.display());
        }
    }
}

#[test]
fn times_and_due_dates_no_desk_could_mean_are_refused_and_write_nothing() {
    let dir = tempdir();
    assert!(
        zhuqi(
            dir.path(),
            &["steward", "add", "朱洁", "--dept", "区住建局"]
        )
        .status
        .success()
    );
    assert!(
        zhuqi(
            dir.path(),
            &[
                "capture",
                "--enterprise",
                "甲",
                "--category",
                "消防",
                "--text",
                "一"
            ]
        )
        .status
        .success()
    );
    let journal = || {
        std::fs::read(common::journal(dir.path()))
            .unwrap_or_default()
            .len()
    };
    let before = journal();
    let ahead = (chrono::Local::now() + chrono::Duration::days(3))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    for args in [
        vec!["--now", ahead.as_str(), "note", "1", "三天后的进展"],
        vec![
            "--now",
            "1999-12-31T10:00",
            "capture",
            "--enterprise",
            "乙",
            "--category",
            "消防",
            "--text",
            "二",
        ],
        vec![
            "assign",
            "1",
            "--steward",
            "朱洁",
            "--lead",
            "区住建局",
            "--due",
            "2099-01-01",
        ],
        vec![
            "assign",
            "1",
            "--steward",
            "朱洁",
            "--lead",
            "区住建局",
            "--days",
            "100000",
        ],
    ] {
        let out = zhuqi(dir.path(), &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        let said = stderr(&out);
        assert!(
            said.contains("cannot be") || said.contains("five years"),
            "{args:?}: {said}"
        );
    }
    assert_eq!(journal(), before, "nothing was written");
}

#[test]
fn an_export_in_json_lines_holds_what_the_list_holds_in_number_order() {
    const NOW: &str = "2026-11-27T10:00";
    let dir = tempdir();
    let d = dir.path();
    // Enough appeals for many parts read on both of the export's threads, open and closed
    // (the closed ones in the archive).
    generated(d, 1500);
    let file = d.join("all.jsonl");
    let path = file.to_str().unwrap_or_default();
    for status in [None, Some("open"), Some("closed")] {
        let mut list = vec!["list", "--format", "json", "--now", NOW];
        let mut export = vec!["--now", NOW, "export", "--format", "jsonl", "-o", path];
        if let Some(s) = status {
            list.extend(["--status", s]);
            export.extend(["--status", s]);
        }
        let listed: Vec<Value> = serde_json::from_str(&ok(d, &list)).unwrap_or_default();
        let said = ok(d, &export);
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let exported: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        assert!(said.contains(&exported.len().to_string()), "{said}");
        assert_eq!(exported, listed, "{status:?}");
        let numbers: Vec<u64> = exported
            .iter()
            .map(|v| v["number"].as_u64().unwrap_or_default())
            .collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{status:?}");
        if status.is_none() {
            assert_eq!(exported.len(), 1500);
        } else {
            assert!(!exported.is_empty() && exported.len() < 1500, "{status:?}");
        }
    }
}

#[test]
fn an_export_to_standard_output_holds_the_appeals_alone_and_a_reader_may_stop_early() {
    use std::io::Read;
    use std::process::Stdio;
    const NOW: &str = "2026-11-27T10:00";
    let dir = tempdir();
    let d = dir.path();
    // Over a pipe's buffer of JSON lines, so that a reader that stops early is met mid-way.
    generated(d, 400);
    let export = |format: &str| {
        let args = [
            "--now",
            NOW,
            "export",
            "--format",
            format,
            "-o",
            "/dev/stdout",
        ];
        zhuqi_command(d, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    // Read whole: every line is an appeal; the confirmation is on standard error.
    let whole = export("jsonl")
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    let text = String::from_utf8_lossy(&whole.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 400);
    for line in lines {
        assert!(serde_json::from_str::<Value>(line).is_ok(), "{line}");
    }
    assert!(
        stderr(&whole).contains("exported 400"),
        "{}",
        stderr(&whole)
    );
    // A reader that stops after a little (`| head -c 1000`).
    let mut child = export("csv");
    let mut first = [0u8; 1000];
    if let Some(out) = child.stdout.as_mut() {
        out.read_exact(&mut first).unwrap_or_else(|e| panic!("{e}"));
    }
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("Broken pipe"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

/// Fills the desk in `d` with `n` generated appeals, open and closed.
fn generated(d: &Path, n: usize) {
    let n = n.to_string();
    let args = [
        "--now",
        "2026-11-27T10:00",
        "demo",
        "--appeals",
        &n,
        "--texts",
        "/nonexistent",
    ];
    ok(d, &args);
}

/// `build.rs` links the binary at a fixed address, so that its start relocates nothing: an ELF
/// executable (`ET_EXEC`, 2), not a position-independent one (`ET_DYN`, 3).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_binary_is_linked_at_a_fixed_address() {
    use std::io::Read;
    let mut binary = [0_u8; 18];
    std::fs::File::open(env!("CARGO_BIN_EXE_zhuqi"))
        .and_then(|mut f| f.read_exact(&mut binary))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&binary[..4], b"\x7fELF");
    let e_type = u16::from_le_bytes([binary[16], binary[17]]);
    assert_eq!(
        e_type, 2,
        "the binary is position-independent (e_type {e_type})"
    );
}
