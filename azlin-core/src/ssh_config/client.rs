//! The installed ssh client: what it supports (`ssh -V`), where it expands `~`, and what
//! it makes of the written config (`ssh -G`).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::fingerprint::Fingerprint;

use super::render::{Expect, Want};

/// File name of the probe cache in `$AZLIN_HOME/cache`.
pub const PROBE_CACHE: &str = "ssh-client.json";

/// What azlin learnt about the ssh client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    /// The program (`AZLIN_SSH`, else `ssh`).
    pub program: OsString,
    /// OpenSSH major and minor version, when `ssh -V` said.
    pub version: Option<(u32, u32)>,
    /// Whether it is the Windows port (no connection sharing there).
    pub windows: bool,
    /// The directory ssh expands `~` to (the account's home, which need not be `$HOME`).
    pub tilde_home: Option<PathBuf>,
}

/// What a cached probe is valid for: the client binary (as found on `PATH`) by size and
/// modification time, and the user ssh expands `~` for. Another binary, an upgrade or
/// another account means probing again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ProbeKey {
    path: PathBuf,
    file: Fingerprint,
    uid: u32,
}

#[derive(Serialize, Deserialize)]
struct CachedProbe {
    key: ProbeKey,
    client: Client,
}

impl ProbeKey {
    /// `None` when the program cannot be found (then it is probed, and fails, every time).
    fn of(program: &OsStr) -> Option<ProbeKey> {
        let path = find_program(program)?;
        let file = Fingerprint::of_path(&path)?;
        #[cfg(unix)]
        let uid = rustix::process::getuid().as_raw();
        #[cfg(not(unix))]
        let uid = 0;
        Some(ProbeKey { path, file, uid })
    }
}

/// The file `program` runs: itself when it names a path, else the first match on `PATH`.
fn find_program(program: &OsStr) -> Option<PathBuf> {
    let as_path = Path::new(program);
    if as_path.components().count() > 1 {
        return as_path.is_file().then(|| as_path.to_path_buf());
    }
    let exts: &[&str] = if cfg!(windows) { &["", ".exe"] } else { &[""] };
    std::env::split_paths(&std::env::var_os("PATH")?).find_map(|dir| {
        exts.iter().find_map(|ext| {
            let mut name = program.to_os_string();
            name.push(ext);
            let candidate = dir.join(name);
            is_executable(&candidate).then_some(candidate)
        })
    })
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    meta.is_file()
}

impl Client {
    /// [`Client::probe`], remembered in `cache_dir` (see [`PROBE_CACHE`]) for as long as
    /// the client binary and the user stay the same: every sync needs the answer, and two
    /// ssh processes cost more than the rest of a sync that changes nothing. A client
    /// that did not answer is not remembered.
    pub fn probe_cached(program: &OsStr, cache_dir: &Path) -> Client {
        let Some(key) = ProbeKey::of(program) else {
            return Client::probe(program);
        };
        let file = cache_dir.join(PROBE_CACHE);
        if let Some(cached) = crate::cache_file::read::<CachedProbe>(&file)
            .filter(|c| c.key == key && c.client.program == program)
        {
            return cached.client;
        }
        let client = Client::probe(program);
        if client.available() {
            // A cache that cannot be written only costs the next run a probe.
            let _ = crate::persist::write_json(
                &file,
                &CachedProbe {
                    key,
                    client: client.clone(),
                },
                false,
            );
        }
        client
    }

