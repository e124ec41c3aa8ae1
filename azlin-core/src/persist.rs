//! Crash-safe file writes: every file azlin owns or edits is replaced atomically, so an
//! interrupted run leaves either the old bytes or the new ones, never a mix.
//!
//! Run as root with another user's `HOME` (`sudo -E azlin …`), every file and directory
//! azlin creates or replaces gets the owner and group of the file it replaces, or else of
//! the directory it is created in: the user's `~/.ssh` stays the user's (ssh ignores a
//! config owned by someone else), and the user's own azlin can still write its caches.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a dot-named temporary file in the same directory,
/// fsync, rename over the target, fsync of the directory.
///
/// When `path` is a symlink the file it points to is replaced and the link stays (a
/// dotfiles-managed `~/.ssh/config` remains a link). `mode` sets the Unix permissions of
/// the new file; `None` keeps those of the file being replaced (or 0600 for a new file).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    remove_stale_temporaries(parent_dir(&follow_symlinks(path)?));
    let (target, tmp) = stage(path, bytes, mode)?;
    tmp.as_file().sync_all()?;
    commit(&target, tmp)?;
    sync_dir(parent_dir(&target));
    Ok(())
}

/// How old a temporary of azlin's must be before a later write removes it: no write
/// takes an hour, so an older one was left by a process that was killed.
pub const STALE_TEMPORARY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes the temporaries that [`write_atomic`] leaves when killed between creating and
/// renaming one (`.NAME.XXXXXX.tmp`), once they are older than [`STALE_TEMPORARY`]
/// (a younger one may be another run's, still being written).
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if !is_temporary_name(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMPORARY);
        if old && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether `name` has the shape of [`stage`]'s temporaries: `.` NAME `.` six random
