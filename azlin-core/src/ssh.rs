//! The one place that decides how azlin reaches a VM over ssh.
//!
//! An [`SshTarget`] holds everything needed to reach one VM. Its
//! [`connection_options`](SshTarget::connection_options) are the single source for both the
//! `-o` options of the ssh processes azlin runs and the lines of the stanza it writes to
//! `~/.ssh/config.d`, so `azlin connect x` and `ssh x` cannot disagree.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

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
    // The C resolver (inet_aton, which ssh uses) reads `5`, `10.5`, `010.0.0.1` or
    // `0x7f.1` as IPv4 addresses, so ssh would connect to 0.0.0.5, 10.0.0.5, 8.0.0.1 or
    // 127.0.0.1: a name made only of such numbers is a shortened address, not a host name.
    let numeric = |label: &str| {
        let hex = label
            .strip_prefix("0x")
            .or_else(|| label.strip_prefix("0X"))
            .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()));
        hex || (!label.is_empty() && label.chars().all(|c| c.is_ascii_digit()))
    };
    if address.split('.').all(numeric) {
        return Err(InvalidValue::new(
            WHAT,
            address,
            "is a shortened or non-decimal IPv4 address, which ssh would read as another \
             one: write all four parts in decimal, e.g. `10.0.0.5`",
        ));
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
    // Each hop is checked with the same rules as a host's own fields, so that ssh never
    // gets a ProxyJump it rejects (an unbalanced `[`, an empty port, a bad user).
    let ok = jump.split(',').all(valid_jump_hop);
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

/// One ProxyJump hop: `[user@]host[:port]`, where host is a host name, an IPv4 address
/// or a bracketed IPv6 address.
fn valid_jump_hop(hop: &str) -> bool {
    let (user, rest) = match hop.rsplit_once('@') {
        Some((u, r)) => (Some(u), r),
        None => (None, hop),
    };
    if user.is_some_and(|u| validate_user(u).is_err()) {
        return false;
    }
    let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
        let Some((addr, after)) = inner.split_once(']') else {
            return false;
        };
        if addr.parse::<std::net::Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => (addr, None),
            p => match p.strip_prefix(':') {
                Some(port) => (addr, Some(port)),
                None => return false,
            },
        }
    } else {
        match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        }
    };
    let host_ok = rest.starts_with('[') || validate_host_address(host).is_ok();
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    host_ok && port_ok
}

/// Checks an identity file path: valid UTF-8, no control characters, no leading `-`, and
/// nothing ssh would expand (see [`config_word`]).
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
    config_word(WHAT, text, Tokens::Expanded).map(drop)
}

/// How ssh treats a config value after its tokenizer has split the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tokens {
    /// Taken as it is (User, Port, HostKeyAlias, ...).
    Literal,
    /// ssh expands `%` tokens and `${VAR}` in it (ssh_config(5), TOKENS and ENVIRONMENT
    /// VARIABLES: IdentityFile, UserKnownHostsFile, ControlPath; HostName takes `%h`
    /// and `%%`), and the value is meant literally: `%` is doubled; `${` cannot be
    /// written so that ssh leaves it alone, so it is refused.
    Expanded,
    /// Expanded like [`Tokens::Expanded`], but the value already holds the tokens it
    /// means (`…/%C`) and its literal parts are already escaped: only quoted.
    Template,
}

