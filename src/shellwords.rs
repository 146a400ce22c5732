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

/// A double-quoted word for the Windows C runtime's rules
/// ([`split_windows`]): a `"` inside is escaped with a backslash, and a
/// run of backslashes before a `"` (or before the closing quote) doubled.
pub fn quote_windows(word: &str) -> String {
    let mut quoted = String::from("\"");
    let mut backslashes = 0;
    for c in word.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                quoted.extend(std::iter::repeat_n('\\', backslashes * 2 + 1));
                quoted.push('"');
                backslashes = 0;
            }
            c => {
                quoted.extend(std::iter::repeat_n('\\', backslashes));
                quoted.push(c);
                backslashes = 0;
            }
        }
    }
    quoted.extend(std::iter::repeat_n('\\', backslashes * 2));
    quoted.push('"');
    quoted
}

/// Splits a credential_process line as botocore does on this platform:
/// Python's shlex rules, or on Windows the C runtime's.
pub fn split(line: &str) -> Result<Vec<String>, &'static str> {
    if cfg!(windows) {
        split_windows(line)
    } else {
        split_posix(line)
    }
}

/// The Windows C runtime's rules, as botocore applies them on Windows:
/// only space and tab separate words, only double quotes quote, and
/// backslashes are literal unless a run of them ends at a double quote,
/// where each pair is one backslash and an odd one out escapes the quote.
pub fn split_windows(line: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut word = String::new();
    // A word exists once something (even an empty pair of quotes) began it.
    let mut in_word = false;
    let mut quoted = false;
    let mut backslashes = 0;
    for c in line.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                word.extend(std::iter::repeat_n('\\', backslashes / 2));
                in_word = true;
                if backslashes % 2 == 1 {
                    word.push('"');
                } else {
                    quoted = !quoted;
                }
                backslashes = 0;
            }
            ' ' | '\t' if !quoted => {
                word.extend(std::iter::repeat_n('\\', backslashes));
                in_word |= backslashes > 0;
                backslashes = 0;
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.extend(std::iter::repeat_n('\\', backslashes));
                backslashes = 0;
                word.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err("a double quote is not closed");
    }
    word.extend(std::iter::repeat_n('\\', backslashes));
    if in_word || backslashes > 0 {
        words.push(word);
    }
    Ok(words)
}

/// Splits a command line into words: single quotes are literal, double
/// quotes allow `\"` and `\\`, a backslash outside quotes escapes the next
/// character. An unterminated quote is an error.
pub fn split_posix(line: &str) -> Result<Vec<String>, &'static str> {
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
    if cfg!(windows) {
        cmd_features(line)
    } else {
        sh_features(line)
    }
}

/// What cmd.exe reads outside double quotes (every SDK but botocore runs
/// the line with it on Windows): no wildcards, no `~`, no `$`.
pub fn cmd_features(line: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    let mut quoted = false;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
            continue;
        }
        let feature = match c {
            _ if quoted => None,
            '%' => Some("% (a variable)"),
            '|' => Some("| (a pipe)"),
            '&' => Some("& (several commands)"),
            '>' | '<' => Some("a redirection"),
            '^' => Some("^ (an escape)"),
            _ => None,
        };
        if let Some(f) = feature.filter(|f| !found.contains(f)) {
            found.push(f);
        }
    }
    found
}

