//! Rendering: the inventory becomes one config file per VM, through Handlebars templates.
//!
//! Every connection line comes from [`SshTarget::connection_options`], so the stanza and
//! the ssh command line azlin runs cannot disagree. Values are validated before rendering
//! (a VM with a hostile value is refused, with a message naming it) and the template
//! helpers refuse control characters again, so a value can never end a line and start a
//! directive of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::path::Path;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason,
};
use serde::Serialize;

use crate::inventory::{ConnectDefaults, Inventory};
use crate::name;
// ControlPath is in PERCENT_EXPANDED but comes from `Sharing` below, whose `%C` is meant
// as a token: its options are marked `percent: false`.
use crate::ssh::PERCENT_EXPANDED;

use super::{FILE_PREFIX, FILE_SUFFIX, Problem, SshConfigError};

/// Name of the per-VM template, embedded and overridable in `$AZLIN_HOME/templates/`.
pub const VM_TEMPLATE: &str = "vm.conf.hbs";

const EMBEDDED_VM_TEMPLATE: &str = include_str!("../../../templates/vm.conf.hbs");

/// The options that only a client with connection sharing gets.
pub(crate) struct Sharing {
    /// ControlPath value, e.g. `~/.ssh/cm/%C`.
    pub control_path: String,
}

/// What ssh -G must report for the aliases of one file (see `client::Client::check`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    /// The alias to look up.
    pub alias: String,
    /// Expected `hostname`.
    pub hostname: String,
    /// Expected `user`, when azlin sets one.
    pub user: Option<String>,
    /// Expected `port`.
    pub port: u16,
    /// Expected `remotecommand` (after ssh's `%` expansion), for a session alias.
    pub remote_command: Option<String>,
}

/// One generated file, prepared but not yet rendered: rendering is only needed for files
/// whose inputs changed since the last sync (see `stamp`), for a diff and for `print`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmFile {
    /// The VM's name.
    pub vm: String,
    /// `azlin-<alias>.conf`.
    pub file_name: String,
    /// What ssh must resolve once the file is in place: the plain alias, then the first
    /// session alias if there is one.
    pub expect: Vec<Expect>,
    /// A digest of everything the template sees (see [`Renderer::id`] for the rest).
    pub(crate) digest: String,
    ctx: VmCtx,
}