/// `value` as one argument of an ssh_config line or of `ssh -o Key=VALUE`, written so
/// that OpenSSH's tokenizer (`argv_split` in misc.c, used for both) gives back exactly
/// `value`, after its token expansion when `tokens` says so.
///
/// The tokenizer splits on space and tab, takes `'…'` and `"…"` as quotes, reads
/// `\'`, `\"`, `\\` (and `\ ` outside quotes) as the escaped character, and ends the line
/// at a `#` that starts a word; a leading `=` is read as the keyword's separator. So a
/// value holding any of those (or any white space) is written in double quotes with `\`
/// and `"` escaped; every other value is written as it is. Refused: an empty value,
/// control characters (they would end the line or are stripped), and `${` in an
/// expanded value.
pub fn config_word(
    what: &'static str,
    value: &str,
    tokens: Tokens,
) -> Result<String, InvalidValue> {
    if value.is_empty() {
        return Err(InvalidValue::new(what, value, "is empty"));
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(InvalidValue::new(
            what,
            value,
            format!(
                "contains the control character U+{:04X}, which an ssh config line cannot \
                 hold: remove it",
                c as u32
            ),
        ));
    }
    let value = match tokens {
        Tokens::Literal => value.to_string(),
        Tokens::Expanded | Tokens::Template => {
            if value.contains("${") {
                return Err(InvalidValue::new(
                    what,
                    value,
                    "contains `${`, which ssh expands as an environment variable and has \
                     no escape for: rename the file or directory",
                ));
            }
            if tokens == Tokens::Expanded {
                escape_percent(value)
            } else {
                value.to_string()
            }
        }
    };
    let plain = !value.starts_with('=')
        && !value.contains(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | '#'));
    if plain {
        return Ok(value);
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

/// The tokens of `line` as OpenSSH's `argv_split` (misc.c) reads them, with
/// `terminate_on_comment` set as ssh_config does; `None` for an unbalanced quote (ssh
/// then rejects the line). The inverse of [`config_word`], used to read the user's config
/// and to test the writer.
pub fn split_config_words(line: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if matches!(chars[i], ' ' | '\t') {
            i += 1;
            continue;
        }
        if chars[i] == '#' {
            break;
        }
        let mut word = String::new();
        let mut quote: Option<char> = None;
        while i < chars.len() {
            let c = chars[i];
            let next = chars.get(i + 1).copied();
            if c == '\\' {
                match next {
                    Some(n @ ('\'' | '"' | '\\')) => {
                        word.push(n);
                        i += 1;
                    }
                    Some(' ') if quote.is_none() => {
                        word.push(' ');
                        i += 1;
                    }
                    _ => word.push(c),
                }
            } else if quote.is_none() && matches!(c, ' ' | '\t') {
                break;
            } else if quote.is_none() && matches!(c, '"' | '\'') {
                quote = Some(c);
            } else if quote == Some(c) {
                quote = None;
            } else {
                word.push(c);
            }
            i += 1;
        }
        if quote.is_some() {
            return None;
        }
        words.push(word);
    }
    Some(words)
}

/// The longest path a system call takes (Linux's PATH_MAX): a longer identity file
/// cannot be opened by ssh.
pub const MAX_PATH_LEN: usize = 4096;

