//! The weekly report for the next meeting: the figures, the red list with days overdue, what
//! closed, what was escalated and to whom — as Markdown, JSON or XLSX.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde_json::{Map, Value, json};

use super::{figure_lines, figures_json};
use crate::desk::supervise::Report;
use crate::domain::figures::{Dimension, Figures};
use crate::strings::Lang;
use crate::text::width;

fn breakdown_key(d: Dimension) -> &'static str {
    match d {
        Dimension::Dept => "by_dept",
        Dimension::Steward => "by_steward",
        Dimension::Category => "by_category",
        Dimension::Meeting => "by_meeting",
        Dimension::Enterprise => "by_enterprise",
    }
}

/// The report as one JSON object: the figures at the top level, breakdowns and lists below.
pub fn json(r: &Report, label: &dyn Fn(u64) -> String) -> Value {
    let mut m: Map<String, Value> = figures_json(&r.figures);
    m.insert(
        "period".into(),
        json!({"from": r.period.from.to_string(), "to": r.period.to.to_string()}),
    );
    for (d, rows) in &r.breakdowns {
        let list: Vec<Value> = rows
            .iter()
            .map(|(name, f)| {
                let mut o = figures_json(f);
                o.insert("name".into(), name.clone().into());
                Value::Object(o)
            })
            .collect();
        m.insert(breakdown_key(*d).into(), list.into());
    }
    m.insert(
        "red_list".into(),
        r.red
            .iter()
            .map(|e| {
                json!({
                    "number": e.appeal.number, "label": label(e.appeal.number),
                    "enterprise": e.appeal.enterprise, "text": e.appeal.text,
                    "steward": e.appeal.steward, "lead_dept": e.appeal.lead_dept,
                    "due": e.appeal.due.map(|d| d.to_string()), "days_overdue": e.days_overdue,
                    "urges": e.appeal.urges,
                })
            })
            .collect::<Vec<_>>()
            .into(),
    );
    m.insert(
        "closed".into(),
        r.closed
            .iter()
            .map(|a| {
                json!({
                    "number": a.number, "label": label(a.number), "enterprise": a.enterprise,
                    "text": a.text, "closed_at": a.closed_at.map(|t| a.time_text(t)),
                    "closed_how": a.closed_how.map(|h| h.key()), "rating": a.rating.map(|s| s.score()),
                })
            })
            .collect::<Vec<_>>()
            .into(),
    );
    m.insert(
        "escalated".into(),
        r.escalated
            .iter()
            .map(|e| {
                json!({
                    "number": e.number, "label": label(e.number), "enterprise": e.enterprise,
                    "text": e.text, "level": e.level, "to": e.to, "at": e.at.to_rfc3339(),
                })
            })
            .collect::<Vec<_>>()
            .into(),
    );
    Value::Object(m)
}

fn md_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let esc = |s: &str| crate::text::sanitize(s).replace('|', "\\|");
    let mut out = format!(
        "| {} |\n|{}|\n",
        headers.join(" | "),
        headers.iter().map(|_| "---").collect::<Vec<_>>().join("|")
    );
    for r in rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out
}

fn breakdown_rows(rows: &[(String, Figures)]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|(name, f)| {
            vec![
                name.clone(),
                f.captured.to_string(),
                f.on_spot_rate.percent(),
                f.close_rate.percent(),
                f.on_time_rate.percent(),
                f.satisfaction_rate.percent(),
                f.open.to_string(),
                f.red.to_string(),
            ]
        })
        .collect()
}

/// The rows of the report's lists, shared by the Markdown and the spreadsheet.
fn red_rows(r: &Report, label: &dyn Fn(u64) -> String) -> Vec<Vec<String>> {
    r.red
        .iter()
        .map(|e| {
            let a = &e.appeal;
            vec![
                label(a.number),
                a.enterprise.clone(),
                a.text.clone(),
                a.steward.clone().unwrap_or_default(),
                a.due.map(|d| d.to_string()).unwrap_or_default(),
                e.days_overdue.to_string(),
            ]
        })
        .collect()
}

fn closed_rows(r: &Report, lang: Lang, label: &dyn Fn(u64) -> String) -> Vec<Vec<String>> {
    r.closed
        .iter()
        .map(|a| {
            let how = a.rating.map(|s| lang.satisfaction(s).to_string());
            vec![
                label(a.number),
                a.enterprise.clone(),
                a.text.clone(),
                a.closed_at
                    .map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                how.unwrap_or_else(|| {
                    a.closed_how
                        .map(|h| lang.closed_how(h).to_string())
                        .unwrap_or_default()
                }),
            ]
        })
        .collect()
}

fn escalated_rows(r: &Report, lang: Lang, label: &dyn Fn(u64) -> String) -> Vec<Vec<String>> {
    r.escalated
        .iter()
        .map(|e| {
            vec![
                label(e.number),
                e.enterprise.clone(),
                e.text.clone(),
                format!("{} · {}", lang.level(e.level), e.to),
                e.at.format("%Y-%m-%d").to_string(),
            ]
        })
        .collect()
}

