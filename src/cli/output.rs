//! What the CLI prints: tables laid out by display width, CSV and JSON for scripts.

use std::path::Path;

use serde::Serialize;

use super::{ListFormat, ShowFormat};
use crate::desk::Row;
use crate::domain::{Enterprise, Event, Meeting, Steward};
use crate::io::export::{RowJson, row_json};
use crate::strings::Lang;
use crate::text::{cell, sanitize, width};

fn json<T: Serialize>(value: &T) -> String {
    // Serialising our own plain structs cannot fail; an empty object is never printed silently.
    crate::text::json_escaped(
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
    ) + "\n"
}

/// Lays out rows so that every column lines up in display columns.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(&sanitize(c)).min(40));
        }
    }
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| cell(c, *w))
            .collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(headers.iter().map(|h| h.to_string()).collect());
    for row in rows {
        out.push_str(&line(row.clone()));
    }
    out
}

pub fn list(lang: Lang, rows: &[Row], format: ListFormat) -> String {
    match format {
        ListFormat::Json => json(&rows.iter().map(row_json).collect::<Vec<_>>()),
        ListFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let headers = [
                "number",
                "status",
                "enterprise",
                "category",
                "steward",
                "lead_dept",
                "due",
                "card",
                "days_overdue",
                "urges",
                "reopens",
                "text",
            ];
            let mut ok = w.write_record(headers).is_ok();
            for r in rows {
                let a = &r.appeal;
                ok &= w
                    .write_record(
                        [
                            a.number.to_string(),
                            a.status.key().to_string(),
                            a.enterprise.clone(),
                            a.category.clone(),
                            a.steward.clone().unwrap_or_default(),
                            a.lead_dept.clone().unwrap_or_default(),
                            a.due.map(|d| d.to_string()).unwrap_or_default(),
                            r.card.key().to_string(),
                            r.days_overdue.to_string(),
                            a.urges.to_string(),
                            a.reopens.to_string(),
                            a.text.clone(),
                        ]
                        .map(|cell| crate::text::spreadsheet_cell(&cell)),
                    )
                    .is_ok();
            }
            match (ok, w.into_inner()) {
                (true, Ok(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
                _ => String::new(),
            }
        }
        ListFormat::Table => {
            if rows.is_empty() {
                return format!("{}\n", lang.list_empty());
            }
            let body: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    let a = &r.appeal;
                    vec![
                        r.label.clone(),
                        lang.status(a.status).to_string(),
                        a.enterprise.clone(),
                        a.category.clone(),
                        a.steward.clone().unwrap_or_default(),
                        a.due.map(|d| d.to_string()).unwrap_or_default(),
                        lang.card(r.card, r.days_overdue),
                        a.urges.to_string(),
                        a.text.clone(),
                    ]
                })
                .collect();
            let mut out = table(&lang.list_headers(), &body);
            out.push_str(&lang.list_count(rows.len()));
            out.push('\n');
            out
        }
    }
}

#[derive(Serialize)]
struct ShowJson<'a> {
    #[serde(flatten)]
    row: RowJson<'a>,
    contact: Option<&'a str>,
    departments: &'a [String],
    escalated_to: Option<&'a str>,
    feedback_comment: Option<&'a str>,
    closing_note: Option<&'a str>,
    timeline: &'a [Event],
    not_in_effect: Vec<NotInEffectJson>,
}

#[derive(Serialize)]
struct NotInEffectJson {
    event: String,
    reason: String,
}

pub fn show(
    lang: Lang,
    row: &Row,
    events: &[Event],
    not_in_effect: &[crate::domain::NotInEffect],
    format: ShowFormat,
) -> String {
    let a = &row.appeal;
    if format == ShowFormat::Json {
        return json(&ShowJson {
            row: row_json(row),
            contact: a.contact.as_deref(),
            departments: &a.departments,
            escalated_to: a.escalated_to.as_deref(),
            feedback_comment: a.feedback_comment.as_deref(),
            closing_note: a.closing_note.as_deref(),
            timeline: events,
            not_in_effect: not_in_effect
                .iter()
                .map(|n| NotInEffectJson {
                    event: n.event.to_string(),
                    reason: lang.refusal(&n.refusal),
                })
                .collect(),
        });
    }
    let mut out = format!(
        "{}  [{}]  {}\n",
        lang.appeal_title(&row.label),
        lang.status(a.status),
        lang.card(row.card, row.days_overdue)
    );
    for (label, value) in lang.appeal_fields(a) {
        if !value.is_empty() {
            out.push_str(&format!("  {}  {}\n", cell(label, 10), sanitize(&value)));
        }
    }
    out.push_str(&format!("{}\n", lang.timeline()));
    for e in events {
        out.push_str(&format!(
            "  {}  {}  {}\n",
            a.shown_time(e.at, true),
            cell(&e.actor, 8),
            sanitize(&lang.describe(&e.body))
        ));
        if let Some(n) = not_in_effect.iter().find(|n| n.event == e.id) {
            out.push_str(&format!(
                "  {}  ⚠ {}：{}\n",
                " ".repeat(16 + 2 + 8),
                lang.not_in_effect(),
                sanitize(&lang.refusal(&n.refusal))
            ));
        }
    }
    out
}

