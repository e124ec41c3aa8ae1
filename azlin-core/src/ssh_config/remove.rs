//! Removing the generated config: every generated file and the Include line.

use super::*;

/// What [`remove`] did.
#[derive(Debug, Clone, Default)]
pub struct RemoveReport {
    /// Generated files removed.
    pub removed: Vec<PathBuf>,
    /// Whether the Include line was taken out of `~/.ssh/config`.
    pub config_edited: bool,
}

/// Deletes the generated files and azlin's Include line (in either form azlin writes),
/// leaving every other byte of `~/.ssh/config` as it was. A config that held nothing but
/// azlin's lines is deleted (unless it is a symlink). The backup is kept.
pub fn remove(paths: &Paths) -> Result<RemoveReport, SshConfigError> {
    let layout = Layout::new(paths);
    let old = read_opt(&layout.config)?;
    let tilde_arg = format!("~/.ssh/{CONFIG_D}/{FILE_PREFIX}*{FILE_SUFFIX}");
    let abs = layout.config_d.join(format!("{FILE_PREFIX}*{FILE_SUFFIX}"));
    let abs_arg = config_word(&abs.to_string_lossy());
    let new = old.as_deref().and_then(|bytes| {
        let once = include::remove(bytes, &tilde_arg);
        let twice = include::remove(once.as_deref().unwrap_or(bytes), &abs_arg);
        twice.or(once)
    });
    if new.is_some() && is_read_only(&layout.config) {
        return Err(SshConfigError::ReadOnly {
            path: layout.config,
            instruction: "Delete these lines from it yourself, then run `azlin ssh-config \
                          remove` again",
            lines: format!(
                "{}\n{}",
                include::marker_line(),
                include::include_line(&tilde_arg)
            ),
        });
    }
    let files = existing_files(&layout.config_d)?;
    let mut report = RemoveReport::default();
    if files.is_empty() && new.is_none() {
        return Ok(report);
    }
    let lock = Lock::acquire(&layout.lock).map_err(io_err("lock", &layout.lock))?;
    for f in existing_files(&layout.config_d)? {
        // A symlink or other non-regular file is not azlin's: left alone.
        if !is_regular(&f) {
            continue;
        }
        std::fs::remove_file(&f).map_err(io_err("remove", &f))?;
        report.removed.push(f);
    }
    remove_leftover_temporaries(&layout.config_d);
    if let Some(new) = new {
        let is_link =
            std::fs::symlink_metadata(&layout.config).is_ok_and(|m| m.file_type().is_symlink());
        if new.is_empty() && !is_link {
            std::fs::remove_file(&layout.config).map_err(io_err("remove", &layout.config))?;
        } else {
            persist::write_atomic(&layout.config, &new, None)
                .map_err(io_err("write", &layout.config))?;
        }
        report.config_edited = true;
    }
    // The lock file stays: deleting it while another run waits on it would let a third
    // run lock a new file and write at the same time.
    drop(lock);
    Ok(report)
}
