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

/// What one searchable thing is matched against, prepared once.
#[derive(Clone, Debug, Default)]
pub struct SearchKey {
    /// All searchable text, lower-cased.
    text: String,
    /// Initials of all searchable text.
    initials: String,
    /// Initials of the name alone, matched loosely (in order, gaps allowed).
    name_initials: String,
    number: Option<u64>,
}

impl SearchKey {
    /// `name` is the main name (an enterprise); `others` are further fields (category, steward…).
    pub fn new(name: &str, others: &[&str], number: Option<u64>) -> SearchKey {
        let mut text = name.to_lowercase();
        let mut all_initials = initials(name);
        for o in others {
            text.push('\u{1f}');
            text.push_str(&o.to_lowercase());
            all_initials.push('\u{1f}');
            all_initials.push_str(&initials(o));
        }
        SearchKey {
            text,
            initials: all_initials,
            name_initials: initials(name),
            number,
        }
    }

    /// Adds a long text (the appeal) for plain matching; pinyin initials of long texts are not
    /// kept, which keeps the key small and quick to build.
    pub fn with_text(mut self, text: &str) -> SearchKey {
        self.text.push('\u{1f}');
        self.text.push_str(&text.to_lowercase());
        self
    }

    /// Every word of the query must match something.
    pub fn matches(&self, query: &str) -> bool {
        query.split_whitespace().all(|term| self.matches_term(term))
    }

    fn matches_term(&self, term: &str) -> bool {
        let t = term.to_lowercase();
        let t = t.trim_start_matches('#');
        if t.is_empty() {
            return true;
        }
        if let (Some(n), Ok(q)) = (self.number, t.parse::<u64>())
            && n == q
        {
            return true;
        }
        if self.text.contains(t) {
            return true;
        }
        if t.chars().all(|c| c.is_ascii_alphanumeric()) {
            return self.initials.contains(t)
                || (t.len() >= 2 && subsequence(t, &self.name_initials));
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
