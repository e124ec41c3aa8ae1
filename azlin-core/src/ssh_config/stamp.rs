//! What the last sync wrote, so that a sync that changes nothing neither renders nor reads
//! the generated files.
//!
//! For each generated file the stamp keeps the digest of the inputs it was rendered from
//! and the file's identity on disk when it was known to hold exactly that rendering (its
//! [`Fingerprint`]). A file whose inputs and
//! identity both match is up to date; any other file is rendered and compared byte for
//! byte, as without a stamp. Anyone who edits or replaces a file changes its change time
//! (and a rename its inode), so a stale stamp only costs a comparison, never a missed
//! change. The stamp lives in `$AZLIN_HOME/cache`, not in `~/.ssh`, and names the
//! directory it describes.

use std::collections::BTreeMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::fingerprint::{Fingerprint, since_epoch_ns};

/// File name of the stamp in `$AZLIN_HOME/cache`.
pub const STAMP_FILE: &str = "ssh-config-stamp.json";

/// A file changed within this long before the stamp was taken may have been changed again
/// within the same tick of the file system's clock (coarse timestamps step every few
/// milliseconds), which its times would not show: such a file is compared by content.
const RACY_NS: i128 = 50_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    digest: String,
    id: Fingerprint,
}

/// The stamp of one `config.d` directory and one renderer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stamp {
    dir: PathBuf,
    renderer: String,
    taken_ns: i128,
    files: BTreeMap<String, Entry>,
}

impl Stamp {
    /// An empty stamp for `dir` and `renderer`.
    pub(crate) fn new(dir: &Path, renderer: &str) -> Stamp {
        Stamp {
            dir: dir.to_path_buf(),
            renderer: renderer.to_string(),
            ..Stamp::default()
        }
    }

    /// The stamp at `file` if it describes `dir` as rendered by `renderer`, else an empty
    /// one. An unreadable or damaged stamp is an empty one.
    pub(crate) fn load(file: &Path, dir: &Path, renderer: &str) -> Stamp {
        crate::cache_file::read::<Stamp>(file)
            .filter(|s| s.dir == dir && s.renderer == renderer)
            .unwrap_or_else(|| Stamp::new(dir, renderer))
    }

    /// Whether `name`, with metadata `meta`, is known to hold the rendering of `digest`.
    pub(crate) fn vouches(&self, name: &str, digest: &str, meta: &Metadata) -> bool {
        let Some(e) = self.files.get(name) else {
            return false;
        };
        e.digest == digest
            && e.id == Fingerprint::of(meta)
            && e.id.changed_ns() + RACY_NS < self.taken_ns
    }

    /// Records that `name` holds the rendering of `digest` now.
    pub(crate) fn record(&mut self, name: &str, digest: &str, meta: &Metadata) {
        self.files.insert(
            name.to_string(),
            Entry {
                digest: digest.to_string(),
                id: Fingerprint::of(meta),
            },
        );
    }

    /// Copies `name`'s entry from `other` (a file vouched for by the loaded stamp).
    pub(crate) fn keep(&mut self, other: &Stamp, name: &str) {
        if let Some(e) = other.files.get(name) {
            self.files.insert(name.to_string(), e.clone());
        }
    }

    /// Whether this stamp says something other than `other` about the files.
    pub(crate) fn differs(&self, other: &Stamp) -> bool {
        self.files != other.files || self.renderer != other.renderer || self.dir != other.dir
    }

    /// Writes the stamp, taken now. Failure is ignored: without a stamp the next sync
    /// compares contents, which is slower but as correct.
    pub(crate) fn save(mut self, file: &Path) {
        self.taken_ns = since_epoch_ns(SystemTime::now());
        let _ = crate::persist::write_json(file, &self, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vouches_only_for_same_digest_same_file_and_not_when_racy() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("azlin-a.conf");
        std::fs::write(&f, "one").unwrap();
        let stamp_file = dir.path().join("stamp.json");
        let mut s = Stamp::new(dir.path(), "r1");
        s.record("azlin-a.conf", "d1", &std::fs::metadata(&f).unwrap());
        s.clone().save(&stamp_file);
        // Just written: within the racy window, so not trusted yet.
        let loaded = Stamp::load(&stamp_file, dir.path(), "r1");
        assert!(!loaded.vouches("azlin-a.conf", "d1", &std::fs::metadata(&f).unwrap()));
        std::thread::sleep(std::time::Duration::from_millis(120));
        s.save(&stamp_file);
        let loaded = Stamp::load(&stamp_file, dir.path(), "r1");
        let meta = std::fs::metadata(&f).unwrap();
        assert!(loaded.vouches("azlin-a.conf", "d1", &meta));
        assert!(!loaded.vouches("azlin-a.conf", "d2", &meta));
        assert!(!loaded.vouches("azlin-b.conf", "d1", &meta));
        // Another renderer or another directory: nothing carries over.
        assert!(!Stamp::load(&stamp_file, dir.path(), "r2").vouches("azlin-a.conf", "d1", &meta));
        assert!(
            !Stamp::load(&stamp_file, Path::new("/elsewhere"), "r1").vouches(
                "azlin-a.conf",
                "d1",
                &meta
            )
        );
        // An edit, even one that keeps the size, changes the identity.
        std::fs::write(&f, "two").unwrap();
        assert!(!loaded.vouches("azlin-a.conf", "d1", &std::fs::metadata(&f).unwrap()));
    }
}
