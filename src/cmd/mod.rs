//! One module per subcommand; `run` dispatches the parsed command line.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, Command, Fast};
use crate::wiring::Target;

use crate::error::{Error, Result};

mod add;
mod clear;
mod completions;
mod configure;
mod console;
mod doctor;
mod exec;
mod hook;
mod import;
mod import_sso;
mod init;
mod line;
mod list;
mod login;
mod man;
mod move_keys;
mod process;
mod profiles;
mod prompt;
mod refresh;
mod remove;
mod rotate;
mod serve;
mod sso;
mod trust;
mod unlock;

pub fn run(mut cli: Cli) -> Result<()> {
    let env = crate::context::Env::process();
    let store = crate::cli::store_choice(cli.store.take(), env.var("AWSCREDS_STORE").as_deref())
        .map_err(Error::Usage)?;
    let target = cli.line.target();
    if cli.command.is_some() && target.is_some() {
        return Err(Error::Usage(format!(
            "--username and the session flags before a command only belong to credential_process mode; \
             give --username after the command instead ({})",
            crate::fix::add("NAME", crate::store_kind::StoreKind::platform_default())
        )));
    }
    match cli.command {
        Some(Command::Add(args)) => add::run(store, &args),
        Some(Command::Remove { username }) => remove::run(store, &username),
        Some(Command::List { json }) => list::run(store, json),
        Some(Command::Configure {
            profile,
            region,
            line,
        }) => {
            let target = line
                .target()
                .expect("clap requires --username or --sso-session");
            configure::run(store, &profile, target, region.as_deref())
        }
        Some(Command::Import(args)) if args.sso => import_sso::run(store, args.session.as_deref()),
        Some(Command::Import(args)) if args.login => login::import(store, args.profile.as_deref()),
        Some(Command::Import(args)) => import::run(store, &args),
        Some(Command::Init { shell }) => init::run(shell),
        Some(Command::Hook { shell }) => hook::run(shell),
        Some(Command::Allow { dir }) => trust::allow(dir.as_deref()),
        Some(Command::Deny { dir }) => trust::deny(dir.as_deref()),
        Some(Command::Use { profile }) => trust::use_profile(&profile),
        Some(Command::Prompt) => prompt::run(),
        Some(Command::Doctor {
            profile,
            json,
            online,
        }) => doctor::run(store, profile, json, online),
        Some(Command::Profiles { json }) => profiles::run(json),
        Some(Command::Completions { shell }) => completions::run(shell),
        Some(Command::CompleteNames { kind }) => completions::names(store, kind),
        Some(Command::Man) => man::run(),
        Some(Command::Clear { username }) => clear::run(store, username.as_deref()),
        Some(Command::Unlock { duration }) => unlock::unlock(duration.as_deref()),
        Some(Command::Lock) => unlock::lock(),
        Some(Command::Passwd) => unlock::passwd(),
        Some(Command::Move(args)) => move_keys::run(store, &args),
        Some(Command::Rotate(args)) => rotate::run(store, &args),
        Some(Command::Refresh { profile }) => refresh::run(store, profile.as_deref()),
        Some(Command::Exec(args)) => exec::run(store, &args),
        Some(Command::Serve(args)) => serve::run(store, &args),
        Some(Command::Sso(command)) => sso::run(store, command),
        Some(Command::Login(args)) => login::login(store, &args),
        Some(Command::Console(args)) => console::run(store, &args),
        Some(Command::Logout { profile }) => login::logout(store, profile.as_deref()),
        None => match target {
            Some(Target::Sso {
                session,
                account,
                role,
            }) => process::run_sso(store, &session, &account, &role),
            Some(Target::Login { session }) => process::run_login(store, &session),
            Some(Target::Name { name, options }) => process::run(store, &name, &options),
            None => {
                let help = Cli::command().render_help().to_string();
                Err(Error::Usage(format!(
                    "say which credentials to print with --username NAME, or give a command\n\n{help}"
                )))
            }
        },
    }
}

/// The hot paths that [`crate::cli::fast`] read without clap.
pub fn run_fast(fast: Fast) -> Result<()> {
    match fast {
        Fast::Version => print(&format!("awscreds-rs {}\n", env!("CARGO_PKG_VERSION"))),
        Fast::Hook(shell) => hook::run(shell),
        Fast::Process { name, store } => {
            process::run(store, &name, &crate::wiring::Options::default())
        }
        Fast::Sso {
            session,
            account,
            role,
            store,
        } => process::run_sso(store, &session, &account, &role),
        Fast::Login { session, store } => process::run_login(store, &session),
    }
}

/// Tells of a store that the command created by writing to it (the file
/// store's first entry), and how it is unlocked from then on.
pub fn tell_created(store: &crate::store::Store) {
    if let Some(dir) = store.created() {
        crate::say!(
            "Created {} in {}. Its passphrase is asked once per boot \
             ({}); without it the keys cannot be read.",
            store.label(),
            dir.display(),
            crate::fix::unlock()
        );
    }
}

/// Prints a value as pretty JSON and a newline.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).expect("plain data always serializes");
    text.push('\n');
    print(&text)
}

/// Writes to stdout in one go and flushes; a closed pipe becomes an error
/// that main turns into a quiet exit.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("cannot write to stdout", e))
}
