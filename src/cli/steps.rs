//! The lifecycle's steps on the command line: capture, then every step on an appeal.

use super::{Command, LevelArg, date, due};
use crate::desk::{Action, CaptureInput, Desk, DeskError};
use crate::domain::{Appeal, Level, Satisfaction};
use crate::strings::Lang;

/// What the command line says after a step was saved: the appeal's number and state, and a
/// word when its due date falls in a year the calendar does not list (counted with weekends
/// only).
fn saved(desk: &Desk, lang: Lang, a: Appeal) -> Result<String, DeskError> {
    let mut out = format!("{}\n", lang.saved(desk.label(a.number), a.status));
    if let Some(due) = a.running_due()
        && !desk.calendar().covers(due)
    {
        out.push_str(&format!(
            "{}\n",
            lang.calendar_gap(
                due.format("%Y").to_string(),
                &desk.calendar_path().display().to_string()
            )
        ));
    }
    Ok(out)
}

/// Runs one lifecycle step; returns what to print on stdout.
pub(super) fn run(desk: &mut Desk, command: Command, lang: Lang) -> Result<String, DeskError> {
    let saved = |desk: &Desk, a: Appeal| saved(desk, lang, a);
    match command {
        Command::Capture(c) => {
            let meeting = match &c.meeting {
                Some(m) => Some(desk.find_meeting(m)?.number),
                None => None,
            };
            saved(
                desk,
                desk.capture(&CaptureInput {
                    enterprise: c.enterprise,
                    category: c.category,
                    text: c.text,
                    contact: c.contact,
                    meeting,
                    departments: c.depts,
                    resolved: c.resolved,
                })?,
            )
        }
        Command::Assign(a) => saved(
            desk,
            desk.act(
                &a.appeal,
                Action::Assign {
                    steward: a.steward,
                    lead: a.lead,
                    co: a.co,
                    due: due(&a.due)?,
                },
            )?,
        ),
        Command::Ack { appeal } => saved(desk, desk.act(&appeal, Action::Acknowledge)?),
        Command::Return { appeal, reason } => {
            saved(desk, desk.act(&appeal, Action::Return { reason })?)
        }
        Command::Reassign {
            appeal,
            steward,
            lead,
        } => saved(desk, desk.act(&appeal, Action::Reassign { steward, lead })?),
        Command::Note { appeal, text } => saved(desk, desk.act(&appeal, Action::Note { text })?),
        Command::Escalate {
            appeal,
            level,
            to,
            note,
        } => {
            let level = match level {
                LevelArg::City => Level::City,
                LevelArg::Province => Level::Province,
            };
            saved(
                desk,
                desk.act(&appeal, Action::Escalate { level, to, note })?,
            )
        }
        Command::Extend {
            appeal,
            due: d,
            reason,
        } => saved(
            desk,
            desk.act(
                &appeal,
                Action::Extend {
                    due: date(&d)?,
                    reason,
                },
            )?,
        ),
        Command::Urge {
            appeal,
            note,
            notice,
        } => {
            // The notice file is written first (under a temporary name) and the urge recorded
            // only once it is there: an urge is never recorded for a notice that could not be.
            let file = match &notice {
                Some(path) => {
                    let preview =
                        crate::io::urge_notice_ahead(desk, lang, &appeal, note.as_deref())?;
                    Some(
                        crate::desk::paths::prepare_private(path, preview.as_bytes()).map_err(
                            |source| DeskError::NoticeFile {
                                path: path.clone(),
                                source,
                            },
                        )?,
                    )
                }
                None => None,
            };
            let mut out = saved(desk, desk.act(&appeal, Action::Urge { note })?)?;
            let text = crate::io::urge_notice(desk, lang, &appeal)?;
            if let (Some(mut file), Some(path)) = (file, notice) {
                let fail = |source| DeskError::WriteFile {
                    path: path.clone(),
                    source,
                };
                file.replace_with(crate::text::for_output(&text).as_bytes())
                    .map_err(fail)?;
                file.put_in_place().map_err(fail)?;
            }
            out.push('\n');
            out.push_str(&text);
            Ok(out)
        }
        Command::Answer { appeal, text } => {
            saved(desk, desk.act(&appeal, Action::Answer { text })?)
        }
        Command::Feedback {
            appeal,
            rating,
            comment,
        } => {
            let rating = rating
                .trim()
                .parse::<u8>()
                .ok()
                .and_then(Satisfaction::from_score)
                .ok_or(DeskError::BadRating(rating.clone()))?;
            saved(
                desk,
                desk.act(&appeal, Action::Feedback { rating, comment })?,
            )
        }
        Command::Reopen {
            appeal,
            reason,
            due: d,
        } => saved(
            desk,
            desk.act(
                &appeal,
                Action::Reopen {
                    reason,
                    due: due(&d)?,
                },
            )?,
        ),
        Command::Withdraw { appeal, reason } => {
            saved(desk, desk.act(&appeal, Action::Withdraw { reason })?)
        }
        Command::Close { appeal, note } => saved(
            desk,
            desk.act(
                &appeal,
                Action::Close {
                    note: note.unwrap_or_default(),
                },
            )?,
        ),
        // `super::run` sends only steps here.
        _ => Ok(String::new()),
    }
}
