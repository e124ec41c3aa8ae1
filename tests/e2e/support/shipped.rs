//! The plugins that ship in `plugins/`, installed into a test home.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::Home;

/// The workspace's `plugins/` folder.
pub fn plugins_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins")
}

/// The `azlin-idle` binary, built once per test run next to `azlin`.
pub fn azlin_idle() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build_plugin("azlin-idle", "azlin-idle"))
}

/// The `azlin-ui` binary (and its completer `azlin_complete-ui` beside it), built once
/// per test run next to `azlin`.
pub fn azlin_ui() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build_plugin("azlin-ui", "azlin-ui"))
}

/// Builds the plugin package `package` in azlin's profile (Cargo builds only this
/// package's binaries for its tests, so a plugin crate is built here) and returns the
/// path of its binary `bin`.
fn build_plugin(package: &str, bin: &str) -> PathBuf {
    let azlin = Path::new(env!("CARGO_BIN_EXE_azlin"));
    let profile_dir = azlin.parent().expect("target dir");
    let mut cargo = std::process::Command::new(env!("CARGO"));
    cargo
        .args(["build", "--quiet", "-p", package])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        cargo.arg("--release");
    }
    let status = cargo
        .status()
        .unwrap_or_else(|e| panic!("run cargo build -p {package}: {e}"));
    assert!(status.success(), "cargo build -p {package} failed");
    let bin = profile_dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} was not built", bin.display());
    bin
}

impl Home {
    /// Installs the shipped plugins into `$AZLIN_HOME/plugins` as symlinks, as the
    /// README's install steps do with copies.
    pub fn install_shipped_plugins(&self) {
        let dir = self.plugin_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink(plugins_src().join("azlin-health"), dir.join("azlin-health"))
            .unwrap();
        std::os::unix::fs::symlink(azlin_idle(), dir.join("azlin-idle")).unwrap();
        let ui = azlin_ui();
        std::os::unix::fs::symlink(ui, dir.join("azlin-ui")).unwrap();
        std::os::unix::fs::symlink(
            ui.with_file_name("azlin_complete-ui"),
            dir.join("azlin_complete-ui"),
        )
        .unwrap();
    }
}
