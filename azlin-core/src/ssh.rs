//! The one place that decides how azlin reaches a VM over ssh.
//!
//! An [`SshTarget`] holds everything needed to reach one VM. Its
//! [`connection_options`](SshTarget::connection_options) are the single source for both the
//! `-o` options of the ssh processes azlin runs and the lines of the stanza it writes to
//! `~/.ssh/config.d`, so `azlin connect x` and `ssh x` cannot disagree.

use std::fmt;
use std::path::{Path, PathBuf};

/// A value that may not reach an ssh command line or config file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} `{value}` {rule}")]
pub struct InvalidValue {
    /// What the value is ("address", "user", …).
    pub what: &'static str,
    /// The value, with control characters escaped.
    pub value: String,
    /// The rule it breaks, with the fix.
    pub rule: String,
}

impl InvalidValue {
    fn new(what: &'static str, value: &str, rule: impl Into<String>) -> InvalidValue {
        InvalidValue {
            what,
            value: value.escape_debug().to_string(),
            rule: rule.into(),
        }
    }
}

/// Rejects what could end a config line or be read as an option: newline, CR, NUL, other
/// control characters, and a leading `-`.
fn check_line_safe(what: &'static str, value: &str) -> Result<(), InvalidValue> {
    if value.is_empty() {
        return Err(InvalidValue::new(what, value, "is empty"));
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(InvalidValue::new(
            what,
            value,
            format!(
                "contains the control character U+{:04X}: remove it",
                c as u32
            ),
        ));
    }
    if value.starts_with('-') {
        return Err(InvalidValue::new(
            what,
            value,
            "starts with `-`, which ssh would read as an option",
        ));
    }
    Ok(())
}

/// Checks a host address: an IPv4 or IPv6 address, or a DNS name made of letters, digits,
/// `-` and `.`.
pub fn validate_host_address(address: &str) -> Result<(), InvalidValue> {
    const WHAT: &str = "address";
    check_line_safe(WHAT, address)?;
    if address.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    let labels_ok = address.len() <= 253
        && address.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if labels_ok {
        Ok(())
    } else {
        Err(InvalidValue::new(
            WHAT,
            address,
            "is neither an IP address nor a host name (letters, digits, `-` and `.`, \
             labels of 1 to 63 characters): give e.g. `10.0.0.4` or `vm.example.com`",
        ))
    }
}

/// Checks a login name: letters, digits, `_`, `-`, `.`, not starting with `-`.
pub fn validate_user(user: &str) -> Result<(), InvalidValue> {
    const WHAT: &str = "user";
    check_line_safe(WHAT, user)?;
    if user.len() > 64
        || !user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(InvalidValue::new(
            WHAT,
            user,
            "is not a valid login name: use up to 64 letters, digits, `_`, `-` and `.`",
        ));
    }
    Ok(())
}

/// Checks a ProxyJump value: one or more `[user@]host[:port]` separated by commas.
pub fn validate_proxy_jump(jump: &str) -> Result<(), InvalidValue> {
    const WHAT: &str = "proxy jump";
    check_line_safe(WHAT, jump)?;
    let ok = jump.split(',').all(|hop| {
        !hop.is_empty()
            && !hop.starts_with('-')
            && hop.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | ':' | '[' | ']')
            })
    });
    if ok {
        Ok(())
    } else {
        Err(InvalidValue::new(
            WHAT,
            jump,
            "is not a jump host list: use `[user@]host[:port]`, several separated by commas",
        ))
    }
}

/// Checks an identity file path: no control characters, no leading `-`, no `"` (it is
/// written quoted into the ssh config).
pub fn validate_identity_file(path: &Path) -> Result<(), InvalidValue> {
    const WHAT: &str = "identity file";
    let Some(text) = path.to_str() else {
        return Err(InvalidValue::new(
            WHAT,
            &path.to_string_lossy(),
            "is not valid UTF-8: move the key to a path ssh config can name",
        ));
    };
    check_line_safe(WHAT, text)?;
    if text.contains('"') {
        return Err(InvalidValue::new(
            WHAT,
            text,
            "contains `\"`, which ssh config cannot quote: rename the file",
        ));
    }
    Ok(())
}

/// Everything needed to reach one VM over ssh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    /// The VM's name: the alias in the generated config.
    pub vm: String,
    /// The key under which the VM's host key is remembered (stable across address
    /// changes, unlike the address itself).
    pub host_key_alias: String,
    /// Address to connect to.
    pub hostname: String,
    /// TCP port.
    pub port: u16,
    /// Login name; `None` lets ssh pick (its config, then the local user name).
    pub user: Option<String>,
    /// Private key to offer; when set, only that key is offered.
    pub identity_file: Option<PathBuf>,
    /// Jump host(s), ssh's `ProxyJump`.
    pub proxy_jump: Option<String>,
    /// azlin's own known_hosts file.
    pub known_hosts: PathBuf,
}