pub fn markdown(
    r: &Report,
    lang: Lang,
    district: Option<&str>,
    label: &dyn Fn(u64) -> String,
) -> String {
    let mut out = format!(
        "# {}\n\n",
        lang.report_title(&r.period.from.to_string(), &r.period.to.to_string())
    );
    if let Some(d) = district {
        out.push_str(&format!("{d}\n\n"));
    }
    out.push_str(&format!("## {}\n\n", lang.figures_heading()));
    let lines: Vec<Vec<String>> = figure_lines(&r.figures, lang)
        .into_iter()
        .map(|(_, l, v)| vec![l, v])
        .collect();
    out.push_str(&md_table(&lang.figure_column()[..2], &lines));
    let none = |out: &mut String| out.push_str(&format!("{}\n", lang.none_line()));
    out.push_str(&format!("\n## {}\n\n", lang.red_heading()));
    if r.red.is_empty() {
        none(&mut out);
    } else {
        let rows: Vec<Vec<String>> = red_rows(r, label);
        out.push_str(&md_table(&lang.red_columns(), &rows));
    }
    out.push_str(&format!("\n## {}\n\n", lang.closed_heading()));
    if r.closed.is_empty() {
        none(&mut out);
    } else {
        let rows: Vec<Vec<String>> = closed_rows(r, lang, label);
        out.push_str(&md_table(&lang.closed_columns(), &rows));
    }
    out.push_str(&format!("\n## {}\n\n", lang.escalated_heading()));
    if r.escalated.is_empty() {
        none(&mut out);
    } else {
        let rows: Vec<Vec<String>> = escalated_rows(r, lang, label);
        out.push_str(&md_table(&lang.escalated_columns(), &rows));
    }
    for (d, rows) in &r.breakdowns {
        out.push_str(&format!(
            "\n## {} · {}\n\n",
            lang.figures_heading(),
            lang.dimension(*d)
        ));
        if rows.is_empty() {
            none(&mut out);
        } else {
            out.push_str(&md_table(&lang.breakdown_columns(), &breakdown_rows(rows)));
        }
    }
    out
}

/// Writes rows of text, sizing each column to its widest cell (CJK counts two).
pub fn write_table(
    ws: &mut Worksheet,
    first_row: u32,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<u32, XlsxError> {
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(first_row, c as u16, *h, &bold)?;
    }
    for (i, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(
                first_row + 1 + i as u32,
                c as u16,
                crate::text::sanitize(cell),
            )?;
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width(cell));
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 60) as f64 + 2.0)?;
    }
    Ok(first_row + 1 + rows.len() as u32)
}

/// The 统计 sheet: one row a figure with its value and formula; the raw fraction where it is a rate.
pub fn figures_sheet(wb: &mut Workbook, f: &Figures, lang: Lang) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(lang.figures_sheet())?;
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let headers = lang.figure_column();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let values = figures_json(f);
    for (i, (key, label, shown)) in figure_lines(f, lang).into_iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string(row, 0, label)?;
        match values.get(key) {
            Some(Value::Number(n)) if key.ends_with("_rate") => {
                ws.write_number_with_format(row, 1, n.as_f64().unwrap_or(0.0), &pct)?;
            }
            Some(Value::Number(n)) => {
                ws.write_number(row, 1, n.as_f64().unwrap_or(0.0))?;
            }
            _ => {
                ws.write_string(row, 1, shown)?;
            }
        }
        ws.write_string(row, 2, lang.figure_formula(key))?;
    }
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 10)?;
    ws.set_column_width(2, 70)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

pub fn xlsx(
    r: &Report,
    lang: Lang,
    label: &dyn Fn(u64) -> String,
    path: &Path,
) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    figures_sheet(&mut wb, &r.figures, lang)?;
    let red: Vec<Vec<String>> = red_rows(r, label);
    let ws = wb.add_worksheet();
    ws.set_name("红牌")?;
    write_table(ws, 0, &lang.red_columns(), &red)?;
    let closed: Vec<Vec<String>> = closed_rows(r, lang, label);
    let ws = wb.add_worksheet();
    ws.set_name("本期办结")?;
    write_table(ws, 0, &lang.closed_columns(), &closed)?;
    let escalated: Vec<Vec<String>> = escalated_rows(r, lang, label);
    let ws = wb.add_worksheet();
    ws.set_name("本期上报")?;
    write_table(ws, 0, &lang.escalated_columns(), &escalated)?;
    let ws = wb.add_worksheet();
    ws.set_name("分项")?;
    let mut row = 0;
    for (d, rows) in &r.breakdowns {
        ws.write_string_with_format(row, 0, lang.dimension(*d), &Format::new().set_bold())?;
        row = write_table(
            ws,
            row + 1,
            &lang.breakdown_columns(),
            &breakdown_rows(rows),
        )? + 1;
    }
    let bytes = wb.save_to_buffer()?;
    crate::desk::paths::write_private(path, &bytes).map_err(rust_xlsxwriter::XlsxError::IoError)
}
