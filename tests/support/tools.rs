//! The tools the tests run besides cargo and git (the registry server, cargo-semver-checks):
//! found where `.ci/run` installs them, or installed there by the first test that needs one, so
//! `cargo test --locked` alone works on a machine that has never seen the project.

use std::path::PathBuf;
use std::process::Command;

/// A tool the tests need, at the version `.ci/run` pins.
pub struct Tool {
    /// The crate, and the name of its binary.
    pub name: &'static str,
    pub version: &'static str,
    /// The variable that names the binary to use (set by `.ci/run`).
    pub variable: &'static str,
}

pub const FERRO: Tool = Tool {
    name: "ferro-cargo-registry-server",
    version: "1.0.0",
    variable: "RELEASEKIT_FERRO_BIN",
};

pub const SEMVER_CHECKS: Tool = Tool {
    name: "cargo-semver-checks",
    version: "0.51.0",
    variable: "RELEASEKIT_SEMVER_CHECKS_BIN",
};

/// The tools cache `.ci/run` installs into: `RELEASEKIT_TOOLS`, else
/// `$XDG_CACHE_HOME/releasekit-cargo/tools`, else `~/.cache/releasekit-cargo/tools`.
pub fn cache() -> PathBuf {
    if let Some(root) = std::env::var_os("RELEASEKIT_TOOLS") {
        return PathBuf::from(root);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_default()
        .join("releasekit-cargo/tools")
}

impl Tool {
    /// The binary: the tool's variable, else PATH, else the tools cache; on a machine that has
    /// none, it is installed into the cache (`cargo install --locked`: about 80 s for ferro,
    /// 5 minutes for cargo-semver-checks), under a file lock so parallel tests install it once.
    pub fn bin(&self) -> PathBuf {
        if let Some(bin) = std::env::var_os(self.variable) {
            return PathBuf::from(bin);
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        if let Some(bin) = std::env::split_paths(&path)
            .map(|dir| dir.join(self.name))
            .find(|p| p.is_file())
        {
            return bin;
        }
        let root = cache();
        let bin = root.join("bin").join(self.name);
        if bin.is_file() {
            return bin;
        }
        std::fs::create_dir_all(&root).expect("tools cache");
        let lock = std::fs::File::create(root.join(".install.lock")).expect("install lock");
        lock.lock().expect("lock the tools cache");
        if !bin.is_file() {
            eprintln!(
                "installing {} {} into {} (once per machine)",
                self.name,
                self.version,
                root.display()
            );
            let out = Command::new("cargo")
                .args(["install", "--locked", "--quiet", self.name, "--version"])
                .arg(self.version)
                .arg("--root")
                .arg(&root)
                .output()
                .expect("cargo install runs");
            assert!(
                out.status.success(),
                "could not install {} {} into {}: {}",
                self.name,
                self.version,
                root.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        bin
    }
}

/// A directory to be the binary's whole PATH: cargo, rustc, rustdoc and git, and with
/// `with_tool` a cargo-semver-checks that appends each call to `calls` and runs the real one
/// ([`SEMVER_CHECKS`], installed if no one has it yet).
pub struct Bin {
    dir: tempfile::TempDir,
}

impl Bin {
    pub fn new(with_tool: bool) -> Bin {
        let dir = tempfile::tempdir().unwrap();
        let path = std::env::var_os("PATH").unwrap_or_default();
        for name in ["cargo", "rustc", "rustdoc", "git"] {
            let real = std::env::split_paths(&path)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
                .unwrap_or_else(|| panic!("{name} is on PATH"));
            std::os::unix::fs::symlink(real, dir.path().join(name)).unwrap();
        }
        if with_tool {
            let script = format!(
                "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
                dir.path().join("calls").display(),
                SEMVER_CHECKS.bin().display()
            );
            let wrapper = dir.path().join(SEMVER_CHECKS.name);
            std::fs::write(&wrapper, script).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Bin { dir }
    }

    pub fn path(&self) -> String {
        self.dir.path().display().to_string()
    }

    /// How many times cargo-semver-checks was started.
    pub fn calls(&self) -> usize {
        std::fs::read_to_string(self.dir.path().join("calls"))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }
}
