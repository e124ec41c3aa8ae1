//! `ssh -G`: what the installed ssh client resolves for an alias, option by option. Shared
//! by the core's property tests and the end-to-end tests (included by `#[path]`), so that
//! both read ssh's answer the same way.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// What `ssh -G -F CONFIG ALIAS` resolves: lower-case option → value, as ssh prints them.
pub fn ssh_g(config: &Path, alias: &str) -> BTreeMap<String, String> {
    let out = Command::new("ssh")
        .arg("-G")
        .arg("-F")
        .arg(config)
        .arg(alias)
        .stdin(Stdio::null())
        .output()
        .expect("ssh client installed (apt-get install openssh-client)");
    assert!(
        out.status.success(),
        "ssh -G {alias} failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