/// Default ssh port.
pub const DEFAULT_PORT: u16 = 22;

impl SshTarget {
    /// The connection options, as ssh_config keywords and values, in the order they are
    /// written. Values are already validated and quoted where ssh needs it.
    pub fn connection_options(&self) -> Vec<(&'static str, String)> {
        let mut opts = vec![("HostName", self.hostname.clone())];
        if let Some(user) = &self.user {
            opts.push(("User", user.clone()));
        }
        opts.push(("Port", self.port.to_string()));
        if let Some(key) = &self.identity_file {
            opts.push(("IdentityFile", quote_config_value(&key.to_string_lossy())));
            opts.push(("IdentitiesOnly", "yes".to_string()));
        }
        if let Some(jump) = &self.proxy_jump {
            opts.push(("ProxyJump", jump.clone()));
        }
        opts.push(("HostKeyAlias", self.host_key_alias.clone()));
        opts.push((
            "UserKnownHostsFile",
            quote_config_value(&self.known_hosts.to_string_lossy()),
        ));
        opts.push(("StrictHostKeyChecking", "accept-new".to_string()));
        opts
    }

    /// Checks every value that will reach a command line or config line.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        crate::name::validate_vm_name(&self.vm)
            .map_err(|e| InvalidValue::new("VM name", &self.vm, e.to_string()))?;
        check_line_safe("host key alias", &self.host_key_alias)?;
        if self.host_key_alias.contains(char::is_whitespace) {
            return Err(InvalidValue::new(
                "host key alias",
                &self.host_key_alias,
                "contains white space",
            ));
        }
        validate_host_address(&self.hostname)?;
        if let Some(u) = &self.user {
            validate_user(u)?;
        }
        if let Some(k) = &self.identity_file {
            validate_identity_file(k)?;
        }
        if let Some(j) = &self.proxy_jump {
            validate_proxy_jump(j)?;
        }
        validate_identity_file(&self.known_hosts)
            .map_err(|e| InvalidValue::new("known_hosts path", &e.value, e.rule))
    }
}

impl fmt::Display for SshTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(u) = &self.user {
            write!(f, "{u}@")?;
        }
        if self.hostname.contains(':') {
            write!(f, "[{}]", self.hostname)?;
        } else {
            f.write_str(&self.hostname)?;
        }
        if self.port != DEFAULT_PORT {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

/// Quotes a config value that may hold spaces. Values never hold `"` (validated).
fn quote_config_value(value: &str) -> String {
    if value.contains(char::is_whitespace) {
        format!("\"{value}\"")
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        for ok in ["10.0.0.4", "::1", "vm.example.com", "localhost", "a-b.c"] {
            validate_host_address(ok).unwrap();
        }
        for bad in [
            "",
            "-oProxyCommand=x",
            "a b",
            "a\nHost *",
            "a..b",
            "-a.b",
            "a_b",
            "x;y",
        ] {
            assert!(validate_host_address(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn users_and_jumps() {
        validate_user("azureuser").unwrap();
        assert!(validate_user("-l").is_err());
        assert!(validate_user("a b").is_err());
        validate_proxy_jump("bastion").unwrap();
        validate_proxy_jump("ops@bastion:2222,10.0.0.1").unwrap();
        assert!(validate_proxy_jump("a b").is_err());
        assert!(validate_proxy_jump("x\nHost *").is_err());
    }

    #[test]
    fn identity_files() {
        validate_identity_file(Path::new("/home/me/.ssh/id_ed25519")).unwrap();
        validate_identity_file(Path::new("/home/me/my keys/id")).unwrap();
        assert!(validate_identity_file(Path::new("/a\"b")).is_err());
        assert!(validate_identity_file(Path::new("/a\nb")).is_err());
    }

    #[test]
    fn options_quote_paths_with_spaces() {
        let t = SshTarget {
            vm: "myvm".into(),
            host_key_alias: "azlin.local.myvm".into(),
            hostname: "127.0.0.1".into(),
            port: 2222,
            user: Some("me".into()),
            identity_file: Some("/k/my key".into()),
            proxy_jump: None,
            known_hosts: "/h/.azlin/known_hosts".into(),
        };
        t.validate().unwrap();
        let opts = t.connection_options();
        assert!(opts.contains(&("IdentityFile", "\"/k/my key\"".to_string())));
        assert!(opts.contains(&("StrictHostKeyChecking", "accept-new".to_string())));
        assert_eq!(t.to_string(), "me@127.0.0.1:2222");
    }
}
