//! A byte-preserving editor for the AWS config and credentials files: it
//! changes the lines it is asked to and leaves every other byte alone
//! (comments, blank lines, order, CRLF, indentation, a missing final newline).

/// One line and the line ending that followed it ("" for a last line without one).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    text: String,
    ending: String,
}

/// A setting [`Ini::set`] would not write: its `what` (header, key or
/// value) holds a line break or another control character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub key: String,
    pub what: &'static str,
}

/// An INI file as lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ini {
    lines: Vec<Line>,
}

/// The span of one section: the header line and the lines up to the next header.
#[derive(Debug, Clone, Copy)]
struct Span {
    header: usize,
    end: usize,
}

/// The name inside `[...]`, if the line is a section header.
pub fn header_name(text: &str) -> Option<&str> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    let inner = trimmed.strip_prefix('[')?;
    // A comment may follow the closing bracket.
    let close = inner.find(']')?;
    let rest = inner[close + 1..].trim_start();
    if !(rest.is_empty() || rest.starts_with('#') || rest.starts_with(';')) {
        return None;
    }
    Some(inner[..close].trim())
}

/// The key and value of a `key = value` or `key: value` line, split at the
/// first `=` or `:` as Python's configparser (and so botocore) splits it.
/// Indentation is not looked at here: whether an indented line is a key of
/// its own or continues the one above depends on that line (`settings`).
fn split_setting(text: &str) -> Option<(&str, &str)> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.starts_with(['#', ';', '[']) {
        return None;
    }
    let at = trimmed.find(['=', ':'])?;
    let key = trimmed[..at].trim();
    (!key.is_empty()).then(|| (key, trimmed[at + 1..].trim()))
}

/// The key of a `key = value` (or `key: value`) line, as written.
pub fn property_key(text: &str) -> Option<&str> {
    split_setting(text).map(|(key, _)| key)
}

/// The value of a `key = value` (or `key: value`) line.
pub fn property_value(text: &str) -> Option<&str> {
    split_setting(text).map(|(_, value)| value)
}

/// How far a line is indented, in characters.
fn indent(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// Whether a line, after a key indented by `key_indent` (None: no key yet
/// in this section), continues that key's value rather than being a line
/// of its own: configparser's rule, which makes `s3 =` then indented
/// settings one nested value, and indented keys after a header keys.
pub fn continues(text: &str, key_indent: Option<usize>) -> bool {
    key_indent.is_some_and(|at| indent(text) > at)
}

/// The lines Python's configparser (and so botocore, the AWS CLI and
/// boto3) refuses to read, one message each (`line N is ...`): a setting
/// before any section, a header without its `]`, and a line that is
/// neither a header, a setting, a comment nor a continuation. botocore
/// fails on the whole file for any of them.
pub fn syntax_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut in_section = false;
    // The indentation of the key above, which deeper lines continue, and
    // whether its own value is empty (what follows is a nested block).
    let mut key_indent = None;
    let mut nested = false;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}');
        let trimmed = line.trim();
        let n = i + 1;
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if let Some(name) = header_name(line) {
            in_section = true;
            key_indent = None;
            let raw = &trimmed[1..trimmed.find(']').unwrap_or(1)];
            if raw != name {
                problems.push(format!(
                    "line {n} has spaces inside the brackets of [{name}], which botocore \
                     keeps in the section's name"
                ));
            }
        } else if continues(line, key_indent) {
            // The value goes on. After `s3 =` (an empty value) it is a
            // nested block, whose lines botocore splits at `=`.
            if nested && !trimmed.contains('=') {
                problems.push(format!(
                    "line {n} is in a nested block (like s3 =) but is not `key = value`"
                ));
            }
        } else if trimmed.starts_with('[') {
            problems.push(format!(
                "line {n} is a section header without its closing ]"
            ));
        } else if property_key(line).is_some() {
            if !in_section {
                problems.push(format!("line {n} is a setting before any [section]"));
            }
            key_indent = Some(indent(line));
            nested = property_value(line) == Some("");
        } else {
            problems.push(format!("line {n} is not a `key = value` setting"));
        }
    }
    problems
}