/// Every generated file, plus what was refused.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Files, sorted by file name.
    pub files: Vec<VmFile>,
    /// VMs and sessions left out, with the reason.
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
struct OptionCtx {
    key: &'static str,
    value: String,
    percent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
struct SessionCtx {
    name: String,
    alias: String,
    command: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
struct VmCtx {
    vm: String,
    alias: String,
    options: Vec<OptionCtx>,
    sessions: Vec<SessionCtx>,
}

/// A 128-bit digest of `value` (two SipHash runs with different prefixes). It only decides
/// whether a file may need rendering again, so a changed hash function (another Rust
/// release) merely costs one full comparison.
pub(crate) fn digest(value: &impl Hash) -> String {
    let half = |salt: u8| {
        let mut h = std::hash::DefaultHasher::new();
        salt.hash(&mut h);
        value.hash(&mut h);
        h.finish()
    };
    format!("{:016x}{:016x}", half(1), half(2))
}

/// The per-VM template, registered once, with what identifies its output.
#[derive(Debug, Clone)]
pub(crate) struct Renderer {
    hb: Handlebars<'static>,
    /// A digest of the template's source and of this azlin binary (its version, size and
    /// modification time): with a file's [`VmFile::digest`] it determines the file's text.
    pub(crate) id: String,
}

impl Renderer {
    /// The registry with the per-VM template: `$AZLIN_HOME/templates/vm.conf.hbs` when the
    /// user has one, else the embedded one.
    pub(crate) fn load(templates_dir: &Path) -> Result<Renderer, SshConfigError> {
        let mut hb = Handlebars::new();
        hb.register_escape_fn(handlebars::no_escape);
        hb.set_strict_mode(true);
        hb.register_helper("ssh", escaping_helper("ssh", escape_value));
        hb.register_helper(
            "ssh_command",
            escaping_helper("ssh_command", escape_command),
        );
        let override_path = templates_dir.join(VM_TEMPLATE);
        let (source, origin) = match std::fs::read_to_string(&override_path) {
            Ok(text) => (text, override_path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (
                EMBEDDED_VM_TEMPLATE.to_string(),
                format!("embedded {VM_TEMPLATE}"),
            ),
            Err(source) => {
                return Err(SshConfigError::Io {
                    action: "read template",
                    path: override_path,
                    source,
                });
            }
        };
        // The binary's identity stands for the helpers' code: a rebuilt azlin may escape
        // differently, so its stamp entries must not count.
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .ok()
            .map(|m| (m.len(), m.modified().ok()));
        let id = digest(&(&source, env!("CARGO_PKG_VERSION"), exe));
        hb.register_template_string(VM_TEMPLATE, source)
            .map_err(|e| SshConfigError::Template {
                origin,
                message: e.to_string(),
            })?;
        Ok(Renderer { hb, id })
    }

    /// The text of one file.
    pub(crate) fn text(&self, file: &VmFile) -> Result<String, SshConfigError> {
        self.hb
            .render(VM_TEMPLATE, &file.ctx)
            .map_err(|e| SshConfigError::Template {
                origin: format!("{VM_TEMPLATE} (VM `{}`)", file.vm),
                message: e.to_string(),
            })
    }
}

/// Prepares a file for every VM of the inventory that has an address.
pub(crate) fn prepare(
    inventory: &Inventory,
    defaults: &ConnectDefaults,
    sharing: Option<&Sharing>,
) -> Rendered {
    let mut out = Rendered::default();
    let refused = collisions(inventory, &mut out.problems);
    for vm in &inventory.vms {
        if refused.contains(vm.name.as_str()) {
            continue;
        }
        // A VM without an address (a deallocated Azure VM) has nothing to connect to.
        let Some(target) = vm.ssh_target(defaults) else {
            continue;
        };
        if let Err(e) = target.validate() {
            out.problems
                .push(Problem::new(&vm.name, None, e.to_string()));
            continue;
        }
        let alias = vm.name.to_ascii_lowercase();
        let mut options: Vec<OptionCtx> = target
            .connection_options()
            .into_iter()
            .map(|(key, value)| OptionCtx {
                key,
                value,
                percent: PERCENT_EXPANDED.contains(&key),
            })
            .collect();
        if let Some(s) = sharing {
            for (key, value) in [
                ("ControlMaster", "auto".to_string()),
                ("ControlPath", s.control_path.clone()),
                (
                    "ControlPersist",
                    crate::ssh::CONTROL_PERSIST_SECS.to_string(),
                ),
            ] {
                options.push(OptionCtx {
                    key,
                    value,
                    percent: false,
                });
            }
        }
        let sessions = sessions_of(inventory, &vm.name, &mut out.problems);
        let mut expect = vec![Expect {
            alias: alias.clone(),
            hostname: target.hostname.clone(),
            user: target.user.clone(),
            port: target.port,
            remote_command: None,
        }];
        if let Some(s) = sessions.first() {
            expect.push(Expect {
                alias: s.alias.clone(),
                remote_command: Some(s.command.clone()),
                ..expect[0].clone()
            });
        }
        let ctx = VmCtx {
            vm: vm.name.clone(),
            alias: alias.clone(),
            options,
            sessions,
        };
        out.files.push(VmFile {
            vm: vm.name.clone(),
            file_name: format!("{FILE_PREFIX}{alias}{FILE_SUFFIX}"),
            expect,
            digest: digest(&ctx),
            ctx,
        });
    }
    out.files.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    out
}

/// The sessions of `vm` that can have an alias: valid names, one alias each.
fn sessions_of(inventory: &Inventory, vm: &str, problems: &mut Vec<Problem>) -> Vec<SessionCtx> {
    let mut by_alias: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for s in inventory.sessions.sessions_of(vm) {
        match name::validate_session_name(&s.name) {
            Ok(()) => by_alias
                .entry(name::ssh_alias(vm, &s.name))
                .or_default()
                .push(&s.name),
            Err(e) => problems.push(Problem::new(vm, Some(&s.name), e.to_string())),
        }
    }
    let mut out = Vec::new();
    for (alias, names) in by_alias {
        if let [only] = names.as_slice() {
            out.push(SessionCtx {
                name: only.to_string(),
                alias,
                command: format!("tmux new-session -A -s {only}"),
            });
        } else if names.iter().collect::<BTreeSet<_>>().len() > 1 {
            problems.push(Problem::new(
                vm,
                None,
                format!(
                    "sessions {} would share the alias `{alias}` (aliases are lower-case): \
                     rename one of them",
                    backticked(&names)
                ),
            ));
        } else {
            // The same session listed twice in the cache: one alias is right.
            out.push(SessionCtx {
                name: names[0].to_string(),
                alias,
                command: format!("tmux new-session -A -s {}", names[0]),
            });
        }
    }
    out
}

/// VMs whose aliases would collide: two names equal but for case, or a name that one VM's
/// `<vm>--*` pattern would catch (`a` and `a--b`). Both sides are left out and reported,
/// never merged.
fn collisions<'a>(inventory: &'a Inventory, problems: &mut Vec<Problem>) -> BTreeSet<&'a str> {
    let mut refused = BTreeSet::new();
    let lower: BTreeMap<String, Vec<&str>> =
        inventory.vms.iter().fold(BTreeMap::new(), |mut m, vm| {
            m.entry(vm.name.to_ascii_lowercase())
                .or_default()
                .push(vm.name.as_str());
            m
        });
    for (alias, names) in &lower {
        if names.len() > 1 {
            for n in names {
                problems.push(Problem::new(
                    n,
                    None,
                    format!(
                        "VMs {} would share the ssh alias `{alias}` (aliases are lower-case): \
                         rename one of them",
                        backticked(names)
                    ),
                ));
                refused.insert(*n);
            }
        }
        // `a--b` is caught by `Host a a--*`: check every `--` split point.
        for (i, _) in alias.match_indices(name::ALIAS_SEPARATOR) {
            if let Some(owners) = lower.get(&alias[..i]) {
                for (n, other) in names
                    .iter()
                    .flat_map(|n| owners.iter().map(move |o| (*n, *o)))
                {
                    let message = format!(
                        "the alias `{alias}` of VM `{n}` would be caught by the `{}--*` \
                         pattern of VM `{other}`: rename one of them",
                        &alias[..i]
                    );
                    problems.push(Problem::new(n, None, message.clone()));
                    problems.push(Problem::new(other, None, message));
                    refused.insert(n);
                    refused.insert(other);
                }
            }
        }
    }
    refused
}

/// `a`, `b` and `c` in backticks, joined with commas.
fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", n.escape_debug()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn param_str(h: &Helper<'_>, helper: &'static str) -> Result<String, RenderError> {
    let value = h
        .param(0)
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex(helper, 0))?
        .value();
    match value {
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Bool(b) => Ok(if *b { "yes" } else { "no" }.to_string()),
        other => {
            Err(RenderErrorReason::Other(format!("`{helper}` needs a string, got {other}")).into())
        }
    }
}

