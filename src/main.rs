//! awscreds-rs: parse the command line, run it, turn an error into a message
//! and an exit code.

use clap::Parser;

use awscreds_rs::{cli, cmd, error, hardening};

fn main() {
    hardening::quiet_panics();
    if let Err(e) = hardening::protect() {
        awscreds_rs::say!(
            "awscreds-rs: cannot make the process non-dumpable ({e}), so it reads no secret"
        );
        std::process::exit(error::EXIT_FAILURE);
    }
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let store = std::env::var_os("AWSCREDS_STORE");
    let result = match cli::fast(&args, store.as_deref()) {
        Some(fast) => cmd::run_fast(fast),
        None => cmd::run(cli::Cli::parse()),
    };
    let code = match result {
        Ok(()) => 0,
        // The reader went away (`awscreds-rs list | head`): nothing to say.
        Err(error::Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            0
        }
        Err(e @ (error::Error::Reported | error::Error::Exited(_))) => e.exit_code(),
        Err(e) => {
            awscreds_rs::say!("awscreds-rs: {}", e.report());
            e.exit_code()
        }
    };
    std::process::exit(code);
}
