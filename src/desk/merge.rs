//! Carrying appeals between desks: this desk's commands out as journal lines, another desk's
//! commands in. Merging goes by event identity, so importing the same commands twice changes
//! nothing; appeal identities are ULIDs, so appeals from different desks never collide, and a
//! short number already taken here is replaced by the next free one.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Desk, DeskError};
use crate::domain::{AppealChange, Event, EventBody};
use crate::store::journal;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    pub commands: usize,
    /// Commands whose events were all here already.
    pub already_here: usize,
    pub appeals_added: usize,
    /// Appeals given a new short number because theirs was taken here.
    pub renumbered: usize,
    /// Appeals already here that the bundle takes steps on (an answer, a rating, a withdrawal…),
    /// by their numbers here.
    pub steps_here: Vec<u64>,
    /// Registry records here that the bundle replaces with other values.
    pub replaced: Vec<Replaced>,
    /// Nothing was written: what merging would do.
    pub dry_run: bool,
}

/// A registry record a bundle replaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replaced {
    Enterprise(String),
    Steward(String),
}

impl Desk {
    /// The journal lines of every command with an event on or after `since` (all without it).
    pub fn journal_commands(
        &self,
        since: Option<NaiveDate>,
    ) -> Result<(Vec<u8>, usize), DeskError> {
        let mut out = Vec::new();
        let mut count = 0;
        journal::read_commands(&self.journal_path(), 0, |events, _| {
            if since.is_none_or(|s| events.iter().any(|e| e.at.date_naive() >= s)) {
                out.extend(journal::encode(&events)?);
                count += 1;
            }
            Ok(())
        })?;
        Ok((out, count))
    }

    /// Merges commands (journal lines) from another desk. All or nothing. With `dry_run`, only
    /// says what it would do.
    pub fn merge_commands(&self, body: &[u8], dry_run: bool) -> Result<MergeReport, DeskError> {
        let commands = journal::decode_commands(body)
            .map_err(|(line, msg)| DeskError::BadBundle(format!("line {line}: {msg}")))?;
        let mut report = MergeReport {
            commands: commands.len(),
            dry_run,
            ..MergeReport::default()
        };
        let meetings = self.meetings()?;
        let mut next_meeting = meetings.iter().map(|m| m.number).max().unwrap_or(0);
        // Meeting numbers of the other desk → numbers here.
        let mut meeting_map: HashMap<u64, u64> = HashMap::new();
        let mut numbers_in_bundle: Vec<u64> = Vec::new();
        // (command, event) of captures whose number is taken here; numbered after the others.
        let mut needs_number: Vec<(usize, usize)> = Vec::new();
        let mut out: Vec<Vec<Event>> = Vec::new();
        for command in commands {
            let mut fresh: Vec<Event> = Vec::new();
            for mut e in command {
                if self.store.has_event(&e)? {
                    continue;
                }
                self.note_what_changes_here(&e, &mut report)?;
                match &mut e.body {
                    EventBody::MeetingAdded(m) => {
                        if let Some(same) = meetings
                            .iter()
                            .find(|k| k.date == m.date && k.venue == m.venue)
                        {
                            // The same meeting, recorded on both desks.
                            meeting_map.insert(m.number, same.number);
                            continue;
                        }
                        let taken = meetings.iter().any(|k| k.number == m.number)
                            || meeting_map.values().any(|&v| v == m.number);
                        let number = if taken { next_meeting + 1 } else { m.number };
                        next_meeting = next_meeting.max(number);
                        meeting_map.insert(m.number, number);
                        m.number = number;
                    }
                    EventBody::Appeal {
                        change: AppealChange::Captured(c),
                        ..
                    } => {
                        report.appeals_added += 1;
                        if let Some(m) = c.meeting {
                            c.meeting = Some(*meeting_map.get(&m).unwrap_or(&m));
                        }
                        if c.number == 0
                            || self.store.number_taken(c.number)?
                            || numbers_in_bundle.contains(&c.number)
                        {
                            needs_number.push((out.len(), fresh.len()));
                            report.renumbered += 1;
                        } else {
                            numbers_in_bundle.push(c.number);
                        }
                    }
                    _ => {}
                }
                fresh.push(e);
            }
            if fresh.is_empty() {
                report.already_here += 1;
            } else {
                out.push(fresh);
            }
        }
        // New numbers after every number here and every number kept from the bundle.
        let mut next = self
            .store
            .last_number()
            .max(numbers_in_bundle.iter().copied().max().unwrap_or(0));
        for (c, e) in needs_number {
            if let Some(EventBody::Appeal {
                change: AppealChange::Captured(cap),
                ..
            }) = out
                .get_mut(c)
                .and_then(|cmd| cmd.get_mut(e))
                .map(|ev| &mut ev.body)
            {
                next += 1;
                cap.number = next;
            }
        }
        if !out.is_empty() && !dry_run {
            self.append_commands(out)?;
        }
        Ok(report)
    }

    /// Records what an incoming event changes beyond new appeals: a step on an appeal already
    /// here, a registry record here given other values.
    fn note_what_changes_here(&self, e: &Event, report: &mut MergeReport) -> Result<(), DeskError> {
        match &e.body {
            EventBody::Appeal {
                change: AppealChange::Captured(_),
                ..
            } => {}
            EventBody::Appeal { appeal, .. } => {
                if let Some(here) = self.store.summary(*appeal)?
                    && !report.steps_here.contains(&here.number)
                {
                    report.steps_here.push(here.number);
                }
            }
            EventBody::EnterpriseSaved(new)
                if self
                    .store
                    .enterprise(&new.name)?
                    .is_some_and(|old| old != *new) =>
            {
                report.replaced.push(Replaced::Enterprise(new.name.clone()));
            }
            EventBody::StewardSaved(new)
                if self
                    .store
                    .steward(&new.name)?
                    .is_some_and(|old| old != *new) =>
            {
                report.replaced.push(Replaced::Steward(new.name.clone()));
            }
            _ => {}
        }
        Ok(())
    }
}
