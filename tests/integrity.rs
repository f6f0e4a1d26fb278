//! Nothing acknowledged is lost, and nothing changed behind the desk's back is taken as true:
//! the journal's lines carry checksums, `verify` reads the journal whole, `rebuild` refuses what
//! it cannot replace.

mod common;

use std::path::Path;

use common::{stderr, stdout, tempdir, zhuqi};

fn journal(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("journal.jsonl"))
        .unwrap_or_else(|e| panic!("journal: {e}"))
        .lines()
        .map(str::to_string)
        .collect()
}

fn write_journal(dir: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(dir.join("journal.jsonl"), text).unwrap_or_else(|e| panic!("journal: {e}"));
}

/// A desk with the demo's story in it, and the 1-based line holding the first feedback comment
/// "很满意".
fn demo_desk() -> (tempfile::TempDir, usize) {
    let dir = tempdir();
    let out = zhuqi(dir.path(), &["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let line = journal(dir.path())
        .iter()
        .position(|l| l.contains("很满意"))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("the demo has no feedback comment 很满意"));
    (dir, line)
}

/// What a person editing the file would have to do to pass the checksum: write it anew.
fn with_checksum(line: &str) -> String {
    use sha2::Digest;
    let at = line
        .rfind(r#","ck":""#)
        .unwrap_or_else(|| panic!("no checksum: {line}"));
    let body = format!("{}}}", &line[..at]);
    let d = sha2::Sha256::digest(body.as_bytes());
    let ck: String = d[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!(r#"{},"ck":"{ck}"}}"#, &line[..at])
}

#[test]
fn a_line_changed_in_the_middle_is_named_by_verify_and_refused_by_rebuild() {
    let (dir, n) = demo_desk();
    let d = dir.path();
    assert!(stdout(&zhuqi(d, &["verify"])).starts_with("all well"));
    let mut lines = journal(d);
    let original = lines[n - 1].clone();
    // The same length: a satisfied enterprise made dissatisfied.
    lines[n - 1] = original.replace("很满意", "不满意");
    assert_eq!(lines[n - 1].len(), original.len());
    write_journal(d, &lines);

    let verify = zhuqi(d, &["verify"]);
    assert_eq!(verify.status.code(), Some(1));
    let said = stderr(&verify);
    assert!(said.contains(&format!("journal line {n} ")), "{said}");
    assert!(said.contains("checksum"), "{said}");

    let rebuild = zhuqi(d, &["rebuild"]);
    assert_eq!(rebuild.status.code(), Some(1), "{}", stdout(&rebuild));
    assert!(
        stderr(&rebuild).contains(&format!("line {n}")),
        "{}",
        stderr(&rebuild)
    );
    // The store was left as it was: it still says what was saved.
    lines[n - 1] = original;
    write_journal(d, &lines);
    assert!(stdout(&zhuqi(d, &["verify"])).starts_with("all well"));
}

#[test]
fn a_line_rewritten_with_its_checksum_is_caught_against_the_store() {
    let (dir, n) = demo_desk();
    let d = dir.path();
    let mut lines = journal(d);
    lines[n - 1] = with_checksum(&lines[n - 1].replace("很满意", "不满意"));
    write_journal(d, &lines);
    let verify = zhuqi(d, &["verify"]);
    assert_eq!(verify.status.code(), Some(1));
    let said = stderr(&verify);
    assert!(
        said.contains(&format!(
            "the journal and the store first differ here: journal line {n} differs from an event of appeal"
        )),
        "{said}"
    );
}

#[test]
fn a_line_taken_out_or_damaged_is_named() {
    let (dir, n) = demo_desk();
    let d = dir.path();
    let whole = journal(d);

    let mut lines = whole.clone();
    lines.remove(n - 1);
    write_journal(d, &lines);
    let said = stderr(&zhuqi(d, &["verify"]));
    assert!(said.contains("the journal is shorter"), "{said}");

    let mut lines = whole.clone();
    // Bytes damaged on the disk, the length kept.
    lines[n - 1] = format!("{}\u{1}\u{1}{}", &whole[n - 1][..8], &whole[n - 1][10..]);
    write_journal(d, &lines);
    let verify = zhuqi(d, &["verify"]);
    assert_eq!(verify.status.code(), Some(1));
    let said = stderr(&verify);
    assert!(said.contains(&format!("journal line {n} ")), "{said}");

    write_journal(d, &whole);
    assert!(stdout(&zhuqi(d, &["verify"])).starts_with("all well"));
}

fn list_json(d: &Path) -> String {
    let out = zhuqi(d, &["list", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn rebuild_never_throws_away_what_only_the_store_holds() {
    let (dir, _) = demo_desk();
    let d = dir.path();
    let before = list_json(d);
    let whole = journal(d);

    // Cut short at a line: the store refuses to open, and rebuild refuses to empty it.
    write_journal(d, &whole[..whole.len() / 2]);
    let rebuild = zhuqi(d, &["rebuild"]);
    assert_eq!(rebuild.status.code(), Some(1));
    let said = stderr(&rebuild);
    assert!(said.contains("journal is shorter"), "{said}");
    assert!(said.contains("zhuqi journal rewrite"), "{said}");
    // Missing altogether: the same.
    std::fs::remove_file(d.join("journal.jsonl")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(zhuqi(d, &["rebuild"]).status.code(), Some(1));

    // Written anew from the store's histories: the same appeals, and a rebuild from it too.
    let rewrite = zhuqi(d, &["journal", "rewrite"]);
    assert!(rewrite.status.success(), "{}", stderr(&rewrite));
    assert!(
        stdout(&rewrite).contains("wrote the journal anew"),
        "{}",
        stdout(&rewrite)
    );
    assert_eq!(list_json(d), before);
    assert!(stdout(&zhuqi(d, &["verify"])).starts_with("all well"));
    let rebuilt = zhuqi(d, &["rebuild"]);
    assert!(rebuilt.status.success(), "{}", stderr(&rebuilt));
    assert_eq!(list_json(d), before);
    assert!(stdout(&zhuqi(d, &["verify"])).starts_with("all well"));
}

#[test]
fn the_store_a_rebuild_replaced_can_be_brought_back() {
    let (dir, _) = demo_desk();
    let d = dir.path();
    let none = zhuqi(d, &["rebuild", "--undo"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(
        stderr(&none).contains("nothing to bring back"),
        "{}",
        stderr(&none)
    );

    assert!(zhuqi(d, &["rebuild"]).status.success());
    let noted = zhuqi(d, &["note", "4", "重建之后的进展"]);
    assert!(noted.status.success(), "{}", stderr(&noted));
    let after = list_json(d);
    let undo = zhuqi(d, &["rebuild", "--undo"]);
    assert!(undo.status.success(), "{}", stderr(&undo));
    assert!(
        stdout(&undo).contains("brought back the store"),
        "{}",
        stdout(&undo)
    );
    let aside = std::fs::read_dir(d)
        .map(|r| {
            r.filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().starts_with("store.undone-"))
        })
        .unwrap_or(false);
    assert!(aside, "the store it replaced is set aside");
    // The store brought back takes the journal's later steps on opening.
    assert_eq!(list_json(d), after);
    let shown = stdout(&zhuqi(d, &["show", "4"]));
    assert!(shown.contains("重建之后的进展"), "{shown}");
    assert!(stdout(&zhuqi(d, &["verify"])).starts_with("all well"));
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[cfg(unix)]
#[test]
fn a_backup_is_owner_only_and_one_never_finished_is_refused() {
    let (dir, _) = demo_desk();
    let d = dir.path();
    assert_eq!(mode(&d.join("journal.jsonl")), 0o600);
    let out = tempdir();
    let target = out.path().join("周三备份");
    let made = zhuqi(d, &["backup", target.to_str().unwrap_or_default()]);
    assert!(made.status.success(), "{}", stderr(&made));
    assert_eq!(mode(&target), 0o700);
    assert_eq!(mode(&target.join("journal.jsonl")), 0o600);
    assert!(!target.join("BACKUP-INCOMPLETE").exists());
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .map(|r| r.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert_eq!(
        leftovers.len(),
        1,
        "no partial copy left beside: {leftovers:?}"
    );
    assert_eq!(list_json(&target), list_json(d));

    // A copy cut short keeps its mark, and is not taken for a desk.
    std::fs::write(target.join("BACKUP-INCOMPLETE"), "").unwrap_or_else(|e| panic!("{e}"));
    let opened = zhuqi(&target, &["list"]);
    assert_eq!(opened.status.code(), Some(1));
    assert!(
        stderr(&opened).contains("never finished"),
        "{}",
        stderr(&opened)
    );
}

#[test]
fn an_urge_whose_notice_cannot_be_written_is_not_recorded() {
    let (dir, _) = demo_desk();
    let d = dir.path();
    let urges = |d: &Path| stdout(&zhuqi(d, &["show", "4"])).matches("urged").count();
    let before = urges(d);
    let nowhere = d.join("no-such-folder").join("催办通知.txt");
    let urge = zhuqi(
        d,
        &[
            "urge",
            "4",
            "--note",
            "请本周内答复",
            "-o",
            nowhere.to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(urge.status.code(), Some(1));
    let said = stderr(&urge);
    assert!(said.contains("cannot write the urge notice"), "{said}");
    assert!(said.contains("the urge was not recorded"), "{said}");
    assert_eq!(urges(d), before);

    let notice = d.join("催办通知.txt");
    let urge = zhuqi(
        d,
        &[
            "urge",
            "4",
            "--note",
            "请本周内答复",
            "-o",
            notice.to_str().unwrap_or_default(),
        ],
    );
    assert!(urge.status.success(), "{}", stderr(&urge));
    assert_eq!(urges(d), before + 1);
    let text = std::fs::read_to_string(&notice).unwrap_or_default();
    assert!(text.contains("请本周内答复"), "{text}");
    // The file holds the notice as it reads after the urge: the same as printed.
    assert!(
        stdout(&urge).ends_with(&text),
        "{}\n---\n{text}",
        stdout(&urge)
    );
}

/// A bundle with its lines changed by `edit`, every checksum written anew as a forger would,
/// and signed again with `seed` (a desk's `desk.key`) when given.
fn forged(bundle: &str, seed: Option<&str>, edit: impl Fn(&str) -> String) -> String {
    use ed25519_dalek::Signer;
    use sha2::Digest;
    let lines: Vec<&str> = bundle.lines().collect();
    let (header, rest) = lines
        .split_first()
        .unwrap_or_else(|| panic!("empty bundle"));
    let body_lines = &rest[..rest.len() - 1];
    let old_trailer: serde_json::Value =
        serde_json::from_str(rest[rest.len() - 1]).unwrap_or_default();
    let mut body = String::new();
    for l in body_lines {
        body.push_str(&with_checksum(&edit(l)));
        body.push('\n');
    }
    let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let sha = hex(&sha2::Sha256::digest(body.as_bytes()));
    let signature = match seed {
        Some(seed) => {
            let bytes: Vec<u8> = (0..32)
                .map(|i| u8::from_str_radix(&seed.trim()[2 * i..2 * i + 2], 16).unwrap_or(0))
                .collect();
            let mut key = [0u8; 32];
            key.copy_from_slice(&bytes);
            let key = ed25519_dalek::SigningKey::from_bytes(&key);
            hex(&key.sign(format!("{header}\n{sha}").as_bytes()).to_bytes())
        }
        None => old_trailer["zhuqi_bundle_end"]["signature"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    };
    let trailer = format!(
        r#"{{"zhuqi_bundle_end":{{"lines":{},"sha256":"{sha}","signature":"{signature}"}}}}"#,
        body_lines.len()
    );
    format!("{header}\n{body}{trailer}\n")
}

fn trust(into: &Path, from: &Path, name: &str) {
    let key = stdout(&zhuqi(from, &["bundle", "key"]));
    let out = zhuqi(into, &["bundle", "trust", name, key.trim()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_bundle_with_a_number_or_time_no_desk_could_give_is_refused_whole() {
    let from = tempdir();
    let f = from.path();
    let captured = zhuqi(
        f,
        &[
            "capture",
            "--enterprise",
            "嘉兴佳利电子有限公司",
            "--text",
            "用地指标紧张",
            "--category",
            "用地",
        ],
    );
    assert!(captured.status.success(), "{}", stderr(&captured));
    let file = f.join("b.zqb");
    let exported = zhuqi(
        f,
        &[
            "bundle",
            "export",
            "--all",
            "--output",
            file.to_str().unwrap_or_default(),
        ],
    );
    assert!(exported.status.success(), "{}", stderr(&exported));
    let bundle = std::fs::read_to_string(&file).unwrap_or_default();

    let to = tempdir();
    let t = to.path();
    assert!(
        zhuqi(t, &["steward", "add", "陈丽", "--dept", "区经信局"])
            .status
            .success()
    );
    // Signed by the desk it came from, which this one trusts: the limits hold all the same.
    trust(t, f, "王店镇");
    let seed = std::fs::read_to_string(f.join("desk.key")).unwrap_or_default();
    let journal_before = std::fs::read(t.join("journal.jsonl")).unwrap_or_default();
    for (what, edit) in [
        (
            "the highest number there is",
            Box::new(|l: &str| l.replace("\"number\":1,", "\"number\":18446744073709551615,"))
                as Box<dyn Fn(&str) -> String>,
        ),
        (
            "a year far ahead",
            Box::new(|l: &str| {
                let at = l.find("\"at\":\"").map(|i| i + 6).unwrap_or(0);
                format!("{}2204{}", &l[..at], &l[at + 4..])
            }),
        ),
    ] {
        let path = t.join("forged.zqb");
        std::fs::write(&path, forged(&bundle, Some(&seed), edit)).unwrap_or_else(|e| panic!("{e}"));
        let import = zhuqi(t, &["bundle", "import", path.to_str().unwrap_or_default()]);
        assert_eq!(import.status.code(), Some(1), "{what}: {}", stdout(&import));
        assert!(
            stderr(&import).contains("cannot be"),
            "{what}: {}",
            stderr(&import)
        );
        assert_eq!(
            std::fs::read(t.join("journal.jsonl")).unwrap_or_default(),
            journal_before,
            "{what}: nothing written"
        );
    }
    // The bundle as it was goes in, and the next capture here is numbered after it.
    let import = zhuqi(t, &["bundle", "import", file.to_str().unwrap_or_default()]);
    assert!(import.status.success(), "{}", stderr(&import));
    let next = zhuqi(
        t,
        &[
            "capture",
            "--enterprise",
            "嘉兴佳利电子有限公司",
            "--text",
            "电价",
            "--category",
            "水电气",
        ],
    );
    assert!(stdout(&next).contains("appeal 2"), "{}", stdout(&next));
}

/// Whether text holds a character that must never reach a reader raw.
fn has_hazard(s: &str) -> Option<char> {
    s.chars().find(|&c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    })
}

#[test]
fn nothing_the_desk_writes_carries_a_control_bidi_or_zero_width_character_raw() {
    let dir = tempdir();
    let d = dir.path();
    let enterprise = "恶意\u{202e}公司";
    let text = "标题\u{1b}]0;pwned\u{7}改了\u{200b}看不见\u{9b}31m";
    let mut outputs = vec![zhuqi(
        d,
        &[
            "capture",
            "--enterprise",
            enterprise,
            "--text",
            text,
            "--category",
            "其他",
        ],
    )];
    assert!(outputs[0].status.success(), "{}", stderr(&outputs[0]));
    let notice = d.join("notice.txt");
    let csv = d.join("all.csv");
    let jsonl = d.join("all.jsonl");
    let bundle = d.join("all.zqb");
    for args in [
        vec!["list"],
        vec!["list", "--format", "csv"],
        vec!["list", "--format", "json"],
        vec!["show", "1"],
        vec!["show", "1", "--format", "json"],
        vec![
            "urge",
            "1",
            "--note",
            "\u{1b}[2J催",
            "-o",
            notice.to_str().unwrap_or_default(),
        ],
        vec![
            "export",
            "--format",
            "csv",
            "-o",
            csv.to_str().unwrap_or_default(),
        ],
        vec![
            "export",
            "--format",
            "jsonl",
            "-o",
            jsonl.to_str().unwrap_or_default(),
        ],
        vec![
            "bundle",
            "export",
            "--all",
            "-o",
            bundle.to_str().unwrap_or_default(),
        ],
        vec!["note", "1", "\u{1b}]52;c;cHduZWQ=\u{7}"],
        vec!["show", "9\u{1b}[31m"],
    ] {
        outputs.push(zhuqi(d, &args));
    }
    for (i, out) in outputs.iter().enumerate() {
        for (what, s) in [("stdout", stdout(out)), ("stderr", stderr(out))] {
            assert_eq!(has_hazard(&s), None, "output {i} ({what}): {s:?}");
        }
    }
    for file in [&notice, &csv, &jsonl, &bundle, &d.join("journal.jsonl")] {
        let written =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(
            has_hazard(&written),
            None,
            "{}: {written:?}",
            file.display()
        );
    }
    // What was said is kept, escaped: the JSON gives it back exactly.
    let shown: serde_json::Value =
        serde_json::from_str(&stdout(&zhuqi(d, &["show", "1", "--format", "json"])))
            .unwrap_or_default();
    assert_eq!(shown["text"], text);
    assert_eq!(shown["enterprise"], enterprise);
    // And the text output shows the escapes for what it will not obey.
    let urge = stdout(&outputs[6]);
    assert!(urge.contains("\\u{1b}[2J催"), "{urge}");
}

#[test]
fn the_log_names_commands_never_what_they_carry() {
    let dir = tempdir();
    let d = dir.path();
    let saved = zhuqi(
        d,
        &[
            "enterprise",
            "add",
            "嘉兴秘密材料有限公司",
            "--phone",
            "13905731234",
            "--contact",
            "沈秘密",
        ],
    );
    assert!(saved.status.success(), "{}", stderr(&saved));
    let captured = zhuqi(
        d,
        &[
            "capture",
            "--enterprise",
            "嘉兴秘密材料有限公司",
            "--text",
            "厂房租金的私密安排",
            "--category",
            "其他",
        ],
    );
    assert!(captured.status.success(), "{}", stderr(&captured));
    let log = std::fs::read_to_string(d.join("zhuqi.log")).unwrap_or_default();
    assert!(log.contains("command=Capture"), "{log}");
    assert!(log.contains("command=Enterprise Add"), "{log}");
    for secret in ["秘密", "13905731234", "私密"] {
        assert!(!log.contains(secret), "the log holds {secret}: {log}");
    }
    #[cfg(unix)]
    assert_eq!(mode(&d.join("zhuqi.log")), 0o600);
}

/// `zhuqi` run by someone who may read `dir` but not write it: `nobody` when the tests run as
/// root (whom no mode bit stops), else this user with the write bits taken away.
#[cfg(unix)]
fn as_a_reader(dir: &Path, args: &[&str]) -> std::process::Output {
    use std::os::unix::fs::PermissionsExt;
    let set_mode = |mode_dir: u32, mode_file: u32| {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(p) = stack.pop() {
            let is_dir = p.is_dir();
            let mode = if is_dir { mode_dir } else { mode_file };
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode))
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            if is_dir {
                for entry in std::fs::read_dir(&p).into_iter().flatten().flatten() {
                    stack.push(entry.path());
                }
            }
        }
    };
    set_mode(0o555, 0o444);
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let mut command = if root {
        let mut c = std::process::Command::new("runuser");
        c.args(["-u", "nobody", "--", env!("CARGO_BIN_EXE_zhuqi")]);
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_zhuqi"))
    };
    let out = command
        .args(args)
        .env("ZHUQI_DATA_DIR", dir)
        .env("ZHUQI_CONFIG", dir.join("no-config.toml"))
        .env("ZHUQI_LOG_FILE", dir.join("zhuqi.log"))
        .env("LANG", "C.UTF-8")
        .env("TMPDIR", "/tmp")
        .env_remove("ZHUQI_NOW")
        .output()
        .unwrap_or_else(|e| panic!("zhuqi: {e}"));
    set_mode(0o700, 0o600);
    out
}

#[cfg(unix)]
#[test]
fn a_desk_that_cannot_be_written_can_still_be_read() {
    // A place `nobody` can reach: the test's own temporary directory is private to its user.
    let outer = tempfile::Builder::new()
        .prefix("zhuqi-ro-")
        .tempdir_in("/tmp")
        .unwrap_or_else(|e| panic!("{e}"));
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(outer.path(), std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let d = outer.path().join("backup");
    let demo = zhuqi(&d, &["demo"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let expected = list_json(&d);
    let before = journal(&d);

    let listed = as_a_reader(&d, &["list", "--format", "json"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(stdout(&listed), expected);
    let shown = as_a_reader(&d, &["show", "1"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert!(stdout(&shown).contains("Appeal 1"), "{}", stdout(&shown));
    let verified = as_a_reader(&d, &["verify"]);
    assert!(
        stdout(&verified).starts_with("all well"),
        "{}",
        stderr(&verified)
    );
    // A step is refused there, clearly, and nothing changes.
    let noted = as_a_reader(&d, &["note", "4", "只读介质上的进展"]);
    assert_eq!(noted.status.code(), Some(1));
    assert!(
        stderr(&noted).contains("cannot be written here"),
        "{}",
        stderr(&noted)
    );
    assert_eq!(journal(&d), before);
}

#[test]
fn a_named_configuration_is_never_created_and_bad_options_are_refused() {
    let dir = tempdir();
    let d = dir.path();
    let named = d.join("typo-config.toml");
    let listed = zhuqi(d, &["--config", named.to_str().unwrap_or_default(), "list"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(!named.exists(), "a file named but missing is not created");

    let lang = zhuqi(d, &["--lang", "xx", "list"]);
    assert_eq!(lang.status.code(), Some(2));
    assert!(
        stderr(&lang).contains("zh (简体中文) and en (English)"),
        "{}",
        stderr(&lang)
    );
    for actor in ["", "  ", "\u{1b}[2J"] {
        let acted = zhuqi(
            d,
            &[
                "--actor",
                actor,
                "steward",
                "add",
                "陈丽",
                "--dept",
                "区经信局",
            ],
        );
        assert_eq!(acted.status.code(), Some(2), "{actor:?}");
        assert!(
            stderr(&acted).contains("name of the person acting"),
            "{}",
            stderr(&acted)
        );
    }
    assert!(
        !d.join("journal.jsonl").exists() || journal(d).is_empty(),
        "nothing written"
    );
}

#[test]
fn bundles_come_in_only_signed_by_a_trusted_desk_and_say_what_they_change() {
    let root = tempdir();
    let (a, b) = (root.path().join("a"), root.path().join("b"));
    // Desk a has an appeal and a steward; b starts as a's copy, then steps on a's appeal and
    // changes the steward's phone.
    for args in [
        vec![
            "steward",
            "add",
            "陈丽",
            "--dept",
            "区经信局",
            "--phone",
            "13900000001",
        ],
        vec![
            "capture",
            "--enterprise",
            "嘉兴佳利电子有限公司",
            "--text",
            "用地",
            "--category",
            "用地",
        ],
    ] {
        let out = zhuqi(&a, &args);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let export = |from: &Path, name: &str| {
        let file = root.path().join(name);
        let out = zhuqi(
            from,
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
    };
    let from_a = export(&a, "a.zqb");
    // Not trusted yet: refused, naming the key to check.
    let refused = zhuqi(
        &b,
        &["bundle", "import", from_a.to_str().unwrap_or_default()],
    );
    assert_eq!(refused.status.code(), Some(1));
    let said = stderr(&refused);
    assert!(
        said.contains("does not trust") && said.contains("zhuqi bundle trust"),
        "{said}"
    );
    trust(&b, &a, "a");
    assert!(
        zhuqi(
            &b,
            &["bundle", "import", from_a.to_str().unwrap_or_default()]
        )
        .status
        .success()
    );
    for args in [
        vec!["note", "1", "b 台的进展"],
        vec![
            "enterprise",
            "add",
            "嘉兴佳利电子有限公司",
            "--phone",
            "13900000002",
        ],
    ] {
        let out = zhuqi(&b, &args);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let from_b = export(&b, "b.zqb");
    trust(&a, &b, "b");
    let journal_a = std::fs::read(a.join("journal.jsonl")).unwrap_or_default();
    let dry = zhuqi(
        &a,
        &[
            "bundle",
            "import",
            "--dry-run",
            from_b.to_str().unwrap_or_default(),
        ],
    );
    assert!(dry.status.success(), "{}", stderr(&dry));
    let said = stdout(&dry);
    assert!(said.contains("dry run, nothing written"), "{said}");
    assert!(said.contains("steps on appeals already here: 1."), "{said}");
    assert!(
        said.contains("registry records here replaced: enterprise 嘉兴佳利电子有限公司."),
        "{said}"
    );
    assert_eq!(
        std::fs::read(a.join("journal.jsonl")).unwrap_or_default(),
        journal_a
    );
    let merged = zhuqi(
        &a,
        &["bundle", "import", from_b.to_str().unwrap_or_default()],
    );
    assert!(
        stdout(&merged).contains("steps on appeals already here: 1."),
        "{}",
        stdout(&merged)
    );
    assert!(stdout(&zhuqi(&a, &["show", "1"])).contains("b 台的进展"));

    // Changed after signing (the digest written anew, the signature not): refused.
    let text = std::fs::read_to_string(&from_b).unwrap_or_default();
    let altered = root.path().join("altered.zqb");
    std::fs::write(
        &altered,
        forged(&text, None, |l| l.replace("b 台的进展", "改过的进展")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = zhuqi(
        &a,
        &["bundle", "import", altered.to_str().unwrap_or_default()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("changed after it was written"),
        "{}",
        stderr(&out)
    );
    // Without a signature at all (format 1): refused.
    let unsigned: String = text
        .lines()
        .map(|l| {
            if l.starts_with("{\"zhuqi_bundle\":") {
                l.replace("\"zhuqi_bundle\":2", "\"zhuqi_bundle\":1")
                    .split(",\"signer\"")
                    .next()
                    .map(|h| format!("{h}}}"))
                    .unwrap_or_default()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    let path = root.path().join("unsigned.zqb");
    std::fs::write(&path, unsigned).unwrap_or_else(|e| panic!("{e}"));
    let out = zhuqi(&a, &["bundle", "import", path.to_str().unwrap_or_default()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not signed"), "{}", stderr(&out));
}
