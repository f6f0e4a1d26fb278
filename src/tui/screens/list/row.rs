//! What the desk in the terminal holds for each appeal of the list: only what the list shows,
//! sorts and filters on, with names shared between rows. A million appeals fit in a few hundred
//! megabytes this way (a whole summary is about five times the size), and they are read in
//! batches so that the first screen does not wait for the last appeal.

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::desk::BriefCursor;
use crate::desk::{Desk, DeskError};
use crate::domain::appeal::running_due;
use crate::domain::card::days_overdue;
use crate::domain::{AppealId, Brief, Calendar, Card, Status};
use crate::search::{Name, Query};

/// One appeal as the list holds it: 96 bytes, its text kept apart in [`Texts`] (a million rows
/// are read into the desk; every field here costs a megabyte per byte).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListRow {
    pub id: AppealId,
    pub number: u64,
    /// Seconds since the epoch: the order of capture.
    pub captured_at: i64,
    pub enterprise: Arc<Name>,
    pub category: Arc<Name>,
    pub steward: Option<Arc<Name>>,
    pub lead_dept: Option<Arc<Name>>,
    /// Meetings are numbered from 1 (0 means "not yet numbered" and is never kept).
    pub meeting: Option<NonZeroU64>,
    pub due: Option<NaiveDate>,
    pub captured_on: NaiveDate,
    /// The first characters of the appeal's text, lower-cased: matched by the filter, not shown.
    pub text: TextRef,
    pub urges: u16,
    pub status: Status,
    pub card: Card,
    /// The day it was closed (or withdrawn): the days column counts to it.
    pub closed_on: Option<NaiveDate>,
}

impl ListRow {
    pub fn matches(&self, query: &Query, texts: &Texts) -> bool {
        query.matches(
            Some(self.number),
            &self.enterprise,
            &[
                Some(&self.category),
                self.steward.as_deref(),
                self.lead_dept.as_deref(),
            ],
            texts.get(self.text),
        )
    }

    /// Calendar days past the due date in force on `today`; 0 when not overdue.
    pub fn days_overdue(&self, today: NaiveDate) -> i64 {
        days_overdue(running_due(self.status, self.due), today)
    }

    pub fn meeting(&self) -> Option<u64> {
        self.meeting.map(NonZeroU64::get)
    }
}

/// The rows' texts end to end in one buffer, lower-cased and in UTF-16: two bytes a Chinese
/// character instead of three, and no allocation per row (at a million rows those two cost about
/// 80 MB).
#[derive(Debug, Default)]
pub struct Texts(Vec<u16>);

/// Where one row's text lies in its [`Texts`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextRef {
    start: u32,
    len: u16,
}

impl Texts {
    /// Adds `text`, lower-cased. A text that would not fit (past 4 G characters in all, or
    /// longer than 64 K) is kept empty: it is only ever a clip to match the filter against.
    pub fn push(&mut self, text: &str) -> TextRef {
        let Ok(start) = u32::try_from(self.0.len()) else {
            return TextRef::default();
        };
        match capitals(text) {
            // Most Chinese text has no case: encoded as it is, several times quicker.
            Capitals::None => self.0.extend(text.encode_utf16()),
            // Latin capitals in Chinese text ("A市", "ETC"): lowered in place, as
            // `str::to_lowercase` lowers them, without a string between.
            Capitals::Ascii => self.0.extend(text.encode_utf16().map(|u| match u {
                0x41..=0x5A => u + 0x20,
                _ => u,
            })),
            Capitals::Other => self.0.extend(text.to_lowercase().encode_utf16()),
        }
        let added = self.0.len() - start as usize;
        match u16::try_from(added) {
            Ok(len) => TextRef { start, len },
            Err(_) => {
                self.0.truncate(start as usize);
                TextRef::default()
            }
        }
    }

    pub fn get(&self, r: TextRef) -> &[u16] {
        let start = r.start as usize;
        self.0.get(start..start + usize::from(r.len)).unwrap_or(&[])
    }

    /// Takes in the texts of a batch, moving its rows' references to where they now lie.
    pub fn append(&mut self, other: Texts, rows: &mut [ListRow]) {
        let Ok(base) = u32::try_from(self.0.len()) else {
            rows.iter_mut().for_each(|r| r.text = TextRef::default());
            return;
        };
        for row in rows.iter_mut() {
            row.text = match row.text.start.checked_add(base) {
                Some(start) => TextRef { start, ..row.text },
                None => TextRef::default(),
            };
        }
        self.0.extend(other.0);
    }

