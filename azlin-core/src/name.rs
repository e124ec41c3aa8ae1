//! Identifiers: VM and session names, the compound `vm:session` grammar and the generated
//! `vm--session` ssh alias.
//!
//! Everything a user types to point at a session goes through [`Identifier::parse`] first,
//! so the grammar and its error messages live in one place.

use std::fmt;
use std::net::IpAddr;

use crate::text::{Escaped, shortened};

/// The tmux session used when an identifier names only a VM (configurable in `config.toml`).
pub const DEFAULT_SESSION: &str = "azlin";

/// Separator between a VM and a session in a compound identifier (`myvm:dev`).
pub const COMPOUND_SEPARATOR: char = ':';

/// Separator between a VM and a session in a generated ssh alias (`myvm--dev`).
pub const ALIAS_SEPARATOR: &str = "--";

/// Longest session name azlin accepts.
pub const MAX_SESSION_LEN: usize = 64;

/// Longest VM name azlin accepts (Azure's limit for Linux VMs).
pub const MAX_VM_LEN: usize = 64;

/// A name or identifier that breaks a rule. The message names the input, the rule and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing (or only whitespace) was given.
    #[error("{what} is empty: give a VM name, a session name, or `vm:session`")]
    Empty {
        /// What was being parsed ("identifier", "session name", …).
        what: &'static str,
    },
    /// More than one `:` in an identifier.
    #[error(
        "identifier `{}` has more than one `:`: use `vm:session` with a single colon \
         (session names cannot contain `:`)",
        shown(.input)
    )]
    TooManyColons {
        /// The identifier as typed.
        input: String,
    },
    /// A character outside the allowed set.
    #[error(
        "{what} `{}` contains {found}: {what}s may contain only letters, digits, {allowed}",
        shown(.input)
    )]
    BadCharacter {
        /// What was being validated.
        what: &'static str,
        /// The value as typed.
        input: String,
        /// A description of the offending character.
        found: String,
        /// The allowed punctuation, in words.
        allowed: &'static str,
    },
    /// Too long.
    #[error(
        "{what} `{}` is {len} characters long: the limit is {max}",
        Escaped(&shortened(.input, *.max))
    )]
    TooLong {
        /// What was being validated.
        what: &'static str,
        /// The value as typed.
        input: String,
        /// Its length in characters.
        len: usize,
        /// The most characters allowed.
        max: usize,
    },
    /// A rule about the first or last character.
    #[error("{what} `{}` {rule}", shown(.input))]
    BadEdge {
        /// What was being validated.
        what: &'static str,
        /// The value as typed.
        input: String,
        /// The rule, in words ("must start with a letter or digit").
        rule: &'static str,
    },
}

/// Longest part of a refused value that a message shows.
const SHOWN_LEN: usize = 100;

/// A refused value as a message shows it: escaped, and cut when very long.
fn shown(input: &str) -> String {
    Escaped(&shortened(input, SHOWN_LEN)).to_string()
}

/// Checks a tmux session name: `[A-Za-z0-9_-]`, 1 to 64 characters.
///
/// tmux itself rewrites `.` and `:` in session names, so allowing them would make the
/// name azlin stores differ from the one tmux shows.
pub fn validate_session_name(name: &str) -> Result<(), NameError> {
    const WHAT: &str = "session name";
    if name.is_empty() {
        return Err(NameError::Empty { what: WHAT });
    }
    check_chars(WHAT, name, "`-` and `_`", |c| {
        c.is_ascii_alphanumeric() || c == '-' || c == '_'
    })?;
    check_len(WHAT, name, MAX_SESSION_LEN)?;
    no_leading_dash(WHAT, name)
}

/// A leading `-` reads as an option to tmux and ssh (`tmux new-session -s -x`), and `-`
/// alone is what listings print for "none".
fn no_leading_dash(what: &'static str, name: &str) -> Result<(), NameError> {
    if name.starts_with('-') {
        return Err(NameError::BadEdge {
            what,
            input: name.to_string(),
            rule: "must not start with `-` (it reads as an option to tmux and ssh): \
                   start it with a letter, digit or `_`",
        });
    }
    Ok(())
}

/// Checks a VM name: letters, digits, `-`, `_` and `.`, 1 to 64 characters, starting with
/// a letter or digit and not ending with `-` or `.` (Azure's rules for Linux VM names,
/// narrowed to characters that are safe in an ssh `Host` line and a file name).
pub fn validate_vm_name(name: &str) -> Result<(), NameError> {
    const WHAT: &str = "VM name";
    if name.is_empty() {
        return Err(NameError::Empty { what: WHAT });
    }
    check_chars(WHAT, name, "`-`, `_` and `.`", |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
    })?;
    check_len(WHAT, name, MAX_VM_LEN)?;
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(NameError::BadEdge {
            what: WHAT,
            input: name.to_string(),
            rule: "must start with a letter or digit",
        });
    }
    if name.ends_with(['-', '.']) {
        return Err(NameError::BadEdge {
            what: WHAT,
            input: name.to_string(),
            rule: "must not end with `-` or `.`",
        });
    }
    Ok(())
}

