//! Whether the workspace at a merged Release PR builds `--locked`, as publishing needs: a
//! version typed into the Release PR and merged before prepare ran again leaves `Cargo.lock`
//! giving the old version (and a dependent's requirement on the old one), and every publish of
//! the tags made there would stop at cargo's "cannot update the lock file". Found before
//! anything is created. Pure: the job reads `Cargo.lock` at the commit.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::super::workspace::Workspace;

#[derive(Deserialize)]
struct Lockfile {
    #[serde(default)]
    package: Vec<LockedPackage>,
}

#[derive(Deserialize)]
struct LockedPackage {
    name: String,
    version: String,
    /// Absent for a path package (the workspace's own).
    source: Option<String>,
}

/// What keeps `ws` from building `--locked` with `lock` (the text of `lock_path`, `None` when
/// the repository has none): a member `Cargo.lock` records at another version than its
/// manifest's, or a requirement on a member that the member's version does not meet (cargo
/// refuses to resolve it). Each names the files and the fix.
pub fn lock_problems(ws: &Workspace, lock: Option<&str>, lock_path: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for member in &ws.members {
        for dep in member.deps.iter().filter(|d| !d.via_patch) {
            let (Some(req), Some(target)) = (&dep.req, ws.member(&dep.name)) else {
                continue;
            };
            if !req.matches(&target.version) {
                problems.push(format!(
                    "{} requires {} {req} in {}, which {} {} does not meet (set the requirement to {})",
                    member.name, dep.name, member.manifest, target.name, target.version, target.version
                ));
            }
        }
    }
    let Some(lock) = lock else {
        return problems;
    };
    let locked: Lockfile = match toml::from_str(lock) {
        Ok(locked) => locked,
        Err(error) => {
            let first = error.to_string();
            let first = first.lines().next().unwrap_or_default();
            problems.push(format!("{lock_path} cannot be read: {first}"));
            return problems;
        }
    };
    let mut own: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in locked.package.iter().filter(|p| p.source.is_none()) {
        own.entry(&p.name).or_default().push(&p.version);
    }
    for member in &ws.members {
        let version = member.version.to_string();
        let versions = own.get(member.name.as_str()).cloned().unwrap_or_default();
        if !versions.contains(&version.as_str()) {
            let locked = if versions.is_empty() {
                format!("has no {}", member.name)
            } else {
                format!("gives {} {}", member.name, versions.join(", "))
            };
            problems.push(format!(
                "{lock_path} {locked}, {} gives {version}: cargo does not build or publish it `--locked` (refresh it with `cargo update --workspace` and commit it)",
                member.manifest
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::DepKind;
    use crate::plan::workspace::{Member, MemberDep};

    fn lock(entries: &[(&str, &str, bool)]) -> String {
        let mut out = String::from("# generated\nversion = 4\n");
        for (name, version, registry) in entries {
            out.push_str(&format!(
                "\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n"
            ));
            if *registry {
                out.push_str(
                    "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
                );
            }
        }
        out
    }

    fn workspace(app: &str, req: &str) -> Workspace {
        let mut app = Member::plain(
            "app",
            app,
            vec![MemberDep::plain("core", DepKind::Normal, Some(req))],
        );
        app.manifest = "crates/app/Cargo.toml".into();
        let mut core = Member::plain("core", "0.2.0", Vec::new());
        core.manifest = "crates/core/Cargo.toml".into();
        Workspace {
            members: vec![app, core],
            ..Workspace::default()
        }
    }

    #[test]
    fn a_lockfile_or_requirement_behind_a_merged_version_is_named_with_its_fix() {
        let ws = workspace("0.1.1", "0.1.0");
        // core typed 0.2.0 and merged at once: the lock has 0.1.0, app still asks for ^0.1.0.
        // A registry package of the same name is no member.
        let stale = lock(&[
            ("app", "0.1.1", false),
            ("core", "0.1.0", false),
            ("core", "0.2.0", true),
        ]);
        let problems = lock_problems(&ws, Some(&stale), "Cargo.lock");
        assert_eq!(
            problems,
            [
                "app requires core ^0.1.0 in crates/app/Cargo.toml, which core 0.2.0 does not meet (set the requirement to 0.2.0)",
                "Cargo.lock gives core 0.1.0, crates/core/Cargo.toml gives 0.2.0: cargo does not build or publish it `--locked` (refresh it with `cargo update --workspace` and commit it)",
            ]
        );
        // Consistent: nothing. No lockfile: only the requirements count.
        let ws = workspace("0.1.1", "0.2.0");
        let fresh = lock(&[
            ("app", "0.1.1", false),
            ("core", "0.2.0", false),
            ("core", "0.1.0", true),
        ]);
        assert!(lock_problems(&ws, Some(&fresh), "Cargo.lock").is_empty());
        assert!(lock_problems(&ws, None, "Cargo.lock").is_empty());
        // A member the lock does not record: cargo would have to add it.
        let partial = lock(&[("core", "0.2.0", false)]);
        assert_eq!(
            lock_problems(&ws, Some(&partial), "Cargo.lock"),
            [
                "Cargo.lock has no app, crates/app/Cargo.toml gives 0.1.1: cargo does not build or publish it `--locked` (refresh it with `cargo update --workspace` and commit it)"
            ]
        );
        let broken = lock_problems(&ws, Some("[[package]\n"), "rust/Cargo.lock");
        assert_eq!(broken.len(), 1);
        assert!(
            broken[0].starts_with("rust/Cargo.lock cannot be read: "),
            "{broken:?}"
        );
    }
}