    pub fn clear(&mut self) {
        self.0 = Vec::new();
    }
}

enum Capitals {
    None,
    Ascii,
    /// Some beyond ASCII, whose lower case can depend on their place (Σ at a word's end).
    Other,
}

/// CJK punctuation, kana and the unified ideographs: no capitals there, so most of a Chinese
/// text is passed without looking each character up in Unicode's tables.
const CASELESS: std::ops::RangeInclusive<char> = '\u{3000}'..='\u{9FFF}';

/// Whether lower-casing changes `c`: capitals, and title-case letters such as ǅ.
fn lowers(c: char) -> bool {
    let mut lower = c.to_lowercase();
    !(lower.next() == Some(c) && lower.next().is_none())
}

fn capitals(text: &str) -> Capitals {
    let mut found = Capitals::None;
    for c in text.chars() {
        if c.is_ascii_uppercase() {
            found = Capitals::Ascii;
        } else if !c.is_ascii() && !CASELESS.contains(&c) && lowers(c) {
            return Capitals::Other;
        }
    }
    found
}

/// Rows read together, with their texts.
#[derive(Debug, Default)]
pub struct RowBatch {
    pub rows: Vec<ListRow>,
    pub texts: Texts,
}

/// One shared [`Name`] per distinct text. Looked up five times a row (a million rows at the
/// largest): hashed with foldhash rather than SipHash, whose resistance to chosen keys a desk's
/// own names do not need.
#[derive(Default)]
pub struct Names(HashMap<Box<str>, Arc<Name>, foldhash::fast::RandomState>);

impl Names {
    /// Takes in the names another reader met.
    pub fn absorb(&mut self, other: Names) {
        for (text, name) in other.0 {
            self.0.entry(text).or_insert(name);
        }
    }

    pub fn get(&mut self, text: &str) -> Arc<Name> {
        if let Some(n) = self.0.get(text) {
            return Arc::clone(n);
        }
        let name = Arc::new(Name::new(text));
        self.0.insert(text.into(), Arc::clone(&name));
        name
    }
}

/// What a card is worked out against: the desk's today and its rules.
#[derive(Clone)]
pub struct CardRules {
    today: NaiveDate,
    calendar: Calendar,
    warning_days: u32,
}

impl CardRules {
    pub fn card(&self, due: Option<NaiveDate>) -> Card {
        Card::of(due, self.today, &self.calendar, self.warning_days)
    }

    pub fn list_row(&self, b: &Brief<'_>, names: &mut Names, texts: &mut Texts) -> ListRow {
        ListRow {
            id: b.id,
            number: b.number,
            captured_at: b.captured_at,
            enterprise: names.get(b.enterprise),
            category: names.get(b.category),
            steward: b.steward.map(|s| names.get(s)),
            lead_dept: b.lead_dept.map(|d| names.get(d)),
            meeting: b.meeting.and_then(NonZeroU64::new),
            due: b.due,
            captured_on: b.captured_on,
            text: texts.push(b.text),
            urges: u16::try_from(b.urges).unwrap_or(u16::MAX),
            status: b.status,
            card: self.card(b.running_due()),
            closed_on: b.closed_on,
        }
    }
}

/// Reads its share of the appeals' rows in batches, on any thread: it owns what it reads.
pub struct ListLoader {
    cursor: BriefCursor,
    rules: CardRules,
    names: Names,
}

impl ListLoader {
    /// The next rows, at most `max`; empty once every appeal is read.
    pub fn next_batch(&mut self, max: usize) -> Result<RowBatch, DeskError> {
        let mut batch = RowBatch {
            rows: Vec::with_capacity(max.min(4096)),
            texts: Texts::default(),
        };
        while batch.rows.len() < max {
            let (rules, names, texts) = (&self.rules, &mut self.names, &mut batch.texts);
            match self.cursor.next_with(|b| rules.list_row(&b, names, texts)) {
                Some(row) => batch.rows.push(row?),
                None => break,
            }
        }
        Ok(batch)
    }

    /// The names met while reading, for the rows added later to share.
    pub fn into_names(self) -> Names {
        self.names
    }
}

