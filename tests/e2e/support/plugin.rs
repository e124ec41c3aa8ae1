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
    write_by_child(&path, text);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    path
}

/// Writes an executable (mode 0755) file at `path`.
pub fn write_executable(path: &Path, text: &str) {
    let dir = path.parent().expect("a file in a directory");
    let name = path.file_name().expect("a file name").to_string_lossy();
    write_mode(dir, &name, text, 0o755);
}

/// Writes `path` from a child process (`cat`), never from this one: a file this
/// multi-threaded test process held open for writing could be inherited by a child that
/// another test forks in that instant, and then running the file fails with "Text file
/// busy" (ETXTBSY) until that child execs.
fn write_by_child(path: &Path, text: &str) {
    use std::io::Write;
    let mut cat = std::process::Command::new("sh")
        .args(["-c", "cat > \"$1\"", "sh"])
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("run sh to write a file");
    cat.stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write to cat");
    let status = cat.wait().expect("wait for cat");
    assert!(status.success(), "writing {} failed", path.display());
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
