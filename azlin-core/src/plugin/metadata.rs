//! `azlin-foo --azlin-plugin-metadata`: a plugin describing itself, asked with a time
//! limit and remembered by path, size and modification time.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::fingerprint::Fingerprint;
use crate::process::{self, Bounds, NoAnswer};

/// The argument that asks a plugin for its metadata.
pub const METADATA_FLAG: &str = "--azlin-plugin-metadata";

/// How long a plugin may take to answer [`METADATA_FLAG`].
pub const METADATA_TIMEOUT: Duration = Duration::from_secs(2);

/// The metadata schema this azlin understands.
pub const SCHEMA_VERSION: u32 = 1;

/// More output than any description needs; the rest is not read.
const MAX_OUTPUT: usize = 64 * 1024;

/// What a plugin says about itself: one JSON object on stdout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Always 1 for now.
    pub schema_version: u32,
    /// One line saying what the plugin does.
    pub description: String,
    /// The plugin's version.
    #[serde(default)]
    pub version: Option<String>,
}

/// Why a plugin gave no metadata.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// It did not start.
    #[error("could not start it: {0}")]
    Spawn(#[source] std::io::Error),
    /// It did not answer in time (it was stopped).
    #[error("no answer to {METADATA_FLAG} within {0:?}; it was stopped")]
    TimedOut(Duration),
    /// It exited unsuccessfully.
    #[error("{METADATA_FLAG} failed ({0})")]
    Failed(std::process::ExitStatus),
    /// Its output is not the JSON object expected.
    #[error(
        "{METADATA_FLAG} printed no valid metadata ({0}); expected JSON like {{\"schema_version\": 1, \"description\": \"…\", \"version\": \"1.0\"}}"
    )]
    Invalid(String),
}

/// The metadata of the plugin at `path`, from the cache in `cache_dir` when the file has
/// not changed, else by running it with [`METADATA_FLAG`] for at most `timeout`.
pub fn metadata(
    path: &Path,
    cache_dir: &Path,
    timeout: Duration,
) -> Result<Metadata, MetadataError> {
    metadata_all(&[path], cache_dir, timeout)
        .pop()
        .expect("one answer per path")
}

/// [`metadata`] for several plugins: the cache is read once, the plugins it cannot answer
/// for are asked all at once (each within `timeout`, so the whole takes about one
/// `timeout`), and the cache is written once with every new answer. One answer per path,
/// in order.
pub fn metadata_all(
    paths: &[&Path],
    cache_dir: &Path,
    timeout: Duration,
) -> Vec<Result<Metadata, MetadataError>> {
    let cache_file = cache_dir.join("plugin-metadata.json");
    let mut cache = Cache::load(&cache_file);
    let answers: Vec<(Option<Fingerprint>, Result<Metadata, MetadataError>, bool)> =
        std::thread::scope(|s| {
            let handles: Vec<_> = paths
                .iter()
                .map(|path| {
                    let stamp = Fingerprint::of_path(path);
                    let cached = stamp.as_ref().and_then(|stamp| {
                        cache
                            .entries
                            .get(path.to_string_lossy().as_ref())
                            .filter(|e| e.stamp == *stamp)
                            .map(|e| e.metadata.clone())
                    });
                    match cached {
                        Some(m) => Pending::Cached(stamp, m),
                        None => Pending::Asking(stamp, s.spawn(move || ask(path, timeout))),
                    }
                })
                .collect();
            handles
                .into_iter()
                .map(|h| match h {
                    Pending::Cached(stamp, m) => (stamp, Ok(m), false),
                    Pending::Asking(stamp, handle) => {
                        let answer = handle.join().unwrap_or_else(|_| {
                            Err(MetadataError::Spawn(std::io::Error::other(
                                "metadata reader panicked",
                            )))
                        });
                        (stamp, answer, true)
                    }
                })
                .collect()
        });
    let mut changed = false;
    for (path, (stamp, answer, fresh)) in paths.iter().zip(&answers) {
        if let (true, Some(stamp), Ok(meta)) = (*fresh, stamp, answer) {
            cache.entries.insert(
                path.to_string_lossy().into_owned(),
                Entry {
                    stamp: *stamp,
                    metadata: meta.clone(),
                },
            );
            changed = true;
        }
    }
    if changed {
        // The cache only saves time: failing to write it must not fail the listing.
        let _ = crate::persist::write_json(&cache_file, &cache, true);
    }
    answers.into_iter().map(|(_, answer, _)| answer).collect()
}