/// What `sh -c` would read as shell syntax where botocore's shlex passes
/// the characters on as they are: the JS, Go and Rust SDKs run the line
/// with sh, so it means one thing there and another in boto3. Quotes are
/// read as both read them: inside single quotes nothing is special;
/// inside double quotes sh still expands `$` and `` ` `` (shlex does not);
/// outside quotes a backslash makes the next character plain for both.
/// A character that both leave alone (`|` inside quotes, as in
/// `sh -c "a | b"` or `--mfa-command "a|b"`) is no finding.
pub fn sh_features(line: &str) -> Vec<&'static str> {
    #[derive(PartialEq)]
    enum In {
        Plain,
        Single,
        Double,
    }
    let mut found = Vec::new();
    let mut state = In::Plain;
    // Whether the next plain character starts a word (`~` and `#` count
    // only there).
    let mut word_start = true;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        let feature = match state {
            In::Single => {
                if c == '\'' {
                    state = In::Plain;
                }
                None
            }
            In::Double => match c {
                '"' => {
                    state = In::Plain;
                    None
                }
                '\\' => {
                    // `\"` and `\\` are one character for both; any
                    // other pair is kept whole by both.
                    chars.next();
                    None
                }
                '$' => Some("$ (a variable)"),
                '`' => Some("` (a command substitution)"),
                _ => None,
            },
            In::Plain => match c {
                '\'' => {
                    state = In::Single;
                    None
                }
                '"' => {
                    state = In::Double;
                    None
                }
                '\\' => {
                    chars.next();
                    None
                }
                '$' => Some("$ (a variable)"),
                '`' => Some("` (a command substitution)"),
                '|' => Some("| (a pipe)"),
                ';' | '&' => Some("; or & (several commands)"),
                '>' | '<' => Some("a redirection"),
                '(' | ')' => Some("( or ) (a subshell)"),
                '*' | '?' | '[' => Some("a wildcard"),
                '~' if word_start => Some("~ (the home directory)"),
                '#' if word_start => Some("# (a comment)"),
                _ => None,
            },
        };
        // (`--k=~/x` is no assignment: sh leaves its `~` alone.)
        word_start = state == In::Plain && c.is_whitespace();
        if let Some(f) = feature.filter(|f| !found.contains(f)) {
            found.push(f);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_shlex() {
        assert_eq!(
            split_posix("/bin/x --username helen").unwrap(),
            ["/bin/x", "--username", "helen"]
        );
        assert_eq!(
            split_posix("'/my tools/x' -a").unwrap(),
            ["/my tools/x", "-a"]
        );
        assert_eq!(
            split_posix(r#""/a \"b\"/x" c\ d"#).unwrap(),
            [r#"/a "b"/x"#, "c d"]
        );
        assert_eq!(split_posix(r"'/o'\''brien/x'").unwrap(), ["/o'brien/x"]);
        assert!(split_posix("'open").is_err());
        assert_eq!(split_posix("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn windows_lines_split_as_botocore_splits_them_on_windows() {
        // Each answer is what botocore's _windows_shell_split gives.
        let cases: &[(&str, &[&str])] = &[
            (
                r#""C:\Program Files\awscreds-rs.exe" --username helen"#,
                &[r"C:\Program Files\awscreds-rs.exe", "--username", "helen"],
            ),
            (
                r"C:\tools\awscreds-rs.exe --username helen",
                &[r"C:\tools\awscreds-rs.exe", "--username", "helen"],
            ),
            (r#"a\\"b c" d"#, &[r"a\b c", "d"]),
            (r#"a\"b c"#, &[r#"a"b"#, "c"]),
            (r#""" x"#, &["", "x"]),
            (r"x\\ y\\", &[r"x\\", r"y\\"]),
            (r#""a b"c "d\\""#, &["a bc", r"d\"]),
            ("  lead  trail  ", &["lead", "trail"]),
            ("a\tb", &["a", "b"]),
        ];
        for (line, words) in cases {
            assert_eq!(split_windows(line).unwrap(), *words, "{line}");
        }
        assert!(split_windows(r#""open"#).is_err());
        assert_eq!(split_windows("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn windows_quoting_round_trips_through_split_windows() {
        for word in [
            "",
            "plain",
            "two words",
            r#"say "hi""#,
            r"C:\Program Files\x\",
            r#"a\"b"#,
            r#"a\\"b\\"#,
            r"\\server\share\",
            r#"ykman oath accounts code --single "AWS: helen""#,
        ] {
            let line = format!("x {} y", quote_windows(word));
            assert_eq!(split_windows(&line).unwrap(), ["x", word, "y"], "{line}");
        }
    }

    #[test]
    fn cmd_features_are_not_sh_features() {
        let line = r#""C:\Program Files\awscreds-rs.exe" --username helen"#;
        assert!(cmd_features(line).is_empty());
        assert!(
            cmd_features(r"C:\x?.exe --username a*b").is_empty(),
            "no wildcards in cmd"
        );
        assert_eq!(
            cmd_features("x.exe %HOME% & y"),
            ["% (a variable)", "& (several commands)"]
        );
        assert!(cmd_features(r#""a & b""#).is_empty(), "quoted");
        assert!(!sh_features("x ~/y").is_empty());
    }

    #[test]
    fn quoting_round_trips_through_split_posix() {
        for word in ["/opt/my tools/x", "it's", "a$b `c`", r"back\slash"] {
            assert_eq!(split_posix(&quote_sh(word)).unwrap(), [word]);
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

    #[test]
    fn quoted_syntax_is_read_as_shlex_and_sh_both_read_it() {
        // What boto3 runs as sh runs it: no finding.
        for line in [
            r#"sh -c "awscreds-rs --username a && true""#,
            r#"/bin/x --mfa-command "a|b""#,
            r#"/bin/x --mfa-command 'a|b;c'"#,
            r"/bin/x a\|b",
            r#"/bin/x "it's""#,
            "/bin/x a#b --k=~x",
        ] {
            assert_eq!(sh_features(line), Vec::<&str>::new(), "{line}");
        }
        // A `'` inside double quotes opens nothing: the `;` after is real.
        assert_eq!(
            sh_features(r#"/bin/x "it's" ; y"#),
            ["; or & (several commands)"]
        );
        // sh expands these inside double quotes, shlex does not.
        assert_eq!(sh_features(r#"/bin/x "$HOME""#), ["$ (a variable)"]);
        assert_eq!(sh_features("/bin/x # note"), ["# (a comment)"]);
        assert_eq!(sh_features("/bin/x ~/y"), ["~ (the home directory)"]);
    }
}