/// letters or digits `.tmp`.
fn is_temporary_name(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    inner.rsplit_once('.').is_some_and(|(file, random)| {
        !file.is_empty() && random.len() == 6 && random.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// An error that says what was done to which path (`cannot lock /h/.azlin/.lock:
/// Read-only file system`), for I/O errors that would otherwise reach the user bare.
pub fn named(operation: &'static str, path: &Path) -> impl FnOnce(io::Error) -> io::Error {
    let path = path.to_path_buf();
    move |e| {
        io::Error::new(
            e.kind(),
            format!("cannot {operation} {}: {e}", path.display()),
        )
    }
}

/// One file for [`write_atomic_all`]: path, bytes, mode (as for [`write_atomic`]).
pub type FileWrite<'a> = (&'a Path, &'a [u8], Option<u32>);

/// Writes many files, each atomically as [`write_atomic`] does, with one durability
/// barrier for all of them instead of one fsync per file: every temporary is written,
/// then the file system is synced once (`syncfs` on Unix; a per-file fsync elsewhere),
/// then each is renamed into place, then each directory is synced once. A thousand small
/// files cost one flush instead of two thousand.
///
/// On an error some files may already be replaced; each one is either old or new.
pub fn write_atomic_all(files: &[FileWrite<'_>]) -> io::Result<()> {
    // Creating the temporaries is most of the work (the file system's inode allocation):
    // spread it over the cores. On an error, the temporaries already made are dropped,
    // which deletes them.
    let staged = crate::parallel::fan_out(files, parallelism(), |(path, bytes, mode)| {
        stage(path, bytes, *mode)
    })
    .into_iter()
    .collect::<io::Result<Vec<_>>>()?;
    barrier(&staged)?;
    let mut dirs: Vec<PathBuf> = Vec::new();
    for (target, tmp) in staged {
        commit(&target, tmp)?;
        let dir = parent_dir(&target).to_path_buf();
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    for dir in &dirs {
        sync_dir(dir);
    }
    Ok(())
}

/// How many threads share CPU-bound batch work (rendering, creating files): the cores,
/// at most 4.
pub fn parallelism() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Makes the staged temporaries durable before any of them is renamed.
fn barrier(staged: &[(PathBuf, tempfile::NamedTempFile)]) -> io::Result<()> {
    #[cfg(unix)]
    {
        // One syncfs per file system the temporaries live on (in practice one).
        let mut devices = Vec::new();
        for (_, tmp) in staged {
            use std::os::unix::fs::MetadataExt;
            let dev = tmp.as_file().metadata()?.dev();
            if !devices.contains(&dev) {
                devices.push(dev);
                rustix::fs::syncfs(tmp.as_file()).map_err(io::Error::from)?;
            }
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        for (_, tmp) in staged {
            tmp.as_file().sync_all()?;
        }
        Ok(())
    }
}

/// Writes the temporary for `path` (symlinks followed) with its mode, not yet synced.
fn stage(
    path: &Path,
    bytes: &[u8],
    mode: Option<u32>,
) -> io::Result<(PathBuf, tempfile::NamedTempFile)> {
    let target = follow_symlinks(path)?;
    let dir = parent_dir(&target);
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "azlin".to_string());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    keep_owner(tmp.as_file(), &target, owner_reference(&target))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match mode {
            Some(m) => m,
            None => fs::metadata(&target)
                .map(|m| m.permissions().mode() & 0o7777)
                .unwrap_or(0o600),
        };
        // tempfile creates its files 0600 already: skip the extra system call then.
        if mode != 0o600 {
            tmp.as_file()
                .set_permissions(fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = mode;
    Ok((target, tmp))
}

/// The owner and group of `reference` when azlin runs as root, which a file it creates
/// must have; `None` when not root (a process can only create files of its own then) or
/// when `reference` cannot be read.
#[cfg(unix)]
fn owner_of(reference: &Path) -> Option<(u32, u32)> {
    use std::os::unix::fs::MetadataExt;
    if !rustix::process::geteuid().is_root() {
        return None;
    }
    let meta = fs::metadata(reference).ok()?;
    Some((meta.uid(), meta.gid()))
}

/// Gives `file`, just created for `target`, the owner of `reference` ([`owner_of`]); an
/// error names the file and the owner it could not be given.
fn keep_owner(file: &File, target: &Path, reference: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Some((uid, gid)) = owner_of(reference) else {
            return Ok(());
        };
        let meta = file.metadata()?;
        if (meta.uid(), meta.gid()) != (uid, gid) {
            std::os::unix::fs::fchown(file, Some(uid), Some(gid)).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot give {} the owner {uid}:{gid} of {}, so it was not written: \
                         {e}",
                        target.display(),
                        reference.display()
                    ),
                )
            })?;
        }
    }
    #[cfg(not(unix))]
    let _ = (file, target, reference);
    Ok(())
}

/// What a file replacing or created at `target` takes its owner from: the file there,
/// else its directory.
fn owner_reference(target: &Path) -> &Path {
    if target.exists() {
        target
    } else {
        parent_dir(target)
    }
}

/// Creates `path` with `bytes` only if nothing is there: `O_EXCL` with `O_NOFOLLOW`, so
/// never through a symlink (a dangling one included). Synced, with `mode`, and the owner
/// of its directory when run as root. `Ok(false)` when something is already there.
pub fn create_new(path: &Path, bytes: &[u8], mode: u32) -> io::Result<bool> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode).custom_flags(libc_nofollow());
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = match options.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(e),
    };
    let written = keep_owner(&file, path, parent_dir(path))
        .and_then(|()| file.write_all(bytes))
        .and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = fs::remove_file(path);
        return Err(e);
    }
    sync_dir(parent_dir(path));
    Ok(true)
}

#[cfg(unix)]
fn libc_nofollow() -> i32 {
    rustix::fs::OFlags::NOFOLLOW.bits() as i32
}

/// Renames a synced temporary over its target.
fn commit(target: &Path, tmp: tempfile::NamedTempFile) -> io::Result<()> {
    #[cfg(debug_assertions)]
    inject_fault(target);
    tmp.persist(target).map_err(|e| e.error)?;
    Ok(())
}

/// Writes `value` as JSON to `path` atomically with mode 0600, creating the directory
/// (mode 0700) if needed: how azlin's caches are written.
pub fn write_json(path: &Path, value: &impl serde::Serialize, pretty: bool) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        create_dir_all(dir, 0o700)?;
    }
    let mut bytes = if pretty {
        serde_json::to_vec_pretty(value)
    } else {
        serde_json::to_vec(value)
    }
    .map_err(io::Error::other)?;
    bytes.push(b'\n');
    write_atomic(path, &bytes, Some(0o600))
}

