//! Filtering the list in slices between keystrokes, so the screen never blocks.

use super::*;

/// A filter being worked through, a slice at a time.
pub(super) struct Job {
    pub(super) query: Query,
    pub(super) next: usize,
    pub(super) found: Vec<usize>,
    /// The appeal to keep selected when the view is sorted anew (rows came in meanwhile).
    pub(super) keep: Option<u64>,
    /// How many entries match the filter, tab by tab: the filter runs across every tab.
    pub(super) matched: [usize; 6],
}

/// How many entries one slice of filtering looks at, at most, before input is read again.
const SLICE: usize = 10_000;
/// How long one slice may take: rows the tab admits cost several times more to match than rows it
/// does not, so a slice of 10,000 took 0.8 ms or 2.9 ms at a million depending on which came
/// first. Bounded by time, a key is answered as quickly on a slower laptop.
const SLICE_TIME: Duration = Duration::from_millis(3);
/// How many entries are looked at between two looks at the clock.
const CHUNK: usize = 1_000;

impl super::ListScreen {
    /// Starts filtering again from the first entry (after a keystroke, a tab or a reload).
    pub fn restart(&mut self) {
        self.job = Some(Job {
            query: Query::new(&self.filter.text()),
            next: 0,
            found: Vec::new(),
            keep: None,
            matched: [0; 6],
        });
    }

    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// One slice of filtering; returns whether more remains.
    pub fn work(&mut self) -> bool {
        let Some(job) = &mut self.job else {
            return false;
        };
        let started = Instant::now();
        let limit = (job.next + SLICE).min(self.entries.len());
        while job.next < limit {
            let end = (job.next + CHUNK).min(limit);
            for (i, row) in self.entries[job.next..end].iter().enumerate() {
                if !(job.query.is_empty() || row.matches(&job.query, &self.texts)) {
                    continue;
                }
                for t in Tab::ALL {
                    if t.admits(row) {
                        job.matched[t.index()] += 1;
                    }
                }
                if self.tab.admits(row) {
                    job.found.push(job.next + i);
                }
            }
            job.next = end;
            if started.elapsed() >= SLICE_TIME {
                break;
            }
        }
        if job.next < self.entries.len() {
            return true;
        }
        let mut found = std::mem::take(&mut job.found);
        let job_keep = job.keep;
        self.matched = job.matched;
        self.job = None;
        // No two entries are equal in `order`, so an unstable sort gives the one order.
        found.sort_unstable_by(|&x, &y| super::order(self.sort, &self.entries, x, y));
        self.view = found;
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
        if let Some(n) = job_keep {
            self.select_number(n);
        }
        false
    }

    /// Finishes any filtering at once (tests, and after a change).
    pub fn settle(&mut self) {
        while self.work() {}
    }
}
