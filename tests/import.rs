//! Importing ledgers (the real TipDM data, as CSV and as XLSX, and hand-made dirty files) and
//! carrying appeals between desks in bundles.

mod common;

use std::path::{Path, PathBuf};

use common::{stderr, stdout, tempdir};
use serde_json::Value;
use zhuqi::desk::{Desk, Filter, StatusFilter};
use zhuqi::domain::{Appeal, Status};
use zhuqi::io::import::mapping::Mapping;
use zhuqi::io::import::{ImportOptions, OnError, import};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/tipdm2020c")
        .join(name)
}

/// Whether the project's real data is beside this clone (`../shared/data`); a test that reads
/// it says in one line that it was passed over when it is not (`.ci/run` insists on it).
fn shared_data(test: &str) -> bool {
    let here = data("").is_dir();
    if !here {
        // Written past the test harness's capture, so that a run shows it.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "{test}: passed over: ../shared/data is not beside this clone of the project"
        );
    }
    here
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

fn mapping(name: &str) -> Mapping {
    Mapping::load(&example(name)).unwrap_or_else(|e| panic!("{e}"))
}

fn options() -> ImportOptions {
    ImportOptions {
        dry_run: false,
        on_error: OnError::Stop,
        rejects: None,
        sheet: None,
        lang: zhuqi::strings::Lang::En,
    }
}

fn count(desk: &Desk, status: Status) -> usize {
    desk.list(&Filter {
        status: Some(StatusFilter::Is(status)),
        ..Filter::default()
    })
    .map(|r| r.len())
    .unwrap_or(0)
}

fn by_external(desk: &Desk, id: &str) -> Appeal {
    desk.all_appeals()
        .unwrap_or_default()
        .into_iter()
        .find(|a| a.external_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no appeal imported from {id}"))
}

/// The source rows of sheet 4, by 留言编号, read straight from the CSV parts.
fn sheet4_rows() -> Vec<std::collections::HashMap<String, String>> {
    let mut rows = Vec::new();
    for part in ["sheet4_replied.part1.csv", "sheet4_replied.part2.csv"] {
        let mut r = csv::Reader::from_path(data(part)).unwrap_or_else(|e| panic!("{e}"));
        let headers = r.headers().cloned().unwrap_or_default();
        for rec in r.records().map_while(Result::ok) {
            rows.push(
                headers
                    .iter()
                    .zip(rec.iter())
                    .map(|(h, v)| (h.to_string(), v.to_string()))
                    .collect(),
            );
        }
    }
    rows
}

fn local_time(s: &str) -> String {
    // The mapping reads the source's local times at +08:00.
    let formats = ["%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S"];
    let naive = formats
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(s, "%Y/%m/%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .unwrap_or_else(|| panic!("unreadable source time {s}"));
    format!("{}+08:00", naive.format("%Y-%m-%dT%H:%M:%S"))
}

fn check_against_source(desk: &Desk) {
    let rows = sheet4_rows();
    // The first row, one with _x000D_ artefacts, the one with a date-only answer time, the one
    // with a dashed received time, and the longest message.
    let dirty = rows
        .iter()
        .find(|r| r["留言详情"].contains("_x000D_") || r["答复意见"].contains("_x000D_"))
        .map(|r| r["留言编号"].clone());
    let longest = rows
        .iter()
        .max_by_key(|r| r["留言详情"].chars().count())
        .map(|r| r["留言编号"].clone());
    let mut sample = vec![
        rows[0]["留言编号"].clone(),
        "27610".to_string(),
        "2759".to_string(),
    ];
    sample.extend(dirty);
    sample.extend(longest);
    for id in sample {
        let src = rows
            .iter()
            .find(|r| r["留言编号"] == id)
            .unwrap_or_else(|| panic!("no source row {id}"));
        let a = by_external(desk, &format!("tipdm2020c:{id}"));
        let clean = |s: &str| s.replace("_x000D_", "").trim().to_string();
        assert_eq!(a.enterprise, src["留言用户"], "{id}");
        assert_eq!(
            a.text,
            format!("{}\n{}", clean(&src["留言主题"]), clean(&src["留言详情"])),
            "{id}"
        );
        assert!(
            !a.text.contains("_x000D_")
                && !a.answer.clone().unwrap_or_default().contains("_x000D_"),
            "{id}"
        );
        assert_eq!(
            a.answer.as_deref(),
            Some(clean(&src["答复意见"]).as_str()),
            "{id}"
        );
        assert_eq!(
            a.captured_at.to_rfc3339(),
            local_time(&src["留言时间"]),
            "{id}"
        );
        assert_eq!(
            a.answered_at.map(|t| t.to_rfc3339()),
            Some(local_time(&src["答复时间"])),
            "{id}"
        );
        assert_eq!(
            (a.status, a.category.as_str(), a.steward.as_deref()),
            (Status::Closed, "其他", Some("历史台账")),
            "{id}"
        );
        assert_eq!(a.closed_at, a.answered_at, "{id}");
    }
}

#[test]
fn the_answered_ledger_from_csv_and_from_xlsx() {
    if !shared_data("the_answered_ledger_from_csv_and_from_xlsx") {
        return;
    }
    let dir = tempdir();
    let desk = common::open(dir.path(), "2026-11-27T10:00");
    let m = mapping("tipdm2020c-answered.toml");
    let first = import(&desk, &data("sheet4_replied.part1.csv"), &m, &options())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((first.rows_read, first.refused.len()), (1941, 0));
    let second = import(&desk, &data("sheet4_replied.part2.csv"), &m, &options())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(second.rows_read, 875);
    assert_eq!(count(&desk, Status::Closed), 2816);
    check_against_source(&desk);
    assert!(desk.verify().unwrap_or_default().is_empty());

    // The original spreadsheet gives the same appeals.
    let other = tempdir();
    let xdesk = common::open(other.path(), "2026-11-27T10:00");
    let report = import(&xdesk, &data("full_dataset_sheet_4.xlsx"), &m, &options())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (report.rows_read, report.described.as_str()),
        (2816, "XLSX, sheet Sheet1")
    );
    assert_eq!(count(&xdesk, Status::Closed), 2816);
    check_against_source(&xdesk);

    // Importing the spreadsheet into the desk that has the CSV parts adds nothing.
    let journal = std::fs::read(common::journal(dir.path())).unwrap_or_default();
    let again = import(&desk, &data("full_dataset_sheet_4.xlsx"), &m, &options())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            again.already_imported,
            again.created.values().sum::<usize>()
        ),
        (2816, 0)
    );
    assert_eq!(
        std::fs::read(common::journal(dir.path())).unwrap_or_default(),
        journal
    );
}

