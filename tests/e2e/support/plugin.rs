//! Writing plugins for tests: small shell scripts in a directory of the home.

use std::path::{Path, PathBuf};

use super::Home;

/// Writes an executable `#!/bin/sh` script `dir/name` with `body`, creating `dir`.
pub fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    write_mode(dir, name, &format!("#!/bin/sh\n{body}\n"), 0o755)
}

/// Writes `dir/name` with `text` and Unix permissions `mode`, creating `dir`.
pub fn write_mode(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).expect("create plugin dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write plugin");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    path
}

impl Home {
    /// `$AZLIN_HOME/plugins`.
    pub fn plugin_dir(&self) -> PathBuf {
        self.azlin_home().join("plugins")
    }

    /// Installs plugin `azlin-NAME` in `$AZLIN_HOME/plugins` as a shell script.
    pub fn plugin(&self, name: &str, body: &str) -> PathBuf {
        script(&self.plugin_dir(), &format!("azlin-{name}"), body)
    }

    /// A file in the home that a plugin creates to prove it ran.
    pub fn marker(&self, marker: &str) -> PathBuf {
        self.path().join(marker)
    }
}

/// Waits up to a generous minute for `path` to exist (the machine may be loaded).
pub fn wait_for(path: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !path.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
