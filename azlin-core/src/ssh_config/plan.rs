//! Planning a sync: what the generated files and `~/.ssh/config` would become, computed
//! without writing anything (for `--dry-run`, `--check`, `print`, and the sync itself).

use super::*;

/// One file's change: `old` is `None` for a new file, `new` is `None` for a removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The file (under `~/.ssh`).
    pub path: PathBuf,
    /// Its bytes now.
    pub old: Option<Vec<u8>>,
    /// Its bytes after the sync.
    pub new: Option<Vec<u8>>,
}

/// What a sync would do, computed without writing anything.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Generated files to write or remove.
    pub files: Vec<FileChange>,
    /// The edit of `~/.ssh/config`, if it needs one.
    pub config: Option<FileChange>,
    /// The Include line azlin uses (with its comment).
    pub include_lines: String,
    /// VMs and sessions left out.
    pub problems: Vec<Problem>,
    /// Plain aliases left out so as not to capture the user's hosts.
    pub skipped: Vec<Skipped>,
    /// The generated files (also those that did not change), prepared for rendering.
    pub rendered: Rendered,
    /// The ssh client as probed.
    pub client: Client,
    pub(super) renderer: Renderer,
    /// What is known about the files on disk after this plan's comparisons.
    pub(super) stamp: Stamp,
    /// Whether `stamp` says more than the one loaded, or confirms entries that were too
    /// fresh to trust (then it is worth saving).
    pub(super) stamp_grew: bool,
    /// Whether the files share connections (ControlMaster), so `~/.ssh/cm` must exist.
    pub(super) shares: bool,
    /// The identity of every file the plan looked at (those it changes and those it found
    /// up to date), as it was then: another run's rewrite of any of them voids the plan.
    pub(super) seen: Vec<(PathBuf, Option<crate::fingerprint::Fingerprint>)>,
    /// The generated files present when planned.
    pub(super) present: Vec<PathBuf>,
    /// The aliases whose sections the fleet file changes.
    pub(super) changed_sections: Vec<String>,
    /// The digest the stamp may record for the fleet file once written: `None` when it
    /// holds sections kept from an earlier listing (then it is always compared).
    pub(super) fleet_digest: Option<String>,
    pub(super) layout: Layout,
}

impl Plan {
    /// Whether the files on disk are already what a sync would write.
    pub fn is_up_to_date(&self) -> bool {
        self.files.is_empty() && self.config.is_none()
    }

    /// Whether the files this plan looked at, and the set of generated files, are still as
    /// they were when it was made: then no other run wrote in between, and the plan
    /// stands without rendering and reading everything again. Every write azlin makes is
    /// a rename, which gives the file a new inode.
    pub(super) fn still_current(&self) -> bool {
        self.seen.iter().all(|(path, id)| file_id(path) == *id)
            && existing_files(&self.layout.config_d).is_ok_and(|now| now == self.present)
    }

    /// Every change as a unified diff (`/dev/null` for new and removed files).
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for ch in self.config.iter().chain(&self.files) {
            let old = String::from_utf8_lossy(ch.old.as_deref().unwrap_or_default());
            let new = String::from_utf8_lossy(ch.new.as_deref().unwrap_or_default());
            let name = ch.path.display().to_string();
            let (a, b) = match (&ch.old, &ch.new) {
                (None, _) => ("/dev/null".to_string(), name),
                (_, None) => (name, "/dev/null".to_string()),
                _ => (name.clone(), name),
            };
            let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .missing_newline_hint(true)
                    .header(&a, &b)
                    .to_string(),
            );
        }
        out
    }

    /// The generated config as a sync would write it (for `ssh -F` or another tool), or
    /// only the section of the VM named `vm` (matched without regard to case, as its
    /// alias is), `None` when there is no such VM.
    pub fn stanzas(&self, vm: Option<&str>) -> Result<Option<String>, SshConfigError> {
        let files: Vec<&render::VmFile> = match vm {
            Some(vm) => self
                .rendered
                .files
                .iter()
                .filter(|f| f.alias == vm.to_ascii_lowercase())
                .collect(),
            None => self.rendered.files.iter().collect(),
        };
        if vm.is_some() && files.is_empty() {
            return Ok(None);
        }
        let sections = files
            .iter()
            .map(|f| self.renderer.section(f))
            .collect::<Result<Vec<_>, _>>()?;
        render::fleet_text(&sections, &self.rendered.shared).map(Some)
    }

    /// The aliases whose part of the fleet file this plan changes.
    pub fn changed_sections(&self) -> &[String] {
        &self.changed_sections
    }
}