/// The order the open appeals are read in: the tab the list opens on (in progress) first.
const OPEN_FIRST: [Status; 5] = [
    Status::Assigned,
    Status::InProgress,
    Status::Listed,
    Status::Answered,
    Status::Captured,
];

/// How the list's rows get their cards: today, the calendar and the warning window.
pub fn card_rules(desk: &Desk) -> CardRules {
    CardRules {
        today: desk.clock().today(),
        calendar: desk.calendar().clone(),
        warning_days: desk.rules().warning_days,
    }
}

/// Loaders that read every appeal's row once between them: the first reads the open appeals
/// first (the list opens on them) and then the closed ones of the lower half of the numbers; the
/// second the closed ones of the upper half and the withdrawn. On two cores a million are in
/// after 2.3 s instead of 3.1 s.
pub fn list_loaders(desk: &Desk) -> [ListLoader; 2] {
    let all = 0..=u64::MAX;
    let middle = desk.last_number() / 2;
    let mut first: Vec<_> = OPEN_FIRST.iter().map(|s| (*s, all.clone())).collect();
    first.push((Status::Closed, 0..=middle));
    let second = vec![
        (Status::Closed, middle.saturating_add(1)..=u64::MAX),
        (Status::Withdrawn, all),
    ];
    [first, second].map(|order| ListLoader {
        cursor: desk.briefs_in(order),
        rules: card_rules(desk),
        names: Names::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shared() {
        let mut names = Names::default();
        let a = names.get("圆通速递");
        let b = names.get("圆通速递");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &names.get("中通快递")));
    }

    #[test]
    fn nothing_in_the_caseless_range_has_a_case() {
        for c in CASELESS {
            assert!(!lowers(c) && !c.is_uppercase(), "{c:?}");
        }
    }

    #[test]
    fn a_text_is_lowered_as_str_lowers_it_whatever_its_capitals() {
        let mut texts = Texts::default();
        for s in [
            "厂区道路施工",
            "A市ETC通道Road",
            "ΟΔΟΣ 施工",
            "İstanbul",
            "ＡＢＣ全角",
            "Ǆemal 和 ǅ",
            "ǅemal，（标题）",
            "MIXED ΣΑΣ word",
            "",
        ] {
            let r = texts.push(s);
            let want: Vec<u16> = s.to_lowercase().encode_utf16().collect();
            assert_eq!(texts.get(r), &want[..], "{s}");
        }
    }

    #[test]
    fn texts_are_kept_lower_cased_and_found_after_a_batch_is_taken_in() {
        let text = |t: &Texts, r: TextRef| String::from_utf16_lossy(t.get(r));
        let mut all = Texts::default();
        let first = all.push("厂区道路");
        let mut batch = Texts::default();
        let mut names = Names::default();
        let a = batch.push("Road 施工");
        let b = batch.push("");
        assert_eq!(text(&batch, a), "road 施工");
        let mut rows = [a, b].map(|r| ListRow {
            text: r,
            ..sample_row(&mut names)
        });
        all.append(batch, &mut rows);
        assert_eq!(text(&all, first), "厂区道路");
        assert_eq!(text(&all, rows[0].text), "road 施工");
        assert_eq!(text(&all, rows[1].text), "");
    }

    #[test]
    fn a_row_is_96_bytes() {
        // A million are held at once: this is what the desk's memory at that size rests on.
        assert_eq!(std::mem::size_of::<ListRow>(), 96);
    }

    fn sample_row(names: &mut Names) -> ListRow {
        ListRow {
            id: ulid::Ulid(1),
            number: 1,
            captured_at: 0,
            enterprise: names.get("圆通"),
            category: names.get("消防"),
            steward: None,
            lead_dept: None,
            meeting: None,
            due: None,
            captured_on: NaiveDate::MIN,
            text: TextRef::default(),
            urges: 0,
            status: Status::Listed,
            card: Card::None,
            closed_on: None,
        }
    }

    #[test]
    fn the_open_states_are_those_that_are_open() {
        let open: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, Status::OPEN);
    }

    #[test]
    fn the_open_appeals_are_read_in_every_open_state_once() {
        for s in Status::OPEN {
            assert_eq!(OPEN_FIRST.iter().filter(|x| **x == s).count(), 1, "{s:?}");
        }
        assert_eq!(OPEN_FIRST.len(), Status::OPEN.len());
    }
}