/// Refuses what could end a config line: every control character, NUL, CR and newline
/// included.
fn line_safe(helper: &str, value: &str) -> Result<(), RenderError> {
    if value.is_empty() {
        return Err(RenderErrorReason::Other(format!("`{helper}`: empty value")).into());
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(RenderErrorReason::Other(format!(
            "`{helper}`: value `{}` contains the control character U+{:04X}",
            value.escape_debug(),
            c as u32
        ))
        .into());
    }
    Ok(())
}

/// A helper that checks its one value with [`line_safe`], then writes `escape(value,
/// percent)`; `percent` is the `percent=true` hash argument.
fn escaping_helper(
    name: &'static str,
    escape: fn(&str, bool) -> Result<String, RenderError>,
) -> Box<dyn HelperDef + Send + Sync> {
    Box::new(
        move |h: &Helper<'_>,
              _: &Handlebars<'_>,
              _: &Context,
              _: &mut RenderContext<'_, '_>,
              out: &mut dyn Output|
              -> HelperResult {
            let value = param_str(h, name)?;
            line_safe(name, &value)?;
            out.write(&escape(&value, percent_flag(h))?)?;
            Ok(())
        },
    )
}

fn percent_flag(h: &Helper<'_>) -> bool {
    h.hash_get("percent")
        .and_then(|v| v.value().as_bool())
        .unwrap_or(false)
}

