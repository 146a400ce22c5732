//! awscreds-rs as a library: everything but the process's start and end.
//!
//! `main.rs` parses, calls [`run`] and turns its error into a message and an
//! exit code; the tests use these types instead of copies of them. The
//! layers, and what `tests/tidy.rs` holds them to, are in ARCHITECTURE.md.

pub mod ask;
pub mod atomic;
pub mod aws;
pub mod awsenv;
pub mod awsfiles;
pub mod browser;
pub mod child;
pub mod cli;
pub mod cmd;
pub mod console;
pub mod context;
pub mod credentials;
pub mod digest;
pub mod doctor;
pub mod duration;
pub mod endpoint;
pub mod entry;
pub mod error;
pub mod faults;
pub mod fix;
pub mod hardening;
pub mod hook;
pub mod ini;
pub mod interrupt;
pub mod names;
pub mod paths;
pub mod profiles;
pub mod project;
pub mod regular_file;
pub mod renew;
pub mod rotate;
pub mod secret;
pub mod session;
pub mod shell;
pub mod shellwords;
pub mod signin;
pub mod sso;
pub mod stdio;
pub mod store;
pub mod store_kind;

pub mod trust;
pub mod wiring;