fn check_chars(
    what: &'static str,
    input: &str,
    allowed: &'static str,
    ok: impl Fn(char) -> bool,
) -> Result<(), NameError> {
    match input.chars().find(|&c| !ok(c)) {
        None => Ok(()),
        Some(c) => Err(NameError::BadCharacter {
            what,
            input: input.to_string(),
            found: describe_char(c),
            allowed,
        }),
    }
}

fn check_len(what: &'static str, input: &str, max: usize) -> Result<(), NameError> {
    let len = input.chars().count();
    if len > max {
        return Err(NameError::TooLong {
            what,
            input: input.to_string(),
            len,
            max,
        });
    }
    Ok(())
}

/// Describes a character for an error message, so that invisible ones are visible.
fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".to_string(),
        '\t' => "a tab".to_string(),
        '\n' => "a newline".to_string(),
        '\r' => "a carriage return".to_string(),
        '\0' => "a NUL byte".to_string(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c if c != '\\' && crate::text::is_escaped(c) => {
            format!("the invisible character U+{:04X}", c as u32)
        }
        c => format!("`{}`", Escaped(&c.to_string())),
    }
}

/// The ssh alias azlin generates for a session: `vm--session`, lower-cased (ssh matches
/// `Host` patterns case-insensitively, so lower case is what users will type).
pub fn ssh_alias(vm: &str, session: &str) -> String {
    // Built in place: a sync makes one per session of the fleet.
    let mut alias = String::with_capacity(vm.len() + ALIAS_SEPARATOR.len() + session.len());
    alias.push_str(vm);
    alias.push_str(ALIAS_SEPARATOR);
    alias.push_str(session);
    alias.make_ascii_lowercase();
    alias
}

/// Whether ssh alias `alias` is caught by the `<owner>--*` pattern of the VM alias
/// `owner` (`b--x--dev` by `b--*`, not `ab--dev`).
pub fn caught_by(alias: &str, owner: &str) -> bool {
    alias
        .strip_prefix(owner)
        .is_some_and(|rest| rest.starts_with(ALIAS_SEPARATOR))
}

/// The compound form `vm:session` shown to users and accepted back as input.
pub fn compound(vm: &str, session: &str) -> String {
    format!("{vm}{COMPOUND_SEPARATOR}{session}")
}

/// A parsed identifier, before it is looked up in the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// `vm:session` or `vm:` (session `None`: the default session). The VM part may be a
    /// VM name, a VM label or an IP address.
    Compound {
        /// VM name, label or IP.
        vm: String,
        /// The session, or `None` for `vm:`.
        session: Option<String>,
    },
    /// `:session`: the one VM that has this session.
    Session(String),
    /// A bare word: a VM name, label, session name, IP address or generated alias.
    Bare(String),
}

impl Identifier {
    /// Parses what a user typed. Rejects empty input, whitespace, more than one colon and
    /// characters no VM, session or address may contain.
    pub fn parse(input: &str) -> Result<Identifier, NameError> {
        if input.trim().is_empty() {
            return Err(NameError::Empty { what: "identifier" });
        }
        // An IPv6 address is the one bare word that may hold colons.
        if input.parse::<IpAddr>().is_ok() {
            return Ok(Identifier::Bare(input.to_string()));
        }
        let parts: Vec<&str> = input.split(COMPOUND_SEPARATOR).collect();
        match parts.as_slice() {
            [bare] => {
                validate_word(bare)?;
                Ok(Identifier::Bare(bare.to_string()))
            }
            ["", ""] => Err(NameError::Empty {
                what: "identifier (both sides of `:`)",
            }),
            ["", session] => {
                validate_session_name(session)?;
                Ok(Identifier::Session(session.to_string()))
            }
            [vm, session] => {
                validate_word(vm)?;
                let session = if session.is_empty() {
                    None
                } else {
                    validate_session_name(session)?;
                    Some(session.to_string())
                };
                Ok(Identifier::Compound {
                    vm: vm.to_string(),
                    session,
                })
            }
            _ => Err(NameError::TooManyColons {
                input: input.to_string(),
            }),
        }
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identifier::Compound { vm, session } => {
                write!(f, "{vm}:{}", session.as_deref().unwrap_or(""))
            }
            Identifier::Session(s) => write!(f, ":{s}"),
            Identifier::Bare(b) => f.write_str(b),
        }
    }
}

/// A bare word or the VM side of a compound: anything a VM name, label, session name,
/// alias or IPv4 address can be made of.
fn validate_word(word: &str) -> Result<(), NameError> {
    const WHAT: &str = "identifier";
    check_chars(WHAT, word, "`-`, `_` and `.`", |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
    })?;
    // Labels share the session-name limit; VM names are at most 64; aliases join both.
    check_len(
        WHAT,
        word,
        MAX_VM_LEN + ALIAS_SEPARATOR.len() + MAX_SESSION_LEN,
    )
}