/// `path` as it is stored for a host: absolute (a relative path is taken from `cwd`,
/// `~/…` from `home`), so it means the same file whatever directory azlin later runs in;
/// checked as [`validate_identity_file`] does, and at most [`MAX_PATH_LEN`] bytes.
pub fn absolute_identity_file(
    path: &Path,
    cwd: &Path,
    home: &Path,
) -> Result<PathBuf, InvalidValue> {
    validate_identity_file(path)?;
    let full = match path.strip_prefix("~") {
        Ok(rest) => home.join(rest),
        Err(_) if path.is_absolute() => path.to_path_buf(),
        Err(_) => cwd.join(path),
    };
    let len = full.as_os_str().len();
    if len > MAX_PATH_LEN {
        return Err(InvalidValue::new(
            "identity file",
            &format!(
                "{}…",
                path.to_string_lossy().chars().take(40).collect::<String>()
            ),
            format!(
                "is {len} bytes long, more than a path may be ({MAX_PATH_LEN}): give the \
                 key's real path"
            ),
        ));
    }
    validate_identity_file(&full)?;
    Ok(full)
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

/// The connection options whose values ssh expands `%` tokens in (ssh_config(5), TOKENS),
/// so a literal `%` in them (a home directory named `50%`) must be written `%%`, on a
/// command line (`-o`) as in a config file.
pub const PERCENT_EXPANDED: [&str; 4] = [
    "HostName",
    "IdentityFile",
    "UserKnownHostsFile",
    "ControlPath",
];

/// `value` with `%` doubled, so ssh's token expansion gives back `value` itself.
pub fn escape_percent(value: &str) -> String {
    value.replace('%', "%%")
}

/// The value of connection option `key` as one config word ([`config_word`]): `%`
/// doubled where ssh expands tokens ([`PERCENT_EXPANDED`]), quoted as ssh's tokenizer
/// reads it. The one rendering of values, for config lines and `-o` options alike.
pub fn option_value(key: &'static str, value: &str) -> Result<String, InvalidValue> {
    let tokens = if PERCENT_EXPANDED.contains(&key) {
        Tokens::Expanded
    } else {
        Tokens::Literal
    };
    config_word(key, value, tokens)
}

/// The ControlPath value for sockets in `dir`: the directory literal (its `%` doubled),
/// then ssh's `%C` token; `None` when the directory cannot be written so (`${`, control
/// characters). Quoted as ssh reads it.
pub fn control_path_value(dir: &str) -> Option<String> {
    config_word("ControlPath", dir, Tokens::Expanded).ok()?;
    config_word(
        "ControlPath",
        &format!("{}/%C", escape_percent(dir)),
        Tokens::Template,
    )
    .ok()
}

impl SshTarget {
    /// The connection options, as ssh_config keywords and values (not yet quoted: see
    /// [`option_value`]), in the order they are written.
    pub fn connection_options(&self) -> Vec<(&'static str, String)> {
        let mut opts = vec![("HostName", self.hostname.clone())];
        if let Some(user) = &self.user {
            opts.push(("User", user.clone()));
        }
        opts.push(("Port", self.port.to_string()));
        if let Some(key) = &self.identity_file {
            opts.push(("IdentityFile", key.to_string_lossy().into_owned()));
            opts.push(("IdentitiesOnly", "yes".to_string()));
        }
        if let Some(jump) = &self.proxy_jump {
            opts.push(("ProxyJump", jump.clone()));
        }
        opts.push(("HostKeyAlias", self.host_key_alias.clone()));
        opts.push((
            "UserKnownHostsFile",
            self.known_hosts.to_string_lossy().into_owned(),
        ));
        opts.push(("StrictHostKeyChecking", "accept-new".to_string()));
        opts
    }

    /// Every connection option rendered as ssh must read it (see [`option_value`]), or
    /// the first that cannot be, naming the option and the value.
    pub fn rendered_options(&self) -> Result<Vec<(&'static str, String)>, InvalidValue> {
        self.connection_options()
            .into_iter()
            .map(|(key, value)| Ok((key, option_value(key, &value)?)))
            .collect()
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
            .map_err(|e| InvalidValue::new("known_hosts path", &e.value, e.rule))?;
        self.rendered_options().map(drop)
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

/// The environment variable that names the ssh client to run.
pub const SSH_ENV: &str = "AZLIN_SSH";

/// The ssh client azlin runs: `$AZLIN_SSH`, else `ssh` on `PATH`.
pub fn client() -> OsString {
    match std::env::var_os(SSH_ENV) {
        Some(c) if !c.is_empty() => c,
        _ => OsString::from("ssh"),
    }
}

/// Whether ssh should allocate a terminal on the remote side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tty {
    /// `-T`: never (scripts, probes, piped stdin).
    No,
    /// `-t`: yes, for tmux and interactive commands.
    Yes,
    /// Neither flag: ssh decides (a terminal for a login shell, none for a command).
    Auto,
}

/// How one ssh process is run, apart from where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// Never prompt (`BatchMode=yes`): non-interactive work must fail, not hang.
    pub batch: bool,
    /// `ConnectTimeout`, in seconds (also bounds ssh's handshake).
    pub connect_timeout: Option<u32>,
    /// Share one connection between repeated probes: the directory of the
    /// `ControlPath` sockets (`ControlMaster auto`, `ControlPersist`).
    pub control_dir: Option<PathBuf>,
    /// Remote terminal.
    pub tty: Tty,
    /// Further `-o` options, given before the destination (values as ssh's `-o` reads
    /// them: the caller quotes what needs it).
    pub options: Vec<(String, String)>,
    /// Send [`KEEPALIVE`] options (off when the user's own ssh config sets keepalives:
    /// options on the command line would override theirs).
    pub keepalive: bool,
    /// With [`Invocation::control_dir`]: this ssh may become the shared connection's
    /// master (`ControlMaster auto`); otherwise `ControlMaster no` (see [`claim_master`]).
    pub master: bool,
}

/// ssh's `ServerAliveInterval` and `ServerAliveCountMax` for a timeout of `timeout`
/// seconds: ssh gives up after `count + 1` unanswered intervals, about the timeout.
pub fn keepalive(timeout: u32) -> (u32, u32) {
    const COUNT: u32 = 3;
    ((timeout / (COUNT + 1)).max(1), COUNT)
}

/// The line every remote command azlin runs and reads prints first (see [`announced`]).
pub const READY_LINE: &str = "azlin-ready";

/// `command` preceded by a line saying the remote side is up: the first byte of remote
/// output, which ends the connect deadline (connect, banner, key exchange and
/// authentication included). See [`strip_ready`].
pub fn announced(command: &str) -> String {
    format!("echo {READY_LINE}; {command}")
}

/// `stdout` without the first line that is [`READY_LINE`] (a login script may have
/// printed before it).
pub fn strip_ready(stdout: &[u8]) -> Vec<u8> {
    let line = format!("{READY_LINE}\n");
    let at = if stdout.starts_with(line.as_bytes()) {
        Some(0)
    } else {
        let inner = format!("\n{line}");
        stdout
            .windows(inner.len())
            .position(|w| w == inner.as_bytes())
            .map(|i| i + 1)
    };
    match at {
        Some(i) => [&stdout[..i], &stdout[i + line.len()..]].concat(),
        None => stdout.to_vec(),
    }
}

/// Keepalives, so that a dead network is noticed in under a minute (15 s × 3), in the
/// generated config and on azlin's own ssh command lines, unless the user's config sets
/// them.
pub const KEEPALIVE: [(&str, &str); 2] =
    [("ServerAliveInterval", "15"), ("ServerAliveCountMax", "3")];

/// How long a shared connection outlives its last use, in seconds.
pub const CONTROL_PERSIST_SECS: u32 = 60;

impl Invocation {
    /// Non-interactive work: batch mode, a connect timeout, no terminal.
    pub fn batch(connect_timeout: u32) -> Invocation {
        Invocation {
            batch: true,
            connect_timeout: Some(connect_timeout),
            control_dir: None,
            tty: Tty::No,
            options: Vec::new(),
            keepalive: true,
            master: true,
        }
    }

    /// A user at a terminal: prompts allowed, terminal as given.
    pub fn interactive(tty: Tty) -> Invocation {
        Invocation {
            batch: false,
            connect_timeout: None,
            control_dir: None,
            tty,
            options: Vec::new(),
            keepalive: true,
            master: true,
        }
    }

    /// With keepalives or without (see [`Invocation::keepalive`]).
    pub fn keepalive(mut self, on: bool) -> Invocation {
        self.keepalive = on;
        self
    }

    /// Shares connections through sockets in `dir` (see [`control_dir`]).
    pub fn shared(mut self, dir: PathBuf) -> Invocation {
        self.control_dir = Some(dir);
        self
    }
}

/// Whether an ssh about to connect to the VM known by `key` (its host key alias) may set
/// up the shared connection (`ControlMaster auto`), or must leave that to another one
/// started less than `window` ago (`ControlMaster no`), among every azlin process of the
/// user.
///
/// Why: several ssh processes that find no master at once (the guide's `for … &` loop of
/// `azlin exec`, or `exec vm:a vm:b` in one run) each try to become it; all but one then
/// print `ControlSocket … already exists, disabling multiplexing` and connect on their own.
/// With `ControlMaster no` an ssh uses a master that is up and otherwise connects on its
/// own without a word. The claim is a file in the socket directory whose modification
/// time is the last claim, checked and renewed under a lock held for microseconds (ssh
/// closes inherited descriptors, so a lock could not be held by ssh itself). Any failure
/// to use the file gives `true`: at worst the old behaviour.
pub fn claim_master(dir: &Path, key: &str, window: std::time::Duration) -> bool {
    use std::io::Write;
    let name: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!(".azlin-master-{name}"));
    let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
    else {
        return true;
    };
    if file.lock().is_err() {
        return true;
    }
    let meta = file.metadata().ok();
    // An empty file was just created: never claimed.
    let recent = meta.filter(|m| m.len() > 0).is_some_and(|m| {
        m.modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age < window)
    });
    if recent {
        return false;
    }
    // Writing renews the modification time: the claim.
    let _ = file.write_all(b"1");
    true
}

