//! `awscreds-rs doctor`: one line per check, with the fix; `--json` gives
//! the same as an array. Exit 1 when any check is an error.

use std::io::IsTerminal;

use crate::awsfiles::AwsFiles;
use crate::context::Env;
use crate::doctor::{self, Context, Status};
use crate::error::{Error, Result};
use crate::store::StoreChoice;

pub fn run(choice: StoreChoice, profile: Option<String>, json: bool, online: bool) -> Result<()> {
    let os = Env::process();
    let cwd = crate::context::current_dir(&os).unwrap_or_default();
    let ctx = Context {
        env: Context::aws_vars(&os),
        files: AwsFiles::locate(&os)?,
        os,
        profile,
        store: choice,
        cwd,
        now: time::OffsetDateTime::now_utc(),
        online,
    };
    let mut findings = doctor::run(&ctx);
    if online {
        findings.push(doctor::check_online(&ctx));
    }
    let failed = findings.iter().any(|f| f.status == Status::Error);
    if json {
        super::print_json(&findings)?;
    } else {
        let colour = std::io::stdout().is_terminal()
            && ctx.os.var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let paint = |status: Status| {
            let (word, code) = match status {
                Status::Ok => ("ok", "32"),
                Status::Warning => ("warning", "33"),
                Status::Error => ("error", "31"),
            };
            if colour {
                format!("\x1b[{code}m{word:<7}\x1b[0m")
            } else {
                format!("{word:<7}")
            }
        };
        let mut text = String::new();
        for f in &findings {
            text.push_str(&format!(
                "{}  {:<26}  {}\n",
                paint(f.status),
                f.check,
                f.message
            ));
            if let Some(fix) = &f.fix {
                text.push_str(&format!("{:<7}  {:<26}  fix: {fix}\n", "", ""));
            }
        }
        let count = |s: Status| findings.iter().filter(|f| f.status == s).count();
        text.push_str(&format!(
            "\n{} ok, {} warning(s), {} error(s)\n",
            count(Status::Ok),
            count(Status::Warning),
            count(Status::Error)
        ));
        super::print(&text)?;
    }
    if failed {
        return Err(Error::Reported);
    }
    Ok(())
}
