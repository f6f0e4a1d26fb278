//! Appeal and meeting numbers. A desk on a hub gives what it captures offline a provisional
//! number until the hub hands out the final one (ARCHITECTURE.md, "The team desk"). Provisional
//! numbers live above every final one, so the two can never be taken for each other.

/// The highest number a district gives (appeals or meetings): far beyond any real count, far
/// below where arithmetic on numbers could overflow or meet the provisional ones.
pub const MAX_NUMBER: u64 = 999_999_999;

/// Whether a number that came from outside (a bundle, a ledger) is one a desk could have given.
pub fn plausible(number: u64) -> bool {
    match provisional_part(number) {
        Some(n) => n <= MAX_NUMBER,
        None => (1..=MAX_NUMBER).contains(&number),
    }
}

/// Provisional number `n` is stored as `PROVISIONAL_BASE + n`.
pub const PROVISIONAL_BASE: u64 = 1 << 40;

/// Whether a stored number is provisional.
pub fn is_provisional(number: u64) -> bool {
    number > PROVISIONAL_BASE
}

/// The stored form of provisional number `n` (1, 2, …).
pub fn provisional(n: u64) -> u64 {
    PROVISIONAL_BASE.saturating_add(n)
}

/// The `n` of a provisional number as people read it ("临3" is 3).
pub fn provisional_part(number: u64) -> Option<u64> {
    is_provisional(number).then(|| number - PROVISIONAL_BASE)
}

/// The mark a provisional number is shown with, in either language.
pub const PROVISIONAL_MARK: &str = "临";

/// A number as people read it, without the district's prefix: `57`, or `临3` while provisional.
pub fn display(number: u64) -> String {
    match provisional_part(number) {
        Some(n) => format!("{PROVISIONAL_MARK}{n}"),
        None => number.to_string(),
    }
}

/// What a person typed for a number: `57`, `临3` or `P3` (for keyboards without an IME).
pub fn parse(typed: &str) -> Option<u64> {
    let t = typed.trim();
    let provisional_n = t
        .strip_prefix(PROVISIONAL_MARK)
        .or_else(|| t.strip_prefix('P'))
        .or_else(|| t.strip_prefix('p'));
    match provisional_n {
        Some(n) => n
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0 && *n < PROVISIONAL_BASE)
            .map(provisional),
        None => t.parse::<u64>().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisional_numbers_are_marked_and_read_back() {
        let p = provisional(3);
        assert!(is_provisional(p));
        assert!(!is_provisional(57));
        assert_eq!(display(p), "临3");
        assert_eq!(display(57), "57");
        assert_eq!(parse("临3"), Some(p));
        assert_eq!(parse("P3"), Some(p));
        assert_eq!(parse(" 57 "), Some(57));
        assert_eq!(parse("临0"), None);
        assert_eq!(parse("临x"), None);
    }
}