pub fn meetings(lang: Lang, meetings: &[Meeting], format: ShowFormat) -> String {
    if format == ShowFormat::Json {
        return json(&meetings);
    }
    let rows: Vec<Vec<String>> = meetings
        .iter()
        .map(|m| {
            vec![
                m.number.to_string(),
                m.date.to_string(),
                m.venue.clone(),
                m.host.clone().unwrap_or_default(),
                m.depts.join(lang.list_sep()),
            ]
        })
        .collect();
    table(&lang.meeting_headers(), &rows)
}

pub fn stewards(lang: Lang, stewards: &[Steward], format: ShowFormat) -> String {
    if format == ShowFormat::Json {
        return json(&stewards);
    }
    let rows: Vec<Vec<String>> = stewards
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.dept.clone(),
                s.phone.clone().unwrap_or_default(),
                s.team.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(&lang.steward_headers(), &rows)
}

pub fn enterprises(lang: Lang, list: &[Enterprise], format: ShowFormat) -> String {
    if format == ShowFormat::Json {
        return json(&list);
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|e| {
            vec![
                e.name.clone(),
                e.credit_code
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                e.contact.clone().unwrap_or_default(),
                e.phone.clone().unwrap_or_default(),
                e.town.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(&lang.enterprise_headers(), &rows)
}

pub fn meeting_added(lang: Lang, m: &Meeting) -> String {
    format!(
        "{}\n",
        lang.meeting_added(m.number, &m.date.to_string(), &m.venue)
    )
}

pub fn steward_added(lang: Lang, s: &Steward) -> String {
    format!("{}\n", lang.steward_added(&s.name, &s.dept))
}

pub fn enterprise_saved(lang: Lang, e: &Enterprise) -> String {
    format!("{}\n", lang.enterprise_saved(&e.name))
}

pub fn demo_loaded(lang: Lang, n: usize) -> String {
    format!("{}\n", lang.demo_loaded(n))
}

pub fn backed_up(lang: Lang, dir: &Path) -> String {
    format!("{}\n", lang.backed_up(&dir.display().to_string()))
}

pub fn rebuilt(lang: Lang, count: u64, old: &Path) -> String {
    format!("{}\n", lang.rebuilt(count, &old.display().to_string()))
}

pub fn verified(lang: Lang) -> String {
    format!("{}\n", lang.verified())
}

/// What a command says once it has written `path`: on standard output, unless the path is not
/// a file (`-o /dev/stdout`, a pipe, a terminal), where the message would be mixed with what
/// was written; then on standard error.
pub fn confirm_written(path: &Path, message: String) -> String {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        eprint!("{}", crate::text::for_output(&message));
        String::new()
    } else {
        message
    }
}

pub fn written(lang: Lang, path: &Path) -> String {
    format!("{}\n", lang.written(&path.display().to_string()))
}

pub fn exported(lang: Lang, n: usize, path: &Path) -> String {
    format!("{}\n", lang.exported(n, &path.display().to_string()))
}

pub fn board(
    lang: Lang,
    desk: &crate::desk::Desk,
    entries: &[crate::domain::board::BoardEntry],
    format: ShowFormat,
) -> String {
    if format == ShowFormat::Json {
        let rows: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| {
                serde_json::json!({
                    "number": e.appeal.number,
                    "label": desk.label(e.appeal.number),
                    "status": e.appeal.status.key(),
                    "enterprise": e.appeal.enterprise,
                    "steward": e.appeal.steward,
                    "due": e.appeal.due.map(|d| d.to_string()),
                    "card": e.card.key(),
                    "days_overdue": e.days_overdue,
                    "working_days_left": e.working_days_left,
                    "ack_late": e.ack_late,
                    "urges": e.appeal.urges,
                })
            })
            .collect();
        return json(&rows);
    }
    if entries.is_empty() {
        return format!("{}\n", lang.list_empty());
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let a = &e.appeal;
            vec![
                lang.card_word(e.card).to_string(),
                desk.label(a.number),
                lang.status(a.status).to_string(),
                a.enterprise.clone(),
                a.steward.clone().unwrap_or_default(),
                a.running_due().map(|d| d.to_string()).unwrap_or_default(),
                lang.lateness(
                    e.days_overdue,
                    e.working_days_left,
                    a.running_due().is_some(),
                    e.ack_late,
                ),
                a.urges.to_string(),
            ]
        })
        .collect();
    let mut out = table(&lang.board_headers(), &rows);
    out.push_str(&lang.list_count(entries.len()));
    out.push('\n');
    out
}

