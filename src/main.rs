//! awscreds-rs: parse the command line, run it, turn an error into a message
//! and an exit code.

use clap::Parser;

mod atomic;
mod awsenv;
mod awsfiles;
mod cli;
mod cmd;
mod credentials;
mod doctor;
mod error;
mod hook;
mod ini;
mod names;
mod paths;
mod profiles;
mod project;
mod secret;
mod session;
mod shellwords;
mod store;
mod sts;
mod trust;
mod wiring;

fn main() {
    let cli = cli::Cli::parse();
    let code = match cmd::run(cli) {
        Ok(()) => 0,
        // The reader went away (`awscreds-rs list | head`): nothing to say.
        Err(error::Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            0
        }
        Err(e @ error::Error::Reported) => e.exit_code(),
        Err(e) => {
            eprintln!("awscreds-rs: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
