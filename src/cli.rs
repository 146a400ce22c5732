//! The command line, as clap derive types: the one source for `--help`, the
//! man page and the completions.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::shellwords::Shell;
use crate::store_kind::{StoreChoice, StoreKind};
use crate::wiring::{Options, Target};

#[derive(Debug, Parser)]
#[command(
    name = "awscreds-rs",
    version,
    about = "Keep AWS keys in the OS keychain and hand them to AWS tools through credential_process",
    long_about = "Keep AWS keys in the OS keychain and hand them to AWS tools through credential_process.\n\n\
        With --username NAME and no command, prints the credentials stored for NAME as the \
        credential_process JSON document (Version 1) that the AWS CLI and SDKs read:\n\n    \
        [profile my-app]\n    credential_process = /home/helen/.cargo/bin/awscreds-rs --username helen\n\n\
        (awscreds-rs configure writes the line with the binary's real path.)",
    after_help = "Example: awscreds-rs --username helen"
)]
pub struct Cli {
    #[command(flatten, next_help_heading = "credential_process mode (no command)")]
    pub line: LineArgs,

    /// The keychain: auto (the platform's default), secret-service, keyutils (lost at reboot), keychain (macOS), windows, file (encrypted files, a passphrase once per boot) [default: AWSCREDS_STORE, else auto]
    // AWSCREDS_STORE is read by `store_choice`, not by clap: a value clap
    // takes from the environment shows in every usage line as if typed.
    #[arg(
        long,
        global = true,
        help_heading = None,
        hide_possible_values = true,
        value_parser = StoreParser,
        value_name = "STORE"
    )]
    pub store: Option<StoreChoice>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The flags of a credential_process line that runs awscreds-rs, defined
/// once: credential_process mode reads them, `configure` writes them
/// (`wiring::Line` is their one writer and reader in the line).
#[derive(Debug, Clone, Default, Args)]
pub struct LineArgs {
    /// The stored NAME whose credentials the line prints
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,

    /// Return credentials of this role (STS AssumeRole), cached until 15 minutes are left
    #[arg(long, value_name = "ARN", requires = "username")]
    pub role_arn: Option<String>,

    /// The external id the role's trust policy asks for
    #[arg(long, value_name = "ID", requires = "role_arn")]
    pub external_id: Option<String>,

    /// The role session name (default: awscreds-rs-NAME)
    #[arg(long, value_name = "S", requires = "role_arn")]
    pub role_session_name: Option<String>,

    /// How long a new session lasts: seconds, or a number with s, m or h (default: 1h)
    #[arg(long, value_name = "D", requires = "username")]
    pub duration: Option<String>,

    #[command(flatten)]
    pub mfa: MfaArg,

    /// Instead of a NAME: an IAM Identity Center role, from the login of session S (awscreds-rs sso login)
    #[arg(long, value_name = "S", requires_all = ["account_id", "role_name"], conflicts_with = "username")]
    pub sso_session: Option<String>,

    /// The account of the Identity Center role
    #[arg(long, value_name = "ID", requires = "sso_session")]
    pub account_id: Option<String>,

    /// The Identity Center role (permission set) name
    #[arg(long, value_name = "R", requires = "sso_session")]
    pub role_name: Option<String>,

    /// Instead of a NAME: the credentials of an AWS sign-in (awscreds-rs login), by its login session's ARN
    #[arg(long, value_name = "ARN", conflicts_with_all = ["username", "sso_session"])]
    pub login_session: Option<String>,
}

/// `--mfa-command`, for the line and for `rotate` (both have `--username`).
#[derive(Debug, Clone, Default, Args)]
pub struct MfaArg {
    /// A command whose first line of output is the MFA code (run with sh -c); default: ask on the terminal
    #[arg(long, value_name = "CMD", requires = "username")]
    pub mfa_command: Option<String>,
}

impl LineArgs {
    /// What the flags ask for: `None` when they name neither a NAME nor
    /// an Identity Center role.
    pub fn target(&self) -> Option<Target> {
        if let Some(name) = &self.username {
            return Some(Target::Name {
                name: name.clone(),
                options: Options {
                    role_arn: self.role_arn.clone(),
                    external_id: self.external_id.clone(),
                    role_session_name: self.role_session_name.clone(),
                    duration: self.duration.clone(),
                    mfa_command: self.mfa.mfa_command.clone(),
                },
            });
        }
        if let Some(session) = &self.login_session {
            return Some(Target::Login {
                session: session.clone(),
            });
        }
        Some(Target::Sso {
            session: self.sso_session.clone()?,
            account: self.account_id.clone().unwrap_or_default(),
            role: self.role_name.clone().unwrap_or_default(),
        })
    }
}

