//! What the CLI prints: tables laid out by display width, CSV and JSON for scripts.

use std::path::Path;

use serde::Serialize;

use super::{ListFormat, ShowFormat};
use crate::desk::Row;
use crate::domain::{Enterprise, Event, Meeting, Steward};
use crate::strings::Lang;
use crate::text::{cell, sanitize, width};

/// One appeal as scripts read it (`list --format json`, `show --format json`).
#[derive(Serialize)]
struct RowJson<'a> {
    number: u64,
    label: &'a str,
    id: String,
    status: &'static str,
    enterprise: &'a str,
    category: &'a str,
    steward: Option<&'a str>,
    lead_dept: Option<&'a str>,
    co_depts: &'a [String],
    due: Option<String>,
    card: &'static str,
    days_overdue: i64,
    closed_how: Option<&'static str>,
    rating: Option<u8>,
    urges: u32,
    reopens: u32,
    extensions: u32,
    level: crate::domain::Level,
    meeting: Option<u64>,
    captured_at: String,
    text: &'a str,
    answer: Option<&'a str>,
}

fn row_json(r: &Row) -> RowJson<'_> {
    let a = &r.appeal;
    RowJson {
        number: a.number,
        label: &r.label,
        id: a.id.to_string(),
        status: a.status.key(),
        enterprise: &a.enterprise,
        category: &a.category,
        steward: a.steward.as_deref(),
        lead_dept: a.lead_dept.as_deref(),
        co_depts: &a.co_depts,
        due: a.due.map(|d| d.to_string()),
        card: r.card.key(),
        days_overdue: r.days_overdue,
        closed_how: a.closed_how.map(|h| h.key()),
        rating: a.rating.map(|s| s.score()),
        urges: a.urges,
        reopens: a.reopens,
        extensions: a.extensions,
        level: a.level,
        meeting: a.meeting,
        captured_at: a.captured_at.to_rfc3339(),
        text: &a.text,
        answer: a.answer.as_deref(),
    }
}

fn json<T: Serialize>(value: &T) -> String {
    // Serialising our own plain structs cannot fail; an empty object is never printed silently.
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")) + "\n"
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
                    .write_record([
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
                    ])
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
}

pub fn show(lang: Lang, row: &Row, events: &[Event], format: ShowFormat) -> String {
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
            e.at.format("%Y-%m-%d %H:%M"),
            cell(&e.actor, 8),
            sanitize(&lang.describe(&e.body))
        ));
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