/// The profile a config-file header names, as botocore reads it:
/// `[profile NAME]` when the header splits into exactly those two words
/// (`[profile my app]` names no profile), and `[default]` for `default`;
/// `None` for other sections. A quoted name, which botocore unquotes as a
/// shell would, is not taken apart here: `None`.
pub fn config_profile_name(header: &str) -> Option<&str> {
    match profile_header_rest(header) {
        Some(rest) => {
            let name = rest.trim();
            let one_word = !name.is_empty()
                && !name.contains(char::is_whitespace)
                && !name.contains(['"', '\'', '\\']);
            one_word.then_some(name)
        }
        _ if header == "default" => Some("default"),
        _ => None,
    }
}

/// What follows `profile` and a blank in a header written as a profile's,
/// whether or not it names one (`[profile my app]` is written as one).
pub fn profile_header_rest(header: &str) -> Option<&str> {
    header
        .strip_prefix("profile")
        .filter(|rest| rest.starts_with([' ', '\t']))
}

/// Whether a config-file header names profile `profile`.
pub fn is_config_header(header: &str, profile: &str) -> bool {
    config_profile_name(header) == Some(profile)
}

impl Ini {
    pub fn parse(text: &str) -> Ini {
        let lines = text
            .split_inclusive('\n')
            .map(|raw| {
                let (text, ending) = if let Some(t) = raw.strip_suffix("\r\n") {
                    (t, "\r\n")
                } else if let Some(t) = raw.strip_suffix('\n') {
                    (t, "\n")
                } else {
                    (raw, "")
                };
                Line {
                    text: text.to_string(),
                    ending: ending.to_string(),
                }
            })
            .collect();
        Ini { lines }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(&line.text);
            out.push_str(&line.ending);
        }
        out
    }

    /// The file's own line ending, for lines we add.
    fn newline(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.ending.as_str())
            .find(|e| !e.is_empty())
            .unwrap_or("\n")
            .to_string()
    }

    fn spans(&self) -> Vec<(String, Span)> {
        let mut spans: Vec<(String, Span)> = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            if let Some(name) = header_name(&line.text) {
                if let Some(last) = spans.last_mut() {
                    last.1.end = i;
                }
                spans.push((
                    name.to_string(),
                    Span {
                        header: i,
                        end: i + 1,
                    },
                ));
            }
        }
        if let Some(last) = spans.last_mut() {
            last.1.end = self.lines.len();
        }
        spans
    }

    /// The names of the sections that appear more than once: botocore
    /// refuses such a file, and an edit of one copy would leave the other.
    pub fn duplicates(&self) -> Vec<String> {
        let mut seen = std::collections::BTreeMap::new();
        for name in self.section_names() {
            *seen.entry(name).or_insert(0) += 1;
        }
        seen.into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(name, _)| name)
            .collect()
    }

    /// How many sections `matches`.
    pub fn count(&self, matches: &dyn Fn(&str) -> bool) -> usize {
        self.spans()
            .iter()
            .filter(|(name, _)| matches(name))
            .count()
    }

    /// Every section header's name, in order, duplicates included.
    pub fn section_names(&self) -> Vec<String> {
        self.spans().into_iter().map(|(name, _)| name).collect()
    }

    /// The last section whose header matches (the last wins, as in the SDKs).
    fn find(&self, matches: &dyn Fn(&str) -> bool) -> Option<Span> {
        self.spans()
            .into_iter()
            .rev()
            .find(|(name, _)| matches(name))
            .map(|(_, span)| span)
    }

    /// Every section in order, duplicates included, with its top-level
    /// properties: one pass over the file, for readers of every profile.
    pub fn sections(&self) -> Vec<(String, Vec<(String, String)>)> {
        self.spans()
            .into_iter()
            .map(|(name, span)| (name, self.properties_in(span)))
            .collect()
    }

    /// The lines of a section that are keys of their own, with the key as
    /// written, in order: configparser's reading (comments and blank lines
    /// skipped, continuation lines part of the key above).
    fn settings(&self, span: Span) -> Vec<(usize, &str)> {
        let mut found = Vec::new();
        let mut key_indent = None;
        for i in span.header + 1..span.end {
            let text = &self.lines[i].text;
            let trimmed = text.trim();
            if trimmed.is_empty() || trimmed.starts_with(['#', ';']) || continues(text, key_indent)
            {
                continue;
            }
            key_indent = Some(indent(text));
            if let Some(key) = property_key(text) {
                found.push((i, key));
            }
        }
        found
    }

    /// The lines after the setting at `i`, up to `end`, that continue its
    /// value (deeper-indented ones; blank lines and comments between them
    /// stay).
    fn continuation(&self, i: usize, end: usize) -> Vec<usize> {
        let at = Some(indent(&self.lines[i].text));
        let mut lines = Vec::new();
        for j in i + 1..end {
            let text = &self.lines[j].text;
            let trimmed = text.trim();
            if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
                continue;
            }
            if !continues(text, at) {
                break;
            }
            lines.push(j);
        }
        lines
    }

    /// A section's keys, lowercased as botocore reads them, with values:
    /// a value continued on deeper-indented lines is those lines joined
    /// with newlines, as configparser joins them (`s3 =` then indented
    /// settings is a value that starts with a newline).
    fn properties_in(&self, span: Span) -> Vec<(String, String)> {
        self.settings(span)
            .into_iter()
            .filter_map(|(i, key)| {
                let mut value = property_value(&self.lines[i].text)?.to_string();
                let continued = self.continuation(i, span.end);
                // Blank lines between continued lines are part of the
                // value; comments are not.
                for j in i + 1..=continued.last().copied().unwrap_or(i) {
                    let text = self.lines[j].text.trim();
                    if continued.contains(&j) || text.is_empty() {
                        value.push('\n');
                        value.push_str(text);
                    }
                }
                Some((key.to_ascii_lowercase(), value))
            })
            .collect()
    }

    /// What the file defines more than once, for a message: `[section]`
    /// for a section written twice, `key in [section]` for a key set twice.
    pub fn doubled(&self) -> Vec<String> {
        let sections = self.duplicates().into_iter().map(|h| format!("[{h}]"));
        let keys = self
            .duplicate_keys()
            .into_iter()
            .map(|(h, key)| format!("{key} in [{h}]"));
        sections.chain(keys).collect()
    }

    /// Each key that a section sets more than once, ignoring case, as
    /// `(section, key)`: botocore refuses such a file (DuplicateOptionError).
    pub fn duplicate_keys(&self) -> Vec<(String, String)> {
        let mut doubled = Vec::new();
        for (name, span) in self.spans() {
            let mut seen = std::collections::BTreeMap::new();
            for (_, key) in self.settings(span) {
                *seen.entry(key.to_ascii_lowercase()).or_insert(0) += 1;
            }
            doubled.extend(
                seen.into_iter()
                    .filter(|(_, n)| *n > 1)
                    .map(|(key, _)| (name.clone(), key)),
            );
        }
        doubled
    }

    /// The top-level properties of the matching section.
    pub fn properties(&self, matches: &dyn Fn(&str) -> bool) -> Option<Vec<(String, String)>> {
        Some(self.properties_in(self.find(matches)?))
    }

    /// Sets `key = value` in the matching section, adding the section (with
    /// `header` as its name) at the end when there is none. Returns whether
    /// anything changed. A header, key or value with a line break (or
    /// another control character) is refused and nothing changes: it would
    /// write lines of its own into the file, a section or a
    /// `credential_process` nobody asked for. Every writer of the AWS
    /// files sets values here, so this is the one place that rule lives.
    pub fn set(
        &mut self,
        matches: &dyn Fn(&str) -> bool,
        header: &str,
        key: &str,
        value: &str,
    ) -> Result<bool, Refused> {
        for (what, text) in [("header", header), ("key", key), ("value", value)] {
            if text.chars().any(char::is_control) {
                return Err(Refused {
                    key: key.escape_default().to_string(),
                    what,
                });
            }
        }
        let newline = self.newline();
        let wanted = format!("{key} = {value}");
        let Some(span) = self.find(matches) else {
            if let Some(last) = self.lines.last_mut() {
                if last.ending.is_empty() {
                    last.ending = newline.clone();
                }
            }
            if self.lines.last().is_some_and(|l| !l.text.trim().is_empty()) {
                self.push_line(String::new(), &newline);
            }
            self.push_line(format!("[{header}]"), &newline);
            self.push_line(wanted, &newline);
            return Ok(true);
        };
        let mut changed = false;
        let mut found = false;
        let settings: Vec<(usize, bool)> = self
            .settings(span)
            .into_iter()
            .map(|(i, k)| (i, k.eq_ignore_ascii_case(key)))
            .collect();
        // New keys go after the section's last line that is not blank or
        // a comment (the last key and the lines that continue it, or an
        // indented line with no key before it, which a key placed above
        // would take as its own continuation).
        let mut last_property = span.header;
        for i in span.header + 1..span.end {
            let text = &self.lines[i].text;
            if !text.trim().is_empty() && !text.trim_start().starts_with(['#', ';']) {
                last_property = i;
            }
        }
        // The old value goes whole: its line, and the deeper lines that
        // continue it (botocore would append them to the new value).
        let mut gone = Vec::new();
        for (i, same) in settings {
            if same {
                found = true;
                if property_value(&self.lines[i].text) != Some(value) {
                    self.lines[i].text = wanted.clone();
                    changed = true;
                }
                gone.extend(self.continuation(i, span.end));
            }
        }
        for &i in gone.iter().rev() {
            self.lines.remove(i);
            changed = true;
        }
        if !found {
            let at = last_property + 1;
            if self.lines[at - 1].ending.is_empty() {
                self.lines[at - 1].ending = newline.clone();
            }
            self.lines.insert(
                at,
                Line {
                    text: wanted,
                    ending: newline,
                },
            );
            changed = true;
        }
        Ok(changed)
    }

    /// Removes the top-level `keys` from the matching section, and the
    /// section itself when no property is left in it (its comments stay).
    /// Returns how many lines went.
    pub fn remove_keys(&mut self, matches: &dyn Fn(&str) -> bool, keys: &[&str]) -> usize {
        let Some(span) = self.find(matches) else {
            return 0;
        };
        let before = self.lines.len();
        // A key's line goes with the deeper lines that continue its value.
        let mut gone: Vec<usize> = Vec::new();
        for (i, k) in self.settings(span) {
            if !keys.iter().any(|key| k.eq_ignore_ascii_case(key)) {
                continue;
            }
            gone.push(i);
            gone.extend(self.continuation(i, span.end));
        }
        let body: Vec<Line> = (span.header + 1..span.end)
            .filter(|i| !gone.contains(i))
            .map(|i| self.lines[i].clone())
            .collect();
        let empty = body
            .iter()
            .all(|l| l.text.trim().is_empty() || l.text.trim_start().starts_with(['#', ';']));
        let mut replacement = Vec::new();
        if empty {
            replacement.extend(body.into_iter().filter(|l| !l.text.trim().is_empty()));
        } else {
            replacement.push(self.lines[span.header].clone());
            replacement.extend(body);
        }
        self.lines.splice(span.header..span.end, replacement);
        before - self.lines.len()
    }

    fn push_line(&mut self, text: String, ending: &str) {
        self.lines.push(Line {
            text,
            ending: ending.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &'static str) -> impl Fn(&str) -> bool {
        move |header: &str| is_config_header(header, name)
    }

    fn set(text: &str, name: &'static str, key: &str, value: &str) -> String {
        let mut ini = Ini::parse(text);
        let header = if name == "default" {
            "default".to_string()
        } else {
            format!("profile {name}")
        };
        ini.set(&profile(name), &header, key, value).unwrap();
        ini.render()
    }

    /// Each case checked against botocore's raw_config_parse (configparser):
    /// `:` splits like `=`, keys are case-insensitive, an indented key after
    /// a header is a key, a deeper line continues the key above.
    #[test]
    fn reads_keys_as_botocore_does() {
        let props = |text: &str| Ini::parse(text).properties(&|h: &str| h == "p").unwrap();
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            props("[p]\n  AWS_Access_Key_ID: AKIA\n  region = r=1:2\n"),
            pairs(&[("aws_access_key_id", "AKIA"), ("region", "r=1:2")])
        );
        assert_eq!(
            props("[p]\ns3 =\n  max_concurrent_requests = 10\n\n  # note\nregion = r\n"),
            pairs(&[("s3", "\nmax_concurrent_requests = 10"), ("region", "r")])
        );
        assert_eq!(
            props("[p]\nk = v\n  more = x\n"),
            pairs(&[("k", "v\nmore = x")])
        );
        assert_eq!(
            Ini::parse("[a]\nregion = x\nRegion: y\n[b]\nregion = z\n").duplicate_keys(),
            vec![("a".to_string(), "region".to_string())]
        );
    }

    #[test]
    fn nested_blocks_need_key_value_lines_as_botocore_splits_them() {
        assert_eq!(
            syntax_problems("[p]\ns3 =\n  addressing_style = path\n"),
            Vec::<String>::new()
        );
        assert_eq!(
            syntax_problems("[p]\nk = v\n  more words\n"),
            Vec::<String>::new()
        );
        assert_eq!(
            syntax_problems("[p]\ns3 =\n\n  # note\n  path style\n"),
            vec!["line 5 is in a nested block (like s3 =) but is not `key = value`".to_string()]
        );
    }

    #[test]
    fn a_line_break_anywhere_is_refused_and_changes_nothing() {
        let text = "[profile a]\nregion = us-east-1\n";
        for (header, key, value) in [
            (
                "profile a",
                "credential_process",
                "x\n[profile evil]\ncredential_process = sh",
            ),
            ("profile a", "credential_process", "x\r"),
            ("profile a", "credential_process", "x\u{85}"),
            ("profile b]\n[profile evil", "region", "us-east-1"),
            ("profile a", "region\nx", "us-east-1"),
        ] {
            let mut ini = Ini::parse(text);
            let refused = ini.set(&profile("a"), header, key, value);
            assert!(refused.is_err(), "{value:?}");
            assert_eq!(ini.render(), text);
        }
    }

    #[test]
    fn set_and_remove_match_keys_in_any_case() {
        assert_eq!(
            set(
                "[profile a]\nCredential_Process = old\nRegion: x\n",
                "a",
                "credential_process",
                "new"
            ),
            "[profile a]\ncredential_process = new\nRegion: x\n"
        );
        assert_eq!(
            set("[profile a]\nRegion: x\n", "a", "region", "x"),
            "[profile a]\nRegion: x\n"
        );
        let mut ini =
            Ini::parse("[d]\nAWS_ACCESS_KEY_ID = A\n  aws_secret_access_key: S\nregion = r\n");
        ini.remove_keys(
            &|h: &str| h == "d",
            &["aws_access_key_id", "aws_secret_access_key"],
        );
        // The indented line continues the key above, as botocore reads it.
        assert_eq!(ini.render(), "[d]\nregion = r\n");
    }

    #[test]
    fn parse_then_render_is_the_identity() {
        for text in [
            "",
            "\n",
            "[default]\nregion = us-east-1",
            "[a]\r\nx = 1\r\n\r\n",
            "\u{feff}[profile x]\n\tregion=eu\n",
            "no header\nat all",
        ] {
            assert_eq!(Ini::parse(text).render(), text);
        }
    }

    #[test]
    fn headers() {
        assert_eq!(header_name("[profile app]"), Some("profile app"));
        assert_eq!(header_name("  [ default ]  # note"), Some("default"));
        assert_eq!(header_name("\u{feff}[default]"), Some("default"));
        assert_eq!(header_name("[broken"), None);
        assert_eq!(header_name("[a] junk"), None);
        assert!(is_config_header("profile app", "app"));
        assert!(is_config_header("profile\tapp", "app"));
        assert!(is_config_header("default", "default"));
        assert!(is_config_header("profile default", "default"));
        assert!(!is_config_header("app", "app"));
        assert!(!is_config_header("profileapp", "app"));
        assert!(!is_config_header("sso-session app", "app"));
    }

    #[test]
    fn adds_a_section_at_the_end() {
        assert_eq!(
            set("", "app", "region", "eu-west-1"),
            "[profile app]\nregion = eu-west-1\n"
        );
        assert_eq!(
            set("[default]\nregion = us-east-1", "app", "region", "eu"),
            "[default]\nregion = us-east-1\n\n[profile app]\nregion = eu\n"
        );
        assert_eq!(
            set("[default]\r\nregion = x\r\n", "app", "region", "eu"),
            "[default]\r\nregion = x\r\n\r\n[profile app]\r\nregion = eu\r\n"
        );
        assert_eq!(
            set("# only a comment\n\n", "default", "region", "eu"),
            "# only a comment\n\n[default]\nregion = eu\n"
        );
    }

    #[test]
    fn updates_a_value_in_place() {
        let text = "# top\n[profile app]  # mine\nregion=us-east-1 \noutput = json\n\n[profile b]\nregion = x\n";
        assert_eq!(
            set(text, "app", "region", "eu"),
            "# top\n[profile app]  # mine\nregion = eu\noutput = json\n\n[profile b]\nregion = x\n"
        );
        assert_eq!(
            set(text, "b", "region", "x"),
            text,
            "an equal value is left as written"
        );
    }

    #[test]
    fn inserts_after_the_last_property_and_its_nested_block() {
        let text = "[profile app]\nregion = eu\ns3 =\n  max_concurrent_requests = 20\n\n# next\n[profile b]\n";
        assert_eq!(
            set(text, "app", "credential_process", "/bin/x --username app"),
            "[profile app]\nregion = eu\ns3 =\n  max_concurrent_requests = 20\ncredential_process = /bin/x --username app\n\n# next\n[profile b]\n"
        );
        assert_eq!(
            set("[profile app]", "app", "region", "eu"),
            "[profile app]\nregion = eu\n"
        );
    }

    #[test]
    fn nested_settings_are_not_top_level_keys() {
        let text = "[profile app]\ns3 =\n  region = inner\n";
        assert_eq!(
            set(text, "app", "region", "eu"),
            "[profile app]\ns3 =\n  region = inner\nregion = eu\n"
        );
    }

    #[test]
    fn other_section_kinds_are_left_alone() {
        let text = "[sso-session app]\nsso_region = x\n[services app]\ns3 =\n  endpoint_url = y\n[app]\nregion = z\n";
        let out = set(text, "app", "region", "eu");
        assert!(out.starts_with(text), "{out}");
        assert!(out.ends_with("[profile app]\nregion = eu\n"), "{out}");
    }

    #[test]
    fn the_default_profile_in_either_spelling() {
        assert_eq!(
            set("[default]\nregion = a\n", "default", "region", "b"),
            "[default]\nregion = b\n"
        );
        assert_eq!(
            set("[profile default]\nregion = a\n", "default", "region", "b"),
            "[profile default]\nregion = b\n"
        );
    }

    #[test]
    fn unicode_profile_names() {
        assert_eq!(
            set("[profile équipe]\nregion = a\n", "équipe", "region", "b"),
            "[profile équipe]\nregion = b\n"
        );
    }

    #[test]
    fn removing_keys_keeps_the_rest() {
        let creds = |h: &str| h == "app";
        let text = "[app]\n# keys\naws_access_key_id = A\naws_secret_access_key = S\nregion = eu\n\n[b]\naws_access_key_id = B\n";
        let mut ini = Ini::parse(text);
        assert_eq!(
            ini.remove_keys(&creds, &["aws_access_key_id", "aws_secret_access_key"]),
            2
        );
        assert_eq!(
            ini.render(),
            "[app]\n# keys\nregion = eu\n\n[b]\naws_access_key_id = B\n"
        );
    }

    #[test]
    fn a_section_left_without_properties_goes_but_its_comments_stay() {
        let creds = |h: &str| h == "app";
        let text = "[b]\nx = 1\n\n[app]\r\n# work keys\r\naws_access_key_id = A\r\naws_secret_access_key = S\r\n\r\n[c]\r\ny = 2\r\n";
        let mut ini = Ini::parse(text);
        ini.remove_keys(&creds, &["aws_access_key_id", "aws_secret_access_key"]);
        assert_eq!(
            ini.render(),
            "[b]\nx = 1\n\n# work keys\r\n[c]\r\ny = 2\r\n"
        );
    }

    #[test]
    fn the_last_duplicate_section_is_the_one_edited() {
        let text = "[profile app]\nregion = a\n[profile app]\nregion = b\n";
        assert_eq!(
            set(text, "app", "region", "c"),
            "[profile app]\nregion = a\n[profile app]\nregion = c\n"
        );
        let props = Ini::parse(text).properties(&profile("app")).unwrap();
        assert_eq!(props, vec![("region".to_string(), "b".to_string())]);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Lines of the shapes real config files have.
    fn line() -> impl Strategy<Value = String> {
        let name = prop::sample::select(vec!["app", "default", "b", "équipe", "corp"]);
        prop_oneof![
            name.clone().prop_map(|n| format!("[profile {n}]")),
            name.clone().prop_map(|n| format!("[{n}]")),
            name.prop_map(|n| format!("[sso-session {n}]")),
            prop::sample::select(vec!["region", "output", "credential_process", "s3"])
                .prop_flat_map(|k| ("[a-z0-9 ./=-]{0,12}", Just(k)))
                .prop_map(|(v, k)| format!("{k} = {v}")),
            "[ \t]{1,4}[a-z_]{1,8} = [a-z0-9]{0,6}",
            "[#;][ -~]{0,20}",
            Just(String::new()),
            "[ -~]{0,30}",
        ]
    }

    fn file() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(line(), 0..25),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(lines, crlf, final_newline)| {
                let ending = if crlf { "\r\n" } else { "\n" };
                let mut text = lines.join(ending);
                if final_newline && !text.is_empty() {
                    text.push_str(ending);
                }
                text
            })
    }

    /// Whether `small`'s lines appear in `big` in the same order.
    fn is_subsequence(small: &[&str], big: &[&str]) -> bool {
        let mut rest = big.iter();
        small.iter().all(|line| rest.any(|b| b == line))
    }

    proptest! {
        #[test]
        fn editing_keeps_every_untouched_line(
            text in file(),
            profile in prop::sample::select(vec!["app", "default", "new"]),
            key in prop::sample::select(vec!["credential_process", "region"]),
            value in "[a-z0-9/ -]{1,20}",
        ) {
            let value = value.trim().to_string();
            prop_assume!(!value.is_empty());
            prop_assert_eq!(Ini::parse(&text).render(), text.clone());

            let matches = |h: &str| is_config_header(h, profile);
            let header = if profile == "default" { "default".to_string() } else { format!("profile {profile}") };
            let mut ini = Ini::parse(&text);
            ini.set(&matches, &header, key, &value).unwrap();
            let out = ini.render();

            // Every line that was not the edited key of the edited
            // section, or a line continuing its old value, is still
            // there, in order.
            let edited: Vec<&str> = out.lines().map(|l| l.trim_end_matches('\r')).collect();
            let before = Ini::parse(&text);
            let replaced: Vec<usize> = before
                .find(&matches)
                .map(|span| {
                    before
                        .settings(span)
                        .into_iter()
                        .filter(|(_, k)| k.eq_ignore_ascii_case(key))
                        .flat_map(|(i, _)| {
                            std::iter::once(i).chain(before.continuation(i, span.end))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let kept: Vec<&str> = text
                .lines()
                .enumerate()
                .filter(|(i, _)| !replaced.contains(i))
                .map(|(_, l)| l.trim_end_matches('\r'))
                .collect();
            prop_assert!(is_subsequence(&kept, &edited), "lost a line:\n{:?}\n=>\n{:?}", text, out);

            // And the value reads back.
            let props = Ini::parse(&out).properties(&matches).unwrap();
            prop_assert!(props.iter().any(|(k, v)| k == key && v == &value), "{:?}", out);
        }
    }
}