// Parsed once per run: the size of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Store a key pair for NAME in the keychain
    #[command(after_help = "Examples:\n  \
        awscreds-rs add --username helen\n  \
        aws configure export-credentials --format process | awscreds-rs add --username helen\n  \
        awscreds-rs add --username ci --from-env")]
    #[command(display_order = 1)]
    Add(AddArgs),

    /// Delete the entry stored for NAME
    #[command(after_help = "Example: awscreds-rs remove --username helen")]
    #[command(display_order = 3)]
    Remove {
        /// The entry to delete
        #[arg(long, value_name = "NAME")]
        username: String,
    },

    /// Point a profile of the AWS config file at a stored NAME
    #[command(after_help = "Examples:\n  \
            awscreds-rs configure --profile my-app --username helen --region us-west-2\n  \
            awscreds-rs configure --profile prod --username helen --role-arn arn:aws:iam::123456789012:role/deploy\n  \
            awscreds-rs configure --profile dev --sso-session corp --account-id 111111111111 --role-name Admin")]
    #[command(display_order = 8)]
    #[command(group(clap::ArgGroup::new("source").required(true).args(["username", "sso_session", "login_session"])))]
    Configure {
        /// The profile to add or update (`default` for [default])
        #[arg(long)]
        profile: String,
        /// Also set the profile's region
        #[arg(long)]
        region: Option<String>,
        #[command(flatten, next_help_heading = "The credential_process line")]
        line: LineArgs,
    },

    /// Move plaintext keys from the credentials file into the keychain
    #[command(
        after_help = "Examples:\n  awscreds-rs import --profile my-app\n  awscreds-rs import --all\n  awscreds-rs import --sso --session corp"
    )]
    #[command(display_order = 6)]
    Import(ImportArgs),

    /// Print the shell hook that sets AWS_PROFILE per project directory
    #[command(
        after_help = "Examples:\n  eval \"$(awscreds-rs init bash)\"     # ~/.bashrc\n  eval \"$(awscreds-rs init zsh)\"      # ~/.zshrc\n  awscreds-rs init fish | source       # ~/.config/fish/config.fish"
    )]
    #[command(display_order = 14)]
    Init {
        /// The shell to print the hook for
        shell: Shell,
    },

    /// Run by the shell hook when the directory or an AWS variable changed
    #[command(hide = true)]
    Hook {
        /// The shell to print code for
        shell: Shell,
    },

    /// Let the shell hook use the nearest .aws-profile (after you have read it)
    #[command(after_help = "Example: awscreds-rs allow ~/src/my-app")]
    #[command(display_order = 15)]
    Allow {
        /// Where to look for .aws-profile, upwards (default: the current directory)
        dir: Option<PathBuf>,
    },

    /// Stop the shell hook from using the nearest .aws-profile
    #[command(after_help = "Example: awscreds-rs deny ~/src/my-app")]
    #[command(display_order = 16)]
    Deny {
        /// Where to look for .aws-profile, upwards (default: the current directory)
        dir: Option<PathBuf>,
    },

    /// Write ./.aws-profile naming PROFILE, and allow it
    #[command(after_help = "Example: awscreds-rs use my-app")]
    #[command(display_order = 17)]
    Use {
        /// The profile this directory works with
        profile: String,
    },

    /// Print the active profile for a prompt (empty when none; `!` when AWS_* keys shadow it)
    #[command(
        after_help = "Example (starship): [custom.aws]\n  command = \"awscreds-rs prompt\"\n  when = \"test -n \\\"$AWS_PROFILE\\\"\""
    )]
    #[command(display_order = 18)]
    Prompt,

    /// Explain the credential setup AWS tools will see, and how to fix it
    #[command(
        after_help = "Examples:\n  awscreds-rs doctor\n  awscreds-rs doctor --profile my-app --json"
    )]
    #[command(display_order = 10)]
    Doctor {
        /// The profile to check (default: AWS_PROFILE, else AWS_DEFAULT_PROFILE, else default)
        #[arg(long)]
        profile: Option<String>,
        /// Print a JSON array of {check, status, message, fix}
        #[arg(long)]
        json: bool,
        /// Also ask AWS STS who the credentials belong to
        #[arg(long)]
        online: bool,
    },

    /// List the profiles of the AWS files with their credential source and region
    #[command(after_help = "Example: awscreds-rs profiles --json")]
    #[command(display_order = 9)]
    Profiles {
        /// Print a JSON array instead of a table
        #[arg(long)]
        json: bool,
    },

    /// Print shell completions, with profile names and stored NAMEs as candidates
    #[command(after_help = "Examples (they work as written in a fresh HOME):\n  \
        mkdir -p ~/.local/share/bash-completion/completions && awscreds-rs completions bash > ~/.local/share/bash-completion/completions/awscreds-rs\n  \
        mkdir -p ~/.zfunc && awscreds-rs completions zsh > ~/.zfunc/_awscreds-rs\n  \
        mkdir -p ~/.config/fish/completions && awscreds-rs completions fish > ~/.config/fish/completions/awscreds-rs.fish\n\n\
        bash needs the bash-completion package, loaded from ~/.bashrc (Debian's default ~/.bashrc does).\n\
        zsh needs `fpath=(~/.zfunc $fpath)` in ~/.zshrc before `compinit`.")]
    #[command(display_order = 19)]
    Completions {
        /// The shell to print completions for
        shell: Shell,
    },

    /// Print candidates for the completions (one a line)
    #[command(hide = true)]
    CompleteNames {
        /// Which names
        kind: NameKind,
    },

    /// Print the man page (roff)
    #[command(hide = true)]
    Man,

    /// Drop cached sessions and role credentials (all, or NAME's); logins stay
    #[command(after_help = "Example: awscreds-rs clear --username helen")]
    #[command(display_order = 7)]
    Clear {
        /// Only the sessions of this NAME
        #[arg(long, value_name = "NAME")]
        username: Option<String>,
    },

    /// List the stored NAMEs with their masked key ids, never a secret
    #[command(after_help = "Example: awscreds-rs list --json")]
    #[command(display_order = 2)]
    List {
        /// Print a JSON array instead of a table
        #[arg(long)]
        json: bool,
    },

    /// Ask the file store's passphrase once and keep the store unlocked (Linux: in the kernel keyring) until reboot, `lock`, DURATION, or 12 hours unused
    #[command(
        after_help = "The passphrase is read from the terminal, or from the first line that \
        the command in AWSCREDS_PASSPHRASE_COMMAND prints.\n\n\
        Examples:\n  awscreds-rs unlock\n  awscreds-rs unlock --for 8h"
    )]
    #[command(display_order = 20)]
    Unlock {
        /// How long to stay unlocked: seconds, or a number with s, m or h (default: until 12 hours unused, reboot or `lock`; each read renews it)
        #[arg(long = "for", value_name = "DURATION")]
        duration: Option<String>,
    },

    /// Lock the file store again: the next read asks for its passphrase
    #[command(after_help = "Example: awscreds-rs lock")]
    #[command(display_order = 21)]
    Lock,

    /// Change the file store's passphrase (the entries stay as they are)
    #[command(
        after_help = "Asks the current passphrase, then the new one twice, on the terminal.\n\nExample: awscreds-rs passwd"
    )]
    #[command(display_order = 22)]
    Passwd,

    /// Move long-term keys to another store: written, read back and compared, then deleted from the source
    #[command(
        after_help = "Cached sessions are dropped, not moved. On any failure the source entry stays.\n\n\
        Examples:\n  awscreds-rs move --username helen --to file\n  \
        awscreds-rs move --all --from keyutils --to file"
    )]
    #[command(display_order = 4)]
    Move(MoveArgs),

    /// Replace NAME's long-term key with a new one (IAM), as AWS advises every 90 days
    #[command(
        after_help = "The order never leaves you without a working key: create the new key, \
        store it and read it back, wait until AWS accepts it, then delete the old one and drop \
        cached sessions. With an MFA device, one code serves the whole rotation.\n\n\
        Examples:\n  awscreds-rs rotate --username helen\n  \
        awscreds-rs rotate --username helen --mfa-command \"ykman oath accounts code --single aws\""
    )]
    #[command(display_order = 5)]
    Rotate(RotateArgs),

    /// Open the session a profile's credential_process opens (MFA code asked here) and cache it, for tools with a short time limit
    #[command(
        after_help = "AWS Copilot gives a credential_process 10 seconds and the Go SDK 60: \
        too short to type an MFA code. Open the session first; every call until 15 minutes \
        before it expires is then a cache hit. A new session is opened even when one is cached.\n\n\
        Examples:\n  awscreds-rs refresh --profile prod\n  awscreds-rs refresh && copilot env init"
    )]
    #[command(display_order = 11)]
    Refresh {
        /// The profile whose line to run (default: AWS_PROFILE, else default)
        #[arg(long)]
        profile: Option<String>,
    },

    /// Run a command with AWS_PROFILE set and no raw key variables, or (--server) with a container credentials endpoint
    #[command(
        after_help = "CMD runs with AWS_PROFILE=P and without AWS_ACCESS_KEY_ID, \
        AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_SECURITY_TOKEN and AWS_CREDENTIAL_EXPIRATION, \
        so no variable shadows the profile. Its exit status is exec's (128+N for signal N).\n\n\
        With --server, CMD gets AWS_CONTAINER_CREDENTIALS_FULL_URI and \
        AWS_CONTAINER_AUTHORIZATION_TOKEN instead of AWS_PROFILE: an endpoint on 127.0.0.1 that \
        lives as long as CMD and serves temporary credentials only (see serve).\n\n\
        Examples:\n  awscreds-rs exec --profile prod -- terraform plan\n  \
        awscreds-rs exec --server --profile prod -- docker run --network host \
        -e AWS_CONTAINER_CREDENTIALS_FULL_URI -e AWS_CONTAINER_AUTHORIZATION_TOKEN amazon/aws-cli sts get-caller-identity"
    )]
    #[command(display_order = 12)]
    Exec(ExecArgs),

    /// Serve a profile's temporary credentials on 127.0.0.1 to containers and tools (the ECS container credentials protocol)
    #[command(
        after_help = "Prints the two variables a client needs (export lines, or NAME=value \
        lines with --env-file for docker run --env-file), then serves until Ctrl-C or SIGTERM. \
        It serves temporary credentials only: the profile's role session, or for a long-term key a \
        GetSessionToken session (the MFA code asked on this terminal, never in the container), \
        cached in the store and renewed 15 minutes before they expire. Requests need the token, \
        a Host of 127.0.0.1:PORT or localhost:PORT, GET and the path /credentials.\n\n\
        Examples:\n  awscreds-rs serve --profile prod\n  awscreds-rs serve --profile prod --env-file endpoint.env"
    )]
    #[command(display_order = 13)]
    Serve(ServeArgs),

    /// IAM Identity Center: log in with the device flow, keeping the tokens in the keychain; list and configure its roles
    #[command(
        display_order = 14,
        subcommand,
        after_help = "Examples:\n  awscreds-rs sso login --session corp\n  \
            awscreds-rs sso configure --session corp --prefix corp-\n  \
            awscreds-rs sso logout --session corp"
    )]
    Sso(SsoCommand),

    /// Sign in with AWS's own sign-in (as `aws login`): 15-minute credentials renewed for 12 hours, no access key; the keys into the store
    #[command(
        display_order = 15,
        after_help = "For an IAM user (or root, or a federated role) who signs in to the AWS \
        console: the browser signs in and comes back to 127.0.0.1 with a code that only this \
        process can use. The refresh token, the key it is bound to (DPoP) and the current \
        credentials go into the store, never into ~/.aws/login/cache, and PROFILE's \
        credential_process line reads them: tools that cannot read login_session (Terraform, \
        older SDKs) work too. Over SSH, without a display or a browser, or with --remote, the \
        sign-in page is opened on any machine and shows a code to paste here. The user needs \
        the SignInLocalDevelopmentAccess managed policy (signin:AuthorizeOAuth2Access, \
        signin:CreateOAuth2Token).\n\n\
        Examples:\n  awscreds-rs login --profile dev --region eu-west-1\n  awscreds-rs login --profile dev --remote"
    )]
    Login(LoginArgs),

    /// Open the AWS console signed in as a profile; the sign-in link is never on a command line
    #[command(
        display_order = 17,
        after_help = "Uses the credentials the profile's line gives: a role session (with its MFA \
        code), an Identity Center role or an AWS sign-in as they are; for an IAM user's long-term \
        key, GetFederationToken (an allow-all session policy, so the user's own policies are the \
        limit; --duration, default 1 hour). AWS gives no console session for a GetSessionToken \
        session (a key with an MFA device and no role): give the line a role instead. The browser \
        is sent to a single-use address on 127.0.0.1 that passes it on: the link, a credential \
        for the whole console for 15 minutes, is never in a command line, an environment or a \
        file.\n\n\
        Examples:\n  awscreds-rs console --profile prod\n  \
        awscreds-rs console --profile prod --destination s3 --region eu-west-1\n  \
        awscreds-rs console --profile prod --container prod --browser firefox\n  \
        awscreds-rs console --profile prod --print | xclip -selection clipboard"
    )]
    Console(ConsoleArgs),

    /// Drop an AWS sign-in from the store (the profile's line stays, and asks for a new login)
    #[command(
        display_order = 16,
        after_help = "Example: awscreds-rs logout --profile dev"
    )]
    Logout {
        /// The profile whose login to drop (default: AWS_PROFILE, else default)
        #[arg(long)]
        profile: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// The profile to sign in as (default: AWS_PROFILE, else default)
    #[arg(long)]
    pub profile: Option<String>,
    /// A service's console (s3, ec2, cloudformation) or a https:// console URL (default: the console's home)
    #[arg(long, value_name = "SERVICE_OR_URL")]
    pub destination: Option<String>,
    /// The region of the console, which also picks the partition (default: the profile's, else AWS_REGION, else us-east-1)
    #[arg(long)]
    pub region: Option<String>,
    /// How long the console session lasts: seconds, or a number with s, m or h (a role's: at most 12h; a key's GetFederationToken: default 1h, at most 36h)
    #[arg(long, value_name = "D")]
    pub duration: Option<String>,
    /// Print the link (a credential, valid 15 minutes) on stdout instead of opening a browser; only when stdout is not a terminal, unless given twice
    #[arg(long, action = clap::ArgAction::Count)]
    pub print: u8,
    /// The browser command to run with the address (default: BROWSER, else the system's)
    #[arg(long, value_name = "CMD")]
    pub browser: Option<String>,
    /// Open it in this Firefox container (the "Open external links in a container" extension)
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The profile whose credential_process line reads the login (default: AWS_PROFILE, else default)
    #[arg(long)]
    pub profile: Option<String>,
    /// The region of the sign-in service (default: the profile's region, else AWS_REGION); also set as the profile's region
    #[arg(long)]
    pub region: Option<String>,
    /// Sign in on another machine's browser and paste the code it shows here
    #[arg(long)]
    pub remote: bool,
    /// Open no browser: print the URL to open by hand
    #[arg(long)]
    pub no_browser: bool,
}

