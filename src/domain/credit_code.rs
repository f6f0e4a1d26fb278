//! 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from a 31-character
//! alphabet (no I, O, S, V, Z), the last one a check character over the first 17.

use std::fmt;

use serde::{Deserialize, Serialize};

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A credit code whose length, characters and check digit have been verified.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

/// Why a credit code was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreditCodeError {
    /// It must be exactly 18 characters; this many were given.
    Length(usize),
    /// A character outside the GB 32100 alphabet, at this 1-based position.
    Character { position: usize, found: char },
    /// The 18th character should be `expected`.
    CheckDigit { expected: char, found: char },
}

impl CreditCode {
    /// Accepts what an officer types: surrounding spaces, lower case and full-width characters
    /// (as a Chinese IME produces them) are normalised before checking.
    pub fn parse(input: &str) -> Result<CreditCode, CreditCodeError> {
        let normalized: String = input
            .trim()
            .chars()
            .map(to_half_width)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let chars: Vec<char> = normalized.chars().collect();
        if chars.len() != 18 {
            return Err(CreditCodeError::Length(chars.len()));
        }
        let mut values = [0u32; 18];
        for (i, &c) in chars.iter().enumerate() {
            values[i] = value_of(c).ok_or(CreditCodeError::Character {
                position: i + 1,
                found: c,
            })?;
        }
        let expected = check_char(&values[..17]);
        if chars[17] != expected {
            return Err(CreditCodeError::CheckDigit {
                expected,
                found: chars[17],
            });
        }
        Ok(CreditCode(normalized))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn value_of(c: char) -> Option<u32> {
    if !c.is_ascii() {
        return None;
    }
    ALPHABET
        .iter()
        .position(|&a| a == c as u8)
        .map(|p| p as u32)
}

fn check_char(first17: &[u32]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    ALPHABET[check as usize] as char
}

fn to_half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CreditCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CreditCode::parse(&s).map_err(|e| format!("{e:?}"))
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Codes of well-known companies, as published in their business licences.
    const REAL: [&str; 3] = [
        "9144030071526726XG", // 深圳市腾讯计算机系统有限公司
        "914403001922038216", // 华为技术有限公司
        "91330100799655058B", // 阿里巴巴(中国)有限公司
    ];

    #[test]
    fn accepts_real_codes() {
        for code in REAL {
            assert_eq!(CreditCode::parse(code).map(|c| c.0), Ok(code.to_string()));
        }
    }

    #[test]
    fn normalises_what_an_ime_types() {
        let typed = " ９１４４０３００７１５２６７２６ｘｇ ";
        assert_eq!(
            CreditCode::parse(typed).map(|c| c.to_string()),
            Ok("9144030071526726XG".to_string())
        );
    }

    #[test]
    fn refuses_wrong_length() {
        assert_eq!(
            CreditCode::parse("9144030071526726X"),
            Err(CreditCodeError::Length(17))
        );
        assert_eq!(CreditCode::parse(""), Err(CreditCodeError::Length(0)));
        assert_eq!(
            CreditCode::parse("9144030071526726XGX"),
            Err(CreditCodeError::Length(19))
        );
    }

    #[test]
    fn refuses_characters_outside_the_alphabet() {
        // I, O, S, V, Z are not used, nor is anything outside ASCII.
        assert_eq!(
            CreditCode::parse("9144030071526726IG"),
            Err(CreditCodeError::Character {
                position: 17,
                found: 'I'
            })
        );
        assert_eq!(
            CreditCode::parse("企144030071526726XG"),
            Err(CreditCodeError::Character {
                position: 1,
                found: '企'
            })
        );
    }

    #[test]
    fn refuses_a_bad_check_digit() {
        assert_eq!(
            CreditCode::parse("9144030071526726XH"),
            Err(CreditCodeError::CheckDigit {
                expected: 'G',
                found: 'H'
            })
        );
        // A single changed digit in the body is caught too.
        assert!(matches!(
            CreditCode::parse("9144030071526727XG"),
            Err(CreditCodeError::CheckDigit { .. })
        ));
    }
}
