//! How alike two appeal texts are: the Dice coefficient of their character pairs, which works
//! for Chinese without word segmentation.

use std::collections::HashSet;

fn pairs(text: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// 0.0 (nothing shared) to 1.0 (the same pairs of characters).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (pa, pb) = (pairs(a), pairs(b));
    if pa.is_empty() || pb.is_empty() {
        return 0.0;
    }
    let shared = pa.intersection(&pb).count();
    2.0 * shared as f64 / (pa.len() + pb.len()) as f64
}

/// Texts this alike are pointed out as a possible duplicate before saving.
pub const DUPLICATE_THRESHOLD: f64 = 0.4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alike_texts_score_high_and_different_ones_low() {
        let a = "空港物流园区特殊消防审批进度慢";
        assert!((similarity(a, a) - 1.0).abs() < 1e-9);
        assert!(similarity(a, "物流园区消防审批进度太慢了") >= DUPLICATE_THRESHOLD);
        assert!(similarity(a, "技术工人招聘困难") < 0.1);
        assert_eq!(similarity("", a), 0.0);
    }
}
