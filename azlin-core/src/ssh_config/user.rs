//! What the user's own ssh config says, read as ssh reads it (keywords, quoting,
//! `Include`), azlin's generated files left out: the host names its `Host` lines name, so
//! that azlin never writes an alias that would capture one of them, and the options the
//! generated config must counter (`RemoteCommand`, `RequestTTY`) or leave to the user
//! (`ServerAliveInterval`, `ServerAliveCountMax`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::include::{glob_match, include_path};

/// ssh's own limit on nested Includes (`READCONF_MAX_DEPTH` in readconf.c).
const MAX_DEPTH: usize = 16;
/// At most this many files are read: a glob over a huge directory must not stall a sync.
const MAX_FILES: usize = 256;
/// A file larger than this is not the user's config (ssh would read it, azlin skips it).
const MAX_FILE_BYTES: u64 = 4 << 20;

/// Where a line is: the file and its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file of the user's config that holds the line.
    pub file: PathBuf,
    /// The line, counting from 1.
    pub line: usize,
}

/// What azlin needs to know of the user's own ssh config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserConfig {
    /// Every host name a `Host` line names without a wildcard or negation (lower case, as
    /// ssh compares them), with the first line that names it.
    pub hosts: BTreeMap<String, Origin>,
    /// Whether a `RemoteCommand` or `RequestTTY` is set anywhere: then every plain alias
    /// counters them (`RemoteCommand none`, `RequestTTY auto`), so scp, sftp, rsync, git
    /// and VS Code keep working.
    pub sets_remote_command: bool,
    /// Whether `ServerAliveInterval` or `ServerAliveCountMax` is set anywhere: then the
    /// generated config and azlin's own ssh leave keepalives to the user's config.
    pub sets_keepalive: bool,
    /// Whether `Port` is set anywhere: then the generated config writes `Port 22` too,
    /// which it otherwise leaves to ssh's default.
    pub sets_port: bool,
}

impl UserConfig {
    /// Reads `config` (a missing file reads as empty) and what it includes. `tilde_home` is
    /// where ssh expands `~` (relative Include paths are relative to its `.ssh`); files
    /// for which `skip` is true (azlin's own) are not read.
    pub fn read(config: &Path, tilde_home: &Path, skip: &dyn Fn(&Path) -> bool) -> UserConfig {
        let mut reader = Reader {
            tilde_home,
            skip,
            files: 0,
            out: UserConfig::default(),
        };
        reader.file(config, 0);
        reader.out
    }
}

struct Reader<'a> {
    tilde_home: &'a Path,
    skip: &'a dyn Fn(&Path) -> bool,
    files: usize,
    out: UserConfig,
}

impl Reader<'_> {
    fn file(&mut self, path: &Path, depth: usize) {
        if depth > MAX_DEPTH || self.files >= MAX_FILES || (self.skip)(path) {
            return;
        }
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
            return;
        }
        let Ok(bytes) = std::fs::read(path) else {
            return;
        };
        self.files += 1;
        let text = String::from_utf8_lossy(&bytes);
        for (i, line) in text.lines().enumerate() {
            let Some((keyword, args)) = keyword_and_args(line) else {
                continue;
            };
            match keyword.as_str() {
                "host" => {
                    for pattern in args.iter().flat_map(|a| a.split(',')) {
                        let exact = !pattern.is_empty()
                            && !pattern.starts_with('!')
                            && !pattern.contains(['*', '?']);
                        if exact {
                            self.out
                                .hosts
                                .entry(pattern.to_ascii_lowercase())
                                .or_insert_with(|| Origin {
                                    file: path.to_path_buf(),
                                    line: i + 1,
                                });
                        }
                    }
                }
                "remotecommand" | "requesttty" => self.out.sets_remote_command = true,
                "serveraliveinterval" | "serveralivecountmax" => self.out.sets_keepalive = true,
                "port" => self.out.sets_port = true,
                "include" => {
                    for arg in &args {
                        for included in self.expand(arg) {
                            self.file(&included, depth + 1);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The files an Include argument names, sorted as glob(3) returns them.
    fn expand(&self, arg: &str) -> Vec<PathBuf> {
        let path = include_path(arg, self.tilde_home);
        let mut found = vec![PathBuf::new()];
        for part in path.components() {
            let part = part.as_os_str().to_string_lossy();
            if !part.contains(['*', '?', '[']) {
                found.iter_mut().for_each(|p| p.push(part.as_ref()));
                continue;
            }
            let mut next = Vec::new();
            for dir in &found {
                let Ok(entries) = std::fs::read_dir(dir) else {
                    continue;
                };
                let mut names: Vec<String> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    // glob(3) does not match a leading dot with a wildcard.
                    .filter(|n| !n.starts_with('.') && glob_match(&part, n))
                    .collect();
                names.sort();
                next.extend(names.into_iter().map(|n| dir.join(n)));
                if next.len() > MAX_FILES {
                    break;
                }
            }
            found = next;
        }
        found
    }
}

/// The lower-cased keyword of a config line and its arguments as ssh's tokenizer reads
/// them; `None` for blanks, comments and lines ssh would reject.
fn keyword_and_args(line: &str) -> Option<(String, Vec<String>)> {
    let line = line.trim_start_matches([' ', '\t']);
    let end = line.find([' ', '\t', '=']).unwrap_or(line.len());
    let (keyword, rest) = line.split_at(end);
    if keyword.is_empty() || keyword.starts_with('#') {
        return None;
    }
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix('=').unwrap_or(rest);
    let args = crate::ssh::split_config_words(rest.trim_end_matches(['\r', '\n']))?;
    Some((keyword.to_ascii_lowercase(), args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_options_and_includes_are_read_as_ssh_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = dir.path().join(".ssh");
        std::fs::create_dir_all(ssh.join("conf.d")).unwrap();
        std::fs::create_dir_all(ssh.join("config.d")).unwrap();
        std::fs::write(
            ssh.join("config"),
            "Include conf.d/*.conf ~/.ssh/config.d/*\n\
             # Host commented\n\
             Host *.corp !secret Bastion \"git hub\"\n  User me\n\
             Host=jump,other\n  Port 2222\n",
        )
        .unwrap();
        std::fs::write(ssh.join("conf.d/a.conf"), "Host work\n  RemoteCommand x\n").unwrap();
        std::fs::write(ssh.join("config.d/azlin-x.conf"), "Host x\n").unwrap();
        let skip = |p: &Path| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("azlin-"))
        };
        let u = UserConfig::read(&ssh.join("config"), dir.path(), &skip);
        let names: Vec<&str> = u.hosts.keys().map(String::as_str).collect();
        assert_eq!(names, ["bastion", "git hub", "jump", "other", "work"]);
        assert_eq!(u.hosts["bastion"].line, 3);
        assert_eq!(u.hosts["work"].file, ssh.join("conf.d/a.conf"));
        assert!(u.sets_remote_command);
        assert!(!u.sets_keepalive);
        assert!(u.sets_port);
        let missing = UserConfig::read(&ssh.join("nope"), dir.path(), &skip);
        assert_eq!(missing, UserConfig::default());
    }
}
