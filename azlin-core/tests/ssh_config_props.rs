//! Property: whatever a provider or the session cache hands over (VM names, labels, tags,
//! users, key paths, session names — hostile ones included), the generated config can
//! only set the directives azlin means to set, only for the hosts it means to name, and
//! the user's own config keeps every byte. Checked with the real `ssh -G`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;

use azlin_core::inventory::{
    ConnectDefaults, Inventory, PowerState, ProviderKind, SessionCache, SessionInfo, Vm,
};
use azlin_core::paths::Paths;
use azlin_core::ssh_config::{self, Options};
use proptest::prelude::*;

mod support {
    pub mod seed;
    pub mod ssh_g;
}

use support::ssh_g::ssh_g;

/// The user's config: global option, `Host *`, `Match`, their own Include, CRLF, no final
/// newline.
const USER_CONFIG: &[u8] =
    b"# mine\r\nServerAliveInterval 30\r\nHost *\r\n  ForwardAgent no\r\nMatch host *.corp\r\n  User corp\r\nInclude extra/*.conf";

/// Keywords a generated file may contain (lower case, as `ssh -G` prints them).
const ALLOWED: [&str; 16] = [
    "serveraliveinterval",
    "serveralivecountmax",
    "hostname",
    "user",
    "port",
    "identityfile",
    "identitiesonly",
    "proxyjump",
    "hostkeyalias",
    "userknownhostsfile",
    "stricthostkeychecking",
    "controlmaster",
    "controlpath",
    "controlpersist",
    "requesttty",
    "remotecommand",
];

/// Options ssh derives from the allowed ones (a custom known_hosts file or host key alias
/// turns off UpdateHostKeys), so they may differ too.
const DERIVED: [&str; 1] = ["updatehostkeys"];

/// Strings a hostile or careless provider might send.
fn wild() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9][a-zA-Z0-9._-]{0,12}",
        "[ -~]{0,16}",
        ".{0,12}",
        Just("x\nHost *\n  ProxyCommand sh -c id".to_string()),
        Just("a\rb".to_string()),
        Just("n\0ul".to_string()),
        Just("-oProxyCommand=sh".to_string()),
        Just("%d%%h".to_string()),
        Just("\"quoted\" word".to_string()),
        Just("Match all".to_string()),
    ]
}

/// Mostly names that pass, so that most cases reach the file and `ssh -G`.
fn mostly_valid() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[a-zA-Z0-9][a-zA-Z0-9_-]{0,10}[a-zA-Z0-9]", 1 => wild()]
}

fn address() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (1u8..=254, 1u8..=254).prop_map(|(a, b)| format!("10.0.{a}.{b}")),
        1 => wild(),
    ]
}

prop_compose! {
    fn vm()(
        name in mostly_valid(),
        address in address(),
        port in 1u16..=65535,
        user in proptest::option::weighted(0.5, mostly_valid()),
        key in proptest::option::weighted(0.3, mostly_valid()),
        jump in proptest::option::weighted(0.2, mostly_valid()),
        label in proptest::option::of(wild()),
        tags in proptest::collection::btree_map(wild(), wild(), 0..3),
        sessions in proptest::collection::vec(mostly_valid(), 0..4),
    ) -> (Vm, Vec<String>) {
        (Vm {
            id: name.clone(),
            name,
            provider: ProviderKind::Local,
            address: Some(address),
            port,
            user,
            identity_file: key.map(|k| PathBuf::from(format!("/keys/{k}"))),
            proxy_jump: jump,
            label,
            tags,
            power: PowerState::Running,
            region: None,
        }, sessions)
    }
}

/// Strips azlin's two lines (marker comment and Include) from the top.
fn user_part(config: &[u8]) -> &[u8] {
    let mut rest = config;
    for _ in 0..2 {
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => rest = &rest[i + 1..],
            None => return rest,
        }
    }
    rest
}

proptest! {
    #![proptest_config(support::seed::config("hostile_values_never_add_a_directive", 32))]

    #[test]
    fn hostile_values_never_add_a_directive(vms in proptest::collection::vec(vm(), 1..4)) {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths { azlin_home: dir.path().join(".azlin"), home: dir.path().to_path_buf() };
        let ssh = paths.ssh_dir();
        fs::create_dir_all(&ssh).unwrap();
        let config = ssh.join("config");
        fs::write(&config, USER_CONFIG).unwrap();
        let baseline_config = dir.path().join("user-only.conf");
        fs::write(&baseline_config, USER_CONFIG).unwrap();

        let mut cache = SessionCache::default();
        let mut list = Vec::new();
        for (vm, sessions) in vms {
            // Labels and tags never reach a config line; they ride along to prove it.
            if list.iter().any(|v: &Vm| v.name == vm.name) {
                continue;
            }
            cache.record(&vm.name, sessions.iter().map(|name| SessionInfo::new(name)).collect());
            list.push(vm);
        }
        // The key paths as given (hostile ones included), by plain alias.
        let keys: BTreeMap<String, String> = list
            .iter()
            .filter_map(|v| {
                let key = v.identity_file.as_ref()?.to_str()?.to_string();
                Some((v.name.to_ascii_lowercase(), key))
            })
            .collect();
        let inventory = Inventory::new(list, cache).unwrap();
        let opts = Options::new(ConnectDefaults {
            user: None, identity_file: None, known_hosts: paths.known_hosts(),
        });
        let report = ssh_config::sync(&paths, &inventory, &opts).expect("sync");

        // The user's bytes are all still there, after exactly azlin's two lines (none
        // when every VM was refused: then there is nothing to include).
        let now = fs::read(&config).unwrap();
        if report.written.is_empty() {
            prop_assert_eq!(now.as_slice(), USER_CONFIG);
        } else {
            prop_assert_eq!(user_part(&now), USER_CONFIG);
            prop_assert!(now.starts_with(b"# Added by azlin"));
        }

        // Every line of every generated file is a comment, a blank, a Host line naming only
        // aliases of valid VMs, or an allowed keyword.
        let mut aliases = BTreeSet::new();
        let on_disk = fs::read_dir(ssh.join("config.d")).map_or(0, |d| {
            d.filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".conf"))
                .count()
        });
        prop_assert_eq!(report.written.len(), on_disk);
        for f in &report.written {
            let text = fs::read_to_string(f).unwrap();
            for line in text.lines() {
                let trimmed = line.trim();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                let (kw, rest) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
                if kw == "Host" {
                    for pattern in rest.split(' ') {
                        prop_assert!(
                            pattern.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()
                                || matches!(c, '-' | '_' | '.' | '*')),
                            "Host pattern {pattern:?} in {text}"
                        );
                        if !pattern.contains('*') {
                            aliases.insert(pattern.to_string());
                        }
                    }
                } else {
                    prop_assert!(
                        ALLOWED.contains(&kw.to_ascii_lowercase().as_str()),
                        "directive {kw:?} in {text}"
                    );
                }
            }
        }

        // ssh agrees: against the user's config alone, only allowed options differ, and
        // a key path reaches ssh exactly (`ssh -G` shows it before its `%` expansion).
        for alias in &aliases {
            let with = ssh_g(&config, alias);
            if let Some(key) = keys.get(alias) {
                prop_assert_eq!(with.get("identityfile"), Some(&key.replace('%', "%%")), "{}", alias);
            }
            let without = ssh_g(&baseline_config, alias);
            for (k, v) in &with {
                if without.get(k) != Some(v) {
                    prop_assert!(
                        ALLOWED.contains(&k.as_str()) || DERIVED.contains(&k.as_str()),
                        "{alias}: {k} {v}"
                    );
                }
            }
        }
    }
}