/// Checks a VM label (set with `azlin session VM NAME` or `host add --label`). Labels are
/// typed back as identifiers, so they follow the session-name rules.
pub fn validate_label(label: &str) -> Result<(), NameError> {
    const WHAT: &str = "label";
    if label.is_empty() {
        return Err(NameError::Empty { what: WHAT });
    }
    check_chars(WHAT, label, "`-` and `_`", |c| {
        c.is_ascii_alphanumeric() || c == '-' || c == '_'
    })?;
    check_len(WHAT, label, MAX_SESSION_LEN)?;
    no_leading_dash(WHAT, label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_dash_is_refused_in_session_names_and_labels() {
        for bad in ["-", "-x", "--detach"] {
            let e = validate_session_name(bad).unwrap_err().to_string();
            assert!(e.contains("must not start with `-`"), "{e}");
            assert!(validate_label(bad).is_err(), "{bad}");
        }
        assert!(validate_session_name("a-").is_ok());
        assert!(validate_session_name("_x").is_ok());
    }

    fn bare(s: &str) -> Identifier {
        Identifier::Bare(s.into())
    }

    #[test]
    fn a_refused_name_is_shown_escaped_and_cut() {
        let msg = validate_vm_name("a\u{1b}[31mb").unwrap_err().to_string();
        assert_eq!(
            msg,
            "VM name `a\\e[31mb` contains the control character U+001B: VM names may contain \
             only letters, digits, `-`, `_` and `.`"
        );
        let msg = validate_session_name("x\u{202e}y").unwrap_err().to_string();
        assert!(
            msg.contains("`x\\u{202e}y` contains the invisible character U+202E"),
            "{msg}"
        );
        let msg = validate_session_name(&"L".repeat(10_000))
            .unwrap_err()
            .to_string();
        assert!(
            msg.len() < 200 && msg.contains("10000 characters long"),
            "{msg}"
        );
    }

    #[test]
    fn parses_every_form_of_the_grammar() {
        let cases: &[(&str, Identifier)] = &[
            (
                "myvm:dev",
                Identifier::Compound {
                    vm: "myvm".into(),
                    session: Some("dev".into()),
                },
            ),
            (
                "myvm:",
                Identifier::Compound {
                    vm: "myvm".into(),
                    session: None,
                },
            ),
            (":dev", Identifier::Session("dev".into())),
            ("myvm--dev", bare("myvm--dev")),
            ("myvm", bare("myvm")),
            ("10.0.0.4", bare("10.0.0.4")),
            (
                "10.0.0.4:dev",
                Identifier::Compound {
                    vm: "10.0.0.4".into(),
                    session: Some("dev".into()),
                },
            ),
            ("::1", bare("::1")),
            ("fe80::1", bare("fe80::1")),
            ("a--b--c", bare("a--b--c")),
        ];
        for (input, want) in cases {
            assert_eq!(&Identifier::parse(input).unwrap(), want, "input {input:?}");
            assert_eq!(&Identifier::parse(input).unwrap().to_string(), input);
        }
    }

    #[test]
    fn rejects_malformed_identifiers_naming_the_rule() {
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            ("   ", "empty"),
            (":", "empty"),
            ("a:b:c", "more than one `:`"),
            ("vm::s", "more than one `:`"),
            (" myvm", "a space"),
            ("myvm ", "a space"),
            ("my vm", "a space"),
            ("vm:dev.1", "`.`"),
            ("vm:dev s", "a space"),
            ("vm\n", "a newline"),
            ("vm;rm", "`;`"),
            ("vm/x", "`/`"),
            ("$(id)", "`$`"),
            ("vm:\u{7}", "U+0007"),
        ];
        for (input, needle) in cases {
            let err = Identifier::parse(input).unwrap_err().to_string();
            assert!(err.contains(needle), "{input:?}: {err}");
        }
    }

    #[test]
    fn session_names_follow_tmux_safe_rules() {
        for ok in ["dev", "feature-auth", "feature_auth", "A1", &"x".repeat(64)] {
            validate_session_name(ok).unwrap();
        }
        for bad in ["", "feature:auth", "a.b", "a b", "ü", &"x".repeat(65)] {
            assert!(validate_session_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn vm_names_follow_azure_rules() {
        for ok in ["myvm", "azlin-vm-12345", "vm.prod", "a", "VM_1"] {
            validate_vm_name(ok).unwrap();
        }
        for bad in [
            "",
            "-vm",
            "_vm",
            "vm-",
            "vm.",
            "my vm",
            "vm:1",
            &"v".repeat(65),
        ] {
            assert!(validate_vm_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn aliases_are_lower_case_and_compounds_keep_case() {
        assert_eq!(ssh_alias("MyVM", "Dev"), "myvm--dev");
        assert!(caught_by("b--x--dev", "b") && caught_by("b--x--dev", "b--x"));
        assert!(!caught_by("ab--dev", "a") && !caught_by("b", "b"));
        assert_eq!(compound("MyVM", "Dev"), "MyVM:Dev");
    }
}
