//! Durations as users type them: `3600` (seconds), `90s`, `30m`, `8h`.

/// The number of seconds `text` names.
pub fn parse(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let wrong = || format!("'{text}' is not a duration like 3600, 90m or 8h");
    let (number, unit) = match text.char_indices().last() {
        Some((at, c)) if c.is_ascii_alphabetic() => (&text[..at], c),
        _ => (text, 's'),
    };
    let n: u64 = number.parse().map_err(|_| wrong())?;
    let secs = match unit {
        's' => Some(n),
        'm' => n.checked_mul(60),
        'h' => n.checked_mul(3600),
        _ => None,
    }
    .ok_or_else(wrong)?;
    if secs == 0 {
        return Err(format!("'{text}' is no time at all"));
    }
    Ok(secs)
}

/// `8h`, `30m`, `45s` or `1h30m`: a duration for messages.
pub fn describe(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::new();
    for (n, unit) in [(h, 'h'), (m, 'm'), (s, 's')] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(parse("3600"), Ok(3600));
        assert_eq!(parse("90s"), Ok(90));
        assert_eq!(parse("30m"), Ok(1800));
        assert_eq!(parse(" 8h "), Ok(28800));
        for bad in [
            "",
            "h",
            "8d",
            "-1h",
            "1.5h",
            "0",
            "0m",
            "99999999999999999999h",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn descriptions() {
        assert_eq!(describe(28800), "8h");
        assert_eq!(describe(5400), "1h30m");
        assert_eq!(describe(45), "45s");
    }
}