#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Log in: in the browser, which comes back to this machine (authorization code with PKCE), or with a device code; the tokens into the store
    #[command(after_help = "Reads [sso-session S] (sso_start_url, sso_region, \
        sso_registration_scopes) from the AWS config file. The browser signs in and comes back \
        to 127.0.0.1 with a code that only this process can use. Over SSH, without a display \
        or a browser, or with --use-device-code, it shows a URL and a code to approve in any \
        browser instead (weaker: a code shown on someone else's page would sign you in to \
        their session). Identity Center issues a refresh token (the scope sso:account:access), \
        and the profiles' lines renew the access token on their own until it ends.\n\n\
        Examples:\n  awscreds-rs sso login --session corp\n  awscreds-rs sso login --profile dev --use-device-code")]
    #[command(group(clap::ArgGroup::new("which").required(true).args(["session", "profile"])))]
    Login {
        /// The [sso-session S] to log in to
        #[arg(long, value_name = "S")]
        session: Option<String>,
        /// The session of this profile (its sso_session)
        #[arg(long)]
        profile: Option<String>,
        /// Open no browser: print the URL (and the device code) to open by hand
        #[arg(long)]
        no_browser: bool,
        /// Sign in with a device code, approved in any browser (where the browser cannot come back to this machine)
        #[arg(long)]
        use_device_code: bool,
    },
    /// Drop the session's tokens and cached role credentials (and call Logout)
    #[command(after_help = "Example: awscreds-rs sso logout --session corp")]
    Logout {
        /// The session
        #[arg(long, value_name = "S")]
        session: String,
    },
    /// List the accounts and roles the session may use (ListAccounts, ListAccountRoles)
    #[command(after_help = "Example: awscreds-rs sso accounts --session corp --json")]
    Accounts {
        /// The session
        #[arg(long, value_name = "S")]
        session: String,
        /// Print a JSON array of {account_id, account_name, role_name}
        #[arg(long)]
        json: bool,
    },
    /// Write one profile per account and role, each running awscreds-rs for its role
    #[command(after_help = "Profiles are named PREFIX + account name + '-' + role, \
        written through the same checked, backed-up edit as configure.\n\n\
        Example: awscreds-rs sso configure --session corp --prefix corp-")]
    Configure {
        /// The session
        #[arg(long, value_name = "S")]
        session: String,
        /// Put before each profile's name
        #[arg(long, value_name = "X", default_value = "")]
        prefix: String,
        /// Also set each profile's region
        #[arg(long)]
        region: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The profile (default: AWS_PROFILE, else default)
    #[arg(long)]
    pub profile: Option<String>,
    /// The profile, as aws-vault takes it: `exec my-app -- CMD`
    #[arg(value_name = "PROFILE", num_args = 0..)]
    pub positional: Vec<OsString>,
    /// Give CMD a container credentials endpoint instead of AWS_PROFILE
    #[arg(long)]
    pub server: bool,
    /// The command and its arguments, after -- (default: your $SHELL)
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The profile whose credentials to serve (default: AWS_PROFILE, else default)
    #[arg(long)]
    pub profile: Option<String>,
    /// The port on 127.0.0.1 (default: a free one)
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// Write NAME=value lines (docker run --env-file) into PATH, mode 0600, instead of printing export lines
    #[arg(long, value_name = "PATH")]
    pub env_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The NAME whose key to replace
    #[arg(long, value_name = "NAME")]
    pub username: String,
    #[command(flatten)]
    pub mfa: MfaArg,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["username", "all"])))]
