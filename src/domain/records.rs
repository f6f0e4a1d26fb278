//! The registry the appeals point at: enterprises, stewards and service-day meetings.
//! Enterprises, stewards and departments are known by name, so that two desks that meet the same
//! enterprise agree on who it is when their appeals are merged.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::credit_code::CreditCode;

/// 企业.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enterprise {
    pub name: String,
    pub credit_code: Option<CreditCode>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    /// Town or park (镇街 / 园区).
    pub town: Option<String>,
    pub industry: Option<String>,
}

impl Enterprise {
    pub fn named(name: &str) -> Enterprise {
        Enterprise {
            name: name.to_string(),
            ..Enterprise::default()
        }
    }

    /// Fills what `newer` knows into this record; an empty field never erases a known one.
    pub fn merged_with(&self, newer: &Enterprise) -> Enterprise {
        Enterprise {
            name: self.name.clone(),
            credit_code: newer.credit_code.clone().or(self.credit_code.clone()),
            contact: newer.contact.clone().or(self.contact.clone()),
            phone: newer.phone.clone().or(self.phone.clone()),
            town: newer.town.clone().or(self.town.clone()),
            industry: newer.industry.clone().or(self.industry.clone()),
        }
    }
}

/// 服务管家.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Steward {
    pub name: String,
    pub dept: String,
    pub phone: Option<String>,
    pub team: Option<String>,
}

/// 助企服务日 / 现场会: a dated on-site meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// The short number people read and type.
    pub number: u64,
    #[serde(with = "super::wire::date")]
    pub date: NaiveDate,
    pub venue: String,
    pub host: Option<String>,
    /// Departments present.
    pub depts: Vec<String>,
}

/// Trims a free-text field; `None` when nothing is left, so that "  " is never stored as a value.
pub fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}
