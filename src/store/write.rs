//! Writing: a command's events planned against the lifecycle, journaled, and committed in one
//! transaction; the hub's events taken in the same way; drafts.

use super::*;

impl Store {
    /// Validates `events` against the lifecycle, journals them and commits them in one
    /// transaction. Capture and meeting numbers left at 0 are given the next number.
    /// Returns the appeals as they are after the command.
    pub fn append(&self, events: Vec<Event>) -> Result<Vec<Appeal>, AppendError> {
        self.append_batch(vec![events])
    }

    /// Several commands in one journal write, one transaction and one fsync: the way imports
    /// stay fast. All or nothing: a refusal anywhere writes none of them.
    pub fn append_batch(&self, commands: Vec<Vec<Event>>) -> Result<Vec<Appeal>, AppendError> {
        self.refuse_if_cut_short()?;
        let mut w = self.writer();
        self.recover_if_failed(&mut w)?;
        // Planned over all the events at once.
        let mut flat: Vec<Event> = commands.into_iter().flatten().collect();
        let plan = self.plan(&mut flat, w.meta)?;
        // The commands are journaled as one: a write torn by a crash takes none of them, as the
        // one transaction does (and a replay plans them together, as here).
        let mut plan = self.journal_and_commit(&mut w, &flat, plan)?;
        Ok(plan.appeals())
    }