/// Test hook, compiled into debug builds only (release builds ignore the variable):
/// `AZLIN_FAULT=abort-before-rename:NAME` aborts the process after the temporary for a
/// file called NAME is written and synced but before it is renamed into place, as a crash
/// or power cut at that moment would. Tests use it to prove the old file survives.
#[cfg(debug_assertions)]
fn inject_fault(target: &Path) {
    let Some(spec) = std::env::var_os("AZLIN_FAULT") else {
        return;
    };
    let spec = spec.to_string_lossy();
    if let Some(name) = spec.strip_prefix("abort-before-rename:")
        && target.file_name().is_some_and(|n| n == name)
    {
        eprintln!(
            "AZLIN_FAULT: aborting before renaming over {}",
            target.display()
        );
        std::process::abort();
    }
}

/// Resolves a chain of symlinks to the path that will really be written. A dangling
/// link resolves to its (not yet existing) destination.
fn follow_symlinks(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let dest = fs::read_link(&current)?;
                current = if dest.is_absolute() {
                    dest
                } else {
                    parent_dir(&current).join(dest)
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!(
        "too many levels of symbolic links at {}",
        path.display()
    )))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes a rename durable. Failure is ignored: some file systems cannot fsync a
/// directory, and the rename itself already happened.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Creates `dir` and its parents, giving each directory it creates the Unix `mode` (and,
/// as root, the owner of the nearest directory that existed).
pub fn create_dir_all(dir: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        let mut missing = Vec::new();
        let mut existing = dir;
        while fs::symlink_metadata(existing).is_err() {
            missing.push(existing.to_path_buf());
            match existing.parent() {
                Some(p) if !p.as_os_str().is_empty() => existing = p,
                _ => break,
            }
        }
        fs::DirBuilder::new()
            .recursive(true)
            .mode(mode)
            .create(dir)?;
        if let Some((uid, gid)) = owner_of(existing) {
            for d in missing.iter().rev() {
                std::os::unix::fs::lchown(d, Some(uid), Some(gid))?;
            }
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = mode;
        fs::create_dir_all(dir)
    }
}

/// An exclusive advisory lock on a lock file, held until dropped. Serialises azlin
/// processes that edit the same files.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Blocks until the lock on `path` (created if missing) is held.
    pub fn acquire(path: &Path) -> io::Result<Lock> {
        if let Some(dir) = path.parent() {
            create_dir_all(dir, 0o700)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        // The lock file lives in the user's directory: the user's own azlin must open it.
        keep_owner(&file, path, parent_dir(path))?;
        file.lock()?;
        Ok(Lock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_removes_its_own_stale_temporaries_only() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".hosts.toml.AbC123.tmp");
        let young = dir.path().join(".hosts.toml.XyZ789.tmp");
        let theirs = dir.path().join(".vimrc.tmp");
        for f in [&stale, &young, &theirs] {
            fs::write(f, "x").unwrap();
        }
        let two_hours_ago = std::time::SystemTime::now() - 2 * STALE_TEMPORARY;
        for f in [&stale, &theirs] {
            File::options()
                .write(true)
                .open(f)
                .unwrap()
                .set_modified(two_hours_ago)
                .unwrap();
        }
        write_atomic(&dir.path().join("hosts.toml"), b"new", None).unwrap();
        assert!(!stale.exists());
        assert!(young.exists(), "another run may still be writing it");
        assert!(theirs.exists(), "not azlin's");
    }

    #[test]
    fn replaces_content_and_keeps_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::write(&real, "old").unwrap();
        let link = dir.path().join("link");
        #[cfg(unix)]
        std::os::unix::fs::symlink("real", &link).unwrap();
        #[cfg(not(unix))]
        fs::copy(&real, &link).unwrap();
        write_atomic(&link, b"new", Some(0o600)).unwrap();
        #[cfg(unix)]
        {
            assert!(
                fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        }
        assert_eq!(fs::read_to_string(&link).unwrap(), "new");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn batch_writes_every_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        fs::write(&a, "old").unwrap();
        write_atomic_all(&[(&a, b"new a", None), (&b, b"new b", Some(0o600))]).unwrap();
        assert_eq!(fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(fs::read_to_string(&b).unwrap(), "new b");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn keeps_existing_mode_when_none_given() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        fs::write(&f, "x").unwrap();
        fs::set_permissions(&f, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&f, b"y", None).unwrap();
        assert_eq!(
            fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
}