/// Runs `path --azlin-plugin-metadata` and parses its answer.
fn ask(path: &Path, timeout: Duration) -> Result<Metadata, MetadataError> {
    let mut cmd = Command::new(path);
    cmd.arg(METADATA_FLAG);
    let bounds = Bounds {
        total: Some(timeout),
        max_output: Some(MAX_OUTPUT),
        ..Bounds::default()
    };
    let output = process::answer(cmd, bounds).map_err(|f| match f {
        NoAnswer::Spawn(e) => MetadataError::Spawn(e),
        NoAnswer::TimedOut | NoAnswer::Interrupted(_) => MetadataError::TimedOut(timeout),
        NoAnswer::TooMuchOutput => {
            MetadataError::Invalid(format!("more than {MAX_OUTPUT} bytes of output"))
        }
        NoAnswer::Failed(status) => MetadataError::Failed(status),
    })?;
    let meta: Metadata = serde_json::from_slice(&output).map_err(|e| {
        MetadataError::Invalid(if output.iter().all(u8::is_ascii_whitespace) {
            "empty output".to_string()
        } else {
            e.to_string()
        })
    })?;
    if meta.schema_version != SCHEMA_VERSION {
        return Err(MetadataError::Invalid(format!(
            "schema_version {} is not supported, this azlin reads {SCHEMA_VERSION}",
            meta.schema_version
        )));
    }
    Ok(meta)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// The plugin file the metadata was read from.
    stamp: Fingerprint,
    metadata: Metadata,
}

/// One plugin's metadata while [`metadata_all`] gathers them: from the cache, or being
/// asked for.
enum Pending<H> {
    Cached(Option<Fingerprint>, Metadata),
    Asking(Option<Fingerprint>, H),
}

/// `$AZLIN_HOME/cache/plugin-metadata.json`: plugin path → stamp and metadata.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    entries: BTreeMap<String, Entry>,
}

impl Cache {
    /// A missing or unreadable cache is an empty one.
    fn load(file: &Path) -> Cache {
        crate::cache_file::read_or_default(file)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    #[test]
    fn answers_are_parsed_and_cached_until_the_file_changes() {
        let tmp = tempfile::tempdir().unwrap();
        let count = tmp.path().join("count");
        let body = format!(
            "echo x >> {}\necho '{{\"schema_version\":1,\"description\":\"d\",\"version\":\"1\"}}'",
            count.display()
        );
        let p = script(tmp.path(), "azlin-m", &body);
        let cache = tmp.path().join("cache");
        let t = Duration::from_secs(20);
        let m = metadata(&p, &cache, t).unwrap();
        assert_eq!(m.description, "d");
        assert_eq!(metadata(&p, &cache, t).unwrap(), m);
        assert_eq!(std::fs::read_to_string(&count).unwrap().lines().count(), 1);
        // A changed file (different size) is asked again.
        script(tmp.path(), "azlin-m", &format!("{body}\n"));
        metadata(&p, &cache, t).unwrap();
        assert_eq!(std::fs::read_to_string(&count).unwrap().lines().count(), 2);
    }

    #[test]
    fn asking_several_at_once_caches_every_answer() {
        let tmp = tempfile::tempdir().unwrap();
        let count = tmp.path().join("count");
        let plugins: Vec<PathBuf> = ["a", "b", "c"]
            .iter()
            .map(|n| {
                let body = format!(
                    "echo {n} >> {}\necho '{{\"schema_version\":1,\"description\":\"{n}\",\"version\":\"1\"}}'",
                    count.display()
                );
                script(tmp.path(), &format!("azlin-{n}"), &body)
            })
            .collect();
        let paths: Vec<&Path> = plugins.iter().map(PathBuf::as_path).collect();
        let cache = tmp.path().join("cache");
        let t = Duration::from_secs(20);
        let first = metadata_all(&paths, &cache, t);
        let described: Vec<String> = first.into_iter().map(|m| m.unwrap().description).collect();
        assert_eq!(described, ["a", "b", "c"]);
        // Every answer was kept: the second listing runs no plugin.
        for m in metadata_all(&paths, &cache, t) {
            m.unwrap();
        }
        assert_eq!(std::fs::read_to_string(&count).unwrap().lines().count(), 3);
    }

    #[test]
    fn garbage_failure_and_hangs_are_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = tmp.path().join("cache");
        let garbage = script(tmp.path(), "azlin-g", "echo not json");
        let failing = script(tmp.path(), "azlin-f", "exit 3");
        let hang = script(tmp.path(), "azlin-h", "exec sleep 30");
        let t = Duration::from_secs(20);
        assert!(matches!(
            metadata(&garbage, &cache, t),
            Err(MetadataError::Invalid(_))
        ));
        assert!(matches!(
            metadata(&failing, &cache, t),
            Err(MetadataError::Failed(_))
        ));
        let start = std::time::Instant::now();
        let short = Duration::from_millis(300);
        assert!(matches!(
            metadata(&hang, &cache, short),
            Err(MetadataError::TimedOut(_))
        ));
        assert!(start.elapsed() < Duration::from_secs(25));
    }
}