pub struct MoveArgs {
    /// The NAME to move
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,
    /// Every long-term key of the --from store
    #[arg(long, requires = "from")]
    pub all: bool,
    /// The store to move from (default: the --store one)
    #[arg(long, value_name = "STORE", value_enum)]
    pub from: Option<StoreChoice>,
    /// The store to move to
    #[arg(long, value_name = "STORE", value_enum)]
    pub to: StoreChoice,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The profile whose keys move (its section in the credentials file)
    #[arg(long, required_unless_present_any = ["all", "sso", "login"], conflicts_with_all = ["all", "sso"])]
    pub profile: Option<String>,

    /// The NAME to store them under (default: the profile's name)
    #[arg(long, value_name = "NAME", conflicts_with = "all")]
    pub username: Option<String>,

    /// Every profile of the credentials file that holds keys, each under its own name
    #[arg(long, conflicts_with = "sso")]
    pub all: bool,

    /// Move the AWS CLI's Identity Center tokens (~/.aws/sso/cache) into the store, and point the sessions' profiles at awscreds-rs
    #[arg(long, conflicts_with = "username")]
    pub sso: bool,

    /// With --sso: only this [sso-session S] (default: every one)
    #[arg(long, value_name = "S", requires = "sso")]
    pub session: Option<String>,

