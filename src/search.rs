//! Finding appeals and enterprises the way an officer types: Chinese text, pinyin initials
//! (`ytjt` finds 圆通…集团), numbers and credit codes.

use pinyin::ToPinyin;

/// The pinyin initials of a text: `浙江圆通` → `zjyt`. Latin letters and digits stay as they are
/// (lower-cased); other characters are dropped.
pub fn initials(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if let Some(p) = c.to_pinyin() {
            out.push_str(p.first_letter());
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Whether `needle`'s characters appear in `hay` in order (not necessarily together).
fn subsequence(needle: &str, hay: &str) -> bool {
    let mut hay = hay.chars();
    needle.chars().all(|n| hay.any(|h| h == n))
}

/// A name (an enterprise, a steward, a department, a category) prepared for matching once: its
/// text lower-cased and its pinyin initials. The list shares one per distinct name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Name {
    text: Box<str>,
    lower: Box<str>,
    initials: Box<str>,
}

impl Name {
    pub fn new(text: &str) -> Name {
        Name {
            text: text.into(),
            lower: text.to_lowercase().into(),
            initials: initials(text).into(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// One word of a query, prepared once for every row it is matched against.
#[derive(Clone, Debug)]
struct Term {
    lower: String,
    /// `lower` in UTF-16, as the list keeps its texts.
    lower16: Vec<u16>,
    number: Option<u64>,
    /// Letters and digits only: also matched against pinyin initials.
    ascii: bool,
}

/// What was typed into a filter: every word must match something.
#[derive(Clone, Debug, Default)]
pub struct Query {
    terms: Vec<Term>,
}

impl Query {
    pub fn new(typed: &str) -> Query {
        let terms = typed
            .split_whitespace()
            .map(|w| w.to_lowercase().trim_start_matches('#').to_string())
            .filter(|t| !t.is_empty())
            .map(|lower| Term {
                lower16: lower.encode_utf16().collect(),
                number: lower.parse().ok(),
                ascii: lower.chars().all(|c| c.is_ascii_alphanumeric()),
                lower,
            })
            .collect();
        Query { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// `name` is the main name, whose initials also match loosely (in order, gaps allowed);
    /// `others` are further names; `text` is a long text, already lower-cased and in UTF-16,
    /// matched as text only (pinyin initials of long texts are not worth their cost).
    pub fn matches(
        &self,
        number: Option<u64>,
        name: &Name,
        others: &[Option<&Name>],
        text: &[u16],
    ) -> bool {
        self.terms.iter().all(|t| {
            if t.number.is_some() && t.number == number {
                return true;
            }
            let t_ = t.lower.as_str();
            let names = || std::iter::once(name).chain(others.iter().flatten().copied());
            if names().any(|n| n.lower.contains(t_)) || contains(text, &t.lower16) {
                return true;
            }
            t.ascii
                && (names().any(|n| n.initials.contains(t_))
                    || (t_.len() >= 2 && subsequence(t_, &name.initials)))
        })
    }
}

/// Whether `needle` occurs in `hay`. Looks for the first unit before comparing the rest: a
/// comparison of every window cost a third of a filter's time at a million rows.
fn contains(hay: &[u16], needle: &[u16]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let Some(last_start) = hay.len().checked_sub(needle.len()) else {
        return false;
    };
    hay[..=last_start]
        .iter()
        .enumerate()
        .any(|(i, &unit)| unit == first && hay[i + 1..i + needle.len()] == *rest)
}

/// What one searchable thing is matched against, prepared once.
#[derive(Clone, Debug, Default)]
pub struct SearchKey {
    name: Name,
    others: Vec<Name>,
    number: Option<u64>,
}

impl SearchKey {
    /// `name` is the main name (an enterprise); `others` are further fields (category, steward…).
    pub fn new(name: &str, others: &[&str], number: Option<u64>) -> SearchKey {
        SearchKey {
            name: Name::new(name),
            others: others.iter().map(|o| Name::new(o)).collect(),
            number,
        }
    }

    /// Every word of the query must match something.
    pub fn matches(&self, query: &str) -> bool {
        let others: Vec<Option<&Name>> = self.others.iter().map(Some).collect();
        Query::new(query).matches(self.number, &self.name, &others, &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_found_anywhere_in_it_and_nowhere_else() {
        let u = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
        let hay = u("厂区道路施工 road");
        for found in ["", "厂", "厂区", "道路施工", "road", "d", " r"] {
            assert!(contains(&hay, &u(found)), "{found}");
        }
        for missing in ["路厂", "roads", "厂区道路施工 road!", "x"] {
            assert!(!contains(&hay, &u(missing)), "{missing}");
        }
        assert!(!contains(&[], &u("厂")));
        assert!(contains(&[], &[]));
    }

    #[test]
    fn initials_of_chinese_and_latin() {
        assert_eq!(initials("浙江圆通航空投资发展有限公司"), "zjythktzfzyxgs");
        assert_eq!(initials("YTO 圆通2号"), "ytoyt2h");
    }

    #[test]
    fn finds_by_text_initials_and_number() {
        let key = SearchKey::new("圆通速递集团", &["消防", "朱洁"], Some(12));
        assert!(key.matches("ytjt"), "initials in order, gaps allowed");
        assert!(key.matches("圆通"));
        assert!(key.matches("xf"), "initials of the category");
        assert!(key.matches("12"));
        assert!(key.matches("#12"));
        assert!(key.matches("圆通 zj"), "every word must match");
        assert!(!key.matches("13"));
        assert!(!key.matches("圆通 国土"));
        assert!(!key.matches("tyjt"), "order matters");
    }
}
