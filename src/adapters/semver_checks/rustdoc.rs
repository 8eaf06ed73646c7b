//! rustdoc JSON of workspace members or registry crates, through `cargo doc`: which packages
//! were documented, where their JSON is, and why the others were not.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::adapters::cargo::Cargo;

use cargo_metadata::Message;
use cargo_metadata::diagnostic::DiagnosticLevel;

/// The rustdoc flags cargo-semver-checks itself documents with: its lints look at hidden items,
/// and re-exports through private modules need the private ones.
const RUSTDOCFLAGS: &str = "-Z unstable-options --document-private-items --document-hidden-items --output-format=json --cap-lints=allow";

/// Per crate name, its rustdoc JSON or why there is none.
pub(super) type Documented = Vec<(String, Result<PathBuf, String>)>;

/// What to document: `names` (packages of the workspace at `dir`, or the `specs` given instead)
/// with the `--features` values `features`.
pub(super) struct Request<'a> {
    pub dir: &'a Path,
    pub names: &'a [String],
    pub specs: &'a [String],
    pub features: &'a [String],
    /// Keep to the workspace's `Cargo.lock` (`--locked`): a check never rewrites it.
    pub locked: bool,
}

/// Document a [`Request`] as rustdoc JSON into `target`. A crate cargo reports fresh whose JSON
/// is gone (a partial clean-up) loses its freshness marker and is documented once more.
pub(super) fn document(cargo: &Cargo, request: &Request<'_>, target: &Path) -> Documented {
    let first = run_doc(cargo, request, target);
    let stale: Vec<String> = request
        .names
        .iter()
        .filter(|name| {
            first
                .docs
                .get(*name)
                .is_some_and(|doc| !doc.json.is_file() && doc.marker.is_file())
        })
        .cloned()
        .collect();
    if stale.is_empty() {
        return first.verdicts(request.names);
    }
    for name in &stale {
        let _ = std::fs::remove_file(&first.docs[name].marker);
    }
    let again = run_doc(
        cargo,
        &Request {
            names: &stale,
            ..*request
        },
        target,
    );
    let mut verdicts = first.verdicts(request.names);
    for (name, verdict) in again.verdicts(&stale) {
        if let Some(slot) = verdicts.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = verdict;
        }
    }
    verdicts
}

/// Where one documented library's JSON is, and the HTML index cargo judges it fresh by.
struct Doc {
    json: PathBuf,
    marker: PathBuf,
}

/// What one `cargo doc` said.
struct DocRun {
    docs: BTreeMap<String, Doc>,
    errors: BTreeMap<String, String>,
    succeeded: bool,
    cargo_error: String,
}

impl DocRun {
    /// Per name, its JSON or why there is none.
    fn verdicts(&self, names: &[String]) -> Documented {
        names
            .iter()
            .map(|name| {
                let result = match (self.docs.get(name), self.errors.get(name)) {
                    (Some(doc), _) if doc.json.is_file() => Ok(doc.json.clone()),
                    (_, Some(error)) => Err(format!("error: {error}")),
                    _ if self.succeeded => Err("cargo doc wrote no rustdoc JSON for it".to_owned()),
                    _ => Err(self.cargo_error.clone()),
                };
                (name.clone(), result)
            })
            .collect()
    }
}

fn run_doc(cargo: &Cargo, request: &Request<'_>, target: &Path) -> DocRun {
    let mut cmd = cargo.command();
    cmd.args([
        "doc",
        "--no-deps",
        "--lib",
        "--keep-going",
        "--message-format=json",
    ])
    .arg("--target-dir")
    .arg(target)
    .env("RUSTC_BOOTSTRAP", "1")
    .env("RUSTDOCFLAGS", RUSTDOCFLAGS)
    .current_dir(request.dir)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let selected = if request.specs.is_empty() {
        request.names
    } else {
        request.specs
    };
    for spec in selected {
        cmd.arg("-p").arg(spec);
    }
    if !request.features.is_empty() {
        cmd.arg("--features").arg(request.features.join(","));
    }
    if request.locked {
        cmd.arg("--locked");
    }
    let mut run = DocRun {
        docs: BTreeMap::new(),
        errors: BTreeMap::new(),
        succeeded: false,
        cargo_error: String::new(),
    };
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            run.cargo_error = format!("cargo could not be run: {e}");
            return run;
        }
    };
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let err_reader =
        std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    for message in Message::parse_stream(BufReader::new(stdout)).flatten() {
        match message {
            Message::CompilerArtifact(a) if a.target.is_lib() || a.target.is_proc_macro() => {
                let lib = a.target.name.replace('-', "_");
                let doc = target.join("doc");
                let marker = doc.join(&lib).join("index.html");
                // cargo judges a doc unit fresh by its HTML index, which JSON output does not
                // write: without it, every run would document every crate again.
                let _ = std::fs::create_dir_all(doc.join(&lib))
                    .and_then(|()| std::fs::write(&marker, ""));
                run.docs.insert(
                    package_name(&a.package_id.repr),
                    Doc {
                        json: doc.join(format!("{lib}.json")),
                        marker,
                    },
                );
            }
            Message::CompilerMessage(m)
                if matches!(
                    m.message.level,
                    DiagnosticLevel::Error | DiagnosticLevel::Ice
                ) =>
            {
                run.errors
                    .entry(package_name(&m.package_id.repr))
                    .or_insert_with(|| m.message.message.clone());
            }
            _ => {}
        }
    }
    let status = child.wait();
    let stderr = err_reader.join().unwrap_or_default();
    run.succeeded = status.as_ref().is_ok_and(|s| s.success());
    run.cargo_error = stderr
        .lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or_else(|| stderr.lines().last().unwrap_or("cargo doc failed"))
        .to_owned();
    run
}

/// The package name in a package ID spec (`path+file:///x/widgets#1.2.3`,
/// `path+file:///x/w#widgets@1.2.3`, `registry+https://…#widgets@1.2.3`).
fn package_name(repr: &str) -> String {
    let (url, fragment) = repr.rsplit_once('#').unwrap_or((repr, ""));
    match fragment.split_once('@') {
        Some((name, _)) => name.to_owned(),
        None => url
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(url)
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A partial clean-up removed the JSON but left cargo's fingerprint and our HTML marker:
    /// cargo reports the crate fresh, and its JSON is made again rather than missing forever.
    #[test]
    fn a_missing_json_of_a_fresh_crate_is_documented_again() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"widgets\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/lib.rs"), "pub fn parse() {}\n").unwrap();
        let target = dir.path().join("target");
        let names = ["widgets".to_owned()];
        let request = Request {
            dir: dir.path(),
            names: &names,
            specs: &[],
            features: &[],
            locked: false,
        };
        let cargo = Cargo::default();
        let first = document(&cargo, &request, &target);
        let json = first[0].1.clone().unwrap();
        std::fs::remove_file(&json).unwrap();

        let again = document(&cargo, &request, &target);

        assert_eq!(again[0].1, Ok(json.clone()));
        assert!(json.is_file());
    }

    #[test]
    fn package_names_come_from_every_form_of_package_id() {
        assert_eq!(
            package_name("path+file:///x/crates/widgets#1.2.3"),
            "widgets"
        );
        assert_eq!(
            package_name("path+file:///x/crates/w#widgets@1.2.3"),
            "widgets"
        );
        assert_eq!(
            package_name("registry+https://github.com/rust-lang/crates.io-index#widgets@1.2.3"),
            "widgets"
        );
        assert_eq!(
            package_name("sparse+http://127.0.0.1:1/index/#my-crate@0.3.1"),
            "my-crate"
        );
    }
}