    /// Asks `program -V` for its version and `program -G` where `~` is.
    pub fn probe(program: &OsStr) -> Client {
        let null_config = if cfg!(windows) { "NUL" } else { "/dev/null" };
        let mut version = Command::new(program);
        version.arg("-V");
        let mut tilde = Command::new(program);
        tilde.args([
            "-G",
            "-F",
            null_config,
            "-o",
            "ControlPath=~",
            "azlin-probe",
        ]);
        // Both at once: they are independent, and every sync without a cached probe pays
        // for them. Through process::run_limited, so `-v` logs them like every other run.
        let (version, tilde) = std::thread::scope(|scope| {
            let v = scope
                .spawn(|| crate::process::run_limited(version, None, Default::default(), None));
            let t = crate::process::run_limited(tilde, None, Default::default(), None);
            (v.join().ok().and_then(Result::ok), t.ok())
        });
        let version_text = version
            .map(|o| {
                let mut t = String::from_utf8_lossy(&o.stderr).into_owned();
                t.push_str(&String::from_utf8_lossy(&o.stdout));
                t
            })
            .unwrap_or_default();
        let tilde_home = tilde
            .filter(|o| o.status.is_some_and(|s| s.success()))
            .and_then(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .find_map(|l| l.strip_prefix("controlpath ").map(PathBuf::from))
            });
        Client {
            program: program.to_os_string(),
            version: parse_version(&version_text),
            windows: version_text.contains("Windows") || cfg!(windows),
            tilde_home,
        }
    }

    /// Whether the client answered at all (`ssh -G` works).
    pub fn available(&self) -> bool {
        self.tilde_home.is_some()
    }

    /// Connection sharing (ControlMaster, ControlPath with `%C`): OpenSSH 6.7 or later,
    /// not the Windows port (which has no Unix sockets for it).
    pub fn supports_sharing(&self) -> bool {
        !self.windows && self.version.is_some_and(|v| v >= (6, 7))
    }

    /// Runs `ssh -G -F config alias` and compares what ssh resolved with `expect`.
    /// The error is ssh's own message, or the value that differs.
    /// With `as_user` (uid, gid) ssh runs as that user: the one who will read the files.
    pub fn check(
        &self,
        config: &Path,
        expect: &Expect,
        as_user: Option<(u32, u32)>,
    ) -> Result<(), String> {
        let mut cmd = Command::new(&self.program);
        cmd.arg("-G").arg("-F").arg(config).arg(&expect.alias);
        #[cfg(unix)]
        if let Some((uid, gid)) = as_user {
            use std::os::unix::process::CommandExt;
            cmd.uid(uid).gid(gid);
        }
        #[cfg(not(unix))]
        let _ = as_user;
        let out = crate::process::run_limited(cmd, None, Default::default(), None)
            .map_err(|e| format!("cannot run {}: {e}", self.program.to_string_lossy()))?;
        if !out.status.is_some_and(|s| s.success()) {
            let msg = String::from_utf8_lossy(&out.stderr);
            return Err(format!(
                "`{} -G {}` failed: {}",
                self.program.to_string_lossy(),
                expect.alias,
                msg.trim()
            ));
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let get = |key: &str| {
            stdout.lines().find_map(|l| {
                l.strip_prefix(key)
                    .and_then(|r| r.strip_prefix(' '))
                    .map(str::to_string)
            })
        };
        let mut wrong = Vec::new();
        for (key, want) in &expect.fields {
            let got = get(key);
            // ssh lower-cases host names and host key aliases.
            let folds = matches!(key.as_str(), "hostname" | "hostkeyalias");
            let ok = match (want, &got) {
                (Want::Is(w), Some(g)) => g == w || (folds && g.eq_ignore_ascii_case(w)),
                (Want::Present, Some(_)) | (Want::Absent, None) => true,
                _ => false,
            };
            if !ok {
                let expected = match want {
                    Want::Is(w) => format!("`{w}`"),
                    Want::Present => "a value".to_string(),
                    Want::Absent => "none".to_string(),
                };
                wrong.push(format!(
                    "{key} is `{}`, expected {expected}",
                    got.unwrap_or_default()
                ));
            }
        }
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "ssh resolves `{}` differently ({}): an earlier line of your ssh config \
                 (a `Host` or `Match` block, or a global option before azlin's Include) \
                 takes precedence",
                expect.alias,
                wrong.join(", ")
            ))
        }
    }
}

/// `OpenSSH_9.2p1 Debian…` or `OpenSSH_for_Windows_8.1p1` → (9, 2).
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let start = text.find("OpenSSH_")? + "OpenSSH_".len();
    let rest = text[start..].trim_start_matches("for_Windows_");
    let mut nums = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty());
    let major = nums.next()?.parse().ok()?;
    let minor = nums.next()?.parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            parse_version("OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0"),
            Some((9, 2))
        );
        assert_eq!(
            parse_version("OpenSSH_for_Windows_8.1p1, LibreSSL 3.0.2"),
            Some((8, 1))
        );
        assert_eq!(parse_version("ssh: command not found"), None);
        let old = Client {
            program: "ssh".into(),
            version: Some((6, 6)),
            windows: false,
            tilde_home: None,
        };
        assert!(!old.supports_sharing());
        let win = Client {
            version: Some((9, 5)),
            windows: true,
            ..old.clone()
        };
        assert!(!win.supports_sharing());
        assert!(
            Client {
                version: Some((9, 5)),
                ..old
            }
            .supports_sharing()
        );
    }

    #[test]
    fn missing_client_is_unavailable() {
        let c = Client::probe(OsStr::new("/nonexistent/ssh"));
        assert!(!c.available());
        assert!(!c.supports_sharing());
    }
}