/// `{{ssh value [percent=true]}}`: one argument of a keyword, written as OpenSSH's
/// tokenizer reads it ([`crate::ssh::config_word`], the renderer of `-o` values too):
/// quoted and escaped when it holds white space, quotes, `\\` or `#`, `%` doubled when
/// `percent` is set.
pub(crate) fn escape_value(value: &str, percent: bool) -> Result<String, RenderError> {
    let tokens = if percent {
        crate::ssh::Tokens::Expanded
    } else {
        crate::ssh::Tokens::Literal
    };
    crate::ssh::config_word("value", value, tokens)
        .map_err(|e| RenderErrorReason::Other(format!("`ssh`: {e}")).into())
}

/// `{{ssh_command value}}`: the rest of a RemoteCommand line, where ssh expands `%`
/// tokens, so `%` is always doubled.
fn escape_command(value: &str, _percent: bool) -> Result<String, RenderError> {
    Ok(crate::ssh::escape_percent(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{PowerState, ProviderKind, SessionCache, SessionInfo, Vm};

    pub(crate) fn vm(name: &str, address: &str) -> Vm {
        Vm {
            name: name.into(),
            provider: ProviderKind::Local,
            id: name.into(),
            address: Some(address.into()),
            port: 2222,
            user: Some("alice".into()),
            identity_file: None,
            proxy_jump: None,
            label: None,
            tags: Default::default(),
            power: PowerState::Running,
        }
    }

    fn session(name: &str) -> SessionInfo {
        SessionInfo {
            name: name.into(),
            attached: false,
            windows: 1,
            label: None,
        }
    }

    fn defaults() -> ConnectDefaults {
        ConnectDefaults {
            user: None,
            identity_file: None,
            known_hosts: "/h/.azlin/known_hosts".into(),
        }
    }

    /// Every file's text, in file-name order, with the prepared files.
    fn render_inv(inv: &Inventory, sharing: Option<&Sharing>) -> (Rendered, Vec<String>) {
        let r = Renderer::load(Path::new("/nonexistent")).unwrap();
        let prepared = prepare(inv, &defaults(), sharing);
        let texts = prepared.files.iter().map(|f| r.text(f).unwrap()).collect();
        (prepared, texts)
    }

    #[test]
    fn renders_host_block_then_session_blocks() {
        let mut cache = SessionCache::default();
        cache.record("MyVM", vec![session("dev"), session("Build")]);
        let inv = Inventory::new(vec![vm("MyVM", "10.0.0.4")], cache).unwrap();
        let (r, texts) = render_inv(
            &inv,
            Some(&Sharing {
                control_path: "~/.ssh/cm/%C".into(),
            }),
        );
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let f = &r.files[0];
        let text = &texts[0];
        assert_eq!(f.file_name, "azlin-myvm.conf");
        let expected_tail = "Host myvm myvm--*
    HostName 10.0.0.4
    User alice
    Port 2222
    HostKeyAlias azlin.local.MyVM
    UserKnownHostsFile /h/.azlin/known_hosts
    StrictHostKeyChecking accept-new
    ControlMaster auto
    ControlPath ~/.ssh/cm/%C
    ControlPersist 60

Host myvm--build
    RequestTTY yes
    RemoteCommand tmux new-session -A -s Build

Host myvm--dev
    RequestTTY yes
    RemoteCommand tmux new-session -A -s dev
";
        assert!(text.ends_with(expected_tail), "{text}");
        assert!(text.starts_with("# Generated by azlin for VM MyVM."));
        assert_eq!(f.expect.len(), 2);
        assert_eq!(
            f.expect[1].remote_command.as_deref(),
            Some("tmux new-session -A -s Build")
        );
    }

    #[test]
    fn hostile_values_are_refused_naming_the_vm() {
        let mut cache = SessionCache::default();
        cache.record("ok", vec![session("a\nHost *"), session("fine")]);
        let mut bad = vm("evil", "10.0.0.5");
        bad.user = Some("x\n    ProxyCommand sh".into());
        let mut bad_name = vm("ok2", "10.0.0.6");
        bad_name.name = "bad name\nHost *".into();
        let inv = Inventory::new(vec![vm("ok", "10.0.0.4"), bad, bad_name], cache).unwrap();
        let (r, texts) = render_inv(&inv, None);
        assert_eq!(r.files.len(), 1);
        assert!(texts[0].contains("Host ok--fine"));
        assert!(!texts[0].contains("Host *"));
        let msgs: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
        assert!(msgs.iter().any(|m| m.contains("VM `evil`")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("session")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("bad name\\nHost *")),
            "{msgs:?}"
        );
    }

    #[test]
    fn colliding_aliases_are_reported_not_merged() {
        let inv = Inventory::new(
            vec![
                vm("Box", "10.0.0.1"),
                vm("box", "10.0.0.2"),
                vm("a", "10.0.0.3"),
                vm("a--b", "10.0.0.4"),
                vm("c", "10.0.0.5"),
            ],
            SessionCache::default(),
        )
        .unwrap();
        let (r, _) = render_inv(&inv, None);
        let names: Vec<&str> = r.files.iter().map(|f| f.vm.as_str()).collect();
        assert_eq!(names, ["c"]);
        assert_eq!(r.problems.len(), 4, "{:?}", r.problems);
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_value("/a b", false).unwrap(), "\"/a b\"");
        assert_eq!(escape_value("/a%b", true).unwrap(), "/a%%b");
        assert_eq!(escape_value("/a#b", false).unwrap(), "\"/a#b\"");
        assert_eq!(escape_value("a\"b", false).unwrap(), "\"a\\\"b\"");
        assert!(escape_value("/${X}", true).is_err());
        assert!(line_safe("ssh", "a\nb").is_err());
        assert!(line_safe("ssh", "a\rb").is_err());
        assert!(line_safe("ssh", "a\0b").is_err());
    }

    #[test]
    fn user_template_overrides_and_broken_template_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(VM_TEMPLATE), "Host {{ssh alias}}\n").unwrap();
        let renderer = Renderer::load(dir.path()).unwrap();
        let inv = Inventory::new(vec![vm("x", "10.0.0.1")], SessionCache::default()).unwrap();
        let r = prepare(&inv, &defaults(), None);
        assert_eq!(renderer.text(&r.files[0]).unwrap(), "Host x\n");
        // Another template is another renderer: its files' stamps do not carry over.
        assert_ne!(
            renderer.id,
            Renderer::load(Path::new("/nonexistent")).unwrap().id
        );
        std::fs::write(dir.path().join(VM_TEMPLATE), "Host {{#each}}\n").unwrap();
        let err = Renderer::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains(VM_TEMPLATE), "{err}");
    }
}
