//! The error type that reaches the command line, and its exit code.

use crate::config::ConfigError;
use crate::inventory::NameClash;
use crate::name::NameError;
use crate::paths::NoHome;
use crate::plugin::PluginError;
use crate::provider::azure::AzureError;
use crate::provider::local::LocalError;
use crate::provider::tags::TagError;
use crate::remote::RemoteError;
use crate::resolve::ResolveError;
use crate::ssh::InvalidValue;
use crate::ssh_config::SshConfigError;

/// Exit status for bad input (DESIGN.md, Exit codes).
pub const EXIT_USAGE: i32 = 2;
/// Exit status for a failure.
pub const EXIT_FAILURE: i32 = 1;

/// Any error of the core, rendered once at the top of the binary.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An identifier or name that breaks a rule.
    #[error(transparent)]
    Name(#[from] NameError),
    /// A value that cannot reach ssh.
    #[error(transparent)]
    Value(#[from] InvalidValue),
    /// Resolution failed.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// No home directory.
    #[error(transparent)]
    NoHome(#[from] NoHome),
    /// Configuration files.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The local inventory.
    #[error(transparent)]
    Local(#[from] LocalError),
    /// Two providers use one name.
    #[error(transparent)]
    NameClash(#[from] NameClash),
    /// The generated ssh config.
    #[error(transparent)]
    SshConfig(#[from] SshConfigError),
    /// A plugin that cannot be found or run.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// A remote tmux operation over ssh.
    #[error(transparent)]
    Remote(#[from] RemoteError),
    /// The Azure provider (boxed: its errors are large and rare).
    #[error(transparent)]
    Azure(Box<AzureError>),
    /// A tag or label change.
    #[error(transparent)]
    Tag(#[from] TagError),
}

impl From<AzureError> for Error {
    fn from(e: AzureError) -> Self {
        Error::Azure(Box::new(e))
    }
}

impl Error {
    /// The process exit status this error calls for.
    pub fn exit_code(&self) -> i32 {
        if let Error::Plugin(e) = self {
            return e.exit_code();
        }
        let usage = match self {
            Error::Name(_) | Error::Value(_) => true,
            Error::Resolve(e) => e.is_usage(),
            Error::Local(e) => e.is_usage(),
            Error::Azure(e) => e.is_usage(),
            Error::Tag(e) => e.is_usage(),
            Error::NoHome(_)
            | Error::Config(_)
            | Error::NameClash(_)
            | Error::Remote(_)
            | Error::SshConfig(_)
            | Error::Plugin(_) => false,
        };
        if usage { EXIT_USAGE } else { EXIT_FAILURE }
    }
}
