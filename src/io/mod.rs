//! Documents: the appeal list as a spreadsheet (XLSX, CSV, JSON Lines) and the weekly report
//! (Markdown, XLSX, JSON). Written with rust_xlsxwriter, csv and serde_json.

pub mod bundle;
pub mod export;
pub mod generate;
pub mod import;
pub mod report;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::figures::Figures;

/// A figure set as scripts read it: counts as numbers, rates as fractions 0–1 or null.
pub fn figures_json(f: &Figures) -> Map<String, Value> {
    let rate = |r: crate::domain::figures::Ratio| r.value().map_or(Value::Null, Value::from);
    let mut m = Map::new();
    m.insert("captured".into(), f.captured.into());
    m.insert("on_spot_rate".into(), rate(f.on_spot_rate));
    m.insert("close_rate".into(), rate(f.close_rate));
    m.insert("on_time_rate".into(), rate(f.on_time_rate));
    m.insert("satisfaction_rate".into(), rate(f.satisfaction_rate));
    m.insert("reopen_rate".into(), rate(f.reopen_rate));
    m.insert("urge_rate".into(), rate(f.urge_rate));
    m.insert("followup_rate".into(), rate(f.followup_rate));
    m.insert(
        "median_days_to_close".into(),
        f.median_days_to_close.map_or(Value::Null, Value::from),
    );
    m.insert(
        "p90_days_to_close".into(),
        f.p90_days_to_close.map_or(Value::Null, Value::from),
    );
    m.insert("open".into(), f.open.into());
    m.insert("red".into(), f.red.into());
    m.insert("yellow".into(), f.yellow.into());
    m
}

/// The figures in the order every document lists them: (key, label, shown value).
pub fn figure_lines(
    f: &Figures,
    lang: crate::strings::Lang,
) -> Vec<(&'static str, String, String)> {
    let days = |d: Option<u32>| d.map_or_else(|| "—".to_string(), |d| d.to_string());
    let l = |k: &'static str| (k, lang.figure_label(k).to_string());
    vec![
        (l("captured"), f.captured.to_string()),
        (l("on_spot_rate"), f.on_spot_rate.percent()),
        (l("close_rate"), f.close_rate.percent()),
        (l("on_time_rate"), f.on_time_rate.percent()),
        (l("satisfaction_rate"), f.satisfaction_rate.percent()),
        (l("reopen_rate"), f.reopen_rate.percent()),
        (l("urge_rate"), f.urge_rate.percent()),
        (l("followup_rate"), f.followup_rate.percent()),
        (l("median_days_to_close"), days(f.median_days_to_close)),
        (l("p90_days_to_close"), days(f.p90_days_to_close)),
        (l("open"), f.open.to_string()),
        (l("red"), f.red.to_string()),
        (l("yellow"), f.yellow.to_string()),
    ]
    .into_iter()
    .map(|((k, label), v)| (k, label, v))
    .collect()
}

/// Any serialisable value as pretty JSON (our own plain structures always serialise).
pub fn to_json<T: Serialize>(value: &T) -> String {
    crate::text::json_escaped(
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
    ) + "\n"
}

/// The 催办 notice for the latest urge of an appeal, naming the earlier ones.
pub fn urge_notice(
    desk: &crate::desk::Desk,
    lang: crate::strings::Lang,
    reference: &str,
) -> Result<String, crate::desk::DeskError> {
    notice(desk, lang, reference, None)
}

/// The notice as it will read once an urge with `note` is recorded now (for a notice file
/// written before the urge is).
pub fn urge_notice_ahead(
    desk: &crate::desk::Desk,
    lang: crate::strings::Lang,
    reference: &str,
    note: Option<&str>,
) -> Result<String, crate::desk::DeskError> {
    let ahead = crate::desk::supervise::Urge {
        at: desk.clock().now(),
        actor: desk.actor().to_string(),
        note: note.map(str::to_string),
    };
    notice(desk, lang, reference, Some(ahead))
}

fn notice(
    desk: &crate::desk::Desk,
    lang: crate::strings::Lang,
    reference: &str,
    ahead: Option<crate::desk::supervise::Urge>,
) -> Result<String, crate::desk::DeskError> {
    let appeal = desk.find(reference)?;
    let row = desk.row(appeal);
    let mut urges = desk.urges(reference)?;
    urges.extend(ahead);
    let latest = urges.pop();
    let earlier: Vec<(String, String, String)> = urges
        .iter()
        .map(|u| {
            (
                u.at.format("%Y-%m-%d %H:%M").to_string(),
                u.actor.clone(),
                u.note.clone().unwrap_or_default(),
            )
        })
        .collect();
    let (by, at, note) = latest.map_or_else(
        || (desk.actor().to_string(), desk.clock().now(), String::new()),
        |u| (u.actor, u.at, u.note.unwrap_or_default()),
    );
    let a = &row.appeal;
    Ok(lang.urge_notice(
        &row.label,
        &a.enterprise,
        &a.text,
        a.steward.as_deref().unwrap_or("—"),
        a.lead_dept.as_deref().unwrap_or("—"),
        &a.due.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
        row.days_overdue,
        &earlier,
        &note,
        &by,
        &at.format("%Y-%m-%d %H:%M").to_string(),
    ))
}