    /// Captures and meetings from now on get provisional numbers (the desk is on a hub) or the
    /// desk's own next numbers.
    pub fn set_provisional_numbers(&self, on: bool) {
        self.provisional
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Takes in events from the hub (each with its stamp), in the hub's order, as one command:
    /// journaled first, then one transaction. Events already here get their stamp and their
    /// place; a step the hub's order makes impossible stays in its appeal's timeline, not in
    /// effect. Returns the appeals as they are now and those whose number changed.
    pub fn take_from_hub(&self, events: Vec<Event>) -> Result<HubIntake, StoreError> {
        self.refuse_if_cut_short()?;
        let mut w = self.writer();
        self.recover_if_failed(&mut w)?;
        let mut events = events;
        let plan = self.plan(&mut events, w.meta).map_err(|e| match e {
            AppendError::Refused(r) => StoreError::Replay(r),
            AppendError::Store(s) => s,
        })?;
        let mut plan = self.journal_and_commit(&mut w, &events, plan)?;
        Ok(HubIntake {
            appeals: plan.appeals(),
            renumbered: plan.renumbered,
            new_appeals: plan.new_appeals,
            new_conflicts: plan.new_conflicts,
        })
    }

    /// Journals a planned command's events (fsynced), then commits it: from the journal on it is
    /// saved, whatever the engine does. Should the engine fail, it is reopened and caught up
    /// from the journal, now or (the disk still full) before the next write.
    pub(super) fn journal_and_commit(
        &self,
        w: &mut Writer,
        events: &[Event],
        mut plan: Plan,
    ) -> Result<Plan, StoreError> {
        plan.meta.journal_len = w.journal.append_events(events)?;
        match self.commit(&plan).and_then(|_| self.sync()) {
            Ok(()) => {
                w.meta = plan.meta;
                // The command is saved; moving appeals between the live database and the
                // archive can be finished on the next open if it fails here.
                let moved =
                    self.release_from_archive(&plan.unarchived)
                        .and_then(|_| match plan.closes {
                            true => self.archive_closed(false).map(|_| ()),
                            false => Ok(()),
                        });
                if let Err(e) = moved {
                    tracing::warn!(error = %e, "appeals not moved between the store and its archive; finished on the next open");
                }
                Ok(plan)
            }
            Err(e) => {
                tracing::warn!(error = %e, "the engine failed after the journal took the command");
                w.engine_failed = true;
                if let Err(again) = self.recover_if_failed(w) {
                    tracing::warn!(error = %again, "the engine could not be reopened yet");
                }
                Ok(plan)
            }
        }
    }

    pub(super) fn plan(&self, events: &mut [Event], mut meta: Meta) -> Result<Plan, AppendError> {
        let provisional = self.provisional.load(std::sync::atomic::Ordering::Relaxed);
        let mut ops = Vec::new();
        let mut renumbered = Vec::new();
        // Appeals touched by this command: as they were before it, their events with this
        // command's added, and as they are now.
        let mut touched: Vec<Touched> = Vec::new();
        let mut index: HashMap<AppealId, usize> = HashMap::new();
        for k in 0..events.len() {
            // The command's events before this one, which its appeals name by index.
            let (earlier, rest) = events.split_at_mut(k);
            let event = &mut rest[0];
            let seq = meta.next_seq;
            meta.next_seq += 1;
            if let Some(stamp) = event.hub {
                meta.hub_seq = meta.hub_seq.max(stamp.seq);
            }
            if let (Some(stamp), EventBody::Appeal { appeal, .. }) = (event.hub, &event.body) {
                // From the hub: put it in its place and fold again in the hub's order; a step
                // it makes impossible stays in the timeline, not in effect.
                let appeal = *appeal;
                let i = self.touched_slot(appeal, Look::Everywhere, &mut touched, &mut index)?;
                if let Some(n) = stamp.number {
                    meta.last_number = meta.last_number.max(n);
                }
                let t = &mut touched[i];
                t.own_events_cloned(earlier);
                match t.events.iter().position(|e| e.id == event.id) {
                    Some(at) => t.events[at] = event.clone(),
                    None => t.events.push(event.clone()),
                }
                // Folded once, when the command's events are all in (a page of a pull brings
                // several events of an appeal).
                t.unfolded = true;
                continue;
            }
            match &mut event.body {
                EventBody::Appeal { appeal, change } => {
                    let look = match change {
                        // A capture made here names a new appeal: the archive is not looked in,
                        // nor, in a bulk write or a laying out, the live database. There the
                        // read waits while the batch before is committed (sled's transactions
                        // lock every tree of the process): 0.3 s of an import's planning.
                        AppealChange::Captured(_) if self.direct_to_archive() => Look::Nowhere,
                        AppealChange::Captured(_) => Look::Live,
                        _ => Look::Everywhere,
                    };
                    let i = self.touched_slot(*appeal, look, &mut touched, &mut index)?;
                    if let AppealChange::Captured(c) = change {
                        if c.number == 0 {
                            c.number = if provisional {
                                meta.last_provisional += 1;
                                number::provisional(meta.last_provisional)
                            } else {
                                meta.last_number + 1
                            };
                        } else if self.number_taken(c.number)?
                            || touched.iter().any(|t| t.number() == Some(c.number))
                        {
                            return Err(StoreError::NumberTaken(c.number).into());
                        }
                        if !number::is_provisional(c.number) {
                            meta.last_number = meta.last_number.max(c.number);
                        }
                    }
                    let t = &mut touched[i];
                    if t.all_events(earlier).any(|e| e.id == event.id) {
                        // Taken in already (a command replayed after the archive took its part
                        // and the live database did not): not applied twice.
                        continue;
                    }
                    t.fold();
                    Appeal::take_into(&mut t.after, *appeal, event.at, &event.actor, change)
                        .map_err(AppendError::Refused)?;
                    t.own.push(k);
                    continue;
                }
                EventBody::EnterpriseSaved(e) => {
                    ops.push(Op::Put(
                        ENTERPRISES,
                        e.name.as_bytes().to_vec(),
                        codec::encode(e)?,
                    ));
                }
                EventBody::StewardSaved(s) => {
                    ops.push(Op::Put(
                        STEWARDS,
                        s.name.as_bytes().to_vec(),
                        codec::encode(s)?,
                    ));
                }
                EventBody::MeetingEdited(m) => {
                    // A correction names the meeting by the number it had on the editing desk;
                    // one the hub has since numbered is found through its alias.
                    let number = match self.meeting_alias(m.number)? {
                        Some(now) => now,
                        None => m.number,
                    };
                    ops.push(Op::Put(
                        MEETINGS,
                        u64_key(number).to_vec(),
                        codec::encode(&Meeting {
                            number,
                            ..m.clone()
                        })?,
                    ));
                }
                EventBody::DepartmentAdded { name } => {
                    ops.push(Op::Put(DEPARTMENTS, name.as_bytes().to_vec(), Vec::new()));
                }
                EventBody::MeetingAdded(m) => {
                    if let Some(n) = event.hub.and_then(|h| h.number) {
                        // One of ours the hub numbered: its provisional (or older) number goes.
                        if let Some(own) = self.registry_event(event.id)?
                            && let EventBody::MeetingAdded(before) = own.body
                            && before.number != n
                        {
                            ops.push(Op::Del(MEETINGS, u64_key(before.number).to_vec()));
                            ops.push(Op::Put(
                                ALIASES,
                                alias_key(b'm', before.number).to_vec(),
                                u64_key(n).to_vec(),
                            ));
                        }
                        m.number = n;
                    } else if m.number == 0 {
                        m.number = if provisional {
                            meta.last_provisional_meeting += 1;
                            number::provisional(meta.last_provisional_meeting)
                        } else {
                            meta.last_meeting + 1
                        };
                    }
                    if !number::is_provisional(m.number) {
                        meta.last_meeting = meta.last_meeting.max(m.number);
                    }
                    ops.push(Op::Put(
                        MEETINGS,
                        u64_key(m.number).to_vec(),
                        codec::encode(m)?,
                    ));
                }
            }
            // An event of ours coming back from the hub keeps its place (and gets its stamp).
            // Only an event from the hub is looked for: an import's were 600,000 lookups at 100k.
            let kept = match event.hub {
                Some(_) => self.engine()?.trees[EVENT_IDS]
                    .get(event.id.0.to_be_bytes())
                    .map_err(StoreError::from)?,
                None => None,
            };
            let seq = kept.and_then(|old| read_u64(&old)).unwrap_or(seq);
            ops.push(Op::Put(
                EVENTS,
                u64_key(seq).to_vec(),
                codec::encode(&*event)?,
            ));
            ops.push(Op::Put(
                EVENT_IDS,
                event.id.0.to_be_bytes().to_vec(),
                u64_key(seq).to_vec(),
            ));
        }
        let events: &[Event] = events;
        // Index entries are taken out before any is put in: an appeal numbered by the hub may
        // take a number another appeal of this command gives up.
        let mut puts = Vec::new();
        let (mut new_appeals, mut new_conflicts) = (0usize, 0u32);
        for t in touched.iter_mut() {
            t.fold();
        }
        let mut day_edits = days::DayEdits::default();
        let mut cohort_edits = cohorts::CohortEdits::default();
        let mut unarchived = Vec::new();
        let mut closes = false;
        let direct = self.direct_to_archive();
        // What goes to the archive: taken out there first, then put in.
        let (mut archive_dels, mut archive_puts) = (Vec::new(), Vec::new());
        // Each appeal's history (frames) and summary (encoded), to be packed.
        let mut unpacked = Vec::with_capacity(touched.len());
        for t in &touched {
            let mut history = Vec::new();
            for e in t.all_events(events) {
                history::push(&mut history, e)?;
            }
            let summary = match &t.after {
                Some(after) => codec::encode(&after.summary())?,
                None => Vec::new(),
            };
            unpacked.push((history, summary));
        }
        // A bulk write's or a laying out's first batch teaches the store its dictionaries
        // (otherwise its first move to the archive does).
        let dictionaries = match direct {
            true => self.dictionaries_from(
                unpacked
                    .iter()
                    .filter(|(_, s)| !s.is_empty())
                    .map(|(h, s)| (h.as_slice(), s.as_slice())),
            )?,
            false => self.dictionaries(),
        };
        let dictionaries = dictionaries.as_deref();
        for (t, (history, summary)) in touched.iter().zip(&unpacked) {
            let closed = t
                .after
                .as_ref()
                .is_some_and(|a| matches!(a.status, Status::Closed | Status::Withdrawn));
            closes |= closed;
            let marks = days::marks(t.after.as_ref(), t.all_events(events));
            // In a bulk write a closed appeal goes straight to the archive (killed half-way,
            // the whole bulk write is undone). So does an archived one that the command leaves
            // as it was (the hub sending back a desk's own steps with its stamps): nothing in
            // the live database depends on it, so the command replayed after the archive took
            // its part does the same again. Otherwise every change lands in the live database
            // and closed appeals move later.
            let unchanged = t.archived && t.before == t.after && marks == t.filed;
            let to_archive = closed && (direct || unchanged);
            if t.archived && !to_archive {
                // Written to the live database from now on; the archive lets it go after.
                unarchived.push(t.id);
                puts.push(Store::from_archive_mark(t.id));
            }
            day_edits.note(t.id, &t.filed, &marks);
            cohort_edits.note(t.before.as_ref(), t.after.as_ref());
            let id = id_key(t.id).to_vec();
            // The appeal's own entries, in the database it goes to.
            let mut own = vec![Op::Put(
                HISTORIES,
                id.clone(),
                packing::pack_history(history, dictionaries)?,
            )];
            if let Some(b) = &t.before {
                let entry = Op::Del(BY_STATUS, status_key(b.status, b.number).to_vec());
                match (t.archived, to_archive) {
                    (true, true) => archive_dels.push(entry),
                    _ => ops.push(entry),
                }
                if to_archive && !t.archived {
                    // Out of the live database: it held the appeal until now.
                    ops.push(Op::Del(HISTORIES, id.clone()));
                    ops.push(Op::Del(APPEALS, id.clone()));
                    if let Some(ext) = &b.external_id {
                        ops.push(Op::Del(EXTERNAL_IDS, ext.as_bytes().to_vec()));
                    }
                }
            }
            let Some(after) = &t.after else {
                // Steps of an appeal whose capture has not come yet: kept, not shown.
                if t.before.is_some() {
                    ops.push(Op::Del(APPEALS, id.clone()));
                    meta.appeals = meta.appeals.saturating_sub(1);
                }
                puts.extend(own);
                continue;
            };
            if t.before.is_none() {
                meta.appeals += 1;
                new_appeals += 1;
            }
            let before_conflicts = t.before.as_ref().map_or(0, |b| b.conflicts);
            new_conflicts += after.conflicts.saturating_sub(before_conflicts);
            match (before_conflicts > 0, after.conflicts > 0) {
                (false, true) => {
                    meta.conflicted += 1;
                    puts.push(Op::Put(CONFLICTED, id.clone(), Vec::new()));
                }
                (true, false) => {
                    meta.conflicted = meta.conflicted.saturating_sub(1);
                    ops.push(Op::Del(CONFLICTED, id.clone()));
                }
                _ => {}
            }
            if let Some(b) = &t.before
                && b.number != after.number
            {
                renumbered.push((b.number, after.number));
                puts.push(Op::Put(
                    ALIASES,
                    alias_key(b'a', b.number).to_vec(),
                    id.clone(),
                ));
            }
            if let Some(ext) = &after.external_id {
                own.push(Op::Put(EXTERNAL_IDS, ext.as_bytes().to_vec(), id.clone()));
            }
            own.push(Op::Put(
                APPEALS,
                id.clone(),
                packing::pack_summary(summary, dictionaries)?,
            ));
            own.push(Op::Put(
                BY_STATUS,
                status_key(after.status, after.number).to_vec(),
                brief::encode(&after.brief())?,
            ));
            match to_archive {
                true => archive_puts.extend(own),
                false => puts.extend(own),
            }
        }
        ops.extend(puts);
        for (key, value) in META_KEYS.iter().zip(meta.values()) {
            ops.push(Op::Put(
                META,
                key.as_bytes().to_vec(),
                u64_key(value).to_vec(),
            ));
        }
        archive_dels.extend(archive_puts);
        Ok(Plan {
            ops,
            archive_ops: archive_dels,
            meta,
            touched,
            day_edits,
            cohort_edits,
            renumbered,
            new_appeals,
            new_conflicts,
            unarchived,
            closes,
        })
    }

    /// Where the appeal is among those a command touches (read from the store the first time).
    fn touched_slot(
        &self,
        appeal: AppealId,
        look: Look,
        touched: &mut Vec<Touched>,
        index: &mut HashMap<AppealId, usize>,
    ) -> Result<usize, StoreError> {
        if let Some(&i) = index.get(&appeal) {
            return Ok(i);
        }
        let (history, archived) = match look {
            Look::Nowhere => (Vec::new(), false),
            Look::Live => self.history_where(appeal, false)?,
            Look::Everywhere => self.history_where(appeal, true)?,
        };
        touched.push(Touched::of(appeal, &history, archived)?);
        index.insert(appeal, touched.len() - 1);
        Ok(touched.len() - 1)
    }
}

/// Where the store is looked in for an appeal about to be changed.
#[derive(Clone, Copy)]
enum Look {
    /// Nowhere: it is new.
    Nowhere,
    /// In the live database only.
    Live,
    /// In the live database, then the archive.
    Everywhere,
}

impl Touched {
    /// An appeal about to be changed: its events and its fold, from its stored `history`.
    fn of(id: AppealId, history: &[u8], archived: bool) -> Result<Touched, StoreError> {
        let events = history::events(history)?;
        let before = if events.is_empty() {
            None
        } else {
            crate::domain::appeal::fold(id, &events).appeal
        };
        Ok(Touched {
            id,
            filed: days::marks(before.as_ref(), &events),
            archived,
            after: before.clone(),
            before,
            events,
            own: Vec::new(),
            unfolded: false,
        })
    }
}

impl Store {
    /// A registry event (not an appeal's) by its identity.
    pub(super) fn registry_event(
        &self,
        id: crate::domain::EventId,
    ) -> Result<Option<Event>, StoreError> {
        match self.engine()?.trees[EVENT_IDS].get(id.0.to_be_bytes())? {
            Some(seq) => self.get(EVENTS, &seq, "an event"),
            None => Ok(None),
        }
    }

