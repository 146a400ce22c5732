//! The one check behind every name AWS and awscreds-rs accept: ASCII
//! letters and digits, a given set of punctuation, and a length range.

use std::ops::RangeInclusive;

/// Whether `value` is `length` characters of ASCII letters, digits and `punctuation`.
pub fn is_word(value: &str, punctuation: &str, length: RangeInclusive<usize>) -> bool {
    length.contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || punctuation.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert!(is_word("helen-1", "-", 1..=8));
        assert!(!is_word("", "-", 1..=8));
        assert!(!is_word("helen_1", "-", 1..=8));
        assert!(!is_word("é", "", 1..=8));
        assert!(!is_word("123456789", "", 1..=8));
    }
}
