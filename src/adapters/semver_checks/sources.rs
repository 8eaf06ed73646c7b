//! Where each side of a comparison is documented from: HEAD in the workspace itself, a release
//! tag in a scratch worktree of its commit, a version only the registry has through a
//! placeholder workspace depending on exactly it. Each side with the features cargo-semver-checks
//! would enable for it ([`super::features`]).

use std::path::Path;

use super::SemverChecker;
use super::features::{checked_features, member_features};
use super::rustdoc::{Documented, Request, document};
use crate::adapters::cargo::StrayLockfile;

impl SemverChecker<'_> {
    /// HEAD as checked out, keeping to the workspace's lockfile (one the manifests no longer
    /// match makes checks that could not run); without one, cargo resolves fresh and the
    /// lockfile it writes is removed again, on every way out: a plan changes no file.
    pub(super) fn document_head(&self, names: &[String]) -> Documented {
        let _stray = StrayLockfile::watch(self.root, !self.lockfile);
        let features = match self.cargo.metadata(self.root) {
            Ok(meta) => workspace_features(&meta, names),
            Err(e) => return fail(names, format!("cargo metadata: {e}")),
        };
        let request = Request {
            dir: self.root,
            names,
            specs: &[],
            features: &features,
            locked: self.lockfile,
        };
        document(self.cargo, &request, &self.dir.join("head"))
    }

    pub(super) fn document_baseline(&self, source: &Source, names: &[String]) -> Documented {
        let target = self.dir.join("baseline-target");
        match source {
            Source::Commit(commit) => {
                let worktree = match self.git.worktree("semver", commit) {
                    Ok(w) => w,
                    Err(e) => return fail(names, format!("git worktree of {commit}: {e}")),
                };
                let dir = worktree.dir().join(self.workspace_dir);
                let meta = match self.cargo.metadata(&dir) {
                    Ok(meta) => meta,
                    Err(e) => return fail(names, format!("cargo metadata: {e}")),
                };
                // A crate tagged at a commit it does not exist at fails alone: the others
                // tagged there are still documented.
                let (present, missing): (Vec<String>, Vec<String>) =
                    names.iter().cloned().partition(|name| {
                        meta.workspace_packages()
                            .iter()
                            .any(|p| p.name.as_str() == name)
                    });
                let features = workspace_features(&meta, &present);
                let request = Request {
                    dir: &dir,
                    names: &present,
                    specs: &[],
                    features: &features,
                    locked: false,
                };
                let mut documented = if present.is_empty() {
                    Vec::new()
                } else {
                    document(self.cargo, &request, &target)
                };
                documented.extend(missing.into_iter().map(|name| {
                    let why = format!("the workspace at that commit has no package {name}");
                    (name, Err(why))
                }));
                documented
            }
            Source::Registry(name, version) => {
                self.document_registry(name, version, names, &target)
            }
        }
    }

    /// A placeholder workspace that depends on exactly that version: cargo fetches the
    /// `.crate` with the registry's configuration and credentials, and its metadata says which
    /// features the version has.
    fn document_registry(
        &self,
        name: &str,
        version: &str,
        names: &[String],
        target: &Path,
    ) -> Documented {
        let dir = self.dir.join("registry").join(format!("{name}-{version}"));
        let write = |features: &[String]| {
            let manifest = placeholder_manifest(name, version, self.registry, features);
            std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::write(dir.join("Cargo.toml"), manifest))
                .and_then(|()| std::fs::write(dir.join("lib.rs"), ""))
                .map_err(|e| format!("could not write {}: {e}", dir.display()))
        };
        if let Err(why) = write(&[]) {
            return fail(names, why);
        }
        let features = match self.cargo.metadata_with_deps(&dir) {
            Ok(meta) => meta
                .packages
                .iter()
                .find(|p| p.name.as_str() == name && p.version.to_string() == version)
                .map(checked_features)
                .unwrap_or_default(),
            Err(e) => return fail(names, format!("cargo metadata: {e}")),
        };
        if let Err(why) = write(&features) {
            return fail(names, why);
        }
        let specs = [format!("{name}@{version}")];
        let request = Request {
            dir: &dir,
            names,
            specs: &specs,
            features: &[],
            locked: false,
        };
        document(self.cargo, &request, target)
    }
}

/// Every name failing for the same reason.
fn fail(names: &[String], why: String) -> Documented {
    names
        .iter()
        .map(|n| (n.clone(), Err(why.clone())))
        .collect()
}

/// `--features` for documenting the members `names` of `meta`'s workspace together.
fn workspace_features(meta: &cargo_metadata::Metadata, names: &[String]) -> Vec<String> {
    meta.workspace_packages()
        .into_iter()
        .filter(|p| names.iter().any(|n| n == p.name.as_str()))
        .flat_map(|p| member_features(&p.name, &checked_features(p)))
        .collect()
}

/// The manifest of a package depending on exactly `name` `version` with `features`.
fn placeholder_manifest(
    name: &str,
    version: &str,
    registry: Option<&str>,
    features: &[String],
) -> String {
    let registry = registry
        .map(|r| format!(", registry = \"{r}\""))
        .unwrap_or_default();
    let features = if features.is_empty() {
        String::new()
    } else {
        let quoted: Vec<String> = features.iter().map(|f| format!("\"{f}\"")).collect();
        format!(", features = [{}]", quoted.join(", "))
    };
    format!(
        "[package]\nname = \"releasekit-semver-baseline\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[lib]\npath = \"lib.rs\"\n\n[dependencies]\n{name} = {{ version = \"={version}\"{registry}{features} }}\n\n[workspace]\n"
    )
}

/// Where a baseline is documented from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Source {
    Commit(String),
    /// Name and version.
    Registry(String, String),
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;
    use crate::adapters::cargo::Cargo;
    use crate::adapters::git::testing::committed_repo;

    /// A crate tagged at a commit it does not exist at (tags made together at one commit, the
    /// crate added later) fails alone: the other crate tagged there is documented.
    #[test]
    fn a_crate_missing_at_a_shared_baseline_commit_fails_alone() {
        let (repo, git) = committed_repo(&[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
            ),
            (
                "crates/b/Cargo.toml",
                "[package]\nname = \"b\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
            ),
            ("crates/b/src/lib.rs", "pub fn b() {}\n"),
        ]);
        let commit = git.rev_parse("HEAD").unwrap();
        let target = tempfile::tempdir().unwrap();
        let cargo = Cargo::default();
        let checker = SemverChecker {
            root: repo.path(),
            git: &git,
            workspace_dir: Path::new(""),
            dir: target.path().to_owned(),
            registry: None,
            jobs: 1,
            cargo: &cargo,
            lockfile: false,
        };
        let names = ["a".to_owned(), "b".to_owned()];
        let documented: BTreeMap<String, Result<PathBuf, String>> = checker
            .document_baseline(&Source::Commit(commit), &names)
            .into_iter()
            .collect();
        assert_eq!(
            documented["a"],
            Err("the workspace at that commit has no package a".to_owned())
        );
        let b = documented["b"].as_ref().unwrap();
        assert!(b.is_file(), "{}", b.display());
    }
}