    pub(super) fn commit(&self, plan: &Plan) -> Result<(), StoreError> {
        // The journal length is part of the same transaction: the store knows exactly which
        // journal lines it holds.
        let journal_len = u64_key(plan.meta.journal_len);
        #[cfg(test)]
        self.faults.commit()?;
        if !plan.archive_ops.is_empty() {
            // The archive first: the live database's transaction, which moves the journal's
            // mark, says the command is in. (Bulk writes, undone whole if killed, and appeals
            // left as they were, which a replay writes the same again.)
            let archive = self
                .archive(true)?
                .ok_or_else(|| StoreError::Engine("the archive could not be made".into()))?;
            archive.apply(&[&plan.archive_ops])?;
            if !self.direct_to_archive() {
                // On disk before the live database says the command is in (a bulk write syncs
                // the archive with each batch instead).
                archive.sync()?;
            }
        }
        #[cfg(test)]
        self.faults.live_commit()?;
        let mark = [
            Op::Put(META, b"journal_len".to_vec(), journal_len.to_vec()),
            Op::Put(META, b"layout".to_vec(), u64_key(LAYOUT).to_vec()),
        ];
        let engine = self.engine()?;
        let mut filed = plan.day_edits.ops(&engine.trees[DAYS])?;
        filed.extend(plan.cohort_edits.ops(&engine.trees[COHORTS])?);
        // Counted before the transaction: should it fail, a desk reads its registry again for
        // nothing, but never keeps one that changed.
        if plan.ops.iter().any(Op::is_registry) {
            self.registry_writes
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        engine.apply(&[&plan.ops, &filed, &mark])
    }

    /// How many commands wrote to the registry since this store was opened (see the field).
    pub fn registry_writes(&self) -> u64 {
        self.registry_writes
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Flushes and fsyncs the engine (and the archive, while a bulk write puts appeals there).
    pub(super) fn sync(&self) -> Result<(), StoreError> {
        if self.direct_to_archive()
            && let Some(archive) = self.archive(false)?
        {
            archive.sync()?;
        }
        self.engine()?.sync()
    }

    // ----- drafts: half-typed forms, not events; never journaled -----

    pub fn save_draft(&self, key: &str, body: &[u8]) -> Result<(), StoreError> {
        self.engine()?.drafts.insert(key.as_bytes(), body)?;
        self.sync()
    }

    pub fn discard_draft(&self, key: &str) -> Result<(), StoreError> {
        self.engine()?.drafts.remove(key.as_bytes())?;
        self.sync()
    }
}