/// How many refused rows an import lists before it only counts.
const REFUSED_SHOWN: usize = 20;

pub fn import_report(lang: Lang, r: &crate::io::import::ImportReport, dry_run: bool) -> String {
    let mut out = format!(
        "{}\n",
        lang.import_read(&r.described, r.rows_read, r.empty_rows)
    );
    out.push_str(&format!("  {}\n", lang.import_zone(&r.zone, r.zone_given)));
    for (target, n) in &r.created {
        out.push_str(&format!(
            "  {}\n",
            lang.import_created(target.key(), *n, dry_run || !r.written)
        ));
    }
    if r.already_imported > 0 {
        out.push_str(&format!("  {}\n", lang.import_already(r.already_imported)));
    }
    if !r.updated.is_empty() {
        out.push_str(&format!(
            "  {}\n",
            lang.import_updated(r.updated.len(), dry_run || !r.written)
        ));
        for (line, number, steps) in r.updated.iter().take(REFUSED_SHOWN) {
            out.push_str(&format!(
                "    {}\n",
                lang.import_updated_row(*line, *number, *steps)
            ));
        }
    }
    for (line, number, why) in r.left_alone.iter().take(REFUSED_SHOWN) {
        out.push_str(&format!(
            "  {}\n",
            lang.import_left_alone(*line, *number, why)
        ));
    }
    if !r.refused.is_empty() {
        out.push_str(&format!("{}\n", lang.import_refused_count(r.refused.len())));
        for e in r.refused.iter().take(REFUSED_SHOWN) {
            out.push_str(&format!("  {}\n", lang.row_error(e)));
        }
        if r.refused.len() > REFUSED_SHOWN {
            out.push_str(&format!(
                "  {}\n",
                lang.import_more(r.refused.len() - REFUSED_SHOWN)
            ));
        }
    }
    for year in &r.calendar_gaps {
        out.push_str(&format!(
            "{}\n",
            lang.calendar_gap(year.to_string(), &lang.calendar_file_word())
        ));
    }
    let created: usize = r.created.values().sum();
    let verdict = if dry_run {
        lang.import_dry_run().to_string()
    } else if r.written && created == 0 && !r.refused.is_empty() {
        lang.import_all_refused(
            r.rejects_file.as_ref().map(|p| p.display().to_string()),
            r.already_imported > 0,
        )
    } else if r.written {
        lang.import_done(r.rejects_file.as_ref().map(|p| p.display().to_string()))
    } else {
        lang.import_stopped().to_string()
    };
    out.push_str(&format!("{verdict}\n"));
    out
}

/// Every appeal with steps not in effect, each step with who took it, on which desk, and why.
pub fn conflicts(
    lang: Lang,
    desk: &crate::desk::Desk,
    found: &[crate::domain::Conflicted],
    format: ShowFormat,
) -> String {
    let entries: Vec<serde_json::Value> = found
        .iter()
        .flat_map(|c| {
            let (a, events) = (&c.appeal, &c.events);
            c.not_in_effect.iter().filter_map(move |n| {
                let e = events.iter().find(|e| e.id == n.event)?;
                Some(serde_json::json!({
                    "appeal": desk.label(a.number),
                    "id": a.id.to_string(),
                    "event": e.id.to_string(),
                    "at": e.at.to_rfc3339(),
                    "actor": e.actor,
                    "desk": e.desk,
                    "step": lang.describe(&e.body),
                    "reason": lang.refusal(&n.refusal),
                }))
            })
        })
        .collect();
    if format == ShowFormat::Json {
        return json(&entries);
    }
    if entries.is_empty() {
        return format!("{}\n", lang.no_conflicts());
    }
    let text = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    let mut out = String::new();
    for v in &entries {
        out.push_str(&format!(
            "{}  {}  {} @ {}  {}\n    ⚠ {}：{}\n",
            text(v, "appeal"),
            text(v, "at"),
            sanitize(&text(v, "actor")),
            sanitize(&text(v, "desk")),
            sanitize(&text(v, "step")),
            lang.not_in_effect(),
            sanitize(&text(v, "reason")),
        ));
    }
    out
}
