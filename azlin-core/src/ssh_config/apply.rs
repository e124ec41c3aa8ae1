//! Applying a plan: the atomic writes under the lock, the `ssh -G` check of the result,
//! and the undo when the check fails.

use super::*;

/// What [`sync`] did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// Generated files written.
    pub written: Vec<PathBuf>,
    /// Generated files removed (their VMs are gone).
    pub removed: Vec<PathBuf>,
    /// Whether the Include line was added to (or moved up in) `~/.ssh/config`.
    pub config_edited: bool,
    /// The backup taken before the first edit of `~/.ssh/config`, when taken now.
    pub backup: Option<PathBuf>,
    /// VMs and sessions left out.
    pub problems: Vec<Problem>,
    /// Plain aliases left out so as not to capture the user's hosts (all of them, also
    /// those of VMs whose part was not written now).
    pub skipped: Vec<Skipped>,
    /// The aliases whose part of the fleet file was written now.
    pub changed_sections: Vec<String>,
    /// How many aliases `ssh -G` checked.
    pub validated: usize,
    /// Things the user should know (no ssh client to check with).
    pub warnings: Vec<String>,
}

impl SyncReport {
    /// Whether anything on disk changed.
    pub fn changed(&self) -> bool {
        !self.written.is_empty() || !self.removed.is_empty() || self.config_edited
    }
}

/// The owner and group of `ssh_dir` when azlin runs as root and they are another user's.
pub(super) fn files_owner(ssh_dir: &Path) -> Option<(u32, u32)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if !rustix::process::geteuid().is_root() {
            return None;
        }
        let meta = std::fs::metadata(ssh_dir).ok()?;
        (meta.uid() != 0).then(|| (meta.uid(), meta.gid()))
    }
    #[cfg(not(unix))]
    {
        let _ = ssh_dir;
        None
    }
}

/// Brings the generated files and the Include line up to date with the inventory.
///
/// Nothing is written when nothing changed (mtimes stay). Otherwise, under a lock in
/// `~/.ssh/config.d`: `~/.ssh` (0700) and the files are created as needed, a backup of
/// `~/.ssh/config` is taken before its first edit, each file is replaced atomically
/// (symlinks followed), files of vanished VMs are removed, and the result is checked with
/// `ssh -G`; if that check fails every file is put back as it was and the error carries
/// ssh's message. A read-only `~/.ssh/config` that needs the Include gives
/// [`SshConfigError::ReadOnly`] (with the exact lines to add) before anything is touched.
///
/// VMs and sessions that cannot get an alias (hostile values, alias collisions) are left
/// out and listed in [`SyncReport::problems`]; the rest is still synced.
pub fn sync(
    paths: &Paths,
    inventory: &Inventory,
    opts: &Options,
) -> Result<SyncReport, SshConfigError> {
    if let Some(refused) = refused_by_ssh(paths) {
        return Err(refused);
    }
    let first = plan(paths, inventory, opts)?;
    if first.is_up_to_date() {
        if first.stamp_grew {
            first.stamp.save(&first.layout.stamp);
        }
        return Ok(SyncReport {
            problems: first.problems,
            skipped: first.skipped,
            ..SyncReport::default()
        });
    }
    let layout = first.layout.clone();
    if first.config.is_some() && is_read_only(&layout.config) {
        return Err(SshConfigError::ReadOnly {
            path: layout.config,
            instruction: "Add these lines at the top of it (before any `Host` or `Match` \
                          line), then run `azlin ssh-config` again",
            lines: first.include_lines,
        });
    }
    persist::create_dir_all(&layout.ssh_dir, 0o700).map_err(io_err("create", &layout.ssh_dir))?;
    let _lock = Lock::acquire(&layout.lock).map_err(io_err("lock", &layout.lock))?;
    // Another run may have synced while this one waited for the lock: then plan again.
    let plan = if first.still_current() {
        first
    } else {
        plan_with(paths, inventory, opts, first.client)?
    };
    apply(plan, opts)
}