/// The directory of ControlPath sockets, `~/.ssh/cm` (the one the generated config
/// names, so azlin and plain ssh share connections), created with mode 0700. `None` when
/// it cannot be created or its socket paths would be too long for a Unix socket: then
/// connections are simply not shared.
pub fn control_dir(ssh_dir: &Path) -> Option<PathBuf> {
    let dir = control_dir_path(ssh_dir)?;
    crate::persist::create_dir_all(&dir, 0o700).ok()?;
    Some(dir)
}

/// [`control_dir`] without creating it: `None` when its socket paths would be too long.
pub fn control_dir_path(ssh_dir: &Path) -> Option<PathBuf> {
    let dir = ssh_dir.join("cm");
    // `%C` expands to 40 hex digits; Unix socket paths hold about 104 bytes, and ssh
    // appends a temporary suffix of about 17 while it sets the master up.
    if dir.as_os_str().len() + 1 + 40 + 17 > 104 {
        return None;
    }
    Some(dir)
}

impl SshTarget {
    /// The arguments of an ssh process to this target (everything after the client's
    /// name): one `-o` per connection option, then the invocation's options, then the
    /// destination and, when given, the remote command as ONE string (already quoted by
    /// the caller, see [`crate::quote::shell_quote`]), so the remote shell parses it exactly once.
    pub fn argv(&self, how: &Invocation, remote_command: Option<&str>) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        let mut opt = |k: &str, v: &str| {
            args.push("-o".into());
            args.push(format!("{k}={v}").into());
        };
        // A value that cannot be rendered is left out: `remote::target_of` refuses such a
        // target before any ssh runs, and ssh then reports what is missing.
        for (k, v) in self.connection_options() {
            if let Ok(v) = option_value(k, &v) {
                opt(k, &v);
            }
        }
        if how.batch {
            opt("BatchMode", "yes");
        }
        if let Some(t) = how.connect_timeout {
            opt("ConnectTimeout", &t.to_string());
        }
        // After the connection is up, only keepalives notice a peer that froze: silence
        // of the connection, not of the command, ends the run. Batch work gives up after
        // about its timeout; an interactive session after 15 s x 3. None when the user's
        // own config sets them (options here would override theirs).
        if how.keepalive {
            match how.connect_timeout {
                Some(t) if how.batch => {
                    let (interval, count) = keepalive(t);
                    opt("ServerAliveInterval", &interval.to_string());
                    opt("ServerAliveCountMax", &count.to_string());
                }
                _ => {
                    for (k, v) in KEEPALIVE {
                        opt(k, v);
                    }
                }
            }
        }
        if let Some(dir) = &how.control_dir {
            // The directory is literal, `%C` is the token ssh expands.
            if let Some(path) = control_path_value(&dir.to_string_lossy()) {
                // `no` still uses a master that is up (and connects on its own when none
                // is), but never tries to become one: see [`claim_master`].
                opt("ControlMaster", if how.master { "auto" } else { "no" });
                opt("ControlPath", &path);
                opt("ControlPersist", &CONTROL_PERSIST_SECS.to_string());
            }
        }
        for (k, v) in &how.options {
            opt(k, v);
        }
        match how.tty {
            Tty::No => args.push("-T".into()),
            Tty::Yes => args.push("-t".into()),
            Tty::Auto => {}
        }
        // The VM's name is the destination, so a `Host <vm>` stanza (ours, generated)
        // matches; every option above was given first and so wins over any stanza.
        args.push(self.vm.clone().into());
        if let Some(cmd) = remote_command {
            args.push(cmd.into());
        }
        args
    }

    /// An ssh [`Command`] to this target, with the client of [`client`].
    pub fn command(&self, how: &Invocation, remote_command: Option<&str>) -> Command {
        let mut cmd = Command::new(client());
        cmd.args(self.argv(how, remote_command));
        cmd
    }
}

