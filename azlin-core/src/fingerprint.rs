//! What identifies one version of a file on disk, for the caches that must notice when a
//! file changed without reading it (the ssh-config stamp, plugin metadata, the ssh
//! client's probe): inode, size, modification and change times, as git's index does.
//! Anyone who edits or replaces a file changes its change time (a rename its inode).

use std::fs::Metadata;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The identity of one version of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    ino: u64,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl Fingerprint {
    /// The fingerprint of the file `meta` describes.
    pub fn of(meta: &Metadata) -> Fingerprint {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
            Fingerprint {
                ino: meta.ino(),
                size: meta.size(),
                mtime_ns: ns(meta.mtime(), meta.mtime_nsec()),
                ctime_ns: ns(meta.ctime(), meta.ctime_nsec()),
            }
        }
        #[cfg(not(unix))]
        {
            let t = meta.modified().map(since_epoch_ns).unwrap_or_default();
            Fingerprint {
                ino: 0,
                size: meta.len(),
                mtime_ns: t,
                ctime_ns: t,
            }
        }
    }

    /// The fingerprint of the file `path` leads to (symlinks followed); `None` when it
    /// cannot be read.
    pub fn of_path(path: &Path) -> Option<Fingerprint> {
        std::fs::metadata(path).ok().map(|m| Fingerprint::of(&m))
    }

    /// When the file last changed (its contents or its metadata), nanoseconds since the
    /// Unix epoch.
    pub fn changed_ns(&self) -> i128 {
        self.ctime_ns.max(self.mtime_ns)
    }
}

/// `t` in nanoseconds since the Unix epoch (negative before it).
pub fn since_epoch_ns(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewrite_changes_the_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "one").unwrap();
        let first = Fingerprint::of_path(&file).unwrap();
        assert_eq!(Fingerprint::of_path(&file), Some(first));
        std::fs::write(&file, "two!").unwrap();
        assert_ne!(Fingerprint::of_path(&file), Some(first));
        assert_eq!(Fingerprint::of_path(&dir.path().join("none")), None);
    }
}
