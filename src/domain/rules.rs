//! The district's rules: categories and their default working-day limits, the warning window
//! for yellow cards, and the acknowledgement limit. Loaded from the user's configuration.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub name: String,
    /// Working days from assignment to answer.
    pub days: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    pub categories: Vec<Category>,
    /// Yellow card when the due date is at most this many working days away.
    pub warning_days: u32,
    /// 签收 within this many working days of assignment.
    pub ack_days: u32,
}

/// The default categories and limits (answer within 5–15 working days by kind).
pub const DEFAULT_CATEGORIES: [(&str, u32); 12] = [
    ("审批", 15),
    ("消防", 15),
    ("用地", 15),
    ("规划", 15),
    ("政策", 10),
    ("融资", 10),
    ("人才用工", 10),
    ("水电气", 5),
    ("交通物流", 10),
    ("环保", 15),
    ("科技创新", 10),
    ("其他", 10),
];

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            categories: DEFAULT_CATEGORIES
                .iter()
                .map(|(name, days)| Category {
                    name: name.to_string(),
                    days: *days,
                })
                .collect(),
            warning_days: 2,
            ack_days: 1,
        }
    }
}

impl Rules {
    pub fn category(&self, name: &str) -> Option<&Category> {
        let name = name.trim();
        self.categories.iter().find(|c| c.name == name)
    }

    /// The working-day limit for a category; unknown categories get the longest known limit.
    pub fn days_for(&self, category: &str) -> u32 {
        self.category(category)
            .map(|c| c.days)
            .or_else(|| self.categories.iter().map(|c| c.days).max())
            .unwrap_or(10)
    }
}