/// Computes what a sync would change, writing nothing. Probes the ssh client.
pub fn plan(paths: &Paths, inventory: &Inventory, opts: &Options) -> Result<Plan, SshConfigError> {
    plan_with(
        paths,
        inventory,
        opts,
        Client::probe_cached(&opts.ssh, &paths.cache_dir()),
    )
}

pub(super) fn plan_with(
    paths: &Paths,
    inventory: &Inventory,
    opts: &Options,
    client: Client,
) -> Result<Plan, SshConfigError> {
    let layout = Layout::new(paths);
    let sharing = sharing(&client, paths, &layout);
    let renderer = Renderer::load(&paths.templates_dir())?;
    let user = read_user_config(&layout, client.tilde_home.as_deref().unwrap_or(&paths.home));
    let mut rendered = render::prepare(
        inventory,
        &opts.defaults,
        sharing.as_ref(),
        render::Respect { user: &user },
    );
    let known = Stamp::load(&layout.stamp, &layout.config_d, &renderer.id);
    let mut stamp = Stamp::new(&layout.config_d, &renderer.id);
    let mut problems = rendered.problems.clone();
    let mut files = Vec::new();
    let mut seen = Vec::new();
    let mut stamp_grew = false;
    let mut changed_sections = Vec::new();

    let fleet = layout.config_d.join(FLEET_FILE);
    let present = existing_files(&layout.config_d)?;
    // Per-VM files of an older azlin: replaced by the fleet file.
    let legacy: Vec<&PathBuf> = present
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n != FLEET_FILE))
        .collect();
    let digest = render::digest(&(
        rendered.files.iter().map(|f| &f.digest).collect::<Vec<_>>(),
        &rendered.shared,
    ));
    let meta = std::fs::symlink_metadata(&fleet).ok();
    if meta.as_ref().is_some_and(|m| !m.is_file()) {
        // Not azlin's: left alone, and nothing else is written.
        problems.push(not_ours(&fleet));
        rendered.files.clear();
        seen.push((fleet.clone(), file_id(&fleet)));
    } else if let Some(meta) = meta.as_ref().filter(|m| {
        opts.remove_missing && legacy.is_empty() && known.vouches(FLEET_FILE, &digest, m)
    }) {
        // Rendered from the same inputs, and not touched since: neither rendered nor read.
        seen.push((
            fleet.clone(),
            Some(crate::fingerprint::Fingerprint::of(meta)),
        ));
        stamp.keep(&known, FLEET_FILE);
    } else {
        let old = match meta {
            Some(_) => read_opt(&fleet)?,
            None => None,
        };
        let old_text = String::from_utf8_lossy(old.as_deref().unwrap_or_default()).into_owned();
        let old_sections = render::parse_sections(&old_text);
        // Rendering a thousand sections is CPU work: spread it over the cores.
        let mut sections = crate::parallel::fan_out(&rendered.files, persist::parallelism(), |f| {
            renderer.section(f)
        })
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
        if !opts.remove_missing {
            // A narrowed listing: the VMs it does not show keep their sections.
            let listed: std::collections::HashSet<String> =
                sections.iter().map(|s| s.alias.clone()).collect();
            let mut kept: Vec<render::Section> = old_sections
                .iter()
                .filter(|s| !listed.contains(&s.alias))
                .cloned()
                .collect();
            for path in &legacy {
                let alias = legacy_alias(path);
                if listed.contains(&alias) || kept.iter().any(|s| s.alias == alias) {
                    continue;
                }
                if let Some(bytes) = read_opt(path)? {
                    kept.push(render::legacy_section(
                        &alias,
                        &String::from_utf8_lossy(&bytes),
                    ));
                }
            }
            // A kept part and a listed one whose aliases catch each other (`b` and
            // `b--x`: `Host b b--*` would take `b--x--dev`) cannot both stay, and the
            // listing is what is true now: the kept part is left out and reported.
            use crate::name::caught_by;
            kept.retain(|k| {
                let Some(other) = listed
                    .iter()
                    .find(|l| caught_by(l, &k.alias) || caught_by(&k.alias, l))
                else {
                    return true;
                };
                problems.push(Problem::new(
                    &k.alias,
                    None,
                    format!(
                        "left out: its part, kept from an earlier listing, and the listed VM \
                         `{}` would catch each other's aliases (`{}--*`); rename one of them",
                        other.escape_debug(),
                        if caught_by(other, &k.alias) {
                            &k.alias
                        } else {
                            other
                        }
                    ),
                ));
                false
            });
            sections.extend(kept);
            sections.sort_by(|a, b| a.alias.cmp(&b.alias));
        }
        changed_sections = sections
            .iter()
            .filter(|s| !old_sections.contains(s))
            .map(|s| s.alias.clone())
            .collect();
        let text = render::fleet_text(&sections, &rendered.shared)?;
        seen.push((
            fleet.clone(),
            meta.as_ref().map(crate::fingerprint::Fingerprint::of),
        ));
        match meta {
            _ if sections.is_empty() && old.is_none() => {}
            Some(meta) if old.as_deref() == Some(text.as_bytes()) => {
                // Even when the stamp already had this entry (too fresh to trust then),
                // saving it again with a later time lets the next run trust it.
                stamp_grew = true;
                if opts.remove_missing {
                    stamp.record(FLEET_FILE, &digest, &meta);
                }
            }
            _ if sections.is_empty() => files.push(FileChange {
                path: fleet.clone(),
                old,
                new: None,
            }),
            _ => files.push(FileChange {
                path: fleet.clone(),
                old,
                new: Some(text.into_bytes()),
            }),
        }
    }
    stamp_grew |= stamp.differs(&known);
    for path in legacy {
        if !is_regular(path) {
            problems.push(not_ours(path));
            continue;
        }
        seen.push((path.clone(), file_id(path)));
        files.push(FileChange {
            old: read_opt(path)?,
            path: path.clone(),
            new: None,
        });
    }

    let include_arg = config_path(&client, paths, ".ssh/config.d/azlin-*.conf");
    let resolver = Resolver {
        tilde_home: client
            .tilde_home
            .clone()
            .unwrap_or_else(|| paths.home.clone()),
        sample: layout.config_d.join("azlin-x.conf"),
    };
    seen.push((layout.config.clone(), file_id(&layout.config)));
    let old_config = read_opt(&layout.config)?;
    // With nothing to include, the user's config is not touched at all.
    let fleet_written = files.iter().any(|f| f.path == fleet && f.new.is_some());
    let config = (!rendered.files.is_empty() || fleet_written)
        .then(|| {
            include::ensure(
                old_config.as_deref().unwrap_or_default(),
                &include_arg,
                &resolver,
            )
        })
        .flatten()
        .map(|new| FileChange {
            path: layout.config.clone(),
            old: old_config,
            new: Some(new),
        });
    Ok(Plan {
        files,
        config,
        include_lines: format!(
            "{}\n{}",
            include::marker_line(),
            include::include_line(&include_arg)
        ),
        problems,
        skipped: rendered.skipped.clone(),
        rendered,
        client,
        renderer,
        stamp,
        stamp_grew,
        shares: sharing.is_some(),
        seen,
        present,
        changed_sections,
        fleet_digest: opts.remove_missing.then_some(digest),
        layout,
    })
}

