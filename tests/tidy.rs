//! The layering that ARCHITECTURE.md draws, checked on the sources (in the
//! spirit of rust-analyzer's tidy tests): no module imports one above it,
//! and the process's environment, printing and exiting stay where the
//! drawing puts them. It reads `src/` only; no binary is needed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The top-level module a file belongs to: `src/store/file.rs` is `store`.
fn module_of(file: &Path) -> String {
    let relative = file.strip_prefix(project().join("src")).unwrap();
    let first = relative.components().next().unwrap();
    first
        .as_os_str()
        .to_str()
        .unwrap()
        .trim_end_matches(".rs")
        .to_string()
}

/// A file's code as the checks read it: line comments and the unit tests
/// (`#[cfg(test)] mod tests`, last in a file by habit) left out.
fn code(file: &Path) -> String {
    let text = fs::read_to_string(file).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text,
    };
    text.lines()
        .map(|line| match line.trim_start().starts_with("//") {
            true => "",
            false => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The layers of ARCHITECTURE.md's drawing, top first: each line of its
/// first fenced block is one layer, and the words on it that end in `.rs`
/// or `/` are its modules.
fn layers() -> BTreeMap<String, usize> {
    let text = fs::read_to_string(project().join("ARCHITECTURE.md")).unwrap();
    let block = text
        .split("```")
        .nth(1)
        .expect("ARCHITECTURE.md draws the layers in a fenced block");
    let mut layers = BTreeMap::new();
    for (depth, line) in block.lines().skip(1).enumerate() {
        for word in line.split_whitespace() {
            let module = word.trim_end_matches(',');
            if let Some(name) = module
                .strip_suffix(".rs")
                .or_else(|| module.strip_suffix('/'))
            {
                let before = layers.insert(name.to_string(), depth);
                assert!(before.is_none(), "{name} is drawn twice");
            }
        }
    }
    layers
}

/// The modules of the crate that `code` names: `crate::x`, `crate::{x, y}`,
/// and in main.rs `awscreds_rs::`.
fn imports(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for prefix in ["crate::", "awscreds_rs::"] {
        for (at, _) in code.match_indices(prefix) {
            let rest = &code[at + prefix.len()..];
            let names: Vec<&str> = match rest.strip_prefix('{') {
                // `crate::{a::B, c}`: the first name of each path.
                Some(group) => group[..group.find('}').unwrap_or(group.len())]
                    .split(',')
                    .collect(),
                None => vec![rest],
            };
            for name in names {
                let name = name.trim();
                let word: String = name
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                // `crate::say!`: a macro, exported at the crate's root from
                // stdio.rs, the bottom layer, so any module may use it.
                if name[word.len()..].starts_with('!') {
                    continue;
                }
                if !word.is_empty() {
                    found.push(word);
                }
            }
        }
    }
    found
}

#[test]
fn every_module_is_drawn_and_imports_only_below_itself() {
    let layers = layers();
    let mut wrong = Vec::new();
    for file in sources(&project().join("src")) {
        let module = module_of(&file);
        if module == "lib" {
            continue;
        }
        let Some(&mine) = layers.get(&module) else {
            wrong.push(format!("{module} is not in ARCHITECTURE.md's drawing"));
            continue;
        };
        for used in imports(&code(&file)) {
            match layers.get(&used) {
                _ if used == module => {}
                Some(&theirs) if theirs > mine => {}
                Some(_) => wrong.push(format!(
                    "{} uses {used}, which is not below it",
                    file.display()
                )),
                None => wrong.push(format!(
                    "{} uses {used}, which the drawing lacks",
                    file.display()
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The modules that may use each of these, and why: what ARCHITECTURE.md's
/// "Rules the tidy test keeps" lists.
const CONFINED: &[(&str, &[&str])] = &[
    // The process's variables: main reads the command line, everything
    // else reads through context::Env, which the commands take once and
    // hand down (the AWS SDK reads them on its own, and aws/ names the
    // endpoints the SDK resolved).
    ("std::env", &["main", "context"]),
    // Printing: the commands, and the panic hook. Messages go through
    // `say!` (stdio.rs), which strips what drives a terminal and never
    // panics on a closed stderr; `eprintln!` does neither.
    ("println!", &["main", "cmd"]),
    ("print!", &["main", "cmd"]),
    ("say!", &["main", "cmd", "hardening"]),
    ("eprintln!", &[]),
    ("eprint!", &["main", "cmd"]),
    ("dbg!", &[]),
    // Exiting: main, and the fault-injection build's stop.
    ("process::exit", &["main", "faults"]),
];

/// Whether `code` uses `what` (`println!`, `std::env`): written out
/// (`eprintln!` is not `println!`), or for a path, also through a group
/// (`use std::{env, fs}`, `use std::{env::var}`) or a renaming import
/// (`use std::env as e`, which holds the path itself).
fn uses(code: &str, what: &str) -> bool {
    let written = code.match_indices(what).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + what.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && (what.ends_with('!') || !after.is_some_and(|c| c.is_alphanumeric() || c == '_'))
    });
    if written {
        return true;
    }
    let Some((parent, last)) = what.rsplit_once("::") else {
        return false;
    };
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let group = format!("{parent}::{{");
    compact.match_indices(&group).any(|(at, _)| {
        let inside = &compact[at + group.len()..];
        // The group up to its closing brace, nested groups included.
        let mut depth = 1;
        let end = inside
            .char_indices()
            .find_map(|(i, c)| {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(i)
            })
            .unwrap_or(inside.len());
        let mut depth = 0;
        inside[..end]
            .split(|c| {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                c == ',' && depth == 0
            })
            .any(|item| {
                item == last
                    || item.starts_with(&format!("{last}::"))
                    || item.starts_with(&format!("{last}as"))
            })
    })
}

/// Every file in `src/` says what it is for in a module doc (`//!`) at
/// its top, as ARCHITECTURE.md's code map assumes.
#[test]
fn every_module_has_a_doc() {
    let undocumented: Vec<String> = sources(&project().join("src"))
        .into_iter()
        .filter(|file| {
            !fs::read_to_string(file)
                .unwrap()
                .trim_start()
                .starts_with("//!")
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(undocumented.is_empty(), "no //! doc: {undocumented:?}");
}

#[test]
fn the_environment_printing_and_exiting_stay_where_they_are_allowed() {
    let mut wrong = Vec::new();
    for file in sources(&project().join("src")) {
        let module = module_of(&file);
        let code = code(&file);
        for (what, allowed) in CONFINED {
            if uses(&code, what) && !allowed.contains(&module.as_str()) {
                wrong.push(format!("{} uses {what}", file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every awscreds-rs command a message suggests is built by `fix.rs`
/// (whose every shape a unit test in `cli.rs` parses): none is written by
/// hand elsewhere. The help in `cli.rs` is clap's own and is not checked.
#[test]
fn suggested_commands_come_from_fix_rs() {
    use clap::CommandFactory;
    let cli = awscreds_rs::cli::Cli::command();
    let mut starts: Vec<String> = cli
        .get_subcommands()
        .map(|c| format!("awscreds-rs {}", c.get_name()))
        .collect();
    starts.push("awscreds-rs --".into());
    let mut wrong = Vec::new();
    for file in sources(&project().join("src")) {
        let module = module_of(&file);
        if module == "cli" || module == "fix" {
            continue;
        }
        let code = code(&file);
        for (n, line) in code.lines().enumerate() {
            for start in &starts {
                let hit = line.match_indices(start.as_str()).any(|(at, _)| {
                    let after = line[at + start.len()..].chars().next();
                    !after.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
                        || start.ends_with("--")
                });
                if hit {
                    wrong.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "commands written by hand (build them in src/fix.rs):\n{}",
        wrong.join("\n")
    );
}

/// The checks find what they look for: a test that could not fail would
/// prove nothing.
#[test]
fn the_checks_see_what_they_look_for() {
    assert_eq!(
        imports("use crate::{error::Error, store};\nlet x = crate::paths::home();"),
        ["error", "store", "paths"]
    );
    assert_eq!(imports("use awscreds_rs::{cli, cmd};"), ["cli", "cmd"]);
    assert_eq!(
        imports("crate::say!(\"x\"); crate::stdio::say(a)"),
        ["stdio"]
    );
    for found in [
        "let v = std::env::var(\"X\");",
        "use std::env as e;",
        "use std::{env};",
        "use std::{fs, env::var};",
        "use std::{\n    env,\n    fs,\n};",
        "use std::{io::{self, Read}, env};",
    ] {
        assert!(uses(found, "std::env"), "{found}");
    }
    for not in [
        "use std::envy;",
        "use std::{fs, io::env};",
        "use mystd::env;",
    ] {
        assert!(!uses(not, "std::env"), "{not}");
    }
    assert!(uses("eprintln!(\"x\")", "eprintln!") && !uses("eprintln!(\"x\")", "println!"));
    let layers = layers();
    assert!(layers["main"] < layers["cmd"] && layers["cmd"] < layers["store"]);
    assert!(layers["store"] < layers["error"]);
}