#[test]
fn the_unanswered_ledger_goes_onto_the_list() {
    if !shared_data("the_unanswered_ledger_goes_onto_the_list") {
        return;
    }
    let dir = tempdir();
    let d = dir.path();
    let map = example("tipdm2020c-unanswered.toml");
    for part in ["sheet3_unreplied.part1.csv", "sheet3_unreplied.part2.csv"] {
        let out = common::zhuqi(
            d,
            &[
                "import",
                data(part).to_str().unwrap_or_default(),
                "--map",
                map.to_str().unwrap_or_default(),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let listed: Value = serde_json::from_str(&stdout(&common::zhuqi(
        d,
        &["list", "--status", "listed", "--format", "json"],
    )))
    .unwrap_or_default();
    assert_eq!(listed.as_array().map(|a| a.len()), Some(4326));
    assert_eq!(
        listed
            .as_array()
            .map(|a| a.iter().filter(|r| r["status"] != "listed").count()),
        Some(0)
    );
    let first = &listed[0];
    assert_eq!(first["enterprise"], "A000102948");
    assert!(
        first["text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("A3区一米阳光婚纱艺术摄影是否合法纳税了？\n座落在A市A3区")
    );
}

#[test]
fn a_dry_run_writes_nothing_and_says_what_would_happen() {
    if !shared_data("a_dry_run_writes_nothing_and_says_what_would_happen") {
        return;
    }
    let dir = tempdir();
    let d = dir.path();
    let map = example("tipdm2020c-answered.toml");
    common::zhuqi(
        d,
        &[
            "--now",
            "2024-01-10",
            "capture",
            "--enterprise",
            "圆通",
            "--category",
            "消防",
            "--text",
            "已有的诉求",
        ],
    );
    let journal = std::fs::read(common::journal(d)).unwrap_or_default();
    let before = stdout(&common::zhuqi(d, &["list", "--format", "json"]));
    let out = common::zhuqi(
        d,
        &[
            "import",
            data("sheet4_replied.part2.csv")
                .to_str()
                .unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
            "--dry-run",
        ],
    );
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("875 rows")
            && text.contains("would create 875 appeal(s): closed")
            && text.contains("dry run: nothing was written."),
        "{text}"
    );
    assert_eq!(
        std::fs::read(common::journal(d)).unwrap_or_default(),
        journal
    );
    assert_eq!(
        stdout(&common::zhuqi(d, &["list", "--format", "json"])),
        before
    );
}

/// A small ledger with every kind of trouble real ones have.
fn dirty_ledger(dir: &Path) -> (PathBuf, PathBuf) {
    let map = dir.join("map.toml");
    std::fs::write(
        &map,
        r#"
source = "ledger"
date_formats = ["%Y-%m-%d %H:%M", "%Y/%m/%d"]
[columns]
external_id = "编号"
enterprise = "企业"
category = "类别"
text = "诉求"
received = "受理时间"
status = "状态"
department = "部门"
steward = "管家"
answer = "答复"
answered = "答复时间"
rating = "满意度"
[status_map]
"待交办" = "listed"
"办理中" = "in_progress"
"已办结" = "closed"
"已撤回" = "withdrawn"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let long = "很长的诉求".repeat(1000);
    let csv = format!(
        "编号,企业,类别,诉求,受理时间,状态,部门,管家,答复,答复时间,满意度\n\
         1,嘉兴佳利电子有限公司,用地,二期用地指标,2024-01-08 09:00,待交办,,,,,\n\
         2,浙江圆通航空投资发展有限公司,消防,特殊消防审批_x000D_进度慢,2024-01-08 09:30,已办结,区住建局,朱洁,审查意见已出具,2024/1/19,满意\n\
         ,,,,,,,,,,\n\
         3,嘉兴天盛纺织有限公司,融资,{long},45301.5,办理中,区金融办,陈丽,,,\n\
         4,嘉兴禾润食品有限公司,消防,冷库验收,2024-02-30 10:00,待交办,,,,,\n\
         5,嘉兴博远智能装备有限公司,人才用工,,2024-01-09 10:00,待交办,,,,,\n\
         6,嘉兴锦程印染有限公司,环保,排污指标,2024-01-09 10:00,挂起,,,,,\n\
         7,嘉兴数联科技有限公司,人才用工,人才公寓,2024-01-09 10:00,已办结,区人力社保局,张伟,已安排,2024-01-05 10:00,\n"
    );
    let file = dir.join("台账.csv");
    std::fs::write(&file, csv).unwrap_or_else(|e| panic!("{e}"));
    (file, map)
}

#[test]
fn bad_rows_are_refused_with_row_and_column_and_stop_writes_nothing() {
    let dir = tempdir();
    let d = dir.path();
    let (file, map) = dirty_ledger(d);
    let args = |extra: &[&str]| {
        let mut a = vec![
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| common::zhuqi(d, &a.iter().map(String::as_str).collect::<Vec<_>>());
    let out = run(args(&[]));
    assert_eq!(out.status.code(), Some(1));
    let msg = stderr(&out);
    assert!(msg.contains("7 rows (1 empty rows passed over)"), "{msg}");
    assert!(
        msg.contains(
            "row 6, column 受理时间 (\"2024-02-30 10:00\"): is not a date in any accepted format"
        ),
        "{msg}"
    );
    assert!(
        msg.contains("row 7, column 诉求 (\"\"): is empty, and it is needed"),
        "{msg}"
    );
    assert!(
        msg.contains("row 8, column 状态 (\"挂起\"): is not a status listed"),
        "{msg}"
    );
    assert!(msg.contains("row 9, column 答复时间 (\"2024-01-05 10:00\"): the answer is dated before the appeal was received"), "{msg}");
    assert!(msg.contains("nothing was written"), "{msg}");
    assert!(
        !common::journal(d).exists()
            || std::fs::read(common::journal(d))
                .map(|j| j.is_empty())
                .unwrap_or(true)
    );

    // Skip mode: the good rows go in, the refused ones to a report.
    let out = run(args(&["--on-error", "skip"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let rejects = std::fs::read_to_string(d.join("台账.rejected.csv")).unwrap_or_default();
    assert_eq!(
        rejects.lines().count(),
        5,
        "a header and four refused rows: {rejects}"
    );
    // The refused rows themselves, as the ledger has them, with the reason added.
    assert!(
        rejects.starts_with(
            "编号,企业,类别,诉求,受理时间,状态,部门,管家,答复,答复时间,满意度,why refused\n"
        ),
        "{rejects}"
    );
    assert!(
        rejects.contains("4,嘉兴禾润食品有限公司,消防,冷库验收,2024-02-30 10:00,待交办,,,,,,\"row 6, column 受理时间"),
        "{rejects}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("台账.rejected.csv"))
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o600, "the refused rows name people: owner only");
    }
    let rows: Value =
        serde_json::from_str(&stdout(&common::zhuqi(d, &["list", "--format", "json"])))
            .unwrap_or_default();
    let rows = rows.as_array().cloned().unwrap_or_default();
    assert_eq!(
        rows.iter()
            .map(|r| r["status"].as_str().unwrap_or_default())
            .collect::<Vec<_>>(),
        ["listed", "closed", "in_progress"]
    );
    // The _x000D_ artefact is gone, the day-only answer time read, the rating kept.
    let closed = &rows[1];
    assert_eq!(closed["text"], "特殊消防审批进度慢");
    assert_eq!(closed["rating"], 4);
    let shown: Value = serde_json::from_str(&stdout(&common::zhuqi(
        d,
        &["show", "2", "--format", "json"],
    )))
    .unwrap_or_default();
    let times: Vec<&str> = shown["timeline"]
        .as_array()
        .map(|t| t.iter().filter_map(|e| e["at"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(times.last().copied(), Some("2024-01-19T00:00:00+08:00"));
    // An Excel serial date in a CSV cell, and a 5,000-character text, intact.
    let third: Value = serde_json::from_str(&stdout(&common::zhuqi(
        d,
        &["show", "3", "--format", "json"],
    )))
    .unwrap_or_default();
    assert_eq!(third["captured_at"], "2024-01-10T12:00:00+08:00");
    assert_eq!(
        third["text"].as_str().map(|t| t.chars().count()),
        Some(5000)
    );
    // Importing again adds nothing, and refuses the same rows again: rows refused and none
    // brought in is exit 1.
    let journal = std::fs::read(common::journal(d)).unwrap_or_default();
    let out = run(args(&["--on-error", "skip"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("3 row(s) already imported")
            && stderr(&out).contains("nothing new was imported"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(common::journal(d)).unwrap_or_default(),
        journal
    );
}

#[test]
fn a_gbk_ledger_from_chinese_excel() {
    let dir = tempdir();
    let d = dir.path();
    let text = "编号,企业,诉求,受理时间\n1,嘉兴市秀洲区新塍丝绸有限公司,外贸企业出口信保补贴政策不清楚,2024/1/8\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
    let file = d.join("gbk.csv");
    std::fs::write(&file, &gbk).unwrap_or_else(|e| panic!("{e}"));
    let map = d.join("map.toml");
    std::fs::write(&map, "source = \"gbk\"\n[columns]\nexternal_id = \"编号\"\nenterprise = \"企业\"\ntext = \"诉求\"\nreceived = \"受理时间\"\n[defaults]\ncategory = \"政策\"\nstatus = \"listed\"\n").unwrap_or_else(|e| panic!("{e}"));
    let out = common::zhuqi(
        d,
        &[
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
        ],
    );
    assert!(
        stdout(&out).contains("CSV, GB18030/GBK"),
        "{} {}",
        stdout(&out),
        stderr(&out)
    );
    let rows: Value =
        serde_json::from_str(&stdout(&common::zhuqi(d, &["list", "--format", "json"])))
            .unwrap_or_default();
    assert_eq!(rows[0]["enterprise"], "嘉兴市秀洲区新塍丝绸有限公司");
    assert_eq!(rows[0]["text"], "外贸企业出口信保补贴政策不清楚");
    // A mapping naming a column the file lacks is refused before any row is read.
    std::fs::write(&map, "source = \"gbk\"\n[columns]\nenterprise = \"公司\"\ntext = \"诉求\"\nreceived = \"受理时间\"\n[defaults]\ncategory = \"政策\"\nstatus = \"listed\"\n").unwrap_or_else(|e| panic!("{e}"));
    let out = common::zhuqi(
        d,
        &[
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
        ],
    );
    assert!(
        stderr(&out).contains("no column \"公司\""),
        "{}",
        stderr(&out)
    );
}

// ----- bundles -----

fn laptop(dir: &Path, now: &str, venue: &str, enterprise: &str, text: &str) {
    let out = common::zhuqi(
        dir,
        &[
            "--now",
            now,
            "meeting",
            "add",
            "--date",
            &now[..10],
            "--venue",
            venue,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = common::zhuqi(
        dir,
        &[
            "--now",
            now,
            "capture",
            "--enterprise",
            enterprise,
            "--category",
            "消防",
            "--text",
            text,
            "--meeting",
            "1",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    common::zhuqi(dir, &["--now", now, "note", "1", "现场已记录"]);
}

/// `into` takes bundles signed by the desk in `from`.
fn trust(into: &Path, from: &Path) {
    let key = stdout(&common::zhuqi(from, &["bundle", "key"]));
    let name = from
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let out = common::zhuqi(into, &["bundle", "trust", &name, key.trim()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn bundle(dir: &Path, name: &str) -> PathBuf {
    let file = dir.join(name);
    let out = common::zhuqi(
        dir,
        &[
            "bundle",
            "export",
            "--all",
            "-o",
            file.to_str().unwrap_or_default(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    file
}

/// The appeals of a desk by identity, with their meeting's venue: short numbers of appeals and
/// meetings are left out, since a merge may give them anew.
fn appeals_by_id(dir: &Path) -> Vec<(String, String, String, u32, Option<String>)> {
    let meetings: Value = serde_json::from_str(&stdout(&common::zhuqi(
        dir,
        &["meeting", "list", "--format", "json"],
    )))
    .unwrap_or_default();
    let venue = |n: Option<u64>| {
        meetings
            .as_array()
            .and_then(|ms| ms.iter().find(|m| m["number"].as_u64() == n))
            .and_then(|m| m["venue"].as_str())
            .map(String::from)
    };
    let rows: Value =
        serde_json::from_str(&stdout(&common::zhuqi(dir, &["list", "--format", "json"])))
            .unwrap_or_default();
    let mut out: Vec<_> = rows
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let shown: Value = serde_json::from_str(&stdout(&common::zhuqi(
                dir,
                &[
                    "show",
                    r["id"].as_str().unwrap_or_default(),
                    "--format",
                    "json",
                ],
            )))
            .unwrap_or_default();
            let events = shown["timeline"]
                .as_array()
                .map(|t| t.len() as u32)
                .unwrap_or(0);
            (
                r["id"].as_str().unwrap_or_default().to_string(),
                r["enterprise"].as_str().unwrap_or_default().to_string(),
                r["status"].as_str().unwrap_or_default().to_string(),
                events,
                venue(r["meeting"].as_u64()),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn bundles_merge_idempotently_and_in_either_order() {
    let root = tempdir();
    let (a, b, c1, c2) = (
        root.path().join("a"),
        root.path().join("b"),
        root.path().join("c1"),
        root.path().join("c2"),
    );
    laptop(
        &a,
        "2024-01-10T09:00",
        "嘉兴机场建设工地",
        "浙江圆通航空投资发展有限公司",
        "消防审批慢",
    );
    laptop(
        &b,
        "2024-01-10T10:00",
        "秀洲高新区",
        "嘉兴佳利电子有限公司",
        "用地指标",
    );
    let (ba, bb) = (bundle(&a, "a.bundle"), bundle(&b, "b.bundle"));
    for desk in [&c1, &c2] {
        trust(desk, &a);
        trust(desk, &b);
    }
    for (desk, order) in [(&c1, [&ba, &bb]), (&c2, [&bb, &ba])] {
        for f in order {
            let out = common::zhuqi(desk, &["bundle", "import", f.to_str().unwrap_or_default()]);
            assert!(out.status.success(), "{}", stderr(&out));
        }
    }
    let merged = appeals_by_id(&c1);
    assert_eq!(merged.len(), 2);
    assert_eq!(
        merged,
        appeals_by_id(&c2),
        "the order of the bundles does not matter"
    );
    // Both laptops called their appeal #1; on the district desk the numbers do not clash, and
    // the identity finds each appeal as well.
    let numbers: Value =
        serde_json::from_str(&stdout(&common::zhuqi(&c1, &["list", "--format", "json"])))
            .unwrap_or_default();
    let mut ns: Vec<u64> = numbers
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["number"].as_u64()).collect())
        .unwrap_or_default();
    ns.sort();
    assert_eq!(ns, vec![1, 2]);
    // The two meetings (both #1 on their laptops) stay two meetings, each appeal on its own.
    assert_eq!(
        merged
            .iter()
            .filter_map(|m| m.4.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        2
    );
    // The same meeting (day and venue) recorded on two laptops is one meeting on the desk.
    let d = root.path().join("d");
    laptop(
        &d,
        "2024-01-10T11:00",
        "嘉兴机场建设工地",
        "嘉兴禾润食品有限公司",
        "冷库验收",
    );
    trust(&c1, &d);
    common::zhuqi(
        &c1,
        &[
            "bundle",
            "import",
            bundle(&d, "d.bundle").to_str().unwrap_or_default(),
        ],
    );
    let meetings: Value = serde_json::from_str(&stdout(&common::zhuqi(
        &c1,
        &["meeting", "list", "--format", "json"],
    )))
    .unwrap_or_default();
    assert_eq!(meetings.as_array().map(|m| m.len()), Some(2));
    let rows: Value =
        serde_json::from_str(&stdout(&common::zhuqi(&c1, &["list", "--format", "json"])))
            .unwrap_or_default();
    let meeting_of = |e: &str| {
        rows.as_array()
            .and_then(|a| a.iter().find(|r| r["enterprise"] == e))
            .map(|r| r["meeting"].clone())
    };
    assert_eq!(
        meeting_of("嘉兴禾润食品有限公司"),
        meeting_of("浙江圆通航空投资发展有限公司")
    );
    // Importing a bundle again changes nothing at all.
    let journal = std::fs::read(common::journal(&c1)).unwrap_or_default();
    let out = common::zhuqi(&c1, &["bundle", "import", ba.to_str().unwrap_or_default()]);
    assert!(
        stdout(&out).contains("3 command(s), 3 already here; 0 new appeal(s)"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read(common::journal(&c1)).unwrap_or_default(),
        journal
    );
    assert!(stdout(&common::zhuqi(&c1, &["verify"])).starts_with("all well"));
}

#[test]
fn broken_bundles_are_refused_and_write_nothing() {
    let root = tempdir();
    let (a, c) = (root.path().join("a"), root.path().join("c"));
    laptop(
        &a,
        "2024-01-10T09:00",
        "嘉兴机场建设工地",
        "浙江圆通航空投资发展有限公司",
        "消防审批慢",
    );
    let good = std::fs::read(bundle(&a, "a.bundle")).unwrap_or_default();
    common::zhuqi(
        &c,
        &[
            "--now",
            "2024-01-09",
            "capture",
            "--enterprise",
            "本地",
            "--category",
            "消防",
            "--text",
            "本地诉求",
        ],
    );
    let journal = std::fs::read(common::journal(&c)).unwrap_or_default();
    let text = String::from_utf8_lossy(&good).into_owned();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated",
            good[..good.len() * 2 / 3].to_vec(),
            "cut short",
        ),
        (
            "edited",
            text.replace("消防审批慢", "消防审批快").into_bytes(),
            "changed after it was written",
        ),
        (
            "newer",
            text.replacen("{\"zhuqi_bundle\":2", "{\"zhuqi_bundle\":9", 1)
                .into_bytes(),
            "newer zhuqi",
        ),
        (
            "not a bundle",
            b"name,text\n1,2\n".to_vec(),
            "not a zhuqi bundle",
        ),
        ("empty", Vec::new(), "not a zhuqi bundle"),
    ];
    for (what, bytes, message) in cases {
        let file = root.path().join(format!("{what}.bundle"));
        std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("{e}"));
        let out = common::zhuqi(&c, &["bundle", "import", file.to_str().unwrap_or_default()]);
        assert_eq!(out.status.code(), Some(1), "{what}");
        assert!(stderr(&out).contains(message), "{what}: {}", stderr(&out));
        assert_eq!(
            std::fs::read(common::journal(&c)).unwrap_or_default(),
            journal,
            "{what} wrote something"
        );
    }
}

#[test]
fn a_malformed_csv_row_is_refused_whole_with_its_line_and_field_counts() {
    let dir = tempdir();
    let d = dir.path();
    let map = d.join("map.toml");
    std::fs::write(
        &map,
        "source = \"strict\"\ndate_formats = [\"%Y-%m-%d %H:%M\"]\n[columns]\nexternal_id = \"编号\"\n\
         enterprise = \"企业\"\ncategory = \"类别\"\ntext = \"诉求\"\nreceived = \"受理时间\"\n\
         [defaults]\nstatus = \"listed\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let file = d.join("台账.csv");
    std::fs::write(
        &file,
        "编号,企业,类别,诉求,受理时间\n\
         1,嘉兴甲企业,消防,\"多行\n的诉求\",2024-01-08 09:00\n\
         2,嘉兴乙企业,消防,\"坏的引号,2024-01-08 09:00\n\
         3,嘉兴丙企业,消防,被吞掉的行,2024-01-08 09:00\n\
         4,嘉兴丁企业,消防,\"另一个\",2024-01-08 09:00\n\
         5,嘉兴戊企业,消防,多,逗号,2024-01-08 09:00\n\
         6,嘉兴己企业,消防,最后,2024-01-08 09:00\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let run = |extra: &[&str]| {
        let mut a = vec![
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
        ];
        a.extend_from_slice(extra);
        common::zhuqi(d, &a)
    };
    for extra in [&[][..], &["--dry-run"][..]] {
        let out = run(extra);
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {}", stdout(&out));
        let said = stderr(&out);
        assert!(
            said.contains("line 4 (\"2,嘉兴乙企业,消防,坏的引号"),
            "{said}"
        );
        assert!(said.contains("text follows the closing quote"), "{said}");
        assert!(said.contains("line 7 (\"5,嘉兴戊企业"), "{said}");
        assert!(
            said.contains("has 6 fields where the header has 5"),
            "{said}"
        );
    }
    let out = run(&["--on-error", "skip"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("2 row(s) refused"),
        "{}",
        stdout(&out)
    );
    let rows: Value =
        serde_json::from_str(&stdout(&common::zhuqi(d, &["list", "--format", "json"])))
            .unwrap_or_default();
    let mut enterprises: Vec<String> = rows
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["enterprise"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    enterprises.sort();
    // The multi-line cell is a cell; nothing of the broken rows came in as if it were right.
    assert_eq!(enterprises, ["嘉兴己企业", "嘉兴甲企业"]);

    // Every row refused, even skipping: exit 1, and it says nothing was imported.
    let bad = d.join("坏.csv");
    std::fs::write(
        &bad,
        "编号,企业,类别,诉求,受理时间\n7,嘉兴庚企业,消防,多,逗号,2024-01-08 09:00\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = common::zhuqi(
        d,
        &[
            "import",
            bad.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
            "--on-error",
            "skip",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("every row was refused"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_field_the_mapping_gives_no_column_is_named_in_the_message() {
    let dir = tempdir();
    let d = dir.path();
    let map = d.join("map.toml");
    // Every row closed, and no column for the answer a closed appeal needs.
    std::fs::write(
        &map,
        "source = \"named\"\ndate_formats = [\"%Y-%m-%d %H:%M\"]\n[columns]\nexternal_id = \"编号\"\n\
         enterprise = \"企业\"\ncategory = \"类别\"\ntext = \"诉求\"\nreceived = \"受理时间\"\n\
         [defaults]\nstatus = \"closed\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let file = d.join("台账.csv");
    std::fs::write(
        &file,
        "编号,企业,类别,诉求,受理时间\n1,嘉兴甲企业,消防,诉求,2024-01-08 09:00\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = common::zhuqi(
        d,
        &[
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("column [columns] answer (none given)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_ledger_id_goes_everywhere_and_answered_and_closed_times_are_given_to_the_second() {
    let dir = tempdir();
    let d = dir.path();
    let map = d.join("map.toml");
    std::fs::write(
        &map,
        r#"source = "strict"
date_formats = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]
[columns]
external_id = "编号"
enterprise = "企业"
category = "类别"
text = "诉求"
received = "受理时间"
status = "状态"
department = "部门"
steward = "管家"
due = "期限"
answer = "答复"
answered = "答复时间"
[status_map]
"待交办" = "listed"
"已交办" = "assigned"
"已办结" = "closed"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let file = d.join("台账.csv");
    std::fs::write(
        &file,
        "编号,企业,类别,诉求,受理时间,状态,部门,管家,期限,答复,答复时间\n\
         A-1,嘉兴甲企业,消防,待交办的,2024-01-08 09:00:00,待交办,,,,,\n\
         A-2,嘉兴乙企业,消防,明年到期的,2026-11-20 09:00:00,已交办,区住建局,朱洁,2027-01-20,,\n\
         A-3,嘉兴丙企业,消防,办结了的,2024-01-08 09:00:00,已办结,区住建局,朱洁,,已答复,2024-01-19 10:30:15\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let args = |extra: &[&str]| {
        let mut a = vec![
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| common::zhuqi(d, &a.iter().map(String::as_str).collect::<Vec<_>>());
    for extra in [&["--dry-run"][..], &[][..]] {
        let out = run(args(extra));
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).contains("the calendar has no holidays for 2027"),
            "{}",
            stdout(&out)
        );
    }
    // The ledger's id is taken wherever a number is, and shown.
    let shown = common::zhuqi(d, &["show", "strict:A-2"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert!(
        stdout(&shown).contains("Ledger id   strict:A-2"),
        "{}",
        stdout(&shown)
    );
    let note = common::zhuqi(d, &["note", "strict:A-2", "按台账编号记录的进展"]);
    assert!(note.status.success(), "{}", stderr(&note));

    let rows: Value =
        serde_json::from_str(&stdout(&common::zhuqi(d, &["list", "--format", "json"])))
            .unwrap_or_default();
    let row = |id: &str| {
        rows.as_array()
            .and_then(|a| a.iter().find(|r| r["external_id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("no row with the ledger id {id}: {rows}"))
    };
    let closed = row("strict:A-3");
    assert_eq!(closed["answered_at"], "2024-01-19T10:30:15+08:00");
    assert!(
        closed["closed_at"].as_str().is_some_and(|t| t.len() == 25),
        "{closed}"
    );
    assert_eq!(row("strict:A-1")["answered_at"], Value::Null);

    let csv = d.join("all.csv");
    let jsonl = d.join("all.jsonl");
    for (format, path) in [("csv", &csv), ("jsonl", &jsonl)] {
        let out = common::zhuqi(
            d,
            &[
                "export",
                "--format",
                format,
                "-o",
                path.to_str().unwrap_or_default(),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let csv = std::fs::read_to_string(&csv).unwrap_or_default();
    assert!(
        csv.lines().next().is_some_and(|h| h.ends_with("Ledger id")),
        "{csv}"
    );
    assert!(csv.contains("strict:A-3"), "{csv}");
    let jsonl = std::fs::read_to_string(&jsonl).unwrap_or_default();
    assert_eq!(
        jsonl.matches("\"external_id\":\"strict:A-").count(),
        3,
        "{jsonl}"
    );
}

/// A mapping for the ledgers below: their words for categories and departments, a title above
/// the header, closed rows without answer or time.
fn mapping_with_maps(d: &Path, extra: &str) -> PathBuf {
    let map = d.join("map.toml");
    std::fs::write(
        &map,
        format!(
            r#"source = "city"
skip_lines = 2
{extra}
date_formats = ["%Y-%m-%d %H:%M"]
[columns]
external_id = "工单号"
enterprise = "企业"
category = "诉求类型"
text = "内容"
received = "受理时间"
status = "状态"
department = "承办单位"
steward = "管家"
[status_map]
"待处理" = "listed"
"已办结" = "closed"
[category_map]
"消防验收" = "消防"
"供电" = "水电气"
"供水" = "水电气"
[department_map]
"市住建" = "区住建局"
[defaults]
category = "其他"
answer = "已按台账办结"
closed_at = "received"
"#
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    map
}

const CITY_LEDGER: &str = "12345热线工单导出\n导出时间：2024-02-01\n\
工单号,企业,诉求类型,内容,受理时间,状态,承办单位,管家\n\
H-1,嘉兴甲企业,消防验收,冷库验收,2024-01-08 09:00,待处理,,\n\
H-2,嘉兴乙企业,供电,停电频繁,2024-01-09 10:00,已办结,市住建,朱洁\n\
H-3,嘉兴丙企业,没见过的类型,别的事,2024-01-10 11:00,待处理,,\n";

fn ledger_rows(d: &Path) -> Vec<(String, String, String)> {
    let rows: Value =
        serde_json::from_str(&stdout(&common::zhuqi(d, &["list", "--format", "json"])))
            .unwrap_or_default();
    let mut out: Vec<(String, String, String)> = rows
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r["external_id"].as_str().unwrap_or_default().to_string(),
                        r["category"].as_str().unwrap_or_default().to_string(),
                        r["lead_dept"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn a_mapping_says_what_a_ledger_means_words_title_lines_and_encodings() {
    let expected = vec![
        ("city:H-1".to_string(), "消防".to_string(), String::new()),
        (
            "city:H-2".to_string(),
            "水电气".to_string(),
            "区住建局".to_string(),
        ),
        ("city:H-3".to_string(), "其他".to_string(), String::new()),
    ];
    // The same ledger as UTF-8 and as Excel's Unicode text (UTF-16 with a BOM, tab-separated,
    // found out).
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in CITY_LEDGER.replace(',', "\t").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    for (name, bytes, extra, said) in [
        ("utf8.csv", CITY_LEDGER.as_bytes().to_vec(), "", "UTF-8"),
        ("utf16.csv", utf16, "", "UTF-16LE (by its byte-order mark)"),
    ] {
        let dir = tempdir();
        let d = dir.path();
        let map = mapping_with_maps(d, extra);
        let file = d.join(name);
        std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("{e}"));
        let out = common::zhuqi(
            d,
            &[
                "import",
                file.to_str().unwrap_or_default(),
                "--map",
                map.to_str().unwrap_or_default(),
            ],
        );
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert!(stdout(&out).contains(said), "{name}: {}", stdout(&out));
        assert_eq!(ledger_rows(d), expected, "{name}");
        // The closed row without answer or time: the defaults, said in its timeline.
        let shown = stdout(&common::zhuqi(d, &["show", "city:H-2"]));
        assert!(shown.contains("已按台账办结"), "{name}: {shown}");
        assert!(
            shown.contains("closed there, with no time given; taken as the time it was received"),
            "{name}: {shown}"
        );
    }
    // A refused row is named by its line in the file, the title lines counted.
    let dir = tempdir();
    let d = dir.path();
    let map = mapping_with_maps(d, "");
    let file = d.join("bad.csv");
    std::fs::write(
        &file,
        CITY_LEDGER.replace("2024-01-10 11:00", "2024-13-10 11:00"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = common::zhuqi(
        d,
        &[
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("row 6, column 受理时间"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_big5_ledger_under_an_ascii_header_is_read_as_the_mapping_says() {
    let dir = tempdir();
    let d = dir.path();
    let map = d.join("map.toml");
    std::fs::write(
        &map,
        "source = \"tw\"\nencoding = \"big5\"\ndate_formats = [\"%Y-%m-%d %H:%M\"]\n[columns]\n\
         external_id = \"id\"\nenterprise = \"company\"\ntext = \"text\"\nreceived = \"received\"\n\
         [defaults]\nstatus = \"listed\"\ncategory = \"其他\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let text = "id,company,text,received\n1,嘉興甲企業,廠房驗收進度慢,2024-01-08 09:00\n";
    let (big5, _, unmappable) = encoding_rs::BIG5.encode(text);
    assert!(!unmappable);
    let file = d.join("big5.csv");
    std::fs::write(&file, &big5).unwrap_or_else(|e| panic!("{e}"));
    let out = common::zhuqi(
        d,
        &[
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Big5 (as the mapping says)"),
        "{}",
        stdout(&out)
    );
    let shown: Value = serde_json::from_str(&stdout(&common::zhuqi(
        d,
        &["show", "tw:1", "--format", "json"],
    )))
    .unwrap_or_default();
    assert_eq!(shown["enterprise"], "嘉興甲企業");
    assert_eq!(shown["text"], "廠房驗收進度慢");
    // A byte Big5 cannot read is named by its line and place.
    let mut broken = big5.to_vec();
    broken.extend_from_slice(b"2,\xFF\xFF,x,2024-01-08 09:00\n");
    let file = d.join("broken.csv");
    std::fs::write(&file, &broken).unwrap_or_else(|e| panic!("{e}"));
    let out = common::zhuqi(
        d,
        &[
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let said = stderr(&out);
    assert!(
        said.contains(&format!(
            "is not Big5 text: line 3, byte {}",
            big5.len() + 2
        )),
        "{said}"
    );
}

#[test]
fn the_refused_rows_come_back_in_the_ledgers_own_format_ready_to_fix_and_import() {
    let dir = tempdir();
    let d = dir.path();
    let map = mapping_with_maps(d, "");
    let ledger = CITY_LEDGER.replace("2024-01-10 11:00", "2024-13-10 11:00");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&ledger);
    assert!(!unmappable);
    let file = d.join("热线.csv");
    std::fs::write(&file, &gbk).unwrap_or_else(|e| panic!("{e}"));
    let import = |f: &Path| {
        common::zhuqi(
            d,
            &[
                "import",
                f.to_str().unwrap_or_default(),
                "--map",
                map.to_str().unwrap_or_default(),
                "--on-error",
                "skip",
            ],
        )
    };
    let out = import(&file);
    assert!(out.status.success(), "{}", stderr(&out));
    let rejects = d.join("热线.rejected.csv");
    let bytes = std::fs::read(&rejects).unwrap_or_default();
    // GBK like the ledger, the title lines kept (the mapping passes over two), one row.
    let (text, _, malformed) = encoding_rs::GBK.decode(&bytes);
    assert!(
        !malformed && std::str::from_utf8(&bytes).is_err(),
        "written in GBK"
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(
        lines[2],
        "工单号,企业,诉求类型,内容,受理时间,状态,承办单位,管家,why refused"
    );
    assert!(
        lines[3].starts_with("H-3,嘉兴丙企业,没见过的类型,别的事,2024-13-10 11:00,待处理,,,"),
        "{text}"
    );
    // Fixed by a person, it goes in with the same mapping.
    let fixed = encoding_rs::GBK
        .encode(&text.replace("2024-13-10", "2024-01-10"))
        .0
        .into_owned();
    std::fs::write(&rejects, fixed).unwrap_or_else(|e| panic!("{e}"));
    let again = import(&rejects);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("created 1 appeal(s): listed"),
        "{}",
        stdout(&again)
    );
    assert_eq!(ledger_rows(d).len(), 3);
}

#[test]
fn a_ledger_from_a_place_with_summer_time_is_read_in_its_own_zone() {
    let dir = tempdir();
    let d = dir.path();
    let map = d.join("map.toml");
    std::fs::write(
        &map,
        "source = \"ny\"\ntimezone = \"America/New_York\"\ndate_formats = [\"%Y-%m-%d %H:%M\"]\n\
         [columns]\nexternal_id = \"id\"\nenterprise = \"company\"\ntext = \"text\"\nreceived = \"received\"\n\
         [defaults]\nstatus = \"listed\"\ncategory = \"其他\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let file = d.join("ny.csv");
    std::fs::write(
        &file,
        "id,company,text,received\n\
         1,Acme,winter,2024-01-15 09:00\n\
         2,Acme,summer,2024-07-15 09:00\n\
         3,Acme,the hour that is not,2024-03-10 02:30\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = common::zhuqi(
        d,
        &[
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
            "--on-error",
            "skip",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("times read as America/New_York (as the mapping says)"),
        "{said}"
    );
    assert!(
        said.contains(
            "row 4, column received (\"2024-03-10 02:30\"): is a time the ledger's time zone skips"
        ),
        "{said}"
    );
    let at = |id: &str| {
        let shown: Value = serde_json::from_str(&stdout(&common::zhuqi(
            d,
            &["show", id, "--format", "json"],
        )))
        .unwrap_or_default();
        shown["captured_at"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(at("ny:1"), "2024-01-15T09:00:00-05:00");
    assert_eq!(at("ny:2"), "2024-07-15T09:00:00-04:00");

    // Without a zone, the dry run says the times are read as China's.
    let plain = d.join("plain.toml");
    let text = std::fs::read_to_string(&map)
        .unwrap_or_default()
        .replace("timezone = \"America/New_York\"\n", "");
    std::fs::write(&plain, text).unwrap_or_else(|e| panic!("{e}"));
    let out = common::zhuqi(
        d,
        &[
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            plain.to_str().unwrap_or_default(),
            "--dry-run",
        ],
    );
    assert!(
        stdout(&out).contains("times read as +08:00 (China's time)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_refused_rows_of_a_spreadsheet_come_back_as_a_spreadsheet() {
    use calamine::Reader;
    let dir = tempdir();
    let d = dir.path();
    let map = d.join("map.toml");
    std::fs::write(
        &map,
        "source = \"sheet\"\ndate_formats = [\"%Y-%m-%d %H:%M\"]\n[columns]\nexternal_id = \"编号\"\n\
         enterprise = \"企业\"\ntext = \"诉求\"\nreceived = \"受理时间\"\n\
         [defaults]\nstatus = \"listed\"\ncategory = \"其他\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let file = d.join("台账.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        ["编号", "企业", "诉求", "受理时间"],
        ["1", "嘉兴甲企业", "好的", "2024-01-08 09:00"],
        ["2", "嘉兴乙企业", "坏的", "2024-13-08 09:00"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet
                .write_string(r as u32, c as u16, *cell)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    book.save(&file).unwrap_or_else(|e| panic!("{e}"));
    let import = |f: &Path| {
        common::zhuqi(
            d,
            &[
                "import",
                f.to_str().unwrap_or_default(),
                "--map",
                map.to_str().unwrap_or_default(),
                "--on-error",
                "skip",
            ],
        )
    };
    let out = import(&file);
    assert!(out.status.success(), "{}", stderr(&out));
    let rejects = d.join("台账.rejected.xlsx");
    let mut wb = calamine::open_workbook_auto(&rejects).unwrap_or_else(|e| panic!("{e}"));
    let name = wb.sheet_names().first().cloned().unwrap_or_default();
    let range = wb.worksheet_range(&name).unwrap_or_else(|e| panic!("{e}"));
    let read: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(read.len(), 2, "{read:?}");
    assert_eq!(read[0], ["编号", "企业", "诉求", "受理时间", "why refused"]);
    assert_eq!(
        &read[1][..4],
        ["2", "嘉兴乙企业", "坏的", "2024-13-08 09:00"]
    );
    assert!(read[1][4].contains("row 3, column 受理时间"), "{read:?}");

    // Fixed, the spreadsheet of refused rows imports with the same mapping.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in read.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let cell = cell.replace("2024-13-08", "2024-01-08");
            sheet
                .write_string(r as u32, c as u16, &cell)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    book.save(&rejects).unwrap_or_else(|e| panic!("{e}"));
    let again = import(&rejects);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("created 1 appeal(s): listed"),
        "{}",
        stdout(&again)
    );
}

#[test]
fn a_ledger_imported_again_brings_in_what_changed_as_steps_from_the_ledger() {
    let dir = tempdir();
    let d = dir.path();
    let map = mapping_with_maps(d, "");
    let import = |text: &str, extra: &[&str]| {
        let file = d.join("周报.csv");
        std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
        let mut args = vec![
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
        ];
        args.extend_from_slice(extra);
        common::zhuqi(d, &args)
    };
    let out = import(CITY_LEDGER, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A week on: H-1 was handled and closed, H-2's text was rewritten, H-3 is as it was.
    let week2 = CITY_LEDGER
        .replace(
            "H-1,嘉兴甲企业,消防验收,冷库验收,2024-01-08 09:00,待处理,,",
            "H-1,嘉兴甲企业,消防验收,冷库验收,2024-01-08 09:00,已办结,市住建,朱洁",
        )
        .replace("停电频繁", "停电频繁（改写过）");
    let journal = std::fs::read(common::journal(d)).unwrap_or_default();
    let dry = import(&week2, &["--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let said = stdout(&dry);
    assert!(
        said.contains("would bring what changed in the ledger into 1 appeal(s)"),
        "{said}"
    );
    assert!(
        said.contains("row 4 → appeal 1: 4 step(s) from the ledger"),
        "{said}"
    );
    assert!(
        said.contains("row 5 (appeal 2): the enterprise or the text was rewritten"),
        "{said}"
    );
    assert!(said.contains("2 row(s) already imported"), "{said}");
    assert_eq!(
        std::fs::read(common::journal(d)).unwrap_or_default(),
        journal,
        "a dry run writes nothing"
    );

    let out = import(&week2, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown: Value = serde_json::from_str(&stdout(&common::zhuqi(
        d,
        &["show", "city:H-1", "--format", "json"],
    )))
    .unwrap_or_default();
    assert_eq!(shown["status"], "closed");
    assert_eq!(shown["steward"], "朱洁");
    assert_eq!(shown["lead_dept"], "区住建局");
    let timeline = stdout(&common::zhuqi(d, &["show", "city:H-1"]));
    let steps = timeline.split("Timeline").nth(1).unwrap_or_default();
    assert_eq!(
        steps.matches("  ledger    ").count(),
        4,
        "the steps say they came from the ledger: {timeline}"
    );
    let rewritten: Value = serde_json::from_str(&stdout(&common::zhuqi(
        d,
        &["show", "city:H-2", "--format", "json"],
    )))
    .unwrap_or_default();
    assert_eq!(rewritten["text"], "停电频繁", "left as it was");
    // And once more: nothing new.
    let again = import(&week2, &[]);
    assert!(
        stdout(&again).contains("3 row(s) already imported"),
        "{}",
        stdout(&again)
    );
    assert!(stdout(&common::zhuqi(d, &["verify"])).starts_with("all well"));
}

#[test]
fn a_new_steward_and_a_later_due_date_in_the_ledger_become_steps_and_a_reopening_is_left_alone() {
    let dir = tempdir();
    let d = dir.path();
    let map = d.join("map.toml");
    std::fs::write(
        &map,
        r#"source = "upd"
date_formats = ["%Y-%m-%d %H:%M", "%Y-%m-%d"]
[columns]
external_id = "编号"
enterprise = "企业"
text = "诉求"
received = "受理时间"
status = "状态"
department = "部门"
steward = "管家"
due = "期限"
[status_map]
"已交办" = "assigned"
"已办结" = "closed"
[defaults]
category = "其他"
answer = "已办结"
closed_at = "received"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let header = "编号,企业,诉求,受理时间,状态,部门,管家,期限\n";
    let week1 = format!(
        "{header}1,嘉兴甲企业,用地,2026-11-20 09:00,已交办,区住建局,朱洁,2026-12-10\n\
         2,嘉兴乙企业,用电,2026-11-20 09:00,已办结,区住建局,朱洁,\n"
    );
    let week2 = format!(
        "{header}1,嘉兴甲企业,用地,2026-11-20 09:00,已交办,区住建局,王磊,2026-12-24\n\
         2,嘉兴乙企业,用电,2026-11-20 09:00,已交办,区住建局,朱洁,2026-12-10\n"
    );
    let file = d.join("台账.csv");
    let import = |text: &str| {
        std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
        common::zhuqi(
            d,
            &[
                "--now",
                "2026-11-30T10:00",
                "import",
                file.to_str().unwrap_or_default(),
                "--map",
                map.to_str().unwrap_or_default(),
            ],
        )
    };
    let out = import(&week1);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = import(&week2);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("row 2 → appeal 1: 2 step(s) from the ledger"),
        "{said}"
    );
    assert!(
        said.contains("row 3 (appeal 2): closed here, open in the ledger"),
        "{said}"
    );
    let one: Value = serde_json::from_str(&stdout(&common::zhuqi(
        d,
        &["show", "upd:1", "--format", "json"],
    )))
    .unwrap_or_default();
    assert_eq!(one["steward"], "王磊");
    assert_eq!(one["due"], "2026-12-24");
    assert_eq!(one["extensions"], 1);
    let two: Value = serde_json::from_str(&stdout(&common::zhuqi(
        d,
        &["show", "upd:2", "--format", "json"],
    )))
    .unwrap_or_default();
    assert_eq!(two["status"], "closed", "left as it was");
}

#[test]
fn an_answered_row_without_its_time_says_in_its_timeline_when_it_was_taken_to_be() {
    let dir = tempdir();
    let d = dir.path();
    let map = d.join("map.toml");
    std::fs::write(
        &map,
        "source = \"ans\"\ndate_formats = [\"%Y-%m-%d %H:%M\"]\n[columns]\nexternal_id = \"id\"\n\
         enterprise = \"company\"\ntext = \"text\"\nreceived = \"received\"\nanswer = \"answer\"\n\
         [defaults]\nstatus = \"answered\"\ncategory = \"其他\"\ndepartment = \"区住建局\"\n\
         steward = \"朱洁\"\nclosed_at = \"2024-01-20\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let file = d.join("a.csv");
    std::fs::write(
        &file,
        "id,company,text,received,answer\n1,嘉兴甲企业,用地,2024-01-08 09:00,已答复\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = common::zhuqi(
        d,
        &[
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stdout(&common::zhuqi(d, &["show", "ans:1"]));
    assert!(
        shown.contains("2024-01-20") && !shown.contains("00:00"),
        "a day, as the mapping gave it: {shown}"
    );
    assert!(
        shown.contains("answered with no time given; taken as 2024-01-20"),
        "{shown}"
    );
    // Imported by an office that works in Chinese, the note is in Chinese.
    let zh = tempdir();
    let out = common::zhuqi(
        zh.path(),
        &[
            "--lang",
            "zh",
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stdout(&common::zhuqi(zh.path(), &["show", "ans:1"]));
    assert!(
        shown.contains("台账导入：原台账未记答复时间，按 2024-01-20 记"),
        "{shown}"
    );
}

#[test]
fn a_day_the_ledger_gives_stays_a_day_everywhere_it_is_shown() {
    let dir = tempdir();
    let d = dir.path();
    let map = d.join("map.toml");
    std::fs::write(
        &map,
        "source = \"day\"\ndate_formats = [\"%Y-%m-%d %H:%M\", \"%Y/%m/%d\"]\n[columns]\nexternal_id = \"id\"\n\
         enterprise = \"company\"\ntext = \"text\"\nreceived = \"received\"\nanswer = \"answer\"\n\
         answered = \"answered\"\n[defaults]\nstatus = \"closed\"\ncategory = \"其他\"\n\
         department = \"区住建局\"\nsteward = \"朱洁\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let file = d.join("days.csv");
    std::fs::write(
        &file,
        "id,company,text,received,answer,answered\n\
         1,嘉兴甲企业,只有日期,2024/1/8,已答复,2024/1/19\n\
         2,嘉兴乙企业,有时刻,2024-01-08 09:30,已答复,2024-01-19 16:45\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = common::zhuqi(
        d,
        &[
            "import",
            file.to_str().unwrap_or_default(),
            "--map",
            map.to_str().unwrap_or_default(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let shown = stdout(&common::zhuqi(d, &["show", "day:1"]));
    assert!(!shown.contains("00:00"), "no midnight for a day: {shown}");
    assert!(shown.contains("Captured    2024-01-08 · "), "{shown}");
    assert!(
        shown.contains("  2024-01-19  "),
        "the answer on its day: {shown}"
    );
    let timed = stdout(&common::zhuqi(d, &["show", "day:2"]));
    assert!(
        timed.contains("2024-01-08 09:30") && timed.contains("2024-01-19 16:45"),
        "{timed}"
    );

    let rows: Value =
        serde_json::from_str(&stdout(&common::zhuqi(d, &["list", "--format", "json"])))
            .unwrap_or_default();
    let row = |id: &str| {
        rows.as_array()
            .and_then(|a| a.iter().find(|r| r["external_id"] == id))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(row("day:1")["captured_at"], "2024-01-08");
    assert_eq!(row("day:1")["answered_at"], "2024-01-19");
    assert_eq!(row("day:2")["captured_at"], "2024-01-08T09:30:00+08:00");

    let csv = d.join("all.csv");
    let out = common::zhuqi(
        d,
        &[
            "export",
            "--format",
            "csv",
            "-o",
            csv.to_str().unwrap_or_default(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(&csv).unwrap_or_default();
    let line = csv
        .lines()
        .find(|l| l.contains("只有日期"))
        .unwrap_or_default();
    assert!(
        line.contains(",2024-01-08,") && !line.contains("00:00"),
        "{line}"
    );
}