/// The remote command line of `CMD…` given after `--` (exec, connect, ssh): one word is a
/// command line as it is (`-- "cd app && make"`, as plain ssh and `exec ID "CMD"` take
/// it); several words are an argv, each word quoted once, so `-- printf %s "a b"` is never
/// re-split by the remote shell (as `kubectl exec --` and `docker exec` pass words).
pub fn command_line<S: AsRef<str>>(words: &[S]) -> String {
    match words {
        [line] => line.as_ref().to_string(),
        words => crate::quote::shell_join(words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        for ok in [
            "10.0.0.4",
            "::1",
            "vm.example.com",
            "localhost",
            "a-b.c",
            "5g.example",
            "host.5a",
        ] {
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
            // Shortened or octal/hex IPv4 forms that ssh would read as other addresses.
            "5",
            "10.5",
            "010.0.0.1",
            "0x7f.0.0.1",
            "300.1.1.1",
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
        validate_proxy_jump("[::1]:2222,ops@[fe80::1]").unwrap();
        for bad in [
            "[A", "a:", "a:0", "a:99999", "[::1", "[x]:22", "@a", "a b@c", "a,,b", "h:22:1",
        ] {
            assert!(validate_proxy_jump(bad).is_err(), "{bad:?}");
        }
        assert!(validate_proxy_jump("a b").is_err());
        assert!(validate_proxy_jump("x\nHost *").is_err());
    }

    #[test]
    fn identity_files() {
        validate_identity_file(Path::new("/home/me/.ssh/id_ed25519")).unwrap();
        validate_identity_file(Path::new("/home/me/my keys/id")).unwrap();
        validate_identity_file(Path::new("/a\"b")).unwrap();
        validate_identity_file(Path::new("/home/o'brien/.ssh/id")).unwrap();
        assert!(validate_identity_file(Path::new("/a\nb")).is_err());
        let err = validate_identity_file(Path::new("/k/${HOME}/id")).unwrap_err();
        assert!(err.to_string().contains("`${`"), "{err}");
    }

    #[test]
    fn identity_files_are_stored_absolute_and_bounded() {
        let (cwd, home) = (Path::new("/work"), Path::new("/home/me"));
        let abs = |p: &str| absolute_identity_file(Path::new(p), cwd, home);
        assert_eq!(abs("keys/id").unwrap(), Path::new("/work/keys/id"));
        assert_eq!(abs("~/.ssh/id").unwrap(), Path::new("/home/me/.ssh/id"));
        assert_eq!(abs("/k/id").unwrap(), Path::new("/k/id"));
        let long = "k/".repeat(5000);
        let err = abs(&long).unwrap_err().to_string();
        assert!(err.contains("bytes long"), "{err}");
        assert!(err.len() < 300, "the message stays short: {err}");
        assert!(abs("-oProxyCommand=x").is_err());
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
        let opts = t.rendered_options().unwrap();
        assert!(opts.contains(&("IdentityFile", "\"/k/my key\"".to_string())));
        assert!(opts.contains(&("StrictHostKeyChecking", "accept-new".to_string())));
        assert_eq!(t.to_string(), "me@127.0.0.1:2222");
    }

    #[test]
    fn argv_carries_every_option_once_and_the_command_as_one_word() {
        let t = SshTarget {
            vm: "myvm".into(),
            host_key_alias: "azlin.local.myvm".into(),
            hostname: "10.0.0.4".into(),
            port: 2222,
            user: Some("me".into()),
            identity_file: None,
            proxy_jump: Some("ops@bastion".into()),
            known_hosts: "/h/.azlin/known_hosts".into(),
        };
        let how = Invocation::batch(7).shared("/h/.ssh/cm".into());
        let argv: Vec<String> = t
            .argv(&how, Some("tmux new-session -A -s 'a b'"))
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        for want in [
            "HostName=10.0.0.4",
            "User=me",
            "Port=2222",
            "ProxyJump=ops@bastion",
            "HostKeyAlias=azlin.local.myvm",
            "StrictHostKeyChecking=accept-new",
            "BatchMode=yes",
            "ConnectTimeout=7",
            "ServerAliveInterval=1",
            "ServerAliveCountMax=3",
            "ControlMaster=auto",
            "ControlPath=/h/.ssh/cm/%C",
        ] {
            assert_eq!(
                argv.iter().filter(|a| *a == want).count(),
                1,
                "{want}: {argv:?}"
            );
        }
        assert!(!argv.iter().any(|a| a.contains("StrictHostKeyChecking=no")));
        let without = t.argv(&how.clone().keepalive(false), None);
        assert!(
            !without
                .iter()
                .any(|a| a.to_string_lossy().contains("ServerAlive"))
        );
        let n = argv.len();
        assert_eq!(argv[n - 3], "-T");
        assert_eq!(argv[n - 2], "myvm");
        assert_eq!(argv[n - 1], "tmux new-session -A -s 'a b'");
    }

    #[cfg(unix)]
    #[test]
    fn control_dir_is_private_and_refused_when_sockets_would_not_fit() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = control_dir(&tmp.path().join(".ssh")).unwrap();
        assert_eq!(dir, tmp.path().join(".ssh/cm"));
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        let deep = tmp.path().join("d".repeat(80)).join(".ssh");
        assert_eq!(control_dir(&deep), None);
    }

    #[test]
    fn one_claim_of_the_master_per_window_and_control_master_follows_it() {
        let dir = tempfile::tempdir().unwrap();
        let window = std::time::Duration::from_secs(60);
        assert!(claim_master(dir.path(), "azlin.local.a", window));
        assert!(!claim_master(dir.path(), "azlin.local.a", window));
        assert!(!claim_master(dir.path(), "azlin.local.a", window));
        // Another VM has its own claim; an old claim may be taken again.
        assert!(claim_master(dir.path(), "azlin.local.b/../x", window));
        assert!(claim_master(
            dir.path(),
            "azlin.local.a",
            std::time::Duration::ZERO
        ));
        // A directory that cannot hold the claim: ssh may become the master, as before.
        assert!(claim_master(&dir.path().join("missing"), "a", window));
        let t = SshTarget {
            vm: "myvm".into(),
            host_key_alias: "azlin.local.myvm".into(),
            hostname: "10.0.0.4".into(),
            port: 22,
            user: None,
            identity_file: None,
            proxy_jump: None,
            known_hosts: "/h/.azlin/known_hosts".into(),
        };
        let mut how = Invocation::batch(7).shared("/h/.ssh/cm".into());
        let has = |how: &Invocation, want: &str| {
            t.argv(how, None)
                .iter()
                .any(|a| a.to_string_lossy() == want)
        };
        assert!(has(&how, "ControlMaster=auto"));
        how.master = false;
        assert!(has(&how, "ControlMaster=no"));
        assert!(has(&how, "ControlPath=/h/.ssh/cm/%C"));
    }

    #[test]
    fn keepalives_give_up_after_about_the_timeout_and_the_ready_line_is_removed_once() {
        assert_eq!(keepalive(10), (2, 3));
        assert_eq!(keepalive(1), (1, 3));
        assert_eq!(keepalive(60), (15, 3));
        let line = announced("tmux ls");
        assert!(line.starts_with("echo azlin-ready; "), "{line}");
        assert_eq!(strip_ready(b"azlin-ready\na\n"), b"a\n");
        assert_eq!(
            strip_ready(b"motd\nazlin-ready\nazlin-ready\n"),
            b"motd\nazlin-ready\n"
        );
        assert_eq!(strip_ready(b"xazlin-ready\n"), b"xazlin-ready\n");
    }

    #[test]
    fn config_words_follow_the_tokenizer() {
        let word = |v: &str| config_word("x", v, Tokens::Literal).unwrap();
        assert_eq!(word("plain/path"), "plain/path");
        assert_eq!(word("/keys/'"), r#""/keys/'""#);
        assert_eq!(word(r#"a"b"#), r#""a\"b""#);
        assert_eq!(word(r"a\b"), r#""a\\b""#);
        assert_eq!(word("#x"), "\"#x\"");
        assert_eq!(word("=x"), "\"=x\"");
        assert_eq!(
            config_word("x", "50%/k", Tokens::Expanded).unwrap(),
            "50%%/k"
        );
        assert!(config_word("x", "", Tokens::Literal).is_err());
        assert!(config_word("x", "a\rb", Tokens::Literal).is_err());
        assert!(config_word("x", "${X}", Tokens::Expanded).is_err());
        assert_eq!(
            split_config_words(r#"a "b c" d\ e 'f"g' h\x #rest"#).unwrap(),
            ["a", "b c", "d e", "f\"g", "h\\x"]
        );
        assert_eq!(split_config_words("\"open"), None);
    }

    proptest::proptest! {
        #![proptest_config(crate::proptest_seed::config("config_words_read_back_as_written", 256))]

        /// Whatever the value, ssh's tokenizer reads back the one word written.
        #[test]
        fn config_words_read_back_as_written(value in "[ -~\u{a0}\u{e9}]{1,24}") {
            let written = config_word("x", &value, Tokens::Literal).unwrap();
            proptest::prop_assert_eq!(split_config_words(&written), Some(vec![value.clone()]));
            let line = format!("IdentityFile {written} # comment");
            let words = split_config_words(&line).unwrap();
            proptest::prop_assert_eq!(words, vec!["IdentityFile".to_string(), value]);
        }
    }

    /// The real client reads every awkward value of an `-o` option back exactly.
    #[test]
    fn option_values_round_trip_through_ssh_g() {
        for path in [
            "/keys/'",
            "/keys/\"",
            "/keys/a\\b",
            "/keys/50%",
            "/keys/my key",
            "/keys/#1",
            "/keys/=x",
            "/home/o'brien/.ssh/id \"x\"",
        ] {
            let key = format!(
                "IdentityFile={}",
                option_value("IdentityFile", path).unwrap()
            );
            let known = format!(
                "UserKnownHostsFile={}",
                option_value("UserKnownHostsFile", path).unwrap()
            );
            let out = Command::new("ssh")
                .args(["-G", "-F", "/dev/null", "-o", &key, "-o", &known, "h"])
                .stdin(std::process::Stdio::null())
                .output()
                .expect("ssh installed");
            assert!(
                out.status.success(),
                "{key}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            let field = |name: &str| -> Vec<String> {
                text.lines()
                    .filter_map(|l| l.strip_prefix(name))
                    .map(str::to_string)
                    .collect()
            };
            // `ssh -G` shows IdentityFile before its token expansion (`%%` still doubled)
            // and UserKnownHostsFile after it.
            assert_eq!(field("identityfile "), [escape_percent(path)], "{key}");
            assert_eq!(field("userknownhostsfile "), [path.to_string()], "{known}");
        }
    }
}