/// The problem of a symlink or other non-regular file where a generated file goes.
pub(super) fn not_ours(path: &Path) -> Problem {
    Problem::new(
        "",
        None,
        format!(
            "{} is a symlink or not a regular file, so it is not one azlin generated: it was \
             left alone (and nothing written in its place); remove it and run `azlin \
             ssh-config` again",
            path.display()
        ),
    )
}

/// The alias of an older azlin's per-VM file, `azlin-<alias>.conf`.
pub(super) fn legacy_alias(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    name.trim_start_matches(FILE_PREFIX)
        .trim_end_matches(FILE_SUFFIX)
        .to_string()
}

/// The identity of the file at `path` (symlinks followed), `None` when there is none.
pub(super) fn file_id(path: &Path) -> Option<crate::fingerprint::Fingerprint> {
    crate::fingerprint::Fingerprint::of_path(path)
}

/// The connection-sharing options of the generated config, when the client supports them
/// and the socket paths fit (the rule azlin's own ssh follows, see
/// [`crate::ssh::control_dir_path`]: with a long `$HOME` plain `ssh vm` would otherwise
/// fail with "ControlPath too long").
pub(super) fn sharing(client: &Client, paths: &Paths, layout: &Layout) -> Option<Sharing> {
    if !client.supports_sharing() {
        return None;
    }
    // ssh expands `~/.ssh/cm` to the same directory (see `home_path`).
    crate::ssh::control_dir_path(&layout.ssh_dir)?;
    let dir = home_path(client, paths, ".ssh/cm");
    // The directory must be writable literally (no `${`); the template quotes the value.
    crate::ssh::control_path_value(&dir)?;
    Some(Sharing {
        // ssh expands tokens in ControlPath: the directory's own `%` is doubled.
        control_path: format!("{}/%C", crate::ssh::escape_percent(&dir)),
    })
}