    /// Move what `aws login` cached for the profile's login_session (~/.aws/login/cache) into the store, and point the profile at awscreds-rs
    #[arg(long, conflicts_with_all = ["username", "all", "sso"])]
    pub login: bool,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The name to store the key under (used by `--username` in credential_process)
    #[arg(long, value_name = "NAME")]
    pub username: String,

    /// The access key id; the secret is then read from stdin's first line, or prompted for
    #[arg(long, value_name = "ID", conflicts_with = "from_env")]
    pub access_key_id: Option<String>,

    /// Take the keys from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION
    #[arg(long)]
    pub from_env: bool,

    /// Replace an entry that is already stored
    #[arg(long)]
    pub force: bool,

    /// The MFA device (ARN or serial) that sessions for this key ask a code for; alone on a stored NAME, only updates it
    #[arg(long, value_name = "ARN")]
    pub mfa_serial: Option<String>,
}

/// What `complete-names` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NameKind {
    Profiles,
    Usernames,
}

/// What the hot paths ask for, read without building clap's command (a
/// third of the start-up of a credential_process call): `--version`,
/// `hook SHELL` (what the shell hook runs when the directory changed), and
/// `--username NAME` with at most `--store STORE`, as `--flag value` or
/// `--flag=value` in any order. Anything else, or anything odd in these,
/// is `None` and goes to clap, which also words every usage error.
#[derive(Debug, PartialEq, Eq)]
pub enum Fast {
    Version,
    Hook(Shell),
    Process {
        name: String,
        store: StoreChoice,
    },
    /// `--sso-session S --account-id ID --role-name R [--store S]`.
    Sso {
        session: String,
        account: String,
        role: String,
        store: StoreChoice,
    },
    /// `--login-session ARN [--store S]`.
    Login {
        session: String,
        store: StoreChoice,
    },
}