pub(super) fn apply(mut plan: Plan, opts: &Options) -> Result<SyncReport, SshConfigError> {
    let layout = plan.layout.clone();
    let layout = &layout;
    let mut report = SyncReport {
        problems: plan.problems.clone(),
        skipped: plan.skipped.clone(),
        changed_sections: plan.changed_sections.clone(),
        ..SyncReport::default()
    };
    if plan.is_up_to_date() {
        if plan.stamp_grew {
            plan.stamp.save(&layout.stamp);
        }
        return Ok(report);
    }
    remove_leftover_temporaries(&layout.config_d);
    if let Some(template) = &plan.renderer.writes_sessions {
        report.warnings.push(format!(
            "{} writes the session blocks itself (`{{{{#each sessions}}}}`), as an older \
             azlin's template did: azlin now writes them, grouped, after the VMs' parts, so \
             they come twice and ssh reads both on every run; remove that part of the template",
            template.display()
        ));
    }
    if plan.shares {
        persist::create_dir_all(&layout.cm_dir, 0o700).map_err(io_err("create", &layout.cm_dir))?;
    }
    if let Some(FileChange { old: Some(old), .. }) = &plan.config {
        // Never through a symlink: O_EXCL and O_NOFOLLOW; a backup already there is the
        // first one, kept.
        if persist::create_new(&layout.backup, old, 0o600)
            .map_err(io_err("back up to", &layout.backup))?
        {
            report.backup = Some(layout.backup.clone());
        } else if !std::fs::symlink_metadata(&layout.backup).is_ok_and(|m| m.is_file()) {
            report.warnings.push(format!(
                "{} is not a regular file (a symlink?): it was left alone, and no new \
                 backup of {} was taken",
                layout.backup.display(),
                layout.config.display()
            ));
        }
    }
    // Everything touched is remembered first, so that a failure at any point can put back
    // the files as they were.
    let undo = Undo {
        done: plan
            .files
            .iter()
            .chain(&plan.config)
            .map(|ch| (ch.path.clone(), ch.old.clone()))
            .collect(),
    };
    if let Err(e) = write_changes(&plan) {
        undo.restore();
        return Err(e);
    }
    // The identities of the files as azlin wrote them, taken before the check: an edit
    // made while `ssh -G` runs changes them, so the stamp will not vouch for it.
    record_written(&mut plan);
    for ch in plan.files.iter().chain(&plan.config) {
        match &ch.new {
            Some(_) if Some(ch) == plan.config.as_ref() => report.config_edited = true,
            Some(_) => report.written.push(ch.path.clone()),
            None => report.removed.push(ch.path.clone()),
        }
    }
    if !plan.client.available() {
        report.warnings.push(format!(
            "ssh client `{}` not found: the generated config was not checked with `ssh -G` \
             (set AZLIN_SSH to the client you use)",
            plan.client.program.to_string_lossy()
        ));
        plan.stamp.save(&layout.stamp);
        return Ok(report);
    }
    let expects = to_validate(&plan, opts.validate_limit);
    // ssh ignores included files owned by anyone but root and the user running it: as
    // root with a user's HOME, check as that user, as whom ssh will read them.
    let user = files_owner(&layout.ssh_dir);
    // The lookups are independent and each reads every generated file: run them at once.
    let results: Vec<Result<(), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = expects
            .iter()
            .map(|e| scope.spawn(|| plan.client.check(&layout.config, e, user)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("ssh check panicked".into()))
            })
            .collect()
    });
    if let Some(Err(message)) = results.into_iter().find(Result::is_err) {
        undo.restore();
        return Err(SshConfigError::Validation { message });
    }
    report.validated = expects.len();
    plan.stamp.save(&layout.stamp);
    Ok(report)
}

/// Adds the fleet file just written to the plan's stamp, so that the next sync need not
/// render or read it.
pub(super) fn record_written(plan: &mut Plan) {
    let fleet = plan.layout.config_d.join(FLEET_FILE);
    let written = plan
        .files
        .iter()
        .any(|c| c.path == fleet && c.new.is_some());
    if let Some(digest) = &plan.fleet_digest
        && written
        && let Ok(meta) = std::fs::symlink_metadata(&fleet)
    {
        plan.stamp.record(FLEET_FILE, digest, &meta);
    }
}

/// Writes every new file in one batch (one durability barrier), then removes the files
/// of vanished VMs.
pub(super) fn write_changes(plan: &Plan) -> Result<(), SshConfigError> {
    let writes: Vec<persist::FileWrite<'_>> = plan
        .files
        .iter()
        .chain(&plan.config)
        .filter_map(|ch| {
            let bytes = ch.new.as_deref()?;
            // A generated file is always private; a new config too; an existing config
            // keeps its mode.
            let mode = if ch.old.is_none() || Some(ch) != plan.config.as_ref() {
                Some(0o600)
            } else {
                None
            };
            Some((ch.path.as_path(), bytes, mode))
        })
        .collect();
    persist::write_atomic_all(&writes).map_err(|source| SshConfigError::Io {
        action: "write",
        path: plan.layout.config_d.clone(),
        source,
    })?;
    for ch in plan.files.iter().filter(|ch| ch.new.is_none()) {
        std::fs::remove_file(&ch.path).map_err(io_err("remove", &ch.path))?;
    }
    Ok(())
}

/// The aliases to check: of up to `limit` changed sections (evenly spread, first and
/// last included), the plain alias of the first, a session alias of the second, and so
/// on; both aliases when only one section changed, or one VM's when only the Include line
/// changed.
pub(super) fn to_validate(plan: &Plan, limit: usize) -> Vec<render::Expect> {
    let written: Vec<&render::VmFile> = plan
        .rendered
        .files
        .iter()
        .filter(|f| plan.changed_sections.contains(&f.alias))
        .collect();
    let chosen: Vec<&render::VmFile> = if written.is_empty() {
        plan.rendered.files.iter().take(1).collect()
    } else if written.len() <= limit.max(1) {
        written
    } else {
        // First, last, and evenly between.
        let last = written.len() - 1;
        let picks = limit.max(1);
        (0..picks)
            .map(|i| {
                written[if picks == 1 {
                    0
                } else {
                    i * last / (picks - 1)
                }]
            })
            .collect()
    };
    if let [only] = chosen.as_slice() {
        return only.expect();
    }
    // One alias per file, plain and session alias in turn: each lookup parses every
    // generated file anyway, and both kinds of alias still get checked.
    chosen
        .into_iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let mut expect = f.expect();
            if i % 2 == 1 {
                expect.pop()
            } else {
                expect.into_iter().next()
            }
        })
        .collect()
}

/// Previous contents of every file touched, to put back when a later step fails.
#[derive(Default)]
pub(super) struct Undo {
    pub(super) done: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl Undo {
    /// Best effort: a failure to restore one file must not stop the others.
    pub(super) fn restore(self) {
        let writes: Vec<persist::FileWrite<'_>> = self
            .done
            .iter()
            .filter_map(|(path, old)| Some((path.as_path(), old.as_deref()?, None)))
            .collect();
        if persist::write_atomic_all(&writes).is_err() {
            // Then one by one, so that one bad file does not keep the others back.
            for (path, bytes, mode) in writes {
                let _ = persist::write_atomic(path, bytes, mode);
            }
        }
        for (path, old) in &self.done {
            if old.is_none() {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}
