//! Splitting a credential_process line the way botocore does (Python's
//! `shlex.split`, POSIX rules), spotting what only a shell would expand, and
//! quoting a word for sh (and shlex) or fish.

/// The shells the hook and the completions support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    pub const ALL: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }
}

/// A single-quoted word for sh, bash, zsh and Python's shlex alike.
pub fn quote_sh(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// A single-quoted word for `shell`; fish escapes `\\` and `'` inside.
pub fn quote(word: &str, shell: Shell) -> String {
    match shell {
        Shell::Fish => format!("'{}'", word.replace('\\', r"\\").replace('\'', r"\'")),
        Shell::Bash | Shell::Zsh => quote_sh(word),
    }
}

/// Splits a command line into words: single quotes are literal, double
/// quotes allow `\"` and `\\`, a backslash outside quotes escapes the next
/// character. An unterminated quote is an error.
pub fn split(line: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("a single quote is not closed"),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("a double quote is not closed"),
                        },
                        Some(c) => word.push(c),
                        None => return Err("a double quote is not closed"),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// What in a command line only a shell would understand, outside single
/// quotes: botocore runs the words without a shell, the other SDKs with
/// `sh -c`, so such a line works for some tools and not for others.
pub fn shell_features(line: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    let mut in_single = false;
    let mut previous = ' ';
    for c in line.chars() {
        if c == '\'' {
            in_single = !in_single;
        } else if !in_single {
            let feature = match c {
                '$' => Some("$ (a variable)"),
                '`' => Some("` (a command substitution)"),
                '|' => Some("| (a pipe)"),
                ';' | '&' => Some("; or & (several commands)"),
                '>' | '<' => Some("a redirection"),
                '*' | '?' => Some("a wildcard"),
                '~' if previous.is_whitespace() || previous == '=' => {
                    Some("~ (the home directory)")
                }
                _ => None,
            };
            if let Some(f) = feature {
                if !found.contains(&f) {
                    found.push(f);
                }
            }
        }
        previous = c;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_shlex() {
        assert_eq!(
            split("/bin/x --username helen").unwrap(),
            ["/bin/x", "--username", "helen"]
        );
        assert_eq!(split("'/my tools/x' -a").unwrap(), ["/my tools/x", "-a"]);
        assert_eq!(
            split(r#""/a \"b\"/x" c\ d"#).unwrap(),
            [r#"/a "b"/x"#, "c d"]
        );
        assert_eq!(split(r"'/o'\''brien/x'").unwrap(), ["/o'brien/x"]);
        assert!(split("'open").is_err());
        assert_eq!(split("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn quoting_round_trips_through_split() {
        for word in ["/opt/my tools/x", "it's", "a$b `c`", r"back\slash"] {
            assert_eq!(split(&quote_sh(word)).unwrap(), [word]);
        }
        assert_eq!(quote("it's", Shell::Fish), r"'it\'s'");
        assert_eq!(quote(r"a\b", Shell::Fish), r"'a\\b'");
    }

    #[test]
    fn shell_only_features() {
        assert!(shell_features("/bin/x --username helen").is_empty());
        assert!(shell_features("'/a $b/x'").is_empty());
        assert_eq!(shell_features("~/bin/x"), ["~ (the home directory)"]);
        assert_eq!(
            shell_features("x $HOME | y"),
            ["$ (a variable)", "| (a pipe)"]
        );
    }
}