/// `args` without the program name; `env_store` is `AWSCREDS_STORE`.
pub fn fast(args: &[OsString], env_store: Option<&OsStr>) -> Option<Fast> {
    match args {
        [only] if only == "--version" => return Some(Fast::Version),
        [hook, shell] if hook == "hook" => {
            let shell = Shell::ALL.into_iter().find(|s| shell == s.name())?;
            return Some(Fast::Hook(shell));
        }
        _ => {}
    }
    let mut name = None;
    let mut store = None;
    let (mut session, mut account, mut role, mut login) = (None, None, None, None);
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let word = word.to_str()?;
        let (flag, value) = match word.split_once('=') {
            Some((flag, value)) => (flag, value),
            None => (word, words.next()?.to_str()?),
        };
        let slot = match flag {
            "--username" => &mut name,
            "--store" => &mut store,
            "--sso-session" => &mut session,
            "--account-id" => &mut account,
            "--role-name" => &mut role,
            "--login-session" => &mut login,
            _ => return None,
        };
        if slot.replace(value).is_some() || value.starts_with('-') || value.is_empty() {
            return None;
        }
    }
    let store = match (store, env_store) {
        (Some(id), _) => StoreChoice::from_id(id)?,
        (None, Some(id)) if !id.is_empty() => StoreChoice::from_id(id.to_str()?)?,
        (None, _) => StoreChoice::Auto,
    };
    match (name, session, account, role) {
        (None, None, None, None) => login.map(|session| Fast::Login {
            session: session.to_string(),
            store,
        }),
        _ if login.is_some() => None,
        (Some(name), None, None, None) => Some(Fast::Process {
            name: name.to_string(),
            store,
        }),
        (None, Some(session), Some(account), Some(role)) => Some(Fast::Sso {
            session: session.to_string(),
            account: account.to_string(),
            role: role.to_string(),
            store,
        }),
        // Anything else is clap's to explain.
        _ => None,
    }
}

/// The shells `init`, `hook` and `completions` take.
impl ValueEnum for Shell {
    fn value_variants<'a>() -> &'a [Self] {
        &Shell::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

/// The store a command uses: `--store`, else `AWSCREDS_STORE` (`value`;
/// empty is `auto`, as the fast path and the AWS SDKs read an empty
/// variable), else `auto`.
pub fn store_choice(
    given: Option<StoreChoice>,
    value: Option<&str>,
) -> Result<StoreChoice, String> {
    if let Some(choice) = given {
        return Ok(choice);
    }
    match value {
        None | Some("") => Ok(StoreChoice::Auto),
        Some(id) => StoreChoice::from_id(id).ok_or_else(|| {
            let known: Vec<&str> = StoreChoice::ALL.iter().map(|c| c.id()).collect();
            format!(
                "invalid AWSCREDS_STORE '{}': one of {}",
                id.escape_default(),
                known.join(", ")
            )
        }),
    }
}

/// The global `--store` and `AWSCREDS_STORE`: a store's id, and an empty
/// value for `auto`, as the fast path reads an empty AWSCREDS_STORE (and
/// the AWS SDKs an empty variable).
#[derive(Clone)]
struct StoreParser;

impl clap::builder::TypedValueParser for StoreParser {
    type Value = StoreChoice;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<StoreChoice, clap::Error> {
        if value.is_empty() {
            return Ok(StoreChoice::Auto);
        }
        clap::builder::EnumValueParser::<StoreChoice>::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            StoreChoice::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// `--store` reads the store's id; the store layer itself knows nothing of
/// the command line.
impl ValueEnum for StoreChoice {
    fn value_variants<'a>() -> &'a [Self] {
        &StoreChoice::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            StoreChoice::Auto => "The platform's default store",
            StoreChoice::Only(StoreKind::SecretService) => {
                "The Secret Service over D-Bus (GNOME Keyring, KWallet, KeePassXC)"
            }
            StoreChoice::Only(StoreKind::Keyutils) => "The Linux kernel keyring (lost at reboot)",
            StoreChoice::Only(StoreKind::Keychain) => "The macOS Keychain",
            StoreChoice::Only(StoreKind::Windows) => "The Windows Credential Manager",
            StoreChoice::Only(StoreKind::File) => {
                "Encrypted files under ~/.local/share/awscreds-rs/store (one passphrase per boot)"
            }
        };
        Some(PossibleValue::new(self.id()).help(help))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn the_store_is_the_flag_then_the_variable_then_auto() {
        let keyutils = StoreChoice::Only(StoreKind::Keyutils);
        assert_eq!(store_choice(Some(keyutils), Some("file")), Ok(keyutils));
        assert_eq!(
            store_choice(None, Some("file")),
            Ok(StoreChoice::Only(StoreKind::File))
        );
        assert_eq!(store_choice(None, Some("")), Ok(StoreChoice::Auto));
        assert_eq!(store_choice(None, None), Ok(StoreChoice::Auto));
        let e = store_choice(None, Some("bogus")).unwrap_err();
        assert!(e.contains("'bogus'") && e.contains("secret-service"), "{e}");
    }

    /// Whatever the fast path reads, clap reads the same way.
    #[test]
    fn the_fast_path_agrees_with_clap() {
        let cases: &[(&[&str], Option<&str>)] = &[
            (&["--username", "helen"], None),
            (&["--username=helen"], None),
            (&["--username", "helen", "--store", "keyutils"], None),
            (
                &["--store=keyutils", "--username", "helen"],
                Some("secret-service"),
            ),
            (&["--username", "helen"], Some("keyutils")),
            (&["--username", "helen"], Some("")),
        ];
        for (args, env) in cases {
            let argv: Vec<OsString> = args.iter().map(OsString::from).collect();
            let fast = fast(&argv, env.map(OsStr::new)).unwrap_or_else(|| panic!("{args:?}"));
            let mut clap_argv = vec![OsString::from("awscreds-rs")];
            clap_argv.extend(argv);
            // The slow path: clap, then AWSCREDS_STORE where --store is not
            // given (store_choice).
            let cli = Cli::try_parse_from(&clap_argv).unwrap();
            assert!(cli.command.is_none() && cli.line.role_arn.is_none());
            assert_eq!(
                fast,
                Fast::Process {
                    name: cli.line.username.unwrap(),
                    store: store_choice(cli.store, *env).unwrap()
                },
                "{args:?}"
            );
        }
        let arn = "arn:aws:iam::123456789012:user/helen";
        for args in [
            vec!["--login-session", arn],
            vec!["--login-session", arn, "--store", "keyutils"],
        ] {
            let argv: Vec<OsString> = args.iter().map(OsString::from).collect();
            let cli =
                Cli::try_parse_from(std::iter::once("awscreds-rs").chain(args.clone())).unwrap();
            assert_eq!(
                fast(&argv, None),
                Some(Fast::Login {
                    session: cli.line.login_session.unwrap(),
                    store: store_choice(cli.store, None).unwrap()
                }),
                "{args:?}"
            );
        }
        assert_eq!(
            fast(&[OsString::from("--version")], None),
            Some(Fast::Version)
        );
        for shell in ["bash", "zsh", "fish"] {
            let argv = ["hook", shell].map(OsString::from);
            let cli = Cli::try_parse_from(["awscreds-rs", "hook", shell]).unwrap();
            match (fast(&argv, None), cli.command) {
                (Some(Fast::Hook(ours)), Some(Command::Hook { shell: theirs })) => {
                    assert_eq!(ours, theirs)
                }
                other => panic!("{shell}: {other:?}"),
            }
        }
    }

    /// What the fast path does not fully understand goes to clap.
    #[test]
    fn anything_else_goes_to_clap() {
        let cases: &[(&[&str], Option<&str>)] = &[
            (&[], None),
            (&["list"], None),
            (&["--username"], None),
            (&["--username", "helen", "--username", "hugo"], None),
            (&["--username", "helen", "--store", "nowhere"], None),
            (&["--username", "helen"], Some("nowhere")),
            (&["--username", "--store"], None),
            (
                &["--username", "helen", "--role-arn", "arn:aws:iam::1:role/x"],
                None,
            ),
            (&["--username", "helen", "--mfa-command", "x"], None),
            (&["--store", "keyutils"], None),
            (&["--version", "x"], None),
            (&["-V"], None),
            (&["--help"], None),
            (&["hook"], None),
            (&["hook", "tcsh"], None),
            (&["hook", "bash", "x"], None),
            (
                &[
                    "--login-session",
                    "arn:aws:iam::1:user/x",
                    "--username",
                    "h",
                ],
                None,
            ),
        ];
        for (args, env) in cases {
            let argv: Vec<OsString> = args.iter().map(OsString::from).collect();
            assert_eq!(fast(&argv, env.map(OsStr::new)), None, "{args:?}");
        }
    }

    /// Every command a message can suggest (each function of `fix.rs`,
    /// with sample values) is one this command line takes.
    #[test]
    fn every_suggested_command_parses() {
        use crate::fix;
        let store = StoreKind::File;
        let samples = [
            ("add", fix::add("helen", store)),
            ("add", fix::add("helen", StoreKind::platform_default())),
            ("add_again", fix::add_again("helen", store)),
            ("configure", fix::configure("my-app", "NAME")),
            ("configure_in", fix::configure_in("my-app", "helen", store)),
            (
                "configure_sso",
                fix::configure_sso("dev", "corp", "111111111111", "Admin"),
            ),
            ("sso_login", fix::sso_login("corp")),
            ("login", fix::login("my-app")),
            ("login_remote", fix::login_remote("my-app")),
            ("import_login", fix::import_login("my-app")),
            ("configure_role", fix::configure_role("my-app", "helen")),
            ("remove", fix::remove("helen", store)),
            ("rotate", fix::rotate("helen", store)),
            ("refresh", fix::refresh("my-app")),
            ("doctor_profile", fix::doctor_profile("my-app")),
            ("import_profile", fix::import_profile("my-app")),
            ("import_all", fix::import_all()),
            ("import_sso", fix::import_sso()),
            ("move_name", fix::move_name("helen", StoreKind::File)),
            (
                "move_all",
                fix::move_all(StoreKind::Keyutils, StoreKind::File),
            ),
            ("exec", fix::exec("my-app")),
            ("allow", fix::allow("/home/helen/my app")),
            ("unlock", fix::unlock()),
            ("lock", fix::lock()),
            ("passwd", fix::passwd()),
            ("add_from_env", fix::add_from_env("NAME")),
            ("add_mfa", fix::add_mfa("helen")),
            (
                "configure_with_region",
                fix::configure_with_region("default", "NAME", "us-east-1"),
            ),
            ("remove_in", fix::remove_in("NAME", StoreKind::Keyutils)),
            ("rotate_with_code", fix::rotate_with_code("helen")),
            ("init", fix::init("bash")),
            ("init", fix::init("fish")),
            ("use_profile", fix::use_profile("PROFILE")),
            ("list_in", fix::list_in(StoreKind::File)),
            ("profiles", fix::profiles()),
            ("doctor", fix::doctor()),
            ("doctor_store", fix::doctor_store(StoreKind::Keyutils)),
            ("exec_with", fix::exec_with("my-app", &["env", "-i"])),
        ];
        for (_, suggested) in &samples {
            let argv = std::iter::once("awscreds-rs").chain(suggested.args());
            if let Err(e) = Cli::try_parse_from(argv) {
                panic!("{suggested} does not parse: {e}");
            }
        }
        // A function of fix.rs without a sample here is a suggestion no
        // test has parsed.
        let sampled: std::collections::BTreeSet<&str> =
            samples.iter().map(|(name, _)| *name).collect();
        let defined: std::collections::BTreeSet<&str> = include_str!("fix.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("pub fn "))
            .filter_map(|l| l.split('(').next())
            .collect();
        assert_eq!(sampled, defined);
    }
}
